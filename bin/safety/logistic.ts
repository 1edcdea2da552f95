/**
 * Logistic regression over hashed n-grams (features in lambda/safety/classifier-features.ts),
 * AdaGrad, fixed seed: the training loop both classifiers share.
 */
import { FEATURE_HASH_BITS, forEachFeature } from '../../lambda/safety/classifier-features';
import { mulberry32 } from '../../lib/rollout/simulation/random';

const BUCKETS = 1 << FEATURE_HASH_BITS;

export interface Example {
  readonly buckets: Int32Array;
  readonly values: Float32Array;
  readonly label: number;
  readonly weight: number;
}

export interface TrainOptions {
  readonly seed: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly l2: number;
}

/** L2-normalised feature counts of an already folded text. */
export function toExample(folded: string, label: number, weight: number): Example {
  const counts = new Map<number, number>();
  forEachFeature(folded, (b) => counts.set(b, (counts.get(b) ?? 0) + 1));
  let squares = 0;
  for (const c of counts.values()) squares += c * c;
  const norm = squares > 0 ? 1 / Math.sqrt(squares) : 0;
  return { buckets: Int32Array.from(counts.keys()), values: Float32Array.from([...counts.values()].map((c) => c * norm)), label, weight };
}

export function train(examples: readonly Example[], options: TrainOptions): { weights: Float64Array; bias: number } {
  const weights = new Float64Array(BUCKETS);
  const gradSq = new Float64Array(BUCKETS).fill(1e-8);
  let bias = 0;
  let biasGradSq = 1e-8;
  const random = mulberry32(options.seed);
  const order = examples.map((_, i) => i);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const idx of order) {
      const ex = examples[idx];
      let z = bias;
      for (let k = 0; k < ex.buckets.length; k++) z += weights[ex.buckets[k]] * ex.values[k];
      const p = 1 / (1 + Math.exp(-z));
      const g = (p - ex.label) * ex.weight;
      for (let k = 0; k < ex.buckets.length; k++) {
        const b = ex.buckets[k];
        const grad = g * ex.values[k] + options.l2 * weights[b];
        gradSq[b] += grad * grad;
        weights[b] -= (options.learningRate * grad) / Math.sqrt(gradSq[b]);
      }
      biasGradSq += g * g;
      bias -= (options.learningRate * g) / Math.sqrt(biasGradSq);
    }
  }
  return { weights, bias };
}

/** int8 weights with one scale, base64: the shipped file stays a few tens of kilobytes. */
export function quantize(weights: Float64Array): { scale: number; base64: string } {
  let max = 0;
  for (const w of weights) max = Math.max(max, Math.abs(w));
  const scale = max / 127 || 1;
  const bytes = Buffer.alloc(weights.length);
  weights.forEach((w, i) => bytes.writeInt8(Math.max(-127, Math.min(127, Math.round(w / scale))), i));
  return { scale, base64: bytes.toString('base64') };
}

export function weightsFile(description: string, options: TrainOptions, trainRows: Record<string, number>, weights: Float64Array, bias: number): string {
  const { scale, base64 } = quantize(weights);
  const out = { description, seed: options.seed, epochs: options.epochs, trainRows, hashBits: FEATURE_HASH_BITS, bias, scale, weights: base64 };
  return `${JSON.stringify(out, null, 1)}\n`;
}
