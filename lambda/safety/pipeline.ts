import type { Action, Finding, RatedFinding, SafetyVerdict, Stage } from './types';
import { strictest } from './types';
import { type PiiEntity, PII_ENTITIES, presetPolicy, type SafetyPolicy } from './policy';
import { checkSize } from './size';
import { scanUnicode, type UnicodeFindingType } from './unicode';
import { buildMatchView, type MatchView, originalSpan, stripSpans, type StrippedText, unstripSpan } from './normalize';
import { matchPhrases, phraseFindings, phraseScore } from './injection-phrases';
import { findEncodedPayloads, findRot13Payload } from './encoded-payloads';
import { injectionClassifier } from './classifier';
import { findPii } from './pii';
import { findSecrets } from './secrets';
import { findToxicity } from './toxicity';
import { findBannedWords } from './banned-words';
import { findCanaryLeaks } from './canary';
import { findCustomPatterns } from './custom-patterns';
import { type PlaceholderNumbers, redactWithMarks } from './redaction';

const DEFAULT_POLICY = presetPolicy('standard');

/** Classifier scores below this are noise and not reported as findings. */
const CLASSIFIER_REPORT_FLOOR = 0.5;

/**
 * A short prompt gives the hashed n-gram classifier only a handful of features, so a few
 * n-grams that happened to co-occur with attacks in training ("write a poem about", a short
 * German question) decide its score on their own, and ordinary requests scored 0.75–0.9.
 * When a prompt of at most this many words has no other injection evidence (no phrase rule,
 * hidden or encoded text), the classifier alone blocks it only at a very high score. Short
 * attacks almost always carry phrase evidence ("ignore the above …"), which is unaffected.
 */
const SHORT_PROMPT_WORDS = 8;
const SHORT_PROMPT_CLASSIFIER_MIN = 0.9;

function wordCountAtMost(text: string, limit: number): boolean {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = text.charCodeAt(i) <= 0x20;
    if (!space && !inWord && ++words > limit) return false;
    inWord = !space;
  }
  return true;
}

/** Checks a prompt before it reaches the model. Never throws; fails closed on an internal error. */
export function checkInput(text: string, policy: SafetyPolicy = DEFAULT_POLICY): SafetyVerdict {
  return guarded(text, () => runInput(text, policy), policy, 'input');
}

/** Checks a model's answer before it reaches the caller. Never throws; fails closed on an internal error. */
export function checkOutput(text: string, policy: SafetyPolicy = DEFAULT_POLICY): SafetyVerdict {
  return guarded(text, () => runOutput(text, policy), policy, 'output');
}

function guarded(text: unknown, run: () => RatedFinding[], policy: SafetyPolicy, stage: Stage): SafetyVerdict {
  if (typeof text !== 'string') {
    return { action: 'block', text: '', findings: [{ check: 'internal', type: 'NOT_A_STRING', start: 0, end: 0 }] };
  }
  try {
    return verdict(text, run(), policy, stage);
  } catch {
    return { action: 'block', text: '', findings: [{ check: 'internal', type: 'CHECK_FAILED', start: 0, end: 0 }] };
  }
}

/**
 * Pattern redaction can leave a fragment that is itself PII: an email that took the last group
 * of a card leaves three groups that read as a phone number. Redacted text is therefore
 * re-checked until nothing new appears (bounded rounds), so the text handed on is a fixpoint.
 */
const MAX_REDACTION_ROUNDS = 3;

function redactToFixpoint(text: string, rated: RatedFinding[], policy: SafetyPolicy, stage: Stage): string {
  const numbers: PlaceholderNumbers = new Map();
  const recheckPolicy: SafetyPolicy = { ...policy, toxicity: { input: 'allow', output: 'allow' }, bannedWords: { ...policy.bannedWords, words: [] } };
  let { text: out, marks } = redactWithMarks(text, rated, numbers);
  for (let round = 1; round < MAX_REDACTION_ROUNDS && marks.length > 0; round++) {
    const again: RatedFinding[] = [];
    for (const [from, to] of windowsAround(marks, out.length)) {
      const window = out.slice(from, to);
      for (const f of contentFindings(window, EMPTY_VIEW, recheckPolicy, stage, undefined)) {
        if (f.action === 'redact') again.push({ ...f, start: f.start + from, end: f.end + from });
      }
    }
    if (again.length === 0) break;
    ({ text: out, marks } = redactWithMarks(out, again, numbers));
  }
  return out;
}

/** A leftover fragment sits next to a placeholder; the longest PII (an IBAN with spaces) fits in this margin. */
const RECHECK_MARGIN = 96;
const EMPTY_VIEW: MatchView = buildMatchView('');

