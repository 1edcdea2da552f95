import { createHash } from 'node:crypto';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { createSageMakerInvoker, ResponseInterruptedError, type EndpointAnswer, type InvokeEndpointFn, type InvokeRequest } from '../../lambda/gateway/endpoint-client';
import { classifyInvokeError, modelMessageOf, retryAfterMsOf } from '../../lambda/gateway/error-mapping';
import { invocationPath, updatedClockOffsetMs } from '../../lambda/gateway/sagemaker-wire';
import { sdkEnv, setEnv } from './gateway-fixtures';
import { sageMakerError, startStubServer, type ReceivedRequest, type Reply, type StubServer } from './sagemaker-stub-server';

/**
 * The gateway sends InvokeEndpoint without the SDK's middleware stack (endpoint-client.ts), so
 * the SDK's own client is the reference here: the same call through both reaches the stub as the
 * same request with a valid SigV4 signature, and the same answer or error comes back as the same
 * thing for error-mapping.ts.
 */
const SECRET = 'test-secret';

describe("the gateway's InvokeEndpoint against the SDK client", () => {
  let server: StubServer;
  let restore: () => void;
  let ours: InvokeEndpointFn;
  let sdk: SageMakerRuntimeClient;
  beforeAll(async () => {
    server = await startStubServer();
    restore = setEnv({ ...sdkEnv(server.url), AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: 'session-token-1' });
    ours = createSageMakerInvoker();
    sdk = new SageMakerRuntimeClient({ maxAttempts: 1 });
  });
  afterAll(async () => {
    sdk.destroy();
    restore();
    await server.close();
  });

  const viaSdk = async (r: Omit<InvokeRequest, 'signal'>): Promise<EndpointAnswer> => {
    const out = await sdk.send(new InvokeEndpointCommand({
      EndpointName: r.endpointName,
      InferenceComponentName: r.inferenceComponentName,
      Body: Buffer.from(r.body, 'utf8'),
      ContentType: 'application/json',
      Accept: 'application/json',
      InferenceId: r.inferenceId.slice(0, 64),
    }));
    return { body: out.Body ?? new Uint8Array(0), contentType: out.ContentType, variant: out.InvokedProductionVariant };
  };
  const viaGateway = (r: Omit<InvokeRequest, 'signal'>) => ours({ ...r, signal: new AbortController().signal });
  const outcome = <T>(p: Promise<T>) => p.then((value) => ({ value }), (error: unknown) => ({ error }));

  /** What the two clients may differ in: their own identification and the signature's time. */
  const CLIENT_OWN = new Set(['user-agent', 'x-amz-user-agent', 'amz-sdk-invocation-id', 'amz-sdk-request', 'authorization', 'x-amz-date', 'connection']);
  const comparable = (r: ReceivedRequest) => ({
    path: r.path,
    body: r.body,
    headers: Object.fromEntries(Object.entries(r.headers).filter(([k]) => !CLIENT_OWN.has(k))),
  });

  it.each([
    ['a plain call', { endpointName: 'chat-ep', body: '{"inputs":"hello"}', inferenceId: 'req-1' }],
    ['an inference component and a long id', { endpointName: 'chat-ep-2', inferenceComponentName: 'ic-llama-3', body: '{"messages":[{"role":"user","content":"héllo 🙂"}]}', inferenceId: 'x'.repeat(90) }],
    ['an empty body', { endpointName: 'e', body: '', inferenceId: 'r' }],
  ])('sends %s as the SDK does, and signs it validly', async (_name, request) => {
    server.on(request.endpointName, () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{}' }));
    await viaSdk(request);
    await viaGateway(request);
    const [fromSdk, fromGateway] = server.receivedBy(request.endpointName).slice(-2);
    expect(comparable(fromGateway)).toEqual(comparable(fromSdk));
    expect(fromGateway.path).toBe(invocationPath(request.endpointName));
    // The same key, region and service in the credential scope (the date aside).
    const scope = (r: ReceivedRequest) => /Credential=([^,]+)/.exec(String(r.headers.authorization))?.[1].replace(/\/\d{8}\//, '/');
    expect(scope(fromGateway)).toBe(scope(fromSdk));
    expect(scope(fromGateway)).toBe('AKIDTESTTESTTEST/us-east-1/sagemaker/aws4_request');
    // The verifier is checked on the SDK's request first, so a broken verifier cannot pass ours.
    expect(await signatureProblem(fromSdk, sdk.config.sha256)).toBeUndefined();
    expect(await signatureProblem(fromGateway, sdk.config.sha256)).toBeUndefined();
    expect(await signatureProblem({ ...fromGateway, body: `${fromGateway.body} ` }, sdk.config.sha256)).toMatch(/mismatch/);
    expect(await signatureProblem({ ...fromGateway, path: fromGateway.path.replace('/invocations', '/invocations/') }, sdk.config.sha256)).toBe('signature mismatch');
  });

  it('reads an answer as the SDK does: body, content type and the variant that served', async () => {
    server.on('ok-ep', () => ({ status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'x-Amzn-Invoked-Production-Variant': 'canary' }, body: '{"generated_text":"ça va"}' }));
    const request = { endpointName: 'ok-ep', body: '{}', inferenceId: 'a' };
    const [a, b] = [await viaSdk(request), await viaGateway(request)];
    expect({ ...b, body: Buffer.from(b.body).toString() }).toEqual({ ...a, body: Buffer.from(a.body).toString() });
    expect(b.variant).toBe('canary');
  });

  const errorTypes = fc.constantFrom(
    'ModelError', 'ModelNotReadyException', 'ThrottlingException', 'ValidationError', 'InternalFailure',
    'ServiceUnavailable', 'InternalDependencyException', 'TooManyRequestsException', 'AccessDeniedException', 'SomethingNew',
  );
  const errorBody = fc.oneof(
    fc.record({
      message: fc.option(fc.string(), { nil: undefined }),
      Message: fc.option(fc.string(), { nil: undefined }),
      OriginalStatusCode: fc.option(fc.constantFrom(400, 408, 422, 429, 500, 503, '422', '500', 'x'), { nil: undefined }),
      OriginalMessage: fc.option(fc.oneof(fc.string(), fc.constant('{"object":"error","message":"too long"}')), { nil: undefined }),
      __type: fc.option(errorTypes.map((t) => `com.amazonaws.sagemaker#${t}`), { nil: undefined }),
      code: fc.option(errorTypes, { nil: undefined }),
    }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
    fc.constantFrom('', 'not json', '<html>502 Bad Gateway</html>', '[]', 'null'),
  );
  const errorReply: fc.Arbitrary<Reply> = fc.record({
    status: fc.oneof(fc.constantFrom(400, 403, 404, 413, 424, 429, 500, 502, 503, 504, 530), fc.integer({ min: 400, max: 599 })),
    type: fc.option(errorTypes.chain((t) => fc.constantFrom(t, `${t}:http://internal.amazon.com/coral/com.amazon.sagemaker/`)), { nil: undefined }),
    body: errorBody,
    retryAfter: fc.option(fc.constantFrom('0', '3', '120', 'soon', new Date(Date.now() + 60_000).toUTCString()), { nil: undefined }),
  }).map(({ status, type, body, retryAfter }) => ({
    status,
    headers: { 'content-type': 'application/json', ...(type === undefined ? {} : { 'x-amzn-ErrorType': type }), ...(retryAfter === undefined ? {} : { 'Retry-After': retryAfter }) },
    body,
  }));

  it('reads every error answer as the SDK does: the same class, Retry-After and model message', async () => {
    await fc.assert(
      fc.asyncProperty(errorReply, async (reply) => {
        server.on('err-ep', () => reply);
        const request = { endpointName: 'err-ep', body: '{}', inferenceId: 'e' };
        const [a, b] = [await outcome(viaSdk(request)), await outcome(viaGateway(request))];
        if (!('error' in a) || !('error' in b)) throw new Error(`both must fail: sdk ${JSON.stringify(a)}, gateway ${JSON.stringify(b)}`);
        const now = Date.now();
        const read = (e: unknown) => ({
          class: classifyInvokeError(e),
          retryAfterMs: retryAfterMsOf(e, now),
          modelMessage: modelMessageOf(e),
          status: (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode,
        });
        expect(read(b.error)).toEqual(read(a.error));
        // A body that is not JSON is a SyntaxError in the SDK; ours names the error by its code.
        const sdkError = a.error as { name: string; $fault?: string };
        if (sdkError.$fault !== undefined) expect(b.error).toMatchObject({ name: sdkError.name, $fault: sdkError.$fault });
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the modeled error fields a ModelError carries', async () => {
    server.on('model-ep', () => sageMakerError(424, 'ModelError', { Message: 'Received client error (422)', OriginalStatusCode: 422, OriginalMessage: 'bad', LogStreamArn: 'arn:aws:logs:us-east-1:1:log-group:x' }));
    const e = await outcome(viaGateway({ endpointName: 'model-ep', body: '{}', inferenceId: 'm' }));
    expect('error' in e && e.error).toMatchObject({ name: 'ModelError', message: 'Received client error (422)', OriginalStatusCode: 422, OriginalMessage: 'bad', LogStreamArn: 'arn:aws:logs:us-east-1:1:log-group:x', $fault: 'client', $metadata: { httpStatusCode: 424, requestId: 'stub-request-id' } });
  });

  it("stops reading an answer one byte past SageMaker's 6 MB limit, and the next call goes through", async () => {
    server.on('huge-ep', () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.alloc(8 * 1024 * 1024, 0x61) }));
    const out = await viaGateway({ endpointName: 'huge-ep', body: '{}', inferenceId: 'h' });
    expect(out.body.byteLength).toBeGreaterThan(6_291_456);
    expect(out.body.byteLength).toBeLessThan(8 * 1024 * 1024);
    server.on('after-ep', () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }));
    expect(Buffer.from((await viaGateway({ endpointName: 'after-ep', body: '{}', inferenceId: 'n' })).body).toString()).toBe('{"ok":true}');
  });

  it('reads an error page that is not JSON by its status, keeping its Retry-After', async () => {
    const page = (status: number, headers: Record<string, string> = {}): Reply => ({ status, headers: { 'content-type': 'text/html', ...headers }, body: '<html>error</html>' });
    const classOf = async (reply: Reply) => {
      server.on('page-ep', () => reply);
      const e = await outcome(viaGateway({ endpointName: 'page-ep', body: '{}', inferenceId: 'p' }));
      return 'error' in e ? { class: classifyInvokeError(e.error), retryAfterMs: retryAfterMsOf(e.error) } : undefined;
    };
    expect(await classOf(page(502))).toEqual({ class: 'Upstream5xx', retryAfterMs: undefined });
    expect(await classOf(page(429, { 'Retry-After': '7' }))).toEqual({ class: 'Throttled', retryAfterMs: 7000 });
    expect(await classOf(page(403))).toEqual({ class: 'UpstreamRejected', retryAfterMs: undefined });
  });

  it('reports an abort after the headers as an interrupted answer, and one before them as the abort', async () => {
    server.on('slow-body-ep', () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"a":1}', cutAfterBytes: 3 }));
    const controller = new AbortController();
    server.on('late-ep', () => ({ status: 200, body: '{}', delayMs: 2000 }));
    const early = ours({ endpointName: 'late-ep', body: '{}', inferenceId: 'l', signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 20);
    expect(await early).toMatchObject({ name: 'AbortError' });
    expect(await ours({ endpointName: 'slow-body-ep', body: '{}', inferenceId: 's', signal: new AbortController().signal }).catch((e: unknown) => e)).toBeInstanceOf(ResponseInterruptedError);
  });

  it('signs with the credentials the provider gives at each call, not a copy taken once', async () => {
    let n = 0;
    // Expiring within the SDK's 5-minute refresh window, so the provider is asked every time.
    const rotating = createSageMakerInvoker({ credentials: async () => ({ accessKeyId: `AKIDROTATE${++n}`, secretAccessKey: SECRET, sessionToken: `token-${n}`, expiration: new Date(Date.now() + 60_000) }) });
    server.on('rotate-ep', () => ({ status: 200, body: '{}' }));
    for (let i = 0; i < 2; i++) await rotating({ endpointName: 'rotate-ep', body: '{}', inferenceId: 'r', signal: new AbortController().signal });
    // Each request is signed with the key and token of one answer of the provider, a newer one the second time.
    const [first, second] = server.receivedBy('rotate-ep').map((r) => ({ key: Number(/Credential=AKIDROTATE(\d+)\//.exec(String(r.headers.authorization))?.[1]), token: r.headers['x-amz-security-token'], r }));
    expect(first.token).toBe(`token-${first.key}`);
    expect(second.token).toBe(`token-${second.key}`);
    expect(second.key).toBeGreaterThan(first.key);
    expect(await signatureProblem(second.r, sdk.config.sha256)).toBeUndefined();
  });

  it("signs on the service's clock once an answer shows the local clock 5 minutes or more off, as the SDK does", async () => {
    const skewed = createSageMakerInvoker();
    const serviceNow = () => new Date(Date.now() + 20 * 60_000);
    server.on('skew-ep', () => ({ status: 403, headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': 'InvalidSignatureException', Date: serviceNow().toUTCString() }, body: '{"message":"Signature expired"}' }));
    for (let i = 0; i < 2; i++) await skewed({ endpointName: 'skew-ep', body: '{}', inferenceId: 'k', signal: new AbortController().signal }).catch(() => undefined);
    const [first, second] = server.receivedBy('skew-ep').map((r) => amzDateOf(r).getTime());
    expect(Math.abs(first - Date.now())).toBeLessThan(60_000);
    expect(Math.abs(second - serviceNow().getTime())).toBeLessThan(60_000);
  });
});

describe('the signing clock offset', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');
  it.each([
    ['no Date header', undefined, 0, 0],
    ['an unreadable Date header', 'soon', 0, 0],
    ['a clock 4 minutes off', 'Thu, 03 Dec 2026 12:04:00 GMT', 0, 0],
    ['a clock 20 minutes behind', 'Thu, 03 Dec 2026 12:20:00 GMT', 0, 20 * 60_000],
    ['a clock 10 minutes ahead', 'Thu, 03 Dec 2026 11:50:00 GMT', 0, -10 * 60_000],
    ['a corrected clock that stays right', 'Thu, 03 Dec 2026 12:20:01 GMT', 20 * 60_000, 20 * 60_000],
  ])('%s', (_name, date, current, expected) => {
    expect(updatedClockOffsetMs(date, current, now)).toBe(expected);
  });
});

/** A request's `x-amz-date` (`20261203T120000Z`) as a Date. */
function amzDateOf(r: ReceivedRequest): Date {
  const d = String(r.headers['x-amz-date']);
  return new Date(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`);
}

/**
 * SigV4 checked as the service checks it: the request rebuilt from what arrived (its signed
 * headers only) and signed again with the secret at its own `x-amz-date`.
 */
async function signatureProblem(r: ReceivedRequest, sha256: SageMakerRuntimeClient['config']['sha256']): Promise<string | undefined> {
  const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(String(r.headers.authorization));
  if (!auth) return `unreadable authorization header: ${r.headers.authorization}`;
  const [, accessKeyId, region, service, signedHeaders, signature] = auth;
  for (const required of ['host', 'x-amz-date', 'x-amz-security-token']) if (!signedHeaders.split(';').includes(required)) return `${required} is not signed`;
  const signingDate = amzDateOf(r);
  const signer = new SignatureV4({ credentials: { accessKeyId, secretAccessKey: SECRET, sessionToken: String(r.headers['x-amz-security-token']) }, region, service, sha256, uriEscapePath: true });
  const headers = Object.fromEntries(signedHeaders.split(';').map((h) => [h, String(r.headers[h])]));
  // A signed payload hash stands for the body in the signature, so it must be the body's.
  const payloadHash = headers['x-amz-content-sha256'];
  if (payloadHash !== undefined && payloadHash !== createHash('sha256').update(r.body, 'utf8').digest('hex')) return 'payload hash mismatch';
  const [hostname, port] = String(r.headers.host).split(':');
  const again = await signer.sign(
    { method: 'POST', protocol: 'http:', hostname, port: Number(port), path: r.path, query: {}, headers, body: Buffer.from(r.body, 'utf8') },
    { signingDate },
  );
  return String(again.headers.authorization).endsWith(`Signature=${signature}`) ? undefined : 'signature mismatch';
}
