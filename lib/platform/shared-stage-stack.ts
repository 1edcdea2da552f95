import { Aws, CfnOutput, Duration, Names, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { ModelArtifactStore } from '../artifacts/model-artifact-store';
import { pascalCase } from '../common/pascal-case';
import type { PlatformConfig } from '../config/config-schema';
import { platformNames } from '../config/platform-names';
import { GpuInferenceEndpoint } from '../endpoint/gpu-inference-endpoint';
import { GatewayModelOptions, SafetyGateway } from '../gateway/safety-gateway';
import { DataCaptureStore } from '../monitoring/data-capture-store';
import { StageAlerting } from '../monitoring/stage-alerting';
import { ModelApprovalForwarding } from '../pipeline/model-approval-trigger';
import { isSmokeTested, pipelineStages } from '../pipeline/pipeline-plan';
import { SmokeTestAccess } from '../pipeline/smoke-test-access';
import { optional, payloadFormat, policySecret, streamingOptions } from './config-mapping';
import { publishSharedStageOutputs } from './shared-stage-outputs';

export interface SharedStageStackProps extends StackProps {
  /** The validated platform config (see `parsePlatformConfig`). */
  readonly config: PlatformConfig;
  /** Which of the config's stages this is. */
  readonly stageName: string;
}

/**
 * What a stage's models share: the artifact store and model registry, the data capture bucket,
 * the alerting (topic, event bus, drift publisher) and the safety gateway in front of every
 * model. The models' stacks depend on it, never the other way: it names the models' endpoints
 * by their literal names (the gateway's routes and invoke grants), so a model's version or
 * settings never change this stack; adding or removing a model does (a gateway route).
 */
export class SharedStageStack extends Stack {
  public readonly artifactStore: ModelArtifactStore;
  public readonly alerting: StageAlerting;
  public readonly dataCaptureStore?: DataCaptureStore;
  /** The safety gateway, when the stage configures one. */
  public readonly gateway?: SafetyGateway;
  /** What the promotion pipeline's smoke test uses, when the pipeline smoke-tests this stage. */
  public readonly smokeTestAccess?: SmokeTestAccess;

  constructor(scope: Construct, id: string, props: SharedStageStackProps) {
    super(scope, id, props);
    const { config, stageName } = props;
    const stage = config.stages[stageName];
    if (!stage) throw new Error(`stage ${JSON.stringify(stageName)} is not in the platform config (stages: ${Object.keys(config.stages).join(', ')})`);
    const names = (name: (p: string, s: string) => string) => name(config.name, stageName);

    // Construct ids as in the one-stack-per-stage layout, so these resources keep their logical ids.
    const lock = stage.artifactStore?.objectLock;
    this.artifactStore = new ModelArtifactStore(this, 'ArtifactStore', {
      objectLockRetention: lock && (lock.mode === 'COMPLIANCE'
        ? s3.ObjectLockRetention.compliance(Duration.days(lock.retentionDays))
        : s3.ObjectLockRetention.governance(Duration.days(lock.retentionDays))),
      noncurrentVersionExpiration: optional(stage.artifactStore?.noncurrentVersionExpirationDays, Duration.days),
      modelPackageGroupName: stage.artifactStore?.modelPackageGroup ? names(platformNames.modelPackageGroup) : undefined,
    });
    if (stage.dataCapture) {
      this.dataCaptureStore = new DataCaptureStore(this, 'DataCapture', {
        retention: Duration.days(stage.dataCapture.retentionDays),
        readers: (stage.dataCapture.readerRoleArns ?? []).map((arn, i) => iam.Role.fromRoleArn(this, `CaptureReader${i}`, arn, { mutable: false })),
        serverAccessLogsBucket: this.artifactStore.accessLogBucket,
        // The endpoints and monitoring jobs are in the model stacks, deployed after this one.
        trustedRolePath: names(platformNames.rolePath),
      });
    }
    this.alerting = new StageAlerting(this, 'Alerting', { name: `${config.name}-${stageName}`, emails: stage.alerting?.emails });
    this.allowDriftRulesToDeadLetter(config.name, stageName);

    if (stage.gateway) {
      const models: Record<string, GatewayModelOptions> = {};
      for (const modelName of Object.keys(stage.models)) {
        const model = config.models[modelName];
        models[modelName] = {
          // By literal name: the endpoint is in the model's stack, deployed after this one.
          endpoint: GpuInferenceEndpoint.fromEndpointAttributes(this, `${pascalCase(modelName)}EndpointReference`, {
            endpointName: platformNames.endpoint(config.name, stageName, modelName),
            inferenceComponentName: stage.models[modelName].scaleToZero ? platformNames.inferenceComponent(config.name, stageName, modelName) : undefined,
          }),
          latencyBudget: optional(model.latencyBudgetMs, Duration.millis),
          format: payloadFormat(model),
          rawPaths: model.rawPaths,
          safetyPolicy: model.safetyPolicy as GatewayModelOptions['safetyPolicy'],
          policySecret: policySecret(this, modelName, stage.gateway.policySecrets?.[modelName]),
          unknownRequestFields: model.unknownRequestFields,
          streaming: streamingOptions(model),
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
      this.keepUsagePlanKeyIds(this.gateway);
      if (config.pipeline && isSmokeTested(config, stageName)) {
        this.smokeTestAccess = new SmokeTestAccess(this, 'PipelineSmokeTest', {
          gateway: this.gateway,
          endpointNames: Object.keys(stage.models).map((m) => platformNames.endpoint(config.name, stageName, m)),
          roleName: names(platformNames.smokeTestRole),
          pipelineAccount: config.pipeline.account,
          runnerRoleArn: `arn:${Aws.PARTITION}:iam::${config.pipeline.account}:role/${names(platformNames.smokeTestRunnerRole)}`,
        });
      }
    }

    const pipeline = config.pipeline;
    if (pipeline?.modelRegistryStage === stageName) {
      const here = pipelineStages({ ...config, pipeline }).find((p) => p.name === stageName)!;
      if (here.account !== pipeline.account || here.region !== pipeline.region) {
        new ModelApprovalForwarding(this, 'ModelApprovalForwarding', {
          modelPackageGroupName: names(platformNames.modelPackageGroup), pipelineAccount: pipeline.account, pipelineRegion: pipeline.region,
          deadLetterQueue: this.alerting.deadLetterQueue,
        });
      }
    }

    publishSharedStageOutputs(this, {
      artifactBucketName: this.artifactStore.bucket.bucketName,
      artifactKeyArn: this.artifactStore.encryptionKey.keyArn,
      alarmTopicName: this.alerting.topic.topicName,
      driftPublisherName: this.alerting.publisher.function.functionName,
      deadLetterQueueName: this.alerting.deadLetterQueue.queueName,
      captureBucketName: this.dataCaptureStore?.bucket.bucketName,
      captureKeyArn: this.dataCaptureStore?.encryptionKey.keyArn,
    });
    new CfnOutput(this, 'ModelStacks', {
      value: Object.keys(stage.models).map((m) => platformNames.modelStack(config.name, stageName, m)).join(' '),
      description: 'The stacks of this stage\'s models, deployed after this one',
    });
  }

  /**
   * API Gateway names a usage plan key after the API key's unique id, which includes the path of
   * the stack: here `<stage>/Shared/...`, in the one-stack-per-stage layout `<stage>/...`. A new
   * logical id would make CloudFormation create the key's association again before deleting the
   * old one, which API Gateway refuses (the key is already in the plan): keep the former ids.
   */
  private keepUsagePlanKeyIds(gateway: SafetyGateway): void {
    // The former stack was a child of the app with the shared stack's name as its id.
    const inStack = (c: IConstruct) => c.node.scopes.slice(this.node.scopes.length).map((x) => x.node.id);
    const formerKeyIds = new Map(Object.values(gateway.apiKeys).map((key) =>
      [`UsagePlanKeyResource:${Names.nodeUniqueId(key.node)}`, `UsagePlanKeyResource:${uniqueIdOfPath([this.stackName, ...inStack(key)])}`]));
    for (const usagePlanKey of gateway.node.findAll()) {
      const formerId = formerKeyIds.get(usagePlanKey.node.id);
      if (formerId && usagePlanKey instanceof apigateway.CfnUsagePlanKey) {
        usagePlanKey.overrideLogicalId(uniqueIdOfPath([...inStack(usagePlanKey).slice(0, -1), formerId]));
      }
    }
  }

  /**
   * The drift rules and the retraining rules are in the model stacks, so the dead-letter queue
   * cannot list their ARNs (its stack deploys first): it allows them by pattern instead, the drift
   * rules (default bus) by their names, the retraining rules by the stage's own event bus, whose
   * rules' ARNs are `rule/<bus>/<rule>`. EventBridge sends a rule's undeliverable events to its DLQ
   * as `events.amazonaws.com`, with the rule as `aws:SourceArn` (EventBridge User Guide, "Using
   * dead-letter queues").
   */
  private allowDriftRulesToDeadLetter(platform: string, stageName: string): void {
    const rules = `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule`;
    this.alerting.deadLetterQueue.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowDriftRulesOfThisStage',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [this.alerting.deadLetterQueue.queueArn],
      conditions: {
        ArnLike: { 'aws:SourceArn': [`${rules}/${platformNames.driftRule(platform, stageName, '*')}`, `${rules}/${platformNames.eventBus(platform, stageName)}/*`] },
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      },
    }));
  }
}

/** The unique id CDK gives a construct at this path (the logical id of a resource at this path within a stack). */
function uniqueIdOfPath(components: string[]): string {
  let scope = new Construct(undefined as unknown as Construct, '');
  for (const id of components) scope = new Construct(scope, id);
  return Names.nodeUniqueId(scope.node);
}
