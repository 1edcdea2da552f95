import fc from 'fast-check';
import { TextBuilder } from '../../lambda/safety/units';

type Piece = { kind: 'range'; text: string; from: number; to: number } | { kind: 'placeholder'; type: string; n: number } | { kind: 'spaces'; count: number };

const piece: fc.Arbitrary<Piece> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }).chain((text) =>
    fc.tuple(fc.nat({ max: text.length }), fc.nat({ max: text.length })).map(([a, b]) => ({ kind: 'range' as const, text, from: Math.min(a, b), to: Math.max(a, b) }))),
  fc.record({ kind: fc.constant('placeholder' as const), type: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,20}$/), n: fc.integer({ min: 1, max: 9_999_999 }) }),
  fc.record({ kind: fc.constant('spaces' as const), count: fc.nat({ max: 40 }) }),
);

describe('TextBuilder', () => {
  it('builds exactly the concatenation of its pieces: ranges short and long, placeholders, spaces', () => {
    const builder = new TextBuilder();
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        builder.reset();
        let expected = '';
        for (const p of pieces) {
          if (p.kind === 'range') {
            builder.appendRange(p.text, p.from, p.to);
            expected += p.text.slice(p.from, p.to);
          } else if (p.kind === 'placeholder') {
            builder.appendPlaceholder(p.type, p.n);
            expected += `[${p.type}_${p.n}]`;
          } else {
            builder.appendSpaces(p.count);
            expected += ' '.repeat(p.count);
          }
          expect(builder.length).toBe(expected.length);
        }
        expect(builder.build()).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('writes placeholder numbers at every power of ten', () => {
    const builder = new TextBuilder();
    for (const n of [1, 9, 10, 11, 99, 100, 101, 999_999, 1_000_000, 9_999_999]) {
      builder.reset();
      builder.appendPlaceholder('EMAIL_ADDRESS', n);
      expect(builder.build()).toBe(`[EMAIL_ADDRESS_${n}]`);
    }
    builder.reset();
    builder.appendPlaceholder('ÉMAIL_€', 3);
    expect(builder.build()).toBe('[ÉMAIL_€_3]');
  });
});
