/** Wall-clock sampling for the benchmark: warm up, then time each call separately. */
export interface Timing {
  /** Best case: the least disturbed by other load, used for growth ratios. */
  readonly minUs: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly meanUs: number;
  readonly samples: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summarize(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { minUs: round(sorted[0]), p50Us: round(percentile(sorted, 50)), p99Us: round(percentile(sorted, 99)), meanUs: round(mean), samples: samples.length };
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Runs `fn` over the inputs round-robin: `warmup` untimed calls, then `samples` timed ones. */
export function time(inputs: readonly string[], fn: (s: string) => unknown, samples: number, warmup = Math.min(200, samples)): Timing {
  for (let i = 0; i < warmup; i++) fn(inputs[i % inputs.length]);
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const input = inputs[i % inputs.length];
    const start = process.hrtime.bigint();
    fn(input);
    out.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return summarize(out);
}

export async function timeAsync(inputs: readonly string[], fn: (s: string) => Promise<unknown>, samples: number, warmup = Math.min(50, samples)): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn(inputs[i % inputs.length]);
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const input = inputs[i % inputs.length];
    const start = process.hrtime.bigint();
    await fn(input);
    out.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return summarize(out);
}

const FLOOR_REGEX = /\b(?:ignore|disregard|password|secret)\b/g;

/**
 * The floor a check is measured against: the least a phrase filter can do, one lowercase copy
 * and one native regex pass over it. A pipeline within 10× of it does the work of a dozen
 * checks for the cost of a few such passes.
 */
export function floorPass(s: string): number {
  const lower = s.toLowerCase();
  FLOOR_REGEX.lastIndex = 0;
  let hits = 0;
  while (FLOOR_REGEX.exec(lower) !== null) hits++;
  return hits;
}

export function mbPerSecond(bytes: number, meanUs: number): number {
  return round(bytes / meanUs, 1);
}
