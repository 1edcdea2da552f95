import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Handler } from './gateway-fixtures';

/**
 * Runs a bundled handler in a fresh Node process, as Lambda does, and forwards events to it over
 * IPC. (Inside jest's VM the SDK's `import("node:http")` would need --experimental-vm-modules;
 * a real process also proves the bundle needs nothing from the test's module registry.) The
 * child's stdout for each request (EMF record, log line) is replayed on the parent's stdout.
 */
const HOST_SOURCE = `
let out = '';
process.stdout.write = (chunk) => { out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'); return true; };
const problems = [];
process.on('unhandledRejection', (e) => problems.push('unhandledRejection: ' + (e && e.stack || e)));
process.on('uncaughtException', (e) => problems.push('uncaughtException: ' + (e && e.stack || e)));
let handler;
try {
  handler = require(process.argv[2]).handler;
} catch (e) {
  process.send({ ready: false, error: String(e && e.stack || e) }, () => process.exit(1));
  return;
}
process.on('message', async (m) => {
  out = '';
  let result, error;
  try { result = await handler(m.event); } catch (e) { error = String(e && e.stack || e); }
  process.send({ id: m.id, result, error, stdout: out, problems: problems.splice(0) });
});
process.send({ ready: true, stdout: out });
`;
// The host runs as a CommonJS module, so the top-level `return` above is legal.

export interface BundleProcess {
  readonly handler: Handler;
  close(): Promise<void>;
}

/**
 * What the Lambda Node.js runtime itself provides to a bundle: the AWS SDK for JavaScript v3
 * (the `@aws-sdk`, `@smithy` and `@aws` scopes) and nothing else. A directory of links to our
 * copies of those scopes, used as NODE_PATH, so an SDK left external resolves as in Lambda
 * while any other missing module fails. (It is our pinned SDK version, not the runtime's.)
 */
export function lambdaRuntimeModules(dir: string, repoRoot: string): string {
  const modules = path.join(dir, 'runtime-node_modules');
  fs.mkdirSync(modules, { recursive: true });
  for (const scope of ['@aws-sdk', '@smithy', '@aws']) {
    const target = path.join(repoRoot, 'node_modules', scope);
    if (fs.existsSync(target) && !fs.existsSync(path.join(modules, scope))) fs.symlinkSync(target, path.join(modules, scope), 'dir');
  }
  return modules;
}

export async function startBundleProcess(bundleFile: string, hostDir: string, nodePath?: string): Promise<BundleProcess> {
  const host = path.join(hostDir, 'bundle-host.js');
  fs.writeFileSync(host, HOST_SOURCE);
  const env = { ...process.env, NODE_PATH: nodePath ?? '' };
  const child: ChildProcess = fork(host, [bundleFile], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (v: Awaited<ReturnType<Handler>>) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  await new Promise<void>((resolve, reject) => {
    child.once('message', (m: { ready: boolean; error?: string }) => (m.ready ? resolve() : reject(new Error(`the bundle failed to load: ${m.error}`))));
    child.once('exit', (code) => reject(new Error(`the bundle host exited with ${code} before it was ready`)));
  });
  child.on('message', (m: { id: number; result?: Awaited<ReturnType<Handler>>; error?: string; stdout: string; problems: string[] }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.stdout) process.stdout.write(m.stdout);
    if (m.problems.length > 0) p.reject(new Error(`the bundled handler left ${m.problems.join('; ')}`));
    else if (m.error !== undefined) p.reject(new Error(`the bundled handler threw: ${m.error}`));
    else p.resolve(m.result!);
  });
  const handler: Handler = (event) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, event });
    });
  return {
    handler,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/**
 * A gateway entry (the bundle, or the TypeScript source through tsx) in a fresh Node process
 * with its model in memory: `createHandler` from the entry, an in-memory InvokeEndpoint, and
 * batches of requests per IPC round trip (the property tests send thousands). Its stdout (EMF,
 * logs) is discarded.
 */
const BATCH_HOST_SOURCE = `
process.stdout.write = () => true;
const { createHandler } = require(process.argv[2]);
let answer = '';
let received = [];
const handler = createHandler(process.env, async ({ body }) => {
  received.push(body);
  return { body: Buffer.from(answer, 'utf8'), variant: 'AllTraffic', contentType: 'application/json' };
});
process.on('message', async (m) => {
  const outs = [];
  const cpu0 = process.cpuUsage();
  try {
    for (const run of m.runs) {
      answer = run.answer;
      received = [];
      outs.push({ result: await handler(run.event), received });
    }
    const cpu = process.cpuUsage(cpu0);
    process.send({ id: m.id, outs, cpuUs: cpu.user + cpu.system });
  } catch (e) {
    process.send({ id: m.id, error: String(e && e.stack || e) });
  }
});
process.send({ ready: true });
`;

export interface BatchRun {
  readonly event: unknown;
  readonly answer: string;
}

export interface BatchProcess {
  run(runs: readonly BatchRun[]): Promise<Array<{ result: Awaited<ReturnType<Handler>>; received: string[] }>>;
  /** CPU time the bundle's process has spent on batches, in µs. */
  readonly cpuUs: number;
  close(): Promise<void>;
}

export interface BatchProcessOptions {
  /** The bundle, or a `.ts` entry (loaded with tsx from the repository). */
  readonly entry: string;
  readonly hostDir: string;
  /** The gateway configuration (GATEWAY_CONFIG). */
  readonly config: object;
  /** Module path standing in for the Lambda runtime's modules (bundles only). */
  readonly nodePath?: string;
}

export async function startBatchProcess(options: BatchProcessOptions): Promise<BatchProcess> {
  const host = path.join(options.hostDir, 'batch-host.js');
  fs.writeFileSync(host, BATCH_HOST_SOURCE);
  const typescript = options.entry.endsWith('.ts');
  const child = fork(host, [options.entry], {
    cwd: typescript ? path.resolve(__dirname, '..', '..') : options.hostDir,
    execArgv: typescript ? ['--import', 'tsx'] : [],
    env: { ...process.env, NODE_PATH: options.nodePath ?? '', GATEWAY_CONFIG: JSON.stringify(options.config), GATEWAY_CONFIG_FILE: '' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the batch host exited with ${code} before it was ready`)));
  });
  let nextId = 0;
  let cpuUs = 0;
  return {
    get cpuUs() {
      return cpuUs;
    },
    run: (runs) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        const onMessage = (m: { id: number; outs?: Array<{ result: Awaited<ReturnType<Handler>>; received: string[] }>; error?: string; cpuUs?: number }) => {
          if (m.id !== id) return;
          child.off('message', onMessage);
          cpuUs += m.cpuUs ?? 0;
          if (m.error !== undefined) reject(new Error(`the bundled handler threw: ${m.error}`));
          else resolve(m.outs!);
        };
        child.on('message', onMessage);
        child.send({ id, runs });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
