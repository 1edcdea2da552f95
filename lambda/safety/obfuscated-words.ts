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

const LEET_CODE = new Int32Array(128).map((_, c) => {
  const mapped = LEET[String.fromCharCode(c)];
  return mapped === undefined ? c : mapped.charCodeAt(0);
});

/**
 * Map keys are cut to 30 bits so they stay small integers: a full 32-bit hash is a heap number
 * in V8, and every lookup with one boxed and hashed a fresh number (a lookup per token and per
 * suffix was most of the toxicity check's time). A collision only means one more candidate that
 * matchToken verifies on the text.
 */
const KEY_MASK = 0x3fffffff;

function fnv(codes: ArrayLike<number>, length: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ codes[i], 0x01000193);
  return h & KEY_MASK;
}

const codesOf = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

interface Entry {
  readonly lexeme: Lexeme;
  readonly word: string;
}

/** Scratch for the token being examined; the matcher is synchronous, so one set suffices. */
const MAX_TOKEN = 64;
const deduped = new Int32Array(MAX_TOKEN);
const prefixHash = new Uint32Array(MAX_TOKEN + 1);

export class ObfuscatedWordMatcher {
  /** Hash of a deduplicated head word → lexemes starting with it. */
  private readonly byHead = new Map<number, Entry[]>();
  /**
   * The byHead keys' low 16 bits, one bit each (8 KB): almost every token and suffix stem of
   * ordinary text is ruled out here, without a Map lookup (a Map lookup per token and per
   * suffix was most of this check's time).
   */
  private readonly headBits = new Int32Array(1 << 11);
  private readonly infixes: Array<{ lexeme: Lexeme; key: number[]; text: string }> = [];
  private readonly byLength = new Map<number, Lexeme[]>();
  private readonly suffixes = SUFFIXES.map(codesOf);

  constructor(lexemes: readonly Lexeme[]) {
    for (const lexeme of lexemes) {
      const head = lexeme.words[0];
      const key = codesOf(dedupe(head));
      const hash = fnv(key, key.length);
      const list = this.byHead.get(hash) ?? [];
      list.push({ lexeme, word: head });
      this.byHead.set(hash, list);
      this.headBits[(hash & 0xffff) >>> 5] |= 1 << (hash & 31);
      if (lexeme.infix) this.infixes.push({ lexeme, key, text: dedupe(head) });
      if (lexeme.words.length === 1) {
        const same = this.byLength.get(head.length) ?? [];
        same.push(lexeme);
        this.byLength.set(head.length, same);
      }
    }
  }

