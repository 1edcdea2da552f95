import type { ErrorClass } from './metric-names';

/** The machine-readable codes of the gateway's error answers. */
export type ErrorCode =
  | 'invalid_request'
  | 'payload_too_large'
  | 'blocked_by_policy'
  | 'model_error'
  | 'model_unavailable'
  | 'timeout'
  | 'circuit_open'
  | 'not_found'
  | 'internal_error';

/**
 * Errors a call to the endpoint can end in. `UpstreamRejected` is SageMaker's 400 ValidationError;
 * `ModelRejectedRequest` a ModelError whose container answered 4xx (a prompt longer than the
 * context, a bad parameter): the caller's request, not the model, is at fault.
 */
export type InvokeErrorClass =
  | 'ModelError'
  | 'ModelRejectedRequest'
  | 'ResponseInterrupted'
  | 'Throttled'
  | 'ModelNotReady'
  | 'Timeout'
  | 'Upstream5xx'
  | 'UpstreamRejected'
  | 'ConnectionError'
  | 'MalformedResponse'
  | 'ResponseTooLarge';

const CONNECTION_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Classifies whatever `client.send(InvokeEndpointCommand)` threw. SDK errors carry the modeled
 * name (from `x-amzn-ErrorType`) and `$metadata.httpStatusCode`; transport errors carry a Node
 * `code` (the SDK renames a reset socket to `TimeoutError`, so the code is checked first).
 * Anything else is not an endpoint failure but a fault of ours: undefined, answered as 500.
 */
export function classifyInvokeError(err: unknown): InvokeErrorClass | undefined {
  const e = unwrap((err ?? {}) as SdkErrorLike);
  if (e.code !== undefined && CONNECTION_CODES.has(e.code)) return 'ConnectionError';
  const status = e.$metadata?.httpStatusCode;
  switch (e.name) {
    case 'ResponseInterruptedError':
      return 'ResponseInterrupted';
    case 'ModelError':
      return modelErrorClass(e.OriginalStatusCode);
    case 'ModelNotReadyException':
      return 'ModelNotReady';
    case 'ThrottlingException':
    case 'TooManyRequestsException':
      return 'Throttled';
    case 'AbortError':
    case 'TimeoutError':
      return 'Timeout';
    case 'ValidationError':
      return 'UpstreamRejected';
  }
  if (status === 429) return 'Throttled';
  if (status === 424) return 'ModelError';
  if (status !== undefined && status >= 500) return 'Upstream5xx';
  if (status !== undefined && status >= 400) return 'UpstreamRejected';
  if (e.$fault === 'server') return 'Upstream5xx';
  return undefined;
}

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  /** The raw response of a modeled error (non-enumerable in the SDK). */
  $response?: { headers?: Record<string, string> };
  OriginalStatusCode?: number;
  OriginalMessage?: string;
}

/** 4xx from the container: the request was refused (429 is the container's own throttling). */
function modelErrorClass(originalStatus: number | undefined): InvokeErrorClass {
  if (originalStatus === 429) return 'Throttled';
  if (originalStatus !== undefined && originalStatus >= 400 && originalStatus < 500 && originalStatus !== 408) return 'ModelRejectedRequest';
  return 'ModelError';
}

