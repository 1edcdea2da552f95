import type { Action, Finding, RatedFinding, SafetyVerdict, Stage } from './types';
import { rated, strictest } from './types';
import { presetPolicy, type SafetyPolicy } from './policy';
import { checkSize } from './size';
import { type HiddenText, scanUnicode, type UnicodeFinding, type UnicodeFindingType } from './unicode';
import { buildMatchView, type MatchView, stripSpans, type StrippedText, unstripSpan } from './normalize';
import { injectionFindings } from './injection-checks';
import { dataInjectionFindings } from './indirect-injection';
import { findCanaryLeaks } from './canary';
import { append, contentFindings, lexiconFindings, placeholderTypes, rate } from './content-checks';
import { MAX_PLACEHOLDER_LENGTH, maskPlaceholders } from './placeholders';
import { type PlaceholderNumbers, redactWithMarks } from './redaction';
import { splitsPair } from './value-propagation';

const DEFAULT_POLICY = presetPolicy('standard');

/**
 * Where a text of a request comes from. `user`: the caller's prompt (direct injection and
 * jailbreak checks). `data`: content the application passes to the model as material to work
 * on — retrieved documents, tool results, e-mails, web pages, code — where any instruction is
 * suspect (the indirect-injection detector). `system`: the operator's own instructions, trusted:
 * no injection check, every other check as usual.
 */
export type Origin = 'system' | 'user' | 'data';

export interface CheckOptions {
  /** @default 'user' */
  readonly origin?: Origin;
}

