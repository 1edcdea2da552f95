import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ErrorCode } from './error-mapping';

/** The error body every non-2xx answer carries; `checks` only on 422. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly requestId: string;
    readonly checks?: readonly string[];
  };
}

/**
 * Lambda's limit on a synchronous function's result, measured on the result as serialised, in
 * which the body is an escaped JSON string (Lambda Invoke API: "For synchronous invocations, the
 * maximum payload size is 6 MB"). The body of a JSON answer grows there by a backslash per quote.
 */
export const LAMBDA_MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

/** Whether a result fits Lambda's limit; exact for large bodies, free for small ones. */
export function fitsLambdaResponse(result: APIGatewayProxyResult): boolean {
  // A UTF-16 unit serialises to at most 6 bytes (\uXXXX); headers are small.
  if (result.body.length * 6 + 16_384 <= LAMBDA_MAX_RESPONSE_BYTES) return true;
  return Buffer.byteLength(JSON.stringify(result), 'utf8') <= LAMBDA_MAX_RESPONSE_BYTES;
}

/** A checked answer, re-serialised by the gateway, so always JSON. */
export function successResponse(body: string, requestId: string, safetyAction: 'allow' | 'redact', variant: string | undefined): APIGatewayProxyResult {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-request-id': requestId,
    'x-safety-action': safetyAction,
  };
  if (variant !== undefined) headers['x-invoked-variant'] = variant;
  return { statusCode: 200, headers, body };
}

export function errorResponse(
  status: number,
  code: ErrorCode,
  message: string,
  requestId: string,
  extra: { readonly retryAfterSeconds?: number; readonly checks?: readonly string[] } = {},
): APIGatewayProxyResult {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': requestId };
  if (extra.retryAfterSeconds !== undefined) headers['retry-after'] = String(extra.retryAfterSeconds);
  const error: ErrorBody['error'] = extra.checks === undefined ? { code, message, requestId } : { code, message, requestId, checks: extra.checks };
  return { statusCode: status, headers, body: JSON.stringify({ error }) };
}
