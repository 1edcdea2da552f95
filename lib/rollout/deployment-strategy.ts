import { Duration } from 'aws-cdk-lib';
import type { CfnEndpoint } from 'aws-cdk-lib/aws-sagemaker';

/** A share of a fleet: a number of instances or a percentage of the fleet's instances. */
export class CapacitySize {
  /** A percentage of the fleet's instance count. */
  public static percent(value: number): CapacitySize {
    return new CapacitySize('CAPACITY_PERCENT', value);
  }

  /** A number of instances. */
  public static instances(value: number): CapacitySize {
    return new CapacitySize('INSTANCE_COUNT', value);
  }

  private constructor(public readonly type: 'INSTANCE_COUNT' | 'CAPACITY_PERCENT', public readonly value: number) {}

  /** The share of a fleet of `instanceCount` this size stands for, 0–1. */
  public fractionOf(instanceCount: number): number {
    return this.type === 'CAPACITY_PERCENT' ? this.value / 100 : this.value / instanceCount;
  }

  /** Instances of a fleet of `instanceCount` this size moves: at least one, as SageMaker rounds up. */
  public instancesOf(instanceCount: number): number {
    return Math.max(1, Math.ceil(this.fractionOf(instanceCount) * instanceCount - 1e-9));
  }

  public toString(): string {
    return this.type === 'CAPACITY_PERCENT' ? `${this.value}%` : `${this.value} instance(s)`;
  }

  /** @internal */
  public _render(): CfnEndpoint.CapacitySizeProperty {
    return { type: this.type, value: this.value };
  }
}

/** One step of a rollout: from `atSeconds`, `newFleetShare` of the traffic goes to the new fleet and is watched. */
export interface RolloutStep {
  /** Seconds since traffic shifting started. */
  readonly atSeconds: number;
  /** Share of traffic on the new fleet from this step on, 0–1. */
  readonly newFleetShare: number;
  /** Seconds the alarms watch this step before the next one (the baking period). */
  readonly bakeSeconds: number;
}

/** The fleet a strategy is applied to. */
export interface RolloutFleet {
  readonly instanceCount: number;
  readonly variantCount: number;
  /**
   * Seconds a new instance may take to launch, download the model and pass its health check;
   * counted into the maximum execution timeout.
   */
  readonly provisioningSeconds: number;
}

/** Seconds allowed for SageMaker to launch a GPU instance, on top of model download and start-up. */
const INSTANCE_LAUNCH_ALLOWANCE_SECONDS = 600;
/** SageMaker's defaults for ModelDataDownloadTimeoutInSeconds and ContainerStartupHealthCheckTimeoutInSeconds. */
const DEFAULT_DOWNLOAD_SECONDS = 600;
const DEFAULT_STARTUP_SECONDS = 600;

/** Seconds a new instance may take before it serves: launch, model download, first health check. */
export function provisioningSeconds(downloadTimeoutSeconds = DEFAULT_DOWNLOAD_SECONDS, startupTimeoutSeconds = DEFAULT_STARTUP_SECONDS): number {
  return INSTANCE_LAUNCH_ALLOWANCE_SECONDS + downloadTimeoutSeconds + startupTimeoutSeconds;
}

/** Blue/green and rolling limits (CloudFormation AWS::SageMaker::Endpoint DeploymentConfig schema). */
export const DEPLOYMENT_LIMITS = {
  waitSeconds: { min: 0, max: 3600 },
  terminationWaitSeconds: { min: 0, max: 3600 },
  maximumExecutionTimeoutSeconds: { min: 600, max: 28800 },
  canaryMaxFraction: 0.5,
  linearStepFraction: { min: 0.1, max: 0.5 },
  rollingBatchFraction: { min: 0.05, max: 0.5 },
} as const;

export interface CanaryOptions {
  /** How much of the new fleet takes traffic first. ≤ 50% of the fleet. */
  readonly size: CapacitySize;
  /** How long the canary bakes under the rollback alarms before the rest of the traffic shifts. ≤ 1 h. */
  readonly bake: Duration;
  /**
   * How long the old fleet is kept (and the alarms watched) after all traffic shifted. ≤ 1 h.
   * @default - the bake time
   */
  readonly terminationWait?: Duration;
}

export interface LinearOptions {
  /** How much traffic shifts per step: 10–50% of the fleet. */
  readonly step: CapacitySize;
  /** Bake time after each step. ≤ 1 h. */
  readonly interval: Duration;
  /**
   * How long the old fleet is kept after all traffic shifted. ≤ 1 h.
   * @default - the interval
   */
  readonly terminationWait?: Duration;
}

export interface RollingOptions {
  /** Instances replaced per batch: 5–50% of the fleet. */
  readonly batch: CapacitySize;
  /** Bake time after each batch. ≤ 1 h. */
  readonly interval: Duration;
  /**
   * Instances restored per batch on rollback.
   * @default - the whole old fleet at once
   */
  readonly rollbackBatch?: CapacitySize;
}

export interface AllAtOnceOptions {
  /**
   * How long the alarms watch the new fleet, with the old fleet kept, before the old one is terminated.
   * @default Duration.minutes(5)
   */
  readonly bake?: Duration;
}

