import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { StackProps } from 'aws-cdk-lib';
import { GpuInferenceEndpointProps } from '../../lib/endpoint/gpu-inference-endpoint';
import { InferenceImage } from '../../lib/endpoint/inference-image';
import { DATA_METRIC_NAMESPACE, DataQualityMonitor, DataQualityMonitorProps, scheduleName } from '../../lib/monitoring/model-monitor';
import { ModelDashboard } from '../../lib/monitoring/model-dashboard';
import { PlatformDashboard } from '../../lib/monitoring/platform-dashboard';
import { Json, asList, errorMessage, principalStatements } from '../helpers/fixtures';
import { DriftFixture, addEndpoint, addGateway, driftFixture, onlyResource, resourcesOfType } from './drift-fixtures';

const US_EAST_1 = { env: { region: 'us-east-1', account: '111111111111' } };

/** A monitored endpoint; the template is synthesized on first use (a nag test must synthesize the app itself). */
function monitored(stackProps: StackProps = {}, props: Partial<DataQualityMonitorProps> = {}, f: DriftFixture = driftFixture({ stackProps }),
  endpointProps: Partial<GpuInferenceEndpointProps> = {}) {
  const endpoint = addEndpoint(f, 'Chat', endpointProps);
  const monitor = new DataQualityMonitor(f.stack, 'Monitor', {
    endpoint, artifactStore: f.store, baselineS3Prefix: 'chat/1.0.0/baseline/', captureStore: f.capture,
    features: ['prompt_length', 'temperature'], ...props,
  });
  return { f, endpoint, monitor, get template(): Json { return Template.fromStack(f.stack).toJSON(); } };
}

