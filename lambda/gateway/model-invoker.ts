import type { CircuitBreakerRegistry } from './circuit-breaker';
import type { EndpointAnswer, InvokeEndpointFn, InvokeRequest } from './endpoint-client';
import { classifyInvokeError, modelMessageOf, retryAfterMsOf, type InvokeErrorClass } from './error-mapping';
import { SAGEMAKER_MAX_BODY_BYTES, type ModelConfig } from './gateway-config';
import type { RetryBudget } from './retry-budget';
import { backoffMs, isRetryable, shouldRetry, type RetryPolicy } from './retry-policy';

export type InvokeOutcome<A = EndpointAnswer> =
  | { readonly ok: true; readonly answer: A; readonly endpoint: string; readonly report: InvokeReport }
  | {
      readonly ok: false;
      readonly errorClass: InvokeErrorClass | 'CircuitOpen';
      /** How long the caller should wait: the circuit's cooldown, or the endpoint's Retry-After. */
      readonly retryAfterMs: number;
      /** The container's message when it refused the request (ModelRejectedRequest). */
      readonly modelMessage?: string;
      readonly endpoint: string;
      readonly report: InvokeReport;
    };

export interface InvokeReport {
  readonly attempts: number;
  readonly fallbackUsed: boolean;
  /** Time spent in InvokeEndpoint calls (the ModelLatency metric); 0 when none was made. */
  readonly modelMs: number;
  /** State of the primary endpoint's circuit once the call is over. */
  readonly primaryCircuitOpen: boolean;
}

export interface ModelInvokerDeps<A = EndpointAnswer> {
  /** One attempt; for a stream it returns once the stream has started (status and headers in). */
  readonly invoke: InvokeEndpointFn | ((request: InvokeRequest) => Promise<A>);
  readonly breakers: CircuitBreakerRegistry;
  readonly retry: RetryPolicy;
  /** The container's retry allowance per endpoint, shared by all its requests. */
  readonly budgets: (endpoint: string) => RetryBudget;
  readonly now: () => number;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * Calls a model within its latency budget: the primary endpoint with retries for retryable
 * errors (each paid from the container's retry budget, none once the answer has started to
 * arrive, never sooner than the endpoint's Retry-After), then the fallback endpoint (if
 * configured) when the primary's circuit is open or it ended unavailable. Every attempt gets
 * the time left in the latency budget as its deadline.
 */
export interface InvokeOptions {
  /** Time for every attempt; a stream's is its time to first token. @default model.timeoutMs */
  readonly budgetMs?: number;
  /** Aborts the call, also once it has returned a stream (a client that left, a stalled stream). */
  readonly signal?: AbortSignal;
}

export interface ModelInvoker<A = EndpointAnswer> {
  (model: ModelConfig, body: string, requestId: string, options?: InvokeOptions): Promise<InvokeOutcome<A>>;
  /** Whether the primary endpoint's circuit is not closed (open or waiting for a probe). */
  circuitOpen(model: ModelConfig): boolean;
  /** A stream that broke off after it had started: counted against that endpoint's circuit. */
  streamFailed(model: ModelConfig, endpoint: string, cls: InvokeErrorClass): void;
}

export function createModelInvoker<A = EndpointAnswer>(deps: ModelInvokerDeps<A>): ModelInvoker<A> {
  const circuitOpen = (model: ModelConfig) => deps.breakers.forEndpoint(model.endpointName, model.circuitBreaker).currentState !== 'closed';
  const streamFailed = (model: ModelConfig, endpoint: string, cls: InvokeErrorClass) => deps.breakers.forEndpoint(endpoint, model.circuitBreaker).onFailure(cls);
  return Object.assign(invokeModel, { circuitOpen, streamFailed });

  async function invokeModel(model: ModelConfig, body: string, requestId: string, options: InvokeOptions = {}): Promise<InvokeOutcome<A>> {
    const deadline = deps.now() + (options.budgetMs ?? model.timeoutMs);
    if (options.signal?.aborted) throw options.signal.reason;
    const endpoints = model.fallbackEndpointName === undefined ? [model.endpointName] : [model.endpointName, model.fallbackEndpointName];
    let attempts = 0;
    let modelMs = 0;
    let last: { errorClass: InvokeErrorClass | 'CircuitOpen'; retryAfterMs: number; modelMessage?: string; endpoint: string } | undefined;
    const primary = deps.breakers.forEndpoint(model.endpointName, model.circuitBreaker);
    const report = (fallbackUsed: boolean): InvokeReport => ({ attempts, fallbackUsed, modelMs, primaryCircuitOpen: primary.currentState !== 'closed' });

    for (let e = 0; e < endpoints.length; e++) {
      const endpoint = endpoints[e];
      const breaker = deps.breakers.forEndpoint(endpoint, model.circuitBreaker);
      for (let attempt = 1; ; attempt++) {
        if (!breaker.tryAcquire()) {
          last = { errorClass: 'CircuitOpen', retryAfterMs: breaker.retryAfterMs(), endpoint };
          break;
        }
        const remaining = deadline - deps.now();
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), Math.max(1, remaining));
        const forward = () => controller.abort();
        options.signal?.addEventListener('abort', forward, { once: true });
        const started = deps.now();
        attempts++;
        let cls: InvokeErrorClass | undefined;
        let failure: unknown;
        try {
          const answer = (await deps.invoke({ endpointName: endpoint, inferenceComponentName: model.inferenceComponentName, body, inferenceId: requestId, signal: controller.signal })) as A;
          modelMs += deps.now() - started;
          breaker.onSuccess();
          deps.budgets(endpoint).onSuccess();
          if (answer instanceof Object && 'body' in answer && answer.body instanceof Uint8Array && answer.body.byteLength > SAGEMAKER_MAX_BODY_BYTES) {
            return { ok: false, errorClass: 'ResponseTooLarge', retryAfterMs: 0, endpoint, report: report(e > 0) };
          }
          return { ok: true, answer, endpoint, report: report(e > 0) };
        } catch (err) {
          modelMs += deps.now() - started;
          failure = err;
          options.signal?.removeEventListener('abort', forward);
          if (options.signal?.aborted) {
            // The caller gave up (the client left): nothing to say about the endpoint.
            breaker.release();
            throw err;
          }
          cls = controller.signal.aborted ? 'Timeout' : classifyInvokeError(err);
          if (cls === undefined) {
            // Not an answer from the endpoint but a fault of ours (a bundling or SDK bug): 500.
            breaker.release();
            throw err;
          }
          breaker.onFailure(cls);
        } finally {
          // The deadline covers the start only; a stream's own timers take over from there.
          clearTimeout(timer);
        }
        const retryAfterMs = retryAfterMsOf(failure) ?? 0;
        last = { errorClass: cls, retryAfterMs, modelMessage: cls === 'ModelRejectedRequest' ? modelMessageOf(failure) : undefined, endpoint };
        const delay = backoffMs(deps.retry, cls, attempt, deps.random(), retryAfterMs);
        if (!shouldRetry(deps.retry, cls, attempt, delay, deadline - deps.now()) || !deps.budgets(endpoint).tryTake()) break;
        if (delay > 0) await deps.sleep(delay);
      }
      const next = last!.errorClass === 'CircuitOpen' || isRetryable(last!.errorClass);
      if (!next || deadline - deps.now() < deps.retry.minAttemptMs) break;
    }
    return { ok: false, ...last!, report: report(last!.endpoint !== model.endpointName) };
  }
}
