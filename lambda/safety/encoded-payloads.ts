import type { Finding } from './types';
import { buildMatchView, isBase64Unit, type MatchView, MIN_ENCODED_RUN, registerTriggerWords, wordHash } from './normalize';
import { unitsToString } from './units';
import { matchPhrases, phraseScore } from './injection-phrases';

/**
 * Instructions hidden in base64, hex or ROT13 get past phrase rules and are still obeyed by
 * capable models. Runs long enough to carry a sentence are decoded and, when the result is
 * mostly printable text, rescanned with the phrase rules.
 */
export type EncodingType = 'BASE64' | 'HEX' | 'ROT13';

/** 20 base64 characters carry 15 bytes, about the shortest useful instruction ("ignore all rules"). */
const MIN_BASE64_RUN = MIN_ENCODED_RUN;
const MIN_HEX_RUN = 24;
/** Decoding is linear, but a request is not a decompression service: stop after this much. */
const MAX_DECODED_CHARS = 1 << 16;
/** Only the start of a very long run is decoded: an instruction is short, a 100 KB run is data. */
const MAX_RUN_DECODED = 8192;

export interface EncodedFinding extends Finding {
  readonly score: number;
}

function isHexChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function mostlyPrintable(s: string): boolean {
  if (s.length === 0) return false;
  let printable = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09 || (c >= 0xa0 && c !== 0xfffd)) printable++;
  }
  return printable / s.length >= 0.9;
}

function hasLetterAndDigitOrCase(text: string, from: number, to: number): boolean {
  let upper = false;
  let lower = false;
  let digit = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) upper = true;
    else if (c >= 0x61 && c <= 0x7a) lower = true;
    else if (c >= 0x30 && c <= 0x39) digit = true;
  }
  return (upper && lower) || ((upper || lower) && digit);
}

function scoreDecoded(decoded: string): number {
  return phraseScore(matchPhrases(buildMatchView(decoded).text));
}

/** Base64/hex runs of at least MIN_ENCODED_RUN units, as (start, end) pairs; the view records them in its pass. */
export function encodedRuns(text: string): Int32Array {
  const runs: number[] = [];
  for (let i = 0; i < text.length; ) {
    if (!isBase64Unit(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < text.length && isBase64Unit(text.charCodeAt(j))) j++;
    if (j - i >= MIN_ENCODED_RUN) runs.push(i, j);
    i = j;
  }
  return Int32Array.from(runs);
}

export function findEncodedPayloads(text: string, runs: Int32Array = encodedRuns(text)): EncodedFinding[] {
  const findings: EncodedFinding[] = [];
  let budget = MAX_DECODED_CHARS;
  for (let r = 0; r < runs.length && budget > 0; r += 2) {
    const i = runs[r];
    const j = runs[r + 1];
    let end = j;
    while (end < text.length && end < j + 2 && text.charCodeAt(end) === 0x3d) end++;
    const length = j - i;
    if (length >= MIN_HEX_RUN && length % 2 === 0 && allHex(text, i, Math.min(j, i + MAX_RUN_DECODED))) {
      const decoded = Buffer.from(text.slice(i, Math.min(j, i + MAX_RUN_DECODED)), 'hex').toString('utf8');
      budget -= decoded.length;
      pushIfInstruction(findings, 'HEX', decoded, i, j);
    } else if (length >= MIN_BASE64_RUN && hasLetterAndDigitOrCase(text, i, j)) {
      const decoded = Buffer.from(text.slice(i, Math.min(j, i + MAX_RUN_DECODED)), 'base64').toString('utf8');
      budget -= decoded.length;
      pushIfInstruction(findings, 'BASE64', decoded, i, end);
    }
  }
  return findings;
}

function allHex(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isHexChar(text.charCodeAt(i))) return false;
  return true;
}

function pushIfInstruction(findings: EncodedFinding[], type: EncodingType, decoded: string, start: number, end: number): void {
  if (!mostlyPrintable(decoded)) return;
  const score = scoreDecoded(decoded);
  if (score > 0) findings.push({ check: 'encoded_payload', type, start, end, score });
}

/** ROT13 forms of "ignore", "previous", "instructions", "system", "prompt", "disregard", "forget". */
const ROT13_MARKERS = ['vtaber', 'cerivbhf', 'vafgehpgvbaf', 'flfgrz', 'cebzcg', 'qvfertneq', 'sbetrg'];

let rotBuf = new Uint16Array(1024);

/**
 * Built in a reused buffer: appending a character at a time made a string object per character,
 * which on a long text was most of the check's time in garbage collection.
 */
export function rot13(s: string): string {
  if (rotBuf.length < s.length) rotBuf = new Uint16Array(Math.max(s.length, rotBuf.length * 2));
  let wide = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) rotBuf[i] = ((c - 0x61 + 13) % 26) + 0x61;
    else if (c >= 0x41 && c <= 0x5a) rotBuf[i] = ((c - 0x41 + 13) % 26) + 0x41;
    else {
      rotBuf[i] = c;
      if (c > 0xff) wide = true;
    }
  }
  return unitsToString(rotBuf, s.length, wide);
}

/** `folded` is the lowercase view; ROT13 preserves length, so view offsets carry over. */
const ROT13_MARKER = new RegExp(ROT13_MARKERS.join('|'));
const ROT13_MARKER_HASHES = new Set(ROT13_MARKERS.map((m) => wordHash(m, 0, m.length)));
registerTriggerWords(ROT13_MARKERS);

/** Bit n set when a marker has n letters: most recorded words are ruled out by length before any lookup. */
const ROT13_MARKER_LENGTHS = ROT13_MARKERS.reduce((bits, m) => bits | (1 << m.length), 0);

/** Whether a view has a ROT13 marker word: read from the words its normalisation pass recorded. */
export function hasRot13Marker(view: MatchView): boolean {
  const words = view.triggerWords;
  for (let k = 0; k < words.length; k += 3) {
    if (((ROT13_MARKER_LENGTHS >>> (words[k + 1] - words[k])) & 1) !== 0 && ROT13_MARKER_HASHES.has(words[k + 2])) return true;
  }
  return false;
}

/** `folded` is a lowercase view's text; `marked` says whether a marker is known to be there. */
export function findRot13Payload(folded: string, marked: boolean = ROT13_MARKER.test(folded)): { score: number; from: number; to: number } | undefined {
  if (!marked) return undefined;
  const matches = matchPhrases(rot13(folded));
  if (matches.length === 0) return undefined;
  let from = Infinity;
  let to = 0;
  for (const m of matches) {
    from = Math.min(from, m.from);
    to = Math.max(to, m.to);
  }
  return { score: phraseScore(matches), from, to };
}
