/**
 * Trains the injection classifier: logistic regression over hashed n-grams (features in
 * lambda/safety/classifier-features.ts), AdaGrad, fixed seed, train split only.
 * Usage: npm run train:safety [DATA_DIR]   → writes lambda/safety/classifier-weights.json
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FEATURE_HASH_BITS, forEachFeature } from '../../lambda/safety/classifier-features';
import { buildMatchView } from '../../lambda/safety/normalize';
import { classifierWindow } from '../../lambda/safety/classifier';
import { dataDir, isHeldOut, loadLabelledFiles, loadPiiRows, type LabelledRow } from './datasets';
import { generateHardNegatives } from './hard-negatives';
import { mulberry32 } from '../../lib/rollout/simulation/random';

const SEED = 20261121;
const EPOCHS = 25;
const LEARNING_RATE = 0.4;
const L2 = 1e-5;
/** Template-generated ordinary task prompts added as benign rows; see bin/safety/hard-negatives.ts. */
const HARD_NEGATIVES = Number(process.env.HARD_NEGATIVES ?? 1200);
const BUCKETS = 1 << FEATURE_HASH_BITS;

interface Example {
  readonly buckets: Int32Array;
  readonly values: Float32Array;
  readonly label: number;
  readonly weight: number;
}


function toExample(row: LabelledRow, weight: number): Example {
  const counts = new Map<number, number>();
  forEachFeature(classifierWindow(buildMatchView(row.text).text), (b) => counts.set(b, (counts.get(b) ?? 0) + 1));
  let squares = 0;
  for (const c of counts.values()) squares += c * c;
  const norm = squares > 0 ? 1 / Math.sqrt(squares) : 0;
  const buckets = Int32Array.from(counts.keys());
  const values = Float32Array.from([...counts.values()].map((c) => c * norm));
  return { buckets, values, label: row.label, weight };
}

function train(examples: Example[]): { weights: Float64Array; bias: number } {
  const weights = new Float64Array(BUCKETS);
  const gradSq = new Float64Array(BUCKETS).fill(1e-8);
  let bias = 0;
  let biasGradSq = 1e-8;
  const random = mulberry32(SEED);
  const order = examples.map((_, i) => i);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
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
        const grad = g * ex.values[k] + L2 * weights[b];
        gradSq[b] += grad * grad;
        weights[b] -= (LEARNING_RATE * grad) / Math.sqrt(gradSq[b]);
      }
      biasGradSq += g * g;
      bias -= (LEARNING_RATE * g) / Math.sqrt(biasGradSq);
    }
  }
  return { weights, bias };
}

function quantize(weights: Float64Array): { scale: number; base64: string } {
  let max = 0;
  for (const w of weights) max = Math.max(max, Math.abs(w));
  const scale = max / 127 || 1;
  const bytes = Buffer.alloc(weights.length);
  weights.forEach((w, i) => bytes.writeInt8(Math.max(-127, Math.min(127, Math.round(w / scale))), i));
  return { scale, base64: bytes.toString('base64') };
}

function main(): void {
  const dir = dataDir(process.argv[2]);
  const rows: LabelledRow[] = [];
  for (const file of loadLabelledFiles(dir)) rows.push(...file.rows.filter((r) => !isHeldOut(r.text)));
  // The PII sample is ordinary business text: more benign variety, no injections.
  rows.push(...loadPiiRows(dir).filter((r) => !isHeldOut(r.text)).map((r) => ({ text: r.text, label: 0 as const })));
  const positives = rows.filter((r) => r.label === 1).length;
  const datasetNegatives = rows.length - positives;
  // Ordinary task prompts ("write a poem about …"), which deepset's injections often end with.
  const hardNegatives = generateHardNegatives(SEED, HARD_NEGATIVES);
  rows.push(...hardNegatives.map((text) => ({ text, label: 0 as const })));
  const negatives = rows.length - positives;
  // Balance the classes against the dataset rows so the decision boundary does not simply follow
  // the base rate. The generated rows are not counted: counting them would raise the weight of
  // every injection row and make the model more eager on everything else.
  const examples = rows.map((r) => toExample(r, r.label === 1 ? datasetNegatives / positives : 1));
  const { weights, bias } = train(examples);
  const { scale, base64 } = quantize(weights);
  const out = {
    description: 'Injection classifier: logistic regression over hashed char 3-5-grams and word 1-2-grams; see bin/safety/train-classifier.ts',
    seed: SEED,
    epochs: EPOCHS,
    trainRows: { positives, negatives, hardNegatives: hardNegatives.length },
    hashBits: FEATURE_HASH_BITS,
    bias,
    scale,
    weights: base64,
  };
  const target = resolve(__dirname, '..', '..', 'lambda', 'safety', 'classifier-weights.json');
  writeFileSync(target, `${JSON.stringify(out, null, 1)}\n`);
  console.log(`trained on ${rows.length} rows (${positives} injections, ${negatives} benign of which ${hardNegatives.length} generated) from ${dir}; wrote ${target}`);
}

main();
