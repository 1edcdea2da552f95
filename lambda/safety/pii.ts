import type { Finding } from './types';
import type { PiiEntity } from './policy';
import { emailDomainValid, IBAN_LENGTHS, ibanValid, ipv4Valid, ipv6Valid, luhnValid, ssnValid } from './pii-validators';

/**
 * PII recognizers with Presidio's entity names. Each runs only when a cheap literal prefilter
 * passes, uses bounded patterns (no nested or overlapping unbounded quantifiers), and
 * confirms candidates in code with the checksum or structure of the entity.
 */
export interface PiiFinding extends Finding {
  readonly check: 'pii';
  readonly type: PiiEntity;
}

type Recognizer = (text: string, out: PiiFinding[]) => void;

const push = (out: PiiFinding[], type: PiiEntity, start: number, end: number): void => {
  out.push({ check: 'pii', type, start, end });
};

function isLocalPartChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x5f || c === 0x25 || c === 0x2b || c === 0x2d;
}

function isDomainChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d;
}

/**
 * End of the longest valid domain after '@' within [at+1, e): text glued after a top-level
 * domain ("a@b.comAKIA1…", "a@b.com-.x") is not part of the address. Returns at+1 if none.
 */
function longestValidDomainEnd(text: string, at: number, e: number): number {
  let end = e;
  for (let guard = 0; guard < 64 && end > at + 1; guard++) {
    // A bounded backward scan: lastIndexOf would run past '@' to the start of the text.
    let lastDot = end - 1;
    while (lastDot > at && text.charCodeAt(lastDot) !== 0x2e) lastDot--;
    if (lastDot <= at) break;
    let t = lastDot + 1;
    while (t < end && (text.charCodeAt(t) | 0x20) >= 0x61 && (text.charCodeAt(t) | 0x20) <= 0x7a) t++;
    if (t > lastDot + 1 && emailDomainValid(text, at + 1, t)) return t;
    end = lastDot;
  }
  return at + 1;
}

/** Expands around each '@' in code: a regex anchored on the local part rescans it at every start. */
const findEmails: Recognizer = (text, out) => {
  let resumeAt = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    if (at < resumeAt) continue;
    let s = at;
    while (s > resumeAt && at - s < 64 && isLocalPartChar(text.charCodeAt(s - 1))) s--;
    while (s < at && text.charCodeAt(s) === 0x2e) s++;
    let e = at + 1;
    while (e < text.length && e - at <= 253 && isDomainChar(text.charCodeAt(e))) e++;
    while (e > at + 1 && (text.charCodeAt(e - 1) === 0x2e || text.charCodeAt(e - 1) === 0x2d)) e--;
    e = longestValidDomainEnd(text, at, e);
    if (s < at && e > at + 1) {
      push(out, 'EMAIL_ADDRESS', s, e);
      resumeAt = e;
    }
  }
};

/**
 * Printed groupings only: 4-4-4-4 (plus a tail of up to 7 for 19-digit cards), Amex 4-6-5,
 * Diners 4-6-4, or 12–19 digits unbroken, starting at a token's start (not after a letter or
 * digit). A looser candidate would swallow the digits of a neighbouring token and hide the real
 * card behind it: `…KEY2779 4516 5889 7079 0005` read from `2779` passes Luhn by chance (one in
 * ten) and leaves `0005` of the real card. A card glued to a word (`VISA4111…`) is the price.
 */
const CREDIT_CARD_CANDIDATE = /(?<![\w.,+-])(?:\d{4}([ -])\d{4}\1\d{4}(?:\1\d{1,7})?|\d{4}([ -])\d{6}\2\d{4,5}|\d{12,19})(?!\w|-\d|[.,]\d)/g;

/** Issuer prefixes as in Presidio's pattern (Visa 4, Mastercard 2/5, Amex 3, Discover/Maestro 6, JCB 1/3). */
const findCreditCards: Recognizer = (text, out) => {
  for (const m of text.matchAll(CREDIT_CARD_CANDIDATE)) {
    const raw = m[0];
    const digits = raw.replace(/[ -]/g, '');
    if (digits.length < 12 || digits.length > 19 || !'123456'.includes(digits[0])) continue;
    if (/^(\d)\1+$/.test(digits) || !luhnValid(digits)) continue;
    push(out, 'CREDIT_CARD', m.index, m.index + raw.length);
  }
};

