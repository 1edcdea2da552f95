/*! cdk-inference-platform:gateway-streaming-handler */
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { InvokeEndpointFn } from './endpoint-client';
import type { InvokeStreamFn } from './endpoint-stream-client';
import { stdoutSink } from './observability';
import { loadOnce, secretsManagerFetcher } from './policy-secrets';
import { errorResponse } from './responses';
import { createRuntime } from './runtime';
import { createStreamingGateway, type ResponseSink } from './streaming-gateway';

/**
 * The globals the Lambda Node.js runtime provides to a response-streaming function
 * ("Response streaming for Lambda functions": `awslambda.streamifyResponse` marks the handler,
 * `awslambda.HttpResponseStream.from` writes the HTTP status and headers before the body).
 */
interface LambdaStreamingGlobals {
  streamifyResponse(handler: (event: APIGatewayProxyEvent, responseStream: Writable, context: unknown) => Promise<void>): unknown;
  HttpResponseStream: { from(stream: Writable, prelude: { statusCode: number; headers?: Record<string, string> }): Writable };
}

declare const awslambda: LambdaStreamingGlobals;

export type StreamingEntry = (event: APIGatewayProxyEvent, responseStream: Writable) => Promise<void>;

/** A streaming handler for an environment; `invoke`/`invokeStream` replace the SageMaker clients (tests). */
export function createStreamingHandler(env: NodeJS.ProcessEnv = process.env, invoke?: InvokeEndpointFn, invokeStream?: InvokeStreamFn): StreamingEntry {
  const gateway = loadOnce(async () => {
    const runtime = await createRuntime(__dirname, env, invoke, secretsManagerFetcher, { invoke: invokeStream });
    if (runtime instanceof Error) return runtime;
    return createStreamingGateway({ ...runtime, invokeStream: runtime.invokeStream!, sink: stdoutSink, now: () => performance.now() });
  });
  void gateway();
  return async (event, responseStream) => {
    const sink = lambdaSink(responseStream);
    const serve = await gateway();
    if (serve instanceof Error) {
      const r = errorResponse(500, 'internal_error', 'the gateway is misconfigured; see its log', event?.requestContext?.requestId || randomUUID());
      sink.start(r.statusCode, r.headers as Record<string, string>);
      return sink.end(r.body);
    }
    return serve(event, sink);
  };
}

/**
 * Lambda's response stream as the gateway's sink. A client that disconnects destroys the stream
 * (or makes writes fail): either way the gateway hears of it once and stops the model call.
 */
export function lambdaSink(responseStream: Writable): ResponseSink {
  let body: Writable | undefined;
  let ended = false;
  let gone: (() => void) | undefined;
  const leave = () => {
    if (ended) return;
    ended = true;
    gone?.();
  };
  responseStream.once('close', leave);
  responseStream.once('error', leave);
  return {
    start(statusCode, headers) {
      body = awslambda.HttpResponseStream.from(responseStream, { statusCode, headers });
    },
    write(chunk) {
      if (ended) throw new Error('the client is gone');
      body!.write(chunk);
    },
    end(chunk) {
      return new Promise<void>((resolve) => {
        if (ended) return resolve();
        ended = true;
        body!.end(chunk, () => resolve());
      });
    },
    onClientGone(listener) {
      gone = listener;
    },
  };
}

/** Entry point of the SafetyGateway's streaming function (REST integrations with ResponseTransferMode STREAM). */
export const handler = awslambda.streamifyResponse(createStreamingHandler());
