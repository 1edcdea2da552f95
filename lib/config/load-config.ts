import { z } from 'zod';
import { provisioningSeconds } from '../rollout/deployment-strategy';
import { ENDPOINT_METRICS } from '../endpoint/endpoint-metrics';
import { GpuInstanceType } from '../endpoint/gpu-instance-type';
import { DLC_REGIONS } from '../endpoint/inference-image';
import { modelVersionProblems } from '../artifacts/model-version';
import { instanceTypeProblem, modelFitProblem, tensorParallelProblem } from '../endpoint/production-variant';
import { parsePolicy, PolicyError } from '../../lambda/safety/policy';
import { ModelDeploymentConfig, PlatformConfig, platformConfigSchema } from './config-schema';
import { deploymentStrategy } from './rollout-config';
import { platformLimitProblems } from './platform-limits';

/** Every problem in a platform config, each naming its path, the value and the fix. */
export class PlatformConfigError extends Error {
  constructor(public readonly source: string, public readonly problems: string[]) {
    super(`${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the platform config:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PlatformConfigError';
  }
}

/**
 * Parses and validates a platform config (JSON text). Reports every problem at once: schema
 * problems first, then what the schema cannot say (GPU types, version references, model fit).
 */
export function parsePlatformConfig(text: string, source = 'platform config'): PlatformConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PlatformConfigError(source, [`not valid JSON: ${(error as Error).message}`]);
  }
  const parsed = platformConfigSchema.safeParse(raw);
  if (!parsed.success) throw new PlatformConfigError(source, parsed.error.issues.map((issue) => describeIssue(issue, raw)));
  const problems = [...semanticProblems(parsed.data), ...platformLimitProblems(parsed.data)];
  if (problems.length > 0) throw new PlatformConfigError(source, problems);
  return parsed.data;
}

function semanticProblems(config: PlatformConfig): string[] {
  const problems: string[] = [];
  const at = (path: string, value: unknown, problem: string) => problems.push(`${path}: ${JSON.stringify(value)} ${problem}`);
  const modelNames = Object.keys(config.models);

  for (const [modelName, model] of Object.entries(config.models)) {
    // The gateway's own parser, so a policy that would fail at cold start fails the synth instead.
    try {
      if (model.safetyPolicy !== undefined) parsePolicy(typeof model.safetyPolicy === 'string' ? { preset: model.safetyPolicy } : model.safetyPolicy);
    } catch (error) {
      const details = error instanceof PolicyError ? error.problems : [(error as Error).message];
      for (const detail of details) problems.push(`models.${modelName}.safetyPolicy: ${detail}`);
    }
    if (model.payloadFormat === 'raw' && !model.rawPaths) problems.push(`models.${modelName}.rawPaths: is required when payloadFormat is "raw"`);
    for (const [label, version] of Object.entries(model.versions)) {
      for (const problem of modelVersionProblems({ modelName, version: label, ...version })) {
        problems.push(`models.${modelName}.versions.${label}.${problem}`);
      }
    }
  }
  if (Object.keys(config.stages).length === 0) problems.push('stages: {} must name at least one stage, e.g. "staging"');

  for (const [stageName, stage] of Object.entries(config.stages)) {
    const path = `stages.${stageName}`;
    if (stage.region && !DLC_REGIONS.includes(stage.region)) {
      at(`${path}.region`, stage.region, `has no AWS deep learning container registry (supported: ${DLC_REGIONS.join(', ')})`);
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
      const type = GpuInstanceType.of(deployment.instanceType);
      const typeProblem = instanceTypeProblem(type);
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
        const shadowType = GpuInstanceType.of(shadow.instanceType);
        const problem = instanceTypeProblem(shadowType) ?? (shadowVersion && modelFitProblem(
          { id: `${modelName}@${shadow.version}`, parameterCount: shadowVersion.parameterCount, precision: shadowVersion.precision ?? 'bf16' }, shadowType));
        if (problem) at(`${mpath}.shadow.instanceType`, shadow.instanceType, problem);
      }
    }
  }
  return problems;
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

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = issue.path.map(String).join('.') || '(root)';
  const value = valueAt(raw, issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const known = knownKeysAt(issue.path);
      const hint = closest(key, known);
      return `${path === '(root)' ? key : `${path}.${key}`}: is not a known setting${hint ? ` (did you mean "${hint}"?)` : known.length ? ` (known: ${known.join(', ')})` : ''}`;
    }).join('\n  - ');
  }
  if (value === undefined && issue.code === 'invalid_type') return `${path}: is required (${issue.message})`;
  return `${path}: ${JSON.stringify(value)} ${issue.message}`;
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined), raw);
}

/** The keys the schema allows at an object path (records step over their key). */
function knownKeysAt(path: PropertyKey[]): string[] {
  let schema: z.ZodType = platformConfigSchema;
  for (const key of path) {
    const def = unwrap(schema);
    if (def instanceof z.ZodObject) schema = def.shape[String(key)] ?? def;
    else if (def instanceof z.ZodRecord) schema = def.valueType as z.ZodType;
    else return [];
  }
  const def = unwrap(schema);
  return def instanceof z.ZodObject ? Object.keys(def.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodOptional ? unwrap(schema.unwrap() as z.ZodType) : schema;
}

/** The known key within edit distance 2 of `key`, for "did you mean". */
function closest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
