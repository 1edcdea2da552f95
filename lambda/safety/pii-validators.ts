/**
 * Checksums and structural rules that turn digit patterns into PII with high precision.
 * Each follows the reference recognizer in Microsoft Presidio (presidio-analyzer/predefined_recognizers).
 */

/** Luhn mod-10 (ISO/IEC 7812-1), the credit-card check digit. `digits` holds only 0–9. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 0x30;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** IBAN length per country (SWIFT IBAN registry). Unknown countries are rejected. */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23,
  GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18,
  NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19,
  SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** ISO 7064 mod 97-10 over the rearranged IBAN; computed digit by digit to stay within 32-bit integers. */
export function ibanValid(compact: string): boolean {
  const iban = compact.toUpperCase();
  if (IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) remainder = (remainder * 10 + (c - 0x30)) % 97;
    else if (c >= 0x41 && c <= 0x5a) remainder = (remainder * 100 + (c - 0x41 + 10)) % 97;
    else return false;
  }
  return remainder === 1;
}

/**
 * Presidio's UsSsnRecognizer invalidation: one delimiter style, not all one digit, area not
 * 000/666/9xx, group not 00, serial not 0000, and the numbers published in advertising.
 */
export function ssnValid(candidate: string): boolean {
  const delimiters = new Set(candidate.replace(/\d/g, ''));
  if (delimiters.size > 1) return false;
  const digits = candidate.replace(/\D/g, '');
  if (digits.length !== 9 || /^(\d)\1{8}$/.test(digits)) return false;
  const area = digits.slice(0, 3);
  if (area === '000' || area === '666' || area.startsWith('9')) return false;
  if (digits.slice(3, 5) === '00' || digits.slice(5) === '0000') return false;
  return !['078051120', '219099999', '123456789', '457555462'].includes(digits);
}

export function ipv4Valid(candidate: string): boolean {
  const parts = candidate.split('.');
  return parts.length === 4 && parts.every((p) => p.length > 0 && p.length <= 3 && Number(p) <= 255 && !(p.length > 1 && p[0] === '0'));
}

/** RFC 4291 text forms: eight groups, or fewer with one `::`, optionally ending in an IPv4 address. */
export function ipv6Valid(candidate: string): boolean {
  let text = candidate;
  let groupsNeeded = 8;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) > 0) {
    if (!ipv4Valid(text.slice(lastColon + 1))) return false;
    text = text.slice(0, lastColon + 1) + '0';
    groupsNeeded = 7;
  }
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = (s: string): string[] | undefined => {
    if (s === '') return [];
    const g = s.split(':');
    return g.every((x) => /^[0-9a-f]{1,4}$/i.test(x)) ? g : undefined;
  };
  const head = groups(halves[0]);
  if (halves.length === 1) return head !== undefined && head.length === groupsNeeded;
  const tail = groups(halves[1]);
  if (head === undefined || tail === undefined) return false;
  const explicit = head.length + tail.length;
  // A bare "::" or "a::b" is more often code (C++ scopes, Rust paths) than an address.
  return explicit <= groupsNeeded - 1 && (explicit >= 2 || (explicit === 1 && tail.length === 1 && tail[0] === '1'));
}

/** File extensions that follow "@2x."-style names and are not top-level domains people mail to. */
const NOT_TLDS = ['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'js', 'ts', 'py', 'css', 'html', 'json', 'txt', 'md', 'pdf', 'zip', 'exe'];

/**
 * Whether text[from, to) is a domain people mail to: labels of 1–63 characters that neither start
 * nor end with '-', and a top-level domain of 2–24 letters that is not a file extension. Read in
 * place, without a slice, a split or a lowercase copy: an answer full of addresses checks every one.
 */
export function emailDomainValid(text: string, from = 0, to = text.length): boolean {
  if (to - from > 253) return false;
  let labelStart = from;
  let lastDot = -1;
  for (let i = from; i <= to; i++) {
    if (i < to && text.charCodeAt(i) !== 0x2e) continue;
    const length = i - labelStart;
    if (length === 0 || length > 63 || text.charCodeAt(labelStart) === 0x2d || text.charCodeAt(i - 1) === 0x2d) return false;
    if (i < to) lastDot = i;
    labelStart = i + 1;
  }
  if (lastDot < 0) return false;
  const tld = lastDot + 1;
  if (to - tld < 2 || to - tld > 24) return false;
  for (let i = tld; i < to; i++) {
    const c = text.charCodeAt(i) | 0x20;
    if (c < 0x61 || c > 0x7a) return false;
  }
  for (let k = 0; k < NOT_TLDS.length; k++) if (sameLetters(text, tld, to, NOT_TLDS[k])) return false;
  return true;
}

/** text[from, to) equals the lowercase `word`, ignoring the case of ASCII letters. */
function sameLetters(text: string, from: number, to: number, word: string): boolean {
  if (to - from !== word.length) return false;
  for (let k = 0; k < word.length; k++) if ((text.charCodeAt(from + k) | 0x20) !== word.charCodeAt(k)) return false;
  return true;
}
