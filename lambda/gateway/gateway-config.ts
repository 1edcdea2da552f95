import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parsePolicy, PolicyError, type SafetyPolicy } from '../safety';
import { parseJsonPath, type JsonPath } from './json-path';
import { UNKNOWN_FIELD_POLICIES, type UnknownFieldPolicy } from './payload-formats';

/** SageMaker's InvokeEndpoint body limit, request and response (botocore sagemaker-runtime). */
export const SAGEMAKER_MAX_BODY_BYTES = 6_291_456;

export const PAYLOAD_FORMATS = ['openai-chat', 'hf-text-generation', 'embeddings', 'raw'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

/** The JSON the SafetyGateway construct writes into `GATEWAY_CONFIG` (or a bundled file). */
export interface GatewayConfigJson {
  readonly stage: string;
  readonly models: Readonly<Record<string, ModelConfigJson>>;
}

export interface ModelConfigJson {
  readonly endpointName: string;
  readonly fallbackEndpointName?: string;
  /** Sent as `InferenceComponentName` (endpoints that host inference components). */
  readonly inferenceComponentName?: string;
  readonly format: PayloadFormat;
  /** Only for `raw`: dot paths with `[n]` indices to the text in the request and the response. */
  readonly rawPaths?: { readonly request: readonly string[]; readonly response: readonly string[] };
  /** The latency budget: the total time for every attempt, retries and fallback included. */
  readonly timeoutMs: number;
  /** Body cap checked before parsing; larger bodies get 413. */
  readonly maxRequestBytes: number;
  /** A policy as `parsePolicy` accepts it, e.g. `{ "preset": "standard" }`. */
  readonly policy: object;
  /** A request field the format does not know: `reject` (400, the default) or `drop` it before the model sees the request. */
  readonly unknownRequestFields?: UnknownFieldPolicy;
  /** Optional circuit-breaker tuning; defaults 5 consecutive server faults and 10 s. */
  readonly circuitBreaker?: { readonly failureThreshold?: number; readonly cooldownMs?: number };
  /** Answers `"stream": true` requests with InvokeEndpointWithResponseStream (openai-chat and hf-text-generation). */
  readonly streaming?: boolean;
  /** Streams only: time for the whole streamed answer (at most 15 minutes). Default `timeoutMs`. */
  readonly streamTimeoutMs?: number;
  /** Streams only: time until the stream starts, retries included. Default `timeoutMs`, at most `streamTimeoutMs`. */
  readonly timeToFirstTokenMs?: number;
  /** Streams only: no model output for this long ends the stream with a terminal error event. Default 10 s. */
  readonly stallTimeoutMs?: number;
  /** Streams only: the output checks' hold-back window in characters. Default: sized by the policy (holdBackChars). */
  readonly holdBackChars?: number;
}

/** A validated model entry, with its policy parsed and its paths compiled. */
export interface ModelConfig {
  readonly name: string;
  readonly endpointName: string;
  readonly fallbackEndpointName?: string;
  readonly inferenceComponentName?: string;
  readonly format: PayloadFormat;
  readonly rawPaths?: { readonly request: readonly JsonPath[]; readonly response: readonly JsonPath[] };
  readonly timeoutMs: number;
  readonly maxRequestBytes: number;
  readonly policy: SafetyPolicy;
  readonly unknownFields: UnknownFieldPolicy;
  readonly circuitBreaker: { readonly failureThreshold: number; readonly cooldownMs: number };
  readonly streaming: boolean;
  readonly streamTimeoutMs: number;
  readonly timeToFirstTokenMs: number;
  readonly stallTimeoutMs: number;
  readonly holdBackChars?: number;
}

export interface GatewayConfig {
  readonly stage: string;
  readonly models: ReadonlyMap<string, ModelConfig>;
}

export class GatewayConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid gateway configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'GatewayConfigError';
  }
}

const ENDPOINT_NAME = /^[a-z0-9](?:-?[a-z0-9]){0,62}$/i;
const MODEL_NAME = /^[\w.-]{1,64}$/;
const MAX_TIMEOUT_MS = 15 * 60 * 1000;
const DEFAULT_STALL_MS = 10_000;
const MAX_HOLD_BACK_CHARS = 65_536;

/**
 * Reads the configuration from the environment, once per container: `GATEWAY_CONFIG` holds
 * JSON; otherwise `GATEWAY_CONFIG_FILE` names a JSON file relative to `baseDir` (the bundle's
 * directory), for policies too large for Lambda's 4 KB of environment.
 */
export function loadGatewayConfig(env: NodeJS.ProcessEnv, baseDir: string, options: ParseOptions = {}): GatewayConfig {
  return parseGatewayConfig(readGatewayConfigJson(env, baseDir), options);
}

