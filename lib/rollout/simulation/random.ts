/** mulberry32: a tiny seeded PRNG, uniform in [0, 1); the same seed gives the same sequence everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded pseudo-random source: simulations are reproducible from their seed. */
export class SeededRandom {
  /** Uniform in [0, 1). */
  public readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** Standard normal (Box–Muller). */
  public normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /**
   * Poisson-distributed count with mean `lambda`: exact (Knuth) for small means, the normal
   * approximation with continuity correction above 50, where it is accurate to well under 1%.
   */
  public poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const limit = Math.exp(-lambda);
    let k = 0;
    for (let p = this.next(); p > limit; p *= this.next()) k++;
    return k;
  }
}

/** A log-normal latency distribution given by its median and 99th percentile, in ms. */
export interface LatencyDistribution {
  readonly medianMs: number;
  readonly p99Ms: number;
}

/** z-score of the 99th percentile of a standard normal. */
const Z99 = 2.3263;

export function sampleLatencyMs(random: SeededRandom, latency: LatencyDistribution): number {
  const sigma = Math.log(Math.max(latency.p99Ms, latency.medianMs * 1.0001) / latency.medianMs) / Z99;
  return latency.medianMs * Math.exp(sigma * random.normal());
}
