import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { acknowledgeInHipaaAndNist } from './compliance';
import { AlarmSpec } from './rollback-alarm-spec';

export interface RollbackAlarmsProps {
  /** The endpoint's deterministic name: a literal, so the endpoint can name these alarms without a cycle. */
  readonly endpointName: string;
  readonly variantName: string;
  /** The new endpoint config's name: the alarms watch only the fleet it creates. */
  readonly endpointConfigName: string;
  readonly specs: AlarmSpec[];
}

/**
 * The alarms SageMaker watches while it bakes a deployment: on alarm it shifts traffic back to
 * the old fleet. They carry the `EndpointConfigName` dimension, so only the new fleet can trip them.
 */
export class RollbackAlarms extends Construct {
  public readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: RollbackAlarmsProps) {
    super(scope, id);
    this.alarms = props.specs.map((spec) => {
      const alarm = new cloudwatch.Alarm(this, spec.id, {
        alarmDescription: `[${props.endpointName}/${props.variantName}] ${spec.description}`,
        metric: new cloudwatch.Metric({
          namespace: spec.namespace,
          metricName: spec.metricName,
          statistic: spec.statistic,
          unit: spec.unit as cloudwatch.Unit | undefined,
          period: Duration.seconds(spec.periodSeconds),
          dimensionsMap: { EndpointName: props.endpointName, VariantName: props.variantName, EndpointConfigName: props.endpointConfigName },
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
