import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { loadPlatformConfig } from '../../lib/config/load-config';
import { smokeTestPlan, UNKNOWN_MODEL } from '../../bin/smoke-test-plan';
import { CheckResult, runSmokeTest } from '../../bin/smoke-test-runner';
import { JsonStubServer, ok, startJsonStubServer } from '../helpers/aws-json-stub-server';
import { REPO_ROOT } from '../helpers/fixtures';
import { runCli } from '../helpers/run-cli';

/**
 * The smoke test against a local gateway (HTTP on 127.0.0.1, answering as the gateway handler
 * does) and a local SageMaker (the AWS JSON protocol), with the real SDK client and the real
 * SigV4 signer: it passes on a healthy stage and names each failing check.
 */
const CONFIG = path.join(REPO_ROOT, 'config/pipeline.json');
const config = loadPlatformConfig(CONFIG);
const plan = smokeTestPlan(config, 'staging');
const credentials = { accessKeyId: 'AKIDSMOKETEST', secretAccessKey: 'smoke-secret' };
const IMAGES: Record<string, string> = {
  'inference-staging-chat': '763104351884.dkr.ecr.us-east-1.amazonaws.com/vllm:server-sagemaker-cuda-v1',
};

type Answer = { status: number; headers?: Record<string, string>; body: unknown };
interface Recorded { path: string; headers: http.IncomingHttpHeaders; body: string }

/** Answers as a healthy gateway: 404 for unknown models, 422 for the injection, redaction of the email. */
function healthyGateway(model: string, body: string): Answer {
  if (model === UNKNOWN_MODEL) return { status: 404, body: { error: { code: 'not_found', message: 'no model', requestId: 'r1' } } };
  if (body.includes('Ignore all previous instructions')) return { status: 422, body: { error: { code: 'blocked_by_policy', message: 'blocked', requestId: 'r2', checks: ['injection'] } } };
  if (body.includes('jane.doe@example.com')) return { status: 200, headers: { 'x-safety-action': 'redact' }, body: { choices: [{ message: { content: 'Hello [EMAIL_ADDRESS]!' } }] } };
  return { status: 200, headers: { 'x-safety-action': 'allow' }, body: { choices: [{ message: { content: 'It computes in parallel.' } }] } };
}

let answer: (model: string, body: string) => Answer = healthyGateway;
const received: Recorded[] = [];
let gateway: http.Server;
let gatewayUrl: string;
let sagemaker: JsonStubServer;
let client: SageMakerClient;

function describeHealthy(input: Record<string, unknown>) {
  const name = String(input.EndpointName);
  return ok({
    EndpointName: name, EndpointArn: `arn:aws:sagemaker:us-east-1:318204657932:endpoint/${name}`, EndpointConfigName: `${name}-config`,
    EndpointStatus: 'InService', CreationTime: 1, LastModifiedTime: 1,
    ProductionVariants: [{ VariantName: 'AllTraffic', CurrentInstanceCount: name.endsWith('embed') ? 0 : 1,
      DeployedImages: IMAGES[name] ? [{ SpecifiedImage: IMAGES[name], ResolvedImage: `${IMAGES[name]}@sha256:ab` }] : [] }],
  });
}