const IBAN_START = /(?<![A-Z0-9])[A-Z]{2}\d{2} ?[A-Z0-9]{4}/gi;

/** Matches the start, then takes exactly the country's length, skipping single spaces between groups. */
const findIbans: Recognizer = (text, out) => {
  for (const m of text.matchAll(IBAN_START)) {
    const country = m[0].slice(0, 2).toUpperCase();
    const length = IBAN_LENGTHS[country];
    if (length === undefined) continue;
    let compact = '';
    let e = m.index;
    while (e < text.length && compact.length < length) {
      const c = text.charCodeAt(e);
      const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
      if (alnum) compact += text[e];
      else if (!(c === 0x20 && compact.length % 4 === 0)) break;
      e++;
    }
    const next = text.charCodeAt(e);
    const boundary = Number.isNaN(next) || !((next >= 0x30 && next <= 0x39) || (next >= 0x41 && next <= 0x5a) || (next >= 0x61 && next <= 0x7a));
    if (compact.length === length && boundary && ibanValid(compact)) push(out, 'IBAN_CODE', m.index, e);
  }
};

const SSN_DELIMITED = /(?<![\w.+-])\d{3}[- .]\d{2}[- .]\d{4}(?![\w-]|\.\d)/g;
const SSN_BARE = /(?<![\w.+-])\d{9}(?![\w-]|\.\d)/g;
const SSN_CONTEXT = /\b(?:ssn|ssns|social security|social sec|taxpayer id|tin)\b/i;

const findSsns: Recognizer = (text, out) => {
  for (const m of text.matchAll(SSN_DELIMITED)) {
    if (ssnValid(m[0])) push(out, 'US_SSN', m.index, m.index + m[0].length);
  }
  // Nine bare digits are an SSN only when the text says so (Presidio scores them "weak" without context).
  for (const m of text.matchAll(SSN_BARE)) {
    if (ssnValid(m[0]) && SSN_CONTEXT.test(text.slice(Math.max(0, m.index - 48), m.index))) push(out, 'US_SSN', m.index, m.index + 9);
  }
};

const IPV4_CANDIDATE = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\w|\.\d)/g;
/** Tried only where a run of hex digits (or nothing) meets a colon, found with indexOf. */
const IPV6_AT = /(?:[0-9a-f]{1,4}|(?=::))(?::[0-9a-f]{0,4}){2,7}(?::\d{1,3}(?:\.\d{1,3}){3})?(?![\w:])/iy;

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/** Word characters, ':' and '.' before an address mean it is part of something longer. */
function isAddressNeighbour(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x5f || c === 0x3a || c === 0x2e;
}

const findIps: Recognizer = (text, out) => {
  if (text.includes('.')) {
    for (const m of text.matchAll(IPV4_CANDIDATE)) if (ipv4Valid(m[0])) push(out, 'IP_ADDRESS', m.index, m.index + m[0].length);
  }
  let resumeAt = 0;
  for (let colon = text.indexOf(':'); colon >= 0; colon = text.indexOf(':', Math.max(colon + 1, resumeAt))) {
    let start = colon;
    while (start > 0 && colon - start < 4 && isHex(text.charCodeAt(start - 1))) start--;
    if (start < resumeAt || (start > 0 && isAddressNeighbour(text.charCodeAt(start - 1)))) continue;
    IPV6_AT.lastIndex = start;
    const m = IPV6_AT.exec(text);
    if (m === null) continue;
    resumeAt = start + m[0].length;
    if (ipv6Valid(m[0])) push(out, 'IP_ADDRESS', start, resumeAt);
  }
};

