import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ErrorBody } from './responses';
import type { JsonValue } from './strict-json';

/**
 * OpenAI's error shape (`{"error": {"message", "type", "param", "code"}}`), which the official
 * clients turn into typed exceptions; the gateway's code, request id and checks ride along.
 */
export function openAiError(status: number, code: string, message: string, requestId: string, checks?: readonly string[]): string {
  const type = status === 401 || status === 403 ? 'authentication_error' : status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
  const error: Record<string, unknown> = { message, type, param: null, code, request_id: requestId };
  if (checks !== undefined) error.checks = checks;
  return JSON.stringify({ error });
}

/** A buffered gateway answer in OpenAI's shapes: errors re-shaped, the model named as the client named it. */
export function toOpenAi(result: APIGatewayProxyResult, model: string, kind: 'chat' | 'embeddings'): APIGatewayProxyResult {
  if (result.statusCode !== 200) {
    const { error } = JSON.parse(result.body) as ErrorBody;
    return { ...result, body: openAiError(result.statusCode, error.code, error.message, error.requestId, error.checks) };
  }
  const answer = JSON.parse(result.body) as JsonValue;
  return { ...result, body: JSON.stringify(kind === 'chat' ? { ...(answer as object), model } : embeddingsList(answer, model)) };
}

/**
 * Embeddings as OpenAI answers them, from any shape the embeddings format accepts: a vector, a
 * list of vectors (TEI, DJL LMI), `{"embeddings": [...]}`, or OpenAI's own `{"data": [...]}`.
 */
function embeddingsList(answer: JsonValue, model: string): JsonValue {
  if (isObject(answer) && Array.isArray(answer.data)) return { ...answer, object: 'list', model };
  let vectors: JsonValue[];
  if (isObject(answer) && Array.isArray(answer.embeddings)) vectors = answer.embeddings;
  else if (Array.isArray(answer) && answer.every((v) => typeof v === 'number')) vectors = [answer];
  else vectors = answer as JsonValue[];
  const usage = isObject(answer) && isObject(answer.usage) ? answer.usage : undefined;
  const out: Record<string, JsonValue> = { object: 'list', data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })), model };
  if (usage !== undefined) out.usage = usage;
  return out;
}

function isObject(v: unknown): v is Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
