import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { PlatformConfig } from '../../lib/config/config-schema';
import { platformNames } from '../../lib/config/platform-names';
import { configuredVariants, modelSlo, stageConsumers, type ConfiguredVariant } from '../../lib/config/slo-config';
import { CONSUMER_DIMENSION, GATEWAY_NAMESPACE } from '../../lib/gateway/gateway-metrics';
import type { ModelSlo } from '../../lib/monitoring/slo-math';
import { withinThresholdStatistic } from '../../lib/monitoring/slo-math';

/**
 * What the SLO report asks CloudWatch (GetMetricData), as pure data: one batch over the report
 * window (totals with the window as the period, and hourly endpoint series for instance-hours)
 * and one over the window's last hour (the current burn rate).
 */

/** The consumers the gateway names besides the config's: requests without a key, and keys outside the config. */
export const IMPLICIT_CONSUMERS = ['none', 'unknown'] as const;
const HOUR = 3600;

/** One stage's models and consumers, as the report needs them. */
export interface ReportPlan {
  readonly stage: string;
  /** The stage's region in the config (undefined: environment-agnostic). */
  readonly region?: string;
  readonly models: readonly PlannedModel[];
  readonly consumers: readonly string[];
  /** Epoch seconds, aligned to the hour. */
  readonly start: number;
  readonly end: number;
  /** Queries over [start, end): the window totals and the hourly endpoint series. */
  readonly windowQueries: MetricDataQuery[];
  /** Queries over [end − 1 h, end): the last hour's SLIs. */
  readonly lastHourQueries: MetricDataQuery[];
}

export interface PlannedModel {
  readonly name: string;
  readonly endpointName: string;
  readonly slo?: ModelSlo;
  readonly variants: readonly ConfiguredVariant[];
  /** The metric-data-query id prefix of the model: `m<i>`. */
  readonly id: string;
}

/** Ids of a model's (or a consumer's per-model) SLI queries under a prefix. */
export const sliIds = (prefix: string) => ({
  requests: `${prefix}_req`, errors: `${prefix}_err`, p50: `${prefix}_p50`, p99: `${prefix}_p99`, within: `${prefix}_within`,
  prompt: `${prefix}_pt`, completion: `${prefix}_ct`,
});
/** Ids of a variant's hourly endpoint series. */
export const variantIds = (modelId: string, j: number) => ({ invocations: `${modelId}v${j}_inv`, perInstance: `${modelId}v${j}_ipi` });
/** The query id prefix of consumer k's figures for model i. */
export const consumerPrefix = (k: number, modelId: string) => `c${k}${modelId}`;

/** The report's queries for a stage and a window ending at `end` (epoch seconds, rounded down to the hour). */
export function planReport(config: PlatformConfig, stageName: string, windowSeconds: number, end: number): ReportPlan {
  const stage = config.stages[stageName];
  if (!stage) throw new Error(`no stage ${JSON.stringify(stageName)} in the platform config`);
  const alignedEnd = Math.floor(end / HOUR) * HOUR;
  const start = alignedEnd - windowSeconds;
  const consumers = [...stageConsumers(config, stageName), ...IMPLICIT_CONSUMERS];
  const models: PlannedModel[] = Object.keys(stage.models).map((name, i) => ({
    name, id: `m${i}`, endpointName: platformNames.endpoint(config.name, stageName, name),
    slo: modelSlo(config, stageName, name), variants: configuredVariants(config, stageName, name),
  }));
  const windowQueries: MetricDataQuery[] = [];
  const lastHourQueries: MetricDataQuery[] = [];
  for (const model of models) {
    const threshold = model.slo?.objectives.find((o) => o.kind === 'latency')?.thresholdMs;
    windowQueries.push(...sliQueries(stageName, model.name, sliIds(model.id), windowSeconds, threshold));
    lastHourQueries.push(...sliQueries(stageName, model.name, sliIds(model.id), HOUR, threshold, true));
    model.variants.forEach((v, j) => {
      const ids = variantIds(model.id, j);
      const dims = [{ Name: 'EndpointName', Value: model.endpointName }, { Name: 'VariantName', Value: v.variantName }];
      windowQueries.push(
        stat(ids.invocations, 'AWS/SageMaker', 'Invocations', dims, HOUR, 'Sum'),
        stat(ids.perInstance, 'AWS/SageMaker', 'InvocationsPerInstance', dims, HOUR, 'Sum'),
      );
    });
    consumers.forEach((consumer, k) => {
      windowQueries.push(...sliQueries(stageName, model.name, sliIds(consumerPrefix(k, model.id)), windowSeconds, threshold, false, consumer));
      lastHourQueries.push(...sliQueries(stageName, model.name, sliIds(consumerPrefix(k, model.id)), HOUR, threshold, true, consumer));
    });
  }
  return { stage: stageName, region: stage.region, models, consumers, start, end: alignedEnd, windowQueries, lastHourQueries };
}

function sliQueries(stage: string, model: string, ids: ReturnType<typeof sliIds>, period: number, thresholdMs: number | undefined,
  sliOnly = false, consumer?: string): MetricDataQuery[] {
  const dims = [{ Name: 'Stage', Value: stage }, { Name: 'Model', Value: model }, ...(consumer ? [{ Name: CONSUMER_DIMENSION, Value: consumer }] : [])];
  const q = (id: string, metric: string, statistic: string) => stat(id, GATEWAY_NAMESPACE, metric, dims, period, statistic);
  return [
    q(ids.requests, 'Requests', 'Sum'),
    q(ids.errors, 'Errors', 'Sum'),
    ...(thresholdMs === undefined ? [] : [q(ids.within, 'Latency', withinThresholdStatistic(thresholdMs))]),
    ...(sliOnly ? [] : [q(ids.p50, 'Latency', 'p50'), q(ids.p99, 'Latency', 'p99'), q(ids.prompt, 'PromptTokens', 'Sum'), q(ids.completion, 'CompletionTokens', 'Sum')]),
  ];
}

function stat(id: string, namespace: string, metricName: string, dimensions: { Name: string; Value: string }[], period: number, statistic: string): MetricDataQuery {
  return { Id: id, MetricStat: { Metric: { Namespace: namespace, MetricName: metricName, Dimensions: dimensions }, Period: period, Stat: statistic }, ReturnData: true };
}
