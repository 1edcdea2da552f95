import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CapacitySize, DeploymentStrategy } from '../../lib/rollout/deployment-strategy';
import { GpuInferenceEndpoint } from '../../lib/endpoint/gpu-inference-endpoint';
import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';
import { InferenceImage } from '../../lib/endpoint/inference-image';
import { Json } from '../helpers/fixtures';
import { addEndpoint, endpointFixture, endpointResource, problemsOf } from './rollout-fixtures';

/** One stack with an endpoint per strategy (4 instances each), synthesized once with the validator on. */
describe('DeploymentConfig in the template, per strategy', () => {
  let template: Template;
  const endpoints: Record<string, GpuInferenceEndpoint> = {};
  const config = (name: string): Json => endpointResource(template, name).resource.Properties.DeploymentConfig;

  beforeAll(() => {
    const f = endpointFixture();
    const four = { instanceCount: 4 };
    endpoints.canary = addEndpoint(f, 'Canary', {
      ...four, deploymentStrategy: DeploymentStrategy.canary({ size: CapacitySize.instances(1), bake: Duration.minutes(10) }),
    });
    endpoints.linear = addEndpoint(f, 'Linear', {
      ...four, deploymentStrategy: DeploymentStrategy.linear({ step: CapacitySize.percent(25), interval: Duration.minutes(5), terminationWait: Duration.minutes(3) }),
    });
    endpoints.rolling = addEndpoint(f, 'Rolling', {
      ...four, deploymentStrategy: DeploymentStrategy.rolling({ batch: CapacitySize.instances(1), interval: Duration.minutes(5), rollbackBatch: CapacitySize.percent(50) }),
    });
    endpoints.allAtOnce = addEndpoint(f, 'AllAtOnce', { ...four, deploymentStrategy: DeploymentStrategy.allAtOnce({ bake: Duration.minutes(8) }) });
    endpoints.default = addEndpoint(f, 'Default');
    template = Template.fromStack(f.stack);
  });

  test('canary: BlueGreenUpdatePolicy CANARY with CanarySize, WaitIntervalInSeconds and the computed timeout', () => {
    expect(config('canary-prod')).toMatchObject({
      BlueGreenUpdatePolicy: {
        MaximumExecutionTimeoutInSeconds: 600 + 600 + 1800,
        TerminationWaitInSeconds: 600,
        TrafficRoutingConfiguration: { Type: 'CANARY', WaitIntervalInSeconds: 600, CanarySize: { Type: 'INSTANCE_COUNT', Value: 1 } },
      },
    });
    expect(config('canary-prod').BlueGreenUpdatePolicy.TrafficRoutingConfiguration.LinearStepSize).toBeUndefined();
    expect(config('canary-prod').RollingUpdatePolicy).toBeUndefined();
  });

  test('linear: BlueGreenUpdatePolicy LINEAR with LinearStepSize', () => {
    expect(config('linear-prod')).toMatchObject({
      BlueGreenUpdatePolicy: {
        MaximumExecutionTimeoutInSeconds: 3 * 300 + 180 + 1800,
        TerminationWaitInSeconds: 180,
        TrafficRoutingConfiguration: { Type: 'LINEAR', WaitIntervalInSeconds: 300, LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 25 } },
      },
    });
    expect(config('linear-prod').BlueGreenUpdatePolicy.TrafficRoutingConfiguration.CanarySize).toBeUndefined();
  });

  test('rolling: RollingUpdatePolicy with MaximumBatchSize, WaitIntervalInSeconds, RollbackMaximumBatchSize, no blue/green policy', () => {
    expect(config('rolling-prod')).toMatchObject({
      RollingUpdatePolicy: {
        MaximumBatchSize: { Type: 'INSTANCE_COUNT', Value: 1 },
        WaitIntervalInSeconds: 300,
        MaximumExecutionTimeoutInSeconds: 4 * 300 + 4 * 1800,
        RollbackMaximumBatchSize: { Type: 'CAPACITY_PERCENT', Value: 50 },
      },
    });
    expect(config('rolling-prod').BlueGreenUpdatePolicy).toBeUndefined();
  });

  test('allAtOnce: ALL_AT_ONCE with WaitIntervalInSeconds 0 emitted (the API requires it) and the bake as termination wait', () => {
    expect(config('allatonce-prod')).toMatchObject({
      BlueGreenUpdatePolicy: {
        MaximumExecutionTimeoutInSeconds: 480 + 1800,
        TerminationWaitInSeconds: 480,
        TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 },
      },
    });
    const traffic = config('allatonce-prod').BlueGreenUpdatePolicy.TrafficRoutingConfiguration;
    expect(Object.keys(traffic).sort()).toEqual(['Type', 'WaitIntervalInSeconds']);
  });

  test('no strategy: all at once with a 5-minute bake, still watched by the rollback alarms', () => {
    expect(config('default-prod')).toMatchObject({
      BlueGreenUpdatePolicy: { TerminationWaitInSeconds: 300, TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 } },
      AutoRollbackConfiguration: { Alarms: [{ AlarmName: { Ref: expect.any(String) } }, { AlarmName: { Ref: expect.any(String) } }] },
    });
    expect(endpoints.default.deploymentStrategy.kind).toBe('ALL_AT_ONCE');
  });

  test('every timeout is within 600–28800 s and larger than the waits it covers', () => {
    for (const name of ['canary-prod', 'linear-prod', 'rolling-prod', 'allatonce-prod', 'default-prod']) {
      const c = config(name);
      const policy = c.BlueGreenUpdatePolicy ?? c.RollingUpdatePolicy;
      const waits = c.BlueGreenUpdatePolicy
        ? (c.BlueGreenUpdatePolicy.TerminationWaitInSeconds ?? 0) + c.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.WaitIntervalInSeconds
        : c.RollingUpdatePolicy.WaitIntervalInSeconds;
      expect(policy.MaximumExecutionTimeoutInSeconds).toBeGreaterThanOrEqual(600);
      expect(policy.MaximumExecutionTimeoutInSeconds).toBeLessThanOrEqual(28800);
      expect(policy.MaximumExecutionTimeoutInSeconds).toBeGreaterThan(waits);
    }
  });

  test('the template renders exactly the bound strategy the simulator reads (endpoint.rollout)', () => {
    for (const [key, name] of [['canary', 'canary-prod'], ['linear', 'linear-prod'], ['rolling', 'rolling-prod'], ['allAtOnce', 'allatonce-prod']]) {
      const rollout = endpoints[key].rollout;
      const c = config(name);
      const policy = c.BlueGreenUpdatePolicy ?? c.RollingUpdatePolicy;
      expect(policy.MaximumExecutionTimeoutInSeconds).toBe(rollout.maximumExecutionTimeoutSeconds);
      const wait = c.BlueGreenUpdatePolicy ? c.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.WaitIntervalInSeconds : c.RollingUpdatePolicy.WaitIntervalInSeconds;
      expect(wait).toBe(rollout.steps[0].bakeSeconds);
      if (c.BlueGreenUpdatePolicy) expect(c.BlueGreenUpdatePolicy.TerminationWaitInSeconds).toBe(rollout.finalBakeSeconds);
    }
  });
});

