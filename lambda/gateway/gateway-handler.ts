/*! cdk-inference-platform:gateway-handler */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { InvokeEndpointFn } from './endpoint-client';
import { createGateway } from './gateway';
import { loadOnce } from './policy-secrets';
import { stdoutSink } from './observability';
import { errorResponse } from './responses';
import { createRuntime } from './runtime';

export type GatewayEntry = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * A gateway for an environment: config, policy secrets, SDK client and circuit breakers are loaded
 * once (starting at once, so at cold start) and live as long as it does; a secret that could not be
 * read is tried again on the next request. `invoke` replaces the SageMaker client (the bundle's
 * property tests reach the model in memory).
 */
export function createHandler(env: NodeJS.ProcessEnv = process.env, invoke?: InvokeEndpointFn): GatewayEntry {
  const gateway = loadOnce(async () => {
    const runtime = await createRuntime(__dirname, env, invoke);
    if (runtime instanceof Error) return runtime;
    return createGateway({ ...runtime, sink: stdoutSink, now: () => performance.now() });
  });
  void gateway();
  return async (event) => {
    const serve = await gateway();
    if (serve instanceof Error) {
      const requestId = event?.requestContext?.requestId || randomUUID();
      return errorResponse(500, 'internal_error', 'the gateway is misconfigured; see its log', requestId);
    }
    return serve(event);
  };
}

/** Entry point of the SafetyGateway function: API Gateway REST proxy integration, `POST /models/{model}/invocations`. */
export const handler: GatewayEntry = createHandler();
