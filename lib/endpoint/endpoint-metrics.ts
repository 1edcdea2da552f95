import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** Options for an endpoint metric: the variant, plus the usual metric options. */
export interface MetricVariantOptions extends cloudwatch.MetricOptions {
  /**
   * The production variant.
   * @default - the endpoint's first variant
   */
  readonly variantName?: string;
}

/** Invocation metrics, published per minute by SageMaker (SageMaker Developer Guide, "Monitor SageMaker with CloudWatch"). */
export const INVOCATION_NAMESPACE = 'AWS/SageMaker';
/** Instance metrics (CPU, memory, disk, GPU), in percent, summed over the instance's GPUs or cores. */
export const INSTANCE_NAMESPACE = '/aws/sagemaker/Endpoints';

interface MetricFacts {
  readonly namespace: string;
  readonly statistic: string;
  readonly unit?: cloudwatch.Unit;
}

/**
 * Namespace, default statistic and unit of each SageMaker endpoint metric. ModelLatency and
 * OverheadLatency are published in microseconds; the error metrics are 1/0 per request, so their
 * Average is the error rate; GPUUtilization runs to 100 × the GPU count.
 */
export const ENDPOINT_METRICS: Record<string, MetricFacts> = {
  Invocations: { namespace: INVOCATION_NAMESPACE, statistic: 'Sum' },
  Invocation4XXErrors: { namespace: INVOCATION_NAMESPACE, statistic: 'Average' },
  Invocation5XXErrors: { namespace: INVOCATION_NAMESPACE, statistic: 'Average' },
  InvocationModelErrors: { namespace: INVOCATION_NAMESPACE, statistic: 'Sum' },
  InvocationsPerInstance: { namespace: INVOCATION_NAMESPACE, statistic: 'Sum' },
  ModelLatency: { namespace: INVOCATION_NAMESPACE, statistic: 'Average', unit: cloudwatch.Unit.MICROSECONDS },
  OverheadLatency: { namespace: INVOCATION_NAMESPACE, statistic: 'Average', unit: cloudwatch.Unit.MICROSECONDS },
  ConcurrentRequestsPerModel: { namespace: INVOCATION_NAMESPACE, statistic: 'Maximum' },
  CPUUtilization: { namespace: INSTANCE_NAMESPACE, statistic: 'Average', unit: cloudwatch.Unit.PERCENT },
  MemoryUtilization: { namespace: INSTANCE_NAMESPACE, statistic: 'Average', unit: cloudwatch.Unit.PERCENT },
  DiskUtilization: { namespace: INSTANCE_NAMESPACE, statistic: 'Average', unit: cloudwatch.Unit.PERCENT },
  GPUUtilization: { namespace: INSTANCE_NAMESPACE, statistic: 'Average', unit: cloudwatch.Unit.PERCENT },
  GPUMemoryUtilization: { namespace: INSTANCE_NAMESPACE, statistic: 'Average', unit: cloudwatch.Unit.PERCENT },
};

/** A metric of one endpoint variant, with the namespace, statistic and unit SageMaker publishes it with. */
export function endpointMetric(endpointName: string, variantName: string | undefined, metricName: string,
  options: MetricVariantOptions = {}): cloudwatch.Metric {
  const facts = ENDPOINT_METRICS[metricName] ?? { namespace: INVOCATION_NAMESPACE, statistic: 'Average' };
  const { variantName: _ignored, ...metricOptions } = options;
  return new cloudwatch.Metric({
    namespace: facts.namespace,
    metricName,
    statistic: facts.statistic,
    unit: facts.unit,
    period: Duration.minutes(1),
    ...metricOptions,
    dimensionsMap: {
      EndpointName: endpointName,
      ...(variantName ? { VariantName: variantName } : {}),
      ...options.dimensionsMap,
    },
  });
}

/** `metric / gpuCount`: a per-GPU percentage (0–100) from a metric summed over all GPUs. */
export function perGpu(metric: cloudwatch.Metric, gpuCount: number, label: string): cloudwatch.IMetric {
  if (gpuCount === 1) return metric.with({ label });
  return new cloudwatch.MathExpression({
    expression: `m / ${gpuCount}`,
    usingMetrics: { m: metric },
    label,
    period: metric.period,
  });
}
