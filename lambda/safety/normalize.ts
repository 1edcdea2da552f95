import { FOLD_TABLE } from './homoglyphs';
import { isBidiControl, isInvisible, isTagCharacter, isVariationSelector } from './unicode';

/**
 * The text as the matchers see it: lowercase, accents and look-alikes folded to ASCII,
 * invisible characters and combining marks dropped, whitespace runs collapsed to one space.
 * `start[k]`/`end[k]` give the original UTF-16 span of normalized unit k, so every finding
 * made on the view is reported at its place in the original text.
 */
export interface MatchView {
  readonly text: string;
  readonly start: Int32Array;
  readonly end: Int32Array;
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
let startBuf = new Int32Array(1024);
let endBuf = new Int32Array(1024);

function ensureCapacity(needed: number): void {
  if (needed <= outBuf.length) return;
  let cap = outBuf.length;
  while (cap < needed) cap *= 2;
  const o = new Uint16Array(cap);
  o.set(outBuf);
  outBuf = o;
  const a = new Int32Array(cap);
  a.set(startBuf);
  startBuf = a;
  const b = new Int32Array(cap);
  b.set(endBuf);
  endBuf = b;
}

export function buildMatchView(original: string): MatchView {
  const n = original.length;
  // ASCII emits at most one unit per input unit; folds emit up to four and re-check below.
  ensureCapacity(n + 8);
  let len = 0;
  let lastWasSpace = true; // also trims leading whitespace
  for (let i = 0; i < n; ) {
    const c = original.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
        if (!lastWasSpace) {
          outBuf[len] = 0x20;
          startBuf[len] = i;
          endBuf[len++] = i + 1;
          lastWasSpace = true;
        }
      } else {
        outBuf[len] = c >= 0x41 && c <= 0x5a ? c + 32 : c;
        startBuf[len] = i;
        endBuf[len++] = i + 1;
        lastWasSpace = false;
      }
      i++;
      continue;
    }
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
    if (len + (n - i) + 8 > outBuf.length) ensureCapacity(len + (n - i) + 8);
    if (isSpace(cp)) {
      if (!lastWasSpace) {
        outBuf[len] = 0x20;
        startBuf[len] = i;
        endBuf[len++] = e;
      }
      lastWasSpace = true;
    } else if (!isDropped(cp)) {
      const folded = FOLD_TABLE.get(cp);
      if (folded === undefined) {
        for (let k = i; k < e; k++) {
          outBuf[len] = original.charCodeAt(k);
          startBuf[len] = i;
          endBuf[len++] = e;
        }
      } else {
        for (let k = 0; k < folded.length; k++) {
          outBuf[len] = folded.charCodeAt(k);
          startBuf[len] = i;
          endBuf[len++] = e;
        }
      }
      lastWasSpace = false;
    }
    i = e;
  }
  return { text: decodeUtf16(outBuf, len), start: startBuf.slice(0, len), end: endBuf.slice(0, len) };
}

const decoder = new TextDecoder('utf-16le');

function decodeUtf16(units: Uint16Array, len: number): string {
  if (len === 0) return '';
  const view = units.subarray(0, len);
  return decoder.decode(new Uint8Array(view.buffer, view.byteOffset, len * 2));
}

/** Maps a [from, to) span of the view back to the original text. */
export function originalSpan(view: MatchView, from: number, to: number): { start: number; end: number } {
  if (view.text.length === 0) return { start: 0, end: 0 };
  const a = Math.min(Math.max(from, 0), view.text.length - 1);
  const b = Math.min(Math.max(to - 1, a), view.text.length - 1);
  return { start: view.start[a], end: view.end[b] };
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

export function stripSpans(original: string, spans: ReadonlyArray<{ start: number; end: number }>): StrippedText {
  const toOriginal = new Int32Array(original.length);
  const parts: string[] = [];
  let len = 0;
  let cursor = 0;
  const keep = (from: number, to: number): void => {
    if (to <= from) return;
    parts.push(original.slice(from, to));
    for (let i = from; i < to; i++) toOriginal[len++] = i;
  };
  for (const span of [...spans].sort((x, y) => x.start - y.start)) {
    keep(cursor, Math.max(cursor, span.start));
    cursor = Math.max(cursor, span.end);
  }
  keep(cursor, original.length);
  return { text: parts.join(''), toOriginal: toOriginal.subarray(0, len) };
}

/** Maps a [start, end) span of stripped text back to the original. */
export function unstripSpan(stripped: StrippedText, start: number, end: number): { start: number; end: number } {
  if (end <= start) return { start: stripped.toOriginal[start] ?? 0, end: stripped.toOriginal[start] ?? 0 };
  return { start: stripped.toOriginal[start], end: stripped.toOriginal[end - 1] + 1 };
}
