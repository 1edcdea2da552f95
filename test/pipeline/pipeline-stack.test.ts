import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { diffAssemblies } from '../../lib/audit/assembly-diff';
import { CloudAssembly, loadCloudAssembly, StackArtifact } from '../../lib/audit/cloud-assembly';
import { deployedBaseline, stageStacks } from '../../lib/audit/deployed-baseline';
import { loadPlatformConfig } from '../../lib/config/load-config';
import { buildPlatformApp } from '../../lib/platform/platform-app';
import { readDeployedTemplates } from '../../bin/deployed-templates';
import { cdkJsonContext, Json, REPO_ROOT } from '../helpers/fixtures';

/**
 * The example pipeline config (config/pipeline.json) synthesized once, offline, as
 * `PLATFORM_CONFIG=config/pipeline.json npm run synth` does; every test reads that assembly.
 */
const PIPELINE_ACCOUNT = '240917318461';
const STAGING_ACCOUNT = '318204657932';
const PROD_ACCOUNT = '529163840275';
let outdir: string;
let assembly: CloudAssembly;
let pipelineTemplate: Json;

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'pipeline-synth-'));
  const config = loadPlatformConfig(path.join(REPO_ROOT, 'config/pipeline.json'));
  // Synthesis runs the compliance packs: an unacknowledged finding would throw here.
  buildPlatformApp(config, { context: cdkJsonContext(), outdir }, { configFile: 'config/pipeline.json' }).synth();
  assembly = loadCloudAssembly(outdir);
  pipelineTemplate = stack('inference-pipeline').template;
}, 240_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function stack(name: string): StackArtifact {
  const found = assembly.stacks.find((s) => s.stackName === name);
  if (!found) throw new Error(`no stack ${name} (stacks: ${assembly.stacks.map((s) => s.stackName).join(', ')})`);
  return found;
}
function resources(template: Json, type: string): Array<[string, Json]> {
  return Object.entries(template.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);
}
const pipelineStages = (): Json[] => resources(pipelineTemplate, 'AWS::CodePipeline::Pipeline')[0][1].Properties.Stages;
const actions = (stage: string): Json[] => pipelineStages().find((s: Json) => s.Name === stage).Actions;
/** The statements of a role's policies in the pipeline stack, by the role's name. */
function statementsOfRole(template: Json, roleName: string): Json[] {
  const [roleId] = resources(template, 'AWS::IAM::Role').find(([, r]) => r.Properties.RoleName === roleName) ?? [];
  if (!roleId) throw new Error(`no role ${roleName}`);
  return resources(template, 'AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}
const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

describe('the promotion pipeline of config/pipeline.json', () => {
  test('has the stacks of the pipeline and of each stage, in their own accounts', () => {
    expect(assembly.stacks.map((s) => `${s.stackName}@${s.account}/${s.region}`)).toEqual([
      `inference-pipeline@${PIPELINE_ACCOUNT}/us-east-1`,
      `inference-prod@${PROD_ACCOUNT}/us-east-1`, `inference-prod-chat@${PROD_ACCOUNT}/us-east-1`, `inference-prod-embed@${PROD_ACCOUNT}/us-east-1`,
      `inference-staging@${STAGING_ACCOUNT}/us-east-1`, `inference-staging-chat@${STAGING_ACCOUNT}/us-east-1`, `inference-staging-embed@${STAGING_ACCOUNT}/us-east-1`,
    ]);
  });

  test('runs source, build, self-update, assets, staging with its smoke test, approval, prod — in that order', () => {
    expect(pipelineStages().map((s: Json) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'staging', 'Approval', 'prod']);
    expect(actions('Source')[0]).toMatchObject({ ActionTypeId: { Provider: 'CodeStarSourceConnection' },
      Configuration: { FullRepositoryId: 'example-org/inference-platform', BranchName: 'main',
        ConnectionArn: `arn:aws:codeconnections:us-east-1:${PIPELINE_ACCOUNT}:connection/7d2b9c4e-1f3a-4b6d-8e5c-9a0f1b2c3d4e` } });
    const staging = actions('staging');
    const smoke = staging.find((a: Json) => a.Name === 'SmokeTest');
    // After every deploy of the stage.
    expect(smoke.RunOrder).toBeGreaterThan(Math.max(...staging.filter((a: Json) => a.Name !== 'SmokeTest').map((a: Json) => a.RunOrder)));
    expect(actions('Approval').map((a: Json) => [a.Name, a.ActionTypeId.Provider, a.RunOrder])).toEqual([
      ['ModelApproval', 'CodeBuild', 1], ['ChangeReview', 'CodeBuild', 2], ['Approve', 'Manual', 3],
    ]);
    expect(actions('prod').map((a: Json) => a.Name)).toEqual(expect.arrayContaining(['inference-prod.Deploy', 'inference-prod-chat.Deploy', 'inference-prod-embed.Deploy']));
  });

  test('the build runs the README\'s commands on the config, and the approval links the change review of the execution', () => {
    const [, synth] = resources(pipelineTemplate, 'AWS::CodeBuild::Project').find(([id]) => id.includes('Synth'))!;
    const spec = JSON.parse(synth.Properties.Source.BuildSpec);
    expect(spec.phases.install.commands).toEqual(['npm ci']);
    expect(spec.phases.build.commands).toEqual(['npm run synth', 'npm test']);
    expect(synth.Properties.Environment.EnvironmentVariables).toEqual(expect.arrayContaining([{ Name: 'PLATFORM_CONFIG', Type: 'PLAINTEXT', Value: 'config/pipeline.json' }]));
    const [, selfMutation] = resources(pipelineTemplate, 'AWS::CodeBuild::Project').find(([id]) => id.includes('SelfMutation'))!;
    expect(JSON.parse(selfMutation.Properties.Source.BuildSpec).phases.install.commands).toEqual(['npm install -g aws-cdk@2.1148.1']);
    const approve = actions('Approval').find((a: Json) => a.Name === 'Approve');
    expect(JSON.stringify(approve.Configuration.ExternalEntityLink)).toContain('change-reviews/#{codepipeline.PipelineExecutionId}/change-review.md');
    expect(approve.Configuration.CustomData).toMatch(/^Promote to prod\? Review the change review first/);
    const review = actions('Approval').find((a: Json) => a.Name === 'ChangeReview');
    // The review is an artifact of the execution, as well as the file the approval links.
    expect(review.OutputArtifacts).toHaveLength(1);
    expect(JSON.stringify(review.Configuration.EnvironmentVariables)).toContain('#{codepipeline.PipelineExecutionId}');
  });

  test('each CodeBuild role can assume only the one role its step needs', () => {
    const assumed = (role: string) => statementsOfRole(pipelineTemplate, role).filter((s) => list(s.Action).includes('sts:AssumeRole'));
    const arnOf = (s: Json) => JSON.stringify(s.Resource);
    expect(assumed('inference-pipeline-smoke-staging').map(arnOf)).toEqual([
      JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${STAGING_ACCOUNT}:role/inference-staging-smoke-test`]] })]);
    expect(assumed('inference-pipeline-model-approval').map(arnOf)).toEqual([
      JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${STAGING_ACCOUNT}:role/cdk-hnb659fds-lookup-role-${STAGING_ACCOUNT}-us-east-1`]] })]);
    expect(assumed('inference-pipeline-change-review').map(arnOf)).toEqual([
      JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${PROD_ACCOUNT}:role/cdk-hnb659fds-lookup-role-${PROD_ACCOUNT}-us-east-1`]] })]);
    for (const role of ['inference-pipeline-smoke-staging', 'inference-pipeline-model-approval', 'inference-pipeline-change-review']) {
      const statements = statementsOfRole(pipelineTemplate, role);
      // Nothing on every resource; only logs, reports, the artifact bucket and key, and the one role.
      expect(statements.filter((s) => list(s.Resource).includes('*'))).toEqual([]);
      expect([...new Set(statements.flatMap((s) => list(s.Action).map((a: string) => a.split(':')[0])))].sort()).toEqual(['codebuild', 'kms', 'logs', 's3', 'sts']);
    }
    // Only the change review writes (its output artifact, and the copy the approval links).
    const writes = (role: string) => statementsOfRole(pipelineTemplate, role).some((s) => list(s.Action).includes('s3:PutObject'));
    expect(['inference-pipeline-smoke-staging', 'inference-pipeline-model-approval', 'inference-pipeline-change-review'].map(writes)).toEqual([false, false, true]);
  });

  test('the role staging lends the smoke test: only that runner may assume it, for the gateway route, its endpoints and its own API key', () => {
    const shared = stack('inference-staging').template;
    const [roleId, role] = resources(shared, 'AWS::IAM::Role').find(([, r]) => r.Properties.RoleName === 'inference-staging-smoke-test')!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole', Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${PIPELINE_ACCOUNT}:root` },
      Condition: { ArnEquals: { 'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${PIPELINE_ACCOUNT}:role/inference-pipeline-smoke-staging`]] } } },
    }]);
    const statements = resources(shared, 'AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statements.map((s: Json) => s.Action)).toEqual(['execute-api:Invoke', 'sagemaker:DescribeEndpoint', 'apigateway:GET']);
    expect(statements[0].Resource).toEqual({ 'Fn::Join': ['', [`arn:aws:execute-api:us-east-1:${STAGING_ACCOUNT}:`, { Ref: expect.stringMatching(/^GatewayApi/) },
      '/', { Ref: expect.stringMatching(/^GatewayApiDeploymentStagestaging/) }, '/POST/models/*/invocations']] });
    expect(statements[1].Resource).toEqual([
      `arn:aws:sagemaker:us-east-1:${STAGING_ACCOUNT}:endpoint/inference-staging-chat`,
      `arn:aws:sagemaker:us-east-1:${STAGING_ACCOUNT}:endpoint/inference-staging-embed`,
    ]);
    expect(JSON.stringify(statements[2].Resource)).toContain(':apigateway:us-east-1::/apikeys/');
    // Production is not smoke-tested, so lends nothing.
    expect(resources(stack('inference-prod').template, 'AWS::IAM::Role').filter(([, r]) => /smoke/.test(r.Properties.RoleName ?? ''))).toEqual([]);
  });

  test('versions wait for approval in the registry stage; production records the approved versions it was allowed to serve', () => {
    const status = (name: string) => resources(stack(name).template, 'AWS::SageMaker::ModelPackage').map(([, p]) => p.Properties.ModelApprovalStatus);
    expect(status('inference-staging-chat')).toEqual(['PendingManualApproval']);
    expect(status('inference-prod-chat')).toEqual(['Approved']);
  });

  test('an approval in the registry stage\'s group starts the pipeline, forwarded from the staging account', () => {
    const [, rule] = resources(pipelineTemplate, 'AWS::Events::Rule')[0];
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.sagemaker'], 'detail-type': ['SageMaker Model Package State Change'], account: [STAGING_ACCOUNT],
      detail: { ModelPackageGroupName: ['inference-staging'], ModelApprovalStatus: ['Approved'] },
    });
    expect(JSON.stringify(rule.Properties.Targets[0].Arn)).toContain('codepipeline');
    // Undeliverable starts go to a dead-letter queue, as every rule of the platform's does.
    expect(rule.Properties.Targets[0].DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^StartDeadLetters/), 'Arn'] });
    const [ruleId] = resources(pipelineTemplate, 'AWS::Events::Rule')[0];
    const [, queuePolicy] = resources(pipelineTemplate, 'AWS::SQS::QueuePolicy')[0];
    expect(queuePolicy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Action: 'sqs:SendMessage', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' },
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } } }));
    // Its key lets EventBridge encrypt: the policy every dead-letter key of the platform carries.
    const [, deadLetterKey] = resources(pipelineTemplate, 'AWS::KMS::Key').find(([id]) => id.startsWith('DeadLetterKey'))!;
    expect(deadLetterKey.Properties.KeyPolicy.Statement.map((s: Json) => s.Sid)).toContain('AllowEventBridgeRulesOfThisAccount');
    const [, busPolicy] = resources(pipelineTemplate, 'AWS::Events::EventBusPolicy')[0];
    expect(busPolicy.Properties.Statement).toMatchObject({ Action: 'events:PutEvents', Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${STAGING_ACCOUNT}:root`]] } } });
    const [, forward] = resources(stack('inference-staging').template, 'AWS::Events::Rule').find(([id]) => id.startsWith('ModelApprovalForwarding'))!;
    expect(forward.Properties.EventPattern.detail).toEqual({ ModelPackageGroupName: ['inference-staging'], ModelApprovalStatus: ['Approved'] });
    expect(JSON.stringify(forward.Properties.Targets[0].Arn)).toContain(`:events:us-east-1:${PIPELINE_ACCOUNT}:event-bus/default`);
    expect(forward.Properties.Targets[0].DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AlertingDeadLetters/), 'Arn'] });
  });

  test('cdk-nag is clean, with acknowledgements that each name one exact finding', () => {
    expect(assembly.validationFindings.filter((f) => !f.suppressed)).toEqual([]);
    const acks = stack('inference-pipeline').acknowledgements;
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      // IAM5 findings only by their exact action or resource; none on the stack itself.
      if (ack.ruleId.includes('AwsSolutions-IAM5')) expect(ack.ruleId).toMatch(/AwsSolutions-IAM5\[(?:Action|Resource)::.+\]$/);
      expect(ack.constructPath).not.toBe('inference-pipeline');
      expect(ack.reason.length).toBeGreaterThan(40);
    }
  });
});

describe('change review of production', () => {
  /** A local CloudFormation (AWS query protocol: form-encoded requests, XML answers) holding `deployed` by stack name. */
  async function startCloudFormation(deployed: Record<string, Json>): Promise<{ url: string; close: () => Promise<void> }> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const name = form.get('StackName') ?? '';
        const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
        if (form.get('Action') !== 'GetTemplate' || !(name in deployed)) {
          res.writeHead(400, { 'content-type': 'text/xml' });
          res.end(`<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${xml(name)} does not exist</Message></Error><RequestId>r1</RequestId></ErrorResponse>`);
          return;
        }
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(`<GetTemplateResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><GetTemplateResult><TemplateBody>${xml(JSON.stringify(deployed[name]))}</TemplateBody></GetTemplateResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></GetTemplateResponse>`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
  }

  /** Production as deployed: the shared stack as synthesized, chat with an alarm that the new template drops, embed not deployed yet. */
  function deployedProd(): Record<string, Json> {
    const chat = structuredClone(stack('inference-prod-chat').template);
    chat.Resources.FormerAlarm = { Type: 'AWS::CloudWatch::Alarm', Properties: { ComparisonOperator: 'GreaterThanThreshold', Threshold: 1, EvaluationPeriods: 1, AlarmActions: ['arn:aws:sns:us-east-1:1:t'] } };
    return { 'inference-prod': stack('inference-prod').template, 'inference-prod-chat': chat };
  }

  test('lists what changes against the deployed templates, from a real CloudFormation client', async () => {
    const cfn = await startCloudFormation(deployedProd());
    const client = new CloudFormationClient({ region: 'us-east-1', endpoint: cfn.url, credentials: { accessKeyId: 'AKID', secretAccessKey: 's' }, maxAttempts: 1 });
    try {
      const prod = stageStacks(assembly, 'prod');
      expect(prod.map((s) => s.stackName)).toEqual(['inference-prod', 'inference-prod-chat', 'inference-prod-embed']);
      const deployed = await readDeployedTemplates(client, prod.map((s) => s.stackName));
      expect([...deployed.keys()]).toEqual(['inference-prod', 'inference-prod-chat']);
      const findings = diffAssemblies(deployedBaseline(prod, deployed, 'deployed'), { ...assembly, stacks: prod }, { acknowledgements: false });
      expect(findings).toEqual([
        { stack: 'inference-prod-chat', kind: 'alarm', resource: 'FormerAlarm', change: 'alarm removed (it triggered notification)' },
        { stack: 'inference-prod-embed', kind: 'stack', resource: 'inference-prod-embed', change: 'new stack: review its full audit report' },
      ]);
    } finally {
      client.destroy();
      await cfn.close();
    }
  });

  test('the CLI writes change-review.md and .json for the approval and exits 0', async () => {
    const cfn = await startCloudFormation(deployedProd());
    const out = mkdtempSync(path.join(tmpdir(), 'change-review-'));
    try {
      const result = await new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), [path.join(REPO_ROOT, 'bin/change-review.ts'),
          '--assembly', outdir, '--stage', 'prod', '--region', 'us-east-1', '--out', out], {
          cwd: REPO_ROOT,
          env: { PATH: process.env.PATH!, HOME: process.env.HOME!, AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 's', AWS_ENDPOINT_URL_CLOUDFORMATION: cfn.url },
        });
        let stderr = '';
        child.stderr.on('data', (d) => { stderr += d; });
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, stderr }));
      });
      expect(result).toMatchObject({ status: 0 });
      const markdown = readFileSync(path.join(out, 'change-review.md'), 'utf8');
      expect(markdown).toContain('2 changes need sign-off.');
      expect(markdown).toContain('| alarm | FormerAlarm | alarm removed');
      expect(markdown).toContain('(2 of 3 stacks exist)');
      expect(JSON.parse(readFileSync(path.join(out, 'change-review.json'), 'utf8'))).toHaveLength(2);
    } finally {
      rmSync(out, { recursive: true, force: true });
      await cfn.close();
    }
  }, 60_000);
});
