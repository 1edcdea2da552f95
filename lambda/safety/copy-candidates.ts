/**
 * Which found values may occur somewhere they were not found. A copy of a value starts with the
 * value's first PREFIX units, so a value whose prefix occurs in the text exactly as often as the
 * value was found (every occurrence of the prefix is one of its own findings) has no other copy.
 * One pass of a rolling hash over the text counts the occurrences of every value's prefix in a
 * table sized by the values, not the text. Hash collisions only add to a count, so a value is
 * never wrongly skipped; values shorter than PREFIX are always kept.
 *
 * Why: a megabyte of distinct e-mail addresses made an automaton of all 65,000 of them (26 MB,
 * past the caches), though none occurs twice; the automaton now holds the values that may.
 */
const PREFIX = 8;
const BASE = 0x01000193;

/** BASE^(PREFIX-1) mod 2^32, to take the oldest unit out of the rolling hash. */
const TOP = (() => {
  let p = 1;
  for (let k = 1; k < PREFIX; k++) p = Math.imul(p, BASE);
  return p;
})();

function prefixHash(s: string, from: number): number {
  let h = 0;
  for (let k = 0; k < PREFIX; k++) h = (Math.imul(h, BASE) + s.charCodeAt(from + k)) | 0;
  return h;
}

/**
 * `values`: distinct values; `foundCount[k]`: how many findings values[k] has. Returns the indices
 * of the values that may have a copy elsewhere in `text`.
 */
export function valuesWithPossibleCopies(text: string, values: readonly string[], foundCount: ArrayLike<number>): number[] {
  const keep: number[] = [];
  const hashes = new Int32Array(values.length);
  let size = 16;
  while (size < values.length * 2) size *= 2;
  const mask = size - 1;
  // Open addressing; slot s is table[2s] (the prefix hash) and table[2s + 1] (its count, -1 while
  // the slot is free), side by side so a probe reads one cache line: at 65,000 values the table
  // outgrows the L2 cache, and three separate arrays made three misses per text position.
  const table = new Int32Array(2 * size);
  for (let s = 1; s < table.length; s += 2) table[s] = -1;
  const slotOf = (h: number): number => {
    let slot = Math.imul(h, 0x9e3779b1) >>> 0 & mask;
    while (table[2 * slot + 1] !== -1 && table[2 * slot] !== h) slot = (slot + 1) & mask;
    return slot;
  };
  values.forEach((v, k) => {
    if (v.length < PREFIX) return;
    const h = prefixHash(v, 0);
    hashes[k] = h;
    const slot = slotOf(h);
    table[2 * slot] = h;
    table[2 * slot + 1] = 0;
  });
  if (text.length >= PREFIX) {
    let h = prefixHash(text, 0);
    for (let i = 0; ; i++) {
      const slot = slotOf(h);
      if (table[2 * slot + 1] !== -1) table[2 * slot + 1]++;
      if (i + PREFIX >= text.length) break;
      h = (Math.imul(h - Math.imul(text.charCodeAt(i), TOP), BASE) + text.charCodeAt(i + PREFIX)) | 0;
    }
  }
  values.forEach((v, k) => {
    if (v.length < PREFIX || table[2 * slotOf(hashes[k]) + 1] > foundCount[k]) keep.push(k);
  });
  return keep;
}
