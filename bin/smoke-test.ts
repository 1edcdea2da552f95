import { loadPlatformConfig, PlatformConfigError } from '../lib/config/load-config';
import { CliError, numberFlag, runCli, UsageError } from './cli-args';
import { smokeTestPlan } from './smoke-test-plan';
import { runSmokeTest } from './smoke-test-runner';

const USAGE = `usage: tsx bin/smoke-test.ts --config FILE --stage NAME --region REGION --gateway-url URL [--wait-seconds N]
  Smoke-tests a deployed stage, as the promotion pipeline does after deploying it: per model a
  normal prompt (200), a prompt injection (422) and personal data (200, redacted) through the
  gateway, SigV4-signed; an unknown model (404); and each endpoint InService with its variants
  and image (DescribeEndpoint). The API key is read from SMOKE_API_KEY; AWS credentials from the
  usual chain (AWS_PROFILE, ...).
  --config        the platform config (as PLATFORM_CONFIG)
  --stage         the stage to test
  --region        the stage's region
  --gateway-url   the stage gateway's URL (its Url output)
  --wait-seconds  how long a scale-to-zero model may take to answer its first request (default 900)
  --help          this text
exit: 0 every check passed, 1 a check failed (one line each), 2 bad usage or config`;

runCli({
  name: 'smoke-test',
  usage: USAGE,
  options: {
    config: { type: 'string' }, stage: { type: 'string' }, region: { type: 'string' }, 'gateway-url': { type: 'string' }, 'wait-seconds': { type: 'string' },
  },
}, async (flags) => {
  for (const flag of ['config', 'stage', 'region', 'gateway-url'] as const) if (!flags[flag]) throw new UsageError(`--${flag} is required`);
  const waitSeconds = flags['wait-seconds'] === undefined ? 900 : numberFlag('--wait-seconds', flags['wait-seconds'], { min: 0, integer: true });
  const apiKey = process.env.SMOKE_API_KEY;
  if (!apiKey) throw new CliError('SMOKE_API_KEY is not set: export the API key of the stage\'s smoke-test usage plan (aws apigateway get-api-key --include-value)');
  let gatewayUrl: URL;
  try {
    gatewayUrl = new URL(flags['gateway-url']!);
  } catch {
    throw new UsageError(`--gateway-url ${JSON.stringify(flags['gateway-url'])} is not a URL: pass the gateway's Url output, https://<api>.execute-api.<region>.amazonaws.com/<stage>/`);
  }
  let plan;
  try {
    plan = smokeTestPlan(loadPlatformConfig(flags.config!), flags.stage!);
  } catch (error) {
    if (error instanceof PlatformConfigError) throw new CliError(error.message);
    throw new CliError((error as Error).message);
  }
  const results = await runSmokeTest(plan, { gatewayUrl: gatewayUrl.href, apiKey, region: flags.region!, waitBudgetMs: waitSeconds * 1000 });
  for (const result of results) console.log(`${result.failure ? 'FAIL' : 'ok  '} ${result.name}${result.failure ? `: ${result.failure}` : ''}`);
  for (const skipped of plan.notApplicable) console.log(`n/a  ${skipped}`);
  const failed = results.filter((r) => r.failure);
  if (failed.length > 0) {
    console.error(`smoke test of stage ${plan.stage} failed: ${failed.length} of ${results.length} checks (see FAIL lines above)`);
    return 1;
  }
  console.log(`smoke test of stage ${plan.stage} passed: ${results.length} checks`);
  return 0;
});
