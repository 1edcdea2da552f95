/**
 * Hardware facts of one SageMaker hosting instance type.
 *
 * GPU counts and memory come from the SageMaker Python SDK's GPU table and the AWS Batch GPU
 * table; vCPUs, memory and instance storage from the EC2 instance type specifications.
 */
export interface GpuInstanceSpec {
  /** The accelerator model, e.g. `A10G`. */
  readonly accelerator: string;
  /** Number of GPUs on the instance. */
  readonly gpuCount: number;
  /** Total GPU memory across all GPUs, in GiB. */
  readonly gpuMemoryGiB: number;
  /** Number of vCPUs. */
  readonly vcpus: number;
  /** Host memory in GiB. */
  readonly memoryGiB: number;
  /**
   * Whether the instance has local NVMe instance storage. SageMaker rejects `KmsKeyId` on an
   * endpoint config that uses such a type: the local volume is encrypted by the Nitro hardware
   * module instead (CreateEndpointConfig API reference, `KmsKeyId`).
   */
  readonly hasLocalNvmeStorage: boolean;
}

/** Catalog types by name; module-level so it exists before the static constants register into it. */
const CATALOG = new Map<string, GpuInstanceType>();

/** SageMaker hosting families with NVIDIA GPUs (the ProductionVariantInstanceType enum, 2026-08). */
const GPU_FAMILIES = ['g4dn', 'g5', 'g6', 'g6e', 'g7', 'g7e', 'p3', 'p3dn', 'p4d', 'p4de', 'p5', 'p5e', 'p5en', 'p6-b200', 'p6-b300', 'p6e-gb200'];

/** Families ordered by how generally we recommend them for LLM serving: first is suggested first. */
const FAMILY_PREFERENCE = ['g5', 'g6', 'g6e', 'g4dn', 'p4d', 'p4de', 'p5', 'p5e', 'p5en', 'p3'];

/**
 * A SageMaker GPU hosting instance type.
 *
 * Use a catalog constant (`GpuInstanceType.G5_12XLARGE`) to get its GPU facts, or
 * `GpuInstanceType.of('ml.x.y')` for a type outside the catalog.
 */
export class GpuInstanceType {
  /** NVIDIA T4, 1 GPU, 16 GiB. */
  public static readonly G4DN_XLARGE = GpuInstanceType.catalog('ml.g4dn.xlarge', 'T4', 1, 16, 4, 16, true);
  public static readonly G4DN_2XLARGE = GpuInstanceType.catalog('ml.g4dn.2xlarge', 'T4', 1, 16, 8, 32, true);
  public static readonly G4DN_4XLARGE = GpuInstanceType.catalog('ml.g4dn.4xlarge', 'T4', 1, 16, 16, 64, true);
  public static readonly G4DN_8XLARGE = GpuInstanceType.catalog('ml.g4dn.8xlarge', 'T4', 1, 16, 32, 128, true);
  public static readonly G4DN_12XLARGE = GpuInstanceType.catalog('ml.g4dn.12xlarge', 'T4', 4, 64, 48, 192, true);
  public static readonly G4DN_16XLARGE = GpuInstanceType.catalog('ml.g4dn.16xlarge', 'T4', 1, 16, 64, 256, true);

  /** NVIDIA A10G, 1 GPU, 24 GiB. */
  public static readonly G5_XLARGE = GpuInstanceType.catalog('ml.g5.xlarge', 'A10G', 1, 24, 4, 16, true);
  public static readonly G5_2XLARGE = GpuInstanceType.catalog('ml.g5.2xlarge', 'A10G', 1, 24, 8, 32, true);
  public static readonly G5_4XLARGE = GpuInstanceType.catalog('ml.g5.4xlarge', 'A10G', 1, 24, 16, 64, true);
  public static readonly G5_8XLARGE = GpuInstanceType.catalog('ml.g5.8xlarge', 'A10G', 1, 24, 32, 128, true);
  public static readonly G5_12XLARGE = GpuInstanceType.catalog('ml.g5.12xlarge', 'A10G', 4, 96, 48, 192, true);
  public static readonly G5_16XLARGE = GpuInstanceType.catalog('ml.g5.16xlarge', 'A10G', 1, 24, 64, 256, true);
  public static readonly G5_24XLARGE = GpuInstanceType.catalog('ml.g5.24xlarge', 'A10G', 4, 96, 96, 384, true);
  public static readonly G5_48XLARGE = GpuInstanceType.catalog('ml.g5.48xlarge', 'A10G', 8, 192, 192, 768, true);

