import * as http from 'node:http';
import * as https from 'node:https';
import { InvokeEndpointWithResponseStreamCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { InvokeRequest } from './endpoint-client';

/** A stream that has started: the container's bytes as they arrive, in SageMaker's PayloadPart events. */
export interface EndpointStream {
  readonly parts: AsyncIterable<Uint8Array>;
  readonly variant?: string;
}

/**
 * The model reported a failure inside the stream (`ModelStreamError`, e.g. `ModelInvocationTimeExceeded`,
 * `StreamBroken`) or SageMaker did (`InternalStreamFailure`): the answer was cut off after it started.
 */
export class ModelStreamFailure extends Error {
  constructor(
    readonly kind: 'ModelStreamError' | 'InternalStreamFailure',
    readonly errorCode: string | undefined,
  ) {
    super(`the model's stream failed (${kind}${errorCode ? `: ${errorCode}` : ''})`);
    this.name = 'ModelStreamFailure';
  }
}

/** One attempt to start a stream; throws what the SDK or the transport threw. */
export type InvokeStreamFn = (request: InvokeRequest) => Promise<EndpointStream>;

/**
 * `InvokeEndpointWithResponseStream` with the SageMaker Runtime client, one per container: the
 * response is `application/vnd.amazon.eventstream`, which the SDK decodes into PayloadPart,
 * ModelStreamError and InternalStreamFailure events. Keep-alive on, SDK retries off (the gateway
 * retries only before the stream starts). `signal` aborts the call at any point, also mid-stream.
 */
export function createSageMakerStreamInvoker(): InvokeStreamFn {
  const agentOptions = { keepAlive: true, maxSockets: 128 };
  const client = new SageMakerRuntimeClient({
    maxAttempts: 1,
    requestHandler: { httpAgent: new http.Agent(agentOptions), httpsAgent: new https.Agent(agentOptions), connectionTimeout: 3000 },
  });
  return async ({ endpointName, inferenceComponentName, body, inferenceId, signal }) => {
    const out = await client.send(
      new InvokeEndpointWithResponseStreamCommand({
        EndpointName: endpointName,
        InferenceComponentName: inferenceComponentName,
        Body: Buffer.from(body, 'utf8'),
        ContentType: 'application/json',
        InferenceId: inferenceId.slice(0, 64),
      }),
      { abortSignal: signal },
    );
    const events = out.Body;
    async function* parts(): AsyncGenerator<Uint8Array> {
      if (events === undefined) return;
      for await (const event of events) {
        if (event.PayloadPart !== undefined) {
          if (event.PayloadPart.Bytes !== undefined && event.PayloadPart.Bytes.byteLength > 0) yield event.PayloadPart.Bytes;
        } else if (event.ModelStreamError !== undefined) {
          throw new ModelStreamFailure('ModelStreamError', event.ModelStreamError.ErrorCode);
        } else if (event.InternalStreamFailure !== undefined) {
          throw new ModelStreamFailure('InternalStreamFailure', undefined);
        }
      }
    }
    return { parts: parts(), variant: out.InvokedProductionVariant };
  };
}
