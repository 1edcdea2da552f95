import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startBatchProcess, type BatchProcess } from './bundle-process';
import { checkClientBodies, checkFormat, PROPERTY_CONFIG, type BatchRunner, type CaseOutcome } from './fail-closed-property';
import { FORMAT_TEMPLATES, type FormatName } from './fail-closed-payloads';

/**
 * The fail-closed property against the TypeScript source (loaded with tsx, in a fresh Node
 * process like the bundle, so cases are generated here while the gateway works there), with the
 * model in memory: the transport is covered by the scenario tests with the real SDK.
 * The bundle, built from this source, runs 10,000 cases per format (fail-closed-bundle); here 2,000
 * tell a failure of the source from one of the bundling at a fifth of the CPU. FAIL_CLOSED_RUNS sets both.
 */
const RUNS = Number(process.env.FAIL_CLOSED_RUNS ?? 2_000);
const SEED = Number(process.env.FAIL_CLOSED_SEED ?? 20261202);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fail-closed-source-'));
let gateway: BatchProcess;
const runner: BatchRunner = async (runs) => (await gateway.run(runs)) as CaseOutcome[];

beforeAll(async () => {
  gateway = await startBatchProcess({ entry: path.join(__dirname, '..', '..', 'lambda', 'gateway', 'gateway-handler.ts'), hostDir: tmp, config: PROPERTY_CONFIG });
});

afterAll(async () => {
  await gateway?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('fail closed (source): no planted marker reaches the model unchecked or the client unredacted', () => {
  it.each(Object.keys(FORMAT_TEMPLATES) as FormatName[])(`%s, ${RUNS} generated cases`, async (format) => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const gatewayCpu = gateway.cpuUs;
    const report = await checkFormat(format, runner, RUNS, SEED);
    const used = process.cpuUsage(cpu);
    process.stderr.write(
      `fail-closed source ${format}: ${report.cases} cases (${report.planted} planted) in ${((performance.now() - started) / 1000).toFixed(1)} s wall, ` +
        `CPU ${((used.user + used.system) / 1e6).toFixed(1)} s generating and checking + ${((gateway.cpuUs - gatewayCpu) / 1e6).toFixed(1)} s in the gateway; statuses ${JSON.stringify(report.byStatus)}\n`,
    );
    expect(report.failures).toEqual([]);
    expect(report.unplanted).toEqual([]);
    expect(report.cases).toBe(RUNS);
  });

  it.each(Object.keys(FORMAT_TEMPLATES) as FormatName[])('%s: no client body gets a 5xx', async (format) => {
    const { byStatus, serverErrors } = await checkClientBodies(format, runner, 2000, SEED);
    expect(serverErrors).toEqual([]);
    expect(Object.keys(byStatus).map(Number).every((s) => [200, 400, 413, 422].includes(s))).toBe(true);
  });
});
