/**
 * Linear time, measured: each check family on its own worst-case inputs at 64K, 128K, 256K,
 * 512K and 1M characters. A family passes when time(2n) / time(n) ≤ MAX_RATIO for every
 * doubling of every shape. Times are CPU time of this process (the wall clock on a shared
 * machine also counts other processes). Each ratio is taken between two blocks timed back to
 * back, once per round, and the median over the rounds counts (see measureGrowth); each family
 * runs in a process of its own (measureGrowthIsolated).
 */
import { execFileSync } from 'node:child_process';
import { checkInput, checkOutput, parsePolicy, PII_ENTITIES, type SafetyPolicy } from '../../lambda/safety';
import { GROUP_GAP } from '../../lambda/safety/unicode';

export const GROWTH_SIZES = [1 << 16, 1 << 17, 1 << 18, 1 << 19, 1 << 20];
export const MAX_RATIO = 2.5;

type Run = (text: string) => unknown;

interface Family {
  readonly run: Run;
  /** Repeated to the length: the shapes that make backtracking or rescanning code blow up. */
  readonly shapes: Record<string, string>;
}

/** Everything off but size, so each family is measured on its own (plus the shared normalisation). */
const OFF = {
  preset: 'permissive',
  size: { input: { maxChars: 1 << 22, maxBytes: 1 << 24 }, output: { maxChars: 1 << 22, maxBytes: 1 << 24 } },
  unicode: { invisible: 'allow', bidi: 'allow', tagSmuggling: 'allow', variationSelectorSmuggling: 'allow' },
  injection: { enabled: false },
  indirectInjection: { enabled: false },
  pii: Object.fromEntries(PII_ENTITIES.map((e) => [e, 'allow'])),
  secrets: 'allow',
  toxicity: 'allow',
} as const;

const only = (overrides: Record<string, unknown>): SafetyPolicy => parsePolicy({ ...OFF, ...overrides });
const input = (policy: SafetyPolicy): Run => (s) => checkInput(s, policy);
const data = (policy: SafetyPolicy): Run => (s) => checkInput(s, policy, { origin: 'data' });
const output = (policy: SafetyPolicy): Run => (s) => checkOutput(s, policy);
const allPii = Object.fromEntries(PII_ENTITIES.map((e) => [e, 'redact']));

export const FAMILIES: Record<string, Family> = {
  size: { run: input(only({})), shapes: { 'two-byte': 'é', 'astral': '😀', 'lone surrogate': '\ud800' } },
  unicode: {
    run: input(only({ unicode: { invisible: 'redact', bidi: 'redact', tagSmuggling: 'block', variationSelectorSmuggling: 'block' } })),
    shapes: {
      'zero width': '\u200b', 'zero width between letters': 'a\u200b', 'tag characters': '\u{E0041}', 'variation selectors': '\ufe0f', 'bidi': '\u202e', 'joiner in words': 'a\u200db',
      // Just too far apart to share a finding (unicode.ts): the most findings the scan can report.
      'zero width past the group gap': `${'a'.repeat(GROUP_GAP + 1)}\u200b`,
    },
  },
  'injection (prompt)': {
    run: input(only({ injection: { enabled: true } })),
    shapes: {
      'override gaps': 'ignore all the ', 'persona': 'you are now ', 'delimiters': '<|', 'spanish trigger': 'a partir de ', 'base64': 'QUJD', 'hex': '4a',
      'rot13 marker': 'vtaber ', 'one letter': 'a', 'long words': 'x'.repeat(63) + ' ',
    },
  },
  'injection (data)': {
    run: data(only({ indirectInjection: { enabled: true } })),
    shapes: {
      'unclosed comments': '<!--', 'style attributes': 'style=', 'image alt': '![a](', 'answer manipulation': 'in your response ', 'short lines': 'Write a poem.\n',
      'one long line': 'word ', 'role markers': '<|im_start|>',
    },
  },
  pii: {
    run: input(only({ pii: allPii })),
    shapes: {
      'emails without tld': 'a@', 'local parts': 'a.', 'digit groups': '1 ', 'dashed digits': '1-', 'ipv6 colons': '1:', 'double colons': '1::', 'iban starts': 'GB12 ',
      'ssn-like': '123-45-', 'urls': 'http://a', 'plus digits': '+1 ', 'emails': 'ann@example.com ',
    },
  },
  secrets: {
    run: input(only({ secrets: 'redact' })),
    shapes: {
      'private key begin without end': '-----BEGIN PRIVATE KEY-----', 'jwt prefix': 'eyJ', 'jwt dots': 'eyJhbGciOiJIUzI1.', 'aws prefix': 'AKIA', 'secret keyword': 'password=',
      'bearer': 'bearer ', 'github prefix': 'ghp_', 'openai prefix': 'sk-', 'secret word': 'secret ',
    },
  },
  toxicity: {
    run: output(only({ toxicity: 'redact' })),
    shapes: { 'spaced letters': 'f u ', 'masked': 'f*', 'stretched': 'fuu', 'leet': '$h1', 'dotted': 'f.u.' },
  },
  'banned words': {
    run: input(only({ bannedWords: { words: ['project-nightingale', 'acme corp'], action: 'redact' } })),
    shapes: { 'spaced word': 'p r o j e c t ', 'first word of phrase': 'project ', 'hyphenated': 'project-' },
  },
  canary: {
    run: output(only({ canary: { tokens: ['canary-5f2a9c0d1e7b4a36'] } })),
    shapes: { 'spaced canary prefix': 'c a n a r y 5 f ', 'canary prefix': 'canary-5f2a' },
  },
  'custom patterns (RE2)': {
    run: input(only({ customPatterns: [{ name: 'EMPLOYEE_ID', pattern: 'EMP-\\d{6}', action: 'redact' }, { name: 'TICKET', pattern: '(?i)ticket[ #:-]{0,3}\\d{3,8}', action: 'redact' }] })),
    shapes: { 'many matches': 'EMP-123456 ', 'prefix only': 'EMP-', 'lone surrogates': '\ud800EMP-123456 ', 'near misses': 'ticket #' },
  },
  'redaction (many findings)': {
    run: input(only({ pii: allPii, secrets: 'redact' })),
    shapes: { 'one value repeated': 'AKIAQWERTYUIOPASDFGH ', 'distinct emails': '', 'glued copies': 'AKIAQWERTYUIOPASDFGH1' },
  },
};

