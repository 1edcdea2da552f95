/**
 * Error budgets and burn rates, as numbers (the report CLI) and as CloudWatch metric-math
 * expressions (alarms and dashboards). Pure: no CDK, no SDK.
 *
 * An SLO of target t (a share, e.g. 0.995) leaves an error budget of 1 − t of the requests in its
 * window. The burn rate over a span is the share of bad requests in it divided by the budget:
 * at burn rate 1 the budget lasts exactly the window, at 14.4 a 30-day budget is 2% spent in an
 * hour (The Site Reliability Workbook, "Alerting on SLOs", multiwindow, multi-burn-rate alerts).
 */

/** One burn-rate alert: fires when both the long and the short window burn faster than `burnRate`. */
export interface BurnRateWindow {
  /** `Fast` pages on a sudden outage, `Slow` on a steady leak. */
  readonly name: 'Fast' | 'Slow';
  readonly burnRate: number;
  readonly longSeconds: number;
  readonly shortSeconds: number;
}

/**
 * The SRE workbook's paging pairs: 14.4× over 1 h and 5 min (2% of a 30-day budget in an hour),
 * 6× over 6 h and 30 min (5% in six hours). The short window makes the alert reset soon after
 * the burn stops. Every period is a multiple of 60 s and below CloudWatch's limits
 * (PutMetricAlarm: Period × EvaluationPeriods ≤ 86,400 s for periods under an hour, ≤ 604,800 s otherwise).
 */
export const BURN_RATE_WINDOWS: readonly BurnRateWindow[] = [
  { name: 'Fast', burnRate: 14.4, longSeconds: 3600, shortSeconds: 300 },
  { name: 'Slow', burnRate: 6, longSeconds: 6 * 3600, shortSeconds: 1800 },
];

/** The error budget as a share of requests: 1 − target. `targetPercent` 99.5 → 0.005. */
export function errorBudget(targetPercent: number): number {
  // Rounded to 1e-12 so 100 − 99.9 is 0.001, not 0.0010000000000047748.
  return Math.round((100 - targetPercent) * 1e10) / 1e12;
}

/** Burn rate: the share of bad requests over the budget; undefined without requests. */
export function burnRate(bad: number, total: number, targetPercent: number): number | undefined {
  if (!(total > 0)) return undefined;
  return bad / total / errorBudget(targetPercent);
}

/** Share of the window's error budget left (1 = untouched, 0 = spent, negative = overspent). */
export function errorBudgetRemaining(bad: number, total: number, targetPercent: number): number | undefined {
  const rate = burnRate(bad, total, targetPercent);
  return rate === undefined ? undefined : 1 - rate;
}

/** Share of good requests (the SLO attainment), undefined without requests. */
export function attainment(bad: number, total: number): number | undefined {
  return total > 0 ? 1 - bad / total : undefined;
}

/** The SLIs: availability (5xx at the gateway) and latency (slower than the threshold at the gateway). */
export type SliKind = 'availability' | 'latency';

/** One objective of a model's SLO. */
export interface SloObjective {
  readonly kind: SliKind;
  /** Share of good requests in %, e.g. 99.5. */
  readonly targetPercent: number;
  /** For `latency`: the gateway latency a good request stays within, in ms. */
  readonly thresholdMs?: number;
}

/** A model's SLO: its objectives over one window. */
export interface ModelSlo {
  readonly windowDays: 28 | 30;
  readonly objectives: readonly SloObjective[];
}


/** The metric ids an SLI expression uses, and how each is read. */
export interface SliMetricIds {
  /** availability: Errors, statistic Sum. */
  readonly errors: string;
  /** availability: Requests, statistic Sum. */
  readonly requests: string;
  /** latency: Latency, statistic `PR(:thresholdMs)` (percent of requests at or under the threshold). */
  readonly withinThreshold: string;
}

/**
 * The share of bad requests as metric math. Availability: Errors ÷ Requests (both Sum; Errors
 * is 1 per 5xx, Requests 1 per request). Latency: (100 − PR(:threshold)) ÷ 100, where
 * `PR(:T)` is the percentage of values ≤ T (CloudWatch statistics definitions, "percentile
 * rank"). A span without requests is no data, which the alarms treat as not breaching.
 */
export function badShareExpression(kind: SliKind, ids: SliMetricIds): string {
  return kind === 'availability' ? `${ids.errors} / ${ids.requests}` : `(100 - ${ids.withinThreshold}) / 100`;
}

/** Burn rate as metric math: the bad share over the error budget. */
export function burnRateExpression(kind: SliKind, ids: SliMetricIds, targetPercent: number): string {
  return `(${badShareExpression(kind, ids)}) / ${formatNumber(errorBudget(targetPercent))}`;
}

/** Error budget remaining over the SLO window, in % (100 untouched, ≤ 0 spent), as metric math. */
export function budgetRemainingExpression(kind: SliKind, ids: SliMetricIds, targetPercent: number): string {
  return `100 * (1 - ${burnRateExpression(kind, ids, targetPercent)})`;
}

/** The `PR(:T)` statistic of the latency SLI. */
export function withinThresholdStatistic(thresholdMs: number): string {
  return `PR(:${thresholdMs})`;
}

/** A number as metric math reads it: plain decimal, no exponent (1e-3 → 0.001). */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  // Number#toString is plain decimal for 1e-7 ≤ |n| < 1e21; round to 12 places first.
  const rounded = Math.round(n * 1e12) / 1e12;
  if (rounded !== 0 && Math.abs(rounded) < 1e-6) throw new Error(`too small for plain decimal metric math: ${n}`);
  return String(rounded === 0 ? 0 : rounded);
}
