import { instanceHours, perThousand } from '../../lib/monitoring/cost-math';
import { attainment, burnRate, errorBudgetRemaining, type SloObjective } from '../../lib/monitoring/slo-math';
import { missingPriceReason } from '../../lib/audit/instance-prices';
import { consumerPrefix, IMPLICIT_CONSUMERS, sliIds, variantIds, type ReportPlan } from './report-queries';

/**
 * The report's figures from the data CloudWatch returned: pure arithmetic on the series, the
 * same as the dashboards' metric math (lib/monitoring/slo-math.ts, cost-math.ts).
 */

/** A query's data points: epoch seconds → value. */
export type Series = ReadonlyMap<number, number>;
export type Results = ReadonlyMap<string, Series>;

export interface ObjectiveFigures {
  readonly kind: SloObjective['kind'];
  readonly targetPercent: number;
  readonly thresholdMs?: number;
  /** Share of good requests over the window (0–1). */
  readonly attainment?: number;
  /** Share of the window's error budget left (1 untouched, ≤ 0 spent). */
  readonly budgetRemaining?: number;
  /** Burn rate averaged over the window, and over its last hour. */
  readonly burnRate?: number;
  readonly burnRateLastHour?: number;
}

export interface SliFigures {
  readonly requests: number;
  readonly errors: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly objectives: ObjectiveFigures[];
}

export interface ModelFigures extends SliFigures {
  readonly model: string;
  readonly instanceHours: number;
  /** Serving cost over the window; undefined when a variant has no price (`costNote` says why). */
  readonly costUsd?: number;
  readonly costPer1kTokensUsd?: number;
  readonly costPer1kRequestsUsd?: number;
  readonly costNote?: string;
}

export interface ConsumerFigures {
  readonly consumer: string;
  /** The consumer's SLIs per model it used. */
  readonly models: Array<SliFigures & { readonly model: string }>;
  readonly requests: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Its share (by tokens) of each model's cost, summed. */
  readonly costUsd?: number;
  readonly costPer1kTokensUsd?: number;
  readonly costPer1kRequestsUsd?: number;
  /** Its share of the stage's serving cost (0–1). */
  readonly shareOfCost?: number;
}

export interface ReportFigures {
  readonly stage: string;
  readonly start: number;
  readonly end: number;
  readonly models: ModelFigures[];
  readonly consumers: ConsumerFigures[];
  readonly totalCostUsd?: number;
  /** True when no model had a single request in the window. */
  readonly empty: boolean;
}

const sum = (s: Series | undefined) => (s ? [...s.values()].reduce((a, b) => a + b, 0) : 0);
/** One value of a window-period statistic; several (a window not aligned to CloudWatch's periods) give the largest, the pessimistic reading for latency. */
const single = (s: Series | undefined) => (s && s.size > 0 ? Math.max(...s.values()) : undefined);
const lowest = (s: Series | undefined) => (s && s.size > 0 ? Math.min(...s.values()) : undefined);

function sliFigures(results: Results, prefix: string, objectives: readonly SloObjective[], lastHour?: Results): SliFigures {
  const ids = sliIds(prefix);
  const requests = sum(results.get(ids.requests));
  const errors = sum(results.get(ids.errors));
  const figures: ObjectiveFigures[] = objectives.map((o) => {
    if (o.kind === 'availability') {
      const hourRequests = lastHour && sum(lastHour.get(ids.requests));
      return {
        kind: o.kind, targetPercent: o.targetPercent,
        attainment: attainment(errors, requests), budgetRemaining: errorBudgetRemaining(errors, requests, o.targetPercent),
        burnRate: burnRate(errors, requests, o.targetPercent),
        burnRateLastHour: lastHour && burnRate(sum(lastHour.get(ids.errors)), hourRequests!, o.targetPercent),
      };
    }
    // PR(:T) is the percentage of requests within T: bad = 1 − PR/100 of the requests.
    const within = lowest(results.get(ids.within));
    const bad = within === undefined ? 0 : (1 - within / 100) * requests;
    const hourWithin = lastHour && lowest(lastHour.get(ids.within));
    const hourRequests = lastHour ? sum(lastHour.get(ids.requests)) : 0;
    return {
      kind: o.kind, targetPercent: o.targetPercent, thresholdMs: o.thresholdMs,
      attainment: within === undefined ? undefined : attainment(bad, requests),
      budgetRemaining: within === undefined ? undefined : errorBudgetRemaining(bad, requests, o.targetPercent),
      burnRate: within === undefined ? undefined : burnRate(bad, requests, o.targetPercent),
      burnRateLastHour: hourWithin === undefined ? undefined : burnRate((1 - hourWithin / 100) * hourRequests, hourRequests, o.targetPercent),
    };
  });
  return {
    requests, errors, p50Ms: single(results.get(ids.p50)), p99Ms: single(results.get(ids.p99)),
    promptTokens: sum(results.get(ids.prompt)), completionTokens: sum(results.get(ids.completion)), objectives: figures,
  };
}

