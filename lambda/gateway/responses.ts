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

export function successResponse(body: string, requestId: string, safetyAction: 'allow' | 'redact', variant: string | undefined, contentType: string | undefined): APIGatewayProxyResult {
  const headers: Record<string, string> = {
    'content-type': contentType ?? 'application/json',
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
