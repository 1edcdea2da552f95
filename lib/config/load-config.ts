import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { provisioningSeconds } from '../rollout/deployment-strategy';
import { ENDPOINT_METRICS } from '../endpoint/endpoint-metrics';
import { GpuInstanceType } from '../endpoint/gpu-instance-type';
import { DLC_REGIONS } from '../endpoint/inference-image';
import { modelVersionProblems } from '../artifacts/model-version';
import { instanceTypeProblem, modelFitProblem, tensorParallelProblem } from '../endpoint/production-variant';
import { rawPathProblems, safetyPolicyProblems } from '../gateway/gateway-model-problems';
import { accountProblems, ArnReference } from './account-references';
import {
  DEFAULT_ACCOUNT_CONCURRENCY_LIMIT, DEFAULT_GATEWAY_RESERVED_CONCURRENCY, DRIFT_PUBLISHER_RESERVED_CONCURRENCY, Reservation, reservationProblem,
} from '../common/reserved-concurrency';
import { ConfigProblem, formatConfigProblem, parseConfigJson } from './config-json';
import { ModelDeploymentConfig, PlatformConfig, platformConfigSchema, StageConfig } from './config-schema';
import { bannedWordProblems } from '../../lambda/safety/banned-words';
import { deploymentStrategy } from './rollout-config';
import { describeIssue } from './schema-issues';
import { platformLimitProblems } from './platform-limits';
import { pipelineProblems } from './pipeline-problems';

/**
 * Every problem in a platform config, one line each: `file:line:column: path: value problem and
 * the fix` (the place when the path is written in the file).
 */
export class PlatformConfigError extends Error {
  /** The problems as `path: value problem`, without the file and place. */
  public readonly problems: string[];

  constructor(public readonly source: string, problems: readonly ConfigProblem[]) {
    super(problems.map((problem) => formatConfigProblem(source, problem)).join('\n'));
    this.name = 'PlatformConfigError';
    this.problems = problems.map((problem) => problem.text);
  }
}

/**
 * Reads and validates the platform config file. `source` names it in every problem (default:
 * the path relative to the working directory).
 */
export function loadPlatformConfig(file: string, source = relative(process.cwd(), resolve(file)) || file): PlatformConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file; create it, or' : code === 'EISDIR' ? 'it is a directory;' : `${(error as Error).message};`;
    throw new PlatformConfigError(source, [{ text: `cannot read the platform config: ${why} set PLATFORM_CONFIG to the config file` }]);
  }
  return parsePlatformConfig(text, source);
}

/**
 * Parses and validates a platform config (JSON text). Reports every problem at once, each at its
 * line and column: JSON syntax first (alone, as nothing else can be read), then keys given twice
 * and schema problems, then what the schema cannot say (GPU types, version references, model fit).
 * Things that are legal but almost certainly a mistake (a banned word that can never match) go to
 * `warn`, by default a Node process warning on stderr.
 */
export function parsePlatformConfig(text: string, source = 'platform config',
  warn: (message: string) => void = (message) => process.emitWarning(message, 'PlatformConfigWarning')): PlatformConfig {
  const json = parseConfigJson(text);
  if (json.syntaxErrors.length > 0) throw new PlatformConfigError(source, json.syntaxErrors);
  // Each problem starts with the config path it is about: `stages.prod.models.chat.instanceType: ...`.
  const located = (problems: string[]): ConfigProblem[] => problems.map((text) => ({ text, at: json.locate(text.split(': ', 1)[0]) }));
  const parsed = platformConfigSchema.safeParse(json.value);
  const schemaProblems = parsed.success ? [] : parsed.error.issues.flatMap((issue) => describeIssue(issue, json.value));
  if (json.duplicateKeys.length > 0 || !parsed.success) throw new PlatformConfigError(source, [...json.duplicateKeys, ...located(schemaProblems)]);
  const problems = [...semanticProblems(parsed.data), ...platformLimitProblems(parsed.data), ...pipelineProblems(parsed.data)];
  if (problems.length > 0) throw new PlatformConfigError(source, located(problems));
  for (const [modelName, model] of Object.entries(parsed.data.models)) {
    const words = typeof model.safetyPolicy === 'object' ? (model.safetyPolicy.bannedWords as { words?: unknown } | undefined)?.words : undefined;
    if (Array.isArray(words)) for (const p of bannedWordProblems(words.filter((w): w is string => typeof w === 'string'))) warn(`${source}: models.${modelName}.safetyPolicy.${p}`);
  }
  return parsed.data;
}

