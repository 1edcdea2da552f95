/**
 * Tokenised text in an answer (logprob tokens, TGI's token details, their alternatives) is
 * checked as the text the tokens form, so a secret split across tokens is still found; a
 * redaction of that text is then mapped back onto the tokens.
 */

/** Where a token array keeps its text. */
export interface TokenSpec {
  /** The member holding a token's text; absent when the items are the token strings themselves. */
  readonly text?: string;
  /** The member holding the token's UTF-8 bytes, kept consistent with the (checked) text. */
  readonly bytes?: string;
  /** A member listing alternative tokens for the same position (OpenAI's `top_logprobs`). */
  readonly alternatives?: string;
  /** The items are themselves arrays of alternatives, best first (TGI's `top_tokens`). */
  readonly ranked?: boolean;
}

/** One sequence: the tokens' holders and members, in order. */
export interface TokenSequence {
  /** `choices[0].logprobs.content[*].token`, or `…[*].top_logprobs[1].token` for rank 1. */
  readonly label: string;
  readonly holders: readonly (Record<string, unknown> | unknown[])[];
  readonly keys: readonly (string | number)[];
  readonly bytesKey?: string;
}

/**
 * The sequences in a token array: the tokens themselves, then one per rank of alternatives
 * (the k-th alternative at every position). Items that do not hold a string token are left out
 * of the sequences (and are checked like any other value).
 */
export function tokenSequences(items: readonly unknown[], spec: TokenSpec, label: string): TokenSequence[] {
  const out: TokenSequence[] = [];
  if (spec.ranked) {
    for (let rank = 0; ; rank++) {
      const seq = sequence(`${label}[*][${rank}]`, spec);
      for (const position of items) {
        if (Array.isArray(position) && rank < position.length) add(seq, position[rank], spec);
      }
      if (seq.holders.length === 0) break;
      out.push(seq);
    }
    return out;
  }
  const main = sequence(`${label}[*]`, spec);
  for (let i = 0; i < items.length; i++) {
    if (spec.text === undefined) {
      if (typeof items[i] === 'string') push(main, items as unknown[], i);
    } else {
      add(main, items[i], spec);
    }
  }
  if (main.holders.length > 0) out.push(main);
  if (spec.alternatives !== undefined) {
    const alternatives = spec.alternatives;
    for (let rank = 0; ; rank++) {
      const seq = sequence(`${label}[*].${alternatives}[${rank}]`, spec);
      for (const position of items) {
        const list = isRecord(position) ? position[alternatives] : undefined;
        if (Array.isArray(list) && rank < list.length) add(seq, list[rank], spec);
      }
      if (seq.holders.length === 0) break;
      out.push(seq);
    }
  }
  return out;
}

type MutableSequence = TokenSequence & { holders: (Record<string, unknown> | unknown[])[]; keys: (string | number)[] };

function sequence(label: string, spec: TokenSpec): MutableSequence {
  return { label: spec.text === undefined ? label : `${label}.${spec.text}`, holders: [], keys: [], bytesKey: spec.bytes };
}

function add(seq: MutableSequence, item: unknown, spec: TokenSpec): void {
  if (spec.text !== undefined && isRecord(item) && typeof item[spec.text] === 'string') push(seq, item, spec.text);
}

function push(seq: MutableSequence, holder: Record<string, unknown> | unknown[], key: string | number): void {
  seq.holders.push(holder);
  seq.keys.push(key);
}

export function tokensOf(seq: TokenSequence): string[] {
  return seq.holders.map((h, i) => (h as Record<string | number, unknown>)[seq.keys[i]] as string);
}

/**
 * Makes each token's bytes say what its text says: kept when they decode to the text, or when
 * both are only pieces of a character split across tokens (U+FFFD); otherwise rewritten from
 * the text. Bytes a client could decode to something other than the checked text never pass.
 */
export function alignBytes(seq: TokenSequence): void {
  if (seq.bytesKey === undefined) return;
  for (let i = 0; i < seq.holders.length; i++) {
    const holder = seq.holders[i] as Record<string, unknown>;
    const bytes = holder[seq.bytesKey];
    if (bytes === null || bytes === undefined) continue;
    const text = holder[seq.keys[i] as string] as string;
    if (!bytesMatch(bytes, text)) holder[seq.bytesKey] = Array.from(Buffer.from(text, 'utf8'));
  }
}

function bytesMatch(bytes: unknown, text: string): boolean {
  if (!Array.isArray(bytes) || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) return false;
  const decoded = Buffer.from(bytes as number[]).toString('utf8');
  return decoded === text || (onlyReplacementChars(decoded) && onlyReplacementChars(text));
}

function onlyReplacementChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== 0xfffd) return false;
  return s.length > 0;
}

/** Writes a checked (redacted) text back onto the tokens, and their bytes after it. */
export function writeSequence(seq: TokenSequence, redacted: string): void {
  const before = tokensOf(seq);
  const after = redistribute(before, redacted);
  for (let i = 0; i < after.length; i++) {
    if (after[i] === before[i]) continue;
    const holder = seq.holders[i] as Record<string | number, unknown>;
    holder[seq.keys[i]] = after[i];
    if (seq.bytesKey !== undefined && Array.isArray(holder[seq.bytesKey])) holder[seq.bytesKey] = Array.from(Buffer.from(after[i], 'utf8'));
  }
}

/**
 * Splits `redacted` over the pieces whose concatenation it replaces: pieces inside the common
 * prefix and suffix keep their text; the changed middle goes to the first piece that reaches
 * it, and pieces wholly inside it become empty. The pieces always concatenate to `redacted`, so
 * each is a substring of checked text.
 */
export function redistribute(pieces: readonly string[], redacted: string): string[] {
  const original = pieces.join('');
  if (original === redacted) return [...pieces];
  const max = Math.min(original.length, redacted.length);
  let p = 0;
  while (p < max && original.charCodeAt(p) === redacted.charCodeAt(p)) p++;
  if (p > 0 && isHighSurrogate(original.charCodeAt(p - 1))) p--;
  let s = 0;
  while (s < max - p && original.charCodeAt(original.length - 1 - s) === redacted.charCodeAt(redacted.length - 1 - s)) s++;
  if (s > 0 && isLowSurrogate(original.charCodeAt(original.length - s))) s--;
  const changedEnd = original.length - s;
  const middle = redacted.slice(p, redacted.length - s);
  const out: string[] = [];
  let offset = 0;
  let placed = false;
  for (let i = 0; i < pieces.length; i++) {
    const a = offset;
    const b = offset + pieces[i].length;
    offset = b;
    const head = a < p ? original.slice(a, Math.min(b, p)) : '';
    const tail = b > changedEnd ? original.slice(Math.max(a, changedEnd), b) : '';
    // The middle goes to the first piece ending after p (or the last piece when the change is at the very end).
    const takesMiddle = !placed && (b > p || i === pieces.length - 1);
    if (takesMiddle) placed = true;
    out.push(takesMiddle ? head + middle + tail : head + tail);
  }
  return out;
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