/** A strategy applied to a fleet: the CloudFormation deployment config, the traffic timeline, and every problem. */
export interface BoundDeploymentStrategy {
  /** `DeploymentConfig` without the alarms (the endpoint adds those). */
  readonly deploymentConfig: CfnEndpoint.DeploymentConfigProperty;
  /** The traffic steps, in order, ending at full shift. */
  readonly steps: RolloutStep[];
  /** Seconds watched after the last step (termination wait), during which an alarm still rolls back. */
  readonly finalBakeSeconds: number;
  readonly maximumExecutionTimeoutSeconds: number;
  /** Empty when valid; otherwise one message per problem with the value and the fix. */
  readonly problems: string[];
}

/**
 * How a new model version reaches traffic: blue/green canary, linear or all-at-once traffic
 * shifting, or a rolling update, each watched by the endpoint's rollback alarms.
 */
export abstract class DeploymentStrategy {
  /** Shift a canary share of traffic to the new fleet, bake, then shift the rest. Needs ≥ 2 instances. */
  public static canary(options: CanaryOptions): DeploymentStrategy {
    return new BlueGreenStrategy('CANARY', options.bake, options.terminationWait ?? options.bake, options.size);
  }

  /** Shift traffic in equal steps, baking after each. Needs ≥ 2 instances. */
  public static linear(options: LinearOptions): DeploymentStrategy {
    return new BlueGreenStrategy('LINEAR', options.interval, options.terminationWait ?? options.interval, options.step);
  }

  /** Shift all traffic at once to a full new fleet, then bake before the old fleet goes. */
  public static allAtOnce(options: AllAtOnceOptions = {}): DeploymentStrategy {
    return new BlueGreenStrategy('ALL_AT_ONCE', Duration.seconds(0), options.bake ?? Duration.minutes(5));
  }

  /** Replace the fleet in batches (no second full fleet needed). Not for multi-variant endpoints. */
  public static rolling(options: RollingOptions): DeploymentStrategy {
    return new RollingStrategy(options);
  }

  /** `CANARY`, `LINEAR`, `ALL_AT_ONCE` or `ROLLING`. */
  public abstract readonly kind: 'CANARY' | 'LINEAR' | 'ALL_AT_ONCE' | 'ROLLING';

  /** Applies the strategy to a fleet. Pure: the template, the simulator and the validation share it. */
  public abstract bind(fleet: RolloutFleet): BoundDeploymentStrategy;
}

class BlueGreenStrategy extends DeploymentStrategy {
  constructor(
    public readonly kind: 'CANARY' | 'LINEAR' | 'ALL_AT_ONCE',
    private readonly wait: Duration,
    private readonly terminationWait: Duration,
    private readonly size?: CapacitySize,
  ) {
    super();
  }

  public bind(fleet: RolloutFleet): BoundDeploymentStrategy {
    const problems: string[] = [];
    const wait = this.wait.toSeconds();
    const termination = this.terminationWait.toSeconds();
    checkRange(problems, this.kind === 'CANARY' ? 'bake' : 'interval', wait, DEPLOYMENT_LIMITS.waitSeconds, this.kind !== 'ALL_AT_ONCE');
    checkRange(problems, this.kind === 'ALL_AT_ONCE' ? 'bake' : 'terminationWait', termination, DEPLOYMENT_LIMITS.terminationWaitSeconds, true);

    const steps: RolloutStep[] = [];
    if (this.size) {
      const fraction = this.size.fractionOf(fleet.instanceCount);
      const name = this.kind === 'CANARY' ? 'canary size' : 'linear step';
      checkSize(problems, name, this.size);
      if (fleet.instanceCount < 2) {
        problems.push(`${name}: ${this.kind.toLowerCase()} needs at least 2 instances, the fleet has ${fleet.instanceCount}: raise instanceCount or use allAtOnce()`);
      } else if (this.kind === 'CANARY' && fraction > DEPLOYMENT_LIMITS.canaryMaxFraction) {
        problems.push(`canary size: ${this.size} is ${pct(fraction)} of ${fleet.instanceCount} instances; SageMaker allows at most 50%: use CapacitySize.instances(${Math.floor(fleet.instanceCount / 2)}) or fewer`);
      } else if (this.kind === 'LINEAR' && (fraction < DEPLOYMENT_LIMITS.linearStepFraction.min || fraction > DEPLOYMENT_LIMITS.linearStepFraction.max)) {
        problems.push(`linear step: ${this.size} is ${pct(fraction)} of ${fleet.instanceCount} instances; SageMaker allows 10–50%: choose a step in that range`);
      }
      const share = this.size.instancesOf(fleet.instanceCount) / fleet.instanceCount;
      if (this.kind === 'CANARY') {
        steps.push({ atSeconds: 0, newFleetShare: share, bakeSeconds: wait });
      } else {
        for (let i = 1; i * share < 1 - 1e-9; i++) steps.push({ atSeconds: (i - 1) * wait, newFleetShare: i * share, bakeSeconds: wait });
      }
    }
    steps.push({ atSeconds: steps.reduce((t, s) => t + s.bakeSeconds, 0), newFleetShare: 1, bakeSeconds: 0 });

    const waits = steps.reduce((t, s) => t + s.bakeSeconds, 0) + termination;
    const maximumExecutionTimeoutSeconds = maximumExecutionTimeout(problems, waits, fleet.provisioningSeconds);
    return {
      deploymentConfig: {
        blueGreenUpdatePolicy: {
          maximumExecutionTimeoutInSeconds: maximumExecutionTimeoutSeconds,
          terminationWaitInSeconds: termination,
          trafficRoutingConfiguration: {
            type: this.kind,
            // Required by the API though optional in the CloudFormation schema: always emit it.
            waitIntervalInSeconds: wait,
            canarySize: this.kind === 'CANARY' ? this.size?._render() : undefined,
            linearStepSize: this.kind === 'LINEAR' ? this.size?._render() : undefined,
          },
        },
      },
      steps,
      finalBakeSeconds: termination,
      maximumExecutionTimeoutSeconds,
      problems,
    };
  }
}

