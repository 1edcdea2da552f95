import type { InvokeErrorClass } from './error-mapping';

export interface RetryPolicy {
  /** Attempts per endpoint, the first included, after a server fault or a failed connection. */
  readonly maxAttempts: number;
  /** Attempts per endpoint after throttling or not-ready: one retry, so a busy endpoint is not pushed harder. */
  readonly maxThrottledAttempts: number;
  readonly baseDelayMs: number;
  /** Throttling backs off harder, as the SDK's standard mode does (500 ms there; budgets here are tighter). */
  readonly throttleBaseDelayMs: number;
  readonly maxDelayMs: number;
  /** An attempt with less time left than this is not started: it could only time out. */
  readonly minAttemptMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, maxThrottledAttempts: 2, baseDelayMs: 25, throttleBaseDelayMs: 100, maxDelayMs: 1000, minAttemptMs: 50 };

/**
 * InvokeEndpoint is not idempotent: only errors that mean the model did not run are retried
 * (throttling, not ready, SageMaker's own 5xx, a connection that failed before any answer). A
 * ModelError (424), an answer cut off after it started, or a timeout after the request was sent
 * may have run the model, so they are final.
 */
export function isRetryable(cls: InvokeErrorClass): boolean {
  return cls === 'Throttled' || cls === 'ModelNotReady' || cls === 'Upstream5xx' || cls === 'ConnectionError';
}

const isThrottling = (cls: InvokeErrorClass) => cls === 'Throttled' || cls === 'ModelNotReady';

/**
 * Full-jitter exponential backoff, `random` in [0, 1); never shorter than the endpoint's
 * `Retry-After`. `attempt` is the 1-based attempt that failed.
 */
export function backoffMs(policy: RetryPolicy, cls: InvokeErrorClass, attempt: number, random: number, retryAfterMs = 0): number {
  const base = isThrottling(cls) ? policy.throttleBaseDelayMs : policy.baseDelayMs;
  return Math.max(retryAfterMs, Math.floor(random * Math.min(policy.maxDelayMs, base * 2 ** (attempt - 1))));
}

/** Whether another attempt fits: retryable, attempts left for its class, and time for the delay plus a useful attempt. */
export function shouldRetry(policy: RetryPolicy, cls: InvokeErrorClass, attempt: number, delayMs: number, remainingMs: number): boolean {
  const attempts = isThrottling(cls) ? policy.maxThrottledAttempts : policy.maxAttempts;
  return isRetryable(cls) && attempt < attempts && remainingMs - delayMs >= policy.minAttemptMs;
}
