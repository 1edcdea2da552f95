import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { SAGEMAKER_GUARD_RULES, guardRuleAckId, sageMakerGuardPlugin } from '../../lib/compliance';
import { tempDir } from '../helpers/temp-dir';

/**
 * Each rule against a template that breaks it, validated exactly as a synth does: the plugin on
 * the App, `validateAgainstDefaultRules` on (as in cdk.json), `app.synth()` throws and the
 * finding lands in validation-report.json under the Guard rule name.
 */
type Props = Record<string, unknown>;
interface Synthesized { readonly error?: string; readonly report: { pluginReports: Array<{ violations: Array<{ ruleName: string; description: string; violatingConstructs: Array<{ cloudFormationResource?: { logicalId: string } }> }>; suppressedViolations?: Array<{ ruleName: string }> }> } }

function synthWith(build: (stack: Stack) => void, description?: string, acknowledge?: (stack: Stack) => void): Synthesized {
  const outdir = tempDir('guard');
  const app = new App({ outdir, context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
  const stack = new Stack(app, 'Crafted', { description, env: { region: 'us-east-1', account: '123456789012' } });
  build(stack);
  acknowledge?.(stack);
  Validations.of(app).addPlugins(sageMakerGuardPlugin());
  let error: string | undefined;
  try {
    app.synth();
  } catch (e) {
    error = (e as Error).message;
  }
  return { error, report: JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) };
}

function guardViolations(result: Synthesized): Array<{ rule: string; message: string; logicalIds: string[] }> {
  return result.report.pluginReports.flatMap((p) => p.violations)
    .filter((v) => /^SM_\d{3}$/.test(v.ruleName))
    .map((v) => ({ rule: v.ruleName, message: v.description, logicalIds: v.violatingConstructs.map((c) => c.cloudFormationResource?.logicalId ?? '') }));
}

const res = (stack: Stack, id: string, type: string, properties: Props) => new CfnResource(stack, id, { type, properties });

const role = { 'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:role/sm' };
function model(stack: Stack, extra: Props = {}): CfnResource {
  return res(stack, 'Model', 'AWS::SageMaker::Model', {
    ExecutionRoleArn: role,
    PrimaryContainer: { Image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/vllm:latest', ModelDataUrl: 's3://bucket/model.tar.gz' },
    ...extra,
  });
}
function endpointConfig(stack: Stack, instanceType: string, extra: Props = {}): CfnResource {
  const m = model(stack, { EnableNetworkIsolation: true });
  return res(stack, 'Config', 'AWS::SageMaker::EndpointConfig', {
    ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: m.getAtt('ModelName'), InitialInstanceCount: 2, InstanceType: instanceType, InitialVariantWeight: 1 }],
    ...extra,
  });
}
const alarmRefs = [{ AlarmName: 'latency' }];
function endpoint(stack: Stack, name: string, deploymentConfig: Props | undefined): CfnResource {
  const config = endpointConfig(stack, 'ml.g5.2xlarge');
  return res(stack, 'Endpoint', 'AWS::SageMaker::Endpoint', {
    EndpointConfigName: config.getAtt('EndpointConfigName'), EndpointName: name,
    ...(deploymentConfig ? { DeploymentConfig: deploymentConfig } : {}),
  });
}
const canary = {
  AutoRollbackConfiguration: { Alarms: alarmRefs },
  BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'INSTANCE_COUNT', Value: 1 }, WaitIntervalInSeconds: 600 } },
};

