import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';

describe('GpuInstanceType catalog', () => {
  test.each([
    // name, accelerator, GPUs, total GPU GiB, local NVMe (SageMaker reference §5 and the EC2 specs)
    [GpuInstanceType.G4DN_XLARGE, 'ml.g4dn.xlarge', 'T4', 1, 16, true],
    [GpuInstanceType.G4DN_12XLARGE, 'ml.g4dn.12xlarge', 'T4', 4, 64, true],
    [GpuInstanceType.G5_XLARGE, 'ml.g5.xlarge', 'A10G', 1, 24, true],
    [GpuInstanceType.G5_2XLARGE, 'ml.g5.2xlarge', 'A10G', 1, 24, true],
    [GpuInstanceType.G5_12XLARGE, 'ml.g5.12xlarge', 'A10G', 4, 96, true],
    [GpuInstanceType.G5_48XLARGE, 'ml.g5.48xlarge', 'A10G', 8, 192, true],
    [GpuInstanceType.G6_XLARGE, 'ml.g6.xlarge', 'L4', 1, 24, true],
    [GpuInstanceType.G6_12XLARGE, 'ml.g6.12xlarge', 'L4', 4, 96, true],
    [GpuInstanceType.G6E_12XLARGE, 'ml.g6e.12xlarge', 'L40S', 4, 192, true],
    [GpuInstanceType.P3_2XLARGE, 'ml.p3.2xlarge', 'V100', 1, 16, false],
    [GpuInstanceType.P3_8XLARGE, 'ml.p3.8xlarge', 'V100', 4, 64, false],
    [GpuInstanceType.P3_16XLARGE, 'ml.p3.16xlarge', 'V100', 8, 128, false],
    [GpuInstanceType.P4D_24XLARGE, 'ml.p4d.24xlarge', 'A100', 8, 320, true],
    [GpuInstanceType.P5_48XLARGE, 'ml.p5.48xlarge', 'H100', 8, 640, true],
  ])('%s: name, accelerator, GPU count, GPU memory and NVMe storage', (type, name, accelerator, gpus, gib, nvme) => {
    expect(type.name).toBe(name);
    expect(type.toString()).toBe(name);
    expect(type.spec).toMatchObject({ accelerator, gpuCount: gpus, gpuMemoryGiB: gib, hasLocalNvmeStorage: nvme });
    expect(type.isGpu).toBe(true);
  });

  test('G5_12XLARGE has 4 A10G GPUs with 96 GiB in total, 24 GiB each', () => {
    expect(GpuInstanceType.G5_12XLARGE.spec?.gpuCount).toBe(4);
    expect(GpuInstanceType.G5_12XLARGE.spec?.gpuMemoryGiB).toBe(96);
    expect(GpuInstanceType.G5_12XLARGE.gpuMemoryPerGpuGiB).toBe(24);
    expect(GpuInstanceType.G5_12XLARGE.family).toBe('g5');
  });

  test('P3 is the only catalog family without local NVMe storage (the one that accepts a KMS key)', () => {
    const withoutNvme = GpuInstanceType.all().filter((t) => !t.spec!.hasLocalNvmeStorage).map((t) => t.family);
    expect(new Set(withoutNvme)).toEqual(new Set(['p3']));
  });

  test('every catalog name is a SageMaker hosting type name and appears once', () => {
    const names = GpuInstanceType.all().map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^ml\.[a-z0-9-]+\.\d{0,2}xlarge$/);
  });

  test('all() is sorted by total GPU memory, smallest first', () => {
    const memory = GpuInstanceType.all().map((t) => t.spec!.gpuMemoryGiB);
    expect(memory).toEqual([...memory].sort((a, b) => a - b));
    expect(GpuInstanceType.all()[0].spec!.gpuMemoryGiB).toBe(16);
  });
});

describe('GpuInstanceType.of', () => {
  test('returns the catalog instance, with its facts, for a known name', () => {
    expect(GpuInstanceType.of('ml.g5.12xlarge')).toBe(GpuInstanceType.G5_12XLARGE);
    expect(GpuInstanceType.of('ml.p3.2xlarge')).toBe(GpuInstanceType.P3_2XLARGE);
  });

  test('accepts a type of a known GPU family outside the catalog, without facts', () => {
    const type = GpuInstanceType.of('ml.g7e.2xlarge');
    expect(type.isGpu).toBe(true);
    expect(type.spec).toBeUndefined();
    expect(type.family).toBe('g7e');
    expect(type.gpuMemoryPerGpuGiB).toBeUndefined();
  });

  test('a CPU type is not a GPU', () => {
    expect(GpuInstanceType.of('ml.m5.large').isGpu).toBe(false);
    expect(GpuInstanceType.of('ml.c5.xlarge').isGpu).toBe(false);
    expect(GpuInstanceType.of('ml.inf2.xlarge').isGpu).toBe(false);
  });

  test('facts given for a type outside the catalog are kept', () => {
    const spec = { accelerator: 'X', gpuCount: 2, gpuMemoryGiB: 64, vcpus: 16, memoryGiB: 128, hasLocalNvmeStorage: false };
    const type = GpuInstanceType.of('ml.g7.8xlarge', spec);
    expect(type.spec).toEqual(spec);
    expect(type.gpuMemoryPerGpuGiB).toBe(32);
  });
});

describe('GpuInstanceType.nearestTo', () => {
  test('suggests the recommended small GPU types for a small CPU type', () => {
    expect(GpuInstanceType.nearestTo('ml.m5.large').map((t) => t.name)).toEqual(['ml.g5.xlarge', 'ml.g6.xlarge']);
  });

  test('matches the vCPU count of the size suffix', () => {
    // 12xlarge = 48 vCPUs: the 4-GPU 12xlarge types of the preferred families.
    expect(GpuInstanceType.nearestTo('ml.c5.12xlarge').map((t) => t.name)).toEqual(['ml.g5.12xlarge', 'ml.g6.12xlarge']);
    expect(GpuInstanceType.nearestTo('ml.m5.2xlarge', 3).map((t) => t.name)).toEqual(['ml.g5.2xlarge', 'ml.g6.2xlarge', 'ml.g6e.2xlarge']);
  });
});
