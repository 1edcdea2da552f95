import { App, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ModelArtifactStore } from '../../lib/artifacts/model-artifact-store';
import { LINEAGE_MANIFEST_METADATA_KEY } from '../../lib/artifacts/model-artifact-store-base';
import { GpuInferenceEndpoint } from '../../lib/endpoint/gpu-inference-endpoint';
import { GatewayMetrics } from '../../lib/gateway/gateway-metrics';
import { DataCaptureStore } from '../../lib/monitoring/data-capture-store';
import { PlatformDashboard } from '../../lib/monitoring/platform-dashboard';
import { ImportedStageAlerting } from '../../lib/monitoring/stage-alerting-reference';
import { Json, cdkJsonContext, errorMessage, statementsOf, versionProps } from '../helpers/fixtures';
import { addEndpoint, addGateway, driftFixture } from '../drift/drift-fixtures';

/** Constructs that use what another stack of a stage defines, by name, without tying the stacks together. */

function consumerStack(): Stack {
  const app = new App({ context: cdkJsonContext() });
  return new Stack(app, 'Consumer', { env: { account: '123456789012', region: 'eu-west-1' } });
}

describe('ModelArtifactStore.fromStoreAttributes', () => {
  const stack = consumerStack();
  const store = ModelArtifactStore.fromStoreAttributes(stack, 'Store', {
    bucketName: Fn.getStackOutput('shared', 'ArtifactBucketName'), encryptionKeyArn: Fn.getStackOutput('shared', 'ArtifactKeyArn'), modelPackageGroupName: 'inference-prod',
  });
  const version = store.addModelVersion(versionProps({ s3Key: 'chat/1.0.0/' }));
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  store.grantRead(role, version);
  const template = Template.fromStack(stack).toJSON();

  test('records the lineage of its versions in this template\'s Metadata, and registers them in the group by name', () => {
    expect(template.Metadata[LINEAGE_MANIFEST_METADATA_KEY]).toEqual([expect.objectContaining({ modelName: 'chat', version: '1.0.0', sha256: versionProps().sha256 })]);
    const packages = Object.values(template.Resources as Record<string, Json>).filter((r) => r.Type === 'AWS::SageMaker::ModelPackage');
    expect(packages).toHaveLength(1);
    expect(packages[0].Properties.ModelPackageGroupName).toBe('inference-prod');
  });

  test('grants on the identity side only: the version\'s objects, the prefix listing, decrypt through S3', () => {
    const policy = Object.values(template.Resources as Record<string, Json>).find((r) => r.Type === 'AWS::IAM::Policy')!;
    const statements = statementsOf(policy.Properties.PolicyDocument);
    expect(statements.map((s) => s.Action)).toEqual([['s3:GetObject', 's3:GetObjectVersion'], 's3:ListBucket', 'kms:Decrypt']);
    expect(JSON.stringify(statements[0].Resource)).toContain('/chat/1.0.0/*');
    expect(Object.values(template.Resources as Record<string, Json>).some((r) => r.Type === 'AWS::S3::BucketPolicy' || r.Type === 'AWS::KMS::Key')).toBe(false);
  });
});

