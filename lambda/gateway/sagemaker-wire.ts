import type { IncomingHttpHeaders } from 'node:http';

/**
 * SageMaker Runtime's InvokeEndpoint on the wire (restJson1), as the AWS SDK writes and reads it:
 * `POST /endpoints/{EndpointName}/invocations`, the body as is, the options in headers, and an
 * error as a status, `x-amzn-ErrorType` and a JSON body. Pure functions; endpoint-client.ts sends.
 * test/gateway/sagemaker-wire.test.ts holds each function to what the SDK's own client does.
 */

/** The fields a request needs; the same as the SDK command's input. */
export interface InvocationInput {
  readonly endpointName: string;
  readonly inferenceComponentName?: string;
  /** `X-Amzn-SageMaker-Inference-Id`: SageMaker takes at most 64 characters. */
  readonly inferenceId: string;
}

export const MAX_INFERENCE_ID_CHARS = 64;

/** The URI label encoding of the SDK (`extendedEncodeURIComponent`): RFC 3986 unreserved characters stay. */
export function invocationPath(endpointName: string): string {
  const label = encodeURIComponent(endpointName).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `/endpoints/${label}/invocations`;
}

/** Names the gateway in the service's logs; SigV4 never signs a user agent. */
const USER_AGENT = 'cdk-inference-platform-gateway';

/** The request's headers before signing (lower case, as they are signed). */
export function invocationHeaders(input: InvocationInput, host: string, bodyBytes: number): Record<string, string> {
  const headers: Record<string, string> = {
    host,
    'user-agent': USER_AGENT,
    'content-type': 'application/json',
    accept: 'application/json',
    'content-length': String(bodyBytes),
    'x-amzn-sagemaker-inference-id': input.inferenceId.slice(0, MAX_INFERENCE_ID_CHARS),
  };
  if (input.inferenceComponentName !== undefined) headers['x-amzn-sagemaker-inference-component'] = input.inferenceComponentName;
  return headers;
}

/** What came back, before it is read as an answer or an error. */
export interface WireResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
}

/**
 * The modeled errors of SageMaker Runtime and who is at fault (the service model's `error`
 * trait); any other code is the client's below 500 and the server's from 500, as in the SDK.
 */
const MODELED_FAULTS: Readonly<Record<string, 'client' | 'server'>> = {
  InternalDependencyException: 'server',
  InternalFailure: 'server',
  ModelError: 'client',
  ModelNotReadyException: 'client',
  ServiceUnavailable: 'server',
  ValidationError: 'client',
};

/**
 * An error answer of the service, shaped like the SDK's exceptions (`name`, `$fault`,
 * `$metadata`, the raw `$response` not enumerable, ModelError's `Original*` fields), so
 * error-mapping.ts reads both the same way.
 */
export class SageMakerServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string };
  declare readonly $response: { readonly statusCode: number; readonly headers: Record<string, string> };
  readonly OriginalStatusCode?: number;
  readonly OriginalMessage?: string;
  readonly LogStreamArn?: string;

  constructor(name: string, message: string, response: WireResponse, fields: { OriginalStatusCode?: number; OriginalMessage?: string; LogStreamArn?: string }) {
    super(message);
    this.name = name;
    this.$fault = MODELED_FAULTS[name] ?? (response.status >= 500 ? 'server' : 'client');
    const requestId = headerValue(response.headers, 'x-amzn-requestid');
    this.$metadata = { httpStatusCode: response.status, ...(requestId === undefined ? {} : { requestId }) };
    Object.defineProperty(this, '$response', { value: { statusCode: response.status, headers: flatHeaders(response.headers) }, enumerable: false });
    // The SDK copies the body's fields onto any error; these are the ones anything reads.
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) Object.assign(this, { [k]: v });
  }
}

/**
 * A status outside 2xx as the SDK reads it: the code from the header, then the body's `code`,
 * then `__type`. A body that is not JSON is no answer of the service (a proxy's error page):
 * the SDK then ignores the header too, and the status alone says what happened.
 */
export function serviceErrorOf(response: WireResponse): SageMakerServiceError {
  const data = jsonObjectOf(response.body);
  if (data === undefined) return new SageMakerServiceError('Unknown', `an error answer that is not JSON (HTTP ${response.status})`, response, {});
  const raw = headerValue(response.headers, 'x-amzn-errortype') ?? valueOfKey(data, 'code') ?? data.__type;
  const name = typeof raw === 'string' || typeof raw === 'number' ? errorCodeOf(String(raw)) : 'Unknown';
  const message = data.message ?? data.Message;
  return new SageMakerServiceError(name || 'Unknown', typeof message === 'string' ? message : 'UnknownError', response, {
    OriginalStatusCode: integerOf(data.OriginalStatusCode),
    OriginalMessage: typeof data.OriginalMessage === 'string' ? data.OriginalMessage : undefined,
    LogStreamArn: typeof data.LogStreamArn === 'string' ? data.LogStreamArn : undefined,
  });
}

/** A JSON number, or a string of digits as the SDK's deserializer also reads it. */
function integerOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  return typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : undefined;
}

/** SigV4 refuses a request signed more than 5 minutes off the service's clock. */
const CLOCK_SKEW_LIMIT_MS = 300_000;

/**
 * The offset to add to the local clock when signing, from an answer's `Date` header, as the
 * SDK keeps it (`getUpdatedSystemClockOffset`): changed only when the signing clock is 5 minutes
 * or more off the service's, so a host with a wrong clock recovers after one refused call.
 */
export function updatedClockOffsetMs(dateHeader: string | undefined, currentOffsetMs: number, nowMs: number): number {
  const serverMs = dateHeader === undefined ? NaN : Date.parse(dateHeader);
  if (Number.isNaN(serverMs)) return currentOffsetMs;
  return Math.abs(nowMs + currentOffsetMs - serverMs) >= CLOCK_SKEW_LIMIT_MS ? serverMs - nowMs : currentOffsetMs;
}

/** `ThrottlingException:http://internal.amazon.com/...` → `ThrottlingException`; `ns#Code` → `Code`. */
function errorCodeOf(raw: string): string {
  let code = raw.split(',')[0].split(':')[0];
  if (code.includes('#')) code = code.split('#')[1];
  return code;
}

/** The body's JSON object; `{}` for an empty body or other JSON, undefined when it is not JSON. */
function jsonObjectOf(body: Uint8Array): Record<string, unknown> | undefined {
  if (body.byteLength === 0) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return undefined;
  }
}

/** The body's key equal to `key` ignoring case, as the SDK looks up `code`. */
function valueOfKey(data: Record<string, unknown>, key: string): unknown {
  const found = Object.keys(data).find((k) => k.toLowerCase() === key);
  return found === undefined ? undefined : data[found];
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(headers)) {
    const v = headerValue(headers, k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
