import type { Finding } from './types';
import type { MatchView } from './normalize';
import { buildMatchView, originalSpan } from './normalize';
import { ObfuscatedWordMatcher } from './obfuscated-words';

/**
 * A team's own banned words or phrases (competitor names, internal code names), matched with
 * the same obfuscation handling as the toxicity lexicon. Words are folded like the text, so
 * "Café" in the policy matches "cafe", "CAFÉ" and "c a f e". Punctuation inside a word is a word
 * boundary, in the list as in the text: "project-nightingale" is the two-word phrase
 * "project nightingale" and matches "Project Nightingale", "project_nightingale" and
 * "project-nightingale".
 */
export const BANNED_WORD_TYPE = 'BANNED_WORD';

const matchers = new WeakMap<readonly string[], ObfuscatedWordMatcher>();

/** The words of a banned entry as the matcher sees them: folded, split at anything but letters and digits. */
export function bannedWordTokens(word: string): string[] {
  return buildMatchView(word).text.split(/[^a-z0-9]+/).filter((t) => t.length > 0);
}

function matcherFor(words: readonly string[]): ObfuscatedWordMatcher {
  let matcher = matchers.get(words);
  if (matcher === undefined) {
    const lexemes = words
      .map(bannedWordTokens)
      .filter((parts) => parts.length > 0)
      .map((parts) => ({ words: parts, type: BANNED_WORD_TYPE, score: 1 }));
    matcher = new ObfuscatedWordMatcher(lexemes);
    matchers.set(words, matcher);
  }
  return matcher;
}

export function findBannedWords(view: MatchView, words: readonly string[]): Finding[] {
  if (words.length === 0) return [];
  return matcherFor(words)
    .find(view)
    .map((m) => ({ check: 'banned_words', type: m.type, ...originalSpan(view, m.from, m.to) }));
}

/**
 * Problems with a banned-word list that the config loader reports as warnings: an entry that
 * can never match (nothing left after folding, e.g. only punctuation or a script the folding
 * drops) or that matches far more than it says (a single letter or digit, which also matches
 * every spaced-out word). Pure, so the loader can call it without running a check.
 */
export function bannedWordProblems(words: readonly string[]): string[] {
  const problems: string[] = [];
  words.forEach((word, i) => {
    const tokens = bannedWordTokens(word);
    const at = `bannedWords.words[${i}] ${JSON.stringify(word)}`;
    if (tokens.length === 0) {
      problems.push(`${at} can never match: after folding (lowercase, accents and look-alikes to ASCII) it has no letters or digits; use a word with letters or digits`);
    } else if (tokens.some((t) => t.length === 1) && tokens.join('').length <= 2) {
      problems.push(`${at} is too short to ban on its own (it matches inside spaced-out text); use a longer word or phrase`);
    }
  });
  return problems;
}
