/*! cdk-inference-platform:gateway-handler */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createGateway } from './gateway';
import { stdoutSink } from './observability';
import { errorResponse } from './responses';
import { createRuntime } from './runtime';

/**
 * Entry point of the SafetyGateway function: API Gateway REST proxy integration,
 * `POST /models/{model}/invocations`. Config, SDK client and circuit breakers live for the container.
 */
const runtime = createRuntime(__dirname);
const gateway = runtime instanceof Error ? undefined : createGateway({ ...runtime, sink: stdoutSink, now: () => performance.now() });

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  if (gateway === undefined) {
    const requestId = event?.requestContext?.requestId || randomUUID();
    return errorResponse(500, 'internal_error', 'the gateway is misconfigured; see its log', requestId);
  }
  return gateway(event);
}
