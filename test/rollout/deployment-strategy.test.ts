import { Duration } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import {
  BoundDeploymentStrategy, CapacitySize, DEPLOYMENT_LIMITS, DeploymentStrategy, RolloutFleet, provisioningSeconds,
} from '../../lib/rollout/deployment-strategy';

/** SageMaker's defaults: 600 s launch allowance + 600 s download + 600 s start-up. */
const PROVISIONING = provisioningSeconds();
const fleet = (instanceCount: number, variantCount = 1, provisioning = PROVISIONING): RolloutFleet =>
  ({ instanceCount, variantCount, provisioningSeconds: provisioning });

/** Every second the alarms watch: each step's bake plus the final bake. */
const waitsOf = (bound: BoundDeploymentStrategy) => bound.steps.reduce((t, s) => t + s.bakeSeconds, 0) + bound.finalBakeSeconds;

describe('provisioningSeconds', () => {
  test('launch allowance plus download and start-up timeouts (SageMaker defaults 600 s each)', () => {
    expect(provisioningSeconds()).toBe(1800);
    expect(provisioningSeconds(60, 1800)).toBe(600 + 60 + 1800);
  });
});

describe('CapacitySize', () => {
  test('fraction and instances of a fleet, rounding up to at least one instance', () => {
    expect(CapacitySize.percent(25).fractionOf(4)).toBe(0.25);
    expect(CapacitySize.instances(1).fractionOf(4)).toBe(0.25);
    expect(CapacitySize.percent(10).instancesOf(4)).toBe(1);
    expect(CapacitySize.percent(30).instancesOf(10)).toBe(3);
    expect(CapacitySize.percent(1).instancesOf(2)).toBe(1);
    expect(CapacitySize.instances(2).toString()).toBe('2 instance(s)');
    expect(CapacitySize.percent(20).toString()).toBe('20%');
  });
});

describe('canary', () => {
  const bound = DeploymentStrategy.canary({ size: CapacitySize.instances(1), bake: Duration.minutes(10) }).bind(fleet(4));

  test('BlueGreenUpdatePolicy CANARY with CanarySize, the bake as WaitIntervalInSeconds and as termination wait', () => {
    expect(bound.problems).toEqual([]);
    expect(bound.deploymentConfig).toEqual({
      blueGreenUpdatePolicy: {
        maximumExecutionTimeoutInSeconds: 600 + 600 + 1800,
        terminationWaitInSeconds: 600,
        trafficRoutingConfiguration: {
          type: 'CANARY', waitIntervalInSeconds: 600, canarySize: { type: 'INSTANCE_COUNT', value: 1 }, linearStepSize: undefined,
        },
      },
    });
    expect(bound.deploymentConfig.rollingUpdatePolicy).toBeUndefined();
  });

  test('traffic: the canary share for the bake, then everything; the termination wait is watched after', () => {
    expect(bound.steps).toEqual([
      { atSeconds: 0, newFleetShare: 0.25, bakeSeconds: 600 },
      { atSeconds: 600, newFleetShare: 1, bakeSeconds: 0 },
    ]);
    expect(bound.finalBakeSeconds).toBe(600);
  });

  test('an explicit termination wait and a percentage size', () => {
    const b = DeploymentStrategy.canary({ size: CapacitySize.percent(50), bake: Duration.minutes(5), terminationWait: Duration.minutes(2) }).bind(fleet(2));
    expect(b.problems).toEqual([]);
    expect(b.deploymentConfig.blueGreenUpdatePolicy).toMatchObject({
      terminationWaitInSeconds: 120,
      maximumExecutionTimeoutInSeconds: 300 + 120 + 1800,
      trafficRoutingConfiguration: { type: 'CANARY', waitIntervalInSeconds: 300, canarySize: { type: 'CAPACITY_PERCENT', value: 50 } },
    });
    expect(b.steps[0].newFleetShare).toBe(0.5);
  });
});

describe('linear', () => {
  const bound = DeploymentStrategy.linear({ step: CapacitySize.percent(25), interval: Duration.minutes(5) }).bind(fleet(4));

  test('BlueGreenUpdatePolicy LINEAR with LinearStepSize and the interval as WaitIntervalInSeconds', () => {
    expect(bound.problems).toEqual([]);
    expect(bound.deploymentConfig).toEqual({
      blueGreenUpdatePolicy: {
        maximumExecutionTimeoutInSeconds: 3 * 300 + 300 + 1800,
        terminationWaitInSeconds: 300,
        trafficRoutingConfiguration: {
          type: 'LINEAR', waitIntervalInSeconds: 300, canarySize: undefined, linearStepSize: { type: 'CAPACITY_PERCENT', value: 25 },
        },
      },
    });
  });

  test('traffic in equal steps, each baked, ending at full shift', () => {
    expect(bound.steps).toEqual([
      { atSeconds: 0, newFleetShare: 0.25, bakeSeconds: 300 },
      { atSeconds: 300, newFleetShare: 0.5, bakeSeconds: 300 },
      { atSeconds: 600, newFleetShare: 0.75, bakeSeconds: 300 },
      { atSeconds: 900, newFleetShare: 1, bakeSeconds: 0 },
    ]);
  });
});

