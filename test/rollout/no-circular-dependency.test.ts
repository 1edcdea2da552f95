import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { CapacitySize, DeploymentStrategy } from '../../lib/rollout/deployment-strategy';
import { GpuInferenceEndpoint } from '../../lib/endpoint/gpu-inference-endpoint';
import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';
import { cdkJsonContext, enableTemplateValidation, errorMessage, REFERENCE_STACKS, storeWithVersion } from '../helpers/fixtures';
import { referenceAssembly } from '../helpers/reference-assembly';
import { addEndpoint } from './rollout-fixtures';

/**
 * A rollback alarm names the endpoint in its dimensions and the endpoint names the alarm in its
 * AutoRollbackConfiguration: with the endpoint's GetAtt in the dimension that is a cycle, which the
 * built-in validator reports as F3004. cdk.json makes its findings errors; these apps use that context.
 */
enableTemplateValidation();

const outdirs: string[] = [];
function appWithProjectContext(): App {
  expect(cdkJsonContext()['@aws-cdk/core:validateAgainstDefaultRules']).toBe(true);
  const outdir = mkdtempSync(path.join(tmpdir(), 'rollout-cycles-'));
  outdirs.push(outdir);
  return new App({ context: cdkJsonContext(), outdir });
}
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** An endpoint with everything that references across resources: canary, alarms, autoscaling and its guard. */
function fullEndpoint(stack: Stack): GpuInferenceEndpoint {
  const { modelVersion } = storeWithVersion({ stack });
  const endpoint = addEndpoint({ stack, modelVersion }, 'Chat', {
    endpointName: 'chat-prod',
    instanceType: GpuInstanceType.G6E_12XLARGE,
    instanceCount: 2,
    deploymentStrategy: DeploymentStrategy.canary({ size: CapacitySize.instances(1), bake: Duration.minutes(10) }),
  });
  const scaling = endpoint.autoScaleInstanceCount({ minCapacity: 2, maxCapacity: 4 });
  scaling.scaleOnGpuUtilization('Gpu', { utilizationPercentPerGpu: 70, scaleInCooldown: Duration.minutes(10), scaleOutCooldown: Duration.minutes(5) });
  return endpoint;
}

test('an endpoint with canary, rollback alarms, an added alarm and autoscaling synthesizes with the validator\'s rules as errors', () => {
  const app = appWithProjectContext();
  const stack = new Stack(app, 'NoCycle');
  const endpoint = fullEndpoint(stack);
  endpoint.addRollbackAlarm(new cloudwatch.Alarm(stack, 'GatewayErrors', {
    metric: endpoint.metricInvocation5xxErrorRate(), threshold: 0.1, evaluationPeriods: 1,
  }));
  const assembly = app.synth();
  expect(assembly.getStackByName('NoCycle').template.Resources).toBeDefined();
});

test('control: an added alarm on the endpoint\'s GetAtt name is a cycle, and the same synth fails on it', () => {
  const app = appWithProjectContext();
  const stack = new Stack(app, 'Cycle');
  const endpoint = fullEndpoint(stack);
  endpoint.addRollbackAlarm(new cloudwatch.Alarm(stack, 'CyclicAlarm', {
    metric: new cloudwatch.Metric({ namespace: 'AWS/SageMaker', metricName: 'Invocation5XXErrors', dimensionsMap: { EndpointName: endpoint.endpoint.attrEndpointName } }),
    threshold: 0.1, evaluationPeriods: 1,
  }));
  const message = errorMessage(() => app.synth());
  expect(message).toContain('Circular dependency with');
  expect(message).toContain('CloudFormation-Validate::F3004');
  expect(message).toMatch(/CyclicAlarm\w* -> ChatEndpoint\w*/);
});

test('the reference platform app (every stage, cdk-nag packs, validator rules as errors) synthesizes', () => {
  // The shared assembly is that synth (test/helpers/reference-assembly.ts): it throws on a cycle.
  expect(referenceAssembly().stacks.map((s) => s.stackName).sort()).toEqual(REFERENCE_STACKS);
});
