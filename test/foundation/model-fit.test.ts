import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';
import {
  checkModelFit, KV_CACHE_HEADROOM_FRACTION, requiredGpuMemoryGiB, USABLE_GPU_MEMORY_FRACTION, usableGpuMemoryGiB,
} from '../../lib/endpoint/model-fit';

const GIB = 1024 ** 3;

describe('requiredGpuMemoryGiB', () => {
  test('weights × bytes per parameter × (1 + 20% headroom), in GiB', () => {
    expect(KV_CACHE_HEADROOM_FRACTION).toBe(0.2);
    expect(requiredGpuMemoryGiB(8e9, 'bf16')).toBeCloseTo((8e9 * 2 * 1.2) / GIB, 6);
    expect(requiredGpuMemoryGiB(8e9, 'bf16')).toBeCloseTo(17.88, 2);
    expect(requiredGpuMemoryGiB(70e9, 'bf16')).toBeCloseTo(156.46, 2);
  });

  test.each([
    ['fp32', 4], ['fp16', 2], ['bf16', 2], ['fp8', 1], ['int8', 1], ['int4', 0.5],
  ] as const)('%s uses %d byte(s) per parameter', (precision, bytes) => {
    expect(requiredGpuMemoryGiB(1e9, precision)).toBeCloseTo((1e9 * bytes * 1.2) / GIB, 9);
  });
});

describe('usableGpuMemoryGiB', () => {
  test('90% of the GPU memory of the GPUs used (all by default)', () => {
    expect(USABLE_GPU_MEMORY_FRACTION).toBe(0.9);
    expect(usableGpuMemoryGiB(GpuInstanceType.G5_12XLARGE)).toBeCloseTo(86.4, 6);
    expect(usableGpuMemoryGiB(GpuInstanceType.G5_12XLARGE, 2)).toBeCloseTo(43.2, 6);
    expect(usableGpuMemoryGiB(GpuInstanceType.G5_2XLARGE)).toBeCloseTo(21.6, 6);
  });

  test('is 0 for a type without known facts', () => {
    expect(usableGpuMemoryGiB(GpuInstanceType.of('ml.g7e.2xlarge'))).toBe(0);
  });
});

describe('checkModelFit', () => {
  test('an 8B bf16 model fits one A10G (ml.g5.2xlarge)', () => {
    const fit = checkModelFit(8e9, 'bf16', GpuInstanceType.G5_2XLARGE);
    expect(fit.fits).toBe(true);
    expect(fit.requiredGiB).toBeCloseTo(17.88, 2);
    expect(fit.usableGiB).toBeCloseTo(21.6, 6);
  });

  test('an 8B bf16 model does not fit a 16 GiB T4; the smallest fitting type is ml.g5.xlarge', () => {
    const fit = checkModelFit(8e9, 'bf16', GpuInstanceType.G4DN_XLARGE);
    expect(fit.fits).toBe(false);
    expect(fit.smallestFittingType).toBe(GpuInstanceType.G5_XLARGE);
  });

  test('a 70B bf16 model does not fit ml.g5.12xlarge (96 GiB) and names the smallest type that holds it', () => {
    const fit = checkModelFit(70e9, 'bf16', GpuInstanceType.G5_12XLARGE);
    expect(fit.fits).toBe(false);
    expect(fit.requiredGiB).toBeGreaterThan(fit.usableGiB);
    // 156.5 GiB needed: 192 GiB types have 172.8 usable; of those ml.g6e.12xlarge has the fewest vCPUs.
    expect(fit.smallestFittingType?.name).toBe('ml.g6e.12xlarge');
    expect(usableGpuMemoryGiB(fit.smallestFittingType!)).toBeGreaterThanOrEqual(fit.requiredGiB);
  });

  test('the smallest fitting type is the first in catalog order that holds the model', () => {
    for (const [params, precision] of [[8e9, 'bf16'], [32.5e9, 'bf16'], [70e9, 'bf16'], [70e9, 'int4'], [180e9, 'fp8']] as const) {
      const fit = checkModelFit(params, precision, GpuInstanceType.G4DN_XLARGE);
      const fitting = GpuInstanceType.all().filter((t) => usableGpuMemoryGiB(t) >= fit.requiredGiB);
      expect(fit.smallestFittingType).toBe(fitting[0]);
      for (const smaller of GpuInstanceType.all().slice(0, GpuInstanceType.all().indexOf(fitting[0]))) {
        expect(usableGpuMemoryGiB(smaller)).toBeLessThan(fit.requiredGiB);
      }
    }
  });

  test('a 70B model quantized to int4 fits ml.g5.12xlarge', () => {
    expect(checkModelFit(70e9, 'int4', GpuInstanceType.G5_12XLARGE).fits).toBe(true);
  });

  test('the tensor-parallel degree limits the usable memory', () => {
    expect(checkModelFit(32.5e9, 'bf16', GpuInstanceType.G5_12XLARGE).fits).toBe(true);
    expect(checkModelFit(32.5e9, 'bf16', GpuInstanceType.G5_12XLARGE, 2).fits).toBe(false);
  });

  test('a model bigger than every catalog type has no smallest fitting type', () => {
    const fit = checkModelFit(1e12, 'bf16', GpuInstanceType.P5_48XLARGE);
    expect(fit.fits).toBe(false);
    expect(fit.smallestFittingType).toBeUndefined();
  });
});
