import { parsePlatformConfig } from '../../lib/config/load-config';
import { Json, configProblemsAfter, referenceConfigJson } from '../helpers/fixtures';
import { referenceStages } from './rollout-fixtures';

describe('the reference config\'s rollouts (built in memory)', () => {
  const stages = referenceStages();

  test('prod: chat and embed roll out as CANARY, one instance of two, 10-minute bake', () => {
    for (const model of ['chat', 'embed']) {
      const stack = stages.prod.models[model];
      const endpoint = stack.endpoint;
      expect(endpoint.deploymentStrategy.kind).toBe('CANARY');
      expect(endpoint.rollout.problems).toEqual([]);
      const resolved = stack.resolve(endpoint.endpoint.deploymentConfig);
      expect(resolved.blueGreenUpdatePolicy.trafficRoutingConfiguration).toMatchObject({
        type: 'CANARY', waitIntervalInSeconds: 600, canarySize: { type: 'INSTANCE_COUNT', value: 1 },
      });
      // The endpoint's own alarms first (others, e.g. the gateway's, may follow), within SageMaker's 10.
      const alarms = resolved.autoRollbackConfiguration.alarms;
      expect(alarms.slice(0, 2)).toEqual(endpoint.rollbackAlarms[0].alarms.map((a) => ({ alarmName: stack.resolve(a.alarmName) })));
      expect(alarms.length).toBeLessThanOrEqual(10);
    }
    // chat: 1800 s start-up, so 600 launch + 600 download + 1800 start-up + 600 bake + 600 termination.
    expect(stages.prod.models.chat.endpoint.rollout.maximumExecutionTimeoutSeconds).toBe(4200);
  });

  test('staging: chat is ALL_AT_ONCE with a 5-minute bake; embed scales to zero without an endpoint DeploymentConfig', () => {
    const chat = stages.staging.models.chat.endpoint;
    expect(chat.deploymentStrategy.kind).toBe('ALL_AT_ONCE');
    expect(stages.staging.models.chat.resolve(chat.endpoint.deploymentConfig).blueGreenUpdatePolicy).toMatchObject({
      terminationWaitInSeconds: 300, trafficRoutingConfiguration: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 0 },
    });
    const embed = stages.staging.models.embed.endpoint;
    expect(embed.inferenceComponentScaling).toBeDefined();
    expect(embed.endpoint.deploymentConfig).toBeUndefined();
  });

  test('prod chat: latency budget 20 s (20,000,000 µs p99 threshold), default 2% error rate', () => {
    const [latency, errors] = stages.prod.models.chat.endpoint.rollbackAlarmSpecs;
    expect(latency.threshold).toBe(20_000_000);
    expect(errors.threshold).toBe(0.02);
  });
});

