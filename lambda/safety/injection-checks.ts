import type { Finding, RatedFinding } from './types';
import type { SafetyPolicy } from './policy';
import { buildMatchView, type MatchView, originalSpan } from './normalize';
import type { HiddenText } from './unicode';
import { matchPhrases, matchPhrasesInView, phraseFindings, phraseScore } from './injection-phrases';
import { findEncodedPayloads, findRot13Payload, hasRot13Marker } from './encoded-payloads';
import { injectionClassifier } from './classifier';
import { rate } from './content-checks';

/** Classifier scores below this are noise and not reported as findings. */
const CLASSIFIER_REPORT_FLOOR = 0.5;

/**
 * A short prompt gives the hashed n-gram classifier only a handful of features, so a few
 * n-grams that happened to co-occur with attacks in training ("write a poem about", a short
 * German question) decide its score on their own, and ordinary requests scored 0.75–0.9.
 * When a prompt of at most this many words has no other injection evidence (no phrase rule,
 * hidden or encoded text), the classifier alone blocks it only at a very high score. Short
 * attacks almost always carry phrase evidence ("ignore the above …"), which is unaffected.
 */
const SHORT_PROMPT_WORDS = 8;
const SHORT_PROMPT_CLASSIFIER_MIN = 0.9;

export function wordCountAtMost(text: string, limit: number): boolean {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = text.charCodeAt(i) <= 0x20;
    if (!space && !inWord && ++words > limit) return false;
    inWord = !space;
  }
  return true;
}

/** Evidence for an injection: findings and the probability that none of them means anything. */
export interface Evidence {
  readonly findings: Finding[];
  miss: number;
}

/** Phrase rules on the view, on hidden (tag/variation-selector) text and on encoded payloads. */
export function phraseEvidence(text: string, view: MatchView, hidden: readonly HiddenText[], policy: SafetyPolicy): Evidence {
  const matches = matchPhrasesInView(view);
  const evidence: Evidence = { findings: phraseFindings(view, matches), miss: 1 - phraseScore(matches) };
  for (const h of hidden) {
    const hiddenMatches = matchPhrases(buildMatchView(h.text).text);
    if (hiddenMatches.length === 0) continue;
    evidence.miss *= 1 - phraseScore(hiddenMatches);
    for (const m of hiddenMatches) evidence.findings.push({ check: 'injection', type: m.family, start: h.start, end: h.end, score: m.weight });
  }
  if (policy.injection.decodePayloads) {
    for (const f of findEncodedPayloads(text, view.encodedRuns)) {
      evidence.findings.push(f);
      evidence.miss *= 1 - f.score;
    }
    const rot = findRot13Payload(view.text, hasRot13Marker(view));
    if (rot !== undefined) {
      evidence.findings.push({ check: 'encoded_payload', type: 'ROT13', ...originalSpan(view, rot.from, rot.to), score: rot.score });
      evidence.miss *= 1 - rot.score;
    }
  }
  return evidence;
}

/**
 * Direct injection in a prompt: phrase rules, hidden and encoded text, and the classifier each
 * give evidence; their noisy-OR is compared with the policy threshold, and every injection
 * finding takes the resulting action together.
 */
export function injectionFindings(text: string, view: MatchView, hidden: readonly HiddenText[], policy: SafetyPolicy): RatedFinding[] {
  const evidence = phraseEvidence(text, view, hidden, policy);
  let threshold = policy.injection.threshold;
  if (policy.injection.classifier) {
    const p = injectionClassifier.score(view.text);
    if (p >= CLASSIFIER_REPORT_FLOOR) evidence.findings.push({ check: 'classifier', type: 'PROMPT_INJECTION', start: 0, end: text.length, score: round(p) });
    if (evidence.miss === 1 && wordCountAtMost(view.text, SHORT_PROMPT_WORDS)) threshold = Math.max(threshold, SHORT_PROMPT_CLASSIFIER_MIN);
    // Below the report floor a score is noise, not evidence: it must not tip a weak phrase hit over.
    if (p >= CLASSIFIER_REPORT_FLOOR) evidence.miss *= 1 - p;
  }
  const action = 1 - evidence.miss >= threshold ? policy.injection.action : 'allow';
  return rate(evidence.findings, action);
}

export function round(p: number): number {
  return Math.round(p * 1000) / 1000;
}
