import { buildMatchView } from '../../lambda/safety/normalize';
import { findToxicity } from '../../lambda/safety/toxicity';
import { bannedWordProblems, findBannedWords } from '../../lambda/safety/banned-words';
import { createCanaryToken, findCanaryLeaks } from '../../lambda/safety/canary';

const toxic = (text: string): string[] => findToxicity(buildMatchView(text)).map((f) => text.slice(f.start, f.end));

describe('toxicity', () => {
  it.each([
    ['fuck', 'fuck'],
    ['FUUUUCK you', 'FUUUUCK'],
    ['f u c k', 'f u c k'],
    ['f.u.c.k.i.n.g', 'f.u.c.k.i.n.g'],
    ['sh1t', 'sh1t'],
    ['sh*t', 'sh*t'],
    ['motherfucker', 'motherfucker'],
    ['ｆｕｃｋ', 'ｆｕｃｋ'],
    ['f\u200buck', 'f\u200buck'],
    ['k i l l yourself now', 'k i l l yourself'],
  ])('finds %s', (text, span) => {
    expect(toxic(text)).toEqual([span]);
  });

  it.each(['assess the class', 'Scunthorpe', 'a cocktail party', 'kill the process', 'as', 'shiitake mushrooms'])('leaves %s alone', (text) => {
    expect(toxic(text)).toEqual([]);
  });
});

describe('banned words', () => {
  it('matches phrases with the same obfuscation handling', () => {
    const text = 'Try Ac-me Corp or A C M E corp or acme corp';
    const f = findBannedWords(buildMatchView(text), ['Acme Corp']);
    expect(f.map((x) => text.slice(x.start, x.end))).toEqual(['A C M E corp', 'acme corp']);
  });

  it('matches words with hyphens and underscores on punctuation boundaries', () => {
    const text = 'Status of project-nightingale, PROJECT_NIGHTINGALE and Project Nightingale; not projectnightingale.';
    const found = findBannedWords(buildMatchView(text), ['project-nightingale']).map((x) => text.slice(x.start, x.end));
    expect(found).toEqual(['project-nightingale', 'PROJECT_NIGHTINGALE', 'Project Nightingale']);
  });

  it('names entries that can never match, for the config loader', () => {
    expect(bannedWordProblems(['project-nightingale', 'Café'])).toEqual([]);
    expect(bannedWordProblems(['---', 'x'])).toEqual([
      'bannedWords.words[0] "---" can never match: after folding (lowercase, accents and look-alikes to ASCII) it has no letters or digits; use a word with letters or digits',
      'bannedWords.words[1] "x" is too short to ban on its own (it matches inside spaced-out text); use a longer word or phrase',
    ]);
  });

  it('folds accents in the list', () => {
    const text = 'Visit the CAFE';
    expect(findBannedWords(buildMatchView(text), ['café'])).toHaveLength(1);
  });
});

describe('canary', () => {
  it('detects the token even when spaced out', () => {
    const token = createCanaryToken();
    expect(token).toMatch(/^canary-[0-9a-f]{16}$/);
    const text = `The secret is ${token.split('').join(' ')}!`;
    const [f] = findCanaryLeaks(buildMatchView(text), [token]);
    expect(text.slice(f.start, f.end)).toBe(token.split('').join(' '));
  });

  it('stays quiet when the token is absent', () => {
    expect(findCanaryLeaks(buildMatchView('nothing here'), ['canary-0123456789abcdef'])).toEqual([]);
  });
});