describe('platform config validation of rollout, autoscaling and scaleToZero', () => {
  const problemsAfter = configProblemsAfter;
  const prodChat = (c: Json) => c.stages.prod.models.chat;
  const prodEmbed = (c: Json) => c.stages.prod.models.embed;
  const stagingEmbed = (c: Json) => c.stages.staging.models.embed;

  test('the reference config itself is valid', () => {
    expect(() => parsePlatformConfig(JSON.stringify(referenceConfigJson()))).not.toThrow();
  });

  test('a canary above 50% of the fleet', () => {
    expect(problemsAfter((c) => { prodChat(c).rollout.size = { instances: 2 }; })).toEqual([
      'stages.prod.models.chat.rollout: canary size: 2 instance(s) is 100% of 2 instances; SageMaker allows at most 50%: use CapacitySize.instances(1) or fewer',
    ]);
  });

  test('a canary on one instance', () => {
    expect(problemsAfter((c) => { prodEmbed(c).instanceCount = 1; prodEmbed(c).autoscaling.minCapacity = 1; })).toEqual([
      'stages.prod.models.embed.rollout: canary size: canary needs at least 2 instances, the fleet has 1: raise instanceCount or use allAtOnce()',
    ]);
  });

  test('a linear step outside 10–50%', () => {
    expect(problemsAfter((c) => { prodChat(c).rollout = { type: 'linear', step: { percent: 60 }, intervalMinutes: 5 }; })).toEqual([
      'stages.prod.models.chat.rollout: linear step: 60% is 60% of 2 instances; SageMaker allows 10–50%: choose a step in that range',
    ]);
  });

  test('a rolling batch outside 5–50%', () => {
    expect(problemsAfter((c) => { prodChat(c).rollout = { type: 'rolling', batch: { instances: 2 }, intervalMinutes: 5 }; })).toEqual([
      'stages.prod.models.chat.rollout: rolling batch: 2 instance(s) is 100% of 2 instance(s); SageMaker allows 5–50%: choose a batch in that range',
    ]);
  });

  test('a rollout whose maximum execution timeout would exceed 28800 s', () => {
    const problems = problemsAfter((c) => {
      prodEmbed(c).instanceCount = 10;
      prodEmbed(c).autoscaling.maxCapacity = 10;
      prodEmbed(c).rollout = { type: 'rolling', batch: { instances: 1 }, intervalMinutes: 60 };
    });
    expect(problems).toEqual([
      'stages.prod.models.embed.rollout: maximum execution timeout: the waits (36000 s) plus provisioning (18000 s) need 54000 s, ' +
        'over SageMaker\'s 28800 s limit: shorten the bake or interval, or use fewer steps',
    ]);
  });

  test('schema limits on rollout settings', () => {
    const problems = problemsAfter((c) => { prodChat(c).rollout.bakeMinutes = 61; prodEmbed(c).rollout = { type: 'blue', bakeMinutes: 5 }; });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^stages\.prod\.models\.chat\.rollout\.bakeMinutes: 61 /);
    expect(problems[1]).toMatch(/^stages\.prod\.models\.embed\.rollout\.type: "blue" /);
  });

  test('autoscaling bounds around instanceCount', () => {
    expect(problemsAfter((c) => { prodChat(c).autoscaling.minCapacity = 3; })).toEqual([
      'stages.prod.models.chat.autoscaling.minCapacity: 3 exceeds instanceCount 2: min ≤ instanceCount ≤ max',
    ]);
    expect(problemsAfter((c) => { prodChat(c).instanceCount = 8; })).toEqual([
      'stages.prod.models.chat.autoscaling.maxCapacity: 6 is below instanceCount 8: min ≤ instanceCount ≤ max',
    ]);
  });

  test('autoscaling without a signal, an unknown step metric, a schedule with min > max or a bad time zone', () => {
    expect(problemsAfter((c) => {
      c.stages.staging.models.chat.autoscaling = { minCapacity: 1, maxCapacity: 2, scaleInCooldownSeconds: 600, scaleOutCooldownSeconds: 300 };
    })).toEqual([
      'stages.staging.models.chat.autoscaling: has no signal: set concurrentRequestsPerInstance, invocationsPerInstancePerMinute, gpuUtilizationPercentPerGpu, stepScaling or schedules',
    ]);
    const problems = problemsAfter((c) => {
      const scaling = prodChat(c).autoscaling;
      scaling.stepScaling = [{ name: 'Mem', metric: 'GpuMemory', steps: [{ upper: 10, change: -1 }, { lower: 80, change: 1 }], cooldownSeconds: 300 }];
      scaling.schedules[0].minCapacity = 4;
      scaling.schedules[1].timeZone = 'Mars/Olympus';
    });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^stages\.prod\.models\.chat\.autoscaling\.stepScaling\.0\.metric: "GpuMemory" is not an endpoint metric \(known: .*GPUMemoryUtilization/);
    expect(problems[1]).toBe('stages.prod.models.chat.autoscaling.schedules.0: minCapacity 4 exceeds maxCapacity 3');
    expect(problems[2]).toBe('stages.prod.models.chat.autoscaling.schedules.1.timeZone: "Mars/Olympus" is not an IANA time zone such as Europe/Berlin');
  });

  test('autoscaling cooldowns are required and bounded; the GPU target is 1–100', () => {
    const problems = problemsAfter((c) => {
      delete prodChat(c).autoscaling.scaleInCooldownSeconds;
      prodChat(c).autoscaling.scaleOutCooldownSeconds = 3601;
      prodChat(c).autoscaling.gpuUtilizationPercentPerGpu = 101;
    });
    expect(problems).toHaveLength(3);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^stages\.prod\.models\.chat\.autoscaling\.scaleInCooldownSeconds: is required/),
      expect.stringMatching(/^stages\.prod\.models\.chat\.autoscaling\.scaleOutCooldownSeconds: 3601 /),
      expect.stringMatching(/^stages\.prod\.models\.chat\.autoscaling\.gpuUtilizationPercentPerGpu: 101 /),
    ]));
  });

  test('scaleToZero combined with rollout, autoscaling or shadow, or below instanceCount', () => {
    expect(problemsAfter((c) => {
      stagingEmbed(c).rollout = { type: 'allAtOnce' };
      stagingEmbed(c).autoscaling = { minCapacity: 1, maxCapacity: 2, invocationsPerInstancePerMinute: 100, scaleInCooldownSeconds: 600, scaleOutCooldownSeconds: 300 };
      stagingEmbed(c).shadow = { version: '1.1.0', instanceType: 'ml.g5.xlarge' };
    })).toEqual([
      'stages.staging.models.embed.scaleToZero: "set" cannot be combined with rollout, autoscaling, shadow: a scale-to-zero model scales and rolls out on its inference component',
    ]);
    expect(problemsAfter((c) => { stagingEmbed(c).instanceCount = 2; })).toEqual([
      'stages.staging.models.embed.scaleToZero.maxInstanceCount: 1 is below instanceCount 2',
    ]);
  });

  test('every problem is reported at once', () => {
    const problems = problemsAfter((c) => {
      prodChat(c).rollout.size = { instances: 2 };
      prodChat(c).autoscaling.minCapacity = 3;
      stagingEmbed(c).rollout = { type: 'allAtOnce' };
    });
    expect(problems).toHaveLength(3);
  });
});
