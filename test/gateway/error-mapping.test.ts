import { ResponseInterruptedError } from '../../lambda/gateway/endpoint-client';
import { answerForInvokeError, circuitOpenAnswer, classifyInvokeError, modelMessageOf, retryAfterMsOf } from '../../lambda/gateway/error-mapping';

const err = (props: Record<string, unknown>) => Object.assign(new Error('m'), props);

describe('error mapping', () => {
  it('classifies SDK and transport errors', () => {
    expect(classifyInvokeError(err({ name: 'ModelError', $metadata: { httpStatusCode: 424 } }))).toBe('ModelError');
    expect(classifyInvokeError(err({ name: 'ModelNotReadyException', $metadata: { httpStatusCode: 429 } }))).toBe('ModelNotReady');
    expect(classifyInvokeError(err({ name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } }))).toBe('Throttled');
    expect(classifyInvokeError(err({ name: 'Whatever', $metadata: { httpStatusCode: 429 } }))).toBe('Throttled');
    expect(classifyInvokeError(err({ name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 } }))).toBe('Upstream5xx');
    expect(classifyInvokeError(err({ name: 'InternalDependencyException', $metadata: { httpStatusCode: 530 } }))).toBe('Upstream5xx');
    expect(classifyInvokeError(err({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } }))).toBe('UpstreamRejected');
    // The SDK renames a reset socket to TimeoutError; the code tells it apart from a real timeout.
    expect(classifyInvokeError(err({ name: 'TimeoutError', code: 'ECONNRESET' }))).toBe('ConnectionError');
    expect(classifyInvokeError(err({ name: 'TimeoutError' }))).toBe('Timeout');
    expect(classifyInvokeError(err({ name: 'AbortError' }))).toBe('Timeout');
    expect(classifyInvokeError(err({ code: 'ECONNREFUSED' }))).toBe('ConnectionError');
    expect(classifyInvokeError(new Error('AWS SDK error wrapper for TimeoutError: socket hang up'))).toBe('ConnectionError');
    expect(classifyInvokeError(new TypeError('x is not a function'))).toBeUndefined();
    expect(classifyInvokeError(undefined)).toBeUndefined();
    expect(classifyInvokeError(new ResponseInterruptedError(err({ code: 'ECONNRESET' })))).toBe('ResponseInterrupted');
  });

  it('tells a container that refused the request from one that failed', () => {
    const modelError = (OriginalStatusCode?: number) => err({ name: 'ModelError', OriginalStatusCode, $metadata: { httpStatusCode: 424 } });
    expect(classifyInvokeError(modelError(400))).toBe('ModelRejectedRequest');
    expect(classifyInvokeError(modelError(422))).toBe('ModelRejectedRequest');
    expect(classifyInvokeError(modelError(429))).toBe('Throttled');
    expect(classifyInvokeError(modelError(408))).toBe('ModelError');
    expect(classifyInvokeError(modelError(500))).toBe('ModelError');
    expect(classifyInvokeError(modelError(undefined))).toBe('ModelError');
    expect(modelMessageOf(err({ OriginalMessage: '{"object":"error","message":"too long","code":400}' }))).toBe('too long');
    expect(modelMessageOf(err({ OriginalMessage: 'plain words' }))).toBe('plain words');
    expect(modelMessageOf(err({}))).toBeUndefined();
  });

  it('reads Retry-After in seconds or as a date', () => {
    const withHeader = (v: string) => Object.defineProperty(err({}), '$response', { value: { headers: { 'retry-after': v } } });
    expect(retryAfterMsOf(withHeader('3'))).toBe(3000);
    expect(retryAfterMsOf(withHeader(new Date(61_000).toUTCString()), 1_000)).toBe(60_000);
    expect(retryAfterMsOf(withHeader('soon'))).toBeUndefined();
    expect(retryAfterMsOf(err({}))).toBeUndefined();
  });

  it('answers 400 for a refused request, 502 for bad answers, 503 with Retry-After for transient ones, 504 for the budget', () => {
    expect(answerForInvokeError('ModelRejectedRequest')).toMatchObject({ status: 400, code: 'invalid_request', errorClass: 'InvalidRequest' });
    expect(answerForInvokeError('ResponseInterrupted')).toMatchObject({ status: 502, code: 'model_error', errorClass: 'ResponseInterrupted' });
    expect(answerForInvokeError('Throttled', 4200)).toMatchObject({ status: 503, retryAfterSeconds: 5 });
    expect(answerForInvokeError('ModelError')).toMatchObject({ status: 502, code: 'model_error' });
    expect(answerForInvokeError('MalformedResponse')).toMatchObject({ status: 502, code: 'model_error' });
    expect(answerForInvokeError('ResponseTooLarge')).toMatchObject({ status: 502, code: 'model_error' });
    for (const c of ['Throttled', 'ModelNotReady', 'Upstream5xx', 'ConnectionError'] as const) {
      expect(answerForInvokeError(c)).toMatchObject({ status: 503, code: 'model_unavailable', retryAfterSeconds: expect.any(Number) });
    }
    expect(answerForInvokeError('Timeout')).toMatchObject({ status: 504, code: 'timeout' });
    expect(answerForInvokeError('Timeout').retryAfterSeconds).toBeUndefined();
    expect(circuitOpenAnswer(2500)).toMatchObject({ status: 503, code: 'circuit_open', retryAfterSeconds: 3, errorClass: 'CircuitOpen' });
    expect(circuitOpenAnswer(0).retryAfterSeconds).toBe(1);
  });
});
