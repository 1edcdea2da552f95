/**
 * Development check of the indirect-injection detector on the part of BIPIA's *train* split the
 * line classifier does not see (isBipiaDevRow: whole attack categories and a fifth of the
 * contexts): held-out attacks inserted (start, middle, end) into held-out contexts, and those
 * contexts clean. For tuning; the evaluation set
 * (BIPIA's test split) is read only by bin/safety/eval.ts.
 * Usage: tsx bin/safety/dev-indirect.ts
 */
import { join } from 'node:path';
import { checkInput, parsePolicy, presetPolicy, type SafetyPolicy } from '../../lambda/safety';
import { insertAttack } from './assemble-public-data';
import { isBipiaDevRow, PUBLIC_DATA, readJsonl } from './train-data-classifier';

interface Row { readonly kind: string; readonly task: string; readonly category?: string; readonly text: string }

export function blocksAsData(policy: SafetyPolicy): (text: string) => boolean {
  return (text) => checkInput(text, policy, { origin: 'data' }).action === 'block';
}

function main(): void {
  const rows = readJsonl<Row>(join(PUBLIC_DATA, 'train-bipia.jsonl')).filter(isBipiaDevRow);
  const attacks = rows.filter((r) => r.kind === 'attack');
  const contexts = rows.filter((r) => r.kind === 'context');
  for (const [name, policy] of [['standard', presetPolicy('standard')], ['rules only', parsePolicy({ indirectInjection: { classifier: false } })]] as const) {
    const flag = blocksAsData(policy);
    let fp = 0;
    let tp = 0;
    let positives = 0;
    contexts.forEach((c, i) => {
      if (flag(c.text)) fp++;
      const pool = attacks.filter((a) => (a.task === 'code') === (c.task === 'code'));
      (['end', 'start', 'middle'] as const).forEach((position, k) => {
        positives++;
        if (flag(insertAttack(c.text, pool[(i + k * 5) % pool.length].text, position))) tp++;
      });
    });
    console.log(`${name}: recall ${(tp / positives).toFixed(3)} (${positives}), FPR on clean contexts ${(fp / contexts.length).toFixed(3)} (${contexts.length})`);
  }
}

if (require.main === module) main();