describe('strategy problems fail the endpoint with the field, the kind and the fix', () => {
  const strategyProblems = (props: Parameters<typeof addEndpoint>[2]) => problemsOf(() => addEndpoint(endpointFixture(), 'Chat', props));

  test('canary above 50% of the fleet', () => {
    expect(strategyProblems({ instanceCount: 2, deploymentStrategy: DeploymentStrategy.canary({ size: CapacitySize.instances(2), bake: Duration.minutes(5) }) }))
      .toEqual(['deploymentStrategy: "CANARY" — canary size: 2 instance(s) is 100% of 2 instances; SageMaker allows at most 50%: use CapacitySize.instances(1) or fewer']);
  });

  test('canary or linear on one instance (the default count)', () => {
    expect(strategyProblems({ deploymentStrategy: DeploymentStrategy.canary({ size: CapacitySize.instances(1), bake: Duration.minutes(5) }) }))
      .toEqual(['deploymentStrategy: "CANARY" — canary size: canary needs at least 2 instances, the fleet has 1: raise instanceCount or use allAtOnce()']);
    expect(strategyProblems({ deploymentStrategy: DeploymentStrategy.linear({ step: CapacitySize.percent(50), interval: Duration.minutes(5) }) }))
      .toEqual(['deploymentStrategy: "LINEAR" — linear step: linear needs at least 2 instances, the fleet has 1: raise instanceCount or use allAtOnce()']);
  });

  test('linear step outside 10–50%', () => {
    expect(strategyProblems({ instanceCount: 4, deploymentStrategy: DeploymentStrategy.linear({ step: CapacitySize.percent(75), interval: Duration.minutes(5) }) }))
      .toEqual(['deploymentStrategy: "LINEAR" — linear step: 75% is 75% of 4 instances; SageMaker allows 10–50%: choose a step in that range']);
  });

  test('rolling batch outside 5–50%', () => {
    expect(strategyProblems({ instanceCount: 4, deploymentStrategy: DeploymentStrategy.rolling({ batch: CapacitySize.instances(3), interval: Duration.minutes(5) }) }))
      .toEqual(['deploymentStrategy: "ROLLING" — rolling batch: 3 instance(s) is 75% of 4 instance(s); SageMaker allows 5–50%: choose a batch in that range']);
  });

  test('rolling on a multi-variant endpoint', () => {
    const f = endpointFixture();
    const problems = problemsOf(() => addEndpoint(f, 'Chat', {
      instanceCount: 4,
      deploymentStrategy: DeploymentStrategy.rolling({ batch: CapacitySize.instances(1), interval: Duration.minutes(5) }),
      additionalVariants: [{ variantName: 'B', modelVersion: f.modelVersion, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G5_2XLARGE }],
    }));
    expect(problems).toEqual([
      'deploymentStrategy: "ROLLING" — rolling: the endpoint has 2 variants; SageMaker excludes multi-variant endpoints from rolling updates: use canary() or linear()',
    ]);
  });

  test('a maximum execution timeout over 28800 s, counting the variant\'s own download and start-up timeouts', () => {
    const problems = strategyProblems({
      instanceCount: 4,
      containerStartupHealthCheckTimeout: Duration.hours(1),
      modelDataDownloadTimeout: Duration.hours(1),
      deploymentStrategy: DeploymentStrategy.rolling({ batch: CapacitySize.instances(1), interval: Duration.hours(1) }),
    });
    expect(problems).toEqual([
      'deploymentStrategy: "ROLLING" — maximum execution timeout: the waits (14400 s) plus provisioning (31200 s) need 45600 s, ' +
        'over SageMaker\'s 28800 s limit: shorten the bake or interval, or use fewer steps',
    ]);
  });
});
