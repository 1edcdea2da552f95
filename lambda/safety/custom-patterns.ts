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
 * re2-wasm copies the whole input into WASM memory on every match call, so n matches cost
 * O(n × length). Capping matches keeps a request linear; past the cap the check fails closed.
 */
export const MAX_MATCHES_PER_PATTERN = 100;

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
  const toUtf16 = codePointToUtf16Index(text);
  const findings: CustomFinding[] = [];
  for (const { spec, regex } of compiledPatterns) {
    if (spec.stage !== 'both' && spec.stage !== stage) continue;
    regex.lastIndex = 0;
    let count = 0;
    for (;;) {
      const m = regex.exec(text);
      if (m === null) break;
      const matched = m[0] ?? '';
      const start = toUtf16(m.index);
      const end = toUtf16(m.index + codePointLength(matched));
      if (++count > MAX_MATCHES_PER_PATTERN) {
        findings.push({ check: 'custom_pattern', type: `${spec.name}_MATCH_LIMIT`, start, end: text.length, action: 'block' });
        break;
      }
      if (end > start) findings.push({ check: 'custom_pattern', type: spec.name, start, end, action: spec.action });
      // An empty match would repeat forever; step one code point past it.
      if (matched.length === 0) regex.lastIndex = m.index + 1;
      if (regex.lastIndex === 0) break;
    }
    regex.lastIndex = 0;
  }
  return findings;
}

function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** re2-wasm reports code-point indices; findings use UTF-16 indices like every JS string API. */
function codePointToUtf16Index(text: string): (cp: number) => number {
  let hasSurrogates = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      hasSurrogates = true;
      break;
    }
  }
  if (!hasSurrogates) return (cp) => cp;
  const map: number[] = [];
  for (let i = 0; i < text.length; i++) {
    map.push(i);
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  map.push(text.length);
  return (cp) => map[Math.min(cp, map.length - 1)];
}
