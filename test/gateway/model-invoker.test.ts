import { CircuitBreakerRegistry } from '../../lambda/gateway/circuit-breaker';
import type { EndpointAnswer, InvokeRequest } from '../../lambda/gateway/endpoint-client';
import { parseGatewayConfig, type ModelConfig } from '../../lambda/gateway/gateway-config';
import { createModelInvoker } from '../../lambda/gateway/model-invoker';
import { backoffMs, DEFAULT_RETRY_POLICY, isRetryable, shouldRetry } from '../../lambda/gateway/retry-policy';

type Step = { fail?: { name?: string; code?: string; status?: number }; ms?: number; bytes?: number; hang?: boolean };

/** A fake endpoint per name, a fake clock that the fake calls and sleeps advance. */
function harness(script: Record<string, Step[]>, modelExtra: Record<string, unknown> = {}) {
  let t = 0;
  const calls: string[] = [];
  const slept: number[] = [];
  const invoke = async (req: InvokeRequest): Promise<EndpointAnswer> => {
    calls.push(req.endpointName);
    const step = script[req.endpointName].shift() ?? {};
    if (step.hang) {
      await new Promise<void>((resolve) => req.signal.addEventListener('abort', () => resolve()));
      throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    }
    t += step.ms ?? 10;
    if (step.fail) throw Object.assign(new Error('x'), { name: step.fail.name ?? 'Error', code: step.fail.code, $metadata: { httpStatusCode: step.fail.status } });
    return { body: new Uint8Array(step.bytes ?? 2), variant: 'v1' };
  };
  const model: ModelConfig = parseGatewayConfig({
    stage: 's',
    models: { m: { endpointName: 'primary', format: 'raw', rawPaths: { request: ['a'], response: ['b'] }, timeoutMs: 1000, maxRequestBytes: 100, policy: { preset: 'standard' }, ...modelExtra } },
  }).models.get('m')!;
  const breakers = new CircuitBreakerRegistry(() => t);
  const invokeModel = createModelInvoker({
    invoke,
    breakers,
    retry: DEFAULT_RETRY_POLICY,
    now: () => t,
    random: () => 0.5,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
  });
  return { run: () => invokeModel(model, '{}', 'req-1'), calls, slept, breakers, advance: (ms: number) => (t += ms) };
}

const throttle = { fail: { name: 'ThrottlingException', status: 429 } };
const internal = { fail: { name: 'InternalFailure', status: 500 } };

describe('retry policy', () => {
  it('retries only errors that mean the model did not run', () => {
    expect(['Throttled', 'ModelNotReady', 'Upstream5xx', 'ConnectionError'].every((c) => isRetryable(c as never))).toBe(true);
    expect(['ModelError', 'Timeout', 'MalformedResponse', 'ResponseTooLarge', 'UpstreamRejected'].some((c) => isRetryable(c as never))).toBe(false);
  });

  it('backs off exponentially with full jitter, capped, harder for throttling', () => {
    expect(backoffMs(DEFAULT_RETRY_POLICY, 'Upstream5xx', 1, 0.999)).toBe(24);
    expect(backoffMs(DEFAULT_RETRY_POLICY, 'Upstream5xx', 3, 0.999)).toBe(99);
    expect(backoffMs(DEFAULT_RETRY_POLICY, 'Throttled', 1, 0.999)).toBe(99);
    expect(backoffMs(DEFAULT_RETRY_POLICY, 'Throttled', 20, 0.999)).toBe(999);
    expect(backoffMs(DEFAULT_RETRY_POLICY, 'Throttled', 2, 0)).toBe(0);
  });

  it('stops when attempts or the budget run out', () => {
    expect(shouldRetry(DEFAULT_RETRY_POLICY, 'Throttled', 1, 10, 1000)).toBe(true);
    expect(shouldRetry(DEFAULT_RETRY_POLICY, 'Throttled', 3, 10, 1000)).toBe(false);
    expect(shouldRetry(DEFAULT_RETRY_POLICY, 'Throttled', 1, 10, 55)).toBe(false);
    expect(shouldRetry(DEFAULT_RETRY_POLICY, 'ModelError', 1, 0, 1000)).toBe(false);
  });
});

describe('model invoker', () => {
  it('returns the first success and reports attempts, model time and the variant', async () => {
    const h = harness({ primary: [throttle, { ms: 30 }] });
    const out = await h.run();
    expect(out.ok).toBe(true);
    expect(out.report).toEqual({ attempts: 2, fallbackUsed: false, modelMs: 40, primaryCircuitOpen: false });
    expect(h.slept).toEqual([50]);
  });

  it('never retries a ModelError or a timeout', async () => {
    const m = harness({ primary: [{ fail: { name: 'ModelError', status: 424 } }] });
    expect(await m.run()).toMatchObject({ ok: false, errorClass: 'ModelError', report: { attempts: 1 } });
    const t = harness({ primary: [{ hang: true }] });
    expect(await t.run()).toMatchObject({ ok: false, errorClass: 'Timeout', report: { attempts: 1 } });
  });

  it('keeps retries inside the latency budget', async () => {
    const h = harness({ primary: [{ ...internal, ms: 600 }, { ...internal, ms: 380 }, { ms: 10 }] });
    const out = await h.run();
    expect(out).toMatchObject({ ok: false, errorClass: 'Upstream5xx' });
    expect(h.calls).toEqual(['primary', 'primary']);
  });

  it('rejects oversized answers without retrying', async () => {
    const h = harness({ primary: [{ bytes: 6_291_457 }] });
    expect(await h.run()).toMatchObject({ ok: false, errorClass: 'ResponseTooLarge', report: { attempts: 1 } });
  });

  it('falls back when the primary ends unavailable, and goes straight there while its circuit is open', async () => {
    const h = harness({ primary: [internal, internal, internal], fallback: [{}, {}] }, { fallbackEndpointName: 'fallback', circuitBreaker: { failureThreshold: 3, cooldownMs: 5000 } });
    expect(await h.run()).toMatchObject({ ok: true, endpoint: 'fallback', report: { attempts: 4, fallbackUsed: true, primaryCircuitOpen: true } });
    expect(await h.run()).toMatchObject({ ok: true, endpoint: 'fallback', report: { attempts: 1, fallbackUsed: true } });
    expect(h.calls).toEqual(['primary', 'primary', 'primary', 'fallback', 'fallback']);
  });

  it('answers CircuitOpen with the time left when there is no fallback', async () => {
    const h = harness({ primary: [internal, internal, internal] }, { circuitBreaker: { failureThreshold: 3, cooldownMs: 5000 } });
    await h.run();
    h.advance(1000);
    const out = await h.run();
    expect(out).toMatchObject({ ok: false, errorClass: 'CircuitOpen', report: { attempts: 0, primaryCircuitOpen: true } });
    expect(out.ok === false && out.retryAfterMs).toBeGreaterThan(3000);
  });

  it('rethrows errors that are not endpoint failures (bugs answer 500, not 503)', async () => {
    const h = harness({ primary: [{ fail: { name: 'TypeError' } }] });
    await expect(h.run()).rejects.toThrow('x');
  });
});
