import { TextBuilder } from './units';

/**
 * Redaction placeholders: `[EMAIL_ADDRESS_1]`, `[GENERIC_SECRET_2]`. They reach the model and
 * come back in later turns, so no check may see one as a finding ("password=[GENERIC_SECRET_3]"
 * is not a password). Every check runs on text where placeholders of the policy's own types are
 * masked with spaces (same length, so offsets do not move). Only known types are masked, and the
 * number is at most seven digits, so a placeholder-shaped string cannot hide a value or a phrase.
 * Redaction writes them (`TextBuilder.appendPlaceholder`, units.ts).
 */

const MAX_TYPE = 64;
const MAX_DIGITS = 7;
/** `[`, type, `_`, digits, `]`: no masked placeholder is longer. */
export const MAX_PLACEHOLDER_LENGTH = MAX_TYPE + MAX_DIGITS + 3;
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isTypeChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/** Known types by length, so a candidate is compared in place instead of cut out for a lookup. */
const typesByLength = new WeakMap<ReadonlySet<string>, Map<number, string[]>>();

function isKnownType(text: string, from: number, to: number, knownTypes: ReadonlySet<string>): boolean {
  let byLength = typesByLength.get(knownTypes);
  if (byLength === undefined) {
    byLength = new Map();
    for (const t of knownTypes) byLength.set(t.length, [...(byLength.get(t.length) ?? []), t]);
    typesByLength.set(knownTypes, byLength);
  }
  return byLength.get(to - from)?.some((t) => text.startsWith(t, from)) ?? false;
}

/** The masked text is assembled here (units.ts): a text full of placeholders makes one string. */
const masked = new TextBuilder();

/** Replaces every placeholder of a known type with spaces; returns `text` itself when there is none. */
export function maskPlaceholders(text: string, knownTypes: ReadonlySet<string>): string {
  let found = false;
  let last = 0;
  for (let open = text.indexOf('['); open >= 0; open = text.indexOf('[', open + 1)) {
    let i = open + 1;
    while (i < text.length && i - open <= MAX_TYPE + MAX_DIGITS + 1 && isTypeChar(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== 0x5d) continue;
    // `_` and 1–7 digits before the `]`, read in place, and the type compared in place.
    let sep = i - 1;
    while (sep > open && isDigit(text.charCodeAt(sep))) sep--;
    const digits = i - sep - 1;
    if (text.charCodeAt(sep) !== 0x5f || sep <= open + 1 || digits < 1 || digits > MAX_DIGITS || !isKnownType(text, open + 1, sep, knownTypes)) continue;
    if (!found) masked.reset();
    found = true;
    masked.appendRange(text, last, open);
    masked.appendSpaces(i + 1 - open);
    last = i + 1;
    open = i;
  }
  if (!found) return text;
  masked.appendRange(text, last, text.length);
  return masked.build();
}
