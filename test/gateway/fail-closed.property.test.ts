import type { InvokeEndpointFn } from '../../lambda/gateway/endpoint-client';
import { checkClientBodies, checkFormat, PROPERTY_CONFIG, type BatchRunner, type CaseOutcome } from './fail-closed-property';
import { FORMAT_TEMPLATES, type FormatName } from './fail-closed-payloads';
import { setEnv } from './gateway-fixtures';

/**
 * The fail-closed property against the TypeScript source: the handler's own factory, with the
 * model in memory (the transport is covered by the scenario tests with the real SDK).
 */
const RUNS = Number(process.env.FAIL_CLOSED_RUNS ?? 10_000);
const SEED = Number(process.env.FAIL_CLOSED_SEED ?? 20261202);

let answer = '';
let received: string[] = [];
const invoke: InvokeEndpointFn = async ({ body }) => {
  received.push(body);
  return { body: Buffer.from(answer, 'utf8'), variant: 'AllTraffic', contentType: 'application/json' };
};

let runner: BatchRunner;
let restoreEnv: () => void;
beforeAll(() => {
  // The module also builds its default handler from the environment when loaded.
  restoreEnv = setEnv({ GATEWAY_CONFIG: JSON.stringify(PROPERTY_CONFIG), GATEWAY_CONFIG_FILE: undefined });
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the handler module under test
    const { createHandler } = require('../../lambda/gateway/gateway-handler') as typeof import('../../lambda/gateway/gateway-handler');
    const handler = createHandler(process.env, invoke);
    runner = async (runs) => {
      const out: CaseOutcome[] = [];
      // The handler's EMF record and log line per request are not what is under test here.
      const write = process.stdout.write;
      process.stdout.write = (() => true) as typeof process.stdout.write;
      try {
        for (const r of runs) {
          answer = r.answer;
          received = [];
          out.push({ result: await handler(r.event), received });
        }
      } finally {
        process.stdout.write = write;
      }
      return out;
    };
  });
});

afterAll(() => restoreEnv());

describe('fail closed (source): no planted marker reaches the model unchecked or the client unredacted', () => {
  it.each(Object.keys(FORMAT_TEMPLATES) as FormatName[])(`%s, ${RUNS} generated cases`, async (format) => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const report = await checkFormat(format, runner, RUNS, SEED);
    const used = process.cpuUsage(cpu);
    process.stderr.write(
      `fail-closed source ${format}: ${report.cases} cases (${report.planted} planted) in ${((performance.now() - started) / 1000).toFixed(1)} s wall, ` +
        `${((used.user + used.system) / 1e6).toFixed(1)} s CPU; statuses ${JSON.stringify(report.byStatus)}\n`,
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
