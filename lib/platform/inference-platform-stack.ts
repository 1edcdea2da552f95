import { CfnOutput, Duration, Size, Stack, StackProps, TimeZone } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { pascalCase } from '../common/pascal-case';
import { GpuInferenceEndpoint } from '../endpoint/gpu-inference-endpoint';
import { InferenceImage } from '../endpoint/inference-image';
import { GatewayModelOptions, PayloadFormat, SafetyGateway } from '../gateway/safety-gateway';
import { PolicySecret } from '../gateway/policy-secret';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { DataCaptureStore } from '../monitoring/data-capture-store';
import { DriftMonitor } from '../monitoring/drift-monitor';
import { ModelDashboard } from '../monitoring/model-dashboard';
import { DataQualityMonitor } from '../monitoring/model-monitor';
import { PlatformDashboard } from '../monitoring/platform-dashboard';
import { SageMakerPipelineTarget } from '../monitoring/sagemaker-pipeline-target';
import { StageAlerting } from '../monitoring/stage-alerting';
import { ModelArtifactStore } from '../artifacts/model-artifact-store';
import { ModelVersion } from '../artifacts/model-version';
import { AutoscalingConfig, ImageConfig, PlatformConfig } from '../config/config-schema';
import { deploymentStrategy } from '../config/rollout-config';
import { configInstanceType } from '../config/load-config';

export interface InferencePlatformStackProps extends StackProps {
  /** The validated platform config (see `parsePlatformConfig`). */
  readonly config: PlatformConfig;
  /** Which of the config's stages this stack is. */
  readonly stageName: string;
}

/** One stage of the platform: its artifact store and one GPU endpoint per model it serves. */
export class InferencePlatformStack extends Stack {
  public readonly artifactStore: ModelArtifactStore;
  public readonly endpoints: Record<string, GpuInferenceEndpoint> = {};
  /** The safety gateway, when the stage configures one. */
  public readonly gateway?: SafetyGateway;
  public readonly alerting: StageAlerting;
  public readonly driftMonitors: Record<string, DriftMonitor> = {};
  public readonly dataCaptureStore?: DataCaptureStore;

