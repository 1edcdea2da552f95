import { GpuInstanceType } from './gpu-instance-type';

/** Serving precision of model weights. */
export type ServingPrecision = 'fp32' | 'fp16' | 'bf16' | 'fp8' | 'int8' | 'int4';

const BYTES_PER_PARAMETER: Record<ServingPrecision, number> = {
  fp32: 4, fp16: 2, bf16: 2, fp8: 1, int8: 1, int4: 0.5,
};

/**
 * Share of GPU memory a serving engine may use. vLLM's default `gpu_memory_utilization` is 0.9;
 * the rest is left for the CUDA context and the framework.
 */
export const USABLE_GPU_MEMORY_FRACTION = 0.9;

/**
 * Headroom over the raw weights, as a fraction of the weights: activations, CUDA graphs and a KV
 * cache big enough for a useful batch. 20% is the usual rule of thumb for serving; a model that
 * fits with less than this serves so few concurrent sequences that it is not worth deploying.
 */
export const KV_CACHE_HEADROOM_FRACTION = 0.2;

const GIB = 1024 ** 3;

/** GiB needed to serve `parameters` weights at `precision`, headroom included. */
export function requiredGpuMemoryGiB(parameters: number, precision: ServingPrecision): number {
  return (parameters * BYTES_PER_PARAMETER[precision] * (1 + KV_CACHE_HEADROOM_FRACTION)) / GIB;
}

/** GiB the engine can use on `gpus` GPUs of `type`. */
export function usableGpuMemoryGiB(type: GpuInstanceType, gpus = type.spec?.gpuCount ?? 0): number {
  return (type.gpuMemoryPerGpuGiB ?? 0) * gpus * USABLE_GPU_MEMORY_FRACTION;
}

export interface ModelFit {
  readonly fits: boolean;
  readonly requiredGiB: number;
  readonly usableGiB: number;
  /** The smallest catalog type (by GPU memory) on which the model fits, if any. */
  readonly smallestFittingType?: GpuInstanceType;
}

/**
 * Whether a model of `parameters` at `precision` fits on `tensorParallelDegree` GPUs of `type`,
 * and if not, the smallest catalog type that would hold it across all its GPUs.
 */
export function checkModelFit(parameters: number, precision: ServingPrecision, type: GpuInstanceType,
  tensorParallelDegree = type.spec?.gpuCount ?? 1): ModelFit {
  const requiredGiB = requiredGpuMemoryGiB(parameters, precision);
  const usableGiB = usableGpuMemoryGiB(type, tensorParallelDegree);
  const smallestFittingType = GpuInstanceType.all().find((t) => usableGpuMemoryGiB(t) >= requiredGiB);
  return { fits: requiredGiB <= usableGiB, requiredGiB, usableGiB, smallestFittingType };
}
