import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { acknowledgeInHipaaAndNist } from '../compliance/acknowledge';
import { AlarmSpec } from './rollback-alarm-spec';

export interface RollbackAlarmsProps {
  /** What the alarms say they watch, e.g. `inference-prod-chat/AllTraffic`. */
  readonly subject: string;
  /**
   * The metric dimensions: for an endpoint variant, the literal endpoint name (so the endpoint can
   * name these alarms without a cycle), the variant and the new endpoint config's name, so that
   * only the new fleet is watched; for an inference component, its name.
   */
  readonly dimensions: Record<string, string>;
  readonly specs: AlarmSpec[];
}

/**
 * The alarms SageMaker watches while it bakes a deployment: on alarm it shifts traffic back to
 * the old fleet (or the old model copies, for an inference component).
 */
export class RollbackAlarms extends Construct {
  public readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: RollbackAlarmsProps) {
    super(scope, id);
    this.alarms = props.specs.map((spec) => {
      const alarm = new cloudwatch.Alarm(this, spec.id, {
        alarmDescription: `[${props.subject}] ${spec.description}`,
        metric: new cloudwatch.Metric({
          namespace: spec.namespace,
          metricName: spec.metricName,
          statistic: spec.statistic,
          unit: spec.unit as cloudwatch.Unit | undefined,
          period: Duration.seconds(spec.periodSeconds),
          dimensionsMap: props.dimensions,
        }),
        threshold: spec.threshold,
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.datapointsToAlarm,
        comparisonOperator: spec.comparison as cloudwatch.ComparisonOperator,
        treatMissingData: spec.treatMissingData as cloudwatch.TreatMissingData,
      });
      acknowledgeInHipaaAndNist(alarm, 'CloudWatchAlarmAction', 'A deployment rollback alarm: SageMaker deployment guardrails ' +
        'read its state and roll traffic back to the old fleet, which is its action; it needs no SNS or Auto Scaling action.');
      return alarm;
    });
  }
}
