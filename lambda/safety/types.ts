/** What the pipeline does with a request or response once every check has run. */
export type Action = 'allow' | 'redact' | 'block';

export type Stage = 'input' | 'output';

/** One thing a check found. Offsets are UTF-16 indices into the original text, end exclusive. */
export interface Finding {
  readonly check: CheckName;
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly score?: number;
}

export type CheckName =
  | 'size'
  | 'unicode'
  | 'injection'
  | 'encoded_payload'
  | 'classifier'
  | 'pii'
  | 'secrets'
  | 'banned_words'
  | 'toxicity'
  | 'canary'
  | 'custom_pattern'
  | 'internal';

export interface SafetyVerdict {
  readonly action: Action;
  /** The text to forward: redacted when action is 'redact', empty when 'block'. */
  readonly text: string;
  readonly findings: readonly Finding[];
}

/** A finding plus the action the policy attaches to it; internal to the pipeline. */
export interface RatedFinding extends Finding {
  readonly action: Action;
  /** A unicode finding that groups several flagged spans: those, as [start, end) pairs (unicode.ts). */
  readonly pieces?: Int32Array;
}

/**
 * `f` with an action, and optionally moved to another span, written as a literal of fixed
 * shape: an object spread (`{ ...f, action }`) built a bigger, slower object per finding,
 * which on a text with tens of thousands of findings was most of its garbage.
 */
export function rated(f: Finding, action: Action, start = f.start, end = f.end): RatedFinding {
  return f.score === undefined
    ? { check: f.check, type: f.type, start, end, action }
    : { check: f.check, type: f.type, start, end, score: f.score, action };
}

const SEVERITY: Record<Action, number> = { allow: 0, redact: 1, block: 2 };

export function strictest(a: Action, b: Action): Action {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}