/**
 * The GPU instance type a config names: a catalog type, or one the config declares under
 * `instanceTypes` with its hardware facts.
 */
export function configInstanceType(config: PlatformConfig, name: string): GpuInstanceType {
  return GpuInstanceType.of(name, config.instanceTypes?.[name]);
}


function semanticProblems(config: PlatformConfig): string[] {
  const problems: string[] = [];
  const at = (path: string, value: unknown, problem: string) => problems.push(`${path}: ${JSON.stringify(value)} ${problem}`);
  const modelNames = Object.keys(config.models);

  for (const [modelName, model] of Object.entries(config.models)) {
    // The gateway handlers' own parsers, so what would fail at cold start fails the synth instead.
    problems.push(...safetyPolicyProblems(model.safetyPolicy, `models.${modelName}.safetyPolicy`));
    problems.push(...rawPathProblems(model.rawPaths, `models.${modelName}.rawPaths`));
    if (model.payloadFormat === 'raw' && !model.rawPaths) problems.push(`models.${modelName}.rawPaths: is required when payloadFormat is "raw"`);
    const policy = model.safetyPolicy as { canary?: { tokens?: unknown } } | string | undefined;
    if (typeof policy === 'object' && policy.canary?.tokens !== undefined) {
      problems.push(`models.${modelName}.safetyPolicy.canary.tokens: would be readable in the template and the Lambda environment: remove them, ` +
        `and set stages.<stage>.gateway.policySecrets.${modelName} to "generate" (a secret with a random token) or to your secret's ARN`);
    }
    for (const [label, version] of Object.entries(model.versions)) {
      for (const problem of modelVersionProblems({ modelName, version: label, ...version })) {
        problems.push(`models.${modelName}.versions.${label}.${problem}`);
      }
    }
  }
  if (Object.keys(config.stages).length === 0) problems.push('stages: {} must name at least one stage, e.g. "staging"');
  for (const [name, spec] of Object.entries(config.instanceTypes ?? {})) {
    const catalog = GpuInstanceType.all().find((t) => t.name === name);
    const nameProblem = instanceTypeProblem(GpuInstanceType.of(name, spec));
    if (catalog) problems.push(`instanceTypes.${name}: is in the built-in catalog already (${catalog.spec!.gpuCount}× ${catalog.spec!.accelerator}): remove it`);
    else if (nameProblem) at(`instanceTypes.${name}`, name, nameProblem);
    else if (spec.gpuMemoryGiB / spec.gpuCount > 1024) at(`instanceTypes.${name}.gpuMemoryGiB`, spec.gpuMemoryGiB, 'is the memory of all GPUs together, in GiB: check the unit');
  }

  for (const [stageName, stage] of Object.entries(config.stages)) {
    const path = `stages.${stageName}`;
    if (stage.region && !DLC_REGIONS.includes(stage.region)) {
      at(`${path}.region`, stage.region, `has no AWS deep learning container registry (supported: ${DLC_REGIONS.join(', ')})`);
    }
    problems.push(...accountProblems(arnReferences(path, stage), {
      stageAccount: stage.account, externalAccounts: stage.externalAccounts ?? [], externalAccountsPath: `${path}.externalAccounts`,
    }));
    (stage.gateway?.consumers ?? []).forEach((consumer, i) => {
      if (consumer.name === 'none' || consumer.name === 'unknown') {
        at(`${path}.gateway.consumers.${i}.name`, consumer.name, 'is reserved: the gateway counts requests without an API key as "none" and keys made outside the config as "unknown"; choose another name');
      }
    });
    for (const modelName of Object.keys(stage.gateway?.policySecrets ?? {})) {
      if (!(modelName in stage.models)) at(`${path}.gateway.policySecrets`, modelName, `is not a model this stage serves (models: ${Object.keys(stage.models).join(', ')})`);
    }
    for (const [modelName, deployment] of Object.entries(stage.models)) {
      const mpath = `${path}.models.${modelName}`;
      const model = config.models[modelName];
      if (!model) {
        at(`${path}.models`, modelName, `is not a model defined under "models" (defined: ${modelNames.join(', ') || 'none'})`);
        continue;
      }
      const version = model.versions[deployment.version];
      if (!version) {
        at(`${mpath}.version`, deployment.version, `is not a version of ${modelName} (versions: ${Object.keys(model.versions).join(', ') || 'none'})`);
      }
      const type = configInstanceType(config, deployment.instanceType);
      const typeProblem = instanceTypeProblem(type) ?? unknownFactsProblem(type);
      if (typeProblem) {
        at(`${mpath}.instanceType`, deployment.instanceType, typeProblem);
        continue;
      }
      const degree = deployment.tensorParallelDegree;
      const degreeProblem = degree === undefined ? undefined : tensorParallelProblem(degree, type);
      if (degreeProblem) at(`${mpath}.tensorParallelDegree`, degree, degreeProblem);
      const fitProblem = version && !degreeProblem && modelFitProblem(
        { id: `${modelName}@${deployment.version}`, parameterCount: version.parameterCount, precision: version.precision ?? 'bf16' }, type, degree);
      if (fitProblem) at(`${mpath}.instanceType`, deployment.instanceType, fitProblem);
      problems.push(...rolloutProblems(mpath, deployment), ...autoscalingProblems(mpath, deployment));
      if (deployment.modelMonitor && !stage.dataCapture) at(`${mpath}.modelMonitor`, 'set', `needs captured traffic: add ${path}.dataCapture`);
      if (deployment.slo && !stage.gateway) problems.push(`${mpath}.slo: an SLO needs the stage's gateway, whose Requests, Errors and Latency metrics are its SLIs; add ${path}.gateway or remove the slo`);
      if (deployment.scaleToZero) {
        const clash = (['rollout', 'autoscaling', 'shadow'] as const).filter((key) => deployment[key] !== undefined);
        if (clash.length > 0) at(`${mpath}.scaleToZero`, 'set', `cannot be combined with ${clash.join(', ')}: a scale-to-zero model scales and rolls out on its inference component`);
        if (deployment.scaleToZero.maxInstanceCount < (deployment.instanceCount ?? 1)) {
          at(`${mpath}.scaleToZero.maxInstanceCount`, deployment.scaleToZero.maxInstanceCount, `is below instanceCount ${deployment.instanceCount ?? 1}`);
        }
      }

      const shadow = deployment.shadow;
      if (shadow) {
        const shadowVersion = model.versions[shadow.version];
        if (!shadowVersion) at(`${mpath}.shadow.version`, shadow.version, `is not a version of ${modelName} (versions: ${Object.keys(model.versions).join(', ')})`);
        const shadowType = configInstanceType(config, shadow.instanceType);
        const problem = instanceTypeProblem(shadowType) ?? unknownFactsProblem(shadowType) ?? (shadowVersion && modelFitProblem(
          { id: `${modelName}@${shadow.version}`, parameterCount: shadowVersion.parameterCount, precision: shadowVersion.precision ?? 'bf16' }, shadowType));
        if (problem) at(`${mpath}.shadow.instanceType`, shadow.instanceType, problem);
      }
    }
  }
  problems.push(...concurrencyProblems(config));
  return problems;
}

