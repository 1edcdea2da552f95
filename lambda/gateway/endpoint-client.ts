import * as http from 'node:http';
import * as https from 'node:https';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';

/** What one successful InvokeEndpoint call returned. */
export interface EndpointAnswer {
  readonly body: Uint8Array;
  readonly contentType?: string;
  /** `x-Amzn-Invoked-Production-Variant`: the variant that served, for canary analysis. */
  readonly variant?: string;
}

export interface InvokeRequest {
  readonly endpointName: string;
  readonly inferenceComponentName?: string;
  readonly body: string;
  /** Goes to data capture as the inference id, so captured records can be joined with the gateway's logs. */
  readonly inferenceId: string;
  readonly signal: AbortSignal;
}

/** One attempt against one endpoint; throws the SDK's or the transport's error. */
export type InvokeEndpointFn = (request: InvokeRequest) => Promise<EndpointAnswer>;

/**
 * The connection failed after the answer had started to arrive: the model ran, so the attempt
 * must not be repeated. Wraps the transport's error.
 */
export class ResponseInterruptedError extends Error {
  constructor(readonly cause: unknown) {
    super('the answer was cut off after it had started');
    this.name = 'ResponseInterruptedError';
  }
}

/**
 * The SageMaker Runtime client, created once per container. Region, credentials and
 * `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME` come from the SDK's standard environment. Connections are
 * kept alive (the TLS handshake would otherwise dominate the gateway's overhead), and the SDK's
 * own retries are off: the gateway's retry policy owns the latency budget.
 */
export function createSageMakerInvoker(): InvokeEndpointFn {
  const agentOptions = { keepAlive: true, maxSockets: 128 };
  const client = new SageMakerRuntimeClient({
    maxAttempts: 1,
    requestHandler: {
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
      connectionTimeout: 3000,
    },
  });
  return async ({ endpointName, inferenceComponentName, body, inferenceId, signal }) => {
    const command = new InvokeEndpointCommand({
      EndpointName: endpointName,
      InferenceComponentName: inferenceComponentName,
      Body: Buffer.from(body, 'utf8'),
      ContentType: 'application/json',
      Accept: 'application/json',
      InferenceId: inferenceId.slice(0, 64),
    });
    // Innermost in the deserialize step: `next` returns once the status and headers are in,
    // before the body is read.
    let responseStarted = false;
    command.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        responseStarted = true;
        return out;
      },
      { step: 'deserialize', priority: 'low', name: 'gatewayResponseStarted' },
    );
    try {
      const out = await client.send(command, { abortSignal: signal });
      return { body: out.Body ?? new Uint8Array(0), contentType: out.ContentType, variant: out.InvokedProductionVariant };
    } catch (err) {
      // A modeled error (ModelError, throttling, 5xx) is a complete answer; anything else after
      // the headers arrived is a transfer that broke off.
      if (responseStarted && (err as { $fault?: string })?.$fault === undefined) throw new ResponseInterruptedError(err);
      throw err;
    }
  };
}
