import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../../bin/bench/gateway-bundle';
import { prebuiltHandlerDir } from '../../lib/common/handlers';
import { lambdaRuntimeModules, startBatchProcess, type BatchProcess } from './bundle-process';
import { checkClientBodies, checkFormat, PROPERTY_CONFIG, type CaseOutcome } from './fail-closed-property';
import { FORMAT_TEMPLATES, type FormatName } from './fail-closed-payloads';

/**
 * The fail-closed property against the prebuilt gateway handler that synth deploys as it is (the
 * cdk.out asset is a byte copy of dist/handlers/gateway-handler, which the tests' global setup
 * rebuilds when lambda/ changed), run alone in a fresh Node process with only what the Lambda
 * runtime provides; the model answers in memory, in batches per IPC round trip.
 */
const RUNS = Number(process.env.FAIL_CLOSED_RUNS ?? 10_000);
const SEED = Number(process.env.FAIL_CLOSED_SEED ?? 20261202);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fail-closed-bundle-'));
let bundled: BatchProcess;
let source = '';

beforeAll(async () => {
  const dir = prebuiltHandlerDir('gateway-handler');
  source = path.relative(REPO_ROOT, dir);
  const isolated = path.join(tmp, 'isolated', 'index.js');
  fs.cpSync(dir, path.dirname(isolated), { recursive: true });
  bundled = await startBatchProcess({ entry: isolated, hostDir: tmp, config: PROPERTY_CONFIG, nodePath: lambdaRuntimeModules(tmp, REPO_ROOT) });
});

afterAll(async () => {
  await bundled?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('fail closed (bundle): no planted marker reaches the model unchecked or the client unredacted', () => {
  it.each(Object.keys(FORMAT_TEMPLATES) as FormatName[])(`%s, ${RUNS} generated cases`, async (format) => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const bundleCpu = bundled.cpuUs;
    const report = await checkFormat(format, async (runs) => (await bundled.run(runs)) as CaseOutcome[], RUNS, SEED);
    const used = process.cpuUsage(cpu);
    process.stderr.write(
      `fail-closed bundle (${source}) ${format}: ${report.cases} cases (${report.planted} planted) in ${((performance.now() - started) / 1000).toFixed(1)} s wall, ` +
        `CPU ${((used.user + used.system) / 1e6).toFixed(1)} s generating and checking + ${((bundled.cpuUs - bundleCpu) / 1e6).toFixed(1)} s in the bundle; statuses ${JSON.stringify(report.byStatus)}\n`,
    );
    expect(report.failures).toEqual([]);
    expect(report.unplanted).toEqual([]);
    expect(report.cases).toBe(RUNS);
  });

  it.each(Object.keys(FORMAT_TEMPLATES) as FormatName[])('%s: no client body gets a 5xx', async (format) => {
    const { byStatus, serverErrors } = await checkClientBodies(format, async (runs) => (await bundled.run(runs)) as CaseOutcome[], 2000, SEED);
    expect(serverErrors).toEqual([]);
    expect(Object.keys(byStatus).map(Number).every((s) => [200, 400, 413, 422].includes(s))).toBe(true);
  });
});
