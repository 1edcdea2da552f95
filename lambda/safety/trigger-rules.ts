import { isWordUnit, type MatchView, MAX_TRIGGER_LENGTH, registerTriggerWords, wordHash } from './normalize';

/**
 * Phrase rules tried only where one of their trigger words starts: a sticky regex with bounded
 * gaps, so the cost is linear in the text and independent of the number of rules. Shared by the
 * prompt phrase families and the data rules.
 */
export interface TriggeredRule<F extends string> {
  readonly family: F;
  readonly weight: number;
  readonly triggers: readonly string[];
  /** Sticky; tried at the start of a trigger word. */
  readonly regex: RegExp;
}

export interface RuleMatch<F extends string> {
  /** Identifies the rule, so repeats of one rule count once. */
  readonly rule: string;
  readonly family: F;
  readonly weight: number;
  /** Span in the folded text. */
  readonly from: number;
  readonly to: number;
}

export class TriggerRules<F extends string> {
  /** Keyed by word hash; a collision only means one extra sticky regex attempt that fails. */
  private readonly byTrigger = new Map<number, Array<TriggeredRule<F> & { id: string }>>();

  constructor(rules: ReadonlyArray<TriggeredRule<F>>) {
    rules.forEach((r, index) => {
      const rule = { ...r, id: `${r.family}#${index}` };
      for (const t of new Set(rule.triggers)) {
        const key = wordHash(t, 0, t.length);
        const list = this.byTrigger.get(key) ?? [];
        list.push(rule);
        this.byTrigger.set(key, list);
      }
    });
    registerTriggerWords(rules.flatMap((r) => r.triggers));
  }

  /** Hits in a view, at the trigger words its normalisation pass recorded. */
  inView(view: MatchView, out: Array<RuleMatch<F>>): Array<RuleMatch<F>> {
    const words = view.triggerWords;
    for (let k = 0; k < words.length; k += 3) this.tryAt(view.text, words[k], words[k + 2], out);
    return out;
  }

  /** Hits in a folded text that has no view (decoded or hidden text), in order of position. */
  inText(text: string, out: Array<RuleMatch<F>>): Array<RuleMatch<F>> {
    for (let i = 0; i < text.length; ) {
      if (!isWordUnit(text.charCodeAt(i))) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < text.length && isWordUnit(text.charCodeAt(j))) j++;
      if (j - i <= MAX_TRIGGER_LENGTH) this.tryAt(text, i, wordHash(text, i, j), out);
      i = j;
    }
    return out;
  }

  private tryAt(text: string, at: number, hash: number, out: Array<RuleMatch<F>>): void {
    const rules = this.byTrigger.get(hash);
    if (rules === undefined) return;
    // Common words ("the", "to", "you") are triggers of some rule, so this runs hundreds of times
    // per 16 KB: `test` on the sticky regex leaves the match's end in lastIndex without building
    // a match array.
    for (let k = 0; k < rules.length; k++) {
      const rule = rules[k];
      rule.regex.lastIndex = at;
      if (rule.regex.test(text)) out.push({ rule: rule.id, family: rule.family, weight: rule.weight, from: at, to: rule.regex.lastIndex });
    }
  }
}
