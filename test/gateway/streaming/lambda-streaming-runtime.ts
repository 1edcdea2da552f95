import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * What the Lambda Node.js runtime gives a response-streaming function (aws-lambda-nodejs-runtime-interface-client,
 * `HttpResponseStream`): `awslambda.streamifyResponse` tags the handler, and `HttpResponseStream.from`
 * writes a JSON prelude (status, headers) and eight NUL bytes before the body, with the content
 * type `application/vnd.awslambda.http-integration-response` that API Gateway reads.
 */
export const STREAMING_HANDLER = Symbol.for('aws.lambda.runtime.handler.streaming');
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER_LENGTH = 8;

type StreamingFn = ((event: APIGatewayProxyEvent, responseStream: Writable, context: unknown) => Promise<void>) & { [STREAMING_HANDLER]?: string };

export function installAwsLambdaGlobals(): void {
  (globalThis as Record<string, unknown>).awslambda = {
    streamifyResponse(handler: StreamingFn) {
      handler[STREAMING_HANDLER] = 'response';
      return handler;
    },
    HttpResponseStream: {
      from(stream: Writable & { setContentType?: (t: string) => void }, prelude: { statusCode: number; headers?: Record<string, string> }) {
        stream.setContentType?.(HTTP_INTEGRATION_CONTENT_TYPE);
        stream.write(JSON.stringify(prelude));
        stream.write(new Uint8Array(DELIMITER_LENGTH));
        return stream;
      },
    },
  };
}

/**
 * The response stream the runtime hands the function, seen from API Gateway's side: the prelude
 * becomes the HTTP status and headers, the rest the body, written to `res` as it arrives.
 */
export class ResponseStreamToHttp extends Writable {
  contentType?: string;
  private head: Buffer | undefined = Buffer.alloc(0);

  constructor(private readonly res: http.ServerResponse) {
    super();
  }

  setContentType(t: string): void {
    this.contentType = t;
  }

  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (e?: Error) => void): void {
    let data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, 'utf8');
    if (this.head !== undefined) {
      const all = Buffer.concat([this.head, data]);
      const at = all.indexOf(Buffer.alloc(DELIMITER_LENGTH));
      if (at < 0) {
        this.head = all;
        return done();
      }
      const prelude = JSON.parse(all.subarray(0, at).toString('utf8')) as { statusCode: number; headers?: Record<string, string> };
      this.head = undefined;
      this.res.writeHead(prelude.statusCode, prelude.headers ?? {});
      this.res.flushHeaders();
      data = all.subarray(at + DELIMITER_LENGTH);
    }
    if (data.length > 0) this.res.write(data);
    done();
  }

  override _final(done: (e?: Error) => void): void {
    this.res.end(() => done());
  }
}

export interface HttpAdapter {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A local stand-in for API Gateway's REST API with response streaming: each HTTP request on
 * 127.0.0.1 becomes a proxy event (resource = path, as for the gateway's static routes), the
 * function streams its answer back, and a client that disconnects destroys the response stream
 * as Lambda does.
 */
export async function startHttpAdapter(handler: StreamingFn): Promise<HttpAdapter> {
  if (handler[STREAMING_HANDLER] !== 'response') throw new Error('the handler is not wrapped in awslambda.streamifyResponse');
  let seq = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      const event = {
        resource: path,
        path,
        httpMethod: req.method ?? 'POST',
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: Buffer.concat(chunks).toString('utf8'),
        isBase64Encoded: false,
        pathParameters: null,
        requestContext: { requestId: `adapter-${++seq}` },
      } as unknown as APIGatewayProxyEvent;
      const stream = new ResponseStreamToHttp(res);
      res.on('close', () => {
        if (!res.writableFinished) stream.destroy();
      });
      handler(event, stream, {}).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `the function failed: ${String(err)}` }));
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
