import { Duration } from 'aws-cdk-lib';

/** How CloudWatch treats a period without data (TreatMissingData). */
export type MissingDataTreatment = 'breaching' | 'notBreaching' | 'ignore' | 'missing';

/** A comparison an alarm makes against its threshold. */
export type AlarmComparison = 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';

/**
 * Everything that decides when a rollback alarm fires. The template's alarms are built from this,
 * and the rollout simulator evaluates the same settings, so the two cannot disagree.
 */
export interface AlarmSpec {
  /** Construct id of the alarm, e.g. `ModelLatencyP99`. */
  readonly id: string;
  /** For the on-call person: what firing means and what to do. */
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  /** `Average`, `Sum`, `Maximum`, or a percentile such as `p99`. */
  readonly statistic: string;
  /** The unit the metric is published in, when it matters for the threshold. */
  readonly unit?: 'Microseconds' | 'Milliseconds' | 'Count' | 'Percent' | 'None';
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: AlarmComparison;
  readonly treatMissingData: MissingDataTreatment;
}

/** What the model promises: the rollback alarms follow from it. */
export interface ServiceLevels {
  /** p99 model latency above this rolls a deployment back. */
  readonly latencyBudget: Duration;
  /** Share of requests (0–1) answered 5xx above which a deployment rolls back. */
  readonly maxErrorRate: number;
}

/** Default share of 5xx answers that rolls a deployment back: 2%. */
export const DEFAULT_MAX_ERROR_RATE = 0.02;

/**
 * The rollback alarms of one variant's new fleet. One-minute periods and 2 of 3 breaching
 * datapoints: a fault is caught within about three minutes of baking, while a single noisy minute
 * at low traffic does not roll back a healthy release. No data is not breaching: a canary that
 * gets no traffic in a minute is not a failure.
 */
export function rollbackAlarmSpecs(levels: ServiceLevels): AlarmSpec[] {
  const budgetMs = levels.latencyBudget.toMilliseconds();
  return [
    {
      id: 'ModelLatencyP99',
      description: `p99 model latency of the new fleet is above its ${budgetMs} ms budget. During a deployment SageMaker rolls ` +
        'traffic back to the old fleet; otherwise check the model container logs and GPU utilization.',
      namespace: 'AWS/SageMaker',
      metricName: 'ModelLatency',
      statistic: 'p99',
      unit: 'Microseconds',
      periodSeconds: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      // ModelLatency is published in microseconds.
      threshold: budgetMs * 1000,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    {
      id: 'Invocation5xxErrorRate',
      description: `More than ${+(levels.maxErrorRate * 100).toFixed(2)}% of requests to the new fleet are answered 5xx by the model. ` +
        'During a deployment SageMaker rolls traffic back to the old fleet; otherwise read the model container logs.',
      namespace: 'AWS/SageMaker',
      metricName: 'Invocation5XXErrors',
      // 1 or 0 per request, so the Average is the error rate.
      statistic: 'Average',
      periodSeconds: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      threshold: levels.maxErrorRate,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
  ];
}
