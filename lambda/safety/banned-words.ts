import type { Finding } from './types';
import type { MatchView } from './normalize';
import { buildMatchView, originalSpan } from './normalize';
import { ObfuscatedWordMatcher } from './obfuscated-words';

/**
 * A team's own banned words or phrases (competitor names, internal code names), matched with
 * the same obfuscation handling as the toxicity lexicon. Words are folded like the text, so
 * "Café" in the policy matches "cafe", "CAFÉ" and "c a f e".
 */
const matchers = new WeakMap<readonly string[], ObfuscatedWordMatcher>();

function matcherFor(words: readonly string[]): ObfuscatedWordMatcher {
  let matcher = matchers.get(words);
  if (matcher === undefined) {
    const lexemes = words
      .map((w) => buildMatchView(w).text.split(' ').filter((t) => t.length > 0))
      .filter((parts) => parts.length > 0)
      .map((parts) => ({ words: parts, type: 'BANNED_WORD', score: 1 }));
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
