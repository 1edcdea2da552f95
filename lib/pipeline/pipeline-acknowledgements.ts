import { Stack, Stage } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledge, acknowledgeInHipaaAndNist, nagRendered } from '../compliance/acknowledge';

/** One IAM statement as cdk-nag sees it: actions, and resources written as in its finding ids. */
export interface RenderedStatement {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: unknown;
}

/** What the reasons name: the pipeline's artifact bucket and key, as cdk-nag writes them. */
export interface PipelineResources {
  readonly bucketArn: string;
  readonly keyArn: string;
  /** `arn:<partition>:<service>:<region>:<account>:` prefixes are built from these. */
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/**
 * Why a wildcard of a CDK Pipelines role is needed, for the wildcard patterns CDK Pipelines
 * generates (aws-cdk-lib grants on the artifact bucket and key, CodeBuild's log and report groups,
 * self-mutation's bootstrap roles). Any other wildcard gets no reason, so it fails the synth.
 */
export function pipelineWildcardFindings(statement: RenderedStatement, on: PipelineResources): Record<string, string> {
  const found: Record<string, string> = {};
  const onlyBucket = statement.resources.every((r) => r === on.bucketArn || r === `${on.bucketArn}/*`);
  const onlyKey = statement.resources.every((r) => r === on.keyArn);
  const logs = `arn:${on.partition}:logs:${on.region}:${on.account}:log-group:/aws/codebuild/`;
  const reports = `arn:${on.partition}:codebuild:${on.region}:${on.account}:report-group/`;
  for (const action of statement.actions.filter((a) => a.includes('*'))) {
    if (action.startsWith('s3:') && onlyBucket) {
      found[`AwsSolutions-IAM5[Action::${action}]`] = `aws-cdk-lib's read/write grant on the pipeline artifact bucket alone (${action} is its action group for object versions and tags)`;
    } else if (action.startsWith('kms:') && onlyKey) {
      found[`AwsSolutions-IAM5[Action::${action}]`] = `aws-cdk-lib's encrypt/decrypt grant on the pipeline artifact key alone (${action} covers its data key variants)`;
    }
  }
  for (const resource of statement.resources.filter((r) => r.includes('*'))) {
    const id = `AwsSolutions-IAM5[Resource::${resource}]`;
    if (resource === `${on.bucketArn}/*`) found[id] = 'The objects of the pipeline artifact bucket, where the pipeline passes artifacts between actions.';
    else if (/^<[\w.]+>:\*$/.test(resource.slice(logs.length)) && resource.startsWith(logs)) found[id] = 'Log streams of the CodeBuild project\'s own log group.';
    else if (/^<[\w.]+>-\*$/.test(resource.slice(reports.length)) && resource.startsWith(reports)) found[id] = 'Test report groups CodeBuild creates for the project, named after it.';
    else if (resource === `${logs}*` || resource === `${reports}*`) {
      found[id] = 'The asset publishing role serves every asset project CDK Pipelines creates (one per asset, added as assets appear), so it names their log and report groups by CodeBuild\'s prefix in this account and region.';
    } else if (resource === '*' && statement.actions.every((a) => ['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild'].includes(a))) {
      found[id] = 'CDK Pipelines lets its asset publishing role run the asset projects it creates; CodeBuild checks the project of each build.';
    } else if (resource === '*' && statement.actions.every((a) => ['cloudformation:DescribeStacks', 's3:ListBucket'].includes(a))) {
      found[id] = 'Self-mutation reads the bootstrap stack to find the asset buckets of the stage environments (read-only, no data).';
    } else if (resource === `arn:*:iam::${on.account}:role/*` && JSON.stringify(statement.conditions ?? {}).includes('aws-cdk:bootstrap-role')) {
      found[id] = 'Self-mutation assumes only CDK bootstrap roles (condition: tag aws-cdk:bootstrap-role is deploy, file-publishing or image-publishing).';
    }
  }
  return found;
}

/**
 * Acknowledges the findings the pipeline stack's CDK Pipelines resources raise, each by its exact
 * id on the construct that owns it: the IAM wildcards above, inline policies (one role per action,
 * scoped to it), the CodeBuild source-auth rule (the projects' source is the pipeline, not a
 * repository URL) and the buckets' replication and log-bucket encryption.
 */
export function acknowledgePipelineFindings(stack: Stack, bucket: s3.Bucket, accessLogs: s3.Bucket, key: kms.Key): void {
  const on: PipelineResources = {
    bucketArn: nagRendered(stack.resolve(bucket.bucketArn)),
    keyArn: nagRendered(stack.resolve(key.keyArn)),
    partition: stack.resolve(stack.partition) as string,
    region: stack.region,
    account: stack.account,
  };
  // The stack's own constructs; the stages nested in it are checked in their own stacks.
  const own: IConstruct[] = [];
  const visit = (c: IConstruct) => {
    if (c instanceof Stage) return;
    own.push(c);
    c.node.children.forEach(visit);
  };
  visit(stack);
  for (const policy of own.filter((c): c is iam.Policy => c instanceof iam.Policy)) {
    const document = stack.resolve(policy.document) as { Statement?: Array<{ Action: string | string[]; Resource?: unknown; Condition?: unknown }> };
    for (const s of document.Statement ?? []) {
      const statement = {
        actions: ([] as string[]).concat(s.Action),
        resources: ([] as unknown[]).concat(s.Resource ?? []).map(nagRendered),
        conditions: s.Condition,
      };
      acknowledge(policy, pipelineWildcardFindings(statement, on));
    }
    acknowledgeInHipaaAndNist(policy, 'IAMNoInlinePolicy', 'CDK Pipelines gives each action and CodeBuild project a role of its ' +
      'own with an inline policy scoped to that action (its project, its logs, the artifact bucket and key, the roles it assumes); a managed policy would be reusable by other roles.');
  }
  for (const project of own.filter((c): c is codebuild.CfnProject => c instanceof codebuild.CfnProject)) {
    acknowledge(project, { 'HIPAA.Security-CodeBuildProjectSourceRepoUrl': 'The project\'s source is the CodePipeline artifact (source type ' +
      'CODEPIPELINE), not a GitHub or Bitbucket URL: the pipeline reads the repository through its CodeConnections connection.' });
  }
  const replication = 'Cross-region replication of pipeline artifacts is a disaster-recovery choice each organisation makes per account; ' +
    'every artifact can be rebuilt from the source commit, and versioning protects against overwrite.';
  for (const b of [bucket, accessLogs]) acknowledgeInHipaaAndNist(b, 'S3BucketReplicationEnabled', replication);
  acknowledgeInHipaaAndNist(accessLogs, 'S3DefaultEncryptionKMS', 'S3 server access log delivery supports only SSE-S3 on the destination ' +
    'bucket; the logs hold request metadata, not artifacts.');
  acknowledge(accessLogs, {
    'AwsSolutions-S1': 'This bucket is the server access log destination of the artifact bucket; logging it to itself would loop.',
    'NIST.800.53.R5-S3BucketLoggingEnabled': 'This bucket is the server access log destination of the artifact bucket; logging it to itself would loop.',
    'HIPAA.Security-S3BucketLoggingEnabled': 'This bucket is the server access log destination of the artifact bucket; logging it to itself would loop.',
  });
}
