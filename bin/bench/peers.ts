import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import { LLMGuard } from 'llm-guard';
import type { PiiRow } from '../safety/datasets';

/** The npm packages the issue names, each configured for the one job it is compared on. */
export const obscenity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });

/** @redactpii/node is ESM-only; this CommonJS build loads it with a dynamic import. */
export interface PiiRedactor {
  redact(text: string): string;
}

export async function loadRedactPii(): Promise<PiiRedactor> {
  const { Redactor } = await import('@redactpii/node');
  return new Redactor();
}

export const llmGuard = new LLMGuard({ promptInjection: true, jailbreak: true, pii: false, profanity: false, toxicity: false, relevance: false });

export async function llmGuardFlags(text: string): Promise<boolean> {
  return !(await llmGuard.validate(text)).isValid;
}

/** @redactpii/node's labels for the entity types both libraries cover. */
const REDACTPII_LABELS: Record<string, string> = {
  EMAIL_ADDRESS: 'EMAIL_ADDRESS',
  PHONE_NUMBER: 'PHONE_NUMBER',
  CREDIT_CARD: 'CREDIT_CARD_NUMBER',
  US_SSN: 'US_SOCIAL_SECURITY_NUMBER',
};

export interface PeerEntityScore {
  readonly gold: number;
  readonly predicted: number;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
}

/**
 * @redactpii/node returns only the redacted string, so spans are inferred: a gold value
 * counts as found when it is gone from the output and the type's label appears; every label
 * in the output is a prediction. Close to span overlap, not identical.
 */
export function redactPiiScores(redactPii: PiiRedactor, rows: readonly PiiRow[]): Record<string, PeerEntityScore> {
  const out: Record<string, PeerEntityScore> = {};
  for (const [type, label] of Object.entries(REDACTPII_LABELS)) {
    let gold = 0;
    let predicted = 0;
    let found = 0;
    for (const row of rows) {
      const redacted = redactPii.redact(row.text);
      const labels = redacted.split(label).length - 1;
      predicted += labels;
      for (const s of row.spans.filter((x) => x.entity_type === type)) {
        gold++;
        if (labels > 0 && !redacted.includes(row.text.slice(s.start_position, s.end_position))) found++;
      }
    }
    const precision = predicted > 0 ? Math.min(found, predicted) / predicted : null;
    const recall = gold > 0 ? found / gold : null;
    const f1 = precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : null;
    out[type] = { gold, predicted, precision, recall, f1 };
  }
  return out;
}
