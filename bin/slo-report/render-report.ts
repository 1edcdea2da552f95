import type { ObjectiveFigures, ReportFigures, SliFigures } from './report-figures';

/** The report for machines: every figure, shares as fractions, money in USD, times as ISO 8601. */
export function reportJson(r: ReportFigures, notes: readonly string[]): string {
  return `${JSON.stringify({
    stage: r.stage,
    window: { start: iso(r.start), end: iso(r.end), hours: (r.end - r.start) / 3600 },
    totalCostUsd: r.totalCostUsd ?? null,
    models: r.models,
    consumers: r.consumers,
    notes,
  }, (_k, v) => (v === undefined ? null : v), 2)}\n`;
}

/** The report for people: one table per model and one per consumer, then the notes. */
export function reportTable(r: ReportFigures, notes: readonly string[]): string {
  const hours = (r.end - r.start) / 3600;
  const span = hours % 24 === 0 && hours > 24 ? `${hours / 24} days` : `${hours} h`;
  const out: string[] = [`SLO report of stage ${r.stage}, ${iso(r.start)} – ${iso(r.end)} (${span})`, ''];
  out.push('Models');
  out.push(table(
    ['model', 'requests', ...OBJECTIVE_HEADERS, 'p50 ms', 'p99 ms', 'prompt tok', 'compl. tok', 'inst-hours', 'cost', '$/1K tok', '$/1K req'],
    r.models.flatMap((m) => objectiveRows(m, (o, first) => [
      first ? m.model : '', first ? int(m.requests) : '', ...objectiveCells(o),
      first ? ms(m.p50Ms) : '', first ? ms(m.p99Ms) : '', first ? int(m.promptTokens) : '', first ? int(m.completionTokens) : '',
      first ? m.instanceHours.toFixed(1) : '', first ? usd(m.costUsd) : '', first ? unitUsd(m.costPer1kTokensUsd) : '', first ? unitUsd(m.costPer1kRequestsUsd) : '',
    ])),
  ));
  out.push('', 'Consumers (SLIs per model; cost is each model\'s cost in proportion to the consumer\'s tokens)');
  out.push(table(
    ['consumer', 'model', 'requests', ...OBJECTIVE_HEADERS, 'p50 ms', 'p99 ms', 'tokens'],
    r.consumers.flatMap((c) => c.models.flatMap((m, i) => objectiveRows(m, (o, first) => [
      i === 0 && first ? c.consumer : '', first ? m.model : '', first ? int(m.requests) : '', ...objectiveCells(o),
      first ? ms(m.p50Ms) : '', first ? ms(m.p99Ms) : '', first ? int(m.promptTokens + m.completionTokens) : '',
    ]))),
  ));
  out.push('', 'Cost per consumer');
  out.push(table(
    ['consumer', 'requests', 'tokens', 'cost', '$/1K tok', '$/1K req', 'share of cost'],
    r.consumers.map((c) => [c.consumer, int(c.requests), int(c.promptTokens + c.completionTokens), usd(c.costUsd), unitUsd(c.costPer1kTokensUsd),
      unitUsd(c.costPer1kRequestsUsd), c.shareOfCost === undefined ? '—' : pct(c.shareOfCost)]),
  ));
  out.push('', `Total serving cost: ${usd(r.totalCostUsd)}`);
  if (notes.length > 0) out.push('', ...notes.map((n) => `Note: ${n}`));
  return `${out.join('\n')}\n`;
}

const OBJECTIVE_HEADERS = ['SLO', 'attained', 'budget left', 'burn', 'burn 1h'];

function objectiveRows(s: SliFigures, row: (o: ObjectiveFigures | undefined, first: boolean) => string[]): string[][] {
  return s.objectives.length === 0 ? [row(undefined, true)] : s.objectives.map((o, i) => row(o, i === 0));
}

function objectiveCells(o: ObjectiveFigures | undefined): string[] {
  if (!o) return ['(no SLO)', '', '', '', ''];
  const what = o.kind === 'availability' ? `avail ${o.targetPercent}%` : `≤${o.thresholdMs} ms ${o.targetPercent}%`;
  return [what, o.attainment === undefined ? '—' : pct(o.attainment, 3), o.budgetRemaining === undefined ? '—' : pct(o.budgetRemaining),
    o.burnRate === undefined ? '—' : `${o.burnRate.toFixed(2)}×`, o.burnRateLastHour === undefined ? '—' : `${o.burnRateLastHour.toFixed(2)}×`];
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number | undefined) => (n === undefined ? '—' : n.toFixed(0));
const pct = (share: number, digits = 1) => `${(share * 100).toFixed(digits)}%`;
const usd = (n: number | undefined) => (n === undefined ? '—' : `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
const unitUsd = (n: number | undefined) => (n === undefined ? '—' : `$${n.toPrecision(4)}`);
