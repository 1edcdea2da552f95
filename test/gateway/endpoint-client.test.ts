import { createSageMakerInvoker, ResponseInterruptedError, type InvokeEndpointFn } from '../../lambda/gateway/endpoint-client';
import { classifyInvokeError, retryAfterMsOf } from '../../lambda/gateway/error-mapping';
import { sdkEnv, setEnv } from './gateway-fixtures';
import { replies, startStubServer, type StubServer } from './sagemaker-stub-server';

/**
 * The gateway's client against the stub: the errors error-mapping.ts reads. That these are the
 * SDK's own readings of the same answers is sagemaker-wire.test.ts.
 */
describe('SageMaker Runtime client against the stub', () => {
  let server: StubServer;
  let restore: () => void;
  let invoke: InvokeEndpointFn;
  beforeAll(async () => {
    server = await startStubServer();
    restore = setEnv(sdkEnv(server.url));
    invoke = createSageMakerInvoker();
  });
  afterAll(async () => {
    restore();
    await server.close();
  });

  const call = (endpointName: string) => invoke({ endpointName, body: '{"inputs":"x"}', inferenceId: 'id-1', inferenceComponentName: 'ic-1', signal: new AbortController().signal });

  it('signs with the environment credentials, reaches the stub through AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME and reads the variant', async () => {
    server.on('ok-ep', () => replies.json({ a: 1 }, 'variant-b'));
    const out = await call('ok-ep');
    expect(JSON.parse(Buffer.from(out.body).toString())).toEqual({ a: 1 });
    expect(out.variant).toBe('variant-b');
    const req = server.receivedBy('ok-ep')[0];
    expect(req.headers).toMatchObject({ 'x-amzn-sagemaker-inference-id': 'id-1', 'x-amzn-sagemaker-inference-component': 'ic-1', accept: 'application/json' });
    expect(req.headers.authorization).toContain('/us-east-1/sagemaker/aws4_request');
  });

  it.each([
    ['ModelError', replies.modelError(), { name: 'ModelError', OriginalStatusCode: 500, $metadata: expect.objectContaining({ httpStatusCode: 424 }) }],
    ['ThrottlingException', replies.throttling(), { name: 'ThrottlingException', $metadata: expect.objectContaining({ httpStatusCode: 429 }) }],
    ['ModelNotReadyException', replies.modelNotReady(), { name: 'ModelNotReadyException', $metadata: expect.objectContaining({ httpStatusCode: 429 }) }],
    ['InternalFailure', replies.internalFailure(), { name: 'InternalFailure', $fault: 'server', $metadata: expect.objectContaining({ httpStatusCode: 500 }) }],
    ['ServiceUnavailable', replies.serviceUnavailable(), { name: 'ServiceUnavailable', $metadata: expect.objectContaining({ httpStatusCode: 503 }) }],
  ])('maps the stub %s to the SDK error of that name, without retrying', async (_name, reply, expected) => {
    server.on('err-ep', () => reply);
    const before = server.receivedBy('err-ep').length;
    await expect(call('err-ep')).rejects.toMatchObject(expected);
    expect(server.receivedBy('err-ep').length - before).toBe(1);
  });

  it('reports an answer cut off after its headers as interrupted, and a reset before any answer as the transport error', async () => {
    server.on('cut-ep', () => ({ ...replies.json({ generated_text: 'x'.repeat(100_000) }), cutAfterBytes: 40_000 }));
    await expect(call('cut-ep')).rejects.toBeInstanceOf(ResponseInterruptedError);
    server.on('reset-ep', () => ({ destroy: true }));
    const reset = await call('reset-ep').catch((e: unknown) => e);
    expect(reset).not.toBeInstanceOf(ResponseInterruptedError);
    expect(classifyInvokeError(reset)).toBe('ConnectionError');
    expect(classifyInvokeError(await call('cut-ep').catch((e: unknown) => e))).toBe('ResponseInterrupted');
  });

  it('keeps the Retry-After of a throttled answer readable', async () => {
    const throttled = replies.throttling();
    server.on('slow-down-ep', () => ({ ...throttled, headers: { ...throttled.headers, 'Retry-After': '7' } }));
    const e = await call('slow-down-ep').catch((x: unknown) => x);
    expect(retryAfterMsOf(e)).toBe(7000);
  });
});
