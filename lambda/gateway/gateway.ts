import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { checkOutput, spotlightInstructions } from '../safety';
import { answerForInvokeError, circuitOpenAnswer, type ErrorAnswer } from './error-mapping';
import { SAGEMAKER_MAX_BODY_BYTES, type GatewayConfig, type ModelConfig } from './gateway-config';
import type { ErrorClass } from './metric-names';
import type { ModelInvoker } from './model-invoker';
import type { RecordSink, RequestRecord } from './observability';
import { checkTexts, type PayloadVerdict } from './payload-checks';
import { formatFor, type PayloadFormat } from './payload-formats';
import { parseRequestBody } from './request-parsing';
import { errorResponse, fitsLambdaResponse, successResponse } from './responses';
import { parseStrictJson, type JsonValue } from './strict-json';
import { consumerOf } from './consumers';
import { tokenUsage } from './token-usage';

export interface GatewayDeps {
  readonly config: GatewayConfig;
  readonly invokeModel: ModelInvoker;
  readonly sink: RecordSink;
  readonly now: () => number;
  /**
   * API key id → consumer name, for the per-consumer metrics (consumers.ts).
   * @default - no keys known: requests with a key count as `unknown`, without one as `none`
   */
  readonly consumers?: ReadonlyMap<string, string>;
}

export type GatewayHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * The request path: bound and parse the request into its format's canonical model, check every
 * text, send the checked object, parse the answer, check every text of it, answer; one record
 * per request.
 */
export function createGateway(deps: GatewayDeps): GatewayHandler {
  const formats = new Map<string, PayloadFormat>();
  for (const [name, model] of deps.config.models) formats.set(name, formatFor(model));
  const consumers = deps.consumers ?? new Map<string, string>();

  return async function handle(event) {
    const started = deps.now();
    const requestId = event?.requestContext?.requestId || randomUUID();
    const modelName = event?.pathParameters?.model ?? '';
    const model = deps.config.models.get(modelName);
    const rec = newRecord(requestId, deps.config.stage, model, consumerOf(event, consumers));
    let result: APIGatewayProxyResult;
    try {
      result = model === undefined ? fail(rec, 404, 'not_found', `no model named "${truncate(modelName)}" is served here`, 'NotFound') : await serve(model, formats.get(modelName)!, event, rec);
    } catch (err) {
      rec.internalErrorName = err instanceof Error ? err.name : typeof err;
      result = fail(rec, 500, 'internal_error', 'the gateway failed; the request id identifies the log entry', 'Internal');
    }
    // The circuit's state at the end of every request, also those that never reached the model.
    if (model !== undefined && rec.attempts === 0) rec.circuitOpen = deps.invokeModel.circuitOpen(model);
    rec.latencyMs = deps.now() - started;
    emitRecord(deps.sink, rec);
    return result;
  };

  async function serve(model: ModelConfig, format: PayloadFormat, event: APIGatewayProxyEvent, rec: Mutable<RequestRecord>): Promise<APIGatewayProxyResult> {
    const admitted = admitRequest(model, format, event, rec);
    if (!admitted.ok) return admitted.result;
    if (admitted.stream) {
      return fail(rec, 400, 'invalid_request', model.streaming
        ? '"stream": true is answered on the streaming route of this model; this route answers in one piece'
        : 'this model does not stream: leave "stream" out or set it to false (the platform team can set streaming for it)', 'InvalidRequest');
    }
    const { body, inputVerdict } = admitted;
    const outcome = await deps.invokeModel(model, body, rec.requestId);
    rec.attempts = outcome.report.attempts;
    rec.fallbackUsed = outcome.report.fallbackUsed;
    rec.circuitOpen = outcome.report.primaryCircuitOpen;
    rec.endpoint = outcome.endpoint;
    if (outcome.report.attempts > 0) rec.modelLatencyMs = outcome.report.modelMs;
    if (!outcome.ok) {
      if (outcome.errorClass === 'CircuitOpen') return failWith(rec, circuitOpenAnswer(outcome.retryAfterMs));
      const answer = answerForInvokeError(outcome.errorClass, outcome.retryAfterMs);
      return failWith(rec, outcome.modelMessage === undefined ? answer : withModelMessage(answer, outcome.modelMessage, model));
    }
    rec.variant = outcome.answer.variant;

    const text = Buffer.from(outcome.answer.body.buffer, outcome.answer.body.byteOffset, outcome.answer.body.byteLength).toString('utf8');
    const tree = parseStrictJson(text);
    if (!tree.ok) return failWith(rec, answerForInvokeError('MalformedResponse'));
    const answer = format.answer(tree.value);
    if (!answer.ok) return failWith(rec, answerForInvokeError('MalformedResponse'));
    const outputVerdict = checkTexts(answer.payload.texts, model.policy, 'output');
    // The model spent the tokens whatever the output checks decide: count them for every parsed answer.
    const usage = tokenUsage(model.format, tree.value, inputVerdict.length, outputVerdict.length);
    rec.promptTokens = usage.promptTokens;
    rec.completionTokens = usage.completionTokens;
    rec.tokensEstimated = usage.estimated;
    rec.outputLength = answer.payload.texts.length > 0 ? outputVerdict.length : undefined;
    rec.outputAction = outputVerdict.action;
    note(rec, outputVerdict);
    if (outputVerdict.tooLarge) return failWith(rec, answerForInvokeError('ResponseTooLarge'));
    if (outputVerdict.action === 'block') return blocked(rec, "the model's answer was blocked by the safety policy", outputVerdict.blockedChecks);

    const action = inputVerdict.action === 'redact' || outputVerdict.action === 'redact' ? 'redact' : 'allow';
    const result = successResponse(JSON.stringify(answer.payload.value), rec.requestId, action, outcome.answer.variant);
    if (!fitsLambdaResponse(result)) return failWith(rec, answerForInvokeError('ResponseTooLarge'));
    rec.status = 200;
    return result;
  }
}

