/*! cdk-inference-platform:gateway-handler */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { InvokeEndpointFn } from './endpoint-client';
import { createGateway } from './gateway';
import { stdoutSink } from './observability';
import { errorResponse } from './responses';
import { createRuntime } from './runtime';

export type GatewayEntry = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * A gateway for an environment: config, SDK client and circuit breakers live as long as it does.
 * `invoke` replaces the SageMaker client (the bundle's property tests reach the model in memory).
 */
export function createHandler(env: NodeJS.ProcessEnv = process.env, invoke?: InvokeEndpointFn): GatewayEntry {
  const runtime = createRuntime(__dirname, env, invoke);
  const gateway = runtime instanceof Error ? undefined : createGateway({ ...runtime, sink: stdoutSink, now: () => performance.now() });
  return async (event) => {
    if (gateway === undefined) {
      const requestId = event?.requestContext?.requestId || randomUUID();
      return errorResponse(500, 'internal_error', 'the gateway is misconfigured; see its log', requestId);
    }
    return gateway(event);
  };
}

/**
 * Entry point of the SafetyGateway function: API Gateway REST proxy integration,
 * `POST /models/{model}/invocations`, one gateway per container.
 */
export const handler: GatewayEntry = createHandler();
