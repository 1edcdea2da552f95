import { Duration, Size } from 'aws-cdk-lib';
import { GpuInstanceType } from './gpu-instance-type';
import { InferenceImage } from './inference-image';
import { checkModelFit, ServingPrecision } from './model-fit';
import { ModelVersion } from '../artifacts/model-version';
import { PropValidation } from '../common/prop-validation';
import type { RoutingStrategy } from './routing-strategy';

/** What one production variant serves and on what. */
export interface VariantOptions {
  /** The model version to serve. */
  readonly modelVersion: ModelVersion;
  /** The serving container. */
  readonly image: InferenceImage;
  /** The GPU instance type. */
  readonly instanceType: GpuInstanceType;
  /**
   * Instances at creation (autoscaling may change it later).
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * Traffic weight relative to the other variants.
   * @default 1
   */
  readonly initialWeight?: number;
  /**
   * Container environment. Wins over the tensor-parallel variable set from `tensorParallelDegree`.
   * @default - only the tensor-parallel setting
   */
  readonly environment?: Record<string, string>;
  /**
   * GPUs one model replica is sharded across.
   * @default - every GPU of the instance type
   */
  readonly tensorParallelDegree?: number;
  /**
   * EBS ML storage volume per instance, 1–512 GiB.
   * @default - SageMaker's default for the type
   */
  readonly volumeSize?: Size;
  /**
   * Time allowed to download the model to the instance, 60–3600 s.
   * @default - SageMaker's default (600 s)
   */
  readonly modelDataDownloadTimeout?: Duration;
  /**
   * Time allowed for the container to pass its first health check, 60–3600 s. Large LLMs load
   * for many minutes (DJL LMI allows 1800 s by default).
   * @default - SageMaker's default (600 s)
   */
  readonly containerStartupHealthCheckTimeout?: Duration;
  /**
   * How requests are spread over instances.
   * @default RoutingStrategy.LEAST_OUTSTANDING_REQUESTS
   */
  readonly routingStrategy?: RoutingStrategy;
  /**
   * SageMaker inference AMI (GPU driver and CUDA version).
   * @default - the image's recommendation, or SageMaker's default
   */
  readonly inferenceAmiVersion?: string;
}

const INSTANCE_TYPE_NAME = /^ml\.[a-z0-9-]+\.(?:\d{0,2}x)?large$/;

/** Why `type` cannot serve where a GPU is required, or undefined when it can. */
export function instanceTypeProblem(type: GpuInstanceType): string | undefined {
  if (!INSTANCE_TYPE_NAME.test(type.name)) return 'is not a SageMaker instance type name (ml.<family>.<size>, e.g. ml.g5.2xlarge)';
  if (!type.isGpu) return `is not a GPU instance type (nearest: ${GpuInstanceType.nearestTo(type.name).map((t) => t.name).join(', ')})`;
  return undefined;
}

/** What a model needs to be checked against a GPU type. */
export interface SizedModel {
  readonly id: string;
  readonly parameterCount?: number;
  readonly precision: ServingPrecision;
}

/**
 * Why `model` does not fit `degree` GPUs of `type`, and the fix: a higher tensor-parallel degree
 * on the same type when one fits, else the smallest catalog type that fits; undefined when it
 * fits or cannot be checked (no parameter count, type without known facts).
 */
export function modelFitProblem(model: SizedModel, type: GpuInstanceType, degree = type.spec?.gpuCount): string | undefined {
  if (model.parameterCount === undefined || !type.spec) return undefined;
  const fit = checkModelFit(model.parameterCount, model.precision, type, degree);
  if (fit.fits) return undefined;
  const gpus = type.spec.gpuCount;
  const fitsOn = (d: number) => checkModelFit(model.parameterCount!, model.precision, type, d).fits;
  const higherDegree = degree !== undefined && degree < gpus ? tensorParallelDegrees(gpus).find((d) => d > degree && fitsOn(d)) : undefined;
  const smallest = fit.smallestFittingType;
  const otherType = smallest && `${smallest.name}${smallest.spec!.gpuCount > 1 ? ` (across its ${smallest.spec!.gpuCount} GPUs)` : ''}`;
  const fix = higherDegree !== undefined
    ? `raise tensorParallelDegree to ${higherDegree} to shard it across ${higherDegree === gpus ? 'all' : `${higherDegree} of the`} ${gpus} GPUs of ${type.name}`
    : otherType
      ? `the smallest catalog type that fits is ${otherType}`
      : 'no catalog type holds it: quantize it or shard it across instances';
  return `cannot hold ${model.id} (${formatParameters(model.parameterCount)} parameters at ${model.precision}: ` +
    `${fit.requiredGiB.toFixed(1)} GiB with KV-cache headroom, ${fit.usableGiB.toFixed(1)} GiB usable on ${degree} GPU(s)); ${fix}`;
}

/**
 * Tensor-parallel degrees worth suggesting on `gpus` GPUs: powers of two (serving engines shard
 * attention heads, whose counts are multiples of them) and the GPU count itself.
 */
function tensorParallelDegrees(gpus: number): number[] {
  const degrees: number[] = [];
  for (let d = 1; d < gpus; d *= 2) degrees.push(d);
  return [...degrees, gpus];
}

/** Why `degree` is not a valid tensor-parallel degree on `type`, or undefined. */
export function tensorParallelProblem(degree: number, type: GpuInstanceType): string | undefined {
  if (!Number.isInteger(degree) || degree < 1) return 'must be a whole number ≥ 1';
  const gpus = type.spec?.gpuCount;
  if (gpus !== undefined && degree > gpus) return `exceeds the ${gpus} GPU(s) of ${type.name}: use 1–${gpus}`;
  return undefined;
}

/** Validates one variant's options, recording every problem under `prefix`. */
export function validateVariant(check: PropValidation, prefix: string, options: VariantOptions & { variantName: string }): void {
  const type = options.instanceType;
  const typeProblem = instanceTypeProblem(type);
  if (typeProblem) check.fail(`${prefix}instanceType`, type.name, typeProblem);
  if (!/^[a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62}$/.test(options.variantName)) {
    check.fail(`${prefix}variantName`, options.variantName, 'must be ≤ 63 letters, digits and hyphens');
  }
  check.wholeNumber(`${prefix}instanceCount`, options.instanceCount, 1);
  if (options.initialWeight !== undefined && !(options.initialWeight >= 0)) check.fail(`${prefix}initialWeight`, options.initialWeight, 'must be ≥ 0');
  check.inRange(`${prefix}volumeSize (GiB)`, options.volumeSize?.toGibibytes(), 1, 512);
  check.inRange(`${prefix}modelDataDownloadTimeout (s)`, options.modelDataDownloadTimeout?.toSeconds(), 60, 3600, ' s');
  check.inRange(`${prefix}containerStartupHealthCheckTimeout (s)`, options.containerStartupHealthCheckTimeout?.toSeconds(), 60, 3600, ' s');
  const degree = options.tensorParallelDegree;
  const degreeProblem = degree === undefined ? undefined : tensorParallelProblem(degree, type);
  if (degreeProblem) check.fail(`${prefix}tensorParallelDegree`, degree, degreeProblem);
  const fitProblem = typeProblem || degreeProblem ? undefined : modelFitProblem(options.modelVersion, type, degree);
  if (fitProblem) check.fail(`${prefix}instanceType`, type.name, fitProblem);
}

function formatParameters(count: number): string {
  return count >= 1e9 ? `${+(count / 1e9).toFixed(1)}B` : `${+(count / 1e6).toFixed(1)}M`;
}
