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
  const firstByValue = new Map<string, RatedFinding>();
  const foundCount = new Map<string, number>();
  const taken: RatedFinding[] = [];
  for (let k = 0; k < found.length; k++) {
    const f = found[k];
    if (f.action !== 'redact' || !VALUE_CHECKS.has(f.check) || f.end - f.start < MIN_PROPAGATED_VALUE) continue;
    const value = text.slice(f.start, f.end);
    if (!firstByValue.has(value)) firstByValue.set(value, f);
    foundCount.set(value, (foundCount.get(value) ?? 0) + 1);
    taken.push(f);
  }
  if (firstByValue.size === 0) return [];
  const known = new FoundSpans(taken);
  let values = [...firstByValue.keys()];
  if (values.length > FEW_VALUES) {
    // Many values: only those whose first units occur somewhere they were not found (copy-candidates.ts).
    const counts = values.map((v) => foundCount.get(v)!);
    values = valuesWithPossibleCopies(text, values, counts).map((k) => values[k]);
  }
  const out: RatedFinding[] = [];
  const visit = (id: number, end: number): void => {
    const value = values[id];
    const start = end - value.length;
    if (known.has(start, end) || splitsPair(text, start) || splitsPair(text, end)) return;
    const first = firstByValue.get(value)!;
    out.push(rated(first, first.action, start, end));
  };
  if (values.length <= FEW_VALUES) {
    // A handful of values: indexOf per value is cheaper than building an automaton.
    values.forEach((value, id) => {
      // Copies that overlap one already taken are skipped: redacting the first leaves no whole copy
      // of the value, and a self-overlapping value ("abab…") would otherwise match every few units.
      for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + value.length)) visit(id, at + value.length);
    });
  } else {
    new AhoCorasick(values).forEachMatch(text, visit);
  }
  return out;
}

/**
 * The spans already found, sorted by start in two typed arrays and looked up by binary search:
 * no object per finding (a Set of start × length keys made a heap number of each key past 2^31).
 */
class FoundSpans {
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;

  constructor(spans: readonly RatedFinding[]) {
    const order = spans.map((_, k) => k).sort((a, b) => spans[a].start - spans[b].start);
    this.starts = Int32Array.from(order, (k) => spans[k].start);
    this.ends = Int32Array.from(order, (k) => spans[k].end);
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
