import { randomUUID } from 'node:crypto';
import { spotlightInstructions, type Action } from '../safety';
import type { GatewayConfig } from './gateway-config';
import { checkTexts, type LocatedFinding } from './payload-checks';
import { formatFor, type PayloadFormat } from './payload-formats';
import { depthExceeds, MAX_JSON_DEPTH, parseStrictJson, type JsonValue } from './strict-json';
import type { TextLeaf } from './text-leaves';

/**
 * Input of the standalone pre- and post-processing handlers, for teams that call the endpoint
 * themselves (e.g. from Step Functions). Exactly one of `payload` (the model's own JSON, as an
 * object or a JSON string) or `text` (one plain string).
 */
export interface ProcessingEvent {
  readonly model: string;
  readonly payload?: unknown;
  readonly text?: string;
  /** Propagated to the verdict; generated when absent. */
  readonly requestId?: string;
}

/**
 * The verdict. `payload` (or `text`) is what to forward: the payload's canonical model, redacted
 * when `action` is `redact`, `null` (or `""`) when `block`. A payload given as a JSON string
 * comes back as a JSON string (re-serialised, never the input). Finding offsets are UTF-16
 * indices into the text; `part` numbers the texts of a payload in document order, `field` says
 * where each is and `origin` who wrote it.
 */
export interface ProcessingVerdict {
  readonly action: Action;
  readonly text?: string;
  readonly payload?: unknown;
  readonly findings: readonly LocatedFinding[];
  /** Checks that blocked or redacted. */
  readonly checks: readonly string[];
  readonly policyVersion: string;
  readonly model: string;
  readonly requestId: string;
}

export interface ProcessingError {
  readonly error: { readonly code: 'invalid_request' | 'not_found' | 'internal_error'; readonly message: string };
  readonly requestId: string;
}

export type ProcessingResult = ProcessingVerdict | ProcessingError;

type Stage = 'input' | 'output';

/** Pure: the same checks and policy as the gateway, event in, verdict out; never throws. */
export function processEvent(config: GatewayConfig, stage: Stage, event: ProcessingEvent, fallbackRequestId?: string): ProcessingResult {
  const requestId = typeof event?.requestId === 'string' && event.requestId !== '' ? event.requestId : (fallbackRequestId ?? randomUUID());
  const error = (code: ProcessingError['error']['code'], message: string): ProcessingError => ({ error: { code, message }, requestId });
  if (typeof event !== 'object' || event === null) return error('invalid_request', 'the event must be an object {"model", "payload"} or {"model", "text"}');
  if (typeof event.model !== 'string') return error('invalid_request', 'the event needs "model", the name of a configured model');
  const model = config.models.get(event.model);
  if (model === undefined) return error('not_found', `no model named "${event.model.slice(0, 64)}" is configured`);
  const hasText = event.text !== undefined;
  const hasPayload = event.payload !== undefined;
  if (hasText === hasPayload) return error('invalid_request', 'the event needs exactly one of "payload" (the model JSON) or "text" (a string)');

  let texts: TextLeaf[];
  let payload: unknown;
  let format: PayloadFormat | undefined;
  let box: { text: string } | undefined;
  if (hasText) {
    if (typeof event.text !== 'string') return error('invalid_request', '"text" must be a string');
    const b = { text: event.text };
    box = b;
    texts = [{ text: b.text, origin: stage === 'input' ? 'user' : 'assistant', dataContent: false, field: 'text', write: (t) => void (b.text = t) }];
  } else {
    let value: JsonValue;
    if (typeof event.payload === 'string') {
      const parsed = parseStrictJson(event.payload);
      if (!parsed.ok) return error('invalid_request', `"payload" is a string but not valid JSON: ${parsed.message}`);
      value = parsed.value;
    } else {
      // Already parsed by the Lambda runtime (duplicate keys are gone by then): bound it before anything walks it.
      if (depthExceeds(event.payload)) return error('invalid_request', `"payload" is nested deeper than ${MAX_JSON_DEPTH} levels`);
      value = event.payload as JsonValue;
    }
    format = formatFor(model);
    const found = stage === 'input' ? format.request(value, model.unknownFields) : format.answer(value);
    if (!found.ok) return error('invalid_request', found.problem);
    payload = found.payload.value;
    texts = found.payload.texts;
  }
  const v = checkTexts(texts, model.policy, stage);
  if (v.spotlit) format?.addSystemNote?.(payload as JsonValue, spotlightInstructions(model.policy));
  const base = {
    action: v.action,
    findings: v.findings,
    checks: v.action === 'block' ? v.blockedChecks : v.redactedChecks,
    policyVersion: model.policy.version,
    model: model.name,
    requestId,
  };
  if (box !== undefined) return { ...base, text: v.action === 'block' ? '' : box.text };
  const out = v.action === 'block' ? null : typeof event.payload === 'string' ? JSON.stringify(payload) : payload;
  return { ...base, payload: out };
}

/** One log line per verdict: names and counts only. */
export function processingLogLine(stage: Stage, result: ProcessingResult, latencyMs: number): string {
  const common = { level: 'INFO', message: stage === 'input' ? 'pre-processing' : 'post-processing', timestamp: new Date().toISOString(), service: 'safety-gateway', latencyMs: Math.round(latencyMs * 1000) / 1000 };
  if ('error' in result) return JSON.stringify({ ...common, level: 'WARN', requestId: result.requestId, errorCode: result.error.code });
  return JSON.stringify({
    ...common,
    requestId: result.requestId,
    model: result.model,
    action: result.action,
    checks: result.checks,
    findingCount: result.findings.length,
    policyVersion: result.policyVersion,
  });
}
