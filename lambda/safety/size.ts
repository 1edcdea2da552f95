import type { Finding } from './types';
import type { SizeLimits } from './policy';

/**
 * Runs before every other check so an oversized request costs at most one pass over
 * maxBytes code units: the byte count stops as soon as the limit is crossed.
 */
export function checkSize(text: string, limits: SizeLimits): Finding | undefined {
  if (text.length > limits.maxChars) return { check: 'size', type: 'MAX_CHARS_EXCEEDED', start: limits.maxChars, end: text.length };
  const overAt = utf8OverflowIndex(text, limits.maxBytes);
  if (overAt >= 0) return { check: 'size', type: 'MAX_BYTES_EXCEEDED', start: overAt, end: text.length };
  return undefined;
}

/** Index of the first UTF-16 unit whose UTF-8 encoding crosses maxBytes, or -1. Lone surrogates count 3 bytes (U+FFFD). */
export function utf8OverflowIndex(text: string, maxBytes: number): number {
  // A UTF-16 unit takes at most three UTF-8 bytes (a pair takes four for two units).
  if (text.length * 3 <= maxBytes) return -1;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
    if (bytes > maxBytes) return i;
  }
  return -1;
}
