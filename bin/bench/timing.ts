/**
 * Sampling for the benchmark: warm up, then time each call separately, by the wall clock and by
 * this process's CPU time (process.cpuUsage, microsecond resolution here). On a shared machine
 * the wall clock also counts the time other processes held the core; CPU time does not, so it
 * is the steadier figure when the load average is above the core count.
 */
export interface Timing {
  /** Best case: the least disturbed by other load. */
  readonly minUs: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly meanUs: number;
  readonly cpuMinUs: number;
  readonly cpuP50Us: number;
  readonly cpuP99Us: number;
  readonly samples: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summarize(samples: number[], cpu: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const cpuSorted = [...cpu].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    minUs: round(sorted[0]), p50Us: round(percentile(sorted, 50)), p99Us: round(percentile(sorted, 99)), meanUs: round(mean),
    cpuMinUs: round(cpuSorted[0]), cpuP50Us: round(percentile(cpuSorted, 50)), cpuP99Us: round(percentile(cpuSorted, 99)), samples: samples.length,
  };
}

function cpuUs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return d.user + d.system;
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Runs `fn` over the inputs round-robin: `warmup` untimed calls, then `samples` timed ones. */
export function time(inputs: readonly string[], fn: (s: string) => unknown, samples: number, warmup = Math.min(200, samples)): Timing {
  for (let i = 0; i < warmup; i++) fn(inputs[i % inputs.length]);
  const out: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < samples; i++) {
    const input = inputs[i % inputs.length];
    const cpu0 = process.cpuUsage();
    const start = process.hrtime.bigint();
    fn(input);
    out.push(Number(process.hrtime.bigint() - start) / 1000);
    cpu.push(cpuUs(cpu0));
  }
  return summarize(out, cpu);
}

export async function timeAsync(inputs: readonly string[], fn: (s: string) => Promise<unknown>, samples: number, warmup = Math.min(50, samples)): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn(inputs[i % inputs.length]);
  const out: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < samples; i++) {
    const input = inputs[i % inputs.length];
    const cpu0 = process.cpuUsage();
    const start = process.hrtime.bigint();
    await fn(input);
    out.push(Number(process.hrtime.bigint() - start) / 1000);
    cpu.push(cpuUs(cpu0));
  }
  return summarize(out, cpu);
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