/** Checks a text before it reaches the model. Never throws; fails closed on an internal error. */
export function checkInput(text: string, policy: SafetyPolicy = DEFAULT_POLICY, options: CheckOptions = {}): SafetyVerdict {
  const origin = options.origin ?? 'user';
  return guarded(text, () => runInput(text, policy, origin), policy, 'input');
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
 * The one normalisation of a request that every check shares: placeholders of the policy's
 * own types masked, the unicode scan, the text without flagged invisible characters (for value
 * recognizers) and the folded view (for phrase and lexicon matchers).
 */
interface Prepared {
  readonly masked: string;
  readonly unicode: RatedFinding[];
  readonly hidden: readonly HiddenText[];
  readonly stripped: StrippedText | undefined;
  readonly view: MatchView;
}

/**
 * `grouped`: a unicode finding may cover several flagged spans (its `pieces`). The answer stream
 * (rateOutput) takes one finding per span instead: it clips findings to the piece it releases.
 */
function prepare(text: string, policy: SafetyPolicy, grouped = true): Prepared {
  const masked = maskPlaceholders(text, placeholderTypes(policy));
  const scan = scanUnicode(masked);
  const actionFor: Record<UnicodeFindingType, Action> = {
    INVISIBLE_CHARACTER: policy.unicode.invisible,
    BIDI_CONTROL: policy.unicode.bidi,
    TAG_SMUGGLING: policy.unicode.tagSmuggling,
    VARIATION_SELECTOR_SMUGGLING: policy.unicode.variationSelectorSmuggling,
  };
  const unicode: RatedFinding[] = grouped
    ? scan.findings.map((f) => ({ check: f.check, type: f.type, start: f.start, end: f.end, action: actionFor[f.type], pieces: f.pieces }))
    : scan.findings.flatMap((f) => onePerPiece(f, actionFor[f.type]));
  const stripped = scan.flagged.length > 0 ? stripSpans(masked, scan.flagged) : undefined;
  return { masked, unicode, hidden: scan.hidden, stripped, view: buildMatchView(masked) };
}

function onePerPiece(f: UnicodeFinding, action: Action): RatedFinding[] {
  if (f.pieces === undefined) return [rated(f, action)];
  const out: RatedFinding[] = [];
  for (let k = 0; k < f.pieces.length; k += 2) out.push(rated(f, action, f.pieces[k], f.pieces[k + 1]));
  return out;
}

/** Value and lexicon findings of a prepared text, in original offsets. */
function contentOf(p: Prepared, policy: SafetyPolicy, stage: Stage): RatedFinding[] {
  const values = contentFindings(p.stripped?.text ?? p.masked, policy, stage, p.view.text);
  const stripped = p.stripped;
  const out = stripped === undefined ? values : values.map((f) => unstripped(stripped, f));
  return append(out, lexiconFindings(p.view, policy, stage));
}

/**
 * Value findings only (PII, secrets, custom patterns), for re-checking redacted text: no folded
 * view is needed, and the unicode scan only decides which invisible characters to look through.
 */
function valuesOf(text: string, policy: SafetyPolicy, stage: Stage): RatedFinding[] {
  const { flagged } = scanUnicode(text);
  const stripped = flagged.length > 0 ? stripSpans(text, flagged) : undefined;
  const values = contentFindings(stripped?.text ?? text, policy, stage);
  return stripped === undefined ? values : values.map((f) => unstripped(stripped, f));
}

function unstripped(stripped: StrippedText, f: RatedFinding): RatedFinding {
  const { start, end } = unstripSpan(stripped, f.start, f.end);
  return rated(f, f.action, start, end);
}

function sizeFinding(text: string, policy: SafetyPolicy, stage: Stage): RatedFinding[] | undefined {
  const over = checkSize(text, policy.size[stage]);
  return over === undefined ? undefined : [{ ...over, action: 'block' }];
}

function runInput(text: string, policy: SafetyPolicy, origin: Origin): RatedFinding[] {
  const over = sizeFinding(text, policy, 'input');
  if (over) return over;
  const p = prepare(text, policy);
  const rated = p.unicode.slice();
  if (origin === 'data' && policy.indirectInjection.enabled) append(rated, dataInjectionFindings(p.masked, p.view, p.hidden, policy));
  else if (origin === 'user' && policy.injection.enabled) append(rated, injectionFindings(p.masked, p.view, p.hidden, policy));
  return append(rated, contentOf(p, policy, 'input'));
}

function runOutput(text: string, policy: SafetyPolicy): RatedFinding[] {
  const over = sizeFinding(text, policy, 'output');
  if (over) return over;
  return outputFindings(text, policy);
}

/**
 * The output checks' findings, each with the action the policy attaches to it, spans widened to
 * whole code points, for a caller that releases an answer piece by piece (output-stream-check.ts)
 * and counts its size itself. Never throws: an internal error is a blocking finding.
 */
export function rateOutput(text: string, policy: SafetyPolicy): RatedFinding[] {
  try {
    return outputFindings(text, policy, false).map((f) => wholeCodePoints(text, f));
  } catch {
    return [{ check: 'internal', type: 'CHECK_FAILED', start: 0, end: text.length, action: 'block' }];
  }
}

function outputFindings(text: string, policy: SafetyPolicy, grouped = true): RatedFinding[] {
  const p = prepare(text, policy, grouped);
  const rated = append(p.unicode.slice(), contentOf(p, policy, 'output'));
  if (policy.canary.tokens.length > 0) append(rated, rate(findCanaryLeaks(p.view, policy.canary.tokens), policy.canary.action));
  return rated;
}

/**
 * Pattern redaction can leave a fragment that is itself PII: an email that took the last group
 * of a card leaves three groups that read as a phone number. The text around each placeholder
 * is therefore re-checked until nothing new appears (bounded rounds), so the text handed on is
 * a fixpoint. Lexicon checks are not re-run: masking a word cannot create a value.
 */
const MAX_REDACTION_ROUNDS = 3;

const recheckPolicies = new WeakMap<SafetyPolicy, SafetyPolicy>();

function recheckPolicyOf(policy: SafetyPolicy): SafetyPolicy {
  let recheck = recheckPolicies.get(policy);
  if (recheck === undefined) {
    recheck = { ...policy, toxicity: { input: 'allow', output: 'allow' }, bannedWords: { ...policy.bannedWords, words: [] } };
    recheckPolicies.set(policy, recheck);
  }
  return recheck;
}

function redactToFixpoint(text: string, found: RatedFinding[], policy: SafetyPolicy, stage: Stage): string {
  const numbers: PlaceholderNumbers = new Map();
  const recheckPolicy = recheckPolicyOf(policy);
  let { text: out, marks } = redactWithMarks(text, found, numbers);
  for (let round = 1; round < MAX_REDACTION_ROUNDS && marks.length > 0; round++) {
    const again: RatedFinding[] = [];
    for (const [from, to] of windowsAround(marks, out.length)) {
      for (const f of valuesOf(maskedWindow(out, from, to, policy), recheckPolicy, stage)) {
        if (f.action === 'redact') again.push(rated(f, f.action, f.start + from, f.end + from));
      }
    }
    if (again.length === 0) break;
    ({ text: out, marks } = redactWithMarks(out, again, numbers));
  }
  return out;
}

/**
 * text[from, to) with placeholders masked. Masking a wider slice first means a window edge
 * cannot cut a placeholder into a "value": any placeholder that reaches into the window lies
 * wholly inside the wider slice. Only the windows are copied, not the whole answer.
 */
function maskedWindow(text: string, from: number, to: number, policy: SafetyPolicy): string {
  const wideFrom = Math.max(0, from - MAX_PLACEHOLDER_LENGTH);
  const wide = maskPlaceholders(text.slice(wideFrom, Math.min(text.length, to + MAX_PLACEHOLDER_LENGTH)), placeholderTypes(policy));
  return wide.slice(from - wideFrom, to - wideFrom);
}

/** A leftover fragment sits next to a placeholder; the longest PII (an IBAN with spaces) fits in this margin. */
const RECHECK_MARGIN = 96;

function windowsAround(marks: ArrayLike<number>, length: number): Array<[number, number]> {
  const windows: Array<[number, number]> = [];
  for (let k = 0; k < marks.length; k++) {
    const m = marks[k];
    const from = Math.max(0, m - RECHECK_MARGIN);
    const to = Math.min(length, m + RECHECK_MARGIN);
    const last = windows[windows.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else windows.push([from, to]);
  }
  return windows;
}

/** Every span covers whole code points: one that would cut a surrogate pair takes all of it. */
function wholeCodePoints<F extends Finding>(text: string, f: F): F {
  const start = splitsPair(text, f.start) ? f.start - 1 : f.start;
  const end = splitsPair(text, f.end) ? f.end + 1 : f.end;
  return start === f.start && end === f.end ? f : { ...f, start, end }; // rare: a span that cut a surrogate pair
}

function verdict(text: string, found: RatedFinding[], policy: SafetyPolicy, stage: Stage): SafetyVerdict {
  let action: Action = 'allow';
  const rated = found.map((f) => wholeCodePoints(text, f));
  for (let k = 0; k < rated.length; k++) action = strictest(action, rated[k].action);
  const findings: Finding[] = rated
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .map(({ check, type, start, end, score }) => (score === undefined ? { check, type, start, end } : { check, type, start, end, score }));
  const out = action === 'block' ? '' : action === 'redact' ? redactToFixpoint(text, rated, policy, stage) : text;
  return { action, text: out, findings };
}
