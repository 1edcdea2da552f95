import { arnAccount, isPlaceholderAccount } from './account-references';
import type { PlatformConfig } from './config-schema';
import { platformNames } from './platform-names';

/**
 * What the schema cannot say about the `pipeline` section: the stages it names exist and appear
 * once, every stage before production can be smoke-tested (it has a gateway), and every model
 * version production serves can be approved in the model registry stage (that stage registers
 * only the versions it serves itself). One `path: value problem and fix` each.
 */
export function pipelineProblems(config: PlatformConfig): string[] {
  const pipeline = config.pipeline;
  if (!pipeline) return [];
  const problems: string[] = [];
  const at = (path: string, value: unknown, problem: string) => problems.push(`${path}: ${JSON.stringify(value)} ${problem}`);
  const defined = Object.keys(config.stages);

  if (isPlaceholderAccount(pipeline.account)) {
    at('pipeline.account', pipeline.account, 'is a placeholder account from AWS documentation examples: use the account the pipeline runs in');
  }
  if (pipeline.source.type === 'codeconnections') {
    const account = arnAccount(pipeline.source.connectionArn);
    if (account && account !== pipeline.account) {
      at('pipeline.source.connectionArn', pipeline.source.connectionArn, `is in account ${account}, not the pipeline's account ${pipeline.account}: ` +
        'create the connection in the pipeline\'s account (CodePipeline uses connections of its own account)');
    }
  }
  const known = pipeline.stages.map((stage, i) => {
    if (!(stage in config.stages)) at(`pipeline.stages.${i}`, stage, `is not a stage under "stages" (stages: ${defined.join(', ')})`);
    else if (pipeline.stages.indexOf(stage) !== i) at(`pipeline.stages.${i}`, stage, 'is listed twice: a stage is deployed once per run');
    else return stage;
    return undefined;
  }).filter((stage): stage is string => stage !== undefined);
  if (known.length !== pipeline.stages.length) return problems;

  const production = pipeline.stages[pipeline.stages.length - 1];
  const tested = pipeline.stages.slice(0, -1);
  for (const stage of tested) {
    // IAM role names are at most 64 characters (IAM User Guide, "IAM object quotas").
    for (const role of [platformNames.smokeTestRole(config.name, stage), platformNames.smokeTestRunnerRole(config.name, stage)]) {
      if (role.length > 64) at(`pipeline.stages.${pipeline.stages.indexOf(stage)}`, stage, `makes the smoke-test role name ${role} longer than IAM's 64 characters: shorten the stage or platform name`);
    }
    if (!config.stages[stage].gateway) {
      problems.push(`stages.${stage}.gateway: is required: the pipeline smoke-tests ${stage} through its gateway before promoting to ${production} ` +
        '(add "gateway": {"consumers": []} at least)');
    }
  }
  const registry = pipeline.modelRegistryStage;
  if (!tested.includes(registry)) {
    at('pipeline.modelRegistryStage', registry, `must be a stage the pipeline deploys before production ${production} (one of: ${tested.join(', ')})`);
    return problems;
  }
  if (!config.stages[registry].artifactStore?.modelPackageGroup) {
    problems.push(`stages.${registry}.artifactStore.modelPackageGroup: must be true: ${registry} is pipeline.modelRegistryStage, ` +
      'where new model versions wait for approval');
  }
  const registered = config.stages[registry].models;
  for (const [model, deployment] of Object.entries(config.stages[production].models)) {
    const there = registered[model];
    const versions = there ? [there.version, ...(there.shadow ? [there.shadow.version] : [])] : [];
    if (!versions.includes(deployment.version)) {
      at(`stages.${production}.models.${model}.version`, deployment.version, `is not served by the model registry stage ${registry} ` +
        `(${there ? `it serves ${versions.join(', ')}` : `it does not serve ${model}`}), so it could never be registered and approved there: ` +
        `serve ${model}@${deployment.version} in ${registry} first`);
    }
  }
  return problems;
}
