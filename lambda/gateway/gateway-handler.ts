/*! cdk-inference-platform:gateway-handler */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createGateway } from './gateway';
import { loadOnce } from './policy-secrets';
import { stdoutSink } from './observability';
import { errorResponse } from './responses';
import { createRuntime } from './runtime';

/**
 * Entry point of the SafetyGateway function: API Gateway REST proxy integration,
 * `POST /models/{model}/invocations`. Config, policy secrets, SDK client and circuit breakers are
 * loaded once (starting at cold start) and live for the container.
 */
const gateway = loadOnce(async () => {
  const runtime = await createRuntime(__dirname);
  return runtime instanceof Error ? runtime : createGateway({ ...runtime, sink: stdoutSink, now: () => performance.now() });
});
void gateway();

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const serve = await gateway();
  if (serve instanceof Error) {
    const requestId = event?.requestContext?.requestId || randomUUID();
    return errorResponse(500, 'internal_error', 'the gateway is misconfigured; see its log', requestId);
  }
  return serve(event);
}
