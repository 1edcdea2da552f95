import type { RatedFinding } from './types';
import type { SafetyPolicy } from './policy';
import { buildMatchView, type MatchView, originalSpan, viewStart } from './normalize';
import type { HiddenText } from './unicode';
import { matchPhrases, MAX_FINDINGS_PER_RULE, phraseScore } from './injection-phrases';
import { matchDataRules, matchDataRulesInView } from './data-instruction-rules';
import { scanMarkup } from './hidden-markup';
import { dataInstructionClassifier } from './classifier';
import { phraseEvidence, round } from './injection-checks';
import { rate } from './content-checks';

/**
 * Indirect prompt injection: instructions inside data. A document, tool result, e-mail or web
 * page is material for the model to work on; text in it that speaks to the model, dictates its
 * answer, asks it to call tools or to send data somewhere, or hides from the human reader is an
 * attack on whoever asked. Evidence, combined by noisy-OR against the policy threshold:
 * - the direct-injection phrase families ("ignore previous instructions" in many languages),
 *   hidden unicode and encoded payloads, as for prompts;
 * - data rules: addressed to the model, response manipulation, tool-call and exfiltration
 *   requests, fake role markers and document boundaries;
 * - hidden markup: HTML comments, invisible styles, markdown images that exfiltrate;
 * - a line classifier for instructions addressed to an assistant, scored per line or sentence,
 *   so the imperative or second-person shift of one injected line stands out from the document.
 */
export const DATA_CLASSIFIER_REPORT_FLOOR = 0.5;
/**
 * A document has many lines, and the best of many scores is high by chance: a line's score
 * counts as evidence only above LINE_SCORE_FLOOR, rescaled to 0–1 above it, and a line of fewer
 * than FULL_WEIGHT_WORDS words ("use a list:", a heading) weighs in proportion to its words.
 * Set on the held-out fifth of BIPIA's train split (bin/safety/dev-indirect.ts).
 */
const LINE_SCORE_FLOOR = 0.6;
const FULL_WEIGHT_WORDS = 6;

export function lineEvidence(score: number, words: number): number {
  return Math.max(0, (score - LINE_SCORE_FLOOR) / (1 - LINE_SCORE_FLOOR)) * Math.min(1, words / FULL_WEIGHT_WORDS);
}

/** Hidden segments scored one by one; the rest are scored together as one text. */
const MAX_HIDDEN_SEGMENTS = 32;

/** A segment is one line or sentence of the data, at most this long (longer ones are cut). */
const MAX_SEGMENT = 400;
const MIN_SEGMENT_WORDS = 3;

export function dataInjectionFindings(text: string, view: MatchView, hidden: readonly HiddenText[], policy: SafetyPolicy): RatedFinding[] {
  const evidence = phraseEvidence(text, view, hidden, { ...policy, injection: { ...policy.injection, decodePayloads: true } });
  const best = new Map<string, number>();
  const perRule = new Map<string, number>();
  for (const m of matchDataRulesInView(view)) {
    const count = perRule.get(m.rule) ?? 0;
    perRule.set(m.rule, count + 1);
    if (count < MAX_FINDINGS_PER_RULE) evidence.findings.push({ check: 'injection', type: m.family, ...originalSpan(view, m.from, m.to), score: m.weight });
    best.set(m.rule, Math.max(best.get(m.rule) ?? 0, m.weight));
  }
  for (const w of best.values()) evidence.miss *= 1 - w;
  const markup = scanMarkup(text);
  for (const f of markup.findings) {
    evidence.findings.push(f);
    evidence.miss *= 1 - (f.score ?? 0);
  }
  // Hidden segments are judged one by one up to a budget, the rest together: a thousand image
  // captions cost one more pass, not a thousand classifier calls.
  const hiddenSegments = markup.hidden;
  for (let k = 0; k < hiddenSegments.length; k++) {
    const last = k === MAX_HIDDEN_SEGMENTS - 1 && hiddenSegments.length > MAX_HIDDEN_SEGMENTS;
    const rest = last ? hiddenSegments.slice(k) : [hiddenSegments[k]];
    const score = hiddenInstructionScore(rest.map((h) => text.slice(h.start, h.end)).join('\n'), policy);
    if (score > 0) {
      evidence.findings.push({ check: 'injection', type: 'HIDDEN_MARKUP', start: rest[0].start, end: rest[rest.length - 1].end, score: round(score) });
      evidence.miss *= 1 - score;
    }
    if (last) break;
  }
  if (policy.indirectInjection.classifier) {
    const top = bestSegment(view, text);
    if (top !== undefined && top.score >= DATA_CLASSIFIER_REPORT_FLOOR) {
      evidence.findings.push({ check: 'classifier', type: 'DATA_INSTRUCTION', ...originalSpan(view, top.from, top.to), score: round(top.score) });
    }
    if (top !== undefined) evidence.miss *= 1 - lineEvidence(top.score, top.words);
  }
  const action = 1 - evidence.miss >= policy.indirectInjection.threshold ? policy.indirectInjection.action : 'allow';
  return rate(evidence.findings, action);
}

