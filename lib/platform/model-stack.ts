import { Annotations, ArnFormat, CfnOutput, Duration, RemovalPolicy, Size, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ModelArtifactStore } from '../artifacts/model-artifact-store';
import { ImportedModelArtifactStore } from '../artifacts/imported-model-artifact-store';
import { ModelVersion } from '../artifacts/model-version';
import { pascalCase } from '../common/pascal-case';
import type { PlatformConfig } from '../config/config-schema';
import { configInstanceType } from '../config/load-config';
import { platformNames } from '../config/platform-names';
import { deploymentStrategy } from '../config/rollout-config';
import { modelSlo, SHADOW_VARIANT_NAME } from '../config/slo-config';
import { GpuInferenceEndpoint } from '../endpoint/gpu-inference-endpoint';
import { GatewayMetrics, IGatewayMetrics } from '../gateway/gateway-metrics';
import { addGatewayRollbackAlarms } from '../gateway/gateway-rollback-alarms';
import { DataCaptureStore, IDataCaptureStore } from '../monitoring/data-capture-store';
import { DriftMonitor } from '../monitoring/drift-monitor';
import { ModelDashboard } from '../monitoring/model-dashboard';
import { DataQualityMonitor } from '../monitoring/model-monitor';
import { SageMakerPipelineTarget } from '../monitoring/sagemaker-pipeline-target';
import { SloBurnRateAlarms } from '../monitoring/slo-alarms';
import { ImportedStageAlerting } from '../monitoring/stage-alerting-reference';
import { modelRegistrationStatus } from '../pipeline/pipeline-plan';
import { autoscale, dashboardCost, inferenceImage, latencyBudget, optional, streamTimeToFirstToken } from './config-mapping';
import { SharedStageOutputs } from './shared-stage-outputs';

/**
 * Context key (`cdk deploy -c inference-platform:adopt-endpoints=true --import-existing-resources`)
 * that makes the model stacks adopt a running endpoint of the same name instead of creating it.
 */
export const ADOPT_CONTEXT_KEY = 'inference-platform:adopt-endpoints';

export interface ModelStackProps extends StackProps {
  /** The validated platform config (see `parsePlatformConfig`). */
  readonly config: PlatformConfig;
  /** The config's stage this model is served in. */
  readonly stageName: string;
  /** The model, one of the stage's. */
  readonly modelName: string;
  /** What the stage's shared stack publishes, as this stack reads it (`readSharedStageOutputs`). */
  readonly shared: SharedStageOutputs;
}

/**
 * One model of one stage, in a stack of its own: its versions (lineage and registry entries), its
 * GPU endpoint with scaling and rollback alarms, its drift alarms and retraining trigger, its
 * dashboard and one composite alarm for its health. It uses the stage's shared resources by
 * their published physical ids and never changes them, so a new version of this model deploys
 * this stack alone, and `cdk deploy <stage>/<model>` deploys one model.
 */
export class ModelStack extends Stack {
  public readonly modelName: string;
  public readonly endpoint: GpuInferenceEndpoint;
  public readonly artifactStore: ImportedModelArtifactStore;
  public readonly driftMonitor: DriftMonitor;
  public readonly dashboard: ModelDashboard;
  /** Every alarm of the model, as one: in alarm when any of them is. */
  public readonly healthAlarm: cloudwatch.CompositeAlarm;
  /** The gateway's metrics of this model, when the stage has a gateway. */
  public readonly gateway?: IGatewayMetrics;
  /** The burn-rate alarms of the model's SLO, when it has one. */
  public readonly sloAlarms?: SloBurnRateAlarms;

