import type { RE2 } from 're2-wasm';
import type { Action, Finding, Stage } from './types';

/** A team's own pattern, e.g. employee ids. Compiled with RE2, which guarantees linear-time matching. */
export interface CustomPattern {
  readonly name: string;
  readonly pattern: string;
  readonly caseInsensitive?: boolean;
  readonly action: Action;
  readonly stage: Stage | 'both';
}

export interface CompiledPattern {
  readonly spec: CustomPattern;
  readonly regex: RE2;
}

/**
 * How re2-wasm meets a JS string, and why the bridge works the way it does:
 * - each call encodes the whole input to UTF-8 and walks it again to turn the start index into
 *   a byte offset, so a call costs O(input) (about 10 ns per character here): matching the whole
 *   text once per match is O(matches × length);
 * - its encoder pairs a lone surrogate with whatever unit follows it, so RE2 sees a different
 *   text than the caller, and indices come back in code points, not UTF-16 units.
 * The bridge therefore makes one copy of the text with every lone surrogate replaced by U+FFFD
 * (one unit for one unit, so offsets are unchanged) and hands RE2 windows of that copy: each
 * window is at most WINDOW units, so every call costs O(WINDOW) and a pattern costs O(length)
 * however many matches it has. Indices are converted from code points within the window.
 *
 * The price is a stated bound: a match may be at most MAX_MATCH units long. Custom patterns are
 * for values (ids, codes, names); a match longer than the bound, or one that reaches it, fails
 * closed with a `<NAME>_TOO_LONG` finding. (Where a pattern's whole-text match would pass the
 * bound, a window that cuts it may leave RE2 a shorter alternative of the pattern: `x(y{600}|y)`
 * can match `xy`. No bounded window can tell.)
 *
 * Within the bound the result is exact: a match RE2 finds in a window is taken only when it
 * starts MAX_MATCH units or more before the window's end, so any match that starts earlier fits
 * in the window and RE2 would have found it first; one found later is looked for again in a
 * window that starts there. A window of twice the bound is the least that always moves on by
 * half a window; every match costs one window (re2-wasm's per-call copy), so it is kept at that.
 */
export const CUSTOM_PATTERN_MAX_MATCH = 512;
export const CUSTOM_PATTERN_WINDOW = 2 * CUSTOM_PATTERN_MAX_MATCH;

/**
 * re2-wasm reads re2.wasm from its own directory when first required. Loading it lazily keeps
 * a bundled Lambda without custom patterns free of that file; with custom patterns the bundle
 * must ship it (aws-lambda-nodejs: `bundling.nodeModules: ['re2-wasm']`).
 */
let re2Constructor: typeof RE2 | undefined;

function loadRe2(): typeof RE2 {
  if (re2Constructor === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose, see above
    re2Constructor = (require('re2-wasm') as typeof import('re2-wasm')).RE2;
  }
  return re2Constructor;
}

const compiled = new WeakMap<readonly CustomPattern[], CompiledPattern[]>();

/** Compiles once per policy object (re2-wasm initialises synchronously, so this stays sync). */
export function compileCustomPatterns(patterns: readonly CustomPattern[]): { patterns: CompiledPattern[]; problems: string[] } {
  const cached = compiled.get(patterns);
  if (cached) return { patterns: cached, problems: [] };
  const problems: string[] = [];
  const out: CompiledPattern[] = [];
  if (patterns.length === 0) return { patterns: out, problems };
  let Re2: typeof RE2;
  try {
    Re2 = loadRe2();
  } catch (err) {
    return {
      patterns: out,
      problems: [
        `policy.customPatterns: the RE2 engine (re2-wasm) could not load (${(err as Error).message.split('\n')[0]}); ` +
          "ship node_modules/re2-wasm with the function, e.g. aws-lambda-nodejs bundling.nodeModules: ['re2-wasm']",
      ],
    };
  }
  patterns.forEach((spec, i) => {
    try {
      out.push({ spec, regex: new Re2(spec.pattern, spec.caseInsensitive ? 'giu' : 'gu') });
    } catch (err) {
      problems.push(
        `policy.customPatterns[${i}].pattern: ${JSON.stringify(spec.pattern)} is not valid RE2 syntax (${(err as Error).message}); ` +
          'RE2 has no backreferences or lookaround, see https://github.com/google/re2/wiki/Syntax',
      );
    }
  });
  if (problems.length === 0) compiled.set(patterns, out);
  return { patterns: out, problems };
}

