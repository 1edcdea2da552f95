/**
 * Benchmark of the safety gateway (not a test): overhead of a request through the handler over
 * a direct SDK call to the same local SageMaker Runtime stub in the same run, the handler's own
 * work without the network, bundle sizes, cold start in fresh Node processes, and the cold-start
 * cost of Powertools Metrics + Logger against the hand-written EMF writer.
 * Usage: tsx bin/bench/gateway.ts   → prints a report and writes reports/bench-gateway.json;
 * `runGatewayBench({ mergeInto })` adds the figures under "gateway" to another bench JSON file.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as http from 'node:http';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { checkInput, checkOutput } from '../../lambda/safety';
import { CircuitBreakerRegistry } from '../../lambda/gateway/circuit-breaker';
import { createSageMakerInvoker } from '../../lambda/gateway/endpoint-client';
import { createGateway } from '../../lambda/gateway/gateway';
import { formatFor } from '../../lambda/gateway/payload-formats';
import { parseRequestBody } from '../../lambda/gateway/request-parsing';
import { parseStrictJson } from '../../lambda/gateway/strict-json';
import { parseGatewayConfig } from '../../lambda/gateway/gateway-config';
import { createModelInvoker } from '../../lambda/gateway/model-invoker';
import { stdoutSink } from '../../lambda/gateway/observability';
import { retryBudgets } from '../../lambda/gateway/retry-budget';
import { DEFAULT_RETRY_POLICY } from '../../lambda/gateway/retry-policy';
import { replies, startStubServer } from '../../test/gateway/sagemaker-stub-server';
import { bundleGatewayEntry, findSynthesizedBundle, GATEWAY_ENTRIES, GATEWAY_ESBUILD_OPTIONS, REPO_ROOT } from './gateway-bundle';

const PROMPT_BYTES = 4096;
const SAMPLES = 2000;
const WARMUP = 300;
const COLD_RUNS = 7;

interface Timing {
  readonly p50Us: number;
  readonly p99Us: number;
  readonly samples: number;
}

export interface GatewayBenchReport {
  readonly node: string;
  readonly cpu: string | undefined;
  readonly promptBytes: number;
  readonly overhead: {
    readonly direct: Timing;
    readonly gateway: Timing;
    readonly ratioP50: number;
    readonly ratioP99: number;
    readonly addedP50Us: number;
    readonly addedP99Us: number;
    /**
     * The gateway's own InvokeEndpoint call (endpoint-client.ts: the SDK's configuration and
     * signer, without its per-call middleware) made directly: the gateway's work is gateway − this.
     */
    readonly gatewayTransportAlone: Timing;
    /** CPU time per request of this process (stub server included, equal for both paths). */
    readonly cpuPerRequestUs: { readonly direct: number; readonly gateway: number; readonly added: number; readonly ratio: number };
    readonly target: string;
  };
  /** checkInput on the prompt plus checkOutput on the 512-character answer, the library alone. */
  readonly safetyChecksAlone: Timing;
  /**
   * The gateway's own payload work without the checks, request and answer: strict parse,
   * canonical model, finding the texts, re-serialising; and the same for the earlier path
   * (JSON.parse of both, the client's bytes forwarded and the model's bytes returned).
   */
  readonly payloadWork: { readonly canonical: Timing; readonly jsonParseOnly: Timing };
  /** os.loadavg() at the start and the end: wall-clock figures are only as good as the machine was quiet. */
  readonly loadAverage: { readonly start: number; readonly end: number };
  /** The handler's own work (parse, checks, serialisation, EMF, log) with an in-memory endpoint. */
  readonly handlerWorkWithoutNetwork: Timing;
  readonly bundleBytes: Record<string, number>;
  readonly bundleBytesWithPlainOptions: Record<string, number>;
  /** With every `@aws-sdk/*` and `@smithy/*` module left to the Lambda runtime's own SDK (bundleAwsSDK: false). */
  readonly bundleBytesWithRuntimeSdk: Record<string, number>;
  readonly coldStartMs: Record<string, { readonly loadAndFirstRequestMs: number; readonly processWallMs: number }>;
  readonly metricsLibrary: Record<string, { readonly bundleBytes: number; readonly loadAndFirstRecordMs: number }>;
}

