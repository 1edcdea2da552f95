import type { APIGatewayProxyEvent } from 'aws-lambda';
import { parseStrictJson, type JsonValue } from './strict-json';

export type ParsedRequest =
  | { readonly ok: true; readonly payload: JsonValue }
  | { readonly ok: false; readonly reason: 'too_large' | 'invalid'; readonly message: string };

/**
 * The body, bounded before anything else touches it: the byte cap is checked on the raw
 * (possibly base64) body first, so an oversized request costs no decode or parse. Then parsed
 * strictly (duplicate keys, nesting depth; strict-json.ts). Messages name what is wrong and
 * where, never echo content.
 */
export function parseRequestBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>, maxBytes: number): ParsedRequest {
  if (event.body === null || event.body === undefined || event.body === '') {
    return { ok: false, reason: 'invalid', message: 'the request has no body; send the model payload as JSON' };
  }
  let raw = event.body;
  // base64 is 4/3 of the bytes; the exact check follows the decode.
  if (event.isBase64Encoded) {
    if (raw.length > Math.ceil(maxBytes / 3) * 4 + 4) return tooLarge(maxBytes);
    raw = Buffer.from(raw, 'base64').toString('utf8');
  }
  // UTF-8 bytes are at least the UTF-16 length, so most oversized bodies fail this cheap check.
  if (raw.length > maxBytes || Buffer.byteLength(raw, 'utf8') > maxBytes) return tooLarge(maxBytes);
  const parsed = parseStrictJson(raw);
  if (!parsed.ok) return { ok: false, reason: 'invalid', message: `the body is not valid JSON: ${parsed.message}` };
  if (typeof parsed.value !== 'object' || parsed.value === null) {
    return { ok: false, reason: 'invalid', message: 'the body must be a JSON object or array' };
  }
  return { ok: true, payload: parsed.value };
}

/** The request body's size in bytes as the client sent it (decoded from base64 when API Gateway encoded it). */
export function requestBodyBytes(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): number {
  const body = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(body, 'base64').length : Buffer.byteLength(body, 'utf8');
}

function tooLarge(maxBytes: number): ParsedRequest {
  return { ok: false, reason: 'too_large', message: `the body is larger than this model's limit of ${maxBytes} bytes` };
}