  /** NVIDIA L4, 1 GPU, 24 GiB. */
  public static readonly G6_XLARGE = GpuInstanceType.catalog('ml.g6.xlarge', 'L4', 1, 24, 4, 16, true);
  public static readonly G6_2XLARGE = GpuInstanceType.catalog('ml.g6.2xlarge', 'L4', 1, 24, 8, 32, true);
  public static readonly G6_4XLARGE = GpuInstanceType.catalog('ml.g6.4xlarge', 'L4', 1, 24, 16, 64, true);
  public static readonly G6_8XLARGE = GpuInstanceType.catalog('ml.g6.8xlarge', 'L4', 1, 24, 32, 128, true);
  public static readonly G6_12XLARGE = GpuInstanceType.catalog('ml.g6.12xlarge', 'L4', 4, 96, 48, 192, true);
  public static readonly G6_16XLARGE = GpuInstanceType.catalog('ml.g6.16xlarge', 'L4', 1, 24, 64, 256, true);
  public static readonly G6_24XLARGE = GpuInstanceType.catalog('ml.g6.24xlarge', 'L4', 4, 96, 96, 384, true);
  public static readonly G6_48XLARGE = GpuInstanceType.catalog('ml.g6.48xlarge', 'L4', 8, 192, 192, 768, true);

  /** NVIDIA L40S, 1 GPU, 48 GB. */
  public static readonly G6E_XLARGE = GpuInstanceType.catalog('ml.g6e.xlarge', 'L40S', 1, 48, 4, 32, true);
  public static readonly G6E_2XLARGE = GpuInstanceType.catalog('ml.g6e.2xlarge', 'L40S', 1, 48, 8, 64, true);
  public static readonly G6E_4XLARGE = GpuInstanceType.catalog('ml.g6e.4xlarge', 'L40S', 1, 48, 16, 128, true);
  public static readonly G6E_8XLARGE = GpuInstanceType.catalog('ml.g6e.8xlarge', 'L40S', 1, 48, 32, 256, true);
  public static readonly G6E_12XLARGE = GpuInstanceType.catalog('ml.g6e.12xlarge', 'L40S', 4, 192, 48, 384, true);
  public static readonly G6E_16XLARGE = GpuInstanceType.catalog('ml.g6e.16xlarge', 'L40S', 1, 48, 64, 512, true);
  public static readonly G6E_24XLARGE = GpuInstanceType.catalog('ml.g6e.24xlarge', 'L40S', 4, 192, 96, 768, true);
  public static readonly G6E_48XLARGE = GpuInstanceType.catalog('ml.g6e.48xlarge', 'L40S', 8, 384, 192, 1536, true);

  /** NVIDIA V100 (EBS-only: the one GPU family here that accepts a KMS key on the endpoint config). */
  public static readonly P3_2XLARGE = GpuInstanceType.catalog('ml.p3.2xlarge', 'V100', 1, 16, 8, 61, false);
  public static readonly P3_8XLARGE = GpuInstanceType.catalog('ml.p3.8xlarge', 'V100', 4, 64, 32, 244, false);
  public static readonly P3_16XLARGE = GpuInstanceType.catalog('ml.p3.16xlarge', 'V100', 8, 128, 64, 488, false);

