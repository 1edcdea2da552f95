import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type CliRun, runCli } from '../helpers/run-cli';
import { startCloudWatchStub, type CloudWatchStub, type RecordedMetric } from '../helpers/cloudwatch-stub-server';

/**
 * The SLO report CLI as `npm run slo-report` runs it (tsx, the real CloudWatch client and credential
 * chain) against a local CloudWatch speaking AWS JSON 1.0, with one recorded day of the reference
 * platform's prod stage. Every expected figure is worked out by hand in the comments.
 */
const END = '2026-12-01T00:00:00Z';
const END_S = Date.parse(END) / 1000;
const START_S = END_S - 24 * 3600;
const DAY = 24 * 3600;
const HOUR = 3600;
const GW = 'CdkInferencePlatform/Gateway';

function run(args: string[], env: Record<string, string>): Promise<CliRun> {
  return runCli('bin/slo-report.ts', args, { env });
}

/** An environment with nothing of the caller's AWS setup: no profile, no files, no instance metadata. */
function cleanEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '', HOME: home, PLATFORM_CONFIG: '',
    AWS_CONFIG_FILE: path.join(home, 'no-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    // The SDK warns on stderr that Node 20 support ends in 2027; the machine runs Node 20 and stderr is asserted here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra,
  };
}

const gw = (metricName: string, dims: Record<string, string>, stat: string, period: number, value: number, at = START_S): RecordedMetric =>
  ({ namespace: GW, metricName, dimensions: { Stage: 'prod', ...dims }, stat, period, points: [[at, value]] });
