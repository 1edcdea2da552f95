import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CircuitBreakerRegistry } from '../../../lambda/gateway/circuit-breaker';
import { parseGatewayConfig } from '../../../lambda/gateway/gateway-config';
import { createModelInvoker } from '../../../lambda/gateway/model-invoker';
import { emfLine, type RequestRecord } from '../../../lambda/gateway/observability';
import { retryBudgets } from '../../../lambda/gateway/retry-budget';
import { DEFAULT_RETRY_POLICY } from '../../../lambda/gateway/retry-policy';
import { createStreamingGateway, type ResponseSink } from '../../../lambda/gateway/streaming-gateway';
import { chatAnswer } from '../gateway-fixtures';
import { STREAM_TEST_CONFIG } from './streaming-scenarios';

/**
 * The OpenAI-compatible routes refuse some requests before they reach a path of their own (a body
 * that is not JSON, no or an unknown `model`, a model of the other API, a body over the model's
 * limit, `stream` for a model that does not stream). Each refusal is a request like any other for
 * the dashboards, alarms and logs: one record, with its status and error class, under the model
 * it named when that model is served here and under `unknown` otherwise.
 */
const config = parseGatewayConfig(STREAM_TEST_CONFIG);
const records: RequestRecord[] = [];
const modelCalls: string[] = [];
const now = () => performance.now();
const shared = { breakers: new CircuitBreakerRegistry(now), retry: DEFAULT_RETRY_POLICY, budgets: retryBudgets(), now, random: () => 0.5, sleep: async () => undefined };
const gateway = createStreamingGateway({
  config,
  invokeModel: createModelInvoker({ ...shared, invoke: async ({ endpointName }) => { modelCalls.push(endpointName); return { body: Buffer.from(JSON.stringify(chatAnswer('fine'))) }; } }),
  invokeStream: createModelInvoker({ ...shared, invoke: async ({ endpointName }) => { throw new Error(`no stream expected (${endpointName})`); } }),
  sink: (r) => records.push(r),
  now,
});

async function post(resource: string, body: string, requestId: string): Promise<{ status: number; body: string }> {
  let status = 0;
  let text = '';
  const sink: ResponseSink = { start: (s) => { status = s; }, write: (c) => { text += c; }, end: async (c) => { text += c ?? ''; }, onClientGone: () => undefined };
  await gateway({ resource, body, isBase64Encoded: false, requestContext: { requestId } } as unknown as APIGatewayProxyEvent, sink);
  return { status, body: text };
}

beforeEach(() => {
  records.length = 0;
  modelCalls.length = 0;
});

test.each([
  ['a body that is not JSON', '/v1/chat/completions', '{"model": "chat",', 400, 'unknown', 'InvalidRequest'],
  ['no model', '/v1/chat/completions', JSON.stringify({ messages: [] }), 400, 'unknown', 'InvalidRequest'],
  ['a model not served here (not a metric dimension)', '/v1/chat/completions', JSON.stringify({ model: 'made-up-by-a-client', messages: [] }), 404, 'unknown', 'NotFound'],
  ['a body over the model\'s own limit', '/v1/chat/completions', JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'x'.repeat(400) }] }), 413, 'tiny', 'PayloadTooLarge'],
  ['a model of the other API', '/v1/chat/completions', JSON.stringify({ model: 'embed', messages: [] }), 400, 'embed', 'InvalidRequest'],
  ['stream for a model that does not stream', '/v1/chat/completions', JSON.stringify({ model: 'buffered', messages: [{ role: 'user', content: 'hi' }], stream: true }), 400, 'buffered', 'InvalidRequest'],
])('%s: one record with the status, the error class and the model', async (_, resource, body, status, model, errorClass) => {
  const answer = await post(resource, body, 'req-1');
  expect(answer.status).toBe(status);
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({ requestId: 'req-1', stage: 'test', model, status, errorClass, attempts: 0 });
  expect(records[0].policyVersion === undefined).toBe(model === 'unknown');
  expect(JSON.parse(emfLine(records[0], 1))).toMatchObject({ Requests: 1, ClientErrors: 1, Errors: 0, Model: model });
  expect(modelCalls).toEqual([]);
});

test('a request the route serves is recorded once, by the path that served it', async () => {
  const answer = await post('/v1/chat/completions', JSON.stringify({ model: 'buffered', messages: [{ role: 'user', content: 'hi' }] }), 'req-2');
  expect(answer.status).toBe(200);
  expect(modelCalls).toEqual(['buffered-ep']);
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({ requestId: 'req-2', model: 'buffered', status: 200, attempts: 1 });
});
