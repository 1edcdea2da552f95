import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { GpuInferenceEndpoint } from '../../lib/endpoint/gpu-inference-endpoint';
import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';
import { InferenceImage } from '../../lib/endpoint/inference-image';
import { parsePlatformConfig } from '../../lib/config/load-config';
import { buildPlatformApp } from '../../lib/platform/platform-app';
import { Json, cdkJsonContext, enableTemplateValidation, referenceConfigJson, storeWithVersion } from '../helpers/fixtures';

/**
 * The built-in CloudFormation validator over what the reference synth does not build: every
 * optional feature of the config on, and constructs in a VPC. Other files skip the validator for
 * speed (test/template-validation-setup.ts); here one engine, compiled once, checks them all.
 */
enableTemplateValidation();

const dirs: string[] = [];
function outdir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'template-validation-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The validator's findings of a synth (validation-report.json); none when it found nothing. */
function findingsOf(dir: string): Json[] {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'validation-report.json'), 'utf8')).pluginReports;
  } catch {
    return [];
  }
}

test('the reference config with every optional feature on synthesizes with no validator finding', () => {
  const config = referenceConfigJson();
  const stagingChat = config.stages.staging.models.chat;
  stagingChat.shadow = { version: '2.3.0', instanceType: 'ml.g5.12xlarge', samplingPercentage: 10 };
  stagingChat.retrainingTrigger = { type: 'lambda', arn: 'arn:aws:lambda:us-east-1:310000000002:function:retrain' };
  config.stages.staging.alerting = { emails: ['oncall@example.com'] };
  config.stages.staging.externalAccounts = ['310000000002'];
  config.stages.prod.dataCapture = { samplingPercentage: 5, retentionDays: 30, readerRoleArns: ['arn:aws:iam::310000000002:role/ds-reader'] };
  config.stages.prod.externalAccounts = ['310000000002'];
  config.stages.prod.models.embed.modelMonitor = { baselineS3Prefix: 'baselines/embed/', features: ['length', 'language'] };
  config.stages.prod.gateway = { ...config.stages.prod.gateway, consumers: config.stages.prod.gateway?.consumers ?? [], webAclArn: 'arn:aws:wafv2:us-east-1:310000000002:regional/webacl/gw/0a1b2c3d' };
  const dir = outdir();
  const assembly = buildPlatformApp(parsePlatformConfig(JSON.stringify(config), 'every-feature.json'), { context: cdkJsonContext(), outdir: dir }).synth();
  const templates = JSON.stringify(assembly.nestedAssemblies.flatMap((a) => a.nestedAssembly.stacks.map((s) => s.template)));
  // The features really are in the templates the validator saw.
  for (const feature of ['ShadowProductionVariants', 'AWS::SageMaker::MonitoringSchedule', 'WebACLArn', 'oncall@example.com']) expect(templates).toContain(feature);
  // The retraining Lambda may be invoked by the drift rule: its resource policy is in the template.
  expect(templates).toMatch(/"AWS::Lambda::Permission","Properties":\{"Action":"lambda:InvokeFunction","FunctionName":"arn:aws:lambda:us-east-1:310000000002:function:retrain","Principal":"events.amazonaws.com"/);
  expect(findingsOf(dir)).toEqual([]);
});

test('an endpoint in a VPC, with aws-cdk-lib\'s default validator plugin, synthesizes with no finding', () => {
  const dir = outdir();
  const app = new App({ context: cdkJsonContext(), outdir: dir });
  const { stack, modelVersion } = storeWithVersion({ stack: new Stack(app, 'InVpc') });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  new GpuInferenceEndpoint(stack, 'Chat', {
    modelVersion, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G5_2XLARGE, endpointName: 'chat-vpc', vpc,
  });
  app.synth();
  expect(findingsOf(dir)).toEqual([]);
});

test('control: the validator runs here, and a schema error fails the synth', () => {
  const app = new App({ context: cdkJsonContext(), outdir: outdir() });
  const { stack, modelVersion } = storeWithVersion({ stack: new Stack(app, 'Broken') });
  const endpoint = new GpuInferenceEndpoint(stack, 'Chat', {
    modelVersion, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G5_2XLARGE, endpointName: 'chat-broken',
  });
  endpoint.endpointConfig.addPropertyOverride('ProductionVariants.0.InstanceTypo', 'ml.g5.xlarge');
  expect(() => app.synth()).toThrow(/InstanceTypo/);
});
