import type { AlarmSpec } from '../rollback-alarm-spec';

/** The requests one period of a metric saw: what CloudWatch aggregates into one datapoint. */
export interface PeriodSamples {
  /** One value per request (e.g. 1/0 for an error metric, microseconds for latency). */
  readonly values: number[];
}

/**
 * The datapoint CloudWatch computes for one period, or undefined when the period had no data.
 * Percentiles use the nearest-rank method on the period's values.
 */
export function statisticOf(statistic: string, values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const percentile = /^p(\d+(?:\.\d+)?)$/.exec(statistic);
  if (percentile) {
    const sorted = [...values].sort((a, b) => a - b);
    const rank = Math.ceil((Number(percentile[1]) / 100) * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }
  switch (statistic) {
    case 'Sum': return values.reduce((a, b) => a + b, 0);
    case 'Average': return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Maximum': return values.reduce((a, b) => Math.max(a, b), -Infinity);
    case 'Minimum': return values.reduce((a, b) => Math.min(a, b), Infinity);
    case 'SampleCount': return values.length;
    default: throw new Error(`statistic ${JSON.stringify(statistic)} is not simulated: use Sum, Average, Maximum, Minimum, SampleCount or pNN`);
  }
}

export function breaches(spec: AlarmSpec, value: number): boolean {
  switch (spec.comparison) {
    case 'GreaterThanThreshold': return value > spec.threshold;
    case 'GreaterThanOrEqualToThreshold': return value >= spec.threshold;
    case 'LessThanThreshold': return value < spec.threshold;
    case 'LessThanOrEqualToThreshold': return value <= spec.threshold;
  }
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/**
 * The alarm state after the latest datapoint, as CloudWatch evaluates it: the last
 * `evaluationPeriods` datapoints, `datapointsToAlarm` of them breaching puts it in ALARM.
 * Missing datapoints count as good (`notBreaching`), bad (`breaching`), or are left out
 * (`ignore`, `missing`); when all are left out, `ignore` keeps the previous state and `missing`
 * goes to INSUFFICIENT_DATA. With some left out, CloudWatch alarms when every present datapoint
 * breaches and there are at least as many as it needs or all of the window's present points do.
 */
export function evaluateAlarm(spec: AlarmSpec, datapoints: readonly (number | undefined)[], previous: AlarmState): AlarmState {
  const window = datapoints.slice(-spec.evaluationPeriods);
  let bad = 0;
  let present = 0;
  for (const value of window) {
    if (value === undefined) {
      if (spec.treatMissingData === 'breaching') { bad++; present++; }
      if (spec.treatMissingData === 'notBreaching') present++;
      continue;
    }
    present++;
    if (breaches(spec, value)) bad++;
  }
  if (present === 0) return spec.treatMissingData === 'ignore' ? previous : 'INSUFFICIENT_DATA';
  const needed = Math.min(spec.datapointsToAlarm, present);
  return bad >= needed ? 'ALARM' : 'OK';
}