describe('SageMaker Guard rules', () => {
  test('every rule has an id, a Guard name the validator reports and a message starting with its id', () => {
    expect(SAGEMAKER_GUARD_RULES.map((r) => r.id)).toEqual(['SM-001', 'SM-002', 'SM-003', 'SM-004', 'SM-005']);
    for (const rule of SAGEMAKER_GUARD_RULES) {
      expect(rule.guardName).toBe(rule.id.replace('-', '_'));
      expect(rule.source).toContain(`rule ${rule.guardName}`);
      expect(rule.source).toContain(`<<${rule.id}: `);
      expect(guardRuleAckId(rule.id)).toBe(`CloudFormation-Validate::${rule.guardName}`);
    }
  });

  test('SM-001: a prod endpoint deploying all at once fails the synth', () => {
    const result = synthWith((s) => endpoint(s, 'inference-prod-chat', {
      AutoRollbackConfiguration: { Alarms: alarmRefs },
      BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 } },
    }));
    expect(result.error).toMatch(/SM-001: a prod SageMaker endpoint must deploy by CANARY or LINEAR/);
    expect(guardViolations(result)).toEqual([expect.objectContaining({ rule: 'SM_001', logicalIds: ['Endpoint'] })]);
  });

  test('SM-001: prod is recognised from the stack description, and rollback alarms are required', () => {
    const result = synthWith((s) => endpoint(s, 'chat', undefined), 'inference GPU inference platform, stage prod (cdk-inference-platform)');
    expect(guardViolations(result).map((v) => v.message).join('\n')).toMatch(/SM-001: a prod SageMaker endpoint must name rollback alarms/);
  });

  test('SM-001: a canary prod endpoint with rollback alarms passes; staging may deploy all at once', () => {
    expect(guardViolations(synthWith((s) => endpoint(s, 'inference-prod-chat', canary)))).toEqual([]);
    expect(guardViolations(synthWith((s) => endpoint(s, 'inference-staging-chat', undefined), 'x, stage staging (y)'))).toEqual([]);
  });

  test('SM-002: an endpoint config on a type without NVMe storage and without KmsKeyId fails; NVMe types pass', () => {
    const result = synthWith((s) => endpointConfig(s, 'ml.inf2.xlarge'));
    expect(result.error).toMatch(/SM-002/);
    expect(guardViolations(result)).toEqual([expect.objectContaining({ rule: 'SM_002', logicalIds: ['Config'] })]);
    expect(guardViolations(synthWith((s) => endpointConfig(s, 'ml.g6e.12xlarge')))).toEqual([]);
  });

  test('SM-003: a model in a VPC without network isolation fails', () => {
    const result = synthWith((s) => model(s, { VpcConfig: { SecurityGroupIds: ['sg-0123456789abcdef0'], Subnets: ['subnet-0123456789abcdef0'] } }));
    expect(result.error).toMatch(/SM-003: a SageMaker Model with VpcConfig must set EnableNetworkIsolation to true/);
    expect(guardViolations(result)).toEqual([expect.objectContaining({ rule: 'SM_003', logicalIds: ['Model'] })]);
  });

  function api(s: Stack, authorizationType: string | undefined, preflight = false): void {
    const restApi = res(s, 'Api', 'AWS::ApiGateway::RestApi', { Name: 'gateway' });
    const method = (id: string, httpMethod: string, auth: string | undefined) => res(s, id, 'AWS::ApiGateway::Method', {
      HttpMethod: httpMethod, ResourceId: restApi.getAtt('RootResourceId'), RestApiId: restApi.ref,
      Integration: { Type: 'MOCK' }, ...(auth ? { AuthorizationType: auth } : {}),
    });
    method('Method', 'POST', authorizationType);
    if (preflight) method('Preflight', 'OPTIONS', 'NONE');
  }

  test('SM-004: an unauthenticated gateway method fails (explicit NONE or missing); IAM passes; acknowledging works', () => {
    const none = synthWith((s) => api(s, 'NONE'));
    expect(none.error).toMatch(/SM-004: an API Gateway method must not be unauthenticated/);
    expect(guardViolations(none)).toEqual([expect.objectContaining({ rule: 'SM_004', logicalIds: ['Method'] })]);
    expect(new Set(guardViolations(synthWith((s) => api(s, undefined))).map((v) => v.rule))).toEqual(new Set(['SM_004']));
    expect(guardViolations(synthWith((s) => api(s, 'AWS_IAM', true)))).toEqual([]);
    const acked = synthWith((s) => api(s, 'NONE'), undefined, (s) => Validations.of(s.node.findChild('Method')).acknowledge({ id: guardRuleAckId('SM-004'), reason: 'test' }));
    expect(acked.error).toBeUndefined();
    expect(acked.report.pluginReports.flatMap((p) => p.suppressedViolations ?? []).map((v) => v.ruleName)).toEqual(['SM_004']);
  });

  test('SM-004: a Lambda function URL without IAM auth fails', () => {
    const result = synthWith((s) => res(s, 'Url', 'AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' }));
    expect(guardViolations(result)).toEqual([expect.objectContaining({ rule: 'SM_004', logicalIds: ['Url'] })]);
  });

  function capture(s: Stack, sse: string, kms: boolean): void {
    const bucket = res(s, 'CaptureBucket', 'AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: sse } }] },
    });
    endpointConfig(s, 'ml.g5.2xlarge', {
      DataCaptureConfig: {
        EnableCapture: true, InitialSamplingPercentage: 5, CaptureOptions: [{ CaptureMode: 'Input' }],
        DestinationS3Uri: { 'Fn::Join': ['', ['s3://', bucket.ref, '/capture']] },
        ...(kms ? { KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' } : {}),
      },
    });
  }

  test('SM-005: a capture bucket with SSE-S3 fails, capture without a KMS key fails, SSE-KMS with a key passes', () => {
    const sseS3 = synthWith((s) => capture(s, 'AES256', true));
    expect(sseS3.error).toMatch(/SM-005: the data capture bucket must default to SSE-KMS/);
    expect(guardViolations(sseS3)).toEqual([expect.objectContaining({ rule: 'SM_005', logicalIds: ['CaptureBucket'] })]);
    expect(guardViolations(synthWith((s) => capture(s, 'aws:kms', false))).map((v) => v.message).join()).toMatch(/SM-005: an endpoint config that captures data must set DataCaptureConfig.KmsKeyId/);
    expect(guardViolations(synthWith((s) => capture(s, 'aws:kms', true)))).toEqual([]);
  });
});