  constructor(scope: Construct, id: string, props: ModelStackProps) {
    super(scope, id, props);
    const { config, stageName, modelName, shared } = props;
    const stage = config.stages[stageName];
    const deployment = stage?.models[modelName];
    const model = config.models[modelName];
    if (!deployment || !model) throw new Error(`model ${JSON.stringify(modelName)} is not served in stage ${JSON.stringify(stageName)} of the platform config`);
    this.modelName = modelName;
    const names = (name: (p: string, s: string, m: string) => string) => name(config.name, stageName, modelName);
    const id_ = pascalCase(modelName);

    // The construct ids are those the models had in the one-stack-per-stage layout: the same
    // logical ids, so moving a deployed model here keeps its resources (README, "Upgrading").
    this.artifactStore = ModelArtifactStore.fromStoreAttributes(this, 'ArtifactStore', {
      bucketName: shared.artifactBucketName,
      encryptionKeyArn: shared.artifactKeyArn,
      modelPackageGroupName: stage.artifactStore?.modelPackageGroup ? platformNames.modelPackageGroup(config.name, stageName) : undefined,
      modelApprovalStatus: modelRegistrationStatus(config, stageName),
    });
    const captureStore: IDataCaptureStore | undefined = stage.dataCapture && shared.captureBucketName && shared.captureKeyArn
      ? DataCaptureStore.fromStoreAttributes(this, 'DataCapture', { bucketName: shared.captureBucketName, encryptionKeyArn: shared.captureKeyArn })
      : undefined;
    const alerting = new ImportedStageAlerting(this, 'Alerting', {
      topicName: shared.alarmTopicName,
      eventBusName: platformNames.eventBus(config.name, stageName),
      publisherFunctionName: shared.driftPublisherName,
      deadLetterQueueName: shared.deadLetterQueueName,
    });

    const version = (label: string): ModelVersion => this.artifactStore.modelVersions.find((v) => v.version === label)
      ?? this.artifactStore.addModelVersion({ modelName, version: label, ...model.versions[label] });
    const image = inferenceImage(model.image);
    const environment = { ...model.environment, ...deployment.environment };
    const shadow = deployment.shadow;
    this.endpoint = new GpuInferenceEndpoint(this, id_, {
      endpointName: names(platformNames.endpoint),
      modelVersion: version(deployment.version),
      image,
      instanceType: configInstanceType(config, deployment.instanceType),
      instanceCount: deployment.instanceCount,
      tensorParallelDegree: deployment.tensorParallelDegree,
      environment,
      volumeSize: optional(deployment.volumeSizeGiB, Size.gibibytes),
      modelDataDownloadTimeout: optional(deployment.modelDataDownloadTimeoutSeconds, Duration.seconds),
      containerStartupHealthCheckTimeout: optional(deployment.containerStartupHealthCheckTimeoutSeconds, Duration.seconds),
      latencyBudget: latencyBudget(model),
      maxErrorRate: deployment.maxErrorRate,
      rolePath: platformNames.rolePath(config.name, stageName),
      dataCapture: captureStore && stage.dataCapture && {
        store: captureStore, samplingPercentage: stage.dataCapture.samplingPercentage, mode: stage.dataCapture.mode,
      },
      scaleToZero: deployment.scaleToZero && {
        maxInstanceCount: deployment.scaleToZero.maxInstanceCount,
        memoryPerCopy: optional(deployment.scaleToZero.memoryPerCopyGiB, Size.gibibytes),
        invocationsPerCopyPerMinute: deployment.scaleToZero.invocationsPerCopyPerMinute,
      },
      deploymentStrategy: deployment.rollout && deploymentStrategy(deployment.rollout),
      shadowVariant: shadow && {
        variantName: SHADOW_VARIANT_NAME,
        modelVersion: version(shadow.version),
        image,
        instanceType: configInstanceType(config, shadow.instanceType),
        instanceCount: shadow.instanceCount,
        samplingPercentage: shadow.samplingPercentage,
        environment,
      },
    });
    if (deployment.autoscaling) autoscale(this.endpoint, deployment.autoscaling);
    const dataQuality = deployment.modelMonitor && captureStore ? new DataQualityMonitor(this, `${id_}DataQuality`, {
      endpoint: this.endpoint, artifactStore: this.artifactStore, captureStore, alarmAction: alerting.alarmAction,
      baselineS3Prefix: deployment.modelMonitor.baselineS3Prefix, features: deployment.modelMonitor.features,
      instanceType: deployment.modelMonitor.instanceType, rolePath: platformNames.rolePath(config.name, stageName),
    }) : undefined;
    if (this.node.tryGetContext(ADOPT_CONTEXT_KEY) === true || this.node.tryGetContext(ADOPT_CONTEXT_KEY) === 'true') {
      // Upgrading a deployed stage (README, "Upgrading"): the resources with fixed names that the
      // former stage stack created are adopted by `cdk deploy --import-existing-resources`, which
      // imports only resources whose DeletionPolicy is Retain or RetainExceptOnCreate.
      for (const named of [this.endpoint.endpoint, this.endpoint.inferenceComponentScaling?.inferenceComponent]) {
        named?.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
      }
    }
    new CfnOutput(this, `${id_}EndpointName`, { value: this.endpoint.endpointName, description: `SageMaker endpoint of ${modelName}` });

    // The gateway is in the shared stack; its metrics are named by stage and model, so the
    // gateway's rollback alarms of this model live here, next to the endpoint they roll back.
    this.gateway = stage.gateway ? GatewayMetrics.ofStage(stageName) : undefined;
    if (this.gateway) addGatewayRollbackAlarms(new Construct(this, 'Gateway'), this.gateway, modelName, this.endpoint);

    this.driftMonitor = new DriftMonitor(this, `${id_}Drift`, {
      stage: stageName, modelName, endpoint: this.endpoint, gateway: this.gateway, alerting, driftRuleName: names(platformNames.driftRule),
    });
    const trigger = deployment.retrainingTrigger;
    if (trigger) {
      const rule = this.driftMonitor.onDrift(this.retrainingTarget(`${id_}Retraining`, trigger.type, trigger.arn, alerting.deadLetterQueue));
      // The trigger's ARN names an account; an environment-agnostic stage cannot compare it with its
      // own. The trigger is the stage's own resource (see retrainingTarget), so this is not cross-environment.
      Annotations.of(rule).acknowledgeWarning('@aws-cdk/aws-events:ruleUnresolvedEnvironment', 'the retraining trigger is a resource of the stage\'s own account and region');
    }
    const slo = modelSlo(config, stageName, modelName);
    // The SLIs are the gateway's metrics; the config refuses an SLO in a stage without a gateway.
    this.sloAlarms = slo && this.gateway ? new SloBurnRateAlarms(this, `${id_}Slo`, {
      modelName, gateway: this.gateway, slo, alarmAction: alerting.alarmAction, alarmNamePrefix: names(platformNames.endpoint),
    }) : undefined;
    const alarms: cloudwatch.IAlarm[] = [...this.driftMonitor.alarms, ...(dataQuality?.alarms ?? []), ...(this.sloAlarms?.pages ?? [])];
    const { cost, missingPrices } = dashboardCost(config, stageName, modelName);
    this.dashboard = new ModelDashboard(this, `${id_}Dashboard`, {
      stage: stageName, modelName, endpoint: this.endpoint, gateway: this.gateway, alarms,
      streaming: this.gateway && model.streaming ? { timeToFirstTokenBudget: streamTimeToFirstToken(model) } : undefined,
      scaling: deployment.autoscaling && { minCapacity: deployment.autoscaling.minCapacity, maxCapacity: deployment.autoscaling.maxCapacity },
      // The same band the drift alarms use.
      anomalyBandStdDevs: 3,
      slo: this.gateway ? slo : undefined,
      cost: this.gateway ? cost : undefined,
    });
    if (this.gateway && missingPrices.length > 0) {
      this.dashboard.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `No cost widgets: ${missingPrices.join('; ')}.`, width: 24, height: 2 }));
    }
    this.healthAlarm = new cloudwatch.CompositeAlarm(this, `${id_}Health`, {
      compositeAlarmName: names(platformNames.healthAlarm),
      alarmDescription: `[${stageName}/${modelName}] At least one alarm of ${modelName} is in ALARM: open the dashboard ` +
        `${names(platformNames.modelDashboard)} for which one. This alarm only summarises the model on the stage overview; ` +
        'the alarms themselves notify.',
      alarmRule: cloudwatch.AlarmRule.anyOf(...[...this.endpoint.allRollbackAlarms(), ...alarms]
        .map((alarm) => cloudwatch.AlarmRule.fromAlarm(alarm, cloudwatch.AlarmState.ALARM))),
    });
  }

  /** The health alarm by its literal ARN, for a stack that must not reference this one (the stage overview). */
  public static healthAlarmArn(scope: Construct, config: PlatformConfig, stageName: string, modelName: string): string {
    return Stack.of(scope).formatArn({
      service: 'cloudwatch', resource: 'alarm', arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: platformNames.healthAlarm(config.name, stageName, modelName),
    });
  }

  /**
   * A retraining target that retries, then keeps what it could not deliver in the stage's
   * dead-letter queue (whose policy in the shared stack admits the stage's drift rules by name).
   */
  private retrainingTarget(id: string, type: 'sagemaker-pipeline' | 'state-machine' | 'lambda', arn: string, deadLetterQueue: sqs.IQueue): events.IRuleTarget {
    const delivery = { retryAttempts: 8, maxEventAge: Duration.hours(2), deadLetterQueue };
    switch (type) {
      case 'state-machine': return new targets.SfnStateMachine(sfn.StateMachine.fromStateMachineArn(this, id, arn), delivery);
      // The rule invokes the function through the function's resource policy, which the target
      // adds only for a function it knows to be in the rule's account: an environment-agnostic
      // stage cannot tell, so without `sameEnvironment` no permission was added and every
      // delivery failed into the dead-letter queue. A trigger is the stage's own function.
      case 'lambda': return new targets.LambdaFunction(lambda.Function.fromFunctionAttributes(this, id, { functionArn: arn, sameEnvironment: true }), delivery);
      case 'sagemaker-pipeline': return new SageMakerPipelineTarget(arn, delivery);
    }
  }
}