const URL_CANDIDATE = /\b(?:https?:\/\/|www\.)[^\s<>"'`]{2,2048}/gi;

const findUrls: Recognizer = (text, out) => {
  for (const m of text.matchAll(URL_CANDIDATE)) {
    let end = m.index + m[0].length;
    while (end > m.index && '.,;:!?)]}\''.includes(text[end - 1])) end--;
    push(out, 'URL', m.index, end);
  }
};

/**
 * Phone numbers: the hard type (naive patterns reach ~0.57 precision, per Presidio's notes).
 * Candidates are digit groups joined by single separators; what decides is structure:
 * 7–15 digits (E.164), not a date, version or amount, and for shapes that are usually not
 * phone numbers (bare digit runs, thousands-like groups) a phone word nearby.
 */
/** E.164 numbers have at least 7 digits with the area code. */
const MIN_PHONE_DIGITS = 7;
const PHONE_CANDIDATE = /(?<![\w+./:-])(?<!\d,)(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{1,12}(?:[ .-]\d{2,8}){0,5}(?:(?: ?x| ?ext\.? ?)\d{1,5})?(?![\w:]|-\d|[.,]\d)/g;
/** Numbers that sit next to these words are identifiers of another kind. */
const NOT_PHONE_CONTEXT = /licen[cs]e|account|order|invoice|passport|serial|ssn|social security|zip|postal|apt|suite|address|iban|card/i;
const PHONE_CONTEXT = /phone|tel|call|mobile|cell|fax|desk|contact|number|reach|text|whatsapp|sms|message|answering|dial|ring|n[uú]mero|tél[eé]phone|portable|handy/i;

function phoneShapeOk(raw: string, text: string, index: number): boolean {
  // Most candidates are short numbers ("3", "2024"): rule them out before any string is built.
  let digitCount = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digitCount++;
  }
  if (digitCount < MIN_PHONE_DIGITS) return false;
  const body = raw.replace(/(?: ?x| ?ext\.? ?)\d{1,5}$/, '');
  const digits = body.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return false;
  const groups = body.replace(/^\+/, '').split(/[ .()-]+/).filter((g) => g.length > 0);
  const hasPlus = body.startsWith('+');
  const hasParens = body.includes('(');
  const before = text.slice(Math.max(0, index - 40), index);
  const after = text.slice(index + raw.length, index + raw.length + 12);
  const context = (): boolean => PHONE_CONTEXT.test(before) || /^[\s-]{0,2}(?:office|fax|mobile|cell|home|work|landline)\b/i.test(after);
  if (NOT_PHONE_CONTEXT.test(before.slice(-24)) && !/phone|tel|fax|mobile|cell|call/i.test(before.slice(-24))) return false;
  if (/^\d{4}[-./]\d{1,2}[-./]\d{1,2}\b/.test(body) || /^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$/.test(body)) return false;
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(body)) return false;
  if (groups.every((g) => /^(?:19|20)\d\d$/.test(g))) return false;
  if (groups.length === 1) return (hasPlus || context()) && digits.length >= 8;
  // Two short groups ("370 3911") are as often a house number and a street number as a phone.
  if (groups.length === 2 && !hasPlus && !hasParens) return context();
  if (!hasPlus && !hasParens && /^\d{1,3}(?:[ .,]\d{3})+$/.test(body)) return context();
  return true;
}

/** PHONE_CANDIDATE looks at most 2 units before a candidate, and past its digits at an extension (" ext. 12345") and 2 more. */
const PHONE_BEFORE = 2;
const PHONE_AFTER = 13;

function isPhoneUnit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x20 || c === 0x2e || c === 0x2d || c === 0x28 || c === 0x29 || c === 0x2b;
}

/** Digits are found by a native scan; prose has few, so the loops below only run around them. */
const DIGIT = /\d/g;

/**
 * Runs of digits and the separators a phone number is written with that hold at least `min`
 * digits, as (start, end) pairs. Every digit of a candidate's number (its extension aside) lies
 * in one such run, so the candidate regex runs only there: prose is full of short numbers
 * ("3", "2024"), and matching each of them cost a match object apiece.
 */
function digitClusters(text: string, min: number): number[] {
  const clusters: number[] = [];
  for (let from = 0; ; ) {
    DIGIT.lastIndex = from;
    if (!DIGIT.test(text)) return clusters;
    // The run around the first digit after `from`; the unit before `from` ended the previous run.
    let start = DIGIT.lastIndex - 1;
    while (start > from && isPhoneUnit(text.charCodeAt(start - 1))) start--;
    let end = start;
    let digits = 0;
    for (; end < text.length; end++) {
      const c = text.charCodeAt(end);
      if (!isPhoneUnit(c)) break;
      if (c >= 0x30 && c <= 0x39) digits++;
    }
    if (digits >= min) clusters.push(start, end);
    from = end;
  }
}

