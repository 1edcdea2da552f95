import { CfnOutput, Duration, Size, Stack, StackProps } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { GpuInferenceEndpoint } from '../gpu-inference-endpoint';
import { GpuInstanceType } from '../gpu-instance-type';
import { InferenceImage } from '../inference-image';
import { ModelArtifactStore } from '../model-artifact-store';
import { ImageConfig, PlatformConfig } from './config-schema';

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

    for (const [modelName, deployment] of Object.entries(stage.models)) {
      const model = config.models[modelName];
      const modelVersion = this.artifactStore.addModelVersion({ modelName, version: deployment.version, ...model.versions[deployment.version] });
      const endpoint = new GpuInferenceEndpoint(this, pascalCase(modelName), {
        endpointName: `${config.name}-${stageName}-${modelName}`,
        modelVersion,
        image: inferenceImage(model.image),
        instanceType: GpuInstanceType.of(deployment.instanceType),
        instanceCount: deployment.instanceCount,
        tensorParallelDegree: deployment.tensorParallelDegree,
        environment: { ...model.environment, ...deployment.environment },
        volumeSize: optional(deployment.volumeSizeGiB, Size.gibibytes),
        modelDataDownloadTimeout: optional(deployment.modelDataDownloadTimeoutSeconds, Duration.seconds),
        containerStartupHealthCheckTimeout: optional(deployment.containerStartupHealthCheckTimeoutSeconds, Duration.seconds),
        latencyBudget: optional(model.latencyBudgetMs, Duration.millis),
      });
      this.endpoints[modelName] = endpoint;
      new CfnOutput(this, `${pascalCase(modelName)}EndpointName`, { value: endpoint.endpointName, description: `SageMaker endpoint of ${modelName}` });
    }
  }
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

function pascalCase(name: string): string {
  return name.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}
