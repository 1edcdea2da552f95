import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { GatewayConfigJson } from '../../lambda/gateway/gateway-config';

export type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * The classifier is off in the test policy: these tests are about the gateway's plumbing, and
 * the phrase rules give stable verdicts while the classifier's weights are still being tuned.
 */
export const TEST_POLICY = { preset: 'standard', injection: { classifier: false } };

export const CANARY = 'cnry-7f3a9c2e51';
export const GUARDED_POLICY = { ...TEST_POLICY, pii: { CREDIT_CARD: 'block' }, canary: { tokens: [CANARY] } };

export function model(endpointName: string, extra: Record<string, unknown> = {}) {
  return { endpointName, format: 'openai-chat', timeoutMs: 30_000, maxRequestBytes: 65536, policy: TEST_POLICY, ...extra };
}

/** One configuration for the whole suite; each scenario uses its own endpoints, so circuit state never leaks. */
export const TEST_CONFIG: GatewayConfigJson = {
  stage: 'test',
  models: {
    chat: model('chat-ep'),
    hf: model('hf-ep', { format: 'hf-text-generation' }),
    embed: model('embed-ep', { format: 'embeddings', inferenceComponentName: 'embed-ic' }),
    rawm: model('raw-ep', { format: 'raw', rawPaths: { request: ['prompt', 'context[0]'], response: ['output.text'] } }),
    // Budgets are generous unless a test exercises them (slow: 300 ms against a reply after a minute;
    // retries: 10 s against a Retry-After of 20 s), so a loaded machine cannot turn an answer into a 504.
    faults: model('faults-ep', { format: 'hf-text-generation', timeoutMs: 60_000 }),
    slow: model('slow-ep', { format: 'hf-text-generation', timeoutMs: 300 }),
    flaky: model('flaky-ep', { format: 'hf-text-generation', circuitBreaker: { failureThreshold: 3, cooldownMs: 400 } }),
    fb: model('primary-ep', { format: 'hf-text-generation', fallbackEndpointName: 'fallback-ep', circuitBreaker: { failureThreshold: 2, cooldownMs: 60000 } }),
    small: model('small-ep', { maxRequestBytes: 1024 }),
    retries: model('retries-ep', { format: 'hf-text-generation', timeoutMs: 10_000, circuitBreaker: { failureThreshold: 50 } }),
    lenient: model('lenient-ep', { unknownRequestFields: 'drop' }),
    // The reference platform's chat policy: cards blocked, a canary token in the system prompt.
    guarded: model('guarded-ep', { policy: GUARDED_POLICY }),
    spotlit: model('spotlit-ep', { policy: { ...TEST_POLICY, spotlighting: { mode: 'datamark' } } }),
    guardedHf: model('guarded-hf-ep', { format: 'hf-text-generation', policy: GUARDED_POLICY }),
    sized: model('sized-ep', { format: 'hf-text-generation', policy: { ...TEST_POLICY, size: { input: { maxChars: 100 }, output: { maxChars: 100 } } } }),
    bigChat: model('bigChat-ep', { maxRequestBytes: 6 * 1024 * 1024 }),
    big: model('big-ep', {
      format: 'hf-text-generation',
      maxRequestBytes: 6 * 1024 * 1024,
      policy: { ...TEST_POLICY, size: { input: { maxChars: 4_000_000, maxBytes: 8_000_000 }, output: { maxChars: 4_000_000, maxBytes: 8_000_000 } } },
    }),
  } as GatewayConfigJson['models'],
};

/** The SDK's standard environment, pointed at the stub only through AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME. */
export function sdkEnv(url: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  };
}

/** Sets variables and returns a function that restores the previous values. */
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const before: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    before[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

let seq = 0;
export function apiEvent(modelName: string, body: unknown, opts: { raw?: boolean; requestId?: string | null; base64?: boolean } = {}): APIGatewayProxyEvent {
  let text = opts.raw ? (body as string) : JSON.stringify(body);
  if (opts.base64) text = Buffer.from(text, 'utf8').toString('base64');
  const requestId = opts.requestId === null ? undefined : (opts.requestId ?? `req-${++seq}`);
  return {
    body: text,
    isBase64Encoded: opts.base64 ?? false,
    httpMethod: 'POST',
    path: `/models/${modelName}/invocations`,
    resource: '/models/{model}/invocations',
    pathParameters: { model: modelName },
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: (requestId === undefined ? {} : { requestId }) as APIGatewayProxyEvent['requestContext'],
  };
}

export const chat = (content: string) => ({ messages: [{ role: 'user', content }], max_tokens: 64 });
export const chatAnswer = (content: string) => ({ id: 'cmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });

/** Captures what the handler writes to stdout (EMF records and log lines) while `fn` runs. */
export async function captureStdout<T>(fn: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const original = process.stdout.write.bind(process.stdout);
  let text = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    const result = await fn();
    return { result, lines: text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>) };
  } finally {
    process.stdout.write = original;
  }
}

export const emfOf = (lines: Record<string, unknown>[]) => lines.filter((l) => l._aws !== undefined);
export const logsOf = (lines: Record<string, unknown>[]) => lines.filter((l) => l.message === 'request');
