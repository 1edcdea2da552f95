import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { IGatewayMetrics } from '../gateway/gateway-metrics';
import { PropValidation } from '../common/prop-validation';
import { acknowledgeInHipaaAndNist } from '../compliance/acknowledge';
import {
  BURN_RATE_WINDOWS, budgetRemainingExpression, burnRateExpression, errorBudget, formatNumber, ModelSlo, SliMetricIds, SloObjective,
  withinThresholdStatistic,
} from './slo-math';

export type { ModelSlo, SloObjective } from './slo-math';

export interface SloBurnRateAlarmsProps {
  /** The model's name at the gateway (`Model` dimension). */
  readonly modelName: string;
  /** The gateway whose Requests, Errors and Latency are the SLIs. */
  readonly gateway: IGatewayMetrics;
  readonly slo: ModelSlo;
  /** What a burn pages: the stage's alerting topic. */
  readonly alarmAction: cloudwatch.IAlarmAction;
  /**
   * Prefix of the composite alarms' names, e.g. the endpoint name.
   * @default - CloudFormation-generated names
   */
  readonly alarmNamePrefix?: string;
}

/** Metric ids of the SLI metrics in every expression below. */
const IDS: SliMetricIds = { errors: 'errors', requests: 'requests', withinThreshold: 'within' };

/** The SLI metrics of one objective over `period`, by the ids its expressions use. */
export function sliMetrics(gateway: IGatewayMetrics, model: string, objective: SloObjective, period: Duration): Record<string, cloudwatch.IMetric> {
  if (objective.kind === 'availability') {
    return {
      [IDS.errors]: gateway.metric(model, 'Errors', { statistic: 'Sum', period }),
      [IDS.requests]: gateway.metric(model, 'Requests', { statistic: 'Sum', period }),
    };
  }
  if (objective.thresholdMs === undefined) throw new Error(`the latency objective of ${model} has no thresholdMs: the SLI is the share of requests within it`);
  return { [IDS.withinThreshold]: gateway.metric(model, 'Latency', { statistic: withinThresholdStatistic(objective.thresholdMs), period }) };
}

/** The burn rate of one objective over `period` as a metric-math expression. */
export function burnRateMetric(gateway: IGatewayMetrics, model: string, objective: SloObjective, period: Duration, label?: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: burnRateExpression(objective.kind, IDS, objective.targetPercent),
    usingMetrics: sliMetrics(gateway, model, objective, period),
    period,
    label: label ?? `${objective.kind} burn rate`,
  });
}

/** The error budget left over the SLO window, in %, as a metric-math expression. */
export function budgetRemainingMetric(gateway: IGatewayMetrics, model: string, objective: SloObjective, windowDays: number): cloudwatch.MathExpression {
  const period = Duration.days(windowDays);
  return new cloudwatch.MathExpression({
    expression: budgetRemainingExpression(objective.kind, IDS, objective.targetPercent),
    usingMetrics: sliMetrics(gateway, model, objective, period),
    period,
    label: `${objective.kind} error budget left (%)`,
  });
}

/** What an objective promises, in words, for titles and alarm descriptions. */
export function describeObjective(objective: SloObjective, windowDays: number): string {
  return objective.kind === 'availability'
    ? `${objective.targetPercent}% of requests without a 5xx over ${windowDays} days`
    : `${objective.targetPercent}% of requests within ${objective.thresholdMs} ms over ${windowDays} days`;
}

/**
 * Multi-window, multi-burn-rate alerts on a model's SLOs (The Site Reliability Workbook,
 * "Alerting on SLOs"): per objective and burn rate, one metric-math alarm over the long window
 * and one over the short window, and a composite alarm that pages through the stage's alerting
 * when both burn faster than the rate. The window alarms have no action: only the pair pages.
 * Each alarm is one period of the window's length: with the default sliding evaluation window the
 * range "advances each time the alarm is evaluated, forming a rolling time window" of Period ×
 * EvaluationPeriods (CloudWatch User Guide, "Alarm evaluation window"), so a 1 h period reads the
 * last hour. At most 2 metrics per alarm (metric-math alarms take up to 10; "Alarm limits").
 */
export class SloBurnRateAlarms extends Construct {
  /** The window alarms (two per objective and burn rate). */
  public readonly windowAlarms: cloudwatch.Alarm[] = [];
  /** The paging alarms: long AND short window, one per objective and burn rate. */
  public readonly pages: cloudwatch.CompositeAlarm[] = [];

