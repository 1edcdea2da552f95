/**
 * Trains the injection classifier: logistic regression over hashed n-grams (features in
 * lambda/safety/classifier-features.ts), AdaGrad, fixed seed, train split only.
 * Usage: npm run train:safety [DATA_DIR]   → writes lambda/safety/classifier-weights.json
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildMatchView } from '../../lambda/safety/normalize';
import { classifierWindow } from '../../lambda/safety/classifier';
import { dataDir, isHeldOut, loadLabelledFiles, loadPiiRows, type LabelledRow } from './datasets';
import { generateHardNegatives } from './hard-negatives';
import { toExample, train, weightsFile } from './logistic';

const SEED = 20261121;
const EPOCHS = 25;
const LEARNING_RATE = 0.4;
const L2 = 1e-5;
/** Template-generated ordinary task prompts added as benign rows; see bin/safety/hard-negatives.ts. */
const HARD_NEGATIVES = Number(process.env.HARD_NEGATIVES ?? 1200);

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
  const examples = rows.map((r) => toExample(classifierWindow(buildMatchView(r.text).text), r.label, r.label === 1 ? datasetNegatives / positives : 1));
  const options = { seed: SEED, epochs: EPOCHS, learningRate: LEARNING_RATE, l2: L2 };
  const { weights, bias } = train(examples, options);
  const target = resolve(__dirname, '..', '..', 'lambda', 'safety', 'classifier-weights.json');
  const description = 'Injection classifier: logistic regression over hashed char 3-5-grams and word 1-2-grams; see bin/safety/train-classifier.ts';
  writeFileSync(target, weightsFile(description, options, { positives, negatives, hardNegatives: hardNegatives.length }, weights, bias));
  console.log(`trained on ${rows.length} rows (${positives} injections, ${negatives} benign of which ${hardNegatives.length} generated) from ${dir}; wrote ${target}`);
}

main();