describe('allAtOnce', () => {
  const bound = DeploymentStrategy.allAtOnce().bind(fleet(1));

  test('BlueGreenUpdatePolicy ALL_AT_ONCE: WaitIntervalInSeconds emitted (0), the 5-minute bake as termination wait, no sizes', () => {
    expect(bound.problems).toEqual([]);
    const policy = bound.deploymentConfig.blueGreenUpdatePolicy as unknown as Record<string, Record<string, unknown>>;
    expect(policy).toEqual({
      maximumExecutionTimeoutInSeconds: 300 + 1800,
      terminationWaitInSeconds: 300,
      trafficRoutingConfiguration: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 0, canarySize: undefined, linearStepSize: undefined },
    });
    // Required by the API: present even though it is 0.
    expect('waitIntervalInSeconds' in policy.trafficRoutingConfiguration).toBe(true);
    expect(bound.steps).toEqual([{ atSeconds: 0, newFleetShare: 1, bakeSeconds: 0 }]);
    expect(bound.finalBakeSeconds).toBe(300);
  });

  test('works on one instance; the timeout never goes below 600 s', () => {
    const b = DeploymentStrategy.allAtOnce({ bake: Duration.minutes(1) }).bind(fleet(1, 1, 0));
    expect(b.problems).toEqual([]);
    expect(b.maximumExecutionTimeoutSeconds).toBe(600);
  });
});

