/**
 * Indirect-injection quality on the public evaluation set (bin/safety/data/eval-indirect-bipia-test.jsonl,
 * BIPIA's test split; see bin/safety/data/README.md): every row checked as data with the
 * standard policy. Recall over the rows with an attack, false-positive rate over the clean
 * contexts, overall and per task.
 */
import { join } from 'node:path';
import { checkInput, presetPolicy, type SafetyPolicy } from '../../lambda/safety';
import { rates, type Rates } from './metrics';
import { PUBLIC_DATA, readJsonl } from './train-data-classifier';

interface EvalRow {
  readonly text: string;
  readonly label: 0 | 1;
  readonly task: string;
}

export const INDIRECT_EVAL_FILE = join(PUBLIC_DATA, 'eval-indirect-bipia-test.jsonl');

const INJECTION_CHECKS = new Set(['injection', 'encoded_payload', 'classifier']);

/** Blocked as data, because of injection evidence (not, say, a card number). */
export function dataFlags(policy: SafetyPolicy): (text: string) => boolean {
  return (text) => {
    const v = checkInput(text, policy, { origin: 'data' });
    return v.action === 'block' && v.findings.some((f) => INJECTION_CHECKS.has(f.check));
  };
}

export function indirectQuality(policy: SafetyPolicy = presetPolicy('standard')): Rates & { byTask: Record<string, Rates> } {
  const rows = readJsonl<EvalRow>(INDIRECT_EVAL_FILE);
  const flags = dataFlags(policy);
  const verdicts = new Map(rows.map((r) => [r.text, flags(r.text)]));
  const predict = (text: string): boolean => verdicts.get(text) ?? false;
  const byTask: Record<string, Rates> = {};
  for (const task of [...new Set(rows.map((r) => r.task))]) byTask[task] = rates(rows.filter((r) => r.task === task), predict);
  return { ...rates(rows, predict), byTask };
}
