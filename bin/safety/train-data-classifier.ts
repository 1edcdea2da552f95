/**
 * Trains the line classifier of the indirect-injection detector: is this line or sentence of a
 * document an instruction addressed to an assistant? Same features and training loop as the
 * prompt classifier (bin/safety/logistic.ts); examples are segments cut exactly as at run time
 * (lambda/safety/indirect-injection.ts `viewSegments`).
 *
 * Instructions (label 1): what people ask assistants — self-instruct's tasks, Do-Not-Answer's and
 * HarmBench's requests, BIPIA's train attacks, the train split of the prompt files in DATA_DIR (every prompt there, benign or not,
 * is addressed to an assistant), the generated ordinary task prompts and the generated assistant requests.
 * Material (label 0): documents — BIPIA's train contexts (e-mails, tables, code), self-instruct's
 * task inputs and outputs, garak's documentation, the train split of the PII sample.
 * Nothing from BIPIA's test split (the indirect-injection evaluation set) is read.
 *
 * Usage: tsx bin/safety/train-data-classifier.ts [DATA_DIR]  → lambda/safety/data-classifier-weights.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildMatchView } from '../../lambda/safety/normalize';
import { SEGMENT_START, viewSegments } from '../../lambda/safety/indirect-injection';
import { wordCountAtMost } from '../../lambda/safety/injection-checks';
import { dataDir, isHeldOut, loadLabelledFiles, loadPiiRows } from './datasets';
import { generateHardNegatives } from './hard-negatives';
import { generateTaskRequests } from './task-requests';
import { type Example, toExample, train, weightsFile } from './logistic';

const SEED = 20261202;
const SHORT_PROMPT_WORDS = 40;
/** Generated assistant requests (bin/safety/task-requests.ts); the count was chosen on the development part of BIPIA's train split. */
const TASK_REQUESTS = 800;
const OPTIONS = { seed: SEED, epochs: 20, learningRate: 0.3, l2: 1e-5 };
export const PUBLIC_DATA = resolve(__dirname, 'data');

export function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

/** The folded segments of a text, as the detector scores them; the whole text when it has none. */
export function segmentsOf(text: string, firstOnly = false): string[] {
  const view = buildMatchView(text);
  const segments = viewSegments(view, text).map((s) => SEGMENT_START + view.text.slice(s.from, s.to));
  if (segments.length === 0) return view.text.length > 0 ? [SEGMENT_START + view.text] : [];
  return firstOnly ? segments.slice(0, 1) : segments;
}

interface PublicRow {
  readonly kind: string;
  readonly task?: string;
  readonly category?: string;
  readonly text: string;
}

/**
 * The development part of BIPIA's train split: attacks of a fifth of the categories (by hash of
 * the category, so a held-out attack has no sibling of its category in training, as BIPIA's test
 * categories have none in its train split) and a fifth of the contexts.
 */
export function isBipiaDevRow(r: PublicRow): boolean {
  return r.kind === 'attack' ? isHeldOut(r.category ?? r.text) : isHeldOut(r.text);
}

function main(): void {
  const dir = dataDir(process.argv[2]);
  const instructions: string[] = [];
  const material: string[] = [];
  for (const r of readJsonl<PublicRow>(join(PUBLIC_DATA, 'train-self-instruct.jsonl'))) {
    if (r.kind === 'instruction') instructions.push(...segmentsOf(r.text, true));
    else material.push(...segmentsOf(r.text));
  }
  for (const r of readJsonl<PublicRow>(join(PUBLIC_DATA, 'train-docs-garak.jsonl'))) material.push(...segmentsOf(r.text));
  for (const r of readJsonl<PublicRow>(join(PUBLIC_DATA, 'train-prompts-garak.jsonl'))) instructions.push(...segmentsOf(r.text, true));
  // Part of BIPIA's train split is kept out for bin/safety/dev-indirect.ts (isBipiaDevRow).
  for (const r of readJsonl<PublicRow>(join(PUBLIC_DATA, 'train-bipia.jsonl'))) {
    if (isBipiaDevRow(r)) continue;
    if (r.kind === 'attack') instructions.push(...segmentsOf(r.text, r.task === 'code'));
    else material.push(...segmentsOf(r.text));
  }
  // Short prompts only, their first sentence: the request itself, not a story set up around it.
  for (const file of loadLabelledFiles(dir)) {
    for (const r of file.rows) if (!isHeldOut(r.text) && wordCountAtMost(r.text, SHORT_PROMPT_WORDS)) instructions.push(...segmentsOf(r.text, true));
  }
  for (const text of generateHardNegatives(SEED, 600)) instructions.push(...segmentsOf(text));
  for (const text of generateTaskRequests(SEED, TASK_REQUESTS)) instructions.push(...segmentsOf(text));
  for (const r of loadPiiRows(dir)) if (!isHeldOut(r.text)) material.push(...segmentsOf(r.text));

  const positiveWeight = material.length / Math.max(1, instructions.length);
  const examples: Example[] = [
    ...instructions.map((s) => toExample(s, 1, positiveWeight)),
    ...material.map((s) => toExample(s, 0, 1)),
  ];
  const { weights, bias } = train(examples, OPTIONS);
  const target = resolve(__dirname, '..', '..', 'lambda', 'safety', 'data-classifier-weights.json');
  const description = 'Indirect-injection line classifier: is a line of data an instruction to an assistant? See bin/safety/train-data-classifier.ts';
  writeFileSync(target, weightsFile(description, OPTIONS, { instructions: instructions.length, material: material.length }, weights, bias));
  console.log(`trained on ${instructions.length} instruction and ${material.length} material segments; wrote ${target}`);
}

if (require.main === module) main();
