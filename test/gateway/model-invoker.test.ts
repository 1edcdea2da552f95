import { CircuitBreakerRegistry } from '../../lambda/gateway/circuit-breaker';
import type { EndpointAnswer, InvokeRequest } from '../../lambda/gateway/endpoint-client';
import { parseGatewayConfig, type ModelConfig } from '../../lambda/gateway/gateway-config';
import { ResponseInterruptedError } from '../../lambda/gateway/endpoint-client';
import { createModelInvoker } from '../../lambda/gateway/model-invoker';
import { RetryBudget, retryBudgets } from '../../lambda/gateway/retry-budget';
import { backoffMs, DEFAULT_RETRY_POLICY, isRetryable, shouldRetry } from '../../lambda/gateway/retry-policy';

type Step = {
  fail?: { name?: string; code?: string; status?: number; retryAfter?: string; originalStatus?: number; originalMessage?: string };
  interrupted?: boolean;
  ms?: number;
  bytes?: number;
  hang?: boolean;
};

/** A fake endpoint per name, a fake clock that the fake calls and sleeps advance. */
function harness(script: Record<string, Step[]>, modelExtra: Record<string, unknown> = {}, budgetCapacity = 10) {
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
    if (step.interrupted) throw new ResponseInterruptedError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    if (step.fail) {
      const f = step.fail;
      const err = Object.assign(new Error('x'), { name: f.name ?? 'Error', code: f.code, $metadata: { httpStatusCode: f.status }, OriginalStatusCode: f.originalStatus, OriginalMessage: f.originalMessage });
      // The SDK keeps the raw response on a non-enumerable $response.
      if (f.retryAfter !== undefined) Object.defineProperty(err, '$response', { value: { headers: { 'Retry-After': f.retryAfter } }, enumerable: false });
      throw err;
    }
    return { body: new Uint8Array(step.bytes ?? 2), variant: 'v1' };
  };
  const model: ModelConfig = parseGatewayConfig({
    stage: 's',
    models: { m: { endpointName: 'primary', format: 'raw', rawPaths: { request: ['a'], response: ['b'] }, timeoutMs: 1000, maxRequestBytes: 100, policy: { preset: 'standard' }, ...modelExtra } },
  }).models.get('m')!;
  const breakers = new CircuitBreakerRegistry(() => t);
  const budgets = retryBudgets(budgetCapacity);
  const invokeModel = createModelInvoker({
    invoke,
    breakers,
    retry: DEFAULT_RETRY_POLICY,
    budgets,
    now: () => t,
    random: () => 0.5,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
  });
  return { run: () => invokeModel(model, '{}', 'req-1'), calls, slept, breakers, budgets, advance: (ms: number) => (t += ms) };
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

  it('never waits less than the endpoint asks', () => {
    expect(backoffMs(DEFAULT_RETRY_POLICY, 'Throttled', 1, 0.5, 800)).toBe(800);
    expect(backoffMs(DEFAULT_RETRY_POLICY, 'Throttled', 1, 0.5, 10)).toBe(50);
  });

  it('stops when attempts or the budget run out; throttling gets one retry', () => {
    expect(shouldRetry(DEFAULT_RETRY_POLICY, 'Throttled', 1, 10, 1000)).toBe(true);
    expect(shouldRetry(DEFAULT_RETRY_POLICY, 'Throttled', 2, 10, 1000)).toBe(false);
    expect(shouldRetry(DEFAULT_RETRY_POLICY, 'ModelNotReady', 2, 10, 1000)).toBe(false);
    expect(shouldRetry(DEFAULT_RETRY_POLICY, 'Upstream5xx', 2, 10, 1000)).toBe(true);
    expect(shouldRetry(DEFAULT_RETRY_POLICY, 'Upstream5xx', 3, 10, 1000)).toBe(false);
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
    expect(h.budgets('primary').available).toBeCloseTo(9.2);
  });

  it('never retries once the answer had started to arrive: the model ran', async () => {
    const h = harness({ primary: [{ interrupted: true }, {}] });
    expect(await h.run()).toMatchObject({ ok: false, errorClass: 'ResponseInterrupted', report: { attempts: 1 } });
  });

  it('retries throttling once, after the Retry-After the endpoint asked for, and passes a longer one on', async () => {
    const h = harness({ primary: [{ fail: { name: 'ThrottlingException', status: 429, retryAfter: '0' } }, { fail: { name: 'ThrottlingException', status: 429 } }] });
    expect(await h.run()).toMatchObject({ ok: false, errorClass: 'Throttled', report: { attempts: 2 } });
    const wait = harness({ primary: [{ fail: { name: 'ThrottlingException', status: 429, retryAfter: '1' } }, {}] }, { timeoutMs: 5000 });
    expect(await wait.run()).toMatchObject({ ok: true, report: { attempts: 2 } });
    expect(wait.slept).toEqual([1000]);
    // A Retry-After beyond the latency budget: no retry, and the caller is told when to come back.
    const later = harness({ primary: [{ fail: { name: 'ThrottlingException', status: 429, retryAfter: '30' } }, {}] });
    expect(await later.run()).toMatchObject({ ok: false, errorClass: 'Throttled', retryAfterMs: 30_000, report: { attempts: 1 } });
  });

  it('pays every retry from the container budget, so retries cannot multiply an overload', async () => {
    const requests = 50;
    const h = harness({ primary: Array.from({ length: 200 }, () => throttle) }, {}, 5);
    for (let i = 0; i < requests; i++) await h.run();
    // 50 requests, at most 5 retries in all (the capacity), none refilled without a success.
    expect(h.calls).toHaveLength(requests + 5);
    const budget = new RetryBudget(2, 0.5);
    expect([budget.tryTake(), budget.tryTake(), budget.tryTake()]).toEqual([true, true, false]);
    budget.onSuccess();
    budget.onSuccess();
    expect(budget.tryTake()).toBe(true);
  });

  it('answers a container that refused the request (a 4xx ModelError) as the caller\'s error, with its message', async () => {
    const h = harness({ primary: [{ fail: { name: 'ModelError', status: 424, originalStatus: 400, originalMessage: '{"object":"error","message":"max_tokens is too large"}' } }] });
    expect(await h.run()).toMatchObject({ ok: false, errorClass: 'ModelRejectedRequest', modelMessage: 'max_tokens is too large', report: { attempts: 1 } });
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
