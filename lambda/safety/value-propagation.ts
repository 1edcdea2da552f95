import { rated, type RatedFinding } from './types';
import { AhoCorasick } from './aho-corasick';
import { valuesWithPossibleCopies } from './copy-candidates';

/**
 * Once a value is found anywhere in a request, every other copy of it goes too, wherever it
 * sits: a key glued to other characters ("…51AKIAIOSFODNN7EXAMPLE") escapes the recognizer's
 * boundary rules but is the same secret. All copies of all found values are located in one
 * Aho–Corasick pass. Only value checks take part (PII, secrets, custom patterns); phrase and
 * lexicon checks already see every occurrence.
 */
const VALUE_CHECKS = new Set(['pii', 'secrets', 'custom_pattern']);
/** Shorter values (a three-digit custom pattern match) would also match inside ordinary numbers. */
export const MIN_PROPAGATED_VALUE = 4;
/** Up to this many distinct values, one indexOf scan each; beyond, one Aho–Corasick pass for all. */
const FEW_VALUES = 48;

export function otherOccurrences(text: string, found: readonly RatedFinding[]): RatedFinding[] {
  // Each distinct value once, in order of first sight: its first finding and how often it was found.
  const slotOf = new Map<string, number>();
  const values: string[] = [];
  const firsts: RatedFinding[] = [];
  const foundCount: number[] = [];
  const known = new FoundSpans(found.length);
  for (let k = 0; k < found.length; k++) {
    const f = found[k];
    if (f.action !== 'redact' || !VALUE_CHECKS.has(f.check) || f.end - f.start < MIN_PROPAGATED_VALUE) continue;
    const value = text.slice(f.start, f.end);
    const slot = slotOf.get(value);
    if (slot === undefined) {
      slotOf.set(value, values.length);
      values.push(value);
      firsts.push(f);
      foundCount.push(1);
    } else {
      foundCount[slot]++;
    }
    known.add(f.start, f.end);
  }
  if (values.length === 0) return [];
  known.seal();
  // Many values: only those whose first units occur somewhere they were not found (copy-candidates.ts).
  const searched = values.length > FEW_VALUES ? valuesWithPossibleCopies(text, values, foundCount) : values.map((_, k) => k);
  const out: RatedFinding[] = [];
  const visit = (id: number, end: number): void => {
    const slot = searched[id];
    const start = end - values[slot].length;
    if (known.has(start, end) || splitsPair(text, start) || splitsPair(text, end)) return;
    const first = firsts[slot];
    out.push(rated(first, first.action, start, end));
  };
  // Decided on the values left to search: the two paths differ on overlapping copies (below).
  if (searched.length <= FEW_VALUES) {
    // A handful of values: indexOf per value is cheaper than building an automaton.
    for (let id = 0; id < searched.length; id++) {
      const value = values[searched[id]];
      // Copies that overlap one already taken are skipped: redacting the first leaves no whole copy
      // of the value, and a self-overlapping value ("abab…") would otherwise match every few units.
      for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + value.length)) visit(id, at + value.length);
    }
  } else {
    new AhoCorasick(searched.map((slot) => values[slot])).forEachMatch(text, visit);
  }
  return out;
}

/**
 * The spans already found, sorted by start in two typed arrays and looked up by binary search:
 * no object per finding (a Set of start × length keys made a heap number of each key past 2^31,
 * and an array of the findings themselves was one more pointer per finding to grow).
 */
class FoundSpans {
  private starts: Int32Array;
  private ends: Int32Array;
  private count = 0;

  constructor(capacity: number) {
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
  }

  add(start: number, end: number): void {
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }

  /** Sorts by start, unless the spans came in that order (findings usually do). */
  seal(): void {
    const n = this.count;
    let sorted = true;
    for (let k = 1; k < n && sorted; k++) sorted = this.starts[k - 1] <= this.starts[k];
    const starts = this.starts.subarray(0, n);
    const ends = this.ends.subarray(0, n);
    if (sorted) {
      this.starts = starts;
      this.ends = ends;
      return;
    }
    const order = new Int32Array(n);
    for (let k = 0; k < n; k++) order[k] = k;
    order.sort((a, b) => starts[a] - starts[b]);
    // Plain loops: Int32Array.from with a mapping function goes through the iterator protocol.
    this.starts = new Int32Array(n);
    this.ends = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      this.starts[k] = starts[order[k]];
      this.ends[k] = ends[order[k]];
    }
  }

  has(start: number, end: number): boolean {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] < start) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < this.starts.length && this.starts[k] === start; k++) if (this.ends[k] === end) return true;
    return false;
  }
}

/** True when index `i` falls between the two halves of a surrogate pair. */
export function splitsPair(text: string, i: number): boolean {
  if (i <= 0 || i >= text.length) return false;
  const before = text.charCodeAt(i - 1);
  const after = text.charCodeAt(i);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}