/** Every figure of the report. */
export function computeReport(plan: ReportPlan, window: Results, lastHour: Results): ReportFigures {
  const hours: number[] = [];
  for (let t = plan.start; t < plan.end; t += 3600) hours.push(t);
  const models: ModelFigures[] = plan.models.map((m) => {
    const sli = sliFigures(window, m.id, m.slo?.objectives ?? [], lastHour);
    let hoursTotal = 0;
    let costUsd: number | undefined = 0;
    const missing: string[] = [];
    m.variants.forEach((v, j) => {
      const ids = variantIds(m.id, j);
      const inv = window.get(ids.invocations) ?? new Map<number, number>();
      const ipi = window.get(ids.perInstance) ?? new Map<number, number>();
      const observed = new Map(hours.map((t) => [t, { invocations: inv.get(t), invocationsPerInstance: ipi.get(t) }]));
      const h = instanceHours(observed, hours, v.floorInstances, 1);
      hoursTotal += h;
      if (v.price) costUsd = costUsd === undefined ? undefined : costUsd + h * v.price.usdPerHour;
      else {
        costUsd = undefined;
        missing.push(missingPriceReason(v.instanceType, plan.region));
      }
    });
    const tokens = sli.promptTokens + sli.completionTokens;
    return {
      model: m.name, ...sli, instanceHours: hoursTotal, costUsd,
      costPer1kTokensUsd: costUsd === undefined ? undefined : perThousand(costUsd, tokens),
      costPer1kRequestsUsd: costUsd === undefined ? undefined : perThousand(costUsd, sli.requests),
      costNote: missing.length > 0 ? missing.join('; ') : undefined,
    };
  });
  const priced = models.every((m) => m.costUsd !== undefined);
  const totalCostUsd = priced ? models.reduce((a, m) => a + m.costUsd!, 0) : undefined;
  const consumers: ConsumerFigures[] = plan.consumers.map((consumer, k) => {
    const perModel = plan.models.map((m) => ({ model: m.name, ...sliFigures(window, consumerPrefix(k, m.id), m.slo?.objectives ?? [], lastHour) }));
    let costUsd: number | undefined = 0;
    perModel.forEach((c, i) => {
      const model = models[i];
      const modelTokens = model.promptTokens + model.completionTokens;
      const own = c.promptTokens + c.completionTokens;
      if (model.costUsd === undefined) costUsd = undefined;
      else if (costUsd !== undefined && modelTokens > 0) costUsd += model.costUsd * (own / modelTokens);
    });
    const used = perModel.filter((c) => c.requests > 0);
    const requests = used.reduce((a, c) => a + c.requests, 0);
    const promptTokens = used.reduce((a, c) => a + c.promptTokens, 0);
    const completionTokens = used.reduce((a, c) => a + c.completionTokens, 0);
    return {
      consumer, models: used, requests, promptTokens, completionTokens, costUsd,
      costPer1kTokensUsd: costUsd === undefined ? undefined : perThousand(costUsd, promptTokens + completionTokens),
      costPer1kRequestsUsd: costUsd === undefined ? undefined : perThousand(costUsd, requests),
      shareOfCost: costUsd === undefined || !totalCostUsd ? undefined : costUsd / totalCostUsd,
    };
  }).filter((c) => c.requests > 0 || !(IMPLICIT_CONSUMERS as readonly string[]).includes(c.consumer));
  return { stage: plan.stage, start: plan.start, end: plan.end, models, consumers, totalCostUsd, empty: models.every((m) => m.requests === 0) };
}
