import type { Finding } from './types';
import type { MatchView } from './normalize';
import { originalSpan } from './normalize';
import { type Lexeme, ObfuscatedWordMatcher } from './obfuscated-words';

/**
 * A small, high-precision lexicon for model output: slurs, direct threats and harassment,
 * and strong profanity in English, German, Spanish and French. It is a last line against a
 * model that was talked into abuse, not a harm classifier; terms that are mostly innocent in
 * context ("kill a process", "cock" as a rooster) are deliberately absent.
 */
export const TOXICITY_TYPES = ['SLUR', 'THREAT', 'HARASSMENT', 'PROFANITY'] as const;
export type ToxicityType = (typeof TOXICITY_TYPES)[number];

const lex = (type: ToxicityType, score: number, terms: string[], infix = false): Lexeme[] =>
  terms.map((t) => ({ words: t.split(' '), type, score, infix }));

const LEXICON: readonly Lexeme[] = [
  ...lex('SLUR', 1, ['nigger', 'niggers', 'nigga', 'faggot', 'faggots', 'fag', 'fags', 'kike', 'kikes', 'spic', 'spics', 'chink', 'chinks', 'wetback', 'raghead', 'towelhead', 'gook', 'tranny', 'trannies', 'retard', 'retards', 'sandnigger', 'beaner', 'beaners']),
  ...lex('THREAT', 0.9, ['kill yourself', 'kill urself', 'kys', 'i will kill you', "i'll kill you", 'i am going to kill you', 'go die', 'hope you die', 'i will rape you', 'i will hurt you', 'you deserve to die']),
  ...lex('HARASSMENT', 0.7, ['you are worthless', "you're worthless", 'you are pathetic', 'you piece of shit', 'stupid bitch', 'dumb bitch', 'shut the fuck up', 'stfu', 'go to hell']),
  ...lex('PROFANITY', 0.6, ['fuck', 'motherfucker', 'shit', 'bullshit', 'cunt', 'bitch', 'bastard', 'asshole', 'arsehole', 'dickhead', 'whore', 'slut', 'wanker', 'twat', 'prick', 'pussy', 'douchebag', 'scheisse', 'scheiss', 'arschloch', 'hurensohn', 'fotze', 'wichser', 'mierda', 'puta', 'cabron', 'gilipollas', 'pendejo', 'merde', 'putain', 'connard', 'salope', 'encule']),
  ...lex('PROFANITY', 0.6, ['fuck', 'motherfuck'], true),
];

const matcher = new ObfuscatedWordMatcher(LEXICON);

export function findToxicity(view: MatchView): Finding[] {
  return matcher.find(view).map((m) => ({ check: 'toxicity', type: m.type, ...originalSpan(view, m.from, m.to), score: m.score }));
}