/**
 * A GPU type without known facts leaves the tensor-parallel degree, the model-fit check and the
 * KMS decision (SageMaker refuses a key on types with local NVMe storage) to guesswork: the
 * config declares them instead.
 */
function unknownFactsProblem(type: GpuInstanceType): string | undefined {
  if (type.spec) return undefined;
  const nearest = GpuInstanceType.nearestTo(type.name).map((t) => t.name).join(', ');
  return 'is outside the built-in GPU catalog, so its GPU count, GPU memory and local NVMe storage are unknown: declare them, ' +
    `"instanceTypes": {${JSON.stringify(type.name)}: {"accelerator", "gpuCount", "gpuMemoryGiB", "vcpus", "memoryGiB", "hasLocalNvmeStorage"}}, ` +
    `or use a catalog type (nearest: ${nearest})`;
}

/**
 * Stages share a quota when they pin the same account and region; a stage that pins neither is
 * checked on its own (it may deploy anywhere).
 */
function concurrencyProblems(config: PlatformConfig): string[] {
  const groups = new Map<string, string[]>();
  for (const [name, stage] of Object.entries(config.stages)) {
    const key = stage.account && stage.region ? `${stage.account}/${stage.region}` : `stage:${name}`;
    groups.set(key, [...(groups.get(key) ?? []), name]);
  }
  const problems: string[] = [];
  for (const names of groups.values()) {
    const reservations: Reservation[] = names.flatMap((name) => {
      const gateway = config.stages[name].gateway;
      return [
        ...(gateway ? [{ what: `stages.${name}.gateway.reservedConcurrency`, concurrency: gateway.reservedConcurrency ?? DEFAULT_GATEWAY_RESERVED_CONCURRENCY }] : []),
        { what: `the drift publisher of ${name}`, concurrency: DRIFT_PUBLISHER_RESERVED_CONCURRENCY },
      ];
    });
    const declared = names.filter((n) => config.stages[n].lambdaConcurrencyLimit !== undefined);
    const limit = Math.min(...declared.map((n) => config.stages[n].lambdaConcurrencyLimit as number), declared.length ? Infinity : DEFAULT_ACCOUNT_CONCURRENCY_LIMIT);
    const owner = declared.find((n) => config.stages[n].lambdaConcurrencyLimit === limit);
    const quota = owner ? `stages.${owner}.lambdaConcurrencyLimit ${limit}` : `Lambda's default ${limit}; set lambdaConcurrencyLimit if yours differs`;
    const where = names.length > 1 ? `stages.${names.join(' + stages.')} (same account and region)` : `stages.${names[0]}`;
    const problem = reservationProblem(reservations, limit, quota);
    if (problem) problems.push(`${where}: ${problem}`);
  }
  return problems;
}

