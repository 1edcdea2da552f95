import { setTimeout as sleep } from 'node:timers/promises';
import { parseConsumerKeys } from './consumers';
import { CircuitBreakerRegistry } from './circuit-breaker';
import { createSageMakerInvoker, type InvokeEndpointFn } from './endpoint-client';
import { createSageMakerStreamInvoker, type EndpointStream, type InvokeStreamFn } from './endpoint-stream-client';
import type { GatewayConfig } from './gateway-config';
import { createModelInvoker, type ModelInvoker } from './model-invoker';
import { loadConfigWithSecrets, logLoadFailure, secretsManagerFetcher, type SecretFetcher } from './policy-secrets';
import { retryBudgets } from './retry-budget';
import { DEFAULT_RETRY_POLICY } from './retry-policy';

/** What a container builds once at cold start and shares between requests. */
export interface Runtime {
  readonly config: GatewayConfig;
  readonly invokeModel: ModelInvoker;
  /** Starts streams (streaming handler only); shares the circuit breakers and retry budgets of `invokeModel`. */
  readonly invokeStream?: ModelInvoker<EndpointStream>;
  /** API key id → consumer (team) name, for the per-consumer metrics (consumers.ts). */
  readonly consumers: ReadonlyMap<string, string>;
}

/**
 * Loads the configuration, with the models' policy secrets, and creates the one SDK client of the
 * container. A bad configuration is returned, not thrown: a handler that fails to load gives
 * callers an opaque 502 from API Gateway, while a loaded one can answer 500 with a request id and
 * log the exact problem.
 */
export async function createRuntime(baseDir: string, env: NodeJS.ProcessEnv = process.env, invoke?: InvokeEndpointFn,
  fetchSecret: SecretFetcher = secretsManagerFetcher, stream?: { readonly invoke?: InvokeStreamFn }): Promise<Runtime | Error> {
  let config: GatewayConfig;
  let consumers: ReadonlyMap<string, string>;
  try {
    config = await loadConfigWithSecrets(env, baseDir, {}, fetchSecret);
    consumers = parseConsumerKeys(env);
  } catch (err) {
    logLoadFailure(err as Error);
    return err as Error;
  }
  const now = () => performance.now();
  const shared = {
    breakers: new CircuitBreakerRegistry(now),
    retry: DEFAULT_RETRY_POLICY,
    budgets: retryBudgets(),
    now,
    random: Math.random,
    sleep: (ms: number) => sleep(ms),
  };
  const invokeModel = createModelInvoker({ ...shared, invoke: invoke ?? createSageMakerInvoker() });
  const invokeStream = stream === undefined ? undefined : createModelInvoker<EndpointStream>({ ...shared, invoke: stream.invoke ?? createSageMakerStreamInvoker() });
  return { config, invokeModel, invokeStream, consumers };
}
