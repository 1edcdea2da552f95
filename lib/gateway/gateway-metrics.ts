import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { CONSUMER_METRICS as EMITTED_PER_CONSUMER, DIMENSION_CONSUMER, METRIC_NAMESPACE, METRIC_UNITS } from '../../lambda/gateway/metric-names';

/**
 * The gateway's Embedded Metric Format metrics: namespace, dimensions, names and units, taken
 * from the contract the handler writes by (lambda/gateway/metric-names.ts), so the alarms and
 * dashboards here cannot drift from it. A test also runs the handler and checks every metric an
 * alarm or dashboard reads is among those it emits.
 */
export const GATEWAY_NAMESPACE = METRIC_NAMESPACE;

/** Metrics per request and their unit. Count metrics that are 0/1 per request have the rate as Average. */
export const GATEWAY_METRICS = METRIC_UNITS;

/**
 * The dimension that adds the consumer (the team of the API key, `none` without a key) to
 * Requests, Errors, Latency, PromptTokens and CompletionTokens: per-team SLIs and chargeback.
 */
export const CONSUMER_DIMENSION = DIMENSION_CONSUMER;
/** The metrics the gateway also writes per consumer. */
export const CONSUMER_METRICS: readonly GatewayMetricName[] = EMITTED_PER_CONSUMER;

export type GatewayMetricName = keyof typeof GATEWAY_METRICS;

/** A gateway metric of one model in one stage; per-check metrics are `Blocked_<check>` / `Redacted_<check>`. */
export function gatewayMetric(stage: string, model: string, metricName: GatewayMetricName | `Blocked_${string}` | `Redacted_${string}`,
  options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  const unit = (GATEWAY_METRICS as Record<string, string>)[metricName] ?? 'Count';
  return new cloudwatch.Metric({
    namespace: GATEWAY_NAMESPACE,
    metricName,
    statistic: unit === 'Milliseconds' ? 'p99' : unit === 'Count/Second' ? 'p50' : 'Average',
    unit: unit as cloudwatch.Unit,
    period: Duration.minutes(1),
    ...options,
    dimensionsMap: { Stage: stage, Model: model, ...options.dimensionsMap },
  });
}

/**
 * The metrics of a stage's safety gateway, as alarms and dashboards read them. `SafetyGateway`
 * is one; `GatewayMetrics.ofStage` reads the gateway of a stage defined in another stack (the
 * metrics are named by stage and model only, so reading them makes no reference to that stack).
 */
export interface IGatewayMetrics {
  /** The gateway's stage: the `Stage` dimension. */
  readonly stage: string;
  /** A gateway metric of one model (`Errors`, `Blocked`, `Latency`, `Blocked_injection`, ...). */
  metric(model: string, metricName: GatewayMetricName | `Blocked_${string}` | `Redacted_${string}`, options?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** The gateway metrics of a stage, wherever its gateway is defined. */
export class GatewayMetrics implements IGatewayMetrics {
  public static ofStage(stage: string): IGatewayMetrics {
    return new GatewayMetrics(stage);
  }

  private constructor(public readonly stage: string) {}

  public metric(model: string, metricName: GatewayMetricName | `Blocked_${string}` | `Redacted_${string}`,
    options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return gatewayMetric(this.stage, model, metricName, options);
  }
}