describe('DataQualityMonitor in us-east-1', () => {
  const fixture = monitored(US_EAST_1);
  const { f, monitor } = fixture;
  const template = fixture.template;
  const definition = onlyResource(template, 'AWS::SageMaker::DataQualityJobDefinition').Properties;

  test('uses the analyzer image of the region\'s registry account, as a literal', () => {
    expect(definition.DataQualityAppSpecification.ImageUri).toEqual({
      'Fn::Join': ['', ['156813124566.dkr.ecr.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/sagemaker-model-monitor-analyzer']],
    });
    expect(template.Mappings).toBeUndefined();
    expect(definition.DataQualityAppSpecification.Environment).toEqual({ publish_cloudwatch_metrics: 'Enabled' });
  });

  test('checks the endpoint\'s captured data against the baseline in the artifact store', () => {
    expect(definition.DataQualityJobInput.EndpointInput).toEqual(expect.objectContaining({ EndpointName: 'chat-staging', LocalPath: '/opt/ml/processing/input' }));
    const store = f.stack.getLogicalId(f.store.bucket.node.defaultChild as never);
    expect(definition.DataQualityBaselineConfig).toEqual({
      ConstraintsResource: { S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: store }, '/chat/1.0.0/baseline/constraints.json']] } },
      StatisticsResource: { S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: store }, '/chat/1.0.0/baseline/statistics.json']] } },
    });
    expect(definition.JobDefinitionName).toBeUndefined();
  });

  test('writes encrypted reports under monitoring/<endpoint>/ of the capture bucket, on one encrypted 20 GiB instance, isolated, ≤ 1 h', () => {
    const captureKey = { 'Fn::GetAtt': [f.stack.getLogicalId(f.capture.encryptionKey.node.defaultChild as never), 'Arn'] };
    const output = definition.DataQualityJobOutputConfig;
    expect(output.KmsKeyId).toEqual(captureKey);
    expect(output.MonitoringOutputs[0].S3Output.S3Uri['Fn::Join'][1][2]).toBe('/monitoring/chat-staging');
    expect(definition.JobResources.ClusterConfig).toEqual({ InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 20, VolumeKmsKeyId: captureKey });
    expect(definition.StoppingCondition.MaxRuntimeInSeconds).toBeLessThanOrEqual(3600);
    expect(definition.NetworkConfig.EnableNetworkIsolation).toBe(true);
  });

  test('runs hourly on a deterministic schedule name, after the endpoint exists', () => {
    const schedule = onlyResource(template, 'AWS::SageMaker::MonitoringSchedule');
    expect(schedule.Properties.MonitoringScheduleName).toBe('chat-staging-data-quality');
    expect(schedule.Properties.MonitoringScheduleConfig).toEqual({
      MonitoringJobDefinitionName: { 'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::GetAtt': [expect.any(String), 'JobDefinitionArn'] }] }] },
      MonitoringType: 'DataQuality',
      ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' },
    });
    const endpointId = Object.keys(resourcesOfType(template, 'AWS::SageMaker::Endpoint'))[0];
    expect(schedule.DependsOn).toContain(endpointId);
  });

  test('alarms on feature_baseline_drift_<feature> for each feature, with the built-in container\'s dimensions', () => {
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'))
      .map((a: Json) => a.Properties).filter((a: Json) => a.Namespace === DATA_METRIC_NAMESPACE);
    expect(alarms.map((a: Json) => a.MetricName).sort()).toEqual(['feature_baseline_drift_prompt_length', 'feature_baseline_drift_temperature']);
    for (const alarm of alarms) {
      expect(alarm).toEqual(expect.objectContaining({
        Dimensions: [{ Name: 'EndpointName', Value: 'chat-staging' }, { Name: 'ScheduleName', Value: 'chat-staging-data-quality' }],
        Statistic: 'Maximum', Period: 3600, Threshold: 0.1, EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
      }));
      expect(alarm.AlarmDescription).toMatch(/re-baseline or retrain/);
      expect(alarm.AlarmActions).toBeUndefined();
    }
    expect(monitor.alarms).toHaveLength(2);
  });

  test('the job role is least privilege: only ecr:GetAuthorizationToken on *, objects only under the endpoint\'s prefixes', () => {
    const roleId = f.stack.getLogicalId(monitor.role.node.defaultChild as never);
    const role = resourcesOfType(template, 'AWS::IAM::Role')[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({ Principal: { Service: 'sagemaker.amazonaws.com' } })]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const statements = principalStatements(Template.fromStack(f.stack))
      .filter((s) => s.source.startsWith('MonitorRole')).map((s) => s.statement);
    const wildcard = statements.filter((s) => asList(s.Resource).includes('*'));
    expect(wildcard.map((s) => s.Action)).toEqual(['ecr:GetAuthorizationToken']);
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    const suffix = (s: Json) => asList<Json>(s.Resource).map((r) => (typeof r === 'string' ? r : r['Fn::Join'][1].slice(-1)[0]));
    expect(suffix(bySid.ReadBaseline)).toEqual(['/chat/1.0.0/baseline/constraints.json', '/chat/1.0.0/baseline/statistics.json']);
    // Captured data and reports are granted by the capture store, which also excepts the role in its bucket policy.
    const allowing = (action: string) => statements.filter((s) => asList<string>(s.Action).includes(action) && JSON.stringify(s.Resource).includes('Capture'));
    expect(allowing('s3:GetObject').flatMap(suffix)).toEqual(['/capture/chat-staging/*']);
    expect(allowing('s3:PutObject').flatMap(suffix)).toEqual(['/monitoring/chat-staging/*']);
    const bucketPolicy = Object.values(resourcesOfType(template, 'AWS::S3::BucketPolicy')).map((r) => r.Properties.PolicyDocument.Statement)
      .find((st: Json[]) => st.some((x) => x.Sid === 'DenyReadsExceptReaders')) as Json[];
    for (const sid of ['DenyReadsExceptReaders', 'DenyWritesExceptEndpoints']) {
      const deny = bucketPolicy.find((x) => x.Sid === sid);
      expect(deny.Condition.ArnNotEquals['aws:PrincipalArn']).toContainEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    }
    expect(bySid.ListCapturedData.Condition.StringLike['s3:prefix']).toEqual(['capture/chat-staging/*', 'monitoring/chat-staging/*']);
    expect(bySid.PullAnalyzerImage.Resource).toBe('arn:aws:ecr:us-east-1:156813124566:repository/sagemaker-model-monitor-analyzer');
    expect(bySid.WriteJobLogs.Resource).toEqual([
      'arn:aws:logs:us-east-1:111111111111:log-group:/aws/sagemaker/ProcessingJobs',
      'arn:aws:logs:us-east-1:111111111111:log-group:/aws/sagemaker/ProcessingJobs:log-stream:*',
    ]);
    expect(bySid.GrantVolumeKey.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    const actionsUsed = statements.flatMap((s) => asList<string>(s.Action));
    expect(actionsUsed.filter((a) => a.includes('*'))).toEqual([]);
    expect(actionsUsed).not.toContain('s3:DeleteObject');
  });
});

