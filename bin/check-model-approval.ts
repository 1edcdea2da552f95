import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { loadPlatformConfig, PlatformConfigError } from '../lib/config/load-config';
import { CliError, runCli, UsageError } from './cli-args';
import { checkModelApprovals, registryGroup, requiredApprovals } from './model-approval';

const USAGE = `usage: tsx bin/check-model-approval.ts --config FILE --stage NAME --region REGION
  Checks that every model version the production stage will serve is Approved in the model
  package group of the pipeline's model registry stage (ListModelPackages, DescribeModelPackage),
  as the promotion pipeline does before production. AWS credentials from the usual chain.
  --config   the platform config with a pipeline section (as PLATFORM_CONFIG)
  --stage    the production stage
  --region   the model registry stage's region
  --help     this text
exit: 0 every version is Approved, 1 a version is not (one line each), 2 bad usage or config`;

runCli({
  name: 'check-model-approval',
  usage: USAGE,
  options: { config: { type: 'string' }, stage: { type: 'string' }, region: { type: 'string' } },
}, async (flags) => {
  for (const flag of ['config', 'stage', 'region'] as const) if (!flags[flag]) throw new UsageError(`--${flag} is required`);
  let group: string;
  let required;
  try {
    const config = loadPlatformConfig(flags.config!);
    group = registryGroup(config);
    required = requiredApprovals(config, flags.stage!);
  } catch (error) {
    throw new CliError(error instanceof PlatformConfigError ? error.message : (error as Error).message);
  }
  const sagemaker = new SageMakerClient({ region: flags.region! });
  try {
    const results = await checkModelApprovals(sagemaker, group, required).catch((error: { name?: string; message?: string }) => {
      throw new CliError(`cannot read model package group ${group}: ${error.name ?? 'Error'}: ${error.message ?? String(error)}`, 1);
    });
    for (const r of results) {
      console.log(r.failure ? `FAIL ${r.failure}` : `ok   ${r.version.model}@${r.version.version} is Approved (${r.modelPackageArn})`);
    }
    const failed = results.filter((r) => r.failure).length;
    if (failed > 0) console.error(`${failed} model version(s) ${flags.stage} would serve are not Approved in ${group}: production waits`);
    return failed > 0 ? 1 : 0;
  } finally {
    sagemaker.destroy();
  }
});
