import { CircuitBreaker, CircuitBreakerRegistry, isServerFault } from '../../lambda/gateway/circuit-breaker';

function breaker() {
  let t = 0;
  const b = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, now: () => t });
  return { b, advance: (ms: number) => (t += ms) };
}

describe('circuit breaker', () => {
  it('opens after N consecutive server faults and refuses calls until the cooldown ends', () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 2; i++) {
      expect(b.tryAcquire()).toBe(true);
      b.onFailure('Upstream5xx');
    }
    expect(b.currentState).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
    b.onFailure('ConnectionError');
    expect(b.currentState).toBe('open');
    expect(b.tryAcquire()).toBe(false);
    advance(400);
    expect(b.retryAfterMs()).toBe(600);
    advance(600);
    expect(b.currentState).toBe('half-open');
  });

  it('lets one probe through when half-open: success closes, failure reopens', () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.onFailure('Timeout');
    advance(1000);
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    b.onFailure('Upstream5xx');
    expect(b.currentState).toBe('open');
    expect(b.retryAfterMs()).toBe(1000);
    advance(1000);
    expect(b.tryAcquire()).toBe(true);
    b.onSuccess();
    expect(b.currentState).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
  });

  it('treats answers from a working endpoint as health, and resets the count', () => {
    const { b } = breaker();
    b.onFailure('Upstream5xx');
    b.onFailure('Upstream5xx');
    b.onFailure('ModelError');
    b.onFailure('Upstream5xx');
    b.onFailure('Throttled');
    expect(b.currentState).toBe('closed');
    expect(['Upstream5xx', 'ConnectionError', 'ResponseInterrupted', 'Timeout'].every((c) => isServerFault(c as never))).toBe(true);
    expect(['ModelError', 'ModelRejectedRequest', 'Throttled', 'ModelNotReady', 'MalformedResponse'].some((c) => isServerFault(c as never))).toBe(false);
  });

  it('release frees a half-open probe without a verdict', () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.onFailure('Timeout');
    advance(1000);
    expect(b.tryAcquire()).toBe(true);
    b.release();
    expect(b.tryAcquire()).toBe(true);
  });

  it('keeps one breaker per endpoint', () => {
    const r = new CircuitBreakerRegistry(() => 0);
    const a = r.forEndpoint('a', { failureThreshold: 1, cooldownMs: 10 });
    expect(r.forEndpoint('a', { failureThreshold: 1, cooldownMs: 10 })).toBe(a);
    a.onFailure('Timeout');
    expect(r.forEndpoint('b', { failureThreshold: 1, cooldownMs: 10 }).currentState).toBe('closed');
  });
});
