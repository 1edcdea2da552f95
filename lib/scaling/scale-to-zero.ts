import { Duration, Lazy, Size } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { RollbackAlarms } from '../rollout/rollback-alarms';
import { AlarmSpec } from '../rollout/rollback-alarm-spec';
import { sageMakerScalableTarget } from './sagemaker-scalable-target';

/** Opt-in scale to zero: the model runs as an inference component whose copies scale to 0 when idle. */
export interface ScaleToZeroOptions {
  /** Most instances SageMaker's managed instance scaling may run. */
  readonly maxInstanceCount: number;
  /**
   * Host memory reserved per model copy.
   * @default - half the instance type's memory
   */
  readonly memoryPerCopy?: Size;
  /**
   * Invocations per copy per minute that target tracking holds (SageMakerInferenceComponentInvocationsPerCopy).
   * @default 1 (SageMaker's scale-to-zero recipe)
   */
  readonly invocationsPerCopyPerMinute?: number;
  /** @default Duration.minutes(5) */
  readonly scaleInCooldown?: Duration;
  /** @default Duration.minutes(5) */
  readonly scaleOutCooldown?: Duration;
}

export interface InferenceComponentScalingProps extends ScaleToZeroOptions {
  /** The component's deterministic name (alarms and the gateway name it). */
  readonly inferenceComponentName: string;
  /** The endpoint name, from GetAtt so the component waits for the endpoint. */
  readonly endpointName: string;
  readonly variantName: string;
  readonly model: sagemaker.CfnModel;
  readonly acceleratorsPerCopy: number;
  readonly memoryPerCopyMb: number;
  readonly copiesPerInstance: number;
  readonly rollbackAlarmSpecs: AlarmSpec[];
  /**
   * Every alarm that rolls a new model version back, read at synthesis: the component's own and
   * those added later (e.g. the safety gateway's error and output-block rates).
   * @default - the component's own rollback alarms
   */
  readonly allRollbackAlarms?: () => cloudwatch.IAlarm[];
}

/**
 * An inference component that scales to zero copies, following SageMaker's recipe
 * (endpoint-auto-scaling-zero-instances): a scalable target with minimum 0, target tracking on
 * invocations per copy, and a step policy fired by `NoCapacityInvocationFailures`, because target
 * tracking cannot scale out from zero. The first request after idling fails while an instance
 * launches and loads the model: several minutes for a GPU model.
 */
export class InferenceComponentScaling extends Construct {
  public readonly inferenceComponent: sagemaker.CfnInferenceComponent;
  public readonly target: appscaling.ScalableTarget;
  public readonly rollbackAlarms: RollbackAlarms;
  public readonly noCapacityAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: InferenceComponentScalingProps) {
    super(scope, id);
    this.rollbackAlarms = new RollbackAlarms(this, 'RollbackAlarms', {
      subject: props.inferenceComponentName,
      dimensions: { InferenceComponentName: props.inferenceComponentName },
      specs: props.rollbackAlarmSpecs,
    });
    this.inferenceComponent = new sagemaker.CfnInferenceComponent(this, 'Component', {
      inferenceComponentName: props.inferenceComponentName,
      endpointName: props.endpointName,
      variantName: props.variantName,
      specification: {
        modelName: props.model.attrModelName,
        computeResourceRequirements: {
          numberOfAcceleratorDevicesRequired: props.acceleratorsPerCopy,
          minMemoryRequiredInMb: props.memoryPerCopyMb,
        },
      },
      runtimeConfig: { copyCount: 1 },
      // A new model version replaces copies one at a time, rolled back on the component's alarms.
      deploymentConfig: {
        rollingUpdatePolicy: { maximumBatchSize: { type: 'COPY_COUNT', value: 1 }, waitIntervalInSeconds: 300 },
        // Read at synthesis, so alarms added with the endpoint's addRollbackAlarm are consulted too.
        autoRollbackConfiguration: {
          alarms: Lazy.any({ produce: () => (props.allRollbackAlarms?.() ?? this.rollbackAlarms.alarms).map((a) => ({ alarmName: a.alarmName })) }),
        },
      },
    });

    const maxCopies = props.maxInstanceCount * props.copiesPerInstance;
    this.target = sageMakerScalableTarget(this, 'CopyCount', {
      scalableDimension: 'sagemaker:inference-component:DesiredCopyCount',
      resourceId: `inference-component/${props.inferenceComponentName}`,
      minCapacity: 0,
      maxCapacity: maxCopies,
    });
    this.target.node.addDependency(this.inferenceComponent);

    this.target.scaleToTrackMetric('InvocationsPerCopy', {
      predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_INFERENCE_COMPONENT_INVOCATIONS_PER_COPY,
      targetValue: props.invocationsPerCopyPerMinute ?? 1,
      scaleInCooldown: props.scaleInCooldown ?? Duration.minutes(5),
      scaleOutCooldown: props.scaleOutCooldown ?? Duration.minutes(5),
    });
    const scaleOutFromZero = new appscaling.StepScalingAction(this, 'ScaleOutFromZero', {
      scalingTarget: this.target,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      metricAggregationType: appscaling.MetricAggregationType.MAXIMUM,
      cooldown: Duration.minutes(1),
    });
    scaleOutFromZero.addAdjustment({ lowerBound: 0, adjustment: 1 });
    this.noCapacityAlarm = new cloudwatch.Alarm(this, 'NoCapacity', {
      alarmDescription: `[${props.inferenceComponentName}] Requests failed because no model copy is running (scaled to zero). ` +
        'This alarm adds a copy; requests fail for several minutes while an instance starts and loads the model.',
      metric: new cloudwatch.Metric({
        namespace: 'AWS/SageMaker',
        metricName: 'NoCapacityInvocationFailures',
        dimensionsMap: { InferenceComponentName: props.inferenceComponentName },
        statistic: 'Sum',
        period: Duration.minutes(1),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // The recipe's GreaterThanThreshold with threshold 1 would wait for two failures in a minute.
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.noCapacityAlarm.addAlarmAction({ bind: () => ({ alarmActionArn: scaleOutFromZero.scalingPolicyArn }) });
  }
}
