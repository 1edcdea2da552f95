import { dataDir, isHeldOut, loadLabelledFiles, loadPiiRows, type LabelledRow } from '../safety/datasets';
import { mulberry32 } from '../../lib/rollout/simulation/random';

/** Deterministic PRNG, so every run uses the same sequence. */
export const seeded = mulberry32;

export interface Corpus {
  readonly dir: string;
  /** Benign prompts and business text with PII, from the development data. */
  readonly paragraphs: readonly string[];
  readonly labelled: ReturnType<typeof loadLabelledFiles>;
  readonly pii: ReturnType<typeof loadPiiRows>;
}

export function loadCorpus(arg: string | undefined): Corpus {
  const dir = dataDir(arg);
  const labelled = loadLabelledFiles(dir);
  const pii = loadPiiRows(dir);
  const benign = labelled.filter((f) => f.name.includes('wildguard') || f.name.includes('notinject')).flatMap((f) => f.rows.map((r) => r.text));
  return { dir, labelled, pii, paragraphs: [...benign, ...pii.map((r) => r.text)] };
}

/** `count` distinct texts of `bytes` bytes, each a shuffled run of real paragraphs (so about 1 in 3 carries PII). */
export function realisticTexts(corpus: Corpus, bytes: number, count: number, seed = 7): string[] {
  const random = seeded(seed + bytes);
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    let text = '';
    while (Buffer.byteLength(text) < bytes) text += `${corpus.paragraphs[Math.floor(random() * corpus.paragraphs.length)]}\n\n`;
    let cut = Buffer.from(text).subarray(0, bytes).toString('utf8');
    // Cutting at a byte count can split a character; drop the replacement characters left behind.
    while (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
    out.push(cut);
  }
  return out;
}

const PROFANITY = ['fuck', 'shit', 'bitch', 'asshole', 'bastard', 'cunt', 'motherfucker', 'dickhead'];
const LEET: Record<string, string> = { a: '4', e: '3', i: '1', o: '0', s: '$', t: '7' };

/** The disguises the issue names: leetspeak, spacing, repeated letters, plus masking and homoglyphs. */
const DISGUISES: ReadonlyArray<(w: string) => string> = [
  (w) => w,
  (w) => w.toUpperCase(),
  (w) => [...w].map((c) => LEET[c] ?? c).join(''),
  (w) => [...w].join(' '),
  (w) => [...w].join('.'),
  (w) => w.replace(/([aeiou])/, '$1$1$1$1'),
  (w) => w[0] + '*'.repeat(w.length - 2) + w[w.length - 1],
  (w) => w.replace(/a/g, 'а').replace(/o/g, 'о').replace(/e/g, 'е'),
];

/**
 * Labelled profanity set built from held-out benign prompts: positives get one disguised
 * profanity inserted, negatives are the untouched prompts plus sentences with innocent
 * look-alikes ("assess", "Scunthorpe", "cocktail"). Synthetic, stated as such in the report.
 */
export function profanitySet(corpus: Corpus, seed = 11): LabelledRow[] {
  const random = seeded(seed);
  const benign = corpus.labelled
    .filter((f) => f.name.includes('wildguard'))
    .flatMap((f) => f.rows)
    .filter((r) => isHeldOut(r.text))
    .map((r) => r.text);
  const rows: LabelledRow[] = [];
  for (const text of benign) {
    rows.push({ text, label: 0 });
    const word = PROFANITY[Math.floor(random() * PROFANITY.length)];
    const disguise = DISGUISES[Math.floor(random() * DISGUISES.length)];
    const words = text.split(' ');
    words.splice(Math.floor(random() * words.length), 0, disguise(word));
    rows.push({ text: words.join(' '), label: 1 });
  }
  for (const clean of ['Please assess the class schedule.', 'We drove through Scunthorpe and Penistone.', 'A cocktail at the Shitake bar? No, shiitake soup.', 'The analyst said the bass was passable.', 'Document the Dickens novel and the hancock tower.', 'The cockpit and the peacock.']) {
    rows.push({ text: clean, label: 0 });
  }
  return rows;
}
