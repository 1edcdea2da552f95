import { FOLD_TABLE } from './homoglyphs';
import { isBidiControl, isInvisible, isTagCharacter, isVariationSelector } from './unicode';
import { TextBuilder, unitsToString } from './units';

/**
 * The text as the matchers see it: lowercase, accents and look-alikes folded to ASCII,
 * invisible characters and combining marks dropped, whitespace runs collapsed to one space.
 * `viewStart(view, k)` gives where in the original normalized unit k comes from (its end is the
 * end of that code point), so every finding made on the view is reported at its place in the
 * original.
 */
export interface MatchView {
  readonly text: string;
  /** The text the view was built from; a unit's original end is the end of the code point at `start`. */
  readonly original: string;
  /**
   * The unit → original map, compressed: (viewIndex, originalIndex) pairs, one wherever the
   * map does not simply continue the previous unit's index + 1 (a collapsed space run, a
   * dropped or astral character, a fold into several letters). Ordinary text needs a few
   * dozen pairs instead of four bytes per character; read it with `viewStart`.
   */
  readonly segments: Int32Array;
  /**
   * Words of the view that may be trigger words of a phrase matcher, found in the same pass:
   * (from, to, hash) triples, `hash` as `wordHash` computes it. See registerTriggerWords.
   */
  readonly triggerWords: Int32Array;
  /** Runs of at least MIN_ENCODED_RUN base64/hex characters in the original text: (start, end) pairs. */
  readonly encodedRuns: Int32Array;
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/**
 * FNV-1a of text[from, to), computed in place so no substring is made. Signed 32-bit, as an
 * Int32Array stores it: a small integer to the engine, so a Map or Set lookup by hash allocates
 * nothing (an unsigned value above 2^31 would be boxed on every lookup).
 */
export function wordHash(text: string, from: number, to: number): number {
  let h = FNV_OFFSET;
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h | 0;
}

/** A word of the view: ASCII letters, digits and the apostrophe, or anything at or above U+00C0. */
export function isWordUnit(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x27 || c >= 0xc0;
}

/** Trigger words longer than this are not recorded (none is). */
export const MAX_TRIGGER_LENGTH = 16;
/** The low 16 bits of registered words' hashes, one bit each: 8 KB, so the per-word test stays in L1. */
const TRIGGER_FILTER = new Int32Array(1 << 11);
/** Module-local copies: an exported const compiles to a property load on `exports` in the hot loop. */
const MAX_TRIGGER = MAX_TRIGGER_LENGTH;
const MIN_RUN = 20;

function isTrigger(hash: number): boolean {
  return ((TRIGGER_FILTER[(hash & 0xffff) >>> 5] >>> (hash & 31)) & 1) === 1;
}

/**
 * Phrase matchers register their trigger words once at load; the view records every word whose
 * hash passes this filter, so matchers look up a few hundred recorded words instead of
 * tokenizing the text again (one pass over the text for every check).
 */
export function registerTriggerWords(words: Iterable<string>): void {
  for (const w of words) {
    const h = wordHash(w, 0, w.length) & 0xffff;
    TRIGGER_FILTER[h >>> 5] |= 1 << (h & 31);
  }
}

/** Base64 and hex runs shorter than this cannot carry an instruction (see encoded-payloads.ts). */
export const MIN_ENCODED_RUN = MIN_RUN;

export function isBase64Unit(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f || c === 0x2d || c === 0x5f;
}

/** ASCII classes for the hot path: one table load instead of a chain of comparisons. */
const BASE64 = 1;
const SPACE = 2;
const WORD = 4;
const ASCII_CLASS = new Uint8Array(128);
/** ASCII as the view has it: lowercase, every whitespace character a space. */
const ASCII_FOLD = new Uint16Array(128);
for (let c = 0; c < 128; c++) {
  const space = c === 0x20 || (c >= 0x09 && c <= 0x0d);
  const u = space ? 0x20 : c >= 0x41 && c <= 0x5a ? c + 32 : c;
  ASCII_FOLD[c] = u;
  ASCII_CLASS[c] = (isBase64Unit(c) ? BASE64 : 0) | (space ? SPACE : 0) | (isWordUnit(u) ? WORD : 0);
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

function isDropped(cp: number): boolean {
  return (
    (cp >= 0x0300 && cp <= 0x036f) || // combining diacritics, used to disguise letters
    cp === 0x200c || cp === 0x200d ||
    isInvisible(cp) || isBidiControl(cp) || isTagCharacter(cp) || isVariationSelector(cp)
  );
}

/** Scratch buffers reused across calls (the pipeline is synchronous); results are copied out. */
let outBuf = new Uint16Array(1024);
let segBuf = new Int32Array(256);
let wordBuf = new Int32Array(768);
let runBuf = new Int32Array(256);

function grow(buf: Int32Array<ArrayBuffer>, needed: number): Int32Array<ArrayBuffer> {
  if (needed <= buf.length) return buf;
  const bigger = new Int32Array(Math.max(needed, buf.length * 2));
  bigger.set(buf);
  return bigger;
}

/** Scratch contents do not survive a call, so growing needs no copy. */
function ensureCapacity(needed: number): void {
  if (needed <= outBuf.length) return;
  let cap = outBuf.length;
  while (cap < needed) cap *= 2;
  outBuf = new Uint16Array(cap);
}

export function buildMatchView(original: string): MatchView {
  const n = original.length;
  // ASCII emits at most one unit per input unit; folds emit up to four and re-check below.
  ensureCapacity(n + 8);
  const out = outBuf;
  let len = 0;
  let segs = 0;
  let next = -1; // the original index unit `len` has when it continues the current segment
  let lastWasSpace = true; // also trims leading whitespace
  let wide = false; // a unit above U+00FF was written (only the non-ASCII path can write one)
  let words = 0;
  // The current word and base64 run start right after the last unit that was not part of one,
  // so a word or run character costs no branch of its own; an empty span is not a word.
  let wordStart = 0;
  let hash = FNV_OFFSET;
  let runs = 0;
  let runStart = 0;
  for (let i = 0; i < n; ) {
    const c = original.charCodeAt(i);
    if (c < 0x80) {
      // The hot path, inlined and table-driven: plain ASCII.
      const k = ASCII_CLASS[c];
      if ((k & BASE64) === 0) {
        if (i - runStart >= MIN_RUN) runs = pushPair(runs, runStart, i);
        runStart = i + 1;
      }
      if ((k & SPACE) !== 0) {
        if (lastWasSpace) {
          i++;
          continue;
        }
        lastWasSpace = true;
      } else {
        lastWasSpace = false;
      }
      const u = ASCII_FOLD[c];
      out[len] = u;
      if (i !== next) segs = pushSegment(segs, len, i);
      next = i + 1;
      if ((k & WORD) !== 0) {
        hash = Math.imul(hash ^ u, FNV_PRIME);
      } else {
        if (len > wordStart && len - wordStart <= MAX_TRIGGER && isTrigger(hash)) words = pushWord(words, wordStart, len, hash);
        wordStart = len + 1;
        hash = FNV_OFFSET;
      }
      len++;
      i++;
      continue;
    }
    if (i - runStart >= MIN_RUN) runs = pushPair(runs, runStart, i);
    let cp = c;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = original.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    const e = i + width;
    runStart = e;
    if (len + (n - i) + 8 > outBuf.length) {
      ensureCapacity(len + (n - i) + 8);
      return buildMatchView(original); // rare (a text of many multi-letter folds): start over with room
    }
    let units: string | undefined;
    let count = 0;
    if (isSpace(cp)) {
      if (!lastWasSpace) {
        units = ' ';
        count = 1;
      }
      lastWasSpace = true;
    } else if (!isDropped(cp)) {
      units = FOLD_TABLE.get(cp);
      count = units === undefined ? width : units.length; // unfolded: the code point's own units
      lastWasSpace = false;
    }
    for (let k = 0; k < count; k++) {
      const u = units === undefined ? original.charCodeAt(i + k) : units.charCodeAt(k);
      if (u > 0xff) wide = true;
      out[len] = u;
      if (i !== next) segs = pushSegment(segs, len, i);
      next = i + 1;
      if (isWordUnit(u)) {
        hash = Math.imul(hash ^ u, FNV_PRIME);
      } else {
        if (len > wordStart && len - wordStart <= MAX_TRIGGER && isTrigger(hash)) words = pushWord(words, wordStart, len, hash);
        wordStart = len + 1;
        hash = FNV_OFFSET;
      }
      len++;
    }
    i = e;
  }
  if (len > wordStart && len - wordStart <= MAX_TRIGGER && isTrigger(hash)) words = pushWord(words, wordStart, len, hash);
  if (n - runStart >= MIN_RUN) runs = pushPair(runs, runStart, n);
  return {
    text: unitsToString(outBuf, len, wide),
    original,
    segments: segBuf.slice(0, segs),
    triggerWords: wordBuf.slice(0, words),
    encodedRuns: runBuf.slice(0, runs),
  };
}

function pushWord(count: number, from: number, to: number, hash: number): number {
  wordBuf = grow(wordBuf, count + 3);
  wordBuf[count] = from;
  wordBuf[count + 1] = to;
  wordBuf[count + 2] = hash;
  return count + 3;
}

function pushSegment(count: number, viewIndex: number, originalIndex: number): number {
  segBuf = grow(segBuf, count + 2);
  segBuf[count] = viewIndex;
  segBuf[count + 1] = originalIndex;
  return count + 2;
}

/** Where in the original view unit k (0 ≤ k < view.text.length) comes from: a binary search of the segments. */
export function viewStart(view: MatchView, k: number): number {
  const seg = view.segments;
  let lo = 0;
  let hi = (seg.length >> 1) - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (seg[mid << 1] <= k) lo = mid;
    else hi = mid - 1;
  }
  return seg[(lo << 1) + 1] + (k - seg[lo << 1]);
}

function pushPair(count: number, from: number, to: number): number {
  runBuf = grow(runBuf, count + 2);
  runBuf[count] = from;
  runBuf[count + 1] = to;
  return count + 2;
}

/** Maps a [from, to) span of the view back to the original text. */
export function originalSpan(view: MatchView, from: number, to: number): { start: number; end: number } {
  if (view.text.length === 0) return { start: 0, end: 0 };
  const a = Math.min(Math.max(from, 0), view.text.length - 1);
  const b = Math.min(Math.max(to - 1, a), view.text.length - 1);
  const last = viewStart(view, b);
  const c = view.original.charCodeAt(last);
  const pair = c >= 0xd800 && c <= 0xdbff && (view.original.charCodeAt(last + 1) & 0xfc00) === 0xdc00;
  return { start: viewStart(view, a), end: last + (pair ? 2 : 1) };
}

/**
 * The original text minus the spans the unicode check flagged, with each kept unit's original
 * index. PII and secret recognizers run on this, so "bob\u200b@example.com" cannot slip past
 * redaction; removing exactly the flagged spans makes it the text a second check would see.
 */
export interface StrippedText {
  readonly text: string;
  readonly toOriginal: Int32Array;
}

const strippedText = new TextBuilder();

/** `spans`: [start, end) pairs in text order, as the unicode scan's `flagged`. */
export function stripSpans(original: string, spans: Int32Array): StrippedText {
  const toOriginal = new Int32Array(original.length);
  strippedText.reset();
  let cursor = 0;
  for (let k = 0; k <= spans.length; k += 2) {
    const to = k < spans.length ? spans[k] : original.length;
    for (let i = cursor; i < to; i++) toOriginal[strippedText.length + i - cursor] = i;
    strippedText.appendRange(original, cursor, to);
    if (k < spans.length) cursor = Math.max(cursor, spans[k + 1]);
  }
  return { text: strippedText.build(), toOriginal: toOriginal.subarray(0, strippedText.length) };
}

/** Maps a [start, end) span of stripped text back to the original. */
export function unstripSpan(stripped: StrippedText, start: number, end: number): { start: number; end: number } {
  if (end <= start) return { start: stripped.toOriginal[start] ?? 0, end: stripped.toOriginal[start] ?? 0 };
  return { start: stripped.toOriginal[start], end: stripped.toOriginal[end - 1] + 1 };
}