  constructor(scope: Construct, id: string, props: InferencePlatformStackProps) {
    super(scope, id, props);
    const { config, stageName } = props;
    const stage = config.stages[stageName];
    if (!stage) throw new Error(`stage ${JSON.stringify(stageName)} is not in the platform config (stages: ${Object.keys(config.stages).join(', ')})`);

    const lock = stage.artifactStore?.objectLock;
    this.artifactStore = new ModelArtifactStore(this, 'ArtifactStore', {
      objectLockRetention: lock && (lock.mode === 'COMPLIANCE'
        ? s3.ObjectLockRetention.compliance(Duration.days(lock.retentionDays))
        : s3.ObjectLockRetention.governance(Duration.days(lock.retentionDays))),
      noncurrentVersionExpiration: optional(stage.artifactStore?.noncurrentVersionExpirationDays, Duration.days),
      modelPackageGroupName: stage.artifactStore?.modelPackageGroup ? `${config.name}-${stageName}` : undefined,
    });
    new CfnOutput(this, 'ArtifactBucketName', { value: this.artifactStore.bucket.bucketName, description: 'Upload model artifacts here' });
    if (stage.dataCapture) {
      this.dataCaptureStore = new DataCaptureStore(this, 'DataCapture', {
        retention: Duration.days(stage.dataCapture.retentionDays),
        readers: (stage.dataCapture.readerRoleArns ?? []).map((arn, i) => iam.Role.fromRoleArn(this, `CaptureReader${i}`, arn, { mutable: false })),
        serverAccessLogsBucket: this.artifactStore.accessLogBucket,
      });
    }
    this.alerting = new StageAlerting(this, 'Alerting', { name: `${config.name}-${stageName}`, emails: stage.alerting?.emails });

    for (const [modelName, deployment] of Object.entries(stage.models)) {
      const model = config.models[modelName];
      const version = (label: string): ModelVersion => this.artifactStore.modelVersions.find((v) => v.modelName === modelName && v.version === label)
        ?? this.artifactStore.addModelVersion({ modelName, version: label, ...model.versions[label] });
      const modelVersion = version(deployment.version);
      const image = inferenceImage(model.image);
      const shadow = deployment.shadow;
      const endpoint = new GpuInferenceEndpoint(this, pascalCase(modelName), {
        endpointName: `${config.name}-${stageName}-${modelName}`,
        modelVersion,
        image,
        instanceType: configInstanceType(config, deployment.instanceType),
        instanceCount: deployment.instanceCount,
        tensorParallelDegree: deployment.tensorParallelDegree,
        environment: { ...model.environment, ...deployment.environment },
        volumeSize: optional(deployment.volumeSizeGiB, Size.gibibytes),
        modelDataDownloadTimeout: optional(deployment.modelDataDownloadTimeoutSeconds, Duration.seconds),
        containerStartupHealthCheckTimeout: optional(deployment.containerStartupHealthCheckTimeoutSeconds, Duration.seconds),
        latencyBudget: optional(model.latencyBudgetMs, Duration.millis),
        maxErrorRate: deployment.maxErrorRate,
        dataCapture: this.dataCaptureStore && stage.dataCapture && {
          store: this.dataCaptureStore, samplingPercentage: stage.dataCapture.samplingPercentage, mode: stage.dataCapture.mode,
        },
        scaleToZero: deployment.scaleToZero && {
          maxInstanceCount: deployment.scaleToZero.maxInstanceCount,
          memoryPerCopy: optional(deployment.scaleToZero.memoryPerCopyGiB, Size.gibibytes),
          invocationsPerCopyPerMinute: deployment.scaleToZero.invocationsPerCopyPerMinute,
        },
        deploymentStrategy: deployment.rollout && deploymentStrategy(deployment.rollout),
        shadowVariant: shadow && {
          variantName: 'Shadow',
          modelVersion: version(shadow.version),
          image,
          instanceType: configInstanceType(config, shadow.instanceType),
          instanceCount: shadow.instanceCount,
          samplingPercentage: shadow.samplingPercentage,
          environment: { ...model.environment, ...deployment.environment },
        },
      });
      if (deployment.autoscaling) autoscale(endpoint, deployment.autoscaling);
      this.endpoints[modelName] = endpoint;
      new CfnOutput(this, `${pascalCase(modelName)}EndpointName`, { value: endpoint.endpointName, description: `SageMaker endpoint of ${modelName}` });
    }

    if (stage.gateway) {
      const models: Record<string, GatewayModelOptions> = {};
      for (const [modelName, endpoint] of Object.entries(this.endpoints)) {
        const model = config.models[modelName];
        models[modelName] = {
          endpoint,
          format: model.payloadFormat ?? defaultPayloadFormat(model.image),
          rawPaths: model.rawPaths,
          safetyPolicy: model.safetyPolicy as GatewayModelOptions['safetyPolicy'],
          policySecret: policySecret(this, modelName, stage.gateway.policySecrets?.[modelName]),
          unknownRequestFields: model.unknownRequestFields,
        };
      }
      this.gateway = new SafetyGateway(this, 'Gateway', {
        stage: stageName,
        models,
        consumers: stage.gateway.consumers.map((c) => ({ name: c.name, rateLimit: c.rateLimit, burstLimit: c.burstLimit, quota: c.quotaPerDay })),
        webAclArn: stage.gateway.webAclArn,
        reservedConcurrency: stage.gateway.reservedConcurrency,
        logRetention: stage.gateway.logRetentionDays as logs.RetentionDays | undefined,
      });
    }

    for (const [modelName, endpoint] of Object.entries(this.endpoints)) {
      const monitor = new DriftMonitor(this, `${pascalCase(modelName)}Drift`, {
        stage: stageName, modelName, endpoint, gateway: this.gateway, alerting: this.alerting,
      });
      this.driftMonitors[modelName] = monitor;
      const deployment = stage.models[modelName];
      const trigger = deployment.retrainingTrigger;
      if (trigger) monitor.onDrift(this.retrainingTarget(`${pascalCase(modelName)}Retraining`, trigger.type, trigger.arn));
      const alarms: cloudwatch.IAlarm[] = [...monitor.alarms];
      if (deployment.modelMonitor && this.dataCaptureStore) {
        const dataQuality = new DataQualityMonitor(this, `${pascalCase(modelName)}DataQuality`, {
          endpoint, artifactStore: this.artifactStore, captureStore: this.dataCaptureStore, alarmAction: this.alerting.alarmAction,
          baselineS3Prefix: deployment.modelMonitor.baselineS3Prefix, features: deployment.modelMonitor.features,
          instanceType: deployment.modelMonitor.instanceType,
        });
        alarms.push(...dataQuality.alarms);
      }
      new ModelDashboard(this, `${pascalCase(modelName)}Dashboard`, {
        stage: stageName, modelName, endpoint, gateway: this.gateway, alarms,
        scaling: deployment.autoscaling && { minCapacity: deployment.autoscaling.minCapacity, maxCapacity: deployment.autoscaling.maxCapacity },
        // The same band the drift alarms use.
        anomalyBandStdDevs: 3,
      });
    }
    new PlatformDashboard(this, 'Dashboard', {
      stage: stageName,
      platformName: config.name,
      models: Object.entries(this.endpoints).map(([name, endpoint]) => ({ name, endpoint, gateway: this.gateway })),
      alarms: Object.values(this.driftMonitors).flatMap((m) => m.alarms),
    });
  }