const findPhones: Recognizer = (text, out) => {
  const clusters = digitClusters(text, MIN_PHONE_DIGITS);
  // Where a scan of the whole text would resume: after the last candidate (an extension can reach into the next run).
  let resumeAt = 0;
  for (let k = 0; k < clusters.length; k += 2) {
    // The slice holds all the context the regex reads, so it matches there as in the whole text.
    const from = Math.max(0, clusters[k] - PHONE_BEFORE);
    const window = text.slice(from, Math.min(text.length, clusters[k + 1] + PHONE_AFTER));
    PHONE_CANDIDATE.lastIndex = Math.max(0, resumeAt - from);
    for (let m = PHONE_CANDIDATE.exec(window); m !== null; m = PHONE_CANDIDATE.exec(window)) {
      const at = from + m.index;
      // The slice's tail is there for this run's extension: a candidate starting in it is the next
      // run's, cut off by the slice's end (a whole-text scan meets it whole, from that run).
      if (at >= clusters[k + 1]) break;
      resumeAt = at + m[0].length;
      if (phoneShapeOk(m[0], text, at)) push(out, 'PHONE_NUMBER', at, resumeAt);
    }
  }
};

/** Whether `min` digits occur with at most spaces, '-' and '.' between them (the prefilter of the digit recognizers). */
function hasDigitRun(text: string, min: number): boolean {
  for (let from = 0; ; ) {
    DIGIT.lastIndex = from;
    if (!DIGIT.test(text)) return false;
    let run = 0;
    let i = DIGIT.lastIndex - 1;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x30 && c <= 0x39) {
        if (++run >= min) return true;
      } else if (c !== 0x20 && c !== 0x2d && c !== 0x2e) break;
    }
    from = i + 1;
  }
}

/** Earlier entries win when spans overlap: checksummed types before the structural guess of a phone. */
const PRIORITY: readonly PiiEntity[] = ['EMAIL_ADDRESS', 'IBAN_CODE', 'CREDIT_CARD', 'US_SSN', 'IP_ADDRESS', 'PHONE_NUMBER', 'URL'];

export function findPii(text: string, enabled: ReadonlySet<PiiEntity>): PiiFinding[] {
  const found: PiiFinding[] = [];
  const run = (type: PiiEntity, recognizer: Recognizer, prefilter: boolean): void => {
    if (enabled.has(type) && prefilter) recognizer(text, found);
  };
  const digits7 = hasDigitRun(text, 7);
  run('EMAIL_ADDRESS', findEmails, text.includes('@'));
  run('URL', findUrls, text.includes('http') || text.includes('HTTP') || text.includes('www.'));
  run('IBAN_CODE', findIbans, digits7);
  run('CREDIT_CARD', findCreditCards, digits7);
  run('US_SSN', findSsns, digits7);
  run('IP_ADDRESS', findIps, text.includes('.') || text.includes(':'));
  run('PHONE_NUMBER', findPhones, digits7);
  return resolveOverlaps(found);
}

/**
 * One sweep in start order. A finding inside a longer one of equal or higher priority is the
 * same thing seen twice (a phone-shaped run inside an IP address) and is dropped. Partial
 * overlaps keep both, so redaction covers the union and no part of either survives.
 */
function resolveOverlaps(found: PiiFinding[]): PiiFinding[] {
  const rank = (f: PiiFinding): number => PRIORITY.indexOf(f.type);
  const sorted = [...found].sort((a, b) => a.start - b.start || b.end - a.end || rank(a) - rank(b));
  const kept: PiiFinding[] = [];
  let cover: PiiFinding | undefined;
  for (let k = 0; k < sorted.length; k++) {
    const f = sorted[k];
    if (cover !== undefined && f.end <= cover.end && rank(cover) <= rank(f)) continue;
    kept.push(f);
    if (cover === undefined || f.end > cover.end) cover = f;
  }
  return kept;
}