/** Text a reader does not see is judged on its own: any instruction in it counts in full. */
function hiddenInstructionScore(inner: string, policy: SafetyPolicy): number {
  const folded = buildMatchView(inner).text;
  let miss = 1 - phraseScore(matchPhrases(folded));
  for (const m of matchDataRules(folded)) miss *= 1 - m.weight;
  if (policy.indirectInjection.classifier && folded.length > 0) miss *= 1 - lineEvidence(scoreSegment(folded.slice(0, MAX_SEGMENT)), FULL_WEIGHT_WORDS);
  return 1 - miss;
}

export interface Segment {
  readonly from: number;
  readonly to: number;
  readonly words: number;
}

/**
 * Lines and sentences of the view: breaks where the original had a newline and after ". ",
 * "? ", "! ". Each is at most MAX_SEGMENT long; segments of fewer than three words are skipped.
 */
export function viewSegments(view: MatchView, original: string): Segment[] {
  const text = view.text;
  const out: Segment[] = [];
  let from = 0;
  let words = 0;
  const close = (to: number): void => {
    if (words >= MIN_SEGMENT_WORDS && to > from) out.push({ from, to, words });
    from = to + 1;
    words = 0;
  };
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c !== 0x20) {
      if (k - from >= MAX_SEGMENT) close(k);
      continue;
    }
    words++;
    const prev = k > 0 ? text.charCodeAt(k - 1) : 0;
    const next = k + 1 < text.length ? viewStart(view, k + 1) : original.length;
    let newline = false;
    for (let i = viewStart(view, k); i < next && !newline; i++) newline = original.charCodeAt(i) === 0x0a;
    if (newline || prev === 0x2e || prev === 0x3f || prev === 0x21 || k - from >= MAX_SEGMENT) close(k);
  }
  words++;
  close(text.length);
  return out;
}

/**
 * A segment is scored with a start marker before it, so the n-grams of its first word are
 * features of their own: an instruction starts with its verb ("summarize …", "translate …"),
 * the same verb inside a sentence says much less. Training marks segments the same way.
 */
export const SEGMENT_START = '\u0001';

export function scoreSegment(folded: string, from = 0, to = folded.length): number {
  return dataInstructionClassifier.scoreRange(folded, SEGMENT_START.charCodeAt(0), from, to);
}

/** The segment that is the strongest evidence of an instruction addressed to an assistant. */
function bestSegment(view: MatchView, original: string): (Segment & { score: number }) | undefined {
  let top: (Segment & { score: number }) | undefined;
  let topEvidence = -1;
  for (const seg of viewSegments(view, original)) {
    const score = scoreSegment(view.text, seg.from, seg.to);
    const evidence = lineEvidence(score, seg.words);
    if (top === undefined || evidence > topEvidence || (evidence === topEvidence && score > top.score)) {
      top = { ...seg, score };
      topEvidence = evidence;
    }
  }
  return top;
}