function summarize(us: number[]): Timing {
  const s = [...us].sort((a, b) => a - b);
  const pick = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { p50Us: round(pick(0.5)), p99Us: round(pick(0.99)), samples: s.length };
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Benign English of a given size that the standard policy allows (so the request reaches the model). */
function benignPrompt(bytes: number): string {
  const sentences = [
    'The quarterly report shows steady growth in the northern region.',
    'Our team reviewed the shipping schedule and moved two deliveries to Thursday.',
    'Please summarise the main points of the meeting notes below.',
    'The new warehouse layout reduced picking time by about twelve percent.',
    'Customer feedback mentioned faster support replies and clearer invoices.',
    'We plan to repaint the office kitchen and replace the old coffee machine.',
  ];
  let out = '';
  for (let i = 0; out.length < bytes; i++) out += `${sentences[i % sentences.length]} `;
  return out.slice(0, bytes);
}

function apiEvent(body: string, i: number): APIGatewayProxyEvent {
  return { body, isBase64Encoded: false, pathParameters: { model: 'chat' }, requestContext: { requestId: `bench-${i}` } } as unknown as APIGatewayProxyEvent;
}

/**
 * `handlerFile`: the gateway bundle built with the handlers' own esbuild options, which is what
 * runs in Lambda (minified, the SDK bundled); the breakdown below it runs the sources.
 */
async function overhead(prompt: string, handlerFile: string): Promise<{ direct: Timing; gateway: Timing; transport: Timing; work: Timing; checks: Timing; payload: GatewayBenchReport['payloadWork']; cpuPerRequestUs: { direct: number; gateway: number } }> {
  const server = await startStubServer();
  const answer = JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: benignPrompt(512) } }] });
  server.on('chat-ep', () => ({ ...replies.json(null), body: answer }));
  const policy = { preset: 'standard' };
  const config = { stage: 'bench', models: { chat: { endpointName: 'chat-ep', format: 'openai-chat', timeoutMs: 5000, maxRequestBytes: 262144, policy } } };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: server.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    GATEWAY_CONFIG: JSON.stringify(config),
  });
  // The handler's EMF and log lines go to /dev/null with a real write, as they would go to a pipe.
  const devNull = fs.openSync('/dev/null', 'w');
  const realWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    fs.writeSync(devNull, chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    // The handler reads its configuration when loaded, so it is loaded once the environment is set.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(handlerFile) as typeof import('../../lambda/gateway/gateway-handler');
    const sdk = new SageMakerRuntimeClient({ maxAttempts: 1, requestHandler: { httpAgent: new http.Agent({ keepAlive: true }) } });
    const transport = createSageMakerInvoker();
    const body = JSON.stringify({ messages: [{ role: 'user', content: prompt }], max_tokens: 256 });
    const probe = await handler(apiEvent(body, -1));
    if (probe.statusCode !== 200) throw new Error(`the bench prompt was answered ${probe.statusCode}: ${probe.body}`);

    const directUs: number[] = [];
    const gatewayUs: number[] = [];
    const transportUs: number[] = [];
    let directCpuUs = 0;
    let gatewayCpuUs = 0;
    const cpu = () => {
      const u = process.cpuUsage();
      return u.user + u.system;
    };
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      // Alternate the two paths so both see the same machine state. CPU time (this process,
      // stub server included, the same for both) is the figure other load on the machine disturbs least.
      const c0 = cpu();
      const t0 = process.hrtime.bigint();
      // The direct call as an app team makes it: the SDK client, keep-alive, no retries.
      const out = await sdk.send(new InvokeEndpointCommand({ EndpointName: 'chat-ep', Body: Buffer.from(body, 'utf8'), ContentType: 'application/json', Accept: 'application/json', InferenceId: `d-${i}` }));
      JSON.parse(Buffer.from(out.Body ?? new Uint8Array(0)).toString('utf8'));
      const t1 = process.hrtime.bigint();
      const c1 = cpu();
      const res = await handler(apiEvent(body, i));
      const t2 = process.hrtime.bigint();
      const c2 = cpu();
      if (res.statusCode !== 200) throw new Error(`gateway answered ${res.statusCode}`);
      const own = await transport({ endpointName: 'chat-ep', body, inferenceId: `t-${i}`, signal: new AbortController().signal });
      JSON.parse(Buffer.from(own.body).toString('utf8'));
      const t3 = process.hrtime.bigint();
      if (i >= WARMUP) {
        directUs.push(Number(t1 - t0) / 1000);
        gatewayUs.push(Number(t2 - t1) / 1000);
        transportUs.push(Number(t3 - t2) / 1000);
        directCpuUs += c1 - c0;
        gatewayCpuUs += c2 - c1;
      }
    }

    const answerBytes = Buffer.from(answer);
    const now = () => performance.now();
    const inMemory = createGateway({
      config: parseGatewayConfig(config),
      invokeModel: createModelInvoker({
        invoke: async () => ({ body: answerBytes, variant: 'AllTraffic' }),
        breakers: new CircuitBreakerRegistry(now),
        retry: DEFAULT_RETRY_POLICY,
        budgets: retryBudgets(),
        now,
        random: Math.random,
        sleep: async () => undefined,
      }),
      sink: stdoutSink,
      now,
    });
    const workUs: number[] = [];
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const t0 = process.hrtime.bigint();
      await inMemory(apiEvent(body, i));
      if (i >= WARMUP) workUs.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    const parsedPolicy = parseGatewayConfig(config).models.get('chat')!.policy;
    const answerText = benignPrompt(512);
    const checksUs: number[] = [];
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const t0 = process.hrtime.bigint();
      checkInput(prompt, parsedPolicy);
      checkOutput(answerText, parsedPolicy);
      if (i >= WARMUP) checksUs.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    const format = formatFor({ format: 'openai-chat' });
    const event = apiEvent(body, 0);
    const canonicalUs: number[] = [];
    const jsonParseUs: number[] = [];
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const t0 = process.hrtime.bigint();
      const parsed = parseRequestBody(event, 262144);
      const request = parsed.ok ? format.request(parsed.payload, 'reject') : undefined;
      const sent = request?.ok ? JSON.stringify(request.payload.value) : '';
      const tree = parseStrictJson(answer);
      const checked = tree.ok ? format.answer(tree.value) : undefined;
      const returned = checked?.ok ? JSON.stringify(checked.payload.value) : '';
      const t1 = process.hrtime.bigint();
      JSON.parse(body);
      JSON.parse(answer);
      const t2 = process.hrtime.bigint();
      if (sent === '' || returned === '') throw new Error('the bench payload does not parse');
      if (i >= WARMUP) {
        canonicalUs.push(Number(t1 - t0) / 1000);
        jsonParseUs.push(Number(t2 - t1) / 1000);
      }
    }
    sdk.destroy();
    return {
      direct: summarize(directUs),
      gateway: summarize(gatewayUs),
      transport: summarize(transportUs),
      work: summarize(workUs),
      checks: summarize(checksUs),
      payload: { canonical: summarize(canonicalUs), jsonParseOnly: summarize(jsonParseUs) },
      cpuPerRequestUs: { direct: round(directCpuUs / SAMPLES), gateway: round(gatewayCpuUs / SAMPLES) },
    };
  } finally {
    process.stdout.write = realWrite;
    fs.closeSync(devNull);
    await server.close();
  }
}

