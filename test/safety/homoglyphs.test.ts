import { FOLD_TABLE } from '../../lambda/safety/homoglyphs';

/** The table is built by folding ~2,100 characters in one NFKD call; each must fold as it does alone. */
function foldAlone(cp: number): string | undefined {
  const folded = String.fromCodePoint(cp).normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  return /^[\x20-\x7e]{1,4}$/.test(folded) && folded !== String.fromCodePoint(cp) ? folded : undefined;
}

const RANGES: Array<[number, number]> = [[0x00a0, 0x024f], [0x1e00, 0x1eff], [0x2100, 0x218f], [0x2460, 0x24ff], [0xff01, 0xff5e], [0x1d400, 0x1d7ff]];

test('every character of the decomposed ranges folds as it does on its own', () => {
  const differ: string[] = [];
  for (const [from, to] of RANGES) {
    for (let cp = from; cp <= to; cp++) {
      const alone = cp === 0xa0 ? ' ' : foldAlone(cp);
      // The confusables list overrides a few decompositions (e.g. ß → ss is its own entry).
      if (alone !== undefined && FOLD_TABLE.get(cp) !== alone) differ.push(`U+${cp.toString(16)}: ${FOLD_TABLE.get(cp)} vs ${alone}`);
    }
  }
  expect(differ).toEqual([]);
});

test('look-alikes of every kind fold to ASCII', () => {
  const fold = (s: string) => [...s].map((c) => FOLD_TABLE.get(c.codePointAt(0)!) ?? c).join('');
  expect(fold('ｉｇｎｏｒｅ')).toBe('ignore'); // fullwidth
  expect(fold('𝐢𝐠𝐧𝐨𝐫𝐞')).toBe('ignore'); // mathematical bold
  expect(fold('ⓘⓖⓝⓞⓡⓔ')).toBe('ignore'); // enclosed
  expect(fold('ïgnörê')).toBe('ignore'); // accents
  expect(fold('іgnоrе')).toBe('ignore'); // Cyrillic і, о, е
  expect(fold('🅸🅶🅽🅾🆁🅴')).toBe('ignore'); // negative squared capitals
  expect(fold('ſtraße')).toBe('strasse');
  expect(FOLD_TABLE.size).toBeGreaterThan(1700);
});
