import { instancePrice, type InstancePrice } from '../audit/instance-prices';
import type { ModelSlo, SloObjective } from '../monitoring/slo-math';
import type { PlatformConfig } from './config-schema';

/**
 * What the config says about a model's SLO and what its fleet costs, for the model stack (alarms,
 * dashboard) and the SLO report CLI alike. Pure: no CDK.
 */

/** The variant SageMaker names when the config does not: GpuInferenceEndpoint's default. */
export const PRIMARY_VARIANT_NAME = 'AllTraffic';
/** The shadow variant's name in the model stack. */
export const SHADOW_VARIANT_NAME = 'Shadow';
/** The model call's limit when the config sets no latency budget (SageMaker's container limit). */
const DEFAULT_LATENCY_BUDGET_MS = 60_000;

/** The model's SLO in a stage, the latency threshold defaulting to the model's latency budget; undefined without one. */
export function modelSlo(config: PlatformConfig, stageName: string, modelName: string): ModelSlo | undefined {
  const slo = config.stages[stageName]?.models[modelName]?.slo;
  if (!slo) return undefined;
  const objectives: SloObjective[] = [];
  if (slo.availability) objectives.push({ kind: 'availability', targetPercent: slo.availability.targetPercent });
  if (slo.latency) {
    objectives.push({
      kind: 'latency', targetPercent: slo.latency.targetPercent,
      thresholdMs: slo.latency.thresholdMs ?? config.models[modelName]?.latencyBudgetMs ?? DEFAULT_LATENCY_BUDGET_MS,
    });
  }
  return { windowDays: slo.windowDays, objectives };
}

/** A variant of a model's endpoint as the config defines it, with its price when the table has one. */
export interface ConfiguredVariant {
  readonly variantName: string;
  readonly instanceType: string;
  /** Instances that run without traffic: the minimum capacity, 0 for scale to zero, the fixed count otherwise. */
  readonly floorInstances: number;
  readonly price?: InstancePrice;
}

/** The variants a stage runs for a model (primary, then shadow), with prices from the stage's region. */
export function configuredVariants(config: PlatformConfig, stageName: string, modelName: string): ConfiguredVariant[] {
  const stage = config.stages[stageName];
  const d = stage?.models[modelName];
  if (!d) throw new Error(`model ${JSON.stringify(modelName)} is not served in stage ${JSON.stringify(stageName)}`);
  const floor = d.scaleToZero ? 0 : d.autoscaling?.minCapacity ?? d.instanceCount ?? 1;
  const variants: ConfiguredVariant[] = [
    { variantName: PRIMARY_VARIANT_NAME, instanceType: d.instanceType, floorInstances: floor, price: instancePrice(d.instanceType, stage.region) },
  ];
  if (d.shadow) {
    variants.push({
      variantName: SHADOW_VARIANT_NAME, instanceType: d.shadow.instanceType, floorInstances: d.shadow.instanceCount ?? 1,
      price: instancePrice(d.shadow.instanceType, stage.region),
    });
  }
  return variants;
}

/** The consumers of a stage's gateway (the `Consumer` dimension's values), in config order. */
export function stageConsumers(config: PlatformConfig, stageName: string): string[] {
  return (config.stages[stageName]?.gateway?.consumers ?? []).map((c) => c.name);
}
