import { answerForInvokeError, circuitOpenAnswer, classifyInvokeError } from '../../lambda/gateway/error-mapping';

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
  });

  it('answers 502 for bad answers, 503 with Retry-After for transient ones, 504 for the budget', () => {
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
