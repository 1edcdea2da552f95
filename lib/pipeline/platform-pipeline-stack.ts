import { Aws, CfnResource, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { PRIVATE_BUCKET_DEFAULTS } from '../common/private-bucket-defaults';
import { allowEventBridgeRulesToUseKey } from '../common/service-key-access';
import { acknowledge } from '../compliance/acknowledge';
import type { PipelineConfig, PlatformConfig } from '../config/config-schema';
import { platformNames } from '../config/platform-names';
import { InferencePlatformStage } from '../platform/inference-platform-stage';
import { modelApprovedPattern } from './model-approval-trigger';
import { acknowledgePipelineFindings } from './pipeline-acknowledgements';
import { bootstrapLookupRoleArn, pipelineStages, PipelineStagePlan } from './pipeline-plan';
import { pipelineSource } from './pipeline-source';

export interface PlatformPipelineStackProps extends StackProps {
  /** The validated platform config, with its `pipeline` section. */
  readonly config: PlatformConfig & { pipeline: PipelineConfig };
  /** The config file the pipeline synthesizes, relative to the repository root (PLATFORM_CONFIG), e.g. `config/pipeline.json`. */
  readonly configFile: string;
}

/**
 * The CDK CLI self-mutation runs: the one this package is tested with (devDependencies `aws-cdk`),
 * not whatever `aws-cdk@2` is on the day of the run.
 */
export const PIPELINE_CDK_CLI_VERSION = '2.1148.1';

/** Where CodeBuild keeps the change review of each execution, under the artifact bucket. */
export const CHANGE_REVIEW_PREFIX = 'change-reviews';

/**
 * The promotion pipeline (CDK Pipelines on CodePipeline and CodeBuild, self-mutating): source →
 * build (`npm ci`, `npm run synth`, `npm test`) → self-update → each stage of `pipeline.stages` in
 * order, every one before production followed by a smoke test of its gateway and endpoints →
 * Approval (the model versions production will serve are Approved in the model registry stage;
 * the change review of production's deployed templates against the new ones, kept as an artifact
 * and linked from a manual approval) → production. An approval in the model registry starts it.
 */
export class PlatformPipelineStack extends Stack {
  public readonly pipeline: pipelines.CodePipeline;
  /** The platform's stages, as the pipeline deploys them. */
  public readonly stages: Record<string, InferencePlatformStage> = {};
  public readonly artifactBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PlatformPipelineStackProps) {
    const { config, configFile } = props;
    const spec = config.pipeline;
    super(scope, id, { ...props, env: { account: spec.account, region: spec.region } });
    const source = pipelineSource(this, spec.source);

    const key = new kms.Key(this, 'ArtifactKey', { description: `Pipeline artifacts of ${config.name}`, enableKeyRotation: true });
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access log delivery supports only SSE-S3 on the destination bucket.
      encryption: s3.BucketEncryption.S3_MANAGED, ...PRIVATE_BUCKET_DEFAULTS,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.artifactBucket = new s3.Bucket(this, 'Artifacts', {
      encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true, ...PRIVATE_BUCKET_DEFAULTS,
      serverAccessLogsBucket: accessLogs, serverAccessLogsPrefix: 'artifacts/',
      // Change reviews are the record of what an approver signed off: kept a year.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(7) },
        { prefix: `${CHANGE_REVIEW_PREFIX}/`, expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const pipelineName = platformNames.pipelineStack(config.name);
    const env = { PLATFORM_CONFIG: configFile };
    const synth = new pipelines.CodeBuildStep('Synth', {
      input: source,
      env,
      installCommands: ['npm ci'],
      // The README's commands: synthesize (which builds the handlers), then the test suite.
      commands: ['npm run synth', 'npm test'],
      primaryOutputDirectory: 'cdk.out',
    });
    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName,
      synth,
      artifactBucket: this.artifactBucket,
      selfMutation: true,
      cliVersion: PIPELINE_CDK_CLI_VERSION,
      publishAssetsInParallel: false,
      codeBuildDefaults: {
        buildEnvironment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.MEDIUM },
        partialBuildSpec: codebuild.BuildSpec.fromObject({ phases: { install: { 'runtime-versions': { nodejs: '20' } } } }),
        timeout: Duration.minutes(60),
      },
    });

    const plans = pipelineStages(config);
    for (const plan of plans) {
      const stage = new InferencePlatformStage(this, plan.name, { config, stageName: plan.name, env: { account: plan.account, region: plan.region } });
      this.stages[plan.name] = stage;
      if (!plan.production) {
        this.pipeline.addStage(stage, { post: [this.smokeTest(config, plan, stage, source, env)] });
        continue;
      }
      const registry = plans.find((p) => p.name === spec.modelRegistryStage)!;
      const check = this.modelApprovalCheck(config, registry, plan, source, env);
      const review = this.changeReview(config, plan, source, synth, env);
      const approval = new pipelines.ManualApprovalStep('Approve', {
        comment: `Promote to ${plan.name}? Review the change review first (link below; also the ChangeReview artifact of this execution): ` +
          'replacements, IAM, encryption, exposure and alarm changes against what is deployed now.',
        // Pipeline variables resolve in any action's configuration (aws-cdk-lib, codepipeline.GlobalVariables).
        reviewUrl: `https://console.aws.amazon.com/s3/object/${this.artifactBucket.bucketName}?region=${spec.region}` +
          `&prefix=${CHANGE_REVIEW_PREFIX}/${codepipeline.GlobalVariables.executionId}/change-review.md`,
      });
      review.addStepDependency(check);
      approval.addStepDependency(review);
      this.pipeline.addWave('Approval', { post: [check, review, approval] });
      this.pipeline.addStage(stage);
    }
    this.pipeline.buildPipeline();
    this.startOnModelApproval(config, plans.find((p) => p.name === spec.modelRegistryStage)!);
    acknowledgePipelineFindings(this, this.artifactBucket, accessLogs, key);
  }

  /** A CodeBuild role of a fixed name: the stages name it in their trust policies. */
  private runnerRole(id: string, roleName: string, description: string): iam.Role {
    return new iam.Role(this, id, { roleName, description, assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
  }

  /**
   * The smoke test of a stage: assumes the role the stage lends it (SmokeTestAccess: invoke the
   * gateway route, describe the stage's endpoints, read its own API key) and runs bin/smoke-test.ts.
   */
  private smokeTest(config: PlatformConfig, plan: PipelineStagePlan, stage: InferencePlatformStage, source: pipelines.IFileSetProducer,
    env: Record<string, string>): pipelines.CodeBuildStep {
    const access = stage.shared.smokeTestAccess;
    const gateway = stage.shared.gateway;
    if (!access || !gateway) throw new Error(`stage ${plan.name} has no gateway to smoke-test (the config check requires one)`);
    const roleArn = `arn:${Aws.PARTITION}:iam::${plan.account}:role/${platformNames.smokeTestRole(config.name, plan.name)}`;
    const role = this.runnerRole(`SmokeTestRunner-${plan.name}`, platformNames.smokeTestRunnerRole(config.name, plan.name),
      `Runs the smoke test of stage ${plan.name}`);
    return new pipelines.CodeBuildStep('SmokeTest', {
      input: source,
      role,
      rolePolicyStatements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [roleArn] })],
      env,
      envFromCfnOutputs: { GATEWAY_URL: gateway.urlOutput, SMOKE_API_KEY_ID: access.apiKeyIdOutput },
      installCommands: ['npm ci'],
      commands: [
        ...assumeRoleProfile('smoke-test', roleArn),
        `SMOKE_API_KEY="$(aws apigateway get-api-key --profile smoke-test --region ${plan.region} --api-key "$SMOKE_API_KEY_ID" --include-value --query value --output text)"`,
        'export SMOKE_API_KEY',
        `AWS_PROFILE=smoke-test npx tsx bin/smoke-test.ts --config "$PLATFORM_CONFIG" --stage ${plan.name} --region ${plan.region} --gateway-url "$GATEWAY_URL"`,
      ],
    });
  }

  /**
   * Checks that every model version production will serve is Approved in the model registry
   * stage (bin/check-model-approval.ts: ListModelPackages, DescribeModelPackage), through the
   * CDK bootstrap's read-only lookup role of that stage's environment.
   */
  private modelApprovalCheck(config: PlatformConfig, registry: PipelineStagePlan, production: PipelineStagePlan,
    source: pipelines.IFileSetProducer, env: Record<string, string>): pipelines.CodeBuildStep {
    const lookupRole = bootstrapLookupRoleArn(Aws.PARTITION, registry.account, registry.region);
    return new pipelines.CodeBuildStep('ModelApproval', {
      input: source,
      role: this.runnerRole('ModelApprovalRunner', `${config.name}-pipeline-model-approval`, `Checks model approvals before ${production.name}`),
      rolePolicyStatements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [lookupRole] })],
      env,
      installCommands: ['npm ci'],
      commands: [
        ...assumeRoleProfile('registry', lookupRole),
        `AWS_PROFILE=registry npx tsx bin/check-model-approval.ts --config "$PLATFORM_CONFIG" --stage ${production.name} --region ${registry.region}`,
      ],
    });
  }

  /**
   * The change review of production: its deployed templates (read through the bootstrap lookup
   * role of production's environment) against the ones this execution synthesized
   * (bin/change-review.ts over lib/audit/assembly-diff.ts), kept as the step's output artifact and
   * under change-reviews/<execution id>/ in the artifact bucket, where the approval links to it.
   */
  private changeReview(config: PlatformConfig, production: PipelineStagePlan, source: pipelines.IFileSetProducer,
    synth: pipelines.IFileSetProducer, env: Record<string, string>): pipelines.CodeBuildStep {
    const lookupRole = bootstrapLookupRoleArn(Aws.PARTITION, production.account, production.region);
    const destination = `s3://${this.artifactBucket.bucketName}/${CHANGE_REVIEW_PREFIX}/$PIPELINE_EXECUTION_ID/`;
    return new pipelines.CodeBuildStep('ChangeReview', {
      input: source,
      additionalInputs: { 'synthesized': synth },
      role: this.runnerRole('ChangeReviewRunner', `${config.name}-pipeline-change-review`, `Reviews the changes to ${production.name}`),
      rolePolicyStatements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [lookupRole] })],
      env: { ...env, PIPELINE_EXECUTION_ID: codepipeline.GlobalVariables.executionId },
      installCommands: ['npm ci'],
      commands: [
        ...assumeRoleProfile('production', lookupRole),
        `AWS_PROFILE=production npx tsx bin/change-review.ts --assembly synthesized --stage ${production.name} --region ${production.region} --out change-review`,
        `aws s3 cp change-review/ ${destination} --recursive`,
      ],
      primaryOutputDirectory: 'change-review',
    });
  }

  /**
   * Starts the pipeline when a version in the model registry stage's group is Approved. Events of
   * another account or region arrive through the registry stage's forwarding rule
   * (ModelApprovalForwarding); this bus admits that account.
   */
  private startOnModelApproval(config: PlatformConfig, registry: PipelineStagePlan): void {
    const group = platformNames.modelPackageGroup(config.name, registry.name);
    // An event EventBridge cannot deliver (the pipeline gone, its role changed) goes here rather than nowhere.
    const key = new kms.Key(this, 'DeadLetterKey', { description: `Undelivered pipeline start events of ${config.name}`, enableKeyRotation: true });
    allowEventBridgeRulesToUseKey(key);
    const deadLetters = new sqs.Queue(this, 'StartDeadLetters', {
      encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key, enforceSSL: true, retentionPeriod: Duration.days(14),
    });
    acknowledge(deadLetters, { 'AwsSolutions-SQS3': 'This queue is itself the dead-letter queue of the rule that starts the pipeline.' });
    const rule = new events.Rule(this, 'StartOnModelApproval', {
      description: `Starts ${platformNames.pipelineStack(config.name)} when a version in model package group ${group} is Approved`,
      eventPattern: modelApprovedPattern(group, registry.account),
      targets: [new targets.CodePipeline(this.pipeline.pipeline, { deadLetterQueue: deadLetters })],
    });
    // The CodePipeline target does not add the queue policy a dead-letter queue needs: EventBridge sends
    // as events.amazonaws.com with the rule as aws:SourceArn (EventBridge User Guide, "Using dead-letter queues").
    deadLetters.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowTheStartRule',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [deadLetters.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
    }));
    if (registry.account !== this.account) {
      // A plain resource: the L1 class prints a deprecation warning for its deprecated Principal property on every synth.
      new CfnResource(this, 'AdmitModelApprovals', {
        type: 'AWS::Events::EventBusPolicy',
        properties: {
          StatementId: `model-approvals-from-${registry.account}`,
          Statement: {
            Effect: 'Allow',
            Principal: { AWS: `arn:${Aws.PARTITION}:iam::${registry.account}:root` },
            Action: 'events:PutEvents',
            Resource: `arn:${Aws.PARTITION}:events:${this.region}:${this.account}:event-bus/default`,
          },
        },
      });
    }
  }
}

/**
 * Shell commands that make a named AWS profile assume `roleArn` with the CodeBuild container's
 * credentials (AWS CLI and SDK shared config: `role_arn` with `credential_source = EcsContainer`).
 */
function assumeRoleProfile(profile: string, roleArn: string): string[] {
  return [
    `aws configure set role_arn ${roleArn} --profile ${profile}`,
    `aws configure set credential_source EcsContainer --profile ${profile}`,
  ];
}
