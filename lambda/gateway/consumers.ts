import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * Who sent a request, for per-team metrics: the consumer whose API key API Gateway validated
 * (`requestContext.identity.apiKeyId`), by the name the platform config gives it. The SafetyGateway
 * construct writes `CONSUMER_API_KEYS`, a JSON object of consumer name → API key id.
 */
export const CONSUMER_KEYS_ENV = 'CONSUMER_API_KEYS';
/** A request without an API key (a gateway that allows IAM-only calls). */
export const NO_CONSUMER = 'none';
/** A key that is not one of the config's consumers' (added outside the platform). */
export const UNKNOWN_CONSUMER = 'unknown';

/** API key id → consumer name, from the environment; an empty map when the variable is absent. */
export function parseConsumerKeys(env: NodeJS.ProcessEnv): ReadonlyMap<string, string> {
  const text = env[CONSUMER_KEYS_ENV];
  if (text === undefined || text === '') return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${CONSUMER_KEYS_ENV} is not JSON: it must be an object of consumer name → API key id`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${CONSUMER_KEYS_ENV} must be an object of consumer name → API key id`);
  const byKey = new Map<string, string>();
  for (const [name, keyId] of Object.entries(parsed)) {
    if (typeof keyId !== 'string' || keyId === '') throw new Error(`${CONSUMER_KEYS_ENV}.${name}: must be an API key id (a non-empty string)`);
    byKey.set(keyId, name);
  }
  return byKey;
}

/** The consumer of a request: its key's consumer name, `none` without a key, `unknown` for another key. */
export function consumerOf(event: Pick<APIGatewayProxyEvent, 'requestContext'> | undefined, byKey: ReadonlyMap<string, string>): string {
  const keyId = event?.requestContext?.identity?.apiKeyId;
  if (typeof keyId !== 'string' || keyId === '') return NO_CONSUMER;
  return byKey.get(keyId) ?? UNKNOWN_CONSUMER;
}
