import type { Finding } from './types';

/**
 * Unicode smuggling: characters a human reviewer cannot see but a model reads.
 * Ranges follow Unicode's Default_Ignorable_Code_Point list and the published attacks:
 * tag-character prompts (Riley Goodside, 2024), variation-selector "emoji smuggling"
 * (Paul Butler, 2025) and bidi overrides (Trojan Source, CVE-2021-42574).
 */
export type UnicodeFindingType = 'INVISIBLE_CHARACTER' | 'BIDI_CONTROL' | 'TAG_SMUGGLING' | 'VARIATION_SELECTOR_SMUGGLING';

export interface HiddenText {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * A finding of this check covers the characters of one kind it flagged and the ordinary text
 * between them when they are at most GROUP_GAP units apart: a zero-width space between every two
 * letters of a megabyte is one finding, not half a million. `pieces` then holds the flagged
 * [start, end) pairs exactly (what redaction removes); without it the finding is one piece.
 */
export interface UnicodeFinding extends Finding {
  readonly type: UnicodeFindingType;
  readonly pieces: Int32Array | undefined;
}

export interface UnicodeScan {
  readonly findings: UnicodeFinding[];
  /** Every flagged span, [start, end) pairs in text order: what redaction removes and value checks look through. */
  readonly flagged: Int32Array;
  /** ASCII or bytes decoded from tag or variation-selector runs, to be rescanned by the other checks. */
  readonly hidden: HiddenText[];
}

/** Flagged characters of one kind this close (a word's worth of letters between them) are one finding. */
export const GROUP_GAP = 16;

export function isBidiControl(c: number): boolean {
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/** Always-invisible format characters; ZWNJ/ZWJ are judged by context (emoji, Indic and Persian need them). */
export function isInvisible(c: number): boolean {
  return (
    c === 0x200b || (c >= 0x2060 && c <= 0x2064) || c === 0xfeff || c === 0x00ad || c === 0x180e ||
    c === 0x115f || c === 0x1160 || c === 0x3164 || c === 0xffa0 || c === 0x034f
  );
}

export function isVariationSelector(cp: number): boolean {
  return (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

export function isTagCharacter(cp: number): boolean {
  return cp >= 0xe0000 && cp <= 0xe007f;
}

/** The units CANDIDATE matches. */
function isCandidateUnit(c: number): boolean {
  return c === 0xdb40 || c === 0x200c || c === 0x200d || (c >= 0xfe00 && c <= 0xfe0f) || isInvisible(c) || isBidiControl(c);
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Astral code point at i, or the UTF-16 unit when it is not the start of a valid pair. */
export function codePointAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/**
 * Every code unit at which this check can flag something (isInvisible, isBidiControl, the
 * joiners, variation selectors, and 0xDB40, the high surrogate of tag characters and of the
 * supplementary variation selectors). A native scan for them skips ordinary text, accented and
 * non-Latin letters included, without a JavaScript loop over every character. The class is of
 * single code units on purpose (no `u` flag): a joiner or a lone surrogate is a candidate alone.
 */
// eslint-disable-next-line no-misleading-character-class
const CANDIDATE = /[\xad\u034f\u115f\u1160\u180e\u200b-\u200d\u202a-\u202e\u2060-\u2064\u2066-\u2069\u3164\ufe00-\ufe0f\ufeff\uffa0\udb40]/g;

/** The next candidate unit at or after `from`, or -1; `test` on a global regex moves lastIndex without building a match. */
function nextCandidate(text: string, from: number): number {
  CANDIDATE.lastIndex = from;
  return CANDIDATE.test(text) ? CANDIDATE.lastIndex - 1 : -1;
}

export function scanUnicode(text: string): UnicodeScan {
  const scan = new ScanState();
  const hidden: HiddenText[] = [];
  for (let i = nextCandidate(text, 0); i >= 0 && i < text.length; ) {
    const c = text.charCodeAt(i);
    if (!isCandidateUnit(c)) {
      i = nextCandidate(text, i + 1);
      continue;
    }
    if (c === 0xdb40) {
      const end = runEnd(text, i, isTagCharacter);
      if (end > i) {
        if (!isFlagTagSequence(text, i, end)) {
          scan.flag('TAG_SMUGGLING', i, end);
          const decoded = decodeTagText(text, i, end);
          if (decoded.length > 0) hidden.push({ start: i, end, text: decoded });
        }
        i = end;
        continue;
      }
    }
    if ((c >= 0xfe00 && c <= 0xfe0f) || c === 0xdb40) {
      const end = runEnd(text, i, isVariationSelector);
      if (end > i) {
        if (countCodePoints(text, i, end) >= 2) {
          scan.flag('VARIATION_SELECTOR_SMUGGLING', i, end);
          hidden.push({ start: i, end, text: decodeVariationSelectorBytes(text, i, end) });
        }
        i = end;
        continue;
      }
    }
    if (isBidiControl(c)) {
      scan.flag('BIDI_CONTROL', i, i + 1);
    } else if (isInvisible(c) && !(c === 0xfeff && i === 0)) {
      scan.flag('INVISIBLE_CHARACTER', i, i + 1);
    } else if ((c === 0x200c || c === 0x200d) && i > 0 && isAsciiAlnum(text.charCodeAt(i - 1)) && isAsciiAlnum(text.charCodeAt(i + 1))) {
      // Joiners between ASCII letters have no typographic purpose; they split trigger words.
      scan.flag('INVISIBLE_CHARACTER', i, i + 1);
    }
    i++;
  }
  return scan.result(hidden);
}

/** Flagged pieces as Int32 pairs, reused across calls (the pipeline is synchronous); results are copied out. */
let pieceBuf = new Int32Array(256);

/**
 * The findings as they grow: a piece right after the last one of its kind extends it, one within
 * GROUP_GAP joins its finding, any other starts a new finding. Pieces live in one typed array, so
 * a text with a flagged character every few letters costs no object per character.
 */
class ScanState {
  private readonly findings: Array<{ type: UnicodeFindingType; start: number; end: number; firstPiece: number }> = [];
  private pieces = 0;

  flag(type: UnicodeFindingType, start: number, end: number): void {
    const last = this.findings[this.findings.length - 1];
    if (last !== undefined && last.type === type && start - last.end <= GROUP_GAP) {
      if (last.end === start) pieceBuf[2 * this.pieces - 1] = end;
      else this.addPiece(start, end);
      last.end = end;
      return;
    }
    this.findings.push({ type, start, end, firstPiece: this.pieces });
    this.addPiece(start, end);
  }

  private addPiece(start: number, end: number): void {
    if (2 * this.pieces + 2 > pieceBuf.length) {
      const bigger = new Int32Array(pieceBuf.length * 2);
      bigger.set(pieceBuf);
      pieceBuf = bigger;
    }
    pieceBuf[2 * this.pieces] = start;
    pieceBuf[2 * this.pieces + 1] = end;
    this.pieces++;
  }

  result(hidden: HiddenText[]): UnicodeScan {
    const flagged = pieceBuf.slice(0, 2 * this.pieces);
    const findings = this.findings.map((f, k): UnicodeFinding => {
      const nextPiece = k + 1 < this.findings.length ? this.findings[k + 1].firstPiece : this.pieces;
      const pieces = nextPiece - f.firstPiece > 1 ? flagged.subarray(2 * f.firstPiece, 2 * nextPiece) : undefined;
      return { check: 'unicode', type: f.type, start: f.start, end: f.end, pieces };
    });
    return { findings, flagged, hidden };
  }
}

/** End of the run of code points that are `member`s starting at `start` (`start` itself when none is). */
function runEnd(text: string, start: number, member: (cp: number) => boolean): number {
  let i = start;
  while (i < text.length) {
    const cp = codePointAt(text, i);
    if (!member(cp)) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

function countCodePoints(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i += codePointAt(text, i) > 0xffff ? 2 : 1) n++;
  return n;
}

/**
 * Runs are decoded in place into reused scratch memory: a megabyte of tag characters built a
 * code-point array and a string a character at a time, and that garbage grew faster than the text.
 */
let scratch = Buffer.alloc(256);

function scratchOf(size: number): Buffer {
  if (scratch.length < size) scratch = Buffer.alloc(Math.max(size, scratch.length * 2));
  return scratch;
}

/** Subdivision flags (🏴 + lowercase tag letters + CANCEL TAG, e.g. England) are the one legitimate tag use. */
function isFlagTagSequence(text: string, start: number, end: number): boolean {
  // Tag characters are astral: two units each.
  const count = (end - start) / 2;
  if (start < 2 || codePointAt(text, start - 2) !== 0x1f3f4 || count < 3 || count > 8 || codePointAt(text, end - 2) !== 0xe007f) return false;
  for (let i = start; i < end - 2; i += 2) {
    const cp = codePointAt(text, i);
    if (!((cp >= 0xe0061 && cp <= 0xe007a) || (cp >= 0xe0030 && cp <= 0xe0039))) return false;
  }
  return true;
}

/** The ASCII a run of tag characters spells (U+E0020–U+E007E map to U+0020–U+007E). */
function decodeTagText(text: string, start: number, end: number): string {
  const bytes = scratchOf(end - start);
  let n = 0;
  for (let i = start; i < end; i += 2) {
    const cp = codePointAt(text, i);
    if (cp >= 0xe0020 && cp <= 0xe007e) bytes[n++] = cp - 0xe0000;
  }
  return bytes.toString('latin1', 0, n);
}

/** The smuggling scheme maps VS1–16 to bytes 0–15 and VS17–256 to 16–255, then reads UTF-8. */
function decodeVariationSelectorBytes(text: string, start: number, end: number): string {
  const bytes = scratchOf(end - start);
  let n = 0;
  for (let i = start; i < end; ) {
    const cp = codePointAt(text, i);
    bytes[n++] = cp <= 0xfe0f ? cp - 0xfe00 : cp - 0xe0100 + 16;
    i += cp > 0xffff ? 2 : 1;
  }
  return bytes.toString('utf8', 0, n);
}