/** A request that passed parsing and the input checks: the body to send, or the answer to give instead. */
export type Admission =
  | { readonly ok: true; readonly body: string; readonly value: JsonValue; readonly stream: boolean; readonly inputVerdict: PayloadVerdict }
  | { readonly ok: false; readonly result: APIGatewayProxyResult };

/**
 * Bounds and parses the request into its format's canonical model, runs the input checks and
 * serialises the checked object (never the client's bytes); shared by the buffered and the
 * streaming gateway. Fills the record's input fields.
 */
export function admitRequest(model: ModelConfig, format: PayloadFormat, event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>, rec: Mutable<RequestRecord>,
  parsedBody?: JsonValue): Admission {
  const refuse = (result: APIGatewayProxyResult): Admission => ({ ok: false, result });
  let payload = parsedBody;
  if (payload === undefined) {
    const parsed = parseRequestBody(event, model.maxRequestBytes);
    if (!parsed.ok) {
      return refuse(parsed.reason === 'too_large' ? fail(rec, 413, 'payload_too_large', parsed.message, 'PayloadTooLarge') : fail(rec, 400, 'invalid_request', parsed.message, 'InvalidRequest'));
    }
    payload = parsed.payload;
  }
  const request = format.request(payload, model.unknownFields);
  if (!request.ok) return refuse(fail(rec, 400, 'invalid_request', request.problem, 'InvalidRequest'));
  const inputVerdict = checkTexts(request.payload.texts, model.policy, 'input');
  rec.inputLength = inputVerdict.length;
  rec.inputAction = inputVerdict.action;
  note(rec, inputVerdict);
  if (inputVerdict.tooLarge) {
    const { maxChars, maxBytes } = model.policy.size.input;
    return refuse(fail(rec, 413, 'payload_too_large', `a text in the request is longer than the safety policy allows (${maxChars} characters, ${maxBytes} bytes)`, 'PayloadTooLarge'));
  }
  if (inputVerdict.action === 'block') return refuse(blocked(rec, 'the prompt was blocked by the safety policy', inputVerdict.blockedChecks));

  const value = request.payload.value;
  if (inputVerdict.spotlit) format.addSystemNote?.(value, spotlightInstructions(model.policy));
  const stream = typeof value === 'object' && value !== null && !Array.isArray(value) && value.stream === true;
  const body = JSON.stringify(value);
  if (body.length > SAGEMAKER_MAX_BODY_BYTES || Buffer.byteLength(body, 'utf8') > SAGEMAKER_MAX_BODY_BYTES) {
    return refuse(fail(rec, 413, 'payload_too_large', `after redaction the request is larger than SageMaker's limit of ${SAGEMAKER_MAX_BODY_BYTES} bytes`, 'PayloadTooLarge'));
  }
  return { ok: true, body, value, stream, inputVerdict };
}

/**
 * The container's own words on why it refused a request (a prompt longer than the context, a
 * bad parameter), passed on once the output checks allow them; left out otherwise.
 */
export function withModelMessage(answer: ErrorAnswer, message: string, model: ModelConfig): ErrorAnswer {
  const v = checkOutput(message.slice(0, MAX_MODEL_MESSAGE_CHARS), model.policy);
  return v.action === 'block' ? answer : { ...answer, message: `${answer.message}: ${v.text}` };
}

const MAX_MODEL_MESSAGE_CHARS = 1000;

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A request's record before anything has happened to it. `model` is undefined for a name the
 * config does not serve: the record says `unknown`, so a client cannot mint metric dimensions.
 */
export function newRecord(requestId: string, stage: string, model: ModelConfig | undefined, consumer: string): Mutable<RequestRecord> {
  return {
    requestId, stage, model: model?.name ?? 'unknown', consumer, status: 0, latencyMs: 0, blockedChecks: [], redactedChecks: [], findingCount: 0,
    attempts: 0, fallbackUsed: false, circuitOpen: false, policyVersion: model?.policy.version,
  };
}

/** Hands the record to the sink; observability must never turn an answer into a failure. */
export function emitRecord(sink: RecordSink, rec: RequestRecord): void {
  try {
    sink(rec);
  } catch {
    // Nothing to do: the answer stands, and the sink's own failure is not the client's.
  }
}

export function note(rec: Mutable<RequestRecord>, v: PayloadVerdict): void {
  rec.findingCount += v.findings.length;
  if (v.blockedChecks.length > 0) rec.blockedChecks = [...new Set([...rec.blockedChecks, ...v.blockedChecks])];
  if (v.redactedChecks.length > 0) rec.redactedChecks = [...new Set([...rec.redactedChecks, ...v.redactedChecks])];
}

export function blocked(rec: Mutable<RequestRecord>, message: string, checks: readonly string[]): APIGatewayProxyResult {
  rec.status = 422;
  return errorResponse(422, 'blocked_by_policy', message, rec.requestId, { checks });
}

export function fail(rec: Mutable<RequestRecord>, status: number, code: Parameters<typeof errorResponse>[1], message: string, errorClass: ErrorClass): APIGatewayProxyResult {
  rec.status = status;
  rec.errorClass = errorClass;
  return errorResponse(status, code, message, rec.requestId);
}

export function failWith(rec: Mutable<RequestRecord>, a: ErrorAnswer): APIGatewayProxyResult {
  rec.status = a.status;
  rec.errorClass = a.errorClass;
  return errorResponse(a.status, a.code, a.message, rec.requestId, { retryAfterSeconds: a.retryAfterSeconds });
}

function truncate(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}
