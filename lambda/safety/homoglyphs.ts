/**
 * Folding table for matching: non-ASCII code point → lowercase ASCII look-alike.
 * Built once at load from Unicode's own decompositions (NFKD strips accents, NFKC folds
 * fullwidth, mathematical and enclosed letters) plus the Cyrillic and Greek confusables from
 * Unicode's confusables.txt that attackers use to dodge keyword filters.
 */
const CONFUSABLES: Record<string, string> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'i', ї: 'i', ј: 'j', ѕ: 's', ԁ: 'd', һ: 'h', ԛ: 'q', ԝ: 'w', ӏ: 'l', ɡ: 'g',
  А: 'a', В: 'b', Е: 'e', К: 'k', М: 'm', Н: 'h', О: 'o', Р: 'p', С: 'c', Т: 't', Х: 'x', У: 'y',
  І: 'i', Ј: 'j', Ѕ: 's', Ԁ: 'd', Һ: 'h', Ԛ: 'q', Ԝ: 'w', Ӏ: 'l',
  // Greek
  α: 'a', β: 'b', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ϲ: 'c',
  Α: 'a', Β: 'b', Ε: 'e', Ζ: 'z', Η: 'h', Ι: 'i', Κ: 'k', Μ: 'm', Ν: 'n', Ο: 'o', Ρ: 'p', Τ: 't', Υ: 'y', Χ: 'x',
  // Latin letters that NFKD leaves alone
  ß: 'ss', ẞ: 'ss', æ: 'ae', Æ: 'ae', œ: 'oe', Œ: 'oe', ø: 'o', Ø: 'o', ł: 'l', Ł: 'l', đ: 'd', Đ: 'd',
  ı: 'i', ħ: 'h', ŧ: 't', ƀ: 'b', ɨ: 'i', ℓ: 'l',
  // Small capitals
  ᴀ: 'a', ʙ: 'b', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e', ꜰ: 'f', ɢ: 'g', ʜ: 'h', ɪ: 'i', ᴊ: 'j', ᴋ: 'k', ʟ: 'l', ᴍ: 'm',
  ɴ: 'n', ᴏ: 'o', ᴘ: 'p', ʀ: 'r', ꜱ: 's', ᴛ: 't', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ʏ: 'y', ᴢ: 'z',
  // Typographic punctuation that changes how phrases tokenize
  '\u2018': "'", '\u2019': "'", '\u201c': '"', '\u201d': '"', '\u2013': '-', '\u2014': '-', '\u2026': '...',
};

/** What a folded character must come out as: one to four printable ASCII characters. */
const FOLDS_TO_ASCII = /^[\x20-\x7e]{1,4}$/;

function buildTable(): Map<number, string> {
  const table = new Map<number, string>();
  const ranges: Array<[number, number]> = [
    [0x00a0, 0x024f], // Latin-1 supplement, Latin extended A and B
    [0x1e00, 0x1eff], // Latin extended additional (Vietnamese and others)
    [0x2100, 0x218f], // letterlike symbols and Roman numerals
    [0x2460, 0x24ff], // enclosed alphanumerics
    [0xff01, 0xff5e], // fullwidth ASCII
    [0x1d400, 0x1d7ff], // mathematical alphanumeric symbols
  ];
  const codePoints: number[] = [];
  for (const [from, to] of ranges) for (let cp = from; cp <= to; cp++) codePoints.push(cp);
  // All ~2,100 characters through NFKD, mark removal and lowercasing at once, NUL-separated (NUL
  // folds to itself): one call each instead of one per character, which was most of this
  // module's share of a Lambda's cold start.
  const folded = codePoints.map((cp) => String.fromCodePoint(cp)).join('\0').normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().split('\0');
  codePoints.forEach((cp, k) => {
    if (FOLDS_TO_ASCII.test(folded[k]) && folded[k] !== String.fromCodePoint(cp)) table.set(cp, folded[k]);
  });
  // Squared and negative circled/squared Latin capitals have no compatibility decomposition.
  for (const base of [0x1f130, 0x1f150, 0x1f170]) {
    for (let k = 0; k < 26; k++) table.set(base + k, String.fromCharCode(0x61 + k));
  }
  for (const [ch, ascii] of Object.entries(CONFUSABLES)) {
    if ([...ch].length === 1) table.set(ch.codePointAt(0)!, ascii);
  }
  table.set(0x00a0, ' ');
  return table;
}

export const FOLD_TABLE: ReadonlyMap<number, string> = buildTable();
