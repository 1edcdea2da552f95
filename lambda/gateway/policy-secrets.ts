import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseGatewayConfig, readGatewayConfigJson, type GatewayConfig, type ParseOptions } from './gateway-config';

/**
 * The sensitive parts of a safety policy — canary tokens, and banned words a team does not want in
 * a template — live in AWS Secrets Manager, not in the Lambda environment or the template. The
 * construct names each model's secret in `POLICY_SECRETS` (`{"chat": "arn:aws:secretsmanager:..."}`);
 * a container reads each secret once, when it starts, and adds its values to the model's policy
 * before the policy is parsed.
 *
 * A secret's value is a JSON object with only these keys (anything else is refused, so a typo
 * cannot silently switch a check off):
 * - `canaryToken`: one token (what the construct's generated secret holds);
 * - `canaryTokens`: more tokens;
 * - `bannedWords`: words the policy's banned-words check blocks, in addition to the policy's own.
 */
export interface PolicySecretValue {
  readonly canaryTokens: readonly string[];
  readonly bannedWords: readonly string[];
}

/** Reads a secret's string value by ARN. */
export type SecretFetcher = (secretArn: string) => Promise<string>;

/** A secret could not be read or is malformed: the container retries on its next request. */
export class PolicySecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicySecretError';
  }
}

const SECRET_KEYS = ['canaryToken', 'canaryTokens', 'bannedWords'];
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;
/** Bounds on what a secret may add, so a mistaken value cannot make the checks slow. */
const MAX_ENTRIES = 10_000;
const MAX_ENTRY_CHARS = 256;

/** Parses a secret's value strictly; `source` names the secret in messages (never its content). */
export function parsePolicySecret(text: string, source: string): PolicySecretValue {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new PolicySecretError(`${source}: the secret's value is not JSON; write {"canaryToken": "...", "bannedWords": [...]}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PolicySecretError(`${source}: the secret's value must be a JSON object with canaryToken, canaryTokens or bannedWords`);
  }
  const value = raw as Record<string, unknown>;
  const unknown = Object.keys(value).filter((k) => !SECRET_KEYS.includes(k));
  if (unknown.length > 0) throw new PolicySecretError(`${source}: unknown keys ${unknown.map((k) => JSON.stringify(k)).join(', ')} (allowed: ${SECRET_KEYS.join(', ')})`);
  const strings = (key: string, v: unknown): string[] => {
    const list = v === undefined ? [] : typeof v === 'string' && key === 'canaryToken' ? [v] : v;
    if (!Array.isArray(list) || list.length > MAX_ENTRIES || !list.every((s) => typeof s === 'string' && s.length > 0 && s.length <= MAX_ENTRY_CHARS)) {
      throw new PolicySecretError(`${source}: ${key} must be ${key === 'canaryToken' ? 'a string' : 'an array of strings'} of 1–${MAX_ENTRY_CHARS} characters (at most ${MAX_ENTRIES})`);
    }
    return list as string[];
  };
  return {
    canaryTokens: [...strings('canaryToken', value.canaryToken), ...strings('canaryTokens', value.canaryTokens)],
    bannedWords: strings('bannedWords', value.bannedWords),
  };
}

/** The model → secret ARN map of `POLICY_SECRETS`, checked against the configured models. */
export function parsePolicySecretArns(text: string | undefined, models: readonly string[]): ReadonlyMap<string, string> {
  if (text === undefined || text === '') return new Map();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new PolicySecretError('POLICY_SECRETS is not valid JSON: it must map model names to Secrets Manager secret ARNs');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new PolicySecretError('POLICY_SECRETS must be a JSON object of model name → secret ARN');
  const arns = new Map<string, string>();
  for (const [model, arn] of Object.entries(raw)) {
    if (!models.includes(model)) throw new PolicySecretError(`POLICY_SECRETS.${model}: no model of that name is configured (models: ${models.join(', ')})`);
    if (typeof arn !== 'string' || !SECRET_ARN.test(arn)) throw new PolicySecretError(`POLICY_SECRETS.${model}: ${JSON.stringify(arn)} is not a Secrets Manager secret ARN`);
    arns.set(model, arn);
  }
  return arns;
}

