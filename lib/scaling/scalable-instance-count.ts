import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { sageMakerScalableTarget } from './sagemaker-scalable-target';

export interface InvocationsScalingProps {
  /** Average invocations per instance per minute to hold (SageMakerVariantInvocationsPerInstance). */
  readonly invocationsPerInstancePerMinute: number;
  /** Wait after a scale-in before the next one. Explicit: GPU instances take minutes to come back. */
  readonly scaleInCooldown: Duration;
  /** Wait after a scale-out before the next one. */
  readonly scaleOutCooldown: Duration;
}

export interface ConcurrencyScalingProps {
  /**
   * Concurrent requests per model instance to hold, queued ones included
   * (SageMakerVariantConcurrentRequestsPerModelHighResolution, published every 10 s).
   */
  readonly concurrentRequestsPerInstance: number;
  readonly scaleInCooldown: Duration;
  readonly scaleOutCooldown: Duration;
}

export interface GpuUtilizationScalingProps {
  /** Average utilization per GPU to hold, 1–100 %. */
  readonly utilizationPercentPerGpu: number;
  readonly scaleInCooldown: Duration;
  readonly scaleOutCooldown: Duration;
}

export interface ScalableInstanceCountProps {
  /** `endpoint/<name>/variant/<variant>`, with the endpoint name from GetAtt so the target waits for the endpoint. */
  readonly resourceId: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** GPUs per instance, to turn a per-GPU utilization target into SageMaker's summed GPUUtilization. */
  readonly gpuCount?: number;
  /** The variant's summed GPU utilization metric (0–100 × GPU count). */
  readonly gpuUtilizationMetric: cloudwatch.Metric;
}

/**
 * The instance count of one endpoint variant as an Application Auto Scaling target, with verbs for
 * the signals that matter for GPU inference. The target and its policies are retained when their
 * resources are replaced: a `ScalingGuard` deregisters them before an instance-type change instead.
 */
export class ScalableInstanceCount extends Construct {
  public readonly target: appscaling.ScalableTarget;
  private readonly props: ScalableInstanceCountProps;

  constructor(scope: Construct, id: string, props: ScalableInstanceCountProps) {
    super(scope, id);
    this.props = props;
    this.target = sageMakerScalableTarget(this, 'Target', {
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      resourceId: props.resourceId,
      minCapacity: props.minCapacity,
      maxCapacity: props.maxCapacity,
      retain: true,
    });
  }

  /** Holds the invocations per instance per minute at a target. */
  public scaleOnInvocationsPerInstance(id: string, props: InvocationsScalingProps): appscaling.TargetTrackingScalingPolicy {
    return this.track(id, 'invocationsPerInstancePerMinute', props.invocationsPerInstancePerMinute, props, {
      predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
    });
  }

  /** Holds concurrent requests per instance at a target: the best signal for LLMs, whose requests vary in length. */
  public scaleOnConcurrentRequests(id: string, props: ConcurrencyScalingProps): appscaling.TargetTrackingScalingPolicy {
    return this.track(id, 'concurrentRequestsPerInstance', props.concurrentRequestsPerInstance, props, {
      predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_CONCURRENT_REQUESTS_PER_MODEL_HIGH_RESOLUTION,
    });
  }

  /**
   * Holds GPU utilization per GPU at a target. SageMaker publishes GPUUtilization summed over the
   * instance's GPUs (0–100 × GPU count), so the target is multiplied by the GPU count.
   */
  public scaleOnGpuUtilization(id: string, props: GpuUtilizationScalingProps): appscaling.TargetTrackingScalingPolicy {
    if (this.props.gpuCount === undefined) {
      throw new Error(`${this.node.path}: the GPU count of this variant's instance type is unknown: give its facts with GpuInstanceType.of(name, spec)`);
    }
    if (!(props.utilizationPercentPerGpu >= 1 && props.utilizationPercentPerGpu <= 100)) {
      throw new Error(`${this.node.path}: utilizationPercentPerGpu ${props.utilizationPercentPerGpu} is out of range: use 1–100`);
    }
    return this.track(id, 'utilizationPercentPerGpu', props.utilizationPercentPerGpu * this.props.gpuCount, props, {
      customMetric: this.props.gpuUtilizationMetric,
    });
  }

  /** Step scaling on any metric: the policy fires from an alarm on `metric` with the given steps. */
  public scaleOnMetric(id: string, props: appscaling.BasicStepScalingPolicyProps): appscaling.StepScalingPolicy {
    const policy = this.target.scaleOnMetric(id, props);
    const cfnPolicies = policy.node.findAll().filter((c): c is appscaling.CfnScalingPolicy => c instanceof appscaling.CfnScalingPolicy);
    cfnPolicies.forEach((p) => p.applyRemovalPolicy(RemovalPolicy.RETAIN));
    return policy;
  }

  /**
   * Scheduled capacity, e.g. a smaller fleet at night:
   * `scaleOnSchedule('Night', { schedule: Schedule.cron({ hour: '22', minute: '0' }), timeZone: TimeZone.EUROPE_BERLIN, maxCapacity: 2 })`.
   */
  public scaleOnSchedule(id: string, action: appscaling.ScalingSchedule): void {
    const { minCapacity, maxCapacity } = action;
    if (minCapacity !== undefined && maxCapacity !== undefined && minCapacity > maxCapacity) {
      throw new Error(`${this.node.path}: schedule ${id}: minCapacity ${minCapacity} exceeds maxCapacity ${maxCapacity}`);
    }
    this.target.scaleOnSchedule(id, action);
  }

  private track(id: string, field: string, targetValue: number, cooldowns: { scaleInCooldown: Duration; scaleOutCooldown: Duration },
    metric: Pick<appscaling.BasicTargetTrackingScalingPolicyProps, 'predefinedMetric' | 'customMetric'>): appscaling.TargetTrackingScalingPolicy {
    if (!(targetValue > 0) || !Number.isFinite(targetValue)) throw new Error(`${this.node.path}: ${field} ${targetValue} must be a positive number`);
    const { scaleInCooldown, scaleOutCooldown } = cooldowns;
    for (const [name, cooldown] of Object.entries({ scaleInCooldown, scaleOutCooldown })) {
      const seconds = cooldown?.toSeconds();
      if (seconds === undefined || seconds < 0 || seconds > 3600) {
        throw new Error(`${this.node.path}: ${name} ${seconds} s is out of range: set it explicitly to 0–3600 s (GPU instances take minutes to start)`);
      }
    }
    const policy = this.target.scaleToTrackMetric(id, { targetValue, scaleInCooldown, scaleOutCooldown, ...metric });
    (policy.node.defaultChild as appscaling.CfnScalingPolicy).applyRemovalPolicy(RemovalPolicy.RETAIN);
    return policy;
  }
}
