import { type Action, type Finding, rated, type RatedFinding, type Stage } from './types';
import { type PiiEntity, PII_ENTITIES, type SafetyPolicy } from './policy';
import type { MatchView } from './normalize';
import { findPii } from './pii';
import { findSecrets, SECRET_TYPES } from './secrets';
import { findToxicity, TOXICITY_TYPES } from './toxicity';
import { BANNED_WORD_TYPE, findBannedWords } from './banned-words';
import { findCustomPatterns } from './custom-patterns';
import { otherOccurrences } from './value-propagation';

/** Appends without an argument spread, which overflows the stack past ~125,000 items. */
export function append<T>(out: T[], items: readonly T[]): T[] {
  for (let i = 0; i < items.length; i++) out.push(items[i]);
  return out;
}

export const rate = (findings: readonly Finding[], action: Action): RatedFinding[] => findings.map((f) => rated(f, action));

/** The placeholder types a policy can produce; only these are masked when text comes back. */
const typesByPolicy = new WeakMap<SafetyPolicy, ReadonlySet<string>>();

export function placeholderTypes(policy: SafetyPolicy): ReadonlySet<string> {
  let types = typesByPolicy.get(policy);
  if (types === undefined) {
    types = new Set<string>([...PII_ENTITIES, ...SECRET_TYPES, ...TOXICITY_TYPES, BANNED_WORD_TYPE, ...policy.customPatterns.map((p) => p.name)]);
    typesByPolicy.set(policy, types);
  }
  return types;
}

/**
 * Value recognizers (PII, secrets, custom patterns) see `patternText`: the text without the
 * invisible characters the unicode check flagged, so "bob\u200b@example.com" cannot hide, and
 * with placeholders masked. Offsets are in `patternText`; the caller maps them back. `lowered`
 * (the folded view's text) serves keyword prefilters.
 */
const piiActionsByPolicy = new WeakMap<SafetyPolicy, Record<Stage, { actions: Map<PiiEntity, Action>; enabled: Set<PiiEntity> }>>();

function piiActions(policy: SafetyPolicy, stage: Stage): { actions: Map<PiiEntity, Action>; enabled: Set<PiiEntity> } {
  let byStage = piiActionsByPolicy.get(policy);
  if (byStage === undefined) {
    const of = (s: Stage): { actions: Map<PiiEntity, Action>; enabled: Set<PiiEntity> } => {
      const actions = new Map<PiiEntity, Action>();
      for (const entity of PII_ENTITIES) if (policy.pii[entity][s] !== 'allow') actions.set(entity, policy.pii[entity][s]);
      return { actions, enabled: new Set(actions.keys()) };
    };
    byStage = { input: of('input'), output: of('output') };
    piiActionsByPolicy.set(policy, byStage);
  }
  return byStage[stage];
}

export function contentFindings(patternText: string, policy: SafetyPolicy, stage: Stage, lowered?: string): RatedFinding[] {
  const values: RatedFinding[] = [];
  const pii = piiActions(policy, stage);
  if (pii.actions.size > 0) {
    const found = findPii(patternText, pii.enabled);
    for (let k = 0; k < found.length; k++) values.push(rated(found[k], pii.actions.get(found[k].type)!));
  }
  if (policy.secrets[stage] !== 'allow') append(values, rate(findSecrets(patternText, lowered), policy.secrets[stage]));
  if (policy.customPatterns.length > 0) append(values, findCustomPatterns(patternText, policy.customPatterns, stage));
  append(values, otherOccurrences(patternText, values));
  return values;
}

/** Lexicon checks on the folded view; their offsets are already in the original text. */
export function lexiconFindings(view: MatchView, policy: SafetyPolicy, stage: Stage): RatedFinding[] {
  const out: RatedFinding[] = [];
  if (policy.toxicity[stage] !== 'allow') append(out, rate(findToxicity(view), policy.toxicity[stage]));
  if (policy.bannedWords.words.length > 0) append(out, rate(findBannedWords(view, policy.bannedWords.words), policy.bannedWords.action[stage]));
  return out;
}