function pump(unit: string, length: number, family: string, shape: string): string {
  if (family === 'redaction (many findings)' && shape === 'distinct emails') {
    let s = '';
    for (let i = 0; s.length < length; i++) s += `u${i}@example.com `;
    return s.slice(0, length);
  }
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

export interface GrowthRow {
  readonly family: string;
  readonly shape: string;
  /** Best time in ms at each size. */
  readonly ms: readonly number[];
  /** time(2n) / time(n) for each doubling: the median over the rounds of the ratio of two adjacent blocks. */
  readonly ratios: readonly number[];
  readonly maxRatio: number;
  /** When a doubling of the screen exceeded MAX_RATIO and was measured again on its own: the screen's ratios. */
  readonly firstRatios?: readonly number[];
}

/**
 * Each size is timed in blocks of back-to-back runs that last at least BLOCK_MS of CPU, and a
 * block's figure is its mean per run: the garbage a run makes is collected within its own block,
 * so every size pays for its own allocation, in proportion, as a warm Lambda does. (Forcing a
 * full collection before every run instead shrinks the young generation to its minimum, so any
 * run that allocates more than a few MB pays scavenges a smaller one escapes: that measured V8's
 * heap sizing, not the check.)
 *
 * A round times every size once, smallest first in even rounds and largest first in odd ones, so
 * the blocks of n and 2n are always adjacent in time. Each doubling's ratio is taken within a
 * round and the median over the rounds counts. On these shared machines the speed of the whole
 * machine drifts by up to 2× over seconds (the same 64K block measured 0.9–2.1 ms in one
 * process); a ratio of the best block per size, taken whenever each happened to run, read that
 * drift as growth (3–4× "doublings" between two sizes that a rerun measured at 2.0). Nine rounds
 * of 60 ms blocks: with seven of 40 ms, the median of one shape still ranged 2.0–2.5 between runs
 * (variation selectors; 2.0–2.03 with these).
 *
 * An excess must be reproduced. The screen above times ~50 shapes × 4 doublings, and at ±20% of
 * drift a few of those 200 ratios land above 2.5 by chance in most runs (one run: 'local parts'
 * 2.97 at 64K → 128K; 21 paired blocks of 131,032 against 131,112 characters, or of every size
 * from 32K to 256K against 32K, measured its cost per character flat within ±15%). So a doubling
 * over MAX_RATIO is measured again on its own: REMEASURE_ROUNDS pairs of blocks of n and 2n,
 * n first in even rounds and 2n first in odd ones (so neither size always runs after the
 * other's garbage), and the median of those ratios counts. Code that is not linear stays over
 * (a quadratic doubling measures 3.9 there too); drift does not.
 */
const BLOCK_MS = 60;
const REMEASURE_ROUNDS = 25;

export function measureGrowth(rounds = 9, families: Record<string, Family> = FAMILIES): GrowthRow[] {
  const rows: GrowthRow[] = [];
  for (const [family, { run, shapes }] of Object.entries(families)) {
    for (const [shape, unit] of Object.entries(shapes)) {
      const inputs = GROWTH_SIZES.map((n) => pump(unit, n, family, shape));
      inputs.forEach((text) => run(text)); // warm-up: compiled code and a grown heap, as in a warm function
      const { ms, ratios: first } = measureShape(run, inputs, rounds);
      const ratios = first.map((r, k) => (r <= MAX_RATIO ? r : measureDoubling(run, inputs[k], inputs[k + 1])));
      const remeasured = ratios.some((r, k) => r !== first[k]);
      rows.push({ family, shape, ms, ratios, maxRatio: Math.max(...ratios), ...(remeasured ? { firstRatios: first } : {}) });
    }
  }
  return rows;
}

/** The screen: the rounds of blocks described above, every size once per round. */
function measureShape(run: Run, inputs: readonly string[], rounds: number): { ms: number[]; ratios: number[] } {
  const ascending = inputs.map((_, k) => k);
  const descending = [...ascending].reverse();
  const times: number[][] = [];
  for (let r = 0; r < rounds; r++) {
    const round = new Array<number>(inputs.length);
    for (const k of r % 2 === 0 ? ascending : descending) round[k] = blockMeanMs(run, inputs[k]);
    times.push(round);
  }
  const best = inputs.map((_, k) => Math.min(...times.map((t) => t[k])));
  const ratios = best.slice(1).map((_, k) => round2(median(times.map((t) => t[k + 1] / Math.max(t[k], 0.001)))));
  return { ms: best.map(round2), ratios };
}

/** One doubling on its own: the median of REMEASURE_ROUNDS paired block ratios, in alternating order. */
function measureDoubling(run: Run, small: string, large: string): number {
  const ratios: number[] = [];
  for (let r = 0; r < REMEASURE_ROUNDS; r++) {
    let s: number;
    let l: number;
    if (r % 2 === 0) {
      s = blockMeanMs(run, small);
      l = blockMeanMs(run, large);
    } else {
      l = blockMeanMs(run, large);
      s = blockMeanMs(run, small);
    }
    ratios.push(l / Math.max(s, 0.001));
  }
  return round2(median(ratios));
}

/**
 * measureGrowth with each family in a fresh Node process (this file, run with the flags of this
 * one), as benchmark harnesses fork: what ran before in a process (the speed section's texts and
 * peers, the other families' shapes) changes its heap and compiled code, and with them the
 * figures.
 */
export function measureGrowthIsolated(families: readonly string[] = Object.keys(FAMILIES)): GrowthRow[] {
  return families.flatMap((family) => {
    const out = execFileSync(process.execPath, [...process.execArgv, __filename, family], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
    return JSON.parse(out) as GrowthRow[];
  });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Mean CPU ms per run over back-to-back runs that together take at least BLOCK_MS. */
function blockMeanMs(run: Run, text: string): number {
  const start = process.cpuUsage();
  let runs = 0;
  let us = 0;
  do {
    run(text);
    runs++;
    const d = process.cpuUsage(start);
    us = d.user + d.system;
  } while (us < BLOCK_MS * 1000);
  return us / runs / 1000;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function printGrowth(rows: readonly GrowthRow[]): void {
  console.log(`Linear time: best ms per size (${GROWTH_SIZES.map((n) => `${n >> 10}K`).join(', ')} characters) and time(2n)/time(n), the median of adjacent blocks; limit ${MAX_RATIO}`);
  let family = '';
  for (const r of rows) {
    if (r.family !== family) {
      family = r.family;
      const worst = Math.max(...rows.filter((x) => x.family === family).map((x) => x.maxRatio));
      console.log(`  ${family}: worst ratio ${worst.toFixed(2)} ${worst <= MAX_RATIO ? 'ok' : 'OVER'}`);
    }
    const rerun = r.firstRatios ? `   (screen: ${r.firstRatios.map((x) => x.toFixed(2)).join(' ')}; over ${MAX_RATIO} measured again on its own)` : '';
    console.log(`    ${r.shape.padEnd(32)} ${r.ms.map((m) => m.toFixed(1).padStart(8)).join('')}   ratios ${r.ratios.map((x) => x.toFixed(2)).join(' ')}${rerun}`);
  }
}

// `<this file> <family>`: one family's rows as JSON on stdout (measureGrowthIsolated).
if (require.main === module) {
  const family = process.argv[2];
  if (family === undefined || !(family in FAMILIES)) {
    process.stderr.write(`usage: growth.ts <family>; one of: ${Object.keys(FAMILIES).join(', ')}\n`);
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(measureGrowth(9, { [family]: FAMILIES[family] })));
}
