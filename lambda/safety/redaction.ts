import { TextBuilder } from './units';
import type { RatedFinding } from './types';

/** Unicode findings are removed outright: a placeholder for an invisible character would be noise. */
const STRIPPED_TYPES = new Set(['INVISIBLE_CHARACTER', 'BIDI_CONTROL', 'VARIATION_SELECTOR_SMUGGLING', 'TAG_SMUGGLING']);

/**
 * Replaces every finding whose action is `redact` with a typed placeholder such as
 * `[EMAIL_ADDRESS_1]`. The same value gets the same number throughout the request, so the model
 * can still tell "the sender" from "the recipient" without seeing either. Overlapping spans
 * are merged so no fragment of a secret survives between two placeholders.
 */
/** Per type, each value's placeholder number (its order of first sight); the placeholder is written from it (units.ts). */
export type PlaceholderNumbers = Map<string, Map<string, number>>;

export function redact(text: string, findings: readonly RatedFinding[], numbers: PlaceholderNumbers = new Map()): string {
  return redactWithMarks(text, findings, numbers).text;
}

const NO_MARKS = new Int32Array(0);

/** The redacted text is assembled here (units.ts): one string, however many pieces are removed. */
const redacted = new TextBuilder();

/**
 * Also returns where each placeholder starts and ends in the output, for re-checking its surroundings.
 * Unicode findings remove exactly the characters they flagged (their `pieces`, or their span); a
 * flagged character inside a value's span goes with the value.
 */
export function redactWithMarks(text: string, findings: readonly RatedFinding[], numbers: PlaceholderNumbers = new Map()): { text: string; marks: Int32Array } {
  const spans = findings.filter((f) => f.action === 'redact' && f.end > f.start).sort((a, b) => a.start - b.start || b.end - a.end);
  if (spans.length === 0) return { text, marks: NO_MARKS };
  const valueSpans = spans.filter((f) => !STRIPPED_TYPES.has(f.type));
  // Two marks per placeholder at most (merged spans make fewer): no array to grow.
  const marks = new Int32Array(2 * valueSpans.length);
  let markCount = 0;
  const removed = removedPieces(spans);
  const numberOf = (type: string, value: string): number => {
    let byValue = numbers.get(type);
    if (byValue === undefined) {
      byValue = new Map();
      numbers.set(type, byValue);
    }
    let n = byValue.get(value);
    if (n === undefined) {
      n = byValue.size + 1;
      byValue.set(value, n);
    }
    return n;
  };
  const out = redacted;
  out.reset();
  let cursor = 0;
  let r = 0; // the next removed piece
  /** Copies text[cursor, to) without the removed pieces in it. */
  const keepUntil = (to: number): void => {
    for (; r < removed.length && removed[r] < to; r += 2) {
      out.appendRange(text, cursor, removed[r]);
      cursor = Math.max(cursor, removed[r + 1]);
    }
    if (to > cursor) {
      out.appendRange(text, cursor, to);
      cursor = to;
    }
  };
  for (let k = 0; k < valueSpans.length; ) {
    // Overlapping spans are merged so no fragment of a secret survives between two placeholders.
    const first = valueSpans[k];
    let end = first.end;
    k++;
    while (k < valueSpans.length && valueSpans[k].start < end) {
      end = Math.max(end, valueSpans[k].end);
      k++;
    }
    keepUntil(first.start);
    const start = Math.max(first.start, cursor);
    marks[markCount++] = out.length;
    out.appendPlaceholder(first.type, numberOf(first.type, text.slice(start, end)));
    marks[markCount++] = out.length;
    cursor = Math.max(cursor, end);
    // Removed pieces inside the value went with it.
    while (r < removed.length && removed[r + 1] <= cursor) r += 2;
  }
  keepUntil(text.length);
  return { text: out.build(), marks: marks.subarray(0, markCount) };
}

/** The [start, end) pairs the unicode findings among `spans` (sorted by start) remove, in order. */
function removedPieces(spans: readonly RatedFinding[]): Int32Array {
  let n = 0;
  for (let k = 0; k < spans.length; k++) if (STRIPPED_TYPES.has(spans[k].type)) n += spans[k].pieces?.length ?? 2;
  const out = new Int32Array(n);
  let at = 0;
  for (let k = 0; k < spans.length; k++) {
    const f = spans[k];
    if (!STRIPPED_TYPES.has(f.type)) continue;
    if (f.pieces === undefined) {
      out[at++] = f.start;
      out[at++] = f.end;
    } else {
      out.set(f.pieces, at);
      at += f.pieces.length;
    }
  }
  return out;
}