describe('DataCaptureStore across stacks', () => {
  test('trustedRolePath excepts roles under the path from both denies; an imported store grants the role only', () => {
    const f = driftFixture();
    const store = new DataCaptureStore(f.stack, 'Trusting', { retention: Duration.days(7), serverAccessLogsBucket: f.store.accessLogBucket, trustedRolePath: '/inference/prod/' });
    const template = Template.fromStack(f.stack).toJSON();
    const policy = Object.entries(template.Resources as Record<string, Json>)
      .find(([, r]) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === f.stack.getLogicalId(store.bucket.node.defaultChild as never))![1];
    for (const sid of ['DenyWritesExceptEndpoints', 'DenyReadsExceptReaders']) {
      const deny = statementsOf(policy.Properties.PolicyDocument).find((s) => s.Sid === sid)!;
      expect(JSON.stringify(deny.Condition.ArnNotLike['aws:PrincipalArn'])).toContain(':role/inference/prod/*');
    }

    const consumer = consumerStack();
    const imported = DataCaptureStore.fromStoreAttributes(consumer, 'Capture', { bucketName: 'capture-bucket', encryptionKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/abc' });
    const role = new iam.Role(consumer, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'), path: '/inference/prod/' });
    imported.grantCapture(role, 'inference-prod-chat');
    const statements = statementsOf(Object.values(Template.fromStack(consumer).toJSON().Resources as Record<string, Json>).find((r) => r.Type === 'AWS::IAM::Policy')!.Properties.PolicyDocument);
    expect(statements.map((s) => s.Action)).toEqual(['s3:PutObject', ['kms:Encrypt', 'kms:GenerateDataKey']]);
    expect(JSON.stringify(statements[0].Resource)).toContain('capture-bucket/capture/inference-prod-chat/*');
    expect(imported.destinationS3Uri).toBe('s3://capture-bucket/capture');
  });

  test('a trustedRolePath that is not an IAM path is refused with the fix', () => {
    const f = driftFixture();
    expect(errorMessage(() => new DataCaptureStore(f.stack, 'Bad', { retention: Duration.days(7), serverAccessLogsBucket: f.store.accessLogBucket, trustedRolePath: 'inference/prod' })))
      .toContain('trustedRolePath "inference/prod" is not an IAM path: use / or /<parts>/');
  });
});

describe('references by name', () => {
  test('GpuInferenceEndpoint.fromEndpointAttributes grants invoke on the endpoint and its inference component', () => {
    const stack = consumerStack();
    const endpoint = GpuInferenceEndpoint.fromEndpointAttributes(stack, 'Embed', { endpointName: 'inference-staging-embed', inferenceComponentName: 'inference-staging-embed-ic' });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    endpoint.grantInvoke(role);
    const statement = statementsOf(Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, Json>).find((r) => r.Type === 'AWS::IAM::Policy')!.Properties.PolicyDocument)[0];
    expect(statement.Resource).toEqual([
      'arn:aws:sagemaker:eu-west-1:123456789012:endpoint/inference-staging-embed',
      'arn:aws:sagemaker:eu-west-1:123456789012:inference-component/inference-staging-embed-ic',
    ]);
    expect(endpoint.inferenceComponentName).toBe('inference-staging-embed-ic');
  });

  test('GatewayMetrics.ofStage reads the same metrics as the gateway of that stage', () => {
    const f = driftFixture();
    const gateway = addGateway(f, { chat: addEndpoint(f, 'Chat') }, 'prod');
    const stack = f.stack;
    expect(stack.resolve(GatewayMetrics.ofStage('prod').metric('chat', 'Errors').toMetricConfig()))
      .toEqual(stack.resolve(gateway.metric('chat', 'Errors').toMetricConfig()));
  });

  test('ImportedStageAlerting builds ARNs in the importing stack\'s account and region', () => {
    const stack = consumerStack();
    const alerting = new ImportedStageAlerting(stack, 'Alerting', { topicName: 't', eventBusName: 'b', publisherFunctionName: 'f', deadLetterQueueName: 'q' });
    expect(alerting.topic.topicArn).toBe('arn:aws:sns:eu-west-1:123456789012:t');
    expect(stack.resolve(alerting.publisher.function.functionArn)).toBe('arn:aws:lambda:eu-west-1:123456789012:function:f');
    expect(alerting.deadLetterQueue.queueArn).toBe('arn:aws:sqs:eu-west-1:123456789012:q');
    expect(alerting.publisher.function.env.region).toBe('eu-west-1');
  });
});

describe('PlatformDashboard for many models', () => {
  const MODELS = 150;
  const f = driftFixture();
  const endpoint = addEndpoint(f, 'Chat');
  const dashboard = new PlatformDashboard(f.stack, 'Overview', {
    stage: 'prod', platformName: 'inference',
    models: Array.from({ length: MODELS }, (_, i) => ({
      name: `model-${i}`, endpoint, gateway: GatewayMetrics.ofStage('prod'),
      healthAlarm: cloudwatch.Alarm.fromAlarmArn(f.stack, `Health${i}`, `arn:aws:cloudwatch:us-east-1:123456789012:alarm:inference-prod-model-${i}-health`),
      dashboardName: `inference-prod-model-${i}`,
    })),
  });
  const bodies = dashboard.dashboards.map((d) => JSON.parse(JSON.stringify(f.stack.resolve((d.node.defaultChild as cloudwatch.CfnDashboard).dashboardBody))
    .replace(/\{[^{}]*"Ref"[^{}]*\}/g, '"x"')));
  const parsed = bodies.map((b) => JSON.parse(typeof b === 'string' ? b : (b['Fn::Join'][1] as Json[]).map((p) => (typeof p === 'string' ? p : '')).join('')));

  test('pages of 20 models: the overview and 7 more, named <platform>-<stage>-<n>, each linking the others', () => {
    expect(dashboard.dashboards.map((d) => f.stack.resolve((d.node.defaultChild as cloudwatch.CfnDashboard).dashboardName))).toEqual(
      ['inference-prod', ...Array.from({ length: 7 }, (_, i) => `inference-prod-${i + 2}`)]);
    // Each page links the dashboards of the models it graphs, and every other page.
    expect(parsed[0].widgets[0].properties.markdown).toContain('[model-0](#dashboards/dashboard/inference-prod-model-0)');
    expect(parsed[0].widgets[0].properties.markdown).toContain('[8](#dashboards/dashboard/inference-prod-8)');
    expect(parsed[7].widgets[0].properties.markdown).toContain('[model-149](#dashboards/dashboard/inference-prod-model-149)');
    expect(parsed[7].widgets[0].properties.markdown).toContain('[1](#dashboards/dashboard/inference-prod)');
  });

  test('within CloudWatch\'s limits: at most 100 alarms per status widget, every model\'s health shown once, far from 500 widgets', () => {
    const status = parsed[0].widgets.filter((w: Json) => w.type === 'alarm');
    expect(status.map((w: Json) => w.properties.alarms.length)).toEqual([100, 50]);
    expect(new Set(status.flatMap((w: Json) => w.properties.alarms)).size).toBe(MODELS);
    for (const body of parsed) expect(body.widgets.length).toBeLessThanOrEqual(1 + 2 + 20 * 5);
  });

  test('more models per page than a dashboard holds is refused', () => {
    expect(errorMessage(() => new PlatformDashboard(f.stack, 'TooDense', { stage: 'prod', platformName: 'inference', modelsPerDashboard: 120, models: [{ name: 'chat', endpoint }] })))
      .toContain('modelsPerDashboard: 120 exceeds 50');
  });
});
