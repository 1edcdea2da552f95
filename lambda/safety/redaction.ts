import { placeholder } from './placeholders';
import type { RatedFinding } from './types';

/** Unicode findings are removed outright: a placeholder for an invisible character would be noise. */
const STRIPPED_TYPES = new Set(['INVISIBLE_CHARACTER', 'BIDI_CONTROL', 'VARIATION_SELECTOR_SMUGGLING', 'TAG_SMUGGLING']);

/**
 * Replaces every finding whose action is `redact` with a typed placeholder such as
 * `[EMAIL_ADDRESS_1]`. The same value gets the same number throughout the request, so the model
 * can still tell "the sender" from "the recipient" without seeing either. Overlapping spans
 * are merged so no fragment of a secret survives between two placeholders.
 */
/** Per type, each value's placeholder (its number is its order of first sight), so a repeated value costs no new string. */
export type PlaceholderNumbers = Map<string, Map<string, string>>;

export function redact(text: string, findings: readonly RatedFinding[], numbers: PlaceholderNumbers = new Map()): string {
  return redactWithMarks(text, findings, numbers).text;
}

/** Also returns where each placeholder starts and ends in the output, for re-checking its surroundings. */
export function redactWithMarks(text: string, findings: readonly RatedFinding[], numbers: PlaceholderNumbers = new Map()): { text: string; marks: number[] } {
  const marks: number[] = [];
  let outLength = 0;
  const spans = findings.filter((f) => f.action === 'redact' && f.end > f.start).sort((a, b) => a.start - b.start || b.end - a.end);
  if (spans.length === 0) return { text, marks };
  const placeholderOf = (type: string, value: string): string => {
    let byValue = numbers.get(type);
    if (byValue === undefined) {
      byValue = new Map();
      numbers.set(type, byValue);
    }
    let p = byValue.get(value);
    if (p === undefined) {
      p = placeholder(type, byValue.size + 1);
      byValue.set(value, p);
    }
    return p;
  };
  const parts: string[] = [];
  let cursor = 0;
  for (let k = 0; k < spans.length; ) {
    const first = spans[k];
    let end = first.end;
    k++;
    while (k < spans.length && spans[k].start < end) {
      end = Math.max(end, spans[k].end);
      k++;
    }
    const start = Math.max(first.start, cursor);
    outLength += start - cursor;
    parts.push(text.slice(cursor, start));
    cursor = end;
    // A removed invisible character leaves no mark: the value checks already read the text
    // without it (pipeline.ts), so closing the gap cannot make a new value to re-check.
    if (STRIPPED_TYPES.has(first.type)) continue;
    const replacement = placeholderOf(first.type, text.slice(start, end));
    marks.push(outLength);
    outLength += replacement.length;
    marks.push(outLength);
    parts.push(replacement);
  }
  parts.push(text.slice(cursor));
  return { text: parts.join(''), marks };
}
