import { checkInput } from '../../lambda/safety/pipeline';
import { buildMatchView } from '../../lambda/safety/normalize';
import { injectionClassifier } from '../../lambda/safety/classifier';
import { matchPhrases, phraseScore } from '../../lambda/safety/injection-phrases';
import type { SafetyPolicy } from '../../lambda/safety/policy';
import type { LabelledRow, PiiRow } from './datasets';

export interface Rates {
  readonly rows: number;
  readonly positives: number;
  readonly recall: number | null;
  readonly falsePositiveRate: number | null;
  readonly precision: number | null;
}

export function rates(rows: readonly LabelledRow[], predict: (text: string) => boolean): Rates {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const r of rows) {
    const p = predict(r.text);
    if (r.label === 1 && p) tp++;
    else if (r.label === 1) fn++;
    else if (p) fp++;
    else tn++;
  }
  return {
    rows: rows.length,
    positives: tp + fn,
    recall: tp + fn > 0 ? tp / (tp + fn) : null,
    falsePositiveRate: fp + tn > 0 ? fp / (fp + tn) : null,
    precision: tp + fp > 0 ? tp / (tp + fp) : null,
  };
}

const INJECTION_CHECKS = new Set(['injection', 'encoded_payload', 'classifier']);

/** The whole input pipeline: blocked, and blocked because of injection evidence. */
export function pipelineFlags(policy: SafetyPolicy): (text: string) => boolean {
  return (text) => {
    const v = checkInput(text, policy);
    return v.action === 'block' && v.findings.some((f) => INJECTION_CHECKS.has(f.check) || f.type === 'TAG_SMUGGLING');
  };
}

export function classifierFlags(threshold: number): (text: string) => boolean {
  return (text) => injectionClassifier.score(buildMatchView(text).text) >= threshold;
}

export function phraseFlags(threshold: number): (text: string) => boolean {
  return (text) => phraseScore(matchPhrases(buildMatchView(text).text)) >= threshold;
}

export interface EntityScore {
  readonly gold: number;
  readonly predicted: number;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
}

/** Span-overlap matching per entity type, as in presidio-research's evaluator. */
export function piiScores(rows: readonly PiiRow[], policy: SafetyPolicy, types: readonly string[]): Record<string, EntityScore> {
  const tally = new Map(types.map((t) => [t, { gold: 0, predicted: 0, tpPred: 0, tpGold: 0 }]));
  for (const row of rows) {
    const found = checkInput(row.text, policy).findings.filter((f) => f.check === 'pii');
    for (const t of types) {
      const gold = row.spans.filter((s) => s.entity_type === t);
      const pred = found.filter((f) => f.type === t);
      const entry = tally.get(t)!;
      entry.gold += gold.length;
      entry.predicted += pred.length;
      entry.tpPred += pred.filter((p) => gold.some((g) => p.start < g.end_position && g.start_position < p.end)).length;
      entry.tpGold += gold.filter((g) => pred.some((p) => p.start < g.end_position && g.start_position < p.end)).length;
    }
  }
  const out: Record<string, EntityScore> = {};
  for (const [t, e] of tally) {
    const precision = e.predicted > 0 ? e.tpPred / e.predicted : null;
    const recall = e.gold > 0 ? e.tpGold / e.gold : null;
    const f1 = precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : null;
    out[t] = { gold: e.gold, predicted: e.predicted, precision, recall, f1 };
  }
  return out;
}

export const fmt = (x: number | null): string => (x === null ? '   –  ' : x.toFixed(3).padStart(6));
