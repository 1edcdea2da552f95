import * as http from 'node:http';
import * as https from 'node:https';
import { InvokeEndpointCommand, SageMakerRuntimeClient, type SageMakerRuntimeClientConfig } from '@aws-sdk/client-sagemaker-runtime';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { SignatureV4 } from '@smithy/signature-v4';
import { SAGEMAKER_MAX_BODY_BYTES } from './gateway-config';
import { headerValue, invocationHeaders, invocationPath, serviceErrorOf, updatedClockOffsetMs, type WireResponse } from './sagemaker-wire';

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

/** One attempt against one endpoint; throws the service's error (shaped like the SDK's) or the transport's. */
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

/** As the SDK's node handler: a socket that has not connected by then is given up. */
const CONNECT_TIMEOUT_MS = 3000;

/** Where and how requests go: resolved once per container from the SDK client's configuration. */
interface Target {
  readonly url: URL;
  readonly basePath: string;
  readonly agent: http.Agent;
  readonly signer: SignatureV4;
}

/**
 * InvokeEndpoint, once per container. The SDK client resolves what it resolves for its own
 * calls: region, the credential chain, the endpoint rules (`AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME`,
 * FIPS, dual-stack, partitions) and the hash; the request is then signed with the SDK's SigV4
 * signer and sent on a kept-alive connection without the SDK's per-call middleware stack, which
 * cost ~0.4 ms of CPU per call, more than all the gateway's safety checks (`npm run bench`). The
 * wire format is sagemaker-wire.ts; test/gateway/sagemaker-wire.test.ts holds both to what the
 * SDK's own client sends and reads. No retries here: the gateway's retry policy owns the budget.
 * `config` goes to the SDK client (tests pass a credential provider).
 */
export function createSageMakerInvoker(config: SageMakerRuntimeClientConfig = {}): InvokeEndpointFn {
  const client = new SageMakerRuntimeClient({ ...config, maxAttempts: 1 });
  let target: Promise<Target> | undefined;
  // As the SDK: corrected from the answers' Date headers when the local clock is 5 minutes off.
  let clockOffsetMs = 0;
  const resolveTarget = () =>
    (target ??= targetOf(client).catch((err: unknown) => {
      // A credential or configuration failure is tried again on the next request.
      target = undefined;
      throw err;
    }));

  return async (request) => {
    const { url, basePath, agent, signer } = await resolveTarget();
    const body = Buffer.from(request.body, 'utf8');
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: basePath + invocationPath(request.endpointName),
      query: {},
      headers: invocationHeaders(request, url.host, body.length),
      body,
    }, { signingDate: new Date(Date.now() + clockOffsetMs) });
    const response = await send(url, agent, signed.path, signed.headers, body, request.signal);
    clockOffsetMs = updatedClockOffsetMs(headerValue(response.headers, 'date'), clockOffsetMs, Date.now());
    if (response.status < 200 || response.status >= 300) throw serviceErrorOf(response);
    return { body: response.body, contentType: headerValue(response.headers, 'content-type'), variant: headerValue(response.headers, 'x-amzn-invoked-production-variant') };
  };
}

/** The endpoint the SDK's rules give for InvokeEndpoint, and a signer with the client's credentials. */
async function targetOf(client: SageMakerRuntimeClient): Promise<Target> {
  const endpoint = await getEndpointFromInstructions({ EndpointName: '' }, InvokeEndpointCommand, client.config);
  const url = new URL(String(endpoint.url));
  const scheme = (endpoint.properties?.authSchemes as { signingName?: string; signingRegion?: string }[] | undefined)?.[0];
  const signer = new SignatureV4({
    // The provider, not its value: the SDK's memoized chain refreshes credentials before they expire.
    credentials: client.config.credentials,
    region: scheme?.signingRegion ?? (await client.config.region()),
    service: scheme?.signingName ?? 'sagemaker',
    sha256: client.config.sha256,
    uriEscapePath: true,
  });
  const agentOptions = { keepAlive: true, maxSockets: 128 };
  const agent = url.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  return { url, basePath: url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname, agent, signer };
}

/**
 * One request and its whole answer. An error once the status line is in becomes a
 * ResponseInterruptedError; the answer is read to one byte past SageMaker's limit, which is
 * enough for the caller to refuse it, and not further.
 */
function send(url: URL, agent: http.Agent, path: string, headers: Record<string, string>, body: Buffer, signal: AbortSignal): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    let started = false;
    const transport = url.protocol === 'https:' ? https : http;
    // An IPv6 literal is `[::1]` in a URL and `::1` to the socket.
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const req = transport.request({ agent, protocol: url.protocol, hostname, port: url.port, method: 'POST', path, headers, signal });
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no connection to ${url.host} within ${CONNECT_TIMEOUT_MS} ms`), { name: 'TimeoutError' })), CONNECT_TIMEOUT_MS);
      const clear = () => clearTimeout(timer);
      socket.once('connect', clear);
      socket.once('close', clear);
    });
    req.on('error', (err) => reject(started ? new ResponseInterruptedError(err) : err));
    req.on('response', (res) => {
      started = true;
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, size) });
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size > SAGEMAKER_MAX_BODY_BYTES) {
          done();
          req.destroy();
        }
      });
      res.on('end', done);
      res.on('error', (err) => reject(new ResponseInterruptedError(err)));
    });
    req.end(body);
  });
}