  find(view: MatchView): WordMatch[] {
    const text = view.text;
    const out: WordMatch[] = [];
    let singleRunStart = -1;
    let singleRunEnd = -1;
    let singleRunCount = 0;
    const flushSingles = (): void => {
      // A run longer than any word cannot be one word; bounding it keeps "f u f u …" linear.
      if (singleRunCount >= 3 && singleRunCount <= MAX_TOKEN) {
        const joined = skeleton(text.slice(singleRunStart, singleRunEnd).replace(/[^a-z0-9@$!|+*]/g, ''));
        const m = this.matchToken(joined, singleRunStart, singleRunEnd, text);
        if (m) out.push(m);
      }
      singleRunCount = 0;
    };
    for (let i = 0; i < text.length; ) {
      if (!isTokenChar(text.charCodeAt(i))) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < text.length && isTokenChar(text.charCodeAt(j))) j++;
      const tokenEnd = j;
      if (j - i === 1) {
        // "f u c k": single characters one separator apart form one word.
        if (singleRunCount > 0 && i - singleRunEnd === 1) {
          singleRunEnd = j;
          singleRunCount++;
        } else {
          flushSingles();
          singleRunStart = i;
          singleRunEnd = j;
          singleRunCount = 1;
        }
      } else {
        flushSingles();
        const m = this.matchFast(text, i, j);
        if (m) out.push(m);
      }
      i = tokenEnd;
    }
    flushSingles();
    return out;
  }

  /** Hash-only screening of the token at [from, to); strings are built only for candidates. */
  private matchFast(text: string, from: number, to: number): WordMatch | undefined {
    let end = to;
    while (end > from && (text.charCodeAt(end - 1) === 0x21 || text.charCodeAt(end - 1) === 0x2b || text.charCodeAt(end - 1) === 0x7c)) end--;
    if (end - from > MAX_TOKEN) return undefined;
    let len = 0;
    let masked = false;
    prefixHash[0] = 0x811c9dc5;
    for (let i = from; i < end; i++) {
      const raw = text.charCodeAt(i);
      if (raw === 0x2a) masked = true;
      const c = raw < 128 ? LEET_CODE[raw] : raw;
      if (len > 0 && deduped[len - 1] === c) continue;
      deduped[len] = c;
      prefixHash[len + 1] = Math.imul(prefixHash[len] ^ c, 0x01000193) >>> 0;
      len++;
    }
    if (masked) return this.matchMasked(skeleton(text.slice(from, to)), from, to);
    let candidate = this.mayBeHead(prefixHash[len] & KEY_MASK);
    for (let k = 0; !candidate && k < this.suffixes.length; k++) {
      const suffix = this.suffixes[k];
      if (len > suffix.length && endsWith(deduped, len, suffix)) candidate = this.mayBeHead(prefixHash[len - suffix.length] & KEY_MASK);
    }
    for (let k = 0; !candidate && k < this.infixes.length; k++) candidate = contains(deduped, len, this.infixes[k].key);
    return candidate ? this.matchToken(skeleton(text.slice(from, to)), from, to, text) : undefined;
  }

  private mayBeHead(key: number): boolean {
    return ((this.headBits[(key & 0xffff) >>> 5] >>> (key & 31)) & 1) === 1 && this.byHead.has(key);
  }

  private matchToken(sk: string, from: number, to: number, text: string): WordMatch | undefined {
    if (sk.length === 0) return undefined;
    if (sk.includes('*')) return this.matchMasked(sk, from, to);
    const key = dedupe(sk);
    for (const { lexeme, word } of this.byHead.get(fnv(codesOf(key), key.length)) ?? []) {
      if (dedupe(word) !== key || !runsCover(sk, word)) continue;
      const end = followingWords(text, to, lexeme);
      if (end !== undefined) return { type: lexeme.type, score: lexeme.score, from, to: end };
    }
    for (const suffix of SUFFIXES) {
      if (key.length <= suffix.length || !key.endsWith(suffix)) continue;
      const stemKey = key.slice(0, key.length - suffix.length);
      for (const { lexeme, word } of this.byHead.get(fnv(codesOf(stemKey), stemKey.length)) ?? []) {
        if (lexeme.words.length === 1 && word.length >= MIN_SUFFIXED_LENGTH && dedupe(word) === stemKey && runsCover(sk.slice(0, stemLength(sk, stemKey)), word)) {
          return { type: lexeme.type, score: lexeme.score, from, to };
        }
      }
    }
    for (const { lexeme, text: infixText } of this.infixes) {
      if (key.length > infixText.length && key.includes(infixText)) return { type: lexeme.type, score: lexeme.score, from, to };
    }
    return undefined;
  }

  /** "f*ck", "sh*t": '*' stands for one letter; the visible letters must fill the rest. */
  private matchMasked(sk: string, from: number, to: number): WordMatch | undefined {
    let letters = 0;
    for (let i = 0; i < sk.length; i++) if (isLetter(sk.charCodeAt(i))) letters++;
    if (letters < 2 || !isLetter(sk.charCodeAt(0))) return undefined;
    for (const lexeme of this.byLength.get(sk.length) ?? []) {
      const word = lexeme.words[0];
      let ok = true;
      for (let i = 0; i < sk.length && ok; i++) ok = sk[i] === '*' || sk[i] === word[i];
      if (ok) return { type: lexeme.type, score: lexeme.score, from, to };
    }
    return undefined;
  }
}

function endsWith(codes: Int32Array, len: number, suffix: number[]): boolean {
  for (let k = 0; k < suffix.length; k++) if (codes[len - suffix.length + k] !== suffix[k]) return false;
  return true;
}

function contains(codes: Int32Array, len: number, needle: number[]): boolean {
  outer: for (let i = 0; i + needle.length <= len; i++) {
    for (let k = 0; k < needle.length; k++) if (codes[i + k] !== needle[k]) continue outer;
    return true;
  }
  return false;
}

/** For multi-word lexemes: the following tokens must match the remaining words. Returns the end. */
function followingWords(text: string, from: number, lexeme: Lexeme): number | undefined {
  let i = from;
  let end = from;
  for (let k = 1; k < lexeme.words.length; k++) {
    while (i < text.length && !isTokenChar(text.charCodeAt(i))) i++;
    let j = i;
    while (j < text.length && isTokenChar(text.charCodeAt(j))) j++;
    if (j === i || !runsCover(skeleton(text.slice(i, j)), lexeme.words[k])) return undefined;
    end = j;
    i = j;
  }
  return end;
}

/** Length of the prefix of `sk` whose deduplicated form is `stemKey`. */
function stemLength(sk: string, stemKey: string): number {
  let i = 0;
  for (let j = 0; j < stemKey.length; j++) while (sk[i] === stemKey[j]) i++;
  return i;
}