function windowsAround(marks: readonly number[], length: number): Array<[number, number]> {
  const windows: Array<[number, number]> = [];
  for (const m of marks) {
    const from = Math.max(0, m - RECHECK_MARGIN);
    const to = Math.min(length, m + RECHECK_MARGIN);
    const last = windows[windows.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else windows.push([from, to]);
  }
  return windows;
}

function verdict(text: string, rated: RatedFinding[], policy: SafetyPolicy, stage: Stage): SafetyVerdict {
  let action: Action = 'allow';
  for (const f of rated) action = strictest(action, f.action);
  const findings: Finding[] = rated
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .map(({ check, type, start, end, score }) => (score === undefined ? { check, type, start, end } : { check, type, start, end, score }));
  const out = action === 'block' ? '' : action === 'redact' ? redactToFixpoint(text, rated, policy, stage) : text;
  return { action, text: out, findings };
}

const rate = (findings: readonly Finding[], action: Action): RatedFinding[] => findings.map((f) => ({ ...f, action }));

function unicodeFindings(text: string, policy: SafetyPolicy): { rated: RatedFinding[]; hidden: ReturnType<typeof scanUnicode>['hidden'] } {
  const scan = scanUnicode(text);
  const actionFor: Record<UnicodeFindingType, Action> = {
    INVISIBLE_CHARACTER: policy.unicode.invisible,
    BIDI_CONTROL: policy.unicode.bidi,
    TAG_SMUGGLING: policy.unicode.tagSmuggling,
    VARIATION_SELECTOR_SMUGGLING: policy.unicode.variationSelectorSmuggling,
  };
  return { rated: scan.findings.map((f) => ({ ...f, action: actionFor[f.type as UnicodeFindingType] })), hidden: scan.hidden };
}

function sizeFinding(text: string, policy: SafetyPolicy, stage: Stage): RatedFinding[] | undefined {
  const over = checkSize(text, policy.size[stage]);
  return over === undefined ? undefined : [{ ...over, action: 'block' }];
}

function runInput(text: string, policy: SafetyPolicy): RatedFinding[] {
  const over = sizeFinding(text, policy, 'input');
  if (over) return over;
  const { rated, hidden } = unicodeFindings(text, policy);
  const stripped = rated.length > 0 ? stripSpans(text, rated) : undefined;
  const view = buildMatchView(text);
  if (policy.injection.enabled) rated.push(...injectionFindings(text, view, hidden, policy));
  rated.push(...contentFindings(text, view, policy, 'input', stripped));
  return rated;
}

function runOutput(text: string, policy: SafetyPolicy): RatedFinding[] {
  const over = sizeFinding(text, policy, 'output');
  if (over) return over;
  const { rated } = unicodeFindings(text, policy);
  const view = buildMatchView(text);
  rated.push(...contentFindings(text, view, policy, 'output', rated.length > 0 ? stripSpans(text, rated) : undefined));
  if (policy.canary.tokens.length > 0) rated.push(...rate(findCanaryLeaks(view, policy.canary.tokens), policy.canary.action));
  return rated;
}

/**
 * Phrase rules, hidden and encoded text, and the classifier each give evidence; their
 * noisy-OR is compared with the policy threshold, and every injection finding takes the
 * resulting action together.
 */
function injectionFindings(text: string, view: MatchView, hidden: ReturnType<typeof scanUnicode>['hidden'], policy: SafetyPolicy): RatedFinding[] {
  const matches = matchPhrases(view.text);
  const findings: Finding[] = phraseFindings(view, matches);
  let miss = 1 - phraseScore(matches);
  for (const h of hidden) {
    const hiddenMatches = matchPhrases(buildMatchView(h.text).text);
    if (hiddenMatches.length === 0) continue;
    miss *= 1 - phraseScore(hiddenMatches);
    for (const m of hiddenMatches) findings.push({ check: 'injection', type: m.family, start: h.start, end: h.end, score: m.weight });
  }
  if (policy.injection.decodePayloads) {
    for (const f of findEncodedPayloads(text)) {
      findings.push(f);
      miss *= 1 - f.score;
    }
    const rot = findRot13Payload(view.text);
    if (rot !== undefined) {
      findings.push({ check: 'encoded_payload', type: 'ROT13', ...originalSpan(view, rot.from, rot.to), score: rot.score });
      miss *= 1 - rot.score;
    }
  }
  let threshold = policy.injection.threshold;
  if (policy.injection.classifier) {
    const p = injectionClassifier.score(view.text);
    if (p >= CLASSIFIER_REPORT_FLOOR) findings.push({ check: 'classifier', type: 'PROMPT_INJECTION', start: 0, end: text.length, score: round(p) });
    if (miss === 1 && wordCountAtMost(view.text, SHORT_PROMPT_WORDS)) threshold = Math.max(threshold, SHORT_PROMPT_CLASSIFIER_MIN);
    miss *= 1 - p;
  }
  const action = 1 - miss >= threshold ? policy.injection.action : 'allow';
  return rate(findings, action);
}

/**
 * Pattern recognizers see the text without invisible characters (when there are any), so a
 * zero-width space inside an email or key cannot hide it; spans are mapped back.
 */
function contentFindings(text: string, view: MatchView, policy: SafetyPolicy, stage: Stage, stripped: StrippedText | undefined): RatedFinding[] {
  const patternText = stripped?.text ?? text;
  const back = <F extends Finding>(f: F): F => (stripped ? { ...f, ...unstripSpan(stripped, f.start, f.end) } : f);
  const rated: RatedFinding[] = [];
  const piiActions = new Map<PiiEntity, Action>();
  for (const entity of PII_ENTITIES) {
    const action = policy.pii[entity][stage];
    if (action !== 'allow') piiActions.set(entity, action);
  }
  if (piiActions.size > 0) {
    for (const f of findPii(patternText, new Set(piiActions.keys()))) rated.push({ ...back(f), action: piiActions.get(f.type)! });
  }
  if (policy.secrets[stage] !== 'allow') rated.push(...rate(findSecrets(patternText).map(back), policy.secrets[stage]));
  if (policy.toxicity[stage] !== 'allow') rated.push(...rate(findToxicity(view), policy.toxicity[stage]));
  if (policy.bannedWords.words.length > 0) rated.push(...rate(findBannedWords(view, policy.bannedWords.words), policy.bannedWords.action[stage]));
  if (policy.customPatterns.length > 0) rated.push(...findCustomPatterns(patternText, policy.customPatterns, stage).map(back));
  return rated;
}

function round(p: number): number {
  return Math.round(p * 1000) / 1000;
}