  constructor(scope: Construct, id: string, props: SloBurnRateAlarmsProps) {
    super(scope, id);
    validateSlo(this, props.slo);
    const { gateway, modelName, slo } = props;
    for (const objective of slo.objectives) {
      const kindId = objective.kind === 'availability' ? 'Availability' : 'Latency';
      for (const w of BURN_RATE_WINDOWS) {
        const windowAlarm = (seconds: number) => {
          const label = seconds >= 3600 ? `${seconds / 3600} h` : `${seconds / 60} min`;
          const alarm = burnRateMetric(gateway, modelName, objective, Duration.seconds(seconds)).createAlarm(this, `${kindId}${w.name}${seconds}s`, {
            alarmDescription: `[${gateway.stage}/${modelName}] ${objective.kind} SLO burn rate over ${label} above ${w.burnRate}× ` +
              `(SLO: ${describeObjective(objective, slo.windowDays)}). One window of a burn-rate pair; the composite alarm pages.`,
            threshold: w.burnRate,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            // No requests in the window burns no budget.
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          });
          acknowledgeInHipaaAndNist(alarm, 'CloudWatchAlarmAction', 'One window of a multi-window burn-rate pair: alone it is ' +
            'not worth a page (a short spike, or an old burn that has stopped). The composite alarm of the pair, long AND short ' +
            'window, notifies the stage alerting topic on ALARM and OK.');
          this.windowAlarms.push(alarm);
          return alarm;
        };
        const long = windowAlarm(w.longSeconds);
        const short = windowAlarm(w.shortSeconds);
        const spent = Math.round(w.burnRate * (w.longSeconds / 86400 / slo.windowDays) * 1000) / 10;
        const page = new cloudwatch.CompositeAlarm(this, `${kindId}${w.name}Burn`, {
          compositeAlarmName: props.alarmNamePrefix && `${props.alarmNamePrefix}-${objective.kind}-slo-${w.name.toLowerCase()}-burn`,
          alarmDescription: `[${gateway.stage}/${modelName}] ${w.name} burn of the ${objective.kind} error budget: ` +
            `above ${w.burnRate}× over both ${w.longSeconds / 3600} h and ${w.shortSeconds / 60} min, ` +
            `${spent}% of the ${slo.windowDays}-day budget (${formatNumber(errorBudget(objective.targetPercent) * 100)}% of requests) spent in ${w.longSeconds / 3600} h. ` +
            `SLO: ${describeObjective(objective, slo.windowDays)}.`,
          alarmRule: cloudwatch.AlarmRule.allOf(
            cloudwatch.AlarmRule.fromAlarm(long, cloudwatch.AlarmState.ALARM),
            cloudwatch.AlarmRule.fromAlarm(short, cloudwatch.AlarmState.ALARM),
          ),
        });
        page.addAlarmAction(props.alarmAction);
        page.addOkAction(props.alarmAction);
        this.pages.push(page);
      }
    }
  }
}

function validateSlo(scope: Construct, slo: ModelSlo): void {
  const check = new PropValidation();
  if (slo.windowDays !== 28 && slo.windowDays !== 30) check.fail('slo.windowDays', slo.windowDays, 'must be 28 or 30');
  if (slo.objectives.length === 0) check.fail('slo.objectives', '[]', 'needs at least one objective');
  const kinds = slo.objectives.map((o) => o.kind);
  slo.objectives.forEach((o, i) => {
    const fastest = Math.max(...BURN_RATE_WINDOWS.map((w) => w.burnRate));
    if (!(o.targetPercent < 100) || fastest * errorBudget(o.targetPercent) > 1) {
      check.fail(`slo.objectives[${i}].targetPercent`, o.targetPercent, `must leave a budget a ${fastest}× burn can spend: at least ${Math.ceil((100 - 100 / fastest) * 10) / 10} and below 100`);
    }
    if (o.kind === 'latency' && !(Number.isInteger(o.thresholdMs) && o.thresholdMs! > 0)) {
      check.fail(`slo.objectives[${i}].thresholdMs`, o.thresholdMs, 'must be a whole number of ms above 0 for a latency objective');
    }
    if (kinds.indexOf(o.kind) !== i) check.fail(`slo.objectives[${i}].kind`, o.kind, 'is given twice: one objective per kind');
  });
  check.throwIfAny(scope);
}
