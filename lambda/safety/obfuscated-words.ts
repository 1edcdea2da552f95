import type { MatchView } from './normalize';

/**
 * Word-list matching that survives the usual disguises: leetspeak (sh1t, @ss), stretched
 * letters (fuuuck), spaced or dotted letters (f u c k, f.u.c.k), masked letters (f*ck) and
 * inflections (fucking). Runs on the folded view, so homoglyphs and accents are already gone.
 *
 * Stretched letters are compared by runs: a token matches a word when its letter runs are the
 * word's runs, each at least as long. "ass" therefore matches "aaasss" but not "as", and
 * suffixes apply only to words of four letters or more, so "assess" and "class" stay clean.
 */
export interface Lexeme {
  /** One or more words, lowercase ASCII. */
  readonly words: readonly string[];
  readonly type: string;
  readonly score: number;
  /** Also match inside longer words; only for words that never occur inside innocent ones. */
  readonly infix?: boolean;
}

export interface WordMatch {
  readonly type: string;
  readonly score: number;
  readonly from: number;
  readonly to: number;
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', $: 's', '!': 'i', '|': 'l', '+': 't', '€': 'e' };
const SUFFIXES = ['s', 'es', 'ed', 'er', 'ers', 'ing', 'in', 'y', 'ty', 'ie', 'ies', 'head', 'heads', 'face', 'hole', 'holes'];
const MIN_SUFFIXED_LENGTH = 4;

function isTokenChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x40 || c === 0x24 || c === 0x21 || c === 0x7c || c === 0x2b || c === 0x2a;
}

function isLetter(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

/** Leet-decoded token; trailing "!" and "+" are punctuation, not letters. */
function skeleton(token: string): string {
  let end = token.length;
  while (end > 0 && (token[end - 1] === '!' || token[end - 1] === '+' || token[end - 1] === '|')) end--;
  let s = '';
  for (let i = 0; i < end; i++) s += LEET[token[i]] ?? token[i];
  return s;
}

function dedupe(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) if (i === 0 || s[i] !== s[i - 1]) out += s[i];
  return out;
}

/** True when every letter run of `word` appears in order in `token` at least as long, and nothing else does. */
function runsCover(token: string, word: string): boolean {
  let i = 0;
  let j = 0;
  while (j < word.length) {
    const ch = word[j];
    let wn = 0;
    while (word[j] === ch) {
      wn++;
      j++;
    }
    let tn = 0;
    while (token[i] === ch) {
      tn++;
      i++;
    }
    if (tn < wn) return false;
  }
  return i === token.length;
}

export class ObfuscatedWordMatcher {
  /** Deduplicated single word → lexemes starting with it. */
  private readonly byHead = new Map<string, Array<{ lexeme: Lexeme; word: string }>>();
  private readonly infixes: Array<{ lexeme: Lexeme; key: string }> = [];
  private readonly byLength = new Map<number, Lexeme[]>();

  constructor(lexemes: readonly Lexeme[]) {
    for (const lexeme of lexemes) {
      const head = lexeme.words[0];
      const key = dedupe(head);
      const list = this.byHead.get(key) ?? [];
      list.push({ lexeme, word: head });
      this.byHead.set(key, list);
      if (lexeme.infix) this.infixes.push({ lexeme, key });
      if (lexeme.words.length === 1) {
        const same = this.byLength.get(head.length) ?? [];
        same.push(lexeme);
        this.byLength.set(head.length, same);
      }
    }
  }

  find(view: MatchView): WordMatch[] {
    const tokens = tokenize(view.text);
    const out: WordMatch[] = [];
    for (let t = 0; t < tokens.length; t++) {
      const match = this.matchAt(tokens, t);
      if (match !== undefined) out.push(match);
    }
    return out;
  }