beforeAll(async () => {
  gateway = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ path: req.url ?? '', headers: req.headers, body });
      const model = decodeURIComponent(/\/models\/([^/]+)\/invocations$/.exec(req.url ?? '')?.[1] ?? '');
      const reply = answer(model, body);
      res.writeHead(reply.status, { 'content-type': 'application/json', 'x-request-id': 'req-1', ...reply.headers });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/staging/`;
  sagemaker = await startJsonStubServer();
  client = new SageMakerClient({ region: 'us-east-1', endpoint: sagemaker.url, credentials, maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await sagemaker.close();
  await new Promise<void>((resolve) => {
    gateway.closeAllConnections();
    gateway.close(() => resolve());
  });
});

beforeEach(() => {
  answer = healthyGateway;
  received.length = 0;
  sagemaker.on('DescribeEndpoint', describeHealthy);
});

const run = (options: { waitBudgetMs?: number; sleeps?: number[] } = {}) => runSmokeTest(plan, {
  gatewayUrl, apiKey: 'smoke-key', region: 'us-east-1', credentials, sagemaker: client, waitBudgetMs: options.waitBudgetMs ?? 0,
  sleep: async (ms) => void options.sleeps?.push(ms),
});
const failures = (results: CheckResult[]) => results.filter((r) => r.failure).map((r) => `${r.name}: ${r.failure}`);

describe('smoke test plan', () => {
  test('probes every model of the stage three ways, one unknown model, and every endpoint', () => {
    expect(plan.probes.map((p) => p.name)).toEqual([
      'chat: normal prompt → 200', 'chat: prompt injection → 422', 'chat: personal data → 200, redacted',
      'embed: normal prompt → 200', 'embed: prompt injection → 422', 'embed: personal data → 200, redacted',
      `unknown model ${UNKNOWN_MODEL} → 404`,
    ]);
    expect(plan.probes[0].body).toEqual({ messages: [{ role: 'user', content: expect.any(String) }], max_tokens: 16 });
    expect(plan.probes[3].body).toEqual({ inputs: expect.any(String) });
    expect(plan.endpoints).toEqual([
      { model: 'chat', endpointName: 'inference-staging-chat', variant: 'AllTraffic', imageSuffix: '/vllm:server-sagemaker-cuda-v1', scaleToZero: false },
      // A scale-to-zero model serves through an inference component: no image on the variant, maybe no instance.
      { model: 'embed', endpointName: 'inference-staging-embed', variant: 'AllTraffic', scaleToZero: true },
    ]);
  });

  test('a policy that lets a probe through leaves it out as not applicable, saying why', () => {
    const permissive = { ...config, models: { ...config.models, embed: { ...config.models.embed, safetyPolicy: 'permissive' as const } } };
    const p = smokeTestPlan(permissive, 'staging');
    expect(p.probes.map((x) => x.name)).not.toContain('embed: personal data → 200, redacted');
    expect(p.notApplicable).toEqual(['embed: its safety policy does not redact email addresses']);
  });
});

describe('smoke test against a local gateway and SageMaker', () => {
  test('a healthy stage passes every check, with SigV4-signed requests carrying the API key', async () => {
    const results = await run();
    expect(failures(results)).toEqual([]);
    expect(results).toHaveLength(plan.probes.length + plan.endpoints.length);
    expect(sagemaker.callsOf('DescribeEndpoint').map((c) => c.EndpointName)).toEqual(['inference-staging-chat', 'inference-staging-embed']);
    expect(received.map((r) => r.path)).toEqual(expect.arrayContaining(['/staging/models/chat/invocations', `/staging/models/${UNKNOWN_MODEL}/invocations`]));
    for (const request of received) {
      expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDSMOKETEST\/\d{8}\/us-east-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*x-api-key[^,]*, Signature=[0-9a-f]{64}$/);
      expect(request.headers['x-api-key']).toBe('smoke-key');
      expect(request.headers['x-amz-content-sha256'] ?? request.headers['x-amz-date']).toBeDefined();
    }
  });

  test('a normal prompt that fails names the model, the status and the answer', async () => {
    answer = (model, body) => (model === 'chat' && body.includes('GPU')
      ? { status: 502, body: { error: { code: 'model_error', message: 'the model failed', requestId: 'r9' } } } : healthyGateway(model, body));
    expect(failures(await run())).toEqual(['chat: normal prompt → 200: answered 502 (request req-1): {"error":{"code":"model_error","message":"the model failed","requestId":"r9"}}']);
  });

  test('an injection the gateway lets through fails the injection check', async () => {
    answer = (model, body) => (body.includes('Ignore all previous') ? { status: 200, body: {} } : healthyGateway(model, body));
    expect(failures(await run())).toEqual([
      'chat: prompt injection → 422: answered 200 (request req-1): {}',
      'embed: prompt injection → 422: answered 200 (request req-1): {}',
    ]);
  });

  test('personal data that is not redacted fails the redaction check', async () => {
    answer = (model, body) => (model === 'chat' && body.includes('jane.doe')
      ? { status: 200, headers: { 'x-safety-action': 'allow' }, body: { echo: 'jane.doe@example.com' } } : healthyGateway(model, body));
    expect(failures(await run())).toEqual([
      'chat: personal data → 200, redacted: answered 200 with x-safety-action allow, not redact (request req-1): the personal data was not redacted',
    ]);
  });

  test('an unknown model that gets an answer fails the 404 check', async () => {
    answer = (model, body) => (model === UNKNOWN_MODEL ? { status: 403, body: { message: 'Forbidden' } } : healthyGateway(model, body));
    expect(failures(await run())).toEqual([`unknown model ${UNKNOWN_MODEL} → 404: answered 403 (request req-1): {"message":"Forbidden"}`]);
  });

  test('an endpoint that is not InService, or serves another image, fails its endpoint check', async () => {
    sagemaker.on('DescribeEndpoint', (input) => {
      const reply = describeHealthy(input);
      const body = reply.body as Record<string, unknown>;
      if (input.EndpointName === 'inference-staging-embed') return ok({ ...body, EndpointStatus: 'Failed', FailureReason: 'capacity error' });
      return ok({ ...body, ProductionVariants: [{ VariantName: 'AllTraffic', CurrentInstanceCount: 1, DeployedImages: [{ SpecifiedImage: 'x/vllm:old' }] }] });
    });
    expect(failures(await run())).toEqual([
      'chat: endpoint inference-staging-chat InService with variant AllTraffic serving …/vllm:server-sagemaker-cuda-v1: ' +
        'variant AllTraffic serves x/vllm:old, not …/vllm:server-sagemaker-cuda-v1: the deploy did not take effect',
      'embed: endpoint inference-staging-embed InService with variant AllTraffic: it is Failed (capacity error), not InService',
    ]);
  });

  test('a scale-to-zero model is given its wait budget to scale out; without one its 503 fails', async () => {
    let unavailable = 4;
    const coldStart = (model: string, body: string): Answer => (model === 'embed' && !body.includes('Ignore') && unavailable-- > 0
      ? { status: 503, headers: { 'retry-after': '30' }, body: { error: { code: 'model_unavailable' } } } : healthyGateway(model, body));
    answer = coldStart;
    const sleeps: number[] = [];
    expect(failures(await run({ waitBudgetMs: 900_000, sleeps }))).toEqual([]);
    expect(sleeps).toEqual([30_000, 30_000, 30_000, 30_000]);
    unavailable = 1;
    expect(failures(await run({ waitBudgetMs: 0 }))).toEqual([
      'embed: normal prompt → 200: answered 503 (request req-1): {"error":{"code":"model_unavailable"}}',
    ]);
  });
});

describe('smoke-test CLI', () => {
  const cli = (env: Record<string, string>) => runCli('bin/smoke-test.ts',
    ['--config', CONFIG, '--stage', 'staging', '--region', 'us-east-1', '--gateway-url', gatewayUrl, '--wait-seconds', '0'], {
      env: { PATH: process.env.PATH!, HOME: process.env.HOME!, AWS_ACCESS_KEY_ID: 'AKIDSMOKETEST', AWS_SECRET_ACCESS_KEY: 'smoke-secret', AWS_ENDPOINT_URL_SAGEMAKER: sagemaker.url, ...env },
    });

  test('exits 1 with a FAIL line per failing check and a summary; 2 without the API key', async () => {
    answer = (model, body) => (body.includes('Ignore all previous') ? { status: 200, body: {} } : healthyGateway(model, body));
    const failed = await cli({ SMOKE_API_KEY: 'smoke-key' });
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain('FAIL chat: prompt injection → 422: answered 200');
    expect(failed.stdout).toContain('ok   chat: normal prompt → 200');
    expect(failed.stderr).toContain('smoke test of stage staging failed: 2 of 9 checks');
    const noKey = await cli({});
    expect(noKey.status).toBe(2);
    expect(noKey.stderr).toContain('SMOKE_API_KEY is not set');
  }, 60_000);
});
