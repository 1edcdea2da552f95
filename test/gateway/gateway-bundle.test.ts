import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleGatewayEntry, findSynthesizedBundle, newestLambdaSourceMs, REPO_ROOT, type GatewayEntry } from '../../bin/bench/gateway-bundle';
import { describeGatewayScenarios } from './gateway-scenarios';
import { lambdaRuntimeModules, startBundleProcess } from './bundle-process';
import { setEnv, TEST_CONFIG } from './gateway-fixtures';

/**
 * The same scenarios against the bundled handlers, so a missing module or a bundling mistake
 * fails here. The bundle `npm run synth` wrote to cdk.out is used when there is one; otherwise
 * the test bundles with the construct's esbuild options itself. Either way the bundle is run
 * from a directory with no node_modules above it, with only what Lambda's runtime provides
 * (the AWS SDK v3) on NODE_PATH.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-bundle-'));
const bundles = new Map<GatewayEntry, { file: string; source: string }>();

/**
 * The bundle under test, copied alone into a temporary directory: Node then finds no
 * node_modules above it, so anything the bundle failed to include fails here as it would in
 * Lambda (whose runtime SDK is not the one we test).
 */
function bundle(entry: GatewayEntry): string {
  let b = bundles.get(entry);
  if (b === undefined) {
    // GATEWAY_TEST_BUNDLE=esbuild ignores cdk.out; so does an asset older than the sources (synth not rerun).
    let synthesized = process.env.GATEWAY_TEST_BUNDLE === 'esbuild' ? undefined : findSynthesizedBundle(entry);
    if (synthesized !== undefined && fs.statSync(synthesized).mtimeMs < newestLambdaSourceMs()) {
      process.stderr.write(`${synthesized} is older than lambda/; bundling ${entry} here instead (run npm run synth to test the asset)\n`);
      synthesized = undefined;
    }
    const built = synthesized ?? bundleGatewayEntry(entry, path.join(tmp, 'build'));
    const isolated = path.join(tmp, 'isolated', entry, 'index.js');
    fs.mkdirSync(path.dirname(isolated), { recursive: true });
    fs.copyFileSync(built, isolated);
    if (fs.existsSync(`${built}.map`)) fs.copyFileSync(`${built}.map`, `${isolated}.map`);
    b = { file: isolated, source: synthesized ? `cdk.out (${path.basename(path.dirname(synthesized))})` : 'esbuild with the construct options' };
    bundles.set(entry, b);
  }
  return b.file;
}

function loadFresh<T>(file: string): T {
  let mod: T | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle under test
    mod = require(file) as T;
  });
  return mod!;
}

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describeGatewayScenarios('gateway handler (bundled, in a fresh Node process)', () =>
  startBundleProcess(bundle('gateway-handler'), tmp, lambdaRuntimeModules(tmp, REPO_ROOT)),
);

describe('processing handlers (bundled)', () => {
  it('checks a payload before and an answer after, with the config read from a bundled file', async () => {
    const configFile = path.join(tmp, 'gateway-config.json');
    fs.writeFileSync(configFile, JSON.stringify(TEST_CONFIG));
    const restore = setEnv({ GATEWAY_CONFIG: undefined, GATEWAY_CONFIG_FILE: path.relative(path.dirname(bundle('pre-processing-handler')), configFile) });
    try {
      type P = { handler: (e: unknown) => Promise<Record<string, unknown>> };
      const pre = loadFresh<P>(bundle('pre-processing-handler')).handler;
      const verdict = await pre({ model: 'chat', payload: { messages: [{ role: 'user', content: 'mail jane@example.com' }] }, requestId: 'r1' });
      expect(verdict).toMatchObject({ action: 'redact', payload: { messages: [{ role: 'user', content: 'mail [EMAIL_ADDRESS_1]' }] }, checks: ['pii'], requestId: 'r1' });
      restore();
      const restore2 = setEnv({ GATEWAY_CONFIG: JSON.stringify(TEST_CONFIG), GATEWAY_CONFIG_FILE: undefined });
      const post = loadFresh<P>(bundle('post-processing-handler')).handler;
      expect(await post({ model: 'hf', text: 'the key is AKIAIOSFODNN7EXAMPLE' })).toMatchObject({ action: 'redact', text: 'the key is [AWS_ACCESS_KEY_1]' });
      expect(await post({ model: 'hf' })).toMatchObject({ error: { code: 'invalid_request' } });
      restore2();
    } finally {
      restore();
    }
  });

  it('runs custom RE2 patterns when re2-wasm is shipped beside the bundle (bundling.nodeModules)', async () => {
    const file = bundle('pre-processing-handler');
    const shipped = path.join(path.dirname(file), 'node_modules', 're2-wasm');
    fs.mkdirSync(path.dirname(shipped), { recursive: true });
    if (!fs.existsSync(shipped)) fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', 're2-wasm'), shipped, 'dir');
    const policy = { ...TEST_CONFIG.models.chat.policy, customPatterns: [{ name: 'EMPLOYEE_ID', pattern: 'EMP-[0-9]{6}', action: 'redact', stage: 'both' }] };
    const restore = setEnv({ GATEWAY_CONFIG: JSON.stringify({ stage: 't', models: { chat: { format: 'openai-chat', policy } } }), GATEWAY_CONFIG_FILE: undefined });
    try {
      const pre = loadFresh<{ handler: (e: unknown) => Promise<Record<string, unknown>> }>(file).handler;
      expect(await pre({ model: 'chat', text: 'ticket for EMP-123456' })).toMatchObject({ action: 'redact', text: 'ticket for [EMPLOYEE_ID_1]' });
    } finally {
      restore();
    }
  });

  it('reports which bundles were tested', () => {
    for (const entry of ['gateway-handler', 'pre-processing-handler', 'post-processing-handler'] as const) bundle(entry);
    process.stderr.write(`bundles under test: ${[...bundles].map(([e, b]) => `${e} from ${b.source}`).join('; ')}\n`);
    expect(bundles.size).toBe(3);
  });

  it('bundles every handler under 400 KB minified', () => {
    for (const entry of ['gateway-handler', 'pre-processing-handler', 'post-processing-handler'] as const) {
      expect(fs.statSync(bundle(entry)).size).toBeLessThan(400 * 1024);
    }
  });
});
