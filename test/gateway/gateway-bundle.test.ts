import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../../bin/bench/gateway-bundle';
import { prebuiltHandlerDir } from '../../lib/common/handlers';
import { describeGatewayScenarios } from './gateway-scenarios';
import { lambdaRuntimeModules, startBundleProcess } from './bundle-process';
import { setEnv, TEST_CONFIG } from './gateway-fixtures';

/**
 * The same scenarios against the bundled handlers, so a missing module or a bundling mistake
 * fails here. The bundles are the prebuilt ones the constructs deploy as they are
 * (dist/handlers, rebuilt by the tests' global setup when lambda/ changed), each run from a copy
 * in a directory with no node_modules above it, with only what Lambda's runtime provides (the
 * AWS SDK v3) on NODE_PATH.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-bundle-'));
type GatewayEntry = 'gateway-handler' | 'pre-processing-handler' | 'post-processing-handler';
const bundles = new Map<GatewayEntry, string>();

/**
 * The prebuilt handler directory (bundle and copied modules) under test, copied whole into a
 * temporary directory: Node then finds no node_modules above it, so anything the bundle failed
 * to include fails here as it would in Lambda (whose runtime SDK is not the one we test).
 */
function bundle(entry: GatewayEntry): string {
  let file = bundles.get(entry);
  if (file === undefined) {
    const isolated = path.join(tmp, 'isolated', entry);
    fs.cpSync(prebuiltHandlerDir(entry), isolated, { recursive: true });
    file = path.join(isolated, 'index.js');
    bundles.set(entry, file);
  }
  return file;
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

  it('runs custom RE2 patterns with the re2-wasm module shipped beside the bundle', async () => {
    const file = bundle('pre-processing-handler');
    expect(fs.existsSync(path.join(path.dirname(file), 'node_modules', 're2-wasm', 'build', 'wasm', 're2.wasm'))).toBe(true);
    const policy = { ...TEST_CONFIG.models.chat.policy, customPatterns: [{ name: 'EMPLOYEE_ID', pattern: 'EMP-[0-9]{6}', action: 'redact', stage: 'both' }] };
    const restore = setEnv({ GATEWAY_CONFIG: JSON.stringify({ stage: 't', models: { chat: { format: 'openai-chat', policy } } }), GATEWAY_CONFIG_FILE: undefined });
    try {
      const pre = loadFresh<{ handler: (e: unknown) => Promise<Record<string, unknown>> }>(file).handler;
      expect(await pre({ model: 'chat', text: 'ticket for EMP-123456' })).toMatchObject({ action: 'redact', text: 'ticket for [EMPLOYEE_ID_1]' });
    } finally {
      restore();
    }
  });

  // 400 KB until the bundles carried two classifier weight tables (43 KB of base64 each, one string
  // literal apiece: nearly free to parse) and the Secrets Manager client; cold start, the figure
  // that matters, is measured by npm run bench.
  it('bundles every handler under 480 KB minified', () => {
    for (const entry of ['gateway-handler', 'pre-processing-handler', 'post-processing-handler'] as const) {
      expect(fs.statSync(bundle(entry)).size).toBeLessThan(480 * 1024);
    }
  });
});