/** An error answer's `Retry-After` (seconds or an HTTP date), in milliseconds from `nowMs`. */
export function retryAfterMsOf(err: unknown, nowMs: number = Date.now()): number | undefined {
  const headers = (err as SdkErrorLike | undefined)?.$response?.headers;
  if (headers === undefined || headers === null) return undefined;
  const name = Object.keys(headers).find((k) => k.toLowerCase() === 'retry-after');
  if (name === undefined) return undefined;
  const value = String(headers[name]).trim();
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - nowMs;
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/**
 * The container's message for a refused request, e.g. vLLM's `{"object":"error","message":...}`.
 * It goes through the output checks before a caller sees it (gateway.ts).
 */
export function modelMessageOf(err: unknown): string | undefined {
  const m = (err as SdkErrorLike | undefined)?.OriginalMessage;
  if (typeof m !== 'string' || m === '') return undefined;
  try {
    const parsed = JSON.parse(m) as { message?: unknown; error?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // Not JSON: the message itself.
  }
  return m;
}

const SDK_WRAPPER = /^AWS SDK error wrapper for (\w+): (.*)$/;
const RESET_MESSAGES = ['socket hang up', 'ECONNRESET', 'EPIPE', 'ECONNREFUSED'];

/**
 * The SDK's retry middleware turns a thrown value that is not an `instanceof Error` (e.g. from
 * another realm) into a message-only Error, `AWS SDK error wrapper for <name>: <message>`;
 * recover the name, and the reset codes from the message.
 */
function unwrap(e: SdkErrorLike): SdkErrorLike {
  const m = e.name === 'Error' && typeof e.message === 'string' ? SDK_WRAPPER.exec(e.message) : null;
  if (!m) return e;
  const reset = RESET_MESSAGES.some((r) => m[2].includes(r));
  return { ...e, name: m[1], code: reset ? 'ECONNRESET' : undefined };
}

export interface ErrorAnswer {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
  /** Seconds, for 503 answers. */
  readonly retryAfterSeconds?: number;
  /** The metric class; `UpstreamRejected` is counted as `ModelError` to keep the alarm set closed. */
  readonly errorClass: ErrorClass;
}

/**
 * How each failure is answered. 400: the container refused the caller's request. 502: the model
 * answered, but with an error or an answer we cannot pass on. 503 + Retry-After: no answer now,
 * try again later (the endpoint's own Retry-After when it is longer). 504: the budget ran out.
 */
export function answerForInvokeError(cls: InvokeErrorClass, retryAfterMs = 0): ErrorAnswer {
  const later = (seconds: number) => Math.max(seconds, Math.ceil(retryAfterMs / 1000));
  switch (cls) {
    case 'ModelError':
      return { status: 502, code: 'model_error', message: 'the model container returned an error', errorClass: 'ModelError' };
    case 'ModelRejectedRequest':
      return { status: 400, code: 'invalid_request', message: 'the model refused the request', errorClass: 'InvalidRequest' };
    case 'ResponseInterrupted':
      return { status: 502, code: 'model_error', message: "the model's answer was cut off", errorClass: 'ResponseInterrupted' };
    case 'UpstreamRejected':
      return { status: 502, code: 'model_error', message: 'the endpoint rejected the request', errorClass: 'ModelError' };
    case 'MalformedResponse':
      return { status: 502, code: 'model_error', message: 'the model answer is not in the expected format', errorClass: 'MalformedResponse' };
    case 'ResponseTooLarge':
      return { status: 502, code: 'model_error', message: 'the model answer is larger than the gateway can return', errorClass: 'ResponseTooLarge' };
    case 'Throttled':
      return { status: 503, code: 'model_unavailable', message: 'the endpoint is throttling requests', retryAfterSeconds: later(1), errorClass: 'Throttled' };
    case 'ModelNotReady':
      // Serverless provisioning and scale-from-zero take tens of seconds to minutes.
      return { status: 503, code: 'model_unavailable', message: 'the model is not ready yet', retryAfterSeconds: later(30), errorClass: 'ModelNotReady' };
    case 'Upstream5xx':
      return { status: 503, code: 'model_unavailable', message: 'the endpoint is unavailable', retryAfterSeconds: later(2), errorClass: 'Upstream5xx' };
    case 'ConnectionError':
      return { status: 503, code: 'model_unavailable', message: 'the endpoint could not be reached', retryAfterSeconds: later(2), errorClass: 'ConnectionError' };
    case 'Timeout':
      return { status: 504, code: 'timeout', message: 'the model did not answer within its latency budget', errorClass: 'Timeout' };
  }
}

export function circuitOpenAnswer(retryAfterMs: number): ErrorAnswer {
  return {
    status: 503,
    code: 'circuit_open',
    message: 'the endpoint is failing; requests are paused',
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
    errorClass: 'CircuitOpen',
  };
}