/**
 * The configuration with each model's secret values added to its policy (`canary.tokens`,
 * `bannedWords.words`). Each distinct secret is read once, all in parallel. Only the models that
 * name a secret are touched; the configuration is otherwise returned as it was.
 */
export async function withPolicySecrets(config: unknown, arnsJson: string | undefined, fetch: SecretFetcher): Promise<unknown> {
  const models = isObject(config) && isObject(config.models) ? config.models : undefined;
  const arns = parsePolicySecretArns(arnsJson, models ? Object.keys(models) : []);
  if (arns.size === 0 || !models) return config;
  const distinct = [...new Set(arns.values())];
  const values = new Map(await Promise.all(distinct.map(async (arn) => {
    let text: string;
    try {
      text = await fetch(arn);
    } catch (err) {
      throw new PolicySecretError(`${arn}: the secret could not be read (${(err as Error).name}: ${(err as Error).message})`);
    }
    return [arn, parsePolicySecret(text, arn)] as const;
  })));
  const merged: Record<string, unknown> = { ...models };
  for (const [model, arn] of arns) {
    const entry = models[model];
    if (!isObject(entry)) continue;
    const secret = values.get(arn)!;
    const policy = isObject(entry.policy) ? entry.policy : {};
    merged[model] = { ...entry, policy: { ...policy, canary: extend(policy.canary, 'tokens', secret.canaryTokens), bannedWords: extend(policy.bannedWords, 'words', secret.bannedWords) } };
  }
  return { ...(config as Record<string, unknown>), models: merged };
}

/** A policy section with `values` appended to its list `key` (the section as it was when there is nothing to add). */
function extend(section: unknown, key: string, values: readonly string[]): unknown {
  if (values.length === 0) return section;
  const base = isObject(section) ? section : {};
  const existing = Array.isArray(base[key]) ? (base[key] as unknown[]) : [];
  return { ...base, [key]: [...existing, ...values] };
}

/** The gateway configuration with its policy secrets added, validated. */
export async function loadConfigWithSecrets(env: NodeJS.ProcessEnv, baseDir: string, options: ParseOptions, fetch: SecretFetcher): Promise<GatewayConfig> {
  const raw = readGatewayConfigJson(env, baseDir);
  return parseGatewayConfig(await withPolicySecrets(raw, env.POLICY_SECRETS, fetch), options);
}

/**
 * `load` once per container: its result is kept, except a PolicySecretError, which the next call
 * retries (a throttled or briefly denied read must not disable a container for its lifetime).
 */
export function loadOnce<T>(load: () => Promise<T | Error>): () => Promise<T | Error> {
  let pending: Promise<T | Error> | undefined;
  return () => {
    pending ??= load().then((result) => {
      if (result instanceof PolicySecretError) pending = undefined;
      return result;
    });
    return pending;
  };
}

/** One ERROR log line naming what failed to load (secret ARNs, never secret values). */
export function logLoadFailure(err: Error): void {
  const message = err instanceof PolicySecretError ? 'policy secret unavailable; retried on the next request' : 'invalid gateway configuration';
  process.stdout.write(`${JSON.stringify({ level: 'ERROR', message, service: 'safety-gateway', problem: err.message })}\n`);
}

let client: SecretsManagerClient | undefined;

/** Reads secrets with the SDK's Secrets Manager client, created once per container. */
export const secretsManagerFetcher: SecretFetcher = async (secretArn) => {
  client ??= new SecretsManagerClient({});
  const answer = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (answer.SecretString === undefined) throw new PolicySecretError(`${secretArn}: the secret has no string value (binary secrets are not supported)`);
  return answer.SecretString;
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