class RollingStrategy extends DeploymentStrategy {
  public readonly kind = 'ROLLING' as const;

  constructor(private readonly options: RollingOptions) {
    super();
  }

  public bind(fleet: RolloutFleet): BoundDeploymentStrategy {
    const problems: string[] = [];
    const wait = this.options.interval.toSeconds();
    checkRange(problems, 'interval', wait, DEPLOYMENT_LIMITS.waitSeconds, true);
    checkSize(problems, 'rolling batch', this.options.batch);
    if (this.options.rollbackBatch) checkSize(problems, 'rollback batch', this.options.rollbackBatch);
    const fraction = this.options.batch.fractionOf(fleet.instanceCount);
    if (fraction < DEPLOYMENT_LIMITS.rollingBatchFraction.min || fraction > DEPLOYMENT_LIMITS.rollingBatchFraction.max) {
      problems.push(`rolling batch: ${this.options.batch} is ${pct(fraction)} of ${fleet.instanceCount} instance(s); SageMaker allows 5–50%` +
        (fleet.instanceCount < 2 ? ': a rolling update needs at least 2 instances' : ': choose a batch in that range'));
    }
    if (fleet.variantCount > 1) {
      problems.push(`rolling: the endpoint has ${fleet.variantCount} variants; SageMaker excludes multi-variant endpoints from rolling updates: use canary() or linear()`);
    }
    const batch = this.options.batch.instancesOf(fleet.instanceCount);
    const steps: RolloutStep[] = [];
    for (let done = batch, i = 0; ; done += batch, i++) {
      const share = Math.min(1, done / fleet.instanceCount);
      steps.push({ atSeconds: i * wait, newFleetShare: share, bakeSeconds: share < 1 ? wait : 0 });
      if (share >= 1) break;
    }
    // The last batch bakes too before the update completes.
    const finalBakeSeconds = wait;
    const maximumExecutionTimeoutSeconds = maximumExecutionTimeout(problems, steps.length * wait, fleet.provisioningSeconds * steps.length);
    return {
      deploymentConfig: {
        rollingUpdatePolicy: {
          maximumBatchSize: this.options.batch._render(),
          waitIntervalInSeconds: wait,
          maximumExecutionTimeoutInSeconds: maximumExecutionTimeoutSeconds,
          rollbackMaximumBatchSize: this.options.rollbackBatch?._render(),
        },
      },
      steps,
      finalBakeSeconds,
      maximumExecutionTimeoutSeconds,
      problems,
    };
  }
}

/**
 * The update may take the waits plus the time to provision the new instances; SageMaker
 * requires 600–28800 s and more than the waits.
 */
function maximumExecutionTimeout(problems: string[], waitSeconds: number, provisioningSeconds: number): number {
  const { min, max } = DEPLOYMENT_LIMITS.maximumExecutionTimeoutSeconds;
  const wanted = Math.max(min, waitSeconds + provisioningSeconds);
  if (wanted > max) {
    problems.push(`maximum execution timeout: the waits (${waitSeconds} s) plus provisioning (${provisioningSeconds} s) need ${wanted} s, ` +
      `over SageMaker's ${max} s limit: shorten the bake or interval, or use fewer steps`);
  }
  return Math.min(wanted, max);
}

function checkRange(problems: string[], name: string, seconds: number, range: { min: number; max: number }, required: boolean): void {
  if (!Number.isInteger(seconds) || seconds < range.min || seconds > range.max || (required && seconds === 0 && name !== 'terminationWait')) {
    problems.push(`${name}: ${seconds} s is out of range: use ${required && name !== 'terminationWait' ? 1 : range.min}–${range.max} s (whole seconds)`);
  }
}

function checkSize(problems: string[], name: string, size: CapacitySize): void {
  if (!Number.isInteger(size.value) || size.value < 1 || (size.type === 'CAPACITY_PERCENT' && size.value > 100)) {
    problems.push(`${name}: ${size} is not a valid size: use a whole number of instances ≥ 1 or a percentage 1–100`);
  }
}

function pct(fraction: number): string {
  return `${+(fraction * 100).toFixed(1)}%`;
}
