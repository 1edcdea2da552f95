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

/** Errors a call to the endpoint can end in; `UpstreamRejected` is SageMaker's 400 ValidationError. */
export type InvokeErrorClass =
  | 'ModelError'
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
    case 'ModelError':
      return 'ModelError';
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
 * How each failure is answered. 502: the model answered, but with an error or an answer we
 * cannot pass on. 503 + Retry-After: no answer now, try again later. 504: the budget ran out.
 */
export function answerForInvokeError(cls: InvokeErrorClass): ErrorAnswer {
  switch (cls) {
    case 'ModelError':
      return { status: 502, code: 'model_error', message: 'the model container returned an error', errorClass: 'ModelError' };
    case 'UpstreamRejected':
      return { status: 502, code: 'model_error', message: 'the endpoint rejected the request', errorClass: 'ModelError' };
    case 'MalformedResponse':
      return { status: 502, code: 'model_error', message: 'the model answer is not in the expected format', errorClass: 'MalformedResponse' };
    case 'ResponseTooLarge':
      return { status: 502, code: 'model_error', message: 'the model answer is larger than the gateway can return', errorClass: 'ResponseTooLarge' };
    case 'Throttled':
      return { status: 503, code: 'model_unavailable', message: 'the endpoint is throttling requests', retryAfterSeconds: 1, errorClass: 'Throttled' };
    case 'ModelNotReady':
      // Serverless provisioning and scale-from-zero take tens of seconds to minutes.
      return { status: 503, code: 'model_unavailable', message: 'the model is not ready yet', retryAfterSeconds: 30, errorClass: 'ModelNotReady' };
    case 'Upstream5xx':
      return { status: 503, code: 'model_unavailable', message: 'the endpoint is unavailable', retryAfterSeconds: 2, errorClass: 'Upstream5xx' };
    case 'ConnectionError':
      return { status: 503, code: 'model_unavailable', message: 'the endpoint could not be reached', retryAfterSeconds: 2, errorClass: 'ConnectionError' };
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
