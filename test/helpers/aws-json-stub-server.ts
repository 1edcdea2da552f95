import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server on 127.0.0.1 speaking the AWS JSON protocols (1.0 and 1.1): `POST /` with
 * `X-Amz-Target: <service>.<Operation>` and a JSON body. Secrets Manager, SageMaker, Application
 * Auto Scaling and CloudWatch clients of the real SDK can all be pointed at it. Each operation gets a
 * behaviour; every call is recorded.
 */
export type JsonReply = { readonly status?: number; readonly body: unknown };
export type Operation = (input: Record<string, unknown>) => JsonReply | Promise<JsonReply>;

export interface JsonStubServer {
  readonly url: string;
  readonly calls: Array<{ operation: string; input: Record<string, unknown> }>;
  on(operation: string, behaviour: Operation): void;
  callsOf(operation: string): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** A modeled service error as the JSON protocols send it (`__type` names the exception). */
export function awsError(type: string, message: string, status = 400): JsonReply {
  return { status, body: { __type: type, message } };
}

export function ok(body: unknown = {}): JsonReply {
  return { status: 200, body };
}

export async function startJsonStubServer(): Promise<JsonStubServer> {
  const behaviours = new Map<string, Operation>();
  const calls: Array<{ operation: string; input: Record<string, unknown> }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const operation = target.slice(target.indexOf('.') + 1);
        const text = Buffer.concat(chunks).toString('utf8');
        const input = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
        calls.push({ operation, input });
        const behaviour = behaviours.get(operation);
        const reply = behaviour ? await behaviour(input) : awsError('UnknownOperationException', `no stub for ${operation}`);
        const contentType = String(req.headers['content-type'] ?? 'application/x-amz-json-1.1');
        res.writeHead(reply.status ?? 200, { 'content-type': contentType, 'x-amzn-requestid': `stub-${calls.length}` });
        res.end(JSON.stringify(reply.body));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    on: (operation, behaviour) => void behaviours.set(operation, behaviour),
    callsOf: (operation) => calls.filter((c) => c.operation === operation).map((c) => c.input),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
