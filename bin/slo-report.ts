#!/usr/bin/env node
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { loadPlatformConfig, PlatformConfigError } from '../lib/config/load-config';
import { CHARS_PER_TOKEN_ESTIMATE } from '../lambda/gateway/token-usage';
import { CliError, failingWith, runCli, UsageError } from './cli-args';
import { fetchMetricData } from './slo-report/fetch-metrics';
import { computeReport } from './slo-report/report-figures';
import { planReport } from './slo-report/report-queries';
import { reportJson, reportTable } from './slo-report/render-report';

/**
 * `npm run slo-report -- --stage prod`: for a stage and a window, per model and per consumer, the
 * SLO attainment, error budget left, burn rate, p50/p99 latency, tokens, cost per 1K tokens and
 * each consumer's share of the cost, from CloudWatch (GetMetricData) with the standard AWS
 * credential chain.
 */
const USAGE = `usage: npm run slo-report -- --stage STAGE [--window 30d|28d|7d|24h] [--end ISO-8601] [--region REGION] [--config FILE] [--json]
  --stage    the stage to report on
  --window   how far back from --end: days (30d) or hours (24h), whole hours, at most 455 days
             (default: the longest SLO window of the stage's models, else 30d)
  --end      the end of the window, rounded down to the hour (default: now)
  --region   the stage's region (default: its region in the config, else AWS_REGION)
  --config   the platform config (default $PLATFORM_CONFIG or config/platform.json)
  --json     machine-readable output
  --help     this text
Credentials: the AWS SDK's default chain (AWS_PROFILE, environment, SSO, instance role); needs cloudwatch:GetMetricData.
exit: 0 report written, 1 a config mistake, 2 bad usage or unknown stage, 3 AWS refused or unreachable (credentials, permissions), 4 no data in the window`;

/** Hourly data is kept 455 days (CloudWatch metric retention: 1-hour points for 455 days). */
const MAX_WINDOW_HOURS = 455 * 24;

runCli({
  name: 'slo-report',
  usage: USAGE,
  options: {
    stage: { type: 'string' }, window: { type: 'string' }, end: { type: 'string' }, region: { type: 'string' },
    config: { type: 'string', default: process.env.PLATFORM_CONFIG || 'config/platform.json' }, json: { type: 'boolean', default: false },
  },
}, async (flags) => {
  if (!flags.stage) throw new UsageError('--stage is required');
  const config = failingWith([PlatformConfigError], () => loadPlatformConfig(flags.config), 1);
  const stage = config.stages[flags.stage];
  if (!stage) throw new UsageError(`--stage ${flags.stage} is not in ${flags.config} (stages: ${Object.keys(config.stages).join(', ')})`);
  const sloDays = Math.max(0, ...Object.values(stage.models).map((m) => m.slo?.windowDays ?? 0));
  const windowSeconds = parseWindow(flags.window ?? `${sloDays || 30}d`);
  const end = flags.end === undefined ? Date.now() / 1000 : parseEnd(flags.end);
  const region = flags.region ?? stage.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError(`stage ${flags.stage} has no region in ${flags.config}: pass --region (or set AWS_REGION)`);

  const plan = planReport(config, flags.stage, windowSeconds, end);
  const client = new CloudWatchClient({ region });
  try {
    const window = await fetchMetricData(client, plan.windowQueries, plan.start, plan.end);
    const lastHour = await fetchMetricData(client, plan.lastHourQueries, plan.end - 3600, plan.end);
    const figures = computeReport(plan, window, lastHour);
    if (figures.empty) {
      throw new CliError(`no data: CloudWatch in ${region} has no gateway requests for stage ${flags.stage} between ` +
        `${new Date(plan.start * 1000).toISOString()} and ${new Date(plan.end * 1000).toISOString()}. Check --region, --window, and that the stage's gateway is deployed and serving.`, 4);
    }
    const notes = [
      `Instance-hours are estimated per hour as Invocations ÷ InvocationsPerInstance, the minimum capacity where an hour had no traffic.`,
      `Token counts come from the models' usage fields; where an answer had none the gateway estimated ⌈characters ÷ ${CHARS_PER_TOKEN_ESTIMATE}⌉ (metric TokensEstimated).`,
      `Latency SLIs are the gateway's end-to-end latency; availability counts 5xx answers of the gateway as bad.`,
      ...figures.models.filter((m) => m.costNote).map((m) => `${m.model}: no cost: ${m.costNote}.`),
      ...plan.models.flatMap((m) => m.variants.filter((v) => v.price && !v.price.confirmed)
        .map((v) => `${m.name}: the price of ${v.instanceType} in ${v.price!.region} ($${v.price!.usdPerHour}/h) is not confirmed against a dated AWS source (lib/audit/pricing.json).`)),
      ...(plan.models.some((m) => m.variants.some((v) => v.price?.regionAssumed)) ? [`The stage has no region in the config: prices are the table's default region's.`] : []),
    ];
    process.stdout.write(flags.json ? reportJson(figures, notes) : reportTable(figures, notes));
  } catch (error) {
    throw awsFailure(error, region);
  } finally {
    client.destroy();
  }
});

/** `30d` or `24h`: seconds, whole hours within CloudWatch's hourly retention. */
function parseWindow(text: string): number {
  const m = /^(\d{1,5})([dh])$/.exec(text);
  const hours = m ? Number(m[1]) * (m[2] === 'd' ? 24 : 1) : Number.NaN;
  if (!(hours >= 1 && hours <= MAX_WINDOW_HOURS)) throw new UsageError(`--window ${JSON.stringify(text)} is not a window: use days (30d) or hours (24h), 1 h to 455 d`);
  return hours * 3600;
}

function parseEnd(text: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) throw new UsageError(`--end ${JSON.stringify(text)} is not an ISO 8601 time with a zone, e.g. 2026-12-01T00:00Z`);
  return ms / 1000;
}

/** An SDK failure as one line that says what to do; a CliError passes through. */
function awsFailure(error: unknown, region: string): unknown {
  if (error instanceof CliError) return error;
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name === 'CredentialsProviderError') {
    return new CliError('no AWS credentials: set AWS_PROFILE (after `aws sso login` if it is an SSO profile) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ' +
      `for an identity allowed cloudwatch:GetMetricData in ${region}`, 3);
  }
  if (e.$metadata?.httpStatusCode !== undefined || /^(?:ECONNREFUSED|ENOTFOUND|ETIMEDOUT|TimeoutError)$/.test(String((error as NodeJS.ErrnoException).code ?? e.name))) {
    return new CliError(`CloudWatch in ${region} refused GetMetricData: ${e.name ?? 'error'}: ${e.message ?? String(error)}`, 3);
  }
  return error;
}