function bundleSizes(dir: string, variant: 'ours' | 'plain' | 'runtime-sdk'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of GATEWAY_ENTRIES) {
    if (variant === 'ours') {
      out[entry] = fs.statSync(bundleGatewayEntry(entry, dir)).size;
      continue;
    }
    // plain: what NodejsFunction builds with only minify/sourcemap/target/format and nothing external.
    const outfile = path.join(dir, variant, entry, 'index.js');
    const external = variant === 'plain' ? [] : ['@aws-sdk/*', '@smithy/*'];
    buildSync({ ...GATEWAY_ESBUILD_OPTIONS, mainFields: undefined, external, entryPoints: [path.join(REPO_ROOT, 'lambda', 'gateway', `${entry}.ts`)], outfile, absWorkingDir: REPO_ROOT });
    out[entry] = fs.statSync(outfile).size;
  }
  return out;
}

/**
 * Fresh `node` processes that load the gateway bundle and serve one request to a stub server
 * running in a sibling process; the child reports the time from before `require` to the answer.
 */
function coldStart(bundle: string, dir: string, nodeOptions: string, nodePath = ''): { loadAndFirstRequestMs: number; processWallMs: number } {
  const child = `
    const http = require('node:http');
    const server = http.createServer((q, r) => { q.resume(); q.on('end', () => { r.writeHead(200, { 'content-type': 'application/json' }); r.end('{"choices":[{"message":{"content":"ok"}}]}'); }); });
    server.listen(0, '127.0.0.1', async () => {
      process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME = 'http://127.0.0.1:' + server.address().port;
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = () => true;
      const t0 = performance.now();
      const { handler } = require(${JSON.stringify(bundle)});
      const res = await handler({ body: '{"messages":[{"role":"user","content":"hello there"}]}', pathParameters: { model: 'chat' }, requestContext: { requestId: 'cold' } });
      const ms = performance.now() - t0;
      if (res.statusCode !== 200) throw new Error('status ' + res.statusCode + ' ' + res.body);
      write(JSON.stringify({ ms }) + '\\n');
      server.close();
    });`;
  const env = {
    ...process.env,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    GATEWAY_CONFIG: JSON.stringify({ stage: 'bench', models: { chat: { endpointName: 'chat-ep', format: 'openai-chat', timeoutMs: 5000, maxRequestBytes: 262144, policy: { preset: 'standard' } } } }),
    NODE_OPTIONS: nodeOptions,
    NODE_PATH: nodePath,
  };
  const inner: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const t0 = performance.now();
    const out = execFileSync(process.execPath, ['-e', child], { env, cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    wall.push(performance.now() - t0);
    inner.push((JSON.parse(out.trim().split('\n').at(-1)!) as { ms: number }).ms);
  }
  return { loadAndFirstRequestMs: round(median(inner)), processWallMs: round(median(wall)) };
}

/** The same metric record written by Powertools Metrics + Logger and by a hand-written EMF line. */
function metricsLibraryCost(dir: string): GatewayBenchReport['metricsLibrary'] {
  const probes: Record<string, string> = {
    'powertools-metrics+logger': `
      import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
      import { Logger } from '@aws-lambda-powertools/logger';
      const metrics = new Metrics({ namespace: 'CdkInferencePlatform/Gateway', serviceName: 'safety-gateway' });
      const logger = new Logger({ serviceName: 'safety-gateway' });
      export function emit() {
        metrics.addDimensions({ Stage: 'prod', Model: 'chat' });
        metrics.addMetric('Requests', MetricUnit.Count, 1);
        metrics.addMetric('Latency', MetricUnit.Milliseconds, 3.2);
        metrics.addMetadata('requestId', 'r1');
        metrics.publishStoredMetrics();
        logger.info('request', { requestId: 'r1', status: 200 });
      }`,
    'hand-written (lambda/gateway/observability.ts)': `
      import { stdoutSink } from ${JSON.stringify(path.join(REPO_ROOT, 'lambda', 'gateway', 'observability'))};
      export function emit() {
        stdoutSink({ requestId: 'r1', stage: 'prod', model: 'chat', status: 200, latencyMs: 3.2, blockedChecks: [], redactedChecks: [], findingCount: 0, attempts: 1, fallbackUsed: false, circuitOpen: false });
      }`,
  };
  const out: GatewayBenchReport['metricsLibrary'] = {};
  for (const [name, source] of Object.entries(probes)) {
    const entry = path.join(dir, `probe-${Object.keys(out).length}.ts`);
    const outfile = entry.replace(/\.ts$/, '.js');
    fs.writeFileSync(entry, source);
    buildSync({ ...GATEWAY_ESBUILD_OPTIONS, sourcemap: false, entryPoints: [entry], outfile, nodePaths: [path.join(REPO_ROOT, 'node_modules')] });
    const code = `const w = process.stdout.write.bind(process.stdout); process.stdout.write = () => true; const t0 = performance.now(); require(${JSON.stringify(outfile)}).emit(); w(JSON.stringify({ ms: performance.now() - t0 }) + '\\n');`;
    const runs: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const res = execFileSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
      runs.push((JSON.parse(res.trim().split('\n').at(-1)!) as { ms: number }).ms);
    }
    out[name] = { bundleBytes: fs.statSync(outfile).size, loadAndFirstRecordMs: round(median(runs), 2) };
  }
  return out;
}