export interface CustomFinding extends Finding {
  readonly action: Action;
}

export function findCustomPatterns(text: string, patterns: readonly CustomPattern[], stage: Stage): CustomFinding[] {
  if (text.length === 0 || !patterns.some((p) => p.stage === 'both' || p.stage === stage)) return [];
  const { patterns: compiledPatterns } = compileCustomPatterns(patterns);
  const copy = withoutLoneSurrogates(text);
  const findings: CustomFinding[] = [];
  for (const { spec, regex } of compiledPatterns) {
    if (spec.stage === 'both' || spec.stage === stage) scanPattern(copy, spec, regex, findings);
  }
  return findings;
}

/** One pattern over the whole text in windows; see CUSTOM_PATTERN_WINDOW. */
function scanPattern(text: string, spec: CustomPattern, regex: RE2, out: CustomFinding[]): void {
  const n = text.length;
  let pos = 0;
  while (pos < n) {
    // One unit of context before the window keeps \b and \B right at its start.
    const from = pos > 0 ? stepBack(text, pos) : 0;
    const to = Math.min(n, pos + CUSTOM_PATTERN_WINDOW);
    // Every match of at most MAX_MATCH units that starts before `settled` ends inside the window.
    const settled = to === n ? n : to - CUSTOM_PATTERN_MAX_MATCH;
    const window = text.slice(from, to);
    regex.lastIndex = pos > 0 ? 1 : 0; // in code points, like every re2-wasm index
    const m = regex.exec(window);
    const start = m === null ? n : from + unitsForCodePoints(window, 0, m.index);
    if (start >= settled) {
      if (to === n) return;
      // None starts before `settled`: look again from there.
      pos = alignForward(text, settled);
      continue;
    }
    const end = start + (m![0] ?? '').length;
    // Longer than the bound, or starting early enough to fit yet running into the window's end:
    // fail closed, wherever the windows happen to fall.
    if (end - start > CUSTOM_PATTERN_MAX_MATCH || (end >= to && to < n)) {
      out.push({ check: 'custom_pattern', type: `${spec.name}_TOO_LONG`, start, end: Math.min(end, to), action: 'block' });
      return;
    }
    if (end > start) {
      out.push({ check: 'custom_pattern', type: spec.name, start, end, action: spec.action });
      pos = end;
    } else {
      pos = alignForward(text, start + 1);
    }
  }
}

/** UTF-16 units taken by the first `codePoints` code points of `s` from `from` (s has no lone surrogates). */
function unitsForCodePoints(s: string, from: number, codePoints: number): number {
  let i = from;
  for (let k = 0; k < codePoints && i < s.length; k++) i += isHighSurrogate(s.charCodeAt(i)) ? 2 : 1;
  return i - from;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Start of the code point before `i`. */
function stepBack(s: string, i: number): number {
  return i >= 2 && isLowSurrogate(s.charCodeAt(i - 1)) && isHighSurrogate(s.charCodeAt(i - 2)) ? i - 2 : i - 1;
}

/** `i`, or `i + 1` when `i` is the second half of a pair, so a window never starts inside one. */
function alignForward(s: string, i: number): number {
  return i > 0 && i < s.length && isLowSurrogate(s.charCodeAt(i)) && isHighSurrogate(s.charCodeAt(i - 1)) ? i + 1 : i;
}

/**
 * The text with every unpaired surrogate replaced by U+FFFD: same length, same offsets, and
 * valid UTF-16, so re2-wasm's encoder sees exactly these characters. Returns `text` when it
 * has no lone surrogate (the common case: one pass, no copy).
 */
export function withoutLoneSurrogates(text: string): string {
  let parts: string[] | undefined;
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (isHighSurrogate(c) && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      i++;
      continue;
    }
    (parts ??= []).push(text.slice(last, i), '\ufffd');
    last = i + 1;
  }
  if (parts === undefined) return text;
  parts.push(text.slice(last));
  return parts.join('');
}
