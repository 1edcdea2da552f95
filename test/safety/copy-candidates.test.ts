import fc from 'fast-check';
import { checkInput, parsePolicy } from '../../lambda/safety';
import { valuesWithPossibleCopies } from '../../lambda/safety/copy-candidates';
import type { RatedFinding } from '../../lambda/safety/types';
import { otherOccurrences } from '../../lambda/safety/value-propagation';

describe('valuesWithPossibleCopies', () => {
  it('keeps a value that occurs more often than it was found, and only those', () => {
    const text = 'k1=AKIAQWERTYUIOP0001 k2=AKIAQWERTYUIOP0002 glued51AKIAQWERTYUIOP0002 short abc';
    const values = ['AKIAQWERTYUIOP0001', 'AKIAQWERTYUIOP0002', 'abc'];
    // The first two share their first eight units: each is kept while the prefix occurs more often than it was found.
    expect(valuesWithPossibleCopies(text, values, [1, 1, 1])).toEqual([0, 1, 2]);
    expect(valuesWithPossibleCopies('one k=ZXCVBNMASDFG1234 two', ['ZXCVBNMASDFG1234'], [1])).toEqual([]);
    expect(valuesWithPossibleCopies('ZXCVBNMASDFG1234 and ZXCVBNMASDFG1234', ['ZXCVBNMASDFG1234'], [1])).toEqual([0]);
  });

  // Skipping a value is only safe when no copy exists: every value planted twice and found once is kept.
  it('never skips a value with an occurrence it was not found at', () => {
    const unit = fc.constantFrom('a', 'b', '1', '@', '.', ' ', '😀', '\ud800');
    fc.assert(fc.property(fc.array(fc.string({ unit, minLength: 8, maxLength: 20 }), { minLength: 1, maxLength: 12 }), fc.string({ unit, maxLength: 30 }), (values, filler) => {
      const distinct = [...new Set(values)];
      const text = `${distinct.join(filler)}${filler}${distinct.join('')}`;
      expect(valuesWithPossibleCopies(text, distinct, distinct.map(() => 1))).toEqual(distinct.map((_, k) => k));
    }), { numRuns: 3000 });
  });
});

it('a glued copy among more distinct values than the indexOf path takes is still redacted, the others skipped', () => {
  // Distinct first eight units: only the copied key's prefix occurs twice.
  const letters = (k: number) => [0, 1, 2, 3].map((d) => String.fromCharCode(65 + (Math.floor(k / 26 ** d) % 26))).join('');
  const keys = Array.from({ length: 80 }, (_, k) => `AKIA${letters(k * 7919)}QWERTYUIOPAS`);
  expect(valuesWithPossibleCopies(`${keys.join(' ')} 51${keys[40]}`, keys, keys.map(() => 1))).toEqual([40]);
  const text = `${keys.join(' ')} and glued 51${keys[40]} end`;
  const v = checkInput(text, parsePolicy({ preset: 'standard', injection: { enabled: false } }));
  expect(v.text).not.toContain(keys[40]);
  expect(v.text).toMatch(/glued 51\[AWS_ACCESS_KEY_\d+\] end$/);
});

// The indexOf path skips a copy overlapping one it took; which path runs is decided on the values
// left after the filter above, so more found values than FEW_VALUES do not change that.
it('a self-overlapping value among many found values is propagated once per copy, as among few', () => {
  const others = Array.from({ length: 60 }, (_, k) => `${String(k).padStart(4, '0')}uniqzzzz`);
  let text = '';
  const found: RatedFinding[] = [];
  for (const value of [...others, 'abababab']) {
    text += 'k=';
    found.push({ check: 'secrets', type: 'GENERIC_SECRET', start: text.length, end: text.length + value.length, action: 'redact' });
    text += `${value} `;
  }
  const copyAt = text.length + 'copy: '.length;
  text += 'copy: ababababab end';
  const copies = (f: readonly RatedFinding[]) => otherOccurrences(text, f).map((c) => [c.start, c.end]);
  expect(copies(found)).toEqual([[copyAt, copyAt + 8]]);
  // The same with only the self-overlapping value found: the same single copy.
  expect(copies(found.slice(-1))).toEqual([[copyAt, copyAt + 8]]);
});
