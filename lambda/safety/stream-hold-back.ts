import type { PiiEntity, SafetyPolicy } from './policy';

/**
 * How many characters of a streamed answer must be seen after a span starts before the output
 * checks can recognise it: the longest bounded pattern, or the recognisable prefix of an open-ended
 * one (a URL, a JWT, a private key block), whose span then grows to the end of the text seen so far
 * and is held back from its start until it ends (output-stream-check.ts).
 */
const PII_RECOGNITION: Readonly<Record<PiiEntity, number>> = {
  // RFC 5321 §4.5.3.1.1: local part at most 64 octets; a domain is recognised once one label (≤ 63) and a TLD are seen.
  EMAIL_ADDRESS: 160,
  // E.164: at most 15 digits, with separators, parentheses and an extension; the check reads 12 characters after it.
  PHONE_NUMBER: 48,
  // 19 digits with separators and the look-ahead that ends a number.
  CREDIT_CARD: 32,
  // ISO 13616: at most 34 characters, printed in groups of four.
  IBAN_CODE: 48,
  US_SSN: 16,
  // An IPv6 address with an embedded IPv4 address is at most 45 characters.
  IP_ADDRESS: 48,
  // Open-ended: "https://" and two more characters are enough.
  URL: 16,
};

/** `github_pat_` and 82 characters is the longest bounded token; JWTs and key blocks are recognised by their first ~70 characters. */
const SECRETS_RECOGNITION = 96;
/** Runs of tag characters or variation selectors long enough to smuggle text. */
const UNICODE_RECOGNITION = 32;
/** The toxicity lexicon's longest phrase, obfuscated ("f u c k", "f.u.c.k"). */
const TOXICITY_RECOGNITION = 64;
/** A custom RE2 pattern has no known maximum: this much is assumed; raise `holdBackChars` for longer ones. */
const CUSTOM_PATTERN_RECOGNITION = 128;
/** Banned words and canary tokens are matched with separators between letters ("c a n a r y"). */
const OBFUSCATION_FACTOR = 4;

/** Hold-back window of the policy's output checks, in UTF-16 units. */
export function holdBackChars(policy: SafetyPolicy): number {
  let w = 1;
  for (const [entity, length] of Object.entries(PII_RECOGNITION) as [PiiEntity, number][]) {
    if (policy.pii[entity].output !== 'allow') w = Math.max(w, length);
  }
  if (policy.secrets.output !== 'allow') w = Math.max(w, SECRETS_RECOGNITION);
  const u = policy.unicode;
  if ([u.invisible, u.bidi, u.tagSmuggling, u.variationSelectorSmuggling].some((a) => a !== 'allow')) w = Math.max(w, UNICODE_RECOGNITION);
  if (policy.toxicity.output !== 'allow') w = Math.max(w, TOXICITY_RECOGNITION);
  if (policy.bannedWords.action.output !== 'allow') {
    for (const word of policy.bannedWords.words) w = Math.max(w, word.length * OBFUSCATION_FACTOR);
  }
  if (policy.canary.action !== 'allow') for (const token of policy.canary.tokens) w = Math.max(w, token.length * OBFUSCATION_FACTOR);
  if (policy.customPatterns.some((p) => p.stage !== 'input' && p.action !== 'allow')) w = Math.max(w, CUSTOM_PATTERN_RECOGNITION);
  return w;
}
