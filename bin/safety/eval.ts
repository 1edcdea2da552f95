/**
 * Quality of the safety checks on labelled data.
 * Usage: npm run eval:safety [DATA_DIR]   (also writes reports/eval.json)
 *
 * Injection figures are given on the held-out fifth of each file (the classifier never saw
 * it) and, for reference, on all rows. PII figures are span-overlap precision/recall/F1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { presetPolicy, resolvePolicy } from '../../lambda/safety/policy';
import { dataDir, isHeldOut, loadLabelledFiles, loadPiiRows, loadXstest } from './datasets';
import { classifierFlags, fmt, phraseFlags, piiScores, pipelineFlags, rates, type Rates } from './metrics';
import { dataFlags, INDIRECT_EVAL_FILE, indirectQuality } from './indirect-eval';
import { join } from 'node:path';

const PII_TYPES = ['EMAIL_ADDRESS', 'PHONE_NUMBER', 'CREDIT_CARD', 'IBAN_CODE', 'US_SSN', 'IP_ADDRESS'];

function line(name: string, r: Rates): string {
  return `${name.padEnd(44)} ${String(r.rows).padStart(5)} ${fmt(r.recall)} ${fmt(r.falsePositiveRate)} ${fmt(r.precision)}`;
}

function main(): void {
  const dir = dataDir(process.argv[2]);
  const policy = presetPolicy('standard');
  const layers = {
    pipeline: pipelineFlags(policy),
    phrases: phraseFlags(policy.injection.threshold),
    classifier: classifierFlags(policy.injection.threshold),
  };
  const report: Record<string, unknown> = { dataDir: dir, policy: policy.version, injection: {}, pii: {} };
  console.log(`Injection / jailbreak (standard policy, threshold ${policy.injection.threshold})`);
  console.log(`${'file / layer'.padEnd(44)} ${'rows'.padStart(5)} ${'recall'.padStart(6)} ${'FPR'.padStart(6)} ${'prec'.padStart(6)}`);
  for (const file of loadLabelledFiles(dir)) {
    const held = file.rows.filter((r) => isHeldOut(r.text));
    const entry: Record<string, Rates> = {};
    for (const [layer, flags] of Object.entries(layers)) {
      entry[`${layer} held-out`] = rates(held, flags);
      entry[`${layer} all rows`] = rates(file.rows, flags);
    }
    (report.injection as Record<string, unknown>)[file.name] = entry;
    console.log(file.name);
    for (const [k, r] of Object.entries(entry)) console.log(line(`  ${k}`, r));
  }
  const summary: string[] = [];
  for (const file of loadLabelledFiles(dir)) {
    const r = (report.injection as Record<string, Record<string, Rates>>)[file.name]['pipeline held-out'];
    summary.push(`${file.name.padEnd(44)} ${r.positives > 0 ? `recall ${fmt(r.recall)}` : `FPR ${fmt(r.falsePositiveRate)}`} (held-out, n=${r.rows})`);
  }
  console.log(`\nSummary, input pipeline on held-out rows:\n  ${summary.join('\n  ')}`);

  // Indirect injection: the public evaluation set, checked as data (origin 'data').
  const indirect = indirectQuality(policy);
  report.indirect = { file: INDIRECT_EVAL_FILE, ...indirect };
  console.log(`\nIndirect injection, origin 'data', on ${INDIRECT_EVAL_FILE.split('/').slice(-1)[0]} (evaluation only)`);
  console.log(line('  all tasks (recall / FPR on clean data / prec)', indirect));
  for (const [task, r] of Object.entries(indirect.byTask)) console.log(line(`  ${task}`, r));
  // The same detector on prompts: instructions to an assistant are what it looks for in data,
  // so this is not a false-positive rate that matters; it shows why origin must be set.
  const asData = dataFlags(policy);
  for (const file of loadLabelledFiles(dir).filter((f) => f.rows.some((r) => r.label === 0))) {
    console.log(line(`  (prompts as data) ${file.name}`, rates(file.rows.filter((r) => r.label === 0), asData)));
  }

  const xstest = loadXstest(join(dir, 'xstest_prompts.csv'));
  const unsafeBlocked = rates(xstest.unsafe.map((r) => ({ ...r, label: 1 as const })), layers.pipeline);
  console.log(`xstest unsafe prompts blocked as injection (not a target; harmful ≠ injection): ${fmt(unsafeBlocked.recall)}`);

  const pii = piiScores(loadPiiRows(dir), resolvePolicy({ pii: Object.fromEntries(PII_TYPES.map((t) => [t, 'redact'])) }), PII_TYPES);
  report.pii = pii;
  console.log('\nPII (span overlap)');
  console.log(`${'entity'.padEnd(16)} ${'gold'.padStart(5)} ${'pred'.padStart(5)} ${'prec'.padStart(6)} ${'recall'.padStart(6)} ${'F1'.padStart(6)}`);
  for (const [t, s] of Object.entries(pii)) {
    console.log(`${t.padEnd(16)} ${String(s.gold).padStart(5)} ${String(s.predicted).padStart(5)} ${fmt(s.precision)} ${fmt(s.recall)} ${fmt(s.f1)}`);
  }
  const reports = resolve(__dirname, '..', '..', 'reports');
  mkdirSync(reports, { recursive: true });
  writeFileSync(join(reports, 'eval.json'), `${JSON.stringify(report, null, 2)}\n`);
}

main();