  /** A retraining target that retries, then keeps what it could not deliver in the stage's dead-letter queue. */
  private retrainingTarget(id: string, type: 'sagemaker-pipeline' | 'state-machine' | 'lambda', arn: string): events.IRuleTarget {
    const delivery = { retryAttempts: 8, maxEventAge: Duration.hours(2), deadLetterQueue: this.alerting.deadLetterQueue };
    switch (type) {
      case 'state-machine': return new targets.SfnStateMachine(sfn.StateMachine.fromStateMachineArn(this, id, arn), delivery);
      case 'lambda': return new targets.LambdaFunction(lambda.Function.fromFunctionArn(this, id, arn), delivery);
      case 'sagemaker-pipeline': return new SageMakerPipelineTarget(arn, delivery);
    }
  }
}

function autoscale(endpoint: GpuInferenceEndpoint, config: AutoscalingConfig): void {
  const scaling = endpoint.autoScaleInstanceCount({ minCapacity: config.minCapacity, maxCapacity: config.maxCapacity });
  const cooldowns = { scaleInCooldown: Duration.seconds(config.scaleInCooldownSeconds), scaleOutCooldown: Duration.seconds(config.scaleOutCooldownSeconds) };
  if (config.invocationsPerInstancePerMinute !== undefined) {
    scaling.scaleOnInvocationsPerInstance('Invocations', { invocationsPerInstancePerMinute: config.invocationsPerInstancePerMinute, ...cooldowns });
  }
  if (config.concurrentRequestsPerInstance !== undefined) {
    scaling.scaleOnConcurrentRequests('Concurrency', { concurrentRequestsPerInstance: config.concurrentRequestsPerInstance, ...cooldowns });
  }
  if (config.gpuUtilizationPercentPerGpu !== undefined) {
    scaling.scaleOnGpuUtilization('GpuUtilization', { utilizationPercentPerGpu: config.gpuUtilizationPercentPerGpu, ...cooldowns });
  }
  for (const step of config.stepScaling ?? []) {
    scaling.scaleOnMetric(step.name, {
      metric: endpoint.metric(step.metric, { statistic: step.statistic }),
      scalingSteps: step.steps,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.seconds(step.cooldownSeconds),
    });
  }
  for (const schedule of config.schedules ?? []) {
    scaling.scaleOnSchedule(schedule.name, {
      schedule: appscaling.Schedule.expression(schedule.schedule),
      timeZone: schedule.timeZone ? TimeZone.of(schedule.timeZone) : undefined,
      minCapacity: schedule.minCapacity,
      maxCapacity: schedule.maxCapacity,
    });
  }
}

function policySecret(scope: Construct, modelName: string, setting: string | undefined): PolicySecret | undefined {
  if (setting === undefined) return undefined;
  return setting === 'generate' ? PolicySecret.generate()
    : PolicySecret.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(scope, `${pascalCase(modelName)}PolicySecret`, setting));
}

/** vLLM answers OpenAI-style; TGI and DJL LMI answer Hugging Face text generation. */
function defaultPayloadFormat(image: ImageConfig): PayloadFormat {
  return image.framework === 'vllm' ? 'openai-chat' : image.framework === 'tgi' || image.framework === 'djl-lmi' ? 'hf-text-generation' : 'raw';
}

function inferenceImage(image: ImageConfig): InferenceImage {
  if ('uri' in image) return InferenceImage.fromImageUri(image.uri, image.framework);
  switch (image.framework) {
    case 'vllm': return InferenceImage.vllm(image.tag);
    case 'djl-lmi': return InferenceImage.djlLmi(image.tag);
    case 'tgi': return InferenceImage.huggingFaceTgi(image.tag);
  }
}

function optional<T>(value: number | undefined, unit: (n: number) => T): T | undefined {
  return value === undefined ? undefined : unit(value);
}