describe('DataQualityMonitor elsewhere', () => {
  test('in an environment-agnostic stack, the image account comes from a per-region mapping', () => {
    const { template } = monitored();
    const imageUri = onlyResource(template, 'AWS::SageMaker::DataQualityJobDefinition').Properties.DataQualityAppSpecification.ImageUri;
    expect(imageUri['Fn::Join'][1][0]).toEqual({ 'Fn::FindInMap': ['ModelMonitorAnalyzerAccounts', { Ref: 'AWS::Region' }, 'account'] });
    expect(template.Mappings.ModelMonitorAnalyzerAccounts['us-east-1']).toEqual({ account: '156813124566' });
    expect(template.Mappings.ModelMonitorAnalyzerAccounts['eu-west-1']).toEqual({ account: '468650794304' });
  });

  test('in a region without the analyzer image, the synth fails naming the supported regions', () => {
    // The endpoint's image is given by URI: the deep learning containers are not published there either.
    const image = InferenceImage.fromImageUri('111111111111.dkr.ecr.us-east-1.amazonaws.com/vllm:1.0', 'vllm');
    const region = { env: { region: 'xx-mars-1', account: '111111111111' } };
    const message = errorMessage(() => monitored(region, {}, driftFixture({ stackProps: region }), { image }));
    expect(message).toContain('xx-mars-1');
    expect(message).toMatch(/supported: .*us-east-1.*eu-west-1/);
  });

  test('an alarm action is attached to every drift alarm', () => {
    const f = driftFixture({ stackProps: US_EAST_1 });
    const topic = new sns.Topic(f.stack, 'Drift', { enforceSSL: true });
    const { monitor } = monitored(US_EAST_1, { alarmAction: new actions.SnsAction(topic), driftThreshold: 0.25 }, f);
    for (const alarm of monitor.alarms as cloudwatch.Alarm[]) {
      const props = (alarm.node.defaultChild as cloudwatch.CfnAlarm);
      expect(f.stack.resolve(props.alarmActions)).toEqual([{ Ref: f.stack.getLogicalId(topic.node.defaultChild as never) }]);
      expect(props.threshold).toBe(0.25);
    }
  });

  test('schedule names stay within 63 characters and distinct for long endpoint names', () => {
    const a = scheduleName(`${'a'.repeat(60)}-one`);
    const b = scheduleName(`${'a'.repeat(60)}-two`);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[a-z0-9](?:-*[a-z0-9])*$/i);
  });

  test('reports every problem with the props at once, including an endpoint without data capture', () => {
    const f = driftFixture();
    const endpoint = addEndpoint(f, 'Chat', { dataCapture: undefined });
    const message = errorMessage(() => new DataQualityMonitor(f.stack, 'Monitor', {
      endpoint, artifactStore: f.store, baselineS3Prefix: '/', captureStore: f.capture, features: ['x', 'x', 'bad feature'], driftThreshold: 2, instanceType: 'g5',
    }));
    for (const field of ['has no data capture', 'baselineS3Prefix', 'is listed twice', 'bad feature', 'driftThreshold', 'instanceType']) expect(message).toContain(field);
    expect(errorMessage(() => new DataQualityMonitor(f.stack, 'Monitor2', {
      endpoint, artifactStore: f.store, baselineS3Prefix: 'b', captureStore: f.capture, features: [],
    }))).toContain('at least one feature');
  });
});

describe('the AwsSolutions, HIPAA Security and NIST 800-53 R5 packs', () => {
  test('pass on a stage with the monitor, both dashboards and the gateway', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drift-nag-'));
    try {
      const f = driftFixture({ withNag: true, outdir: dir });
      const { endpoint, monitor } = monitored({}, {}, f);
      const gateway = addGateway(f, { chat: endpoint });
      new ModelDashboard(f.stack, 'Dashboard', { stage: 'staging', modelName: 'chat', endpoint, gateway, alarms: monitor.alarms });
      new PlatformDashboard(f.stack, 'Overview', { stage: 'staging', platformName: 'inference', models: [{ name: 'chat', endpoint, gateway }], alarms: monitor.alarms });
      f.app.synth();
      expect(JSON.parse(readFileSync(path.join(dir, 'validation-report.json'), 'utf8')).pluginReports).toEqual([]);
      expect(Annotations.fromStack(f.stack).findError('*', Match.anyValue())).toEqual([]);
      expect(Annotations.fromStack(f.stack).findWarning('*', Match.anyValue())).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
