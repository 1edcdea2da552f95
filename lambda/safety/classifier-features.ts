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
 * Per-bucket counts, the buckets touched and the padded text's units, reused across calls
 * (scoring is synchronous). Callers pass a classifier window of about 4K; longer texts are
 * cut at MAX_DOT_TEXT.
 */
const MAX_DOT_TEXT = 8192;
/**
 * 16-bit counts and bucket numbers: half the cache lines of 32-bit ones for the random
 * read-modify-write per feature, which is most of the scoring time. A unit starts at most five
 * features (three character n-grams, a word and a bigram), so no count of a text cut at
 * MAX_DOT_TEXT reaches 2^16.
 */
const counts = new Uint16Array(1 << FEATURE_HASH_BITS);
/** Every feature occurrence's bucket, in order, for the reset (five per unit at most, see above). */
const touched = new Uint16Array((MAX_DOT_TEXT + 2) * 5);
const units = new Uint16Array(MAX_DOT_TEXT + 2);

/**
 * w · x / ‖x‖ for the count vector x of forEachFeature's features, without a callback or an
 * allocation, because this runs on every request. L2 normalisation bounds the score of a
 * text that repeats one n-gram ("aaaa…"), which a plain mean over occurrences would not.
 * A unit test keeps this equal to the training features.
 *
 * Branch-free accumulation: w · x is summed per occurrence and ‖x‖² grows by 2c + 1 when a
 * bucket's count goes from c to c + 1, so no pass over the buckets is needed. Every occurrence's
 * bucket is recorded for the reset at a position that does not depend on any count: recording
 * only new buckets made each feature's store wait for the previous feature's count to load, a
 * chain of cache misses that was most of the time. Weights are int8, so both sums are exact
 * integers and the result equals the straightforward per-bucket formula.
 */
export function normalizedDotProduct(text: string, weights: Float32Array | Int8Array, scale = 1): number {
  return normalizedDotProductOfRanges(text, -1, 0, text.length, -1, 0, 0, weights, scale);
}

/**
 * normalizedDotProduct of `lead + text[a0, a1) + gap + text[b0, b1)` (lead and gap: one unit,
 * or -1 for none) without building that string: the classifier window (head, a space, tail)
 * and a data segment behind its start marker are scored straight from the view's text.
 */
export function normalizedDotProductOfRanges(
  text: string, lead: number, a0: number, a1: number, gap: number, b0: number, b1: number, weights: Float32Array | Int8Array, scale = 1,
): number {
  // The padded text: units[0] and units[m - 1] are the spaces around it, cut at MAX_DOT_TEXT units.
  let p = 1;
  const limit = MAX_DOT_TEXT + 1;
  if (lead >= 0) units[p++] = lead;
  for (let i = a0; i < a1 && p < limit; i++) units[p++] = text.charCodeAt(i);
  if (gap >= 0 && p < limit) units[p++] = gap;
  for (let i = b0; i < b1 && p < limit; i++) units[p++] = text.charCodeAt(i);
  const n = p - 1;
  if (n === 0) return 0;
  const m = n + 2;
  units[0] = 0x20;
  units[m - 1] = 0x20;
  let t = 0;
  let dot = 0;
  let squares = 0;
  let b = 0;
  let c = 0;
  for (let s = 0; s + 3 <= m; s++) {
    let h = Math.imul(FNV_OFFSET ^ units[s], FNV_PRIME);
    h = Math.imul(h ^ units[s + 1], FNV_PRIME);
    h = Math.imul(h ^ units[s + 2], FNV_PRIME);
    b = ((h ^ (2 << 24)) >>> 0) & MASK;
    c = counts[b];
    counts[b] = c + 1;
    squares += 2 * c + 1;
    dot += weights[b];
    touched[t++] = b;
    if (s + 4 > m) continue;
    h = Math.imul(h ^ units[s + 3], FNV_PRIME);
    b = ((h ^ (3 << 24)) >>> 0) & MASK;
    c = counts[b];
    counts[b] = c + 1;
    squares += 2 * c + 1;
    dot += weights[b];
    touched[t++] = b;
    if (s + 5 > m) continue;
    h = Math.imul(h ^ units[s + 4], FNV_PRIME);
    b = ((h ^ (4 << 24)) >>> 0) & MASK;
    c = counts[b];
    counts[b] = c + 1;
    squares += 2 * c + 1;
    dot += weights[b];
    touched[t++] = b;
  }
  // Word unigrams and bigrams; units[m - 1] is the closing space that ends the last word.
  let previous = 0;
  let h = FNV_OFFSET;
  let inWord = false;
  for (let i = 1; i < m; i++) {
    const u = units[i];
    if ((u >= 0x61 && u <= 0x7a) || (u >= 0x30 && u <= 0x39) || u === 0x27 || u >= 0xc0) {
      h = Math.imul(h ^ u, FNV_PRIME);
      inWord = true;
    } else if (inWord) {
      b = ((h ^ WORD_SALT) >>> 0) & MASK;
      c = counts[b];
      counts[b] = c + 1;
      squares += 2 * c + 1;
      dot += weights[b];
      touched[t++] = b;
      if (previous !== 0) {
        b = (Math.imul(previous ^ BIGRAM_SALT, FNV_PRIME) ^ h) & MASK;
        c = counts[b];
        counts[b] = c + 1;
        squares += 2 * c + 1;
        dot += weights[b];
        touched[t++] = b;
      }
      previous = h;
      h = FNV_OFFSET;
      inWord = false;
    }
  }
  for (let k = 0; k < t; k++) counts[touched[k]] = 0;
  return (dot * scale) / Math.sqrt(squares);
}
