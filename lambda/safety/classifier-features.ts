/**
 * Features for the injection classifier: hashed character 3- to 5-grams and word 1- and
 * 2-grams of the folded view. Shared by the runtime scorer and the training script so the two
 * can never disagree. Hashing keeps the model a fixed-size array with no vocabulary to ship.
 */
export const FEATURE_HASH_BITS = 15;
const MASK = (1 << FEATURE_HASH_BITS) - 1;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const WORD_SALT = 0x9e3779b9;
const BIGRAM_SALT = 0x85ebca6b;

/** Calls `visit(bucket)` for every feature occurrence; returns how many there were. */
export function forEachFeature(folded: string, visit: (bucket: number) => void): number {
  const n = folded.length;
  let count = 0;
  // Character n-grams over the text padded with one space at each end.
  for (let i = -1; i < n - 1; i++) {
    let h = FNV_OFFSET;
    for (let k = 0; k < 5; k++) {
      const p = i + k;
      const c = p < 0 || p >= n ? 0x20 : folded.charCodeAt(p);
      h = Math.imul(h ^ c, FNV_PRIME);
      if (k >= 2) {
        if (p > n) break;
        visit(((h ^ (k << 24)) >>> 0) & MASK);
        count++;
      }
    }
  }
  // Word unigrams and bigrams.
  let previous = 0;
  let h = FNV_OFFSET;
  let inWord = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? folded.charCodeAt(i) : 0x20;
    const wordChar = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x27 || c >= 0xc0;
    if (wordChar) {
      h = Math.imul(h ^ c, FNV_PRIME);
      inWord = true;
    } else if (inWord) {
      visit(((h ^ WORD_SALT) >>> 0) & MASK);
      count++;
      if (previous !== 0) {
        visit((Math.imul(previous ^ BIGRAM_SALT, FNV_PRIME) ^ h) & MASK);
        count++;
      }
      previous = h;
      h = FNV_OFFSET;
      inWord = false;
    }
  }
  return count;
}

/**
 * Per-bucket counts and the buckets touched, reused across calls (scoring is synchronous).
 * 16-bit counts keep the table small enough to stay in cache; a text of at most MAX_DOT_TEXT
 * units cannot overflow them (callers pass a classifier window of about 4K).
 */
const MAX_DOT_TEXT = 16384;
const counts = new Uint16Array(1 << FEATURE_HASH_BITS);
const touched = new Int32Array(1 << FEATURE_HASH_BITS);

/**
 * w · x / ‖x‖ for the count vector x of forEachFeature's features, without a callback or an
 * allocation, because this runs on every request. L2 normalisation bounds the score of a
 * text that repeats one n-gram ("aaaa…"), which a plain mean over occurrences would not.
 * A unit test keeps this equal to the training features.
 */
export function normalizedDotProduct(text: string, weights: Float32Array | Int8Array, scale = 1): number {
  const folded = text.length > MAX_DOT_TEXT ? text.slice(0, MAX_DOT_TEXT) : text;
  const n = folded.length;
  if (n === 0) return 0;
  let distinct = 0;
  // Char n-grams over " " + text + " ", starting at every position of the padded string. Each
  // unit is read once into a sliding window (c0..c4); the padded string is never built.
  const m = n + 2;
  const at = (p: number): number => (p === 0 || p === m - 1 ? 0x20 : folded.charCodeAt(p - 1));
  let c1 = at(0);
  let c2 = m > 1 ? at(1) : 0;
  let c3 = m > 2 ? at(2) : 0;
  let c4 = m > 3 ? at(3) : 0;
  let b = 0;
  for (let s = 0; s + 3 <= m; s++) {
    const c0 = c1;
    c1 = c2;
    c2 = c3;
    c3 = c4;
    c4 = s + 4 < m ? at(s + 4) : 0;
    let h = Math.imul(FNV_OFFSET ^ c0, FNV_PRIME);
    h = Math.imul(h ^ c1, FNV_PRIME);
    h = Math.imul(h ^ c2, FNV_PRIME);
    b = ((h ^ (2 << 24)) >>> 0) & MASK;
    if (counts[b]++ === 0) touched[distinct++] = b;
    if (s + 4 > m) continue;
    h = Math.imul(h ^ c3, FNV_PRIME);
    b = ((h ^ (3 << 24)) >>> 0) & MASK;
    if (counts[b]++ === 0) touched[distinct++] = b;
    if (s + 5 > m) continue;
    h = Math.imul(h ^ c4, FNV_PRIME);
    b = ((h ^ (4 << 24)) >>> 0) & MASK;
    if (counts[b]++ === 0) touched[distinct++] = b;
  }
  let previous = 0;
  let h = FNV_OFFSET;
  let inWord = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? folded.charCodeAt(i) : 0x20;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x27 || c >= 0xc0) {
      h = Math.imul(h ^ c, FNV_PRIME);
      inWord = true;
    } else if (inWord) {
      b = ((h ^ WORD_SALT) >>> 0) & MASK;
      if (counts[b]++ === 0) touched[distinct++] = b;
      if (previous !== 0) {
        b = (Math.imul(previous ^ BIGRAM_SALT, FNV_PRIME) ^ h) & MASK;
        if (counts[b]++ === 0) touched[distinct++] = b;
      }
      previous = h;
      h = FNV_OFFSET;
      inWord = false;
    }
  }
  let dot = 0;
  let squares = 0;
  for (let k = 0; k < distinct; k++) {
    const bucket = touched[k];
    const c = counts[bucket];
    dot += weights[bucket] * c;
    squares += c * c;
    counts[bucket] = 0;
  }
  return (dot * scale) / Math.sqrt(squares);
}