describe('rolling', () => {
  const bound = DeploymentStrategy.rolling({
    batch: CapacitySize.instances(1), interval: Duration.minutes(5), rollbackBatch: CapacitySize.percent(50),
  }).bind(fleet(4));

  test('RollingUpdatePolicy with MaximumBatchSize, WaitIntervalInSeconds, RollbackMaximumBatchSize and a timeout per batch', () => {
    expect(bound.problems).toEqual([]);
    expect(bound.deploymentConfig).toEqual({
      rollingUpdatePolicy: {
        maximumBatchSize: { type: 'INSTANCE_COUNT', value: 1 },
        waitIntervalInSeconds: 300,
        // Four batches, each provisioned and baked.
        maximumExecutionTimeoutInSeconds: 4 * 300 + 4 * 1800,
        rollbackMaximumBatchSize: { type: 'CAPACITY_PERCENT', value: 50 },
      },
    });
    expect(bound.deploymentConfig.blueGreenUpdatePolicy).toBeUndefined();
  });

  test('batch by batch, the last batch baked too', () => {
    expect(bound.steps.map((s) => s.newFleetShare)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(bound.steps.map((s) => s.atSeconds)).toEqual([0, 300, 600, 900]);
    expect(bound.finalBakeSeconds).toBe(300);
  });

  test('without rollbackBatch, RollbackMaximumBatchSize is left out (SageMaker restores the whole fleet)', () => {
    const b = DeploymentStrategy.rolling({ batch: CapacitySize.percent(50), interval: Duration.minutes(5) }).bind(fleet(2));
    expect(b.deploymentConfig.rollingUpdatePolicy).toMatchObject({ rollbackMaximumBatchSize: undefined });
  });
});

describe('validation messages', () => {
  const canary = (size: CapacitySize, bake = Duration.minutes(10)) => DeploymentStrategy.canary({ size, bake });
  const linear = (step: CapacitySize) => DeploymentStrategy.linear({ step, interval: Duration.minutes(5) });
  const rolling = (batch: CapacitySize, interval = Duration.minutes(5)) => DeploymentStrategy.rolling({ batch, interval });

  test('canary above 50% of the fleet names the largest allowed size', () => {
    expect(canary(CapacitySize.instances(3)).bind(fleet(4)).problems).toEqual([
      'canary size: 3 instance(s) is 75% of 4 instances; SageMaker allows at most 50%: use CapacitySize.instances(2) or fewer',
    ]);
    expect(canary(CapacitySize.percent(60)).bind(fleet(10)).problems).toEqual([
      'canary size: 60% is 60% of 10 instances; SageMaker allows at most 50%: use CapacitySize.instances(5) or fewer',
    ]);
    expect(canary(CapacitySize.instances(2)).bind(fleet(4)).problems).toEqual([]);
  });

  test('linear step outside 10–50% of the fleet', () => {
    expect(linear(CapacitySize.percent(5)).bind(fleet(4)).problems).toEqual([
      'linear step: 5% is 5% of 4 instances; SageMaker allows 10–50%: choose a step in that range',
    ]);
    expect(linear(CapacitySize.instances(3)).bind(fleet(4)).problems).toEqual([
      'linear step: 3 instance(s) is 75% of 4 instances; SageMaker allows 10–50%: choose a step in that range',
    ]);
    expect(linear(CapacitySize.instances(1)).bind(fleet(20)).problems).toEqual([
      'linear step: 1 instance(s) is 5% of 20 instances; SageMaker allows 10–50%: choose a step in that range',
    ]);
    // Boundaries are allowed.
    expect(linear(CapacitySize.instances(1)).bind(fleet(10)).problems).toEqual([]);
    expect(linear(CapacitySize.percent(50)).bind(fleet(4)).problems).toEqual([]);
  });

  test('rolling batch outside 5–50% of the fleet', () => {
    expect(rolling(CapacitySize.percent(60)).bind(fleet(4)).problems).toEqual([
      'rolling batch: 60% is 60% of 4 instance(s); SageMaker allows 5–50%: choose a batch in that range',
    ]);
    expect(rolling(CapacitySize.percent(4)).bind(fleet(4)).problems).toEqual([
      'rolling batch: 4% is 4% of 4 instance(s); SageMaker allows 5–50%: choose a batch in that range',
    ]);
    expect(rolling(CapacitySize.instances(1)).bind(fleet(1)).problems).toEqual([
      'rolling batch: 1 instance(s) is 100% of 1 instance(s); SageMaker allows 5–50%: a rolling update needs at least 2 instances',
    ]);
    // 5% is allowed (fast provisioning, or twenty batches would outlast the 28800 s timeout).
    expect(rolling(CapacitySize.instances(1)).bind(fleet(20, 1, provisioningSeconds(60, 60))).problems).toEqual([]);
    expect(rolling(CapacitySize.instances(2)).bind(fleet(4)).problems).toEqual([]);
  });

  test('canary and linear need at least 2 instances', () => {
    expect(canary(CapacitySize.instances(1)).bind(fleet(1)).problems).toEqual([
      'canary size: canary needs at least 2 instances, the fleet has 1: raise instanceCount or use allAtOnce()',
    ]);
    expect(linear(CapacitySize.percent(50)).bind(fleet(1)).problems).toEqual([
      'linear step: linear needs at least 2 instances, the fleet has 1: raise instanceCount or use allAtOnce()',
    ]);
  });

  test('rolling on a multi-variant endpoint', () => {
    expect(rolling(CapacitySize.instances(1)).bind(fleet(4, 2)).problems).toEqual([
      'rolling: the endpoint has 2 variants; SageMaker excludes multi-variant endpoints from rolling updates: use canary() or linear()',
    ]);
  });

  test('a maximum execution timeout over 28800 s is a problem, and the rendered value is capped', () => {
    // Ten batches of one instance, an hour each: 36000 s of waits alone.
    const b = rolling(CapacitySize.instances(1), Duration.hours(1)).bind(fleet(10));
    expect(b.problems).toEqual([
      'maximum execution timeout: the waits (36000 s) plus provisioning (18000 s) need 54000 s, over SageMaker\'s 28800 s limit: ' +
        'shorten the bake or interval, or use fewer steps',
    ]);
    expect(b.maximumExecutionTimeoutSeconds).toBe(28800);
    expect(b.deploymentConfig.rollingUpdatePolicy).toMatchObject({ maximumExecutionTimeoutInSeconds: 28800 });
  });

  test('bake, interval and termination wait outside SageMaker\'s 0–3600 s', () => {
    expect(canary(CapacitySize.instances(1), Duration.hours(2)).bind(fleet(2)).problems).toContain('bake: 7200 s is out of range: use 1–3600 s (whole seconds)');
    expect(canary(CapacitySize.instances(1), Duration.seconds(0)).bind(fleet(2)).problems).toContain('bake: 0 s is out of range: use 1–3600 s (whole seconds)');
    expect(DeploymentStrategy.linear({ step: CapacitySize.percent(50), interval: Duration.minutes(5), terminationWait: Duration.minutes(61) })
      .bind(fleet(2)).problems).toEqual(['terminationWait: 3660 s is out of range: use 0–3600 s (whole seconds)']);
    expect(rolling(CapacitySize.percent(50), Duration.minutes(61)).bind(fleet(2)).problems)
      .toContain('interval: 3660 s is out of range: use 1–3600 s (whole seconds)');
    expect(DeploymentStrategy.allAtOnce({ bake: Duration.minutes(61) }).bind(fleet(1)).problems)
      .toEqual(['bake: 3660 s is out of range: use 1–3600 s (whole seconds)']);
  });

  test('a size that is no whole number of instances or no percentage 1–100', () => {
    expect(canary(CapacitySize.instances(0)).bind(fleet(4)).problems)
      .toContain('canary size: 0 instance(s) is not a valid size: use a whole number of instances ≥ 1 or a percentage 1–100');
    expect(rolling(CapacitySize.percent(101)).bind(fleet(4)).problems)
      .toContain('rolling batch: 101% is not a valid size: use a whole number of instances ≥ 1 or a percentage 1–100');
  });
});

describe('properties (fast-check)', () => {
  const size = fc.oneof(
    fc.integer({ min: 1, max: 40 }).map((n) => CapacitySize.instances(n)),
    fc.integer({ min: 1, max: 100 }).map((n) => CapacitySize.percent(n)),
  );
  const strategy = fc.oneof(
    fc.record({ size, bake: fc.integer({ min: 1, max: 3600 }), term: fc.option(fc.integer({ min: 0, max: 3600 })) })
      .map(({ size: s, bake, term }) => DeploymentStrategy.canary({ size: s, bake: Duration.seconds(bake), terminationWait: term === null ? undefined : Duration.seconds(term) })),
    fc.record({ size, interval: fc.integer({ min: 1, max: 3600 }) })
      .map(({ size: s, interval }) => DeploymentStrategy.linear({ step: s, interval: Duration.seconds(interval) })),
    fc.record({ size, interval: fc.integer({ min: 1, max: 3600 }) })
      .map(({ size: s, interval }) => DeploymentStrategy.rolling({ batch: s, interval: Duration.seconds(interval) })),
    fc.integer({ min: 1, max: 3600 }).map((bake) => DeploymentStrategy.allAtOnce({ bake: Duration.seconds(bake) })),
  );
  const fleets = fc.record({
    instanceCount: fc.integer({ min: 1, max: 40 }),
    variantCount: fc.integer({ min: 1, max: 3 }),
    provisioningSeconds: fc.tuple(fc.integer({ min: 60, max: 3600 }), fc.integer({ min: 60, max: 3600 })).map(([d, s]) => provisioningSeconds(d, s)),
  });

  test('the maximum execution timeout is within 600–28800 s, and above the waits unless a problem says so', () => {
    fc.assert(fc.property(strategy, fleets, (s, f) => {
      const b = s.bind(f);
      const { min, max } = DEPLOYMENT_LIMITS.maximumExecutionTimeoutSeconds;
      expect(b.maximumExecutionTimeoutSeconds).toBeGreaterThanOrEqual(min);
      expect(b.maximumExecutionTimeoutSeconds).toBeLessThanOrEqual(max);
      const rendered = b.deploymentConfig.blueGreenUpdatePolicy ?? b.deploymentConfig.rollingUpdatePolicy;
      expect((rendered as { maximumExecutionTimeoutInSeconds: number }).maximumExecutionTimeoutInSeconds).toBe(b.maximumExecutionTimeoutSeconds);
      if (b.maximumExecutionTimeoutSeconds <= waitsOf(b)) {
        expect(b.problems.some((p) => p.startsWith('maximum execution timeout:'))).toBe(true);
      }
    }), { numRuns: 500 });
  });

  test('the steps only move traffic forward, end at full shift, and the size problems match SageMaker\'s limits', () => {
    fc.assert(fc.property(strategy, fleets, (s, f) => {
      const b = s.bind(f);
      const shares = b.steps.map((x) => x.newFleetShare);
      expect(shares[shares.length - 1]).toBe(1);
      // A refused strategy (e.g. a canary of the whole fleet) may repeat a share; a valid one never does.
      for (let i = 1; i < b.steps.length && b.problems.length === 0; i++) {
        expect(b.steps[i].newFleetShare).toBeGreaterThan(b.steps[i - 1].newFleetShare);
        expect(b.steps[i].atSeconds).toBe(b.steps[i - 1].atSeconds + b.steps[i - 1].bakeSeconds);
      }
      const blueGreen = b.deploymentConfig.blueGreenUpdatePolicy as { trafficRoutingConfiguration?: unknown } | undefined;
      const traffic = blueGreen?.trafficRoutingConfiguration as
        { canarySize?: { type: 'INSTANCE_COUNT' | 'CAPACITY_PERCENT'; value: number } } | undefined;
      if (s.kind === 'CANARY' && traffic?.canarySize) {
        const { type, value } = traffic.canarySize;
        const fraction = type === 'CAPACITY_PERCENT' ? value / 100 : value / f.instanceCount;
        const sizeProblem = b.problems.some((p) => p.startsWith('canary size:'));
        expect(sizeProblem).toBe(f.instanceCount < 2 || fraction > 0.5 || (type === 'CAPACITY_PERCENT' && value > 100));
      }
    }), { numRuns: 500 });
  });
});