/** The window totals (one point, period = the window) of a model, or of a consumer of it. */
function sli(model: string, consumer: string | undefined, f: { req: number; err: number; p50?: number; p99?: number; within?: number; threshold: number; pt: number; ct: number }): RecordedMetric[] {
  const dims = { Model: model, ...(consumer ? { Consumer: consumer } : {}) };
  return [
    gw('Requests', dims, 'Sum', DAY, f.req), gw('Errors', dims, 'Sum', DAY, f.err),
    ...(f.p50 === undefined ? [] : [gw('Latency', dims, 'p50', DAY, f.p50)]), ...(f.p99 === undefined ? [] : [gw('Latency', dims, 'p99', DAY, f.p99)]),
    ...(f.within === undefined ? [] : [gw('Latency', dims, `PR(:${f.threshold})`, DAY, f.within)]),
    gw('PromptTokens', dims, 'Sum', DAY, f.pt), gw('CompletionTokens', dims, 'Sum', DAY, f.ct),
  ];
}
/** An endpoint variant's hourly Invocations and InvocationsPerInstance in the given hours. */
function hourly(endpoint: string, hours: number[], inv: number, ipi: number): RecordedMetric[] {
  const dims = { EndpointName: endpoint, VariantName: 'AllTraffic' };
  const points = (v: number) => hours.map((h) => [START_S + h * HOUR, v] as const);
  return [
    { namespace: 'AWS/SageMaker', metricName: 'Invocations', dimensions: dims, stat: 'Sum', period: HOUR, points: points(inv) },
    { namespace: 'AWS/SageMaker', metricName: 'InvocationsPerInstance', dimensions: dims, stat: 'Sum', period: HOUR, points: points(ipi) },
  ];
}
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('npm run slo-report', () => {
  let stub: CloudWatchStub;
  let home: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    // Seven query results per page: the report must follow NextToken.
    stub = await startCloudWatchStub({ pageSize: 7 });
    home = mkdtempSync(path.join(tmpdir(), 'slo-report-'));
    env = cleanEnv(home, { AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTEST', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_ENDPOINT_URL_CLOUDWATCH: stub.url });
    stub.record(
      // chat (99.5% available, 95% within its 20,000 ms budget): 30 errors, 97% within.
      ...sli('chat', undefined, { req: 10_000, err: 30, p50: 1200, p99: 9800, within: 97, threshold: 20000, pt: 4_000_000, ct: 1_000_000 }),
      // The last hour: 6 of 600 failed, 90% within.
      gw('Requests', { Model: 'chat' }, 'Sum', HOUR, 600, END_S - HOUR), gw('Errors', { Model: 'chat' }, 'Sum', HOUR, 6, END_S - HOUR),
      gw('Latency', { Model: 'chat' }, 'PR(:20000)', HOUR, 90, END_S - HOUR),
      // 12 hours at 3 instances (3,000 ÷ 1,000), 12 without traffic at the minimum of 2.
      ...hourly('inference-prod-chat', range(12), 3000, 1000),
      // embed (99.9% available, 99% within 500 ms): 10 errors, 99.5% within; 2 instances all day.
      ...sli('embed', undefined, { req: 50_000, err: 10, p50: 40, p99: 300, within: 99.5, threshold: 500, pt: 2_000_000, ct: 0 }),
      gw('Requests', { Model: 'embed' }, 'Sum', HOUR, 2000, END_S - HOUR), gw('Errors', { Model: 'embed' }, 'Sum', HOUR, 0, END_S - HOUR),
      gw('Latency', { Model: 'embed' }, 'PR(:500)', HOUR, 100, END_S - HOUR),
      ...hourly('inference-prod-embed', range(24), 2000, 1000),
      // Consumers: search-team used 3.5M of chat's 5M tokens and all of embed's; support-bot the other 1.5M of chat's.
      ...sli('chat', 'search-team', { req: 6000, err: 12, p50: 1100, p99: 9000, within: 98, threshold: 20000, pt: 3_000_000, ct: 500_000 }),
      ...sli('embed', 'search-team', { req: 50_000, err: 10, within: 99.5, threshold: 500, pt: 2_000_000, ct: 0 }),
      ...sli('chat', 'support-bot', { req: 4000, err: 18, p50: 1400, p99: 12000, within: 95.5, threshold: 20000, pt: 1_000_000, ct: 500_000 }),
      // support-bot's last hour on chat: 3 of 200 failed.
      gw('Requests', { Model: 'chat', Consumer: 'support-bot' }, 'Sum', HOUR, 200, END_S - HOUR),
      gw('Errors', { Model: 'chat', Consumer: 'support-bot' }, 'Sum', HOUR, 3, END_S - HOUR),
    );
  });
  afterAll(async () => {
    await stub.close();
    rmSync(home, { recursive: true, force: true });
  });

  test('--json: every figure as computed by hand', async () => {
    const r = await run(['--stage', 'prod', '--window', '24h', '--end', END, '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.window).toEqual({ start: '2026-11-30T00:00:00Z', end: '2026-12-01T00:00:00Z', hours: 24 });
    const chat = report.models.find((m: { model: string }) => m.model === 'chat');
    const [availability, latency] = chat.objectives;
    // 30 / 10,000 = 0.3% bad; ÷ 0.5% budget = 0.6× burn, 40% of the budget left; the last hour 6 / 600 = 1% → 2×.
    expect(availability.attainment).toBeCloseTo(0.997, 12);
    expect(availability.burnRate).toBeCloseTo(0.6, 12);
    expect(availability.budgetRemaining).toBeCloseTo(0.4, 12);
    expect(availability.burnRateLastHour).toBeCloseTo(2, 12);
    // 97% within 20 s: 3% slow ÷ 5% = 0.6×, 40% left; the last hour 90% → 10% ÷ 5% = 2×.
    expect(latency).toMatchObject({ kind: 'latency', targetPercent: 95, thresholdMs: 20000 });
    expect(latency.attainment).toBeCloseTo(0.97, 12);
    expect(latency.burnRate).toBeCloseTo(0.6, 12);
    expect(latency.burnRateLastHour).toBeCloseTo(2, 12);
    expect(chat).toMatchObject({ requests: 10000, errors: 30, p50Ms: 1200, p99Ms: 9800, promptTokens: 4_000_000, completionTokens: 1_000_000 });
    // 12 h × 3 + 12 h × 2 = 60 instance-hours × $13.1222 = $787.332; ÷ 5,000 K tokens = $0.1574664; ÷ 10 K requests = $78.7332.
    expect(chat.instanceHours).toBe(60);
    expect(chat.costUsd).toBeCloseTo(787.332, 9);
    expect(chat.costPer1kTokensUsd).toBeCloseTo(0.1574664, 12);
    expect(chat.costPer1kRequestsUsd).toBeCloseTo(78.7332, 9);

    const embed = report.models.find((m: { model: string }) => m.model === 'embed');
    // 10 / 50,000 = 0.02% ÷ 0.1% = 0.2×; 0.5% slow ÷ 1% = 0.5×; 24 h × 2 × $1.1644 = $55.8912; ÷ 2,000 K tokens.
    expect(embed.objectives[0].burnRate).toBeCloseTo(0.2, 12);
    expect(embed.objectives[1].burnRate).toBeCloseTo(0.5, 12);
    expect(embed.objectives[1].burnRateLastHour).toBeCloseTo(0, 12);
    expect(embed.instanceHours).toBe(48);
    expect(embed.costUsd).toBeCloseTo(55.8912, 9);
    expect(embed.costPer1kTokensUsd).toBeCloseTo(0.0279456, 12);
    expect(report.totalCostUsd).toBeCloseTo(843.2232, 9);

    const [search, support, ...others] = report.consumers;
    // Requests without a key and foreign keys had no data: not listed.
    expect(others).toEqual([]);
    // search-team: 70% of chat's tokens × $787.332 + all of embed's $55.8912 = $607.0236, of $843.2232 = 71.988%.
    expect(search).toMatchObject({ consumer: 'search-team', requests: 56_000, promptTokens: 5_000_000, completionTokens: 500_000 });
    expect(search.costUsd).toBeCloseTo(607.0236, 9);
    expect(search.shareOfCost).toBeCloseTo(607.0236 / 843.2232, 12);
    expect(search.costPer1kTokensUsd).toBeCloseTo(607.0236 / 5500, 12);
    expect(search.costPer1kRequestsUsd).toBeCloseTo(607.0236 / 56, 12);
    // Its own SLIs per model: chat 12 / 6,000 = 0.2% ÷ 0.5% = 0.4×.
    expect(search.models.map((m: { model: string }) => m.model)).toEqual(['chat', 'embed']);
    expect(search.models[0].objectives[0].burnRate).toBeCloseTo(0.4, 12);
    expect(search.models[0]).toMatchObject({ p50Ms: 1100, p99Ms: 9000 });
    // support-bot: 30% of chat = $236.1996, 28.012%; 18 / 4,000 = 0.45% ÷ 0.5% = 0.9×; 95.5% within → 0.9×.
    expect(support.costUsd).toBeCloseTo(236.1996, 9);
    expect(support.shareOfCost).toBeCloseTo(236.1996 / 843.2232, 12);
    expect(support.models[0].objectives[0].burnRate).toBeCloseTo(0.9, 12);
    expect(support.models[0].objectives[1].burnRate).toBeCloseTo(0.9, 12);
    // Its last hour: 3 / 200 = 1.5% ÷ 0.5% = 3×; search-team sent nothing then: no burn rate.
    expect(support.models[0].objectives[0].burnRateLastHour).toBeCloseTo(3, 12);
    expect(search.models[0].objectives[0].burnRateLastHour).toBeNull();
    expect(report.notes.join('\n')).toMatch(/not confirmed against a dated AWS source/);

    // What went over the wire: AWS JSON 1.0 GetMetricData, epoch-second times, the window's and the last hour's, paged.
    const requests = stub.requests();
    expect(requests.length).toBeGreaterThan(2);
    expect(requests[0]).toMatchObject({ StartTime: START_S, EndTime: END_S, ScanBy: 'TimestampAscending' });
    expect(requests.some((q) => q.StartTime === END_S - HOUR && q.NextToken === undefined)).toBe(true);
    expect(requests.some((q) => typeof q.NextToken === 'string')).toBe(true);
  }, 60_000);

  test('the table for people', async () => {
    const r = await run(['--stage', 'prod', '--window', '24h', '--end', END], env);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('SLO report of stage prod, 2026-11-30T00:00:00Z – 2026-12-01T00:00:00Z (24 h)');
    const chatRow = lines.find((l) => l.startsWith('chat '))!;
    expect(chatRow.split(/\s{2,}/)).toEqual(['chat', '10,000', 'avail 99.5%', '99.700%', '40.0%', '0.60×', '2.00×', '1200', '9800', '4,000,000', '1,000,000', '60.0', '$787.33', '$0.1575', '$78.73']);
    expect(lines.find((l) => l.startsWith('search-team') && l.includes('share') === false && /\$607\.02/.test(l))).toMatch(/72\.0%$/);
    expect(r.stdout).toContain('Total serving cost: $843.22');
  }, 60_000);

  test('--help, unknown stage, bad window', async () => {
    const help = await run(['--help'], env);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run slo-report -- --stage STAGE/);
    expect(help.stdout).toContain('exit: 0 report written');
    const unknown = await run(['--stage', 'qa'], env);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('slo-report: --stage qa is not in config/platform.json (stages: staging, prod)');
    const window = await run(['--stage', 'prod', '--window', '3w'], env);
    expect(window.status).toBe(2);
    expect(window.stderr).toContain('--window "3w" is not a window');
  }, 60_000);

  test('missing credentials and empty data say what to do', async () => {
    const noCredentials = await run(['--stage', 'prod', '--end', END], cleanEnv(home, { AWS_ENDPOINT_URL_CLOUDWATCH: stub.url }));
    expect(noCredentials.status).toBe(3);
    expect(noCredentials.stderr).toMatch(/^slo-report: no AWS credentials: set AWS_PROFILE .* cloudwatch:GetMetricData in us-east-1\n$/);
    // A week later nothing was recorded.
    const empty = await run(['--stage', 'prod', '--window', '24h', '--end', '2026-12-08T00:00:00Z'], env);
    expect(empty.status).toBe(4);
    expect(empty.stderr).toContain('slo-report: no data: CloudWatch in us-east-1 has no gateway requests for stage prod between 2026-12-07T00:00:00.000Z and 2026-12-08T00:00:00.000Z');
    // A stage without a region needs one.
    const noRegion = await run(['--stage', 'staging', '--end', END], env);
    expect(noRegion.status).toBe(2);
    expect(noRegion.stderr).toContain('stage staging has no region in config/platform.json: pass --region');
  }, 60_000);
});
