import { checkInput, checkOutput, type Action, type Finding, type SafetyPolicy } from '../safety';
import type { TextSlot } from './payload-formats';

/** A finding located in a payload: `part` is the index of the text slot it was found in. */
export interface LocatedFinding extends Finding {
  readonly part: number;
}

export interface PayloadVerdict {
  readonly action: Action;
  readonly findings: readonly LocatedFinding[];
  /** Checks with findings in a blocked text (for 422 answers and `Blocked_<check>`). */
  readonly blockedChecks: readonly string[];
  /** Checks with findings in a redacted text (for `Redacted_<check>`). */
  readonly redactedChecks: readonly string[];
  /** Characters of checked text, before redaction: the drift feature `InputLength`/`OutputLength`. */
  readonly length: number;
}

/**
 * Runs the policy over every text slot of a payload and writes redactions back into it. The
 * first blocked slot ends the scan: the request is refused anyway, so the rest is not worth
 * the time. The safety library reports findings per text, not per action, so a check counted
 * as blocking is one that had findings in a blocked text.
 */
export function checkSlots(slots: readonly TextSlot[], policy: SafetyPolicy, stage: 'input' | 'output'): PayloadVerdict {
  const check = stage === 'input' ? checkInput : checkOutput;
  let action: Action = 'allow';
  const findings: LocatedFinding[] = [];
  const blocked = new Set<string>();
  const redacted = new Set<string>();
  let length = 0;
  for (const s of slots) length += s.text.length;
  for (let part = 0; part < slots.length; part++) {
    const s = slots[part];
    const v = check(s.text, policy);
    for (const f of v.findings) findings.push({ ...f, part });
    if (v.action === 'block') {
      for (const f of v.findings) blocked.add(f.check);
      action = 'block';
      break;
    }
    if (v.action === 'redact') {
      for (const f of v.findings) redacted.add(f.check);
      s.write(v.text);
      action = 'redact';
    }
  }
  return { action, findings, blockedChecks: [...blocked].sort(), redactedChecks: action === 'block' ? [] : [...redacted].sort(), length };
}