export async function runGatewayBench(options: { readonly mergeInto?: string } = {}): Promise<GatewayBenchReport> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-bench-'));
  try {
    console.log(`\nGateway benchmark — node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores`);
    const loadStart = round(os.loadavg()[0], 2);
    console.log(`load average ${loadStart} (wall-clock figures are only meaningful on a quiet machine)`);
    const prompt = benignPrompt(PROMPT_BYTES);
    const bundleBytes = bundleSizes(dir, 'ours');
    const gatewayBundle = path.join(dir, 'gateway-handler', 'index.js');
    const o = await overhead(prompt, gatewayBundle);
    const overheadReport = {
      direct: o.direct,
      gateway: o.gateway,
      ratioP50: round(o.gateway.p50Us / o.direct.p50Us, 3),
      ratioP99: round(o.gateway.p99Us / o.direct.p99Us, 3),
      addedP50Us: round(o.gateway.p50Us - o.direct.p50Us),
      addedP99Us: round(o.gateway.p99Us - o.direct.p99Us),
      gatewayTransportAlone: o.transport,
      cpuPerRequestUs: {
        ...o.cpuPerRequestUs,
        added: round(o.cpuPerRequestUs.gateway - o.cpuPerRequestUs.direct),
        ratio: round(o.cpuPerRequestUs.gateway / o.cpuPerRequestUs.direct, 3),
      },
      target: 'ratio ≤ 1.2 at 4 KB prompts, added p99 ≤ 1000 µs',
    };
    console.log(`Overhead at ${PROMPT_BYTES} B prompts, ${SAMPLES} requests each, alternating, loopback stub, the gateway as bundled for Lambda:`);
    console.log(`  direct SDK call        p50 ${o.direct.p50Us.toFixed(0).padStart(6)} µs   p99 ${o.direct.p99Us.toFixed(0).padStart(6)} µs`);
    console.log(`  through the gateway    p50 ${o.gateway.p50Us.toFixed(0).padStart(6)} µs   p99 ${o.gateway.p99Us.toFixed(0).padStart(6)} µs`);
    console.log(`  the gateway's own call alone p50 ${o.transport.p50Us.toFixed(0).padStart(6)} µs   p99 ${o.transport.p99Us.toFixed(0).padStart(6)} µs (SigV4 + keep-alive, no SDK middleware; the gateway's work is the difference)`);
    console.log(`  ratio p50 ${overheadReport.ratioP50}  p99 ${overheadReport.ratioP99}; added p50 ${overheadReport.addedP50Us} µs, p99 ${overheadReport.addedP99Us} µs (${overheadReport.target})`);
    console.log(`  CPU per request: direct ${o.cpuPerRequestUs.direct} µs, gateway ${o.cpuPerRequestUs.gateway} µs (added ${overheadReport.cpuPerRequestUs.added} µs, ratio ${overheadReport.cpuPerRequestUs.ratio})`);
    console.log(`  handler work without network (checks in and out, parse, EMF, log): p50 ${o.work.p50Us} µs  p99 ${o.work.p99Us} µs`);
    console.log(`  of which the safety library alone (checkInput 4 KB + checkOutput 512 B): p50 ${o.checks.p50Us} µs  p99 ${o.checks.p99Us} µs`);
    console.log(`  and the gateway's payload work (strict parse, canonical model, texts, re-serialise; in and out): p50 ${o.payload.canonical.p50Us} µs  p99 ${o.payload.canonical.p99Us} µs`);
    console.log(`     (the earlier path's JSON.parse of both, raw bytes passed on: p50 ${o.payload.jsonParseOnly.p50Us} µs  p99 ${o.payload.jsonParseOnly.p99Us} µs)`);

    const bundleBytesWithPlainOptions = bundleSizes(dir, 'plain');
    const bundleBytesWithRuntimeSdk = bundleSizes(dir, 'runtime-sdk');
    console.log('Bundle sizes, minified (target ≤ 400 KB):');
    for (const e of GATEWAY_ENTRIES) {
      console.log(`  ${e.padEnd(26)} ${(bundleBytes[e] / 1024).toFixed(1).padStart(7)} KB   (plain options: ${(bundleBytesWithPlainOptions[e] / 1024).toFixed(1)} KB; SDK left to the runtime: ${(bundleBytesWithRuntimeSdk[e] / 1024).toFixed(1)} KB)`);
    }

    const coldStartMs: GatewayBenchReport['coldStartMs'] = {
      'gateway-handler': coldStart(gatewayBundle, dir, ''),
      'gateway-handler --enable-source-maps': coldStart(gatewayBundle, dir, '--enable-source-maps'),
    };
    const synthesized = findSynthesizedBundle('gateway-handler');
    if (synthesized !== undefined) {
      // The construct's own asset, copied alone, with the SDK from node_modules standing in for the runtime's.
      const copy = path.join(dir, 'synthesized', 'index.js');
      fs.mkdirSync(path.dirname(copy), { recursive: true });
      fs.copyFileSync(synthesized, copy);
      coldStartMs['cdk.out gateway asset (NODE_PATH = node_modules)'] = coldStart(copy, dir, '', path.join(REPO_ROOT, 'node_modules'));
    }
    console.log(`Cold start, fresh node process, median of ${COLD_RUNS} (target ≤ 150 ms):`);
    for (const [k, v] of Object.entries(coldStartMs)) console.log(`  ${k.padEnd(40)} load + first request ${v.loadAndFirstRequestMs} ms   whole process ${v.processWallMs} ms`);

    const metricsLibrary = metricsLibraryCost(dir);
    console.log('Metrics and logging library, fresh process: load + first record');
    for (const [k, v] of Object.entries(metricsLibrary)) console.log(`  ${k.padEnd(48)} ${(v.bundleBytes / 1024).toFixed(1).padStart(6)} KB  ${v.loadAndFirstRecordMs} ms`);

    const report: GatewayBenchReport = {
      node: process.version,
      cpu: os.cpus()[0]?.model,
      promptBytes: PROMPT_BYTES,
      overhead: overheadReport,
      handlerWorkWithoutNetwork: o.work,
      safetyChecksAlone: o.checks,
      payloadWork: o.payload,
      loadAverage: { start: loadStart, end: round(os.loadavg()[0], 2) },
      bundleBytes,
      bundleBytesWithPlainOptions,
      bundleBytesWithRuntimeSdk,
      coldStartMs,
      metricsLibrary,
    };
    if (options.mergeInto !== undefined) {
      const existing = fs.existsSync(options.mergeInto) ? (JSON.parse(fs.readFileSync(options.mergeInto, 'utf8')) as object) : {};
      fs.writeFileSync(options.mergeInto, `${JSON.stringify({ ...existing, gateway: report }, null, 2)}\n`);
      console.log(`added "gateway" to ${options.mergeInto}`);
    }
    return report;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const reports = path.join(REPO_ROOT, 'reports');
  fs.mkdirSync(reports, { recursive: true });
  const file = path.join(reports, 'bench-gateway.json');
  runGatewayBench()
    .then((r) => {
      fs.writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
      console.log(`wrote ${file}`);
      process.exit(0);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