  /** NVIDIA A100 40 GB ×8. */
  public static readonly P4D_24XLARGE = GpuInstanceType.catalog('ml.p4d.24xlarge', 'A100', 8, 320, 96, 1152, true);
  /** NVIDIA A100 80 GB ×8 (610352 MiB in the SDK table). */
  public static readonly P4DE_24XLARGE = GpuInstanceType.catalog('ml.p4de.24xlarge', 'A100-80GB', 8, 596, 96, 1152, true);
  /** NVIDIA H100 ×1. */
  public static readonly P5_4XLARGE = GpuInstanceType.catalog('ml.p5.4xlarge', 'H100', 1, 80, 16, 256, true);
  /** NVIDIA H100 ×8. */
  public static readonly P5_48XLARGE = GpuInstanceType.catalog('ml.p5.48xlarge', 'H100', 8, 640, 192, 2048, true);
  /** NVIDIA H200 ×8 (141 GB each). */
  public static readonly P5E_48XLARGE = GpuInstanceType.catalog('ml.p5e.48xlarge', 'H200', 8, 1128, 192, 2048, true);
  public static readonly P5EN_48XLARGE = GpuInstanceType.catalog('ml.p5en.48xlarge', 'H200', 8, 1128, 192, 2048, true);

  /**
   * A type by name. Catalog types come back with their GPU facts. For a type outside the catalog,
   * give its facts in `spec` to get GPU-count defaults, the KMS decision and the fit check; without
   * them it is accepted only if its family is a known GPU family (e.g. `ml.g7e.2xlarge`).
   */
  public static of(name: string, spec?: GpuInstanceSpec): GpuInstanceType {
    return CATALOG.get(name) ?? new GpuInstanceType(name, spec);
  }

  /** Every catalog type, smallest GPU memory first. */
  public static all(): GpuInstanceType[] {
    return [...CATALOG.values()].sort(
      (a, b) => a.spec!.gpuMemoryGiB - b.spec!.gpuMemoryGiB || a.spec!.vcpus - b.spec!.vcpus || familyRank(a) - familyRank(b),
    );
  }

  /**
   * Catalog GPU types closest to a given type in vCPUs (derived from its size suffix),
   * recommended families first. Used to suggest a fix when a non-GPU type is configured.
   */
  public static nearestTo(name: string, count = 2): GpuInstanceType[] {
    const wanted = vcpusFromSize(name);
    return [...CATALOG.values()]
      .sort((a, b) => Math.abs(Math.log2(a.spec!.vcpus / wanted)) - Math.abs(Math.log2(b.spec!.vcpus / wanted))
        || familyRank(a) - familyRank(b))
      .slice(0, count);
  }

  private static catalog(name: string, accelerator: string, gpuCount: number, gpuMemoryGiB: number,
    vcpus: number, memoryGiB: number, hasLocalNvmeStorage: boolean): GpuInstanceType {
    const type = new GpuInstanceType(name, { accelerator, gpuCount, gpuMemoryGiB, vcpus, memoryGiB, hasLocalNvmeStorage });
    CATALOG.set(name, type);
    return type;
  }

  private constructor(
    /** The SageMaker name, e.g. `ml.g5.12xlarge`. */
    public readonly name: string,
    /** Hardware facts; undefined for a type outside the catalog. */
    public readonly spec: GpuInstanceSpec | undefined,
  ) {}

  /** The instance family, e.g. `g5` for `ml.g5.12xlarge`. */
  public get family(): string {
    return this.name.split('.')[1] ?? '';
  }

  /** Whether this type has NVIDIA GPUs: its facts are known, or its family is a GPU family. */
  public get isGpu(): boolean {
    return this.spec !== undefined || GPU_FAMILIES.includes(this.family);
  }

  /** GPU memory of one GPU, in GiB. */
  public get gpuMemoryPerGpuGiB(): number | undefined {
    return this.spec && this.spec.gpuMemoryGiB / this.spec.gpuCount;
  }

  public toString(): string {
    return this.name;
  }
}

function familyRank(type: GpuInstanceType): number {
  const rank = FAMILY_PREFERENCE.indexOf(type.family);
  return rank < 0 ? FAMILY_PREFERENCE.length : rank;
}

/** vCPUs implied by an EC2 size suffix: large = 2, xlarge = 4, Nxlarge = 4N (the common ratio). */
function vcpusFromSize(name: string): number {
  const size = name.split('.').pop() ?? '';
  if (size === 'large') return 2;
  const multiple = /^(\d*)xlarge$/.exec(size);
  if (!multiple) return 4;
  return 4 * (multiple[1] ? Number(multiple[1]) : 1);
}
