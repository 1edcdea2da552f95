import fc from 'fast-check';
import { AhoCorasick } from '../../lambda/safety/aho-corasick';

/** Few distinct units, so patterns share prefixes and suffixes (the failure links get exercised); astral and lone surrogates included. */
const unit = fc.constantFrom('a', 'b', 'A', 'é', '\ud800', '\udc00', '😀', ' ');
const word = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit, maxLength });

/** Every (end, first pattern index with that text) the slow way. */
function naive(patterns: readonly string[], text: string): string[] {
  const out: string[] = [];
  for (let end = 1; end <= text.length; end++) {
    const seen = new Set<string>();
    patterns.forEach((p, id) => {
      if (p.length === 0 || p.length > end || seen.has(p) || !text.startsWith(p, end - p.length)) return;
      seen.add(p);
      out.push(`${end}:${id}`);
    });
  }
  return out.sort();
}

describe('AhoCorasick', () => {
  it('finds exactly the occurrences of every pattern, reporting the first of equal patterns', () => {
    fc.assert(
      fc.property(fc.array(word(6), { maxLength: 40 }), word(120), (patterns, text) => {
        const found: string[] = [];
        new AhoCorasick(patterns).forEachMatch(text, (id, end) => found.push(`${end}:${id}`));
        expect(found.sort()).toEqual(naive(patterns, text));
      }),
      { numRuns: 2000 },
    );
  });

  it('searches only the given range', () => {
    const found: number[] = [];
    new AhoCorasick(['ab']).forEachMatch('ab ab ab', (_id, end) => found.push(end), 1, 7);
    expect(found).toEqual([5]);
  });

  it('handles tens of thousands of distinct values sharing prefixes', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => `u${i}@example.com`);
    const text = values.join(' ');
    let count = 0;
    new AhoCorasick(values).forEachMatch(text, () => count++);
    // Each value once, plus "u1@…" inside no other (the '@' ends every value), so exactly one hit each.
    expect(count).toBe(values.length);
  });
});