/** The configuration JSON from `GATEWAY_CONFIG` or `GATEWAY_CONFIG_FILE`, parsed but not yet validated. */
export function readGatewayConfigJson(env: NodeJS.ProcessEnv, baseDir: string): unknown {
  let text: string;
  let source: string;
  if (env.GATEWAY_CONFIG !== undefined && env.GATEWAY_CONFIG !== '') {
    text = env.GATEWAY_CONFIG;
    source = 'GATEWAY_CONFIG';
  } else if (env.GATEWAY_CONFIG_FILE !== undefined && env.GATEWAY_CONFIG_FILE !== '') {
    const file = path.resolve(baseDir, env.GATEWAY_CONFIG_FILE);
    source = `GATEWAY_CONFIG_FILE (${file})`;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new GatewayConfigError([`${source} could not be read: ${(err as Error).message}`]);
    }
  } else {
    throw new GatewayConfigError(['set GATEWAY_CONFIG to the configuration JSON, or GATEWAY_CONFIG_FILE to a bundled JSON file']);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GatewayConfigError([`${source} is not valid JSON: ${(err as Error).message}`]);
  }
}

export interface ParseOptions {
  /**
   * For the standalone pre- and post-processing handlers, which never call an endpoint: the
   * endpoint fields and the latency budget may be absent (the construct leaves them out).
   */
  readonly checksOnly?: boolean;
}

/** Validates the whole configuration and throws one error that lists every problem. */
export function parseGatewayConfig(raw: unknown, options: ParseOptions = {}): GatewayConfig {
  const problems: string[] = [];
  if (!isObject(raw)) throw new GatewayConfigError(['the configuration must be a JSON object with "stage" and "models"']);
  if (typeof raw.stage !== 'string' || raw.stage.length === 0) problems.push(`stage: ${show(raw.stage)} must be a non-empty string`);
  const models = new Map<string, ModelConfig>();
  if (!isObject(raw.models) || Object.keys(raw.models).length === 0) {
    problems.push('models: must be an object with at least one model, e.g. {"chat": {...}}');
  } else {
    for (const [name, entry] of Object.entries(raw.models)) {
      const model = parseModel(name, entry, problems, options.checksOnly === true);
      if (model) models.set(name, model);
    }
  }
  if (problems.length > 0) throw new GatewayConfigError(problems);
  return { stage: raw.stage as string, models };
}