  private matchAt(tokens: Token[], t: number): WordMatch | undefined {
    const token = tokens[t];
    const sk = token.skeleton;
    if (sk.length === 0) return undefined;
    if (sk.includes('*')) return this.matchMasked(token);
    const key = dedupe(sk);
    for (const { lexeme, word } of this.byHead.get(key) ?? []) {
      if (runsCover(sk, word)) {
        const end = this.followingWords(tokens, t, lexeme);
        if (end !== undefined) return { type: lexeme.type, score: lexeme.score, from: token.from, to: end };
      }
    }
    for (const suffix of SUFFIXES) {
      if (key.length <= suffix.length || !key.endsWith(suffix)) continue;
      const stemKey = key.slice(0, key.length - suffix.length);
      for (const { lexeme, word } of this.byHead.get(stemKey) ?? []) {
        if (lexeme.words.length === 1 && word.length >= MIN_SUFFIXED_LENGTH && runsCover(sk.slice(0, stemLength(sk, stemKey)), word)) {
          return { type: lexeme.type, score: lexeme.score, from: token.from, to: token.to };
        }
      }
    }
    for (const { lexeme, key: infix } of this.infixes) {
      if (key.length > infix.length && key.includes(infix)) return { type: lexeme.type, score: lexeme.score, from: token.from, to: token.to };
    }
    return undefined;
  }

  /** "f*ck", "sh*t": '*' stands for one letter; the visible letters must fill the rest. */
  private matchMasked(token: Token): WordMatch | undefined {
    const sk = token.skeleton;
    let letters = 0;
    for (let i = 0; i < sk.length; i++) if (isLetter(sk.charCodeAt(i))) letters++;
    if (letters < 2 || !isLetter(sk.charCodeAt(0))) return undefined;
    for (const lexeme of this.byLength.get(sk.length) ?? []) {
      const word = lexeme.words[0];
      let ok = true;
      for (let i = 0; i < sk.length && ok; i++) ok = sk[i] === '*' || sk[i] === word[i];
      if (ok) return { type: lexeme.type, score: lexeme.score, from: token.from, to: token.to };
    }
    return undefined;
  }

  private followingWords(tokens: Token[], t: number, lexeme: Lexeme): number | undefined {
    for (let k = 1; k < lexeme.words.length; k++) {
      const next = tokens[t + k];
      if (next === undefined || !runsCover(next.skeleton, lexeme.words[k])) return undefined;
    }
    return tokens[t + lexeme.words.length - 1].to;
  }
}

/** Length of the prefix of `sk` whose deduplicated form is `stemKey`. */
function stemLength(sk: string, stemKey: string): number {
  let i = 0;
  for (let j = 0; j < stemKey.length; j++) while (sk[i] === stemKey[j]) i++;
  return i;
}

interface Token {
  readonly skeleton: string;
  readonly from: number;
  readonly to: number;
}

/**
 * Tokens of the view; runs of three or more single letters split by one separator
 * ("f u c k", "f.u.c.k", "f-u-c-k") are joined into one token.
 */
function tokenize(text: string): Token[] {
  const raw: Token[] = [];
  for (let i = 0; i < text.length; ) {
    if (!isTokenChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < text.length && isTokenChar(text.charCodeAt(j))) j++;
    raw.push({ skeleton: skeleton(text.slice(i, j)), from: i, to: j });
    i = j;
  }
  const tokens: Token[] = [];
  for (let k = 0; k < raw.length; ) {
    let m = k;
    while (m + 1 < raw.length && raw[m].skeleton.length === 1 && raw[m + 1].skeleton.length === 1 && raw[m + 1].from - raw[m].to === 1) m++;
    if (m - k >= 2) {
      let joined = '';
      for (let x = k; x <= m; x++) joined += raw[x].skeleton;
      tokens.push({ skeleton: joined, from: raw[k].from, to: raw[m].to });
      k = m + 1;
    } else {
      tokens.push(raw[k]);
      k++;
    }
  }
  return tokens;
}
