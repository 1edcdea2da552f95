import { checkInput, checkOutput, spotlight, type Action, type Finding, type SafetyPolicy, type SafetyVerdict } from '../safety';
import { DATA_ORIGINS, type TextLeaf, type TextOrigin } from './text-leaves';

/** A finding located in a payload: the text's number (`part`, in document order), field and origin. */
export interface LocatedFinding extends Finding {
  readonly part: number;
  readonly field: string;
  readonly origin: TextOrigin;
}

export interface PayloadVerdict {
  readonly action: Action;
  readonly findings: readonly LocatedFinding[];
  /** Checks with findings in a blocked text (for 422 answers and `Blocked_<check>`). */
  readonly blockedChecks: readonly string[];
  /** Checks with findings in a redacted text (for `Redacted_<check>`). */
  readonly redactedChecks: readonly string[];
  /**
   * A text is longer than the policy's size limit: not a verdict on content but a size, so the
   * gateway answers it like an oversized body (413 for a prompt, 502 for an answer).
   */
  readonly tooLarge: boolean;
  /** Characters of checked text, before redaction: the drift feature `InputLength`/`OutputLength`. */
  readonly length: number;
  /**
   * Data texts were marked for the model (the policy's spotlighting): the caller adds the
   * matching sentence to the system prompt (`PayloadFormat.addSystemNote`).
   */
  readonly spotlit: boolean;
}

export type Stage = 'input' | 'output';

const checkData = (text: string, policy: SafetyPolicy): SafetyVerdict => checkInput(text, policy, { origin: 'data' });

/**
 * The check a text goes through, by stage and origin. Every text of an answer goes through the
 * output checks. Texts of a request that are material rather than instructions (`DATA_ORIGINS`:
 * tool results, documents, tool definitions) go through the input checks with the detector of
 * instructions hidden in data; every other text of a request, the system prompt included (the
 * client writes it), through the input checks as a user's.
 */
export function checkFor(stage: Stage, origin: TextOrigin): (text: string, policy: SafetyPolicy) => SafetyVerdict {
  if (stage === 'output') return checkOutput;
  return DATA_ORIGINS.has(origin) ? checkData : checkInput;
}

/**
 * Runs the policy over every text of a payload and writes redactions back into it, and with a
 * spotlighting policy the marked form of each data text (a tool result, a document). The first
 * blocked text ends the scan: the payload is refused anyway. The safety library reports
 * findings per text, not per action, so a check counted as blocking is one that had findings
 * in a blocked text.
 */
export function checkTexts(texts: readonly TextLeaf[], policy: SafetyPolicy, stage: Stage): PayloadVerdict {
  const marking = stage === 'input' && policy.spotlighting.mode !== 'off';
  let spotlit = false;
  let action: Action = 'allow';
  let tooLarge = false;
  const findings: LocatedFinding[] = [];
  const blocked = new Set<string>();
  const redacted = new Set<string>();
  let length = 0;
  for (const t of texts) length += t.text.length;
  for (let part = 0; part < texts.length; part++) {
    const t = texts[part];
    const v = checkFor(stage, t.origin)(t.text, policy);
    if (v.findings.length > 0) {
      const field = t.field;
      for (const f of v.findings) findings.push({ ...f, part, field, origin: t.origin });
    }
    if (v.action === 'block') {
      for (const f of v.findings) blocked.add(f.check);
      tooLarge = blocked.has('size');
      action = 'block';
      break;
    }
    if (v.action === 'redact') {
      for (const f of v.findings) redacted.add(f.check);
      action = 'redact';
    }
    // Spotlighting marks data only after its checks, so a check never reads the markers.
    if (marking && t.dataContent) {
      t.write(spotlight(v.action === 'redact' ? v.text : t.text, policy));
      spotlit = true;
    } else if (v.action === 'redact') {
      t.write(v.text);
    }
  }
  return { action, findings, blockedChecks: [...blocked].sort(), redactedChecks: action === 'block' ? [] : [...redacted].sort(), tooLarge, length, spotlit: spotlit && action !== 'block' };
}