function parseModel(name: string, raw: unknown, problems: string[], checksOnly: boolean): ModelConfig | undefined {
  const at = `models.${name}`;
  const before = problems.length;
  if (!MODEL_NAME.test(name)) problems.push(`${at}: the model name must be 1-64 letters, digits, '_', '.' or '-' (it is a URL path segment)`);
  if (!isObject(raw)) {
    problems.push(`${at}: must be an object`);
    return undefined;
  }
  const endpoint = (key: string, required: boolean): string | undefined => {
    const v = raw[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || !ENDPOINT_NAME.test(v)) {
      problems.push(`${at}.${key}: ${show(v)} must be a SageMaker name (1-63 letters, digits and single hyphens)`);
      return undefined;
    }
    return v;
  };
  const endpointName = endpoint('endpointName', !checksOnly);
  const fallbackEndpointName = endpoint('fallbackEndpointName', false);
  const inferenceComponentName = endpoint('inferenceComponentName', false);
  if (fallbackEndpointName !== undefined && fallbackEndpointName === endpointName) {
    problems.push(`${at}.fallbackEndpointName: must differ from endpointName`);
  }
  const format = raw.format as PayloadFormat;
  if (!PAYLOAD_FORMATS.includes(format)) problems.push(`${at}.format: ${show(raw.format)} must be one of ${PAYLOAD_FORMATS.join(', ')}`);
  const rawPaths = parseRawPaths(at, format, raw.rawPaths, problems);
  const timeoutMs = checksOnly && raw.timeoutMs === undefined ? 0 : int(raw.timeoutMs, `${at}.timeoutMs`, 1, MAX_TIMEOUT_MS, problems);
  const maxRequestBytes = checksOnly && raw.maxRequestBytes === undefined ? SAGEMAKER_MAX_BODY_BYTES : int(raw.maxRequestBytes, `${at}.maxRequestBytes`, 1, SAGEMAKER_MAX_BODY_BYTES, problems);
  const unknownFields = (raw.unknownRequestFields ?? 'reject') as UnknownFieldPolicy;
  if (!UNKNOWN_FIELD_POLICIES.includes(unknownFields)) problems.push(`${at}.unknownRequestFields: ${show(raw.unknownRequestFields)} must be "reject" or "drop"`);
  const cb = isObject(raw.circuitBreaker) ? raw.circuitBreaker : {};
  if (raw.circuitBreaker !== undefined && !isObject(raw.circuitBreaker)) problems.push(`${at}.circuitBreaker: must be an object`);
  const failureThreshold = cb.failureThreshold === undefined ? 5 : int(cb.failureThreshold, `${at}.circuitBreaker.failureThreshold`, 1, 1000, problems);
  const cooldownMs = cb.cooldownMs === undefined ? 10_000 : int(cb.cooldownMs, `${at}.circuitBreaker.cooldownMs`, 1, 3_600_000, problems);
  const streaming = raw.streaming ?? false;
  if (typeof streaming !== 'boolean') problems.push(`${at}.streaming: ${show(raw.streaming)} must be true or false`);
  if (streaming === true && format !== 'openai-chat' && format !== 'hf-text-generation') {
    problems.push(`${at}.streaming: the ${format} format does not stream; only openai-chat and hf-text-generation do`);
  }
  const streamOnly = (key: string) => {
    if (raw[key] !== undefined && streaming !== true) problems.push(`${at}.${key}: applies only to a model with "streaming": true`);
  };
  for (const key of ['streamTimeoutMs', 'timeToFirstTokenMs', 'stallTimeoutMs', 'holdBackChars']) streamOnly(key);
  const budget = timeoutMs ?? MAX_TIMEOUT_MS;
  const streamTimeoutMs = raw.streamTimeoutMs === undefined ? budget : int(raw.streamTimeoutMs, `${at}.streamTimeoutMs`, 1, MAX_TIMEOUT_MS, problems);
  const total = streamTimeoutMs ?? budget;
  const timeToFirstTokenMs = raw.timeToFirstTokenMs === undefined ? Math.min(budget, total) : int(raw.timeToFirstTokenMs, `${at}.timeToFirstTokenMs`, 1, total, problems);
  const stallTimeoutMs = raw.stallTimeoutMs === undefined ? Math.min(DEFAULT_STALL_MS, total) : int(raw.stallTimeoutMs, `${at}.stallTimeoutMs`, 1, total, problems);
  const holdBack = raw.holdBackChars === undefined ? undefined : int(raw.holdBackChars, `${at}.holdBackChars`, 1, MAX_HOLD_BACK_CHARS, problems);
  let policy: SafetyPolicy | undefined;
  if (!isObject(raw.policy)) {
    problems.push(`${at}.policy: must be a policy object, e.g. {"preset":"standard"}`);
  } else {
    try {
      policy = parsePolicy(raw.policy);
    } catch (err) {
      const list = err instanceof PolicyError ? err.problems : [(err as Error).message];
      for (const p of list) problems.push(`${at}.${p.startsWith('policy') ? p : `policy: ${p}`}`);
    }
  }
  if (problems.length > before) return undefined;
  return {
    name,
    endpointName: endpointName ?? '',
    fallbackEndpointName,
    inferenceComponentName,
    format,
    rawPaths,
    timeoutMs: timeoutMs!,
    maxRequestBytes: maxRequestBytes!,
    policy: policy!,
    unknownFields,
    circuitBreaker: { failureThreshold: failureThreshold!, cooldownMs: cooldownMs! },
    streaming: streaming === true,
    streamTimeoutMs: streamTimeoutMs!,
    timeToFirstTokenMs: timeToFirstTokenMs!,
    stallTimeoutMs: stallTimeoutMs!,
    holdBackChars: holdBack,
  };
}

function parseRawPaths(at: string, format: PayloadFormat, raw: unknown, problems: string[]): ModelConfig['rawPaths'] {
  if (format !== 'raw') {
    if (raw !== undefined) problems.push(`${at}.rawPaths: only the "raw" format takes rawPaths`);
    return undefined;
  }
  if (!isObject(raw)) {
    problems.push(`${at}.rawPaths: the raw format needs {"request": ["prompt"], "response": ["output.text"]}`);
    return undefined;
  }
  const compile = (key: 'request' | 'response'): JsonPath[] => {
    const list = raw[key];
    if (!Array.isArray(list) || list.length === 0) {
      problems.push(`${at}.rawPaths.${key}: must be a non-empty array of paths such as "output.text" or "choices[0].text"`);
      return [];
    }
    const out: JsonPath[] = [];
    for (const p of list) {
      const parsed = typeof p === 'string' ? parseJsonPath(p) : undefined;
      if (parsed === undefined) problems.push(`${at}.rawPaths.${key}: ${show(p)} is not a dot path with optional [n] indices`);
      else out.push(parsed);
    }
    return out;
  };
  return { request: compile('request'), response: compile('response') };
}

function int(v: unknown, at: string, min: number, max: number, problems: string[]): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  problems.push(`${at}: ${show(v)} must be an integer from ${min} to ${max}`);
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  return v === undefined ? 'missing' : JSON.stringify(v);
}
