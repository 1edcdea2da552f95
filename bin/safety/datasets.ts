import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Labelled rows: 1 = prompt injection or jailbreak, 0 = benign. */
export interface LabelledRow {
  readonly text: string;
  readonly label: 0 | 1;
}

export interface PiiSpan {
  readonly entity_type: string;
  readonly start_position: number;
  readonly end_position: number;
}

export interface PiiRow {
  readonly text: string;
  readonly spans: readonly PiiSpan[];
}

export interface LabelledFile {
  readonly name: string;
  readonly rows: readonly LabelledRow[];
}

/** Folder given on the command line, else ../shared/data/safety next to the repository. */
export function dataDir(arg: string | undefined): string {
  const dir = arg ? resolve(arg) : resolve(__dirname, '..', '..', '..', 'shared', 'data', 'safety');
  if (!existsSync(dir)) {
    console.error(`safety data folder ${dir} not found: pass the folder of labelled JSONL files as the first argument, ` +
      'e.g. npm run eval:safety -- /path/to/shared/data/safety');
    process.exit(2);
  }
  return dir;
}

/**
 * Deterministic hold-out: one row in five by a hash of its text, so the split is the same on
 * every machine and a duplicated text can never sit on both sides.
 */
export function isHeldOut(text: string): boolean {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 5 === 0;
}

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as T);
}

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f.length > 0)) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f.length > 0)) rows.push(row);
  return rows;
}

/** XSTest: "safe" prompts are benign look-alikes; "unsafe" ones are harmful but not injections. */
export function loadXstest(path: string): { safe: LabelledRow[]; unsafe: LabelledRow[] } {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  const prompt = header.indexOf('prompt');
  const label = header.indexOf('label');
  const pick = (l: string): LabelledRow[] => rows.filter((r) => r[label] === l).map((r) => ({ text: r[prompt], label: 0 as const }));
  return { safe: pick('safe'), unsafe: pick('unsafe') };
}

/** Every labelled file in the folder; XSTest contributes its safe prompts. */
export function loadLabelledFiles(dir: string): LabelledFile[] {
  const files: LabelledFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name.endsWith('.jsonl') && !name.startsWith('pii-')) files.push({ name, rows: readJsonl<LabelledRow>(path) });
    else if (name === 'xstest_prompts.csv') files.push({ name: `${name} (safe prompts)`, rows: loadXstest(path).safe });
  }
  return files;
}

export function loadPiiRows(dir: string): PiiRow[] {
  const name = readdirSync(dir).find((n) => n.startsWith('pii-') && n.endsWith('.jsonl'));
  return name ? readJsonl<PiiRow>(join(dir, name)) : [];
}
