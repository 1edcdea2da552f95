import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';

/**
 * A local server on 127.0.0.1 that speaks SageMaker Runtime's InvokeEndpointWithResponseStream
 * (`POST /endpoints/{name}/invocations-response-stream`): a 200 with
 * `application/vnd.amazon.eventstream` and one binary frame per PayloadPart event, or a
 * ModelStreamError exception frame, built with the SDK's own codec. A script per endpoint says
 * what to send; `gate` steps wait for the test (no sleeps), `hang` never ends (a stalled model),
 * `reset` destroys the socket mid-stream. Whether the gateway closed the call is recorded.
 */
export type Step =
  | { readonly part: string | Uint8Array }
  | { readonly modelStreamError: string }
  | { readonly gate: Promise<void> }
  | { readonly hang: true }
  | { readonly reset: true };

export interface StreamScript {
  /** A modeled error before the stream starts (status, `x-amzn-ErrorType`). */
  readonly error?: { readonly status: number; readonly type: string };
  readonly steps?: readonly Step[];
  readonly variant?: string;
}

export interface StreamCall {
  readonly endpoint: string;
  readonly body: string;
  /** The gateway closed the connection before the script ended. */
  closedEarly: boolean;
  /** Resolves when the connection closes. */
  readonly closed: Promise<void>;
}

export interface StreamStubServer {
  readonly url: string;
  readonly calls: StreamCall[];
  /** Sets an endpoint's script; `n` counts its calls from 1 again. */
  on(endpoint: string, script: (call: StreamCall, n: number) => StreamScript): void;
  /** InvokeEndpoint (`/invocations`) of an endpoint: the JSON it answers. */
  onBuffered(endpoint: string, answer: (body: string) => unknown): void;
  close(): Promise<void>;
}

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
);

export function payloadPartFrame(bytes: Uint8Array): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: 'PayloadPart' },
      ':content-type': { type: 'string', value: 'application/octet-stream' },
    },
    body: bytes,
  });
}

function modelStreamErrorFrame(code: string): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'exception' },
      ':exception-type': { type: 'string', value: 'ModelStreamError' },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: new Uint8Array(Buffer.from(JSON.stringify({ Message: 'the model failed', ErrorCode: code }), 'utf8')),
  });
}

const PATH = /^\/endpoints\/([^/]+)\/invocations-response-stream$/;
const BUFFERED_PATH = /^\/endpoints\/([^/]+)\/invocations$/;

export async function startStreamStub(): Promise<StreamStubServer> {
  const scripts = new Map<string, (call: StreamCall, n: number) => StreamScript>();
  const counts = new Map<string, number>();
  const calls: StreamCall[] = [];
  const buffered = new Map<string, (body: string) => unknown>();
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const plain = BUFFERED_PATH.exec(req.url ?? '');
      if (plain !== null) {
        const answer = buffered.get(decodeURIComponent(plain[1]));
        res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'application/json', 'x-amzn-invoked-production-variant': 'AllTraffic' });
        res.end(JSON.stringify(answer === undefined ? { message: 'no such endpoint' } : answer(Buffer.concat(chunks).toString('utf8'))));
        return;
      }
      const endpoint = decodeURIComponent(PATH.exec(req.url ?? '')?.[1] ?? '');
      let closeResolve!: () => void;
      const call: StreamCall = { endpoint, body: Buffer.concat(chunks).toString('utf8'), closedEarly: false, closed: new Promise((r) => (closeResolve = r)) };
      calls.push(call);
      let finished = false;
      res.on('close', () => {
        if (!finished) call.closedEarly = true;
        closeResolve();
      });
      const n = (counts.get(endpoint) ?? 0) + 1;
      counts.set(endpoint, n);
      const script = scripts.get(endpoint)?.(call, n);
      if (script === undefined) {
        finished = true;
        res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'ValidationError:http://internal.amazon.com/coral/com.amazon.sagemaker/' });
        res.end(JSON.stringify({ message: `no endpoint ${endpoint}` }));
        return;
      }
      if (script.error !== undefined) {
        finished = true;
        res.writeHead(script.error.status, { 'content-type': 'application/json', 'x-amzn-ErrorType': `${script.error.type}:http://internal.amazon.com/coral/com.amazon.sagemaker/` });
        res.end(JSON.stringify({ message: script.error.type }));
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/vnd.amazon.eventstream',
        'x-amzn-sagemaker-content-type': 'text/event-stream',
        'x-amzn-invoked-production-variant': script.variant ?? 'AllTraffic',
      });
      void (async () => {
        for (const step of script.steps ?? []) {
          if (res.destroyed) return;
          if ('part' in step) res.write(payloadPartFrame(typeof step.part === 'string' ? new Uint8Array(Buffer.from(step.part, 'utf8')) : step.part));
          else if ('modelStreamError' in step) res.write(modelStreamErrorFrame(step.modelStreamError));
          else if ('gate' in step) await step.gate;
          else if ('hang' in step) return;
          else if ('reset' in step) {
            res.socket?.destroy();
            return;
          }
        }
        finished = true;
        res.end();
      })();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    on: (endpoint, script) => {
      scripts.set(endpoint, script);
      counts.set(endpoint, 0);
    },
    onBuffered: (endpoint, answer) => void buffered.set(endpoint, answer),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Server-sent events as vLLM's OpenAI server writes them, one chunk per token. */
export function openAiChunks(tokens: readonly string[], finish = 'stop'): string[] {
  const base = { id: 'chatcmpl-model', object: 'chat.completion.chunk', created: 1767225600, model: '/opt/ml/model' };
  const out = [`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] })}\n\n`];
  tokens.forEach((t, i) => {
    out.push(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: t }, logprobs: null, finish_reason: i === tokens.length - 1 ? finish : null }] })}\n\n`);
  });
  out.push(`data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 5, completion_tokens: tokens.length, total_tokens: 5 + tokens.length } })}\n\n`);
  out.push('data: [DONE]\n\n');
  return out;
}

/** Server-sent events as TGI writes them (`data:` without a space), the last with `generated_text`. */
export function tgiEvents(tokens: readonly string[]): string[] {
  const out = tokens.map((t, i) => `data:${JSON.stringify({ index: i + 1, token: { id: 100 + i, text: t, logprob: -0.1, special: false }, generated_text: null, details: null })}\n\n`);
  out.push(`data:${JSON.stringify({ index: tokens.length + 1, token: { id: 2, text: '</s>', logprob: 0, special: true }, generated_text: tokens.join(''), details: { finish_reason: 'eos_token', generated_tokens: tokens.length + 1, seed: null } })}\n\n`);
  return out;
}

/** Cuts a byte string at the given offsets into PayloadParts (inside a character, an SSE line, a PII span). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Step[] {
  const sorted = [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b);
  const steps: Step[] = [];
  let from = 0;
  for (const c of [...sorted, bytes.length]) {
    steps.push({ part: bytes.subarray(from, c) });
    from = c;
  }
  return steps;
}
