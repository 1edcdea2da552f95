import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { REPO_ROOT } from '../../../bin/bench/gateway-bundle';
import { prebuiltHandlerDir } from '../../../lib/common/handlers';
import { lambdaRuntimeModules } from '../bundle-process';
import { sdkEnv } from '../gateway-fixtures';
import { describeStreamingScenarios } from './streaming-scenarios';

/**
 * The same scenarios against the prebuilt streaming bundle the construct deploys, copied where no
 * node_modules is above it, run in a fresh Node process with only the AWS SDK on NODE_PATH (what
 * Lambda's runtime provides) and the runtime's `awslambda` globals.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'streaming-bundle-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describeStreamingScenarios('streaming gateway (bundled, in a fresh Node process)', async (env) => {
  const isolated = path.join(tmp, 'isolated');
  fs.cpSync(prebuiltHandlerDir('gateway-streaming-handler'), isolated, { recursive: true });
  const host = path.join(tmp, 'host.js');
  buildSync({ entryPoints: [path.join(__dirname, 'streaming-bundle-host.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: host, logLevel: 'error' });
  const child = fork(host, [path.join(isolated, 'index.js')], { env: { ...process.env, ...env, NODE_PATH: lambdaRuntimeModules(tmp, REPO_ROOT) }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`the bundle host exited with ${code}`)));
  });
  return {
    url,
    close: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.send('close');
    }),
  };
}, sdkEnv);
