import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server on 127.0.0.1 that speaks the SageMaker Runtime InvokeEndpoint wire protocol
 * (`POST /endpoints/{name}/invocations`), so the real SDK client can be pointed at it. Each
 * endpoint name gets a behaviour; every request is recorded.
 */
export interface Reply {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Wait before answering (a slow model). */
  readonly delayMs?: number;
  /** Destroy the socket instead of answering (a connection reset). */
  readonly destroy?: boolean;
  /** Send the status, the headers and this many bytes of the body, then reset the connection. */
  readonly cutAfterBytes?: number;
}

export interface ReceivedRequest {
  readonly endpoint: string;
  /** The request target as sent (path and query), for signature checks. */
  readonly path: string;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

export type Behaviour = (req: ReceivedRequest, count: number) => Reply;

export interface StubServer {
  readonly url: string;
  readonly received: ReceivedRequest[];
  on(endpoint: string, behaviour: Behaviour): void;
  receivedBy(endpoint: string): ReceivedRequest[];
  close(): Promise<void>;
}

const ERROR_TYPE_SUFFIX = ':http://internal.amazon.com/coral/com.amazon.sagemaker/';

/** An error as SageMaker sends it: the SDK maps `x-amzn-ErrorType` (before the colon) to the modeled error. */
export function sageMakerError(status: number, type: string, body: Record<string, unknown>): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': `${type}${ERROR_TYPE_SUFFIX}`, 'x-amzn-RequestId': 'stub-request-id' },
    body: JSON.stringify(body),
  };
}

export const replies = {
  json(payload: unknown, variant = 'AllTraffic'): Reply {
    return { status: 200, headers: { 'content-type': 'application/json', 'x-Amzn-Invoked-Production-Variant': variant }, body: JSON.stringify(payload) };
  },
  modelError(): Reply {
    return sageMakerError(424, 'ModelError', {
      ErrorCode: 'CLIENT_ERROR_FROM_MODEL',
      Message: 'Received server error (500) from primary with message "boom".',
      OriginalStatusCode: 500,
      OriginalMessage: 'boom',
      LogStreamArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/chat-ep',
    });
  },
  throttling(): Reply {
    return sageMakerError(429, 'ThrottlingException', { message: 'Rate exceeded' });
  },
  modelNotReady(): Reply {
    return sageMakerError(429, 'ModelNotReadyException', { Message: 'Model is not ready' });
  },
  internalFailure(): Reply {
    return sageMakerError(500, 'InternalFailure', { message: 'Internal failure' });
  },
  serviceUnavailable(): Reply {
    return sageMakerError(503, 'ServiceUnavailable', { message: 'Service unavailable' });
  },
};

const PATH = /^\/endpoints\/([^/]+)\/invocations$/;

export async function startStubServer(): Promise<StubServer> {
  const behaviours = new Map<string, Behaviour>();
  const counts = new Map<string, number>();
  const received: ReceivedRequest[] = [];
  const delayed = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const match = req.method === 'POST' ? PATH.exec(req.url ?? '') : null;
      if (!match) {
        res.writeHead(404, { 'x-amzn-ErrorType': `UnknownOperationException${ERROR_TYPE_SUFFIX}` }).end('{}');
        return;
      }
      const endpoint = decodeURIComponent(match[1]);
      const r: ReceivedRequest = { endpoint, path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), headers: req.headers };
      received.push(r);
      const n = (counts.get(endpoint) ?? 0) + 1;
      counts.set(endpoint, n);
      const behaviour = behaviours.get(endpoint);
      const reply: Reply = behaviour
        ? behaviour(r, n)
        : sageMakerError(400, 'ValidationError', { message: `Endpoint ${endpoint} of account 123456789012 not found.` });
      const send = () => {
        if (reply.destroy) {
          req.socket.destroy();
          return;
        }
        if (res.destroyed) return;
        const body = Buffer.from(reply.body ?? '');
        if (reply.cutAfterBytes !== undefined) {
          res.writeHead(reply.status ?? 200, { 'content-length': String(body.length), ...reply.headers });
          res.write(body.subarray(0, reply.cutAfterBytes), () => setTimeout(() => req.socket.destroy(), 5));
          return;
        }
        res.writeHead(reply.status ?? 200, reply.headers ?? {});
        res.end(body);
      };
      if (reply.delayMs) {
        const timer = setTimeout(() => {
          delayed.delete(timer);
          send();
        }, reply.delayMs);
        delayed.add(timer);
      } else send();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    on: (endpoint, behaviour) => {
      behaviours.set(endpoint, behaviour);
      counts.set(endpoint, 0);
    },
    receivedBy: (endpoint) => received.filter((r) => r.endpoint === endpoint),
    close: () =>
      new Promise<void>((resolve) => {
        // A reply held back longer than the test lasts is dropped with its connection.
        delayed.forEach(clearTimeout);
        delayed.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
