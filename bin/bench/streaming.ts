/**
 * Streaming benchmark (part of `npm run bench`): the time to first token the gateway adds over
 * reading the same stream directly with the SDK, in the same run, interleaved. A local server
 * speaks SageMaker's event-stream protocol and sends a vLLM chat stream as fast as it can, so
 * what is measured is the gateway's own work (input checks, SSE parsing, the output checks over
 * the hold-back window) plus waiting for the window to fill, not the model's pace; the delay the
 * window adds at a model's pace is reported beside it.
 * `runStreamingBench({ mergeInto })` adds the figures under "streaming" to another bench JSON file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { InvokeEndpointWithResponseStreamCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { holdBackChars } from '../../lambda/safety';
import { parseGatewayConfig } from '../../lambda/gateway/gateway-config';
import { createRuntime } from '../../lambda/gateway/runtime';
import { createStreamingGateway, type ResponseSink } from '../../lambda/gateway/streaming-gateway';
import { openAiChunks, startStreamStub } from '../../test/gateway/streaming/sagemaker-stream-stub-server';
import { percentile, round } from './timing';

const ITERATIONS = 300;
const WARMUP = 30;
/** The reference chat model's policy (config/platform.json). */
const POLICY = { preset: 'standard', pii: { CREDIT_CARD: 'block' } };
const WORDS = 'the platform team deploys models that answer questions about invoices orders and the weather in short clear sentences'.split(' ');

export interface StreamingBenchReport {
  readonly holdBackChars: number;
  readonly tokens: number;
  readonly directFirstTokenMs: { readonly p50: number; readonly p99: number };
  readonly gatewayFirstTokenMs: { readonly p50: number; readonly p99: number };
  readonly addedFirstTokenMsP50: number;
  readonly addedFirstTokenMsP99: number;
  readonly target: string;
  readonly holdBackDelayAtModelPaceMs: Readonly<Record<string, number>>;
  readonly loadAverage: { readonly start: number; readonly end: number };
}

export async function runStreamingBench(options: { readonly mergeInto?: string } = {}): Promise<StreamingBenchReport> {
  const stub = await startStreamStub();
  const env = {
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: stub.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDBENCHBENCHBENCH', AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  };
  Object.assign(process.env, env);
  try {
    const loadStart = round(os.loadavg()[0], 2);
    const tokens = Array.from({ length: 200 }, (_, i) => `${WORDS[i % WORDS.length]} `);
    const events = openAiChunks(tokens);
    stub.on('chat-ep', () => ({ steps: events.map((e) => ({ part: e })) }));
    const config = { stage: 'bench', models: { chat: { endpointName: 'chat-ep', format: 'openai-chat', timeoutMs: 20_000, streamTimeoutMs: 300_000, maxRequestBytes: 262_144, policy: POLICY, streaming: true } } };
    const runtime = await createRuntime(__dirname, { ...env, GATEWAY_CONFIG: JSON.stringify(config) }, undefined, undefined, {});
    if (runtime instanceof Error) throw runtime;
    const gateway = createStreamingGateway({ ...runtime, invokeStream: runtime.invokeStream!, sink: () => undefined, now: () => performance.now() });
    const window = holdBackChars(parseGatewayConfig(config).models.get('chat')!.policy);

    const client = new SageMakerRuntimeClient({ maxAttempts: 1 });
    const body = JSON.stringify({ messages: [{ role: 'user', content: 'What is the weather like?' }], stream: true });
    const decoder = new TextDecoder();
    /** Reading the stream directly: until the first PayloadPart that carries content. */
    const direct = async (): Promise<number> => {
      const t0 = performance.now();
      const out = await client.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'chat-ep', Body: Buffer.from(body), ContentType: 'application/json' }));
      let first = 0;
      for await (const ev of out.Body!) {
        if (first === 0 && ev.PayloadPart?.Bytes && /"content":"[^"]/.test(decoder.decode(ev.PayloadPart.Bytes))) first = performance.now() - t0;
      }
      return first;
    };
    /** Through the streaming gateway: until the first SSE chunk with checked content is written. */
    const throughGateway = async (): Promise<number> => {
      const t0 = performance.now();
      let first = 0;
      const sink: ResponseSink = {
        start: () => undefined,
        write: (chunk) => {
          if (first === 0 && /"content":"[^"]/.test(chunk)) first = performance.now() - t0;
        },
        end: async () => undefined,
        onClientGone: () => undefined,
      };
      await gateway({ body, isBase64Encoded: false, resource: '/models/chat/invocations', pathParameters: null, requestContext: { requestId: 'bench' } } as unknown as APIGatewayProxyEvent, sink);
      return first;
    };

    const d: number[] = [];
    const g: number[] = [];
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const a = await direct();
      const b = await throughGateway();
      if (a === 0 || b === 0) throw new Error('a stream carried no content');
      if (i >= WARMUP) {
        d.push(a);
        g.push(b);
      }
    }
    d.sort((x, y) => x - y);
    g.sort((x, y) => x - y);
    const charsPerToken = tokens.join('').length / tokens.length;
    const report: StreamingBenchReport = {
      holdBackChars: window,
      tokens: tokens.length,
      directFirstTokenMs: { p50: round(percentile(d, 50), 3), p99: round(percentile(d, 99), 3) },
      gatewayFirstTokenMs: { p50: round(percentile(g, 50), 3), p99: round(percentile(g, 99), 3) },
      addedFirstTokenMsP50: round(percentile(g, 50) - percentile(d, 50), 3),
      addedFirstTokenMsP99: round(percentile(g, 99) - percentile(d, 99), 3),
      target: 'added time to first token p50 ≤ 5 ms at the default hold-back window',
      // Waiting for the window to fill at a model's pace: (window + release step) / characters per token / tokens per second.
      holdBackDelayAtModelPaceMs: Object.fromEntries([20, 50, 100].map((tps) => [`${tps} tokens/s`, round(((window + 8) / charsPerToken / tps) * 1000)])),
      loadAverage: { start: loadStart, end: round(os.loadavg()[0], 2) },
    };
    console.log('\nStreaming: time to first token, gateway vs reading the stream directly with the SDK (same run, interleaved)');
    console.log(`hold-back window ${window} characters (reference chat policy), ${tokens.length} tokens sent as fast as the stub can`);
    console.log(`direct  p50 ${report.directFirstTokenMs.p50} ms  p99 ${report.directFirstTokenMs.p99} ms`);
    console.log(`gateway p50 ${report.gatewayFirstTokenMs.p50} ms  p99 ${report.gatewayFirstTokenMs.p99} ms`);
    console.log(`added   p50 ${report.addedFirstTokenMsP50} ms  p99 ${report.addedFirstTokenMsP99} ms  (target: p50 ≤ 5 ms)`);
    console.log(`the window's wait at a model's pace: ${Object.entries(report.holdBackDelayAtModelPaceMs).map(([k, v]) => `${v} ms at ${k}`).join(', ')}`);
    client.destroy();
    if (options.mergeInto !== undefined) {
      const existing = fs.existsSync(options.mergeInto) ? (JSON.parse(fs.readFileSync(options.mergeInto, 'utf8')) as object) : {};
      fs.writeFileSync(options.mergeInto, `${JSON.stringify({ ...existing, streaming: report }, null, 2)}\n`);
      console.log(`added "streaming" to ${options.mergeInto}`);
    }
    return report;
  } finally {
    await stub.close();
  }
}

if (require.main === module) {
  void runStreamingBench().then(() => process.exit(0), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