/** Every ARN a stage's config names, with its path. */
function arnReferences(path: string, stage: StageConfig): ArnReference[] {
  return [
    ...(stage.gateway?.webAclArn ? [{ path: `${path}.gateway.webAclArn`, arn: stage.gateway.webAclArn }] : []),
    ...Object.entries(stage.gateway?.policySecrets ?? {}).filter(([, v]) => v !== 'generate').map(([model, arn]) => ({ path: `${path}.gateway.policySecrets.${model}`, arn })),
    ...(stage.dataCapture?.readerRoleArns ?? []).map((arn, i) => ({ path: `${path}.dataCapture.readerRoleArns.${i}`, arn })),
    ...Object.entries(stage.models).flatMap(([model, d]) => (d.retrainingTrigger ? [{ path: `${path}.models.${model}.retrainingTrigger.arn`, arn: d.retrainingTrigger.arn }] : [])),
  ];
}

function rolloutProblems(path: string, deployment: ModelDeploymentConfig): string[] {
  if (!deployment.rollout) return [];
  const bound = deploymentStrategy(deployment.rollout).bind({
    instanceCount: deployment.instanceCount ?? 1,
    variantCount: 1,
    provisioningSeconds: provisioningSeconds(deployment.modelDataDownloadTimeoutSeconds, deployment.containerStartupHealthCheckTimeoutSeconds),
  });
  return bound.problems.map((problem) => `${path}.rollout: ${problem}`);
}

function autoscalingProblems(path: string, deployment: ModelDeploymentConfig): string[] {
  const scaling = deployment.autoscaling;
  if (!scaling) return [];
  const problems: string[] = [];
  const initial = deployment.instanceCount ?? 1;
  if (scaling.minCapacity > initial) problems.push(`${path}.autoscaling.minCapacity: ${scaling.minCapacity} exceeds instanceCount ${initial}: min ≤ instanceCount ≤ max`);
  if (scaling.maxCapacity < initial) problems.push(`${path}.autoscaling.maxCapacity: ${scaling.maxCapacity} is below instanceCount ${initial}: min ≤ instanceCount ≤ max`);
  const signals = [scaling.invocationsPerInstancePerMinute, scaling.concurrentRequestsPerInstance, scaling.gpuUtilizationPercentPerGpu];
  if (signals.every((s) => s === undefined) && !scaling.stepScaling?.length && !scaling.schedules?.length) {
    problems.push(`${path}.autoscaling: has no signal: set concurrentRequestsPerInstance, invocationsPerInstancePerMinute, gpuUtilizationPercentPerGpu, stepScaling or schedules`);
  }
  (scaling.stepScaling ?? []).forEach((step, i) => {
    if (!(step.metric in ENDPOINT_METRICS)) {
      problems.push(`${path}.autoscaling.stepScaling.${i}.metric: ${JSON.stringify(step.metric)} is not an endpoint metric (known: ${Object.keys(ENDPOINT_METRICS).join(', ')})`);
    }
  });
  (scaling.schedules ?? []).forEach((schedule, i) => {
    if (schedule.minCapacity !== undefined && schedule.maxCapacity !== undefined && schedule.minCapacity > schedule.maxCapacity) {
      problems.push(`${path}.autoscaling.schedules.${i}: minCapacity ${schedule.minCapacity} exceeds maxCapacity ${schedule.maxCapacity}`);
    }
    if (schedule.timeZone && !isTimeZone(schedule.timeZone)) {
      problems.push(`${path}.autoscaling.schedules.${i}.timeZone: ${JSON.stringify(schedule.timeZone)} is not an IANA time zone such as Europe/Berlin`);
    }
  });
  return problems;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

