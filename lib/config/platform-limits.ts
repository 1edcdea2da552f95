import type { ModelDeploymentConfig, PlatformConfig, StageConfig } from './config-schema';
import { platformNames } from './platform-names';

/**
 * Limits a platform team meets as it adds models and stages, checked on the config so the
 * problem is named before a deployment fails half-way. Names: SageMaker endpoint names are at
 * most 63 characters (`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`, CreateEndpoint API), EventBridge rule
 * names at most 64 (PutRule API), model package group names at most 63 (CreateModelPackageGroup
 * API); stack and endpoint names are unique per account and region, dashboard names per account
 * (CloudWatch dashboards are global, PutDashboard API). Quotas, where a stage gives them (they
 * differ per account): SageMaker endpoints and instances per type, CloudFormation stacks.
 */
export function platformLimitProblems(config: PlatformConfig): string[] {
  const stages = Object.entries(config.stages);
  return [
    ...stages.flatMap(([stageName, stage]) => nameProblems(config.name, stageName, stage)),
    ...stages.flatMap(([stageName, stage]) => gatewayPolicyProblems(config.name, stageName, stage)),
    ...collisionProblems(config.name, stages),
    ...stages.flatMap(([stageName, stage]) => quotaProblems(stageName, stage, stages)),
  ];
}

type Stages = Array<[string, StageConfig]>;

/**
 * IAM counts at most 10,240 characters of inline policy per role, whitespace excluded (IAM User
 * Guide, "IAM and AWS STS quotas"). The gateway handler's policy lists each model's endpoint ARN
 * (and inference component ARN): measured on the synthesized policy, 352 characters besides them.
 */
const ROLE_POLICY_CHARS = 10_240;
const GATEWAY_POLICY_BASE_CHARS = 400;

function gatewayPolicyProblems(platform: string, stageName: string, stage: StageConfig): string[] {
  if (!stage.gateway) return [];
  // An ARN as IAM stores it, quoted and comma-separated: the longest partition and region when the stage names none.
  const partition = !stage.region ? 'aws-us-gov' : stage.region.startsWith('us-gov-') ? 'aws-us-gov' : stage.region.startsWith('cn-') ? 'aws-cn' : 'aws';
  const arn = (resource: string) => `arn:${partition}:sagemaker:${stage.region ?? 'ap-southeast-3'}:123456789012:${resource}`.length + 3;
  const models = Object.entries(stage.models);
  const chars = GATEWAY_POLICY_BASE_CHARS + models.reduce((n, [model, deployment]) => n + arn(`endpoint/${platformNames.endpoint(platform, stageName, model)}`)
    + (deployment.scaleToZero ? arn(`inference-component/${platformNames.inferenceComponent(platform, stageName, model)}`) : 0), 0);
  if (chars <= ROLE_POLICY_CHARS) return [];
  const perModel = (chars - GATEWAY_POLICY_BASE_CHARS) / models.length;
  return [`stages.${stageName}.gateway: its handler may invoke ${models.length} endpoints, whose ARNs make an inline policy of about ${chars} characters; ` +
    `IAM allows ${ROLE_POLICY_CHARS} per role: serve at most ${Math.floor((ROLE_POLICY_CHARS - GATEWAY_POLICY_BASE_CHARS) / perModel)} models in this stage, or shorten their names`];
}

/** Whether two stages may deploy to the same account (and region): a stage without one may deploy to any. */
function mayShare(a: StageConfig, b: StageConfig, region: boolean): boolean {
  const same = (x?: string, y?: string) => x === undefined || y === undefined || x === y;
  return same(a.account, b.account) && (!region || same(a.region, b.region));
}

/** CloudFormation's default quota of stacks per account and region (AWS CloudFormation User Guide, "Quotas"). */
export const DEFAULT_STACK_QUOTA = 2000;

const ENDPOINT_NAME_MAX = 63;
const RULE_NAME_MAX = 64;
const PACKAGE_GROUP_NAME_MAX = 63;

function nameProblems(platform: string, stageName: string, stage: StageConfig): string[] {
  const problems: string[] = [];
  for (const model of Object.keys(stage.models)) {
    const endpoint = platformNames.endpoint(platform, stageName, model);
    const rule = platformNames.driftRule(platform, stageName, model);
    if (endpoint.length > ENDPOINT_NAME_MAX) {
      problems.push(`stages.${stageName}.models.${model}: the endpoint name "${endpoint}" (<name>-<stage>-<model>) has ${endpoint.length} characters, ` +
        `SageMaker allows ${ENDPOINT_NAME_MAX}: shorten the platform, stage or model name by ${endpoint.length - ENDPOINT_NAME_MAX}`);
    } else if (rule.length > RULE_NAME_MAX) {
      problems.push(`stages.${stageName}.models.${model}: the drift rule name "${rule}" (<name>-<stage>-<model>-drift) has ${rule.length} characters, ` +
        `EventBridge allows ${RULE_NAME_MAX}: shorten the platform, stage or model name by ${rule.length - RULE_NAME_MAX}`);
    }
  }
  const group = platformNames.modelPackageGroup(platform, stageName);
  if (stage.artifactStore?.modelPackageGroup && group.length > PACKAGE_GROUP_NAME_MAX) {
    problems.push(`stages.${stageName}.artifactStore.modelPackageGroup: the group name "${group}" (<name>-<stage>) has ${group.length} characters, ` +
      `SageMaker allows ${PACKAGE_GROUP_NAME_MAX}: shorten the platform or stage name by ${group.length - PACKAGE_GROUP_NAME_MAX}`);
  }
  return problems;
}

/** Names two stages would both create where they may share an account (dashboards) or an account and region (the rest). */
function collisionProblems(platform: string, stages: Stages): string[] {
  const named: Array<{ kind: string; name: string; owner: string; stage: StageConfig; perRegion: boolean }> = [];
  for (const [stageName, stage] of stages) {
    const add = (kind: string, name: string, owner: string, perRegion = true) => named.push({ kind, name, owner, stage, perRegion });
    add('stack', platformNames.sharedStack(platform, stageName), `stages.${stageName}`);
    add('dashboard', platformNames.overviewDashboard(platform, stageName), `stages.${stageName}`, false);
    for (const [model, deployment] of Object.entries(stage.models)) {
      const owner = `stages.${stageName}.models.${model}`;
      add('stack', platformNames.modelStack(platform, stageName, model), owner);
      add('endpoint', platformNames.endpoint(platform, stageName, model), owner);
      add('dashboard', platformNames.modelDashboard(platform, stageName, model), owner, false);
      if (deployment.scaleToZero) add('inference component', platformNames.inferenceComponent(platform, stageName, model), owner);
    }
  }
  const problems: string[] = [];
  named.forEach((a, i) => named.slice(i + 1).forEach((b) => {
    if (a.kind === b.kind && a.name === b.name && mayShare(a.stage, b.stage, a.perRegion)) {
      problems.push(`${a.owner} and ${b.owner}: both would create the ${a.kind} "${a.name}" in the same account${a.perRegion ? ' and region' : ''}: rename a stage or a model`);
    }
  }));
  return problems;
}

/** The stage's quotas against what it and every stage that may share its account and region deploy. */
function quotaProblems(stageName: string, stage: StageConfig, stages: Stages): string[] {
  const peers = stages.filter(([, other]) => mayShare(stage, other, true));
  const where = 'in its account and region';
  const breakdown = (count: (s: StageConfig) => number) => peers.map(([name, s]) => [name, count(s)] as const).filter(([, n]) => n > 0)
    .map(([name, n]) => `${name}: ${n}`).join(', ');
  const sharing = peers.length > 1 ? '; a stage without account or region may deploy there too' : '';
  const problems: string[] = [];

  const endpoints = (s: StageConfig) => Object.keys(s.models).length;
  const endpointTotal = peers.reduce((n, [, s]) => n + endpoints(s), 0);
  if (stage.quotas?.endpoints !== undefined && endpointTotal > stage.quotas.endpoints) {
    problems.push(`stages.${stageName}.quotas.endpoints: ${stage.quotas.endpoints} SageMaker endpoints allowed, but ${endpointTotal} models would be served ${where} ` +
      `(${breakdown(endpoints)}${sharing}), one endpoint each: request a quota increase (Service Quotas, SageMaker) or serve fewer models`);
  }
  const stackQuota = stage.quotas?.stacks ?? DEFAULT_STACK_QUOTA;
  const stacks = (s: StageConfig) => 1 + Object.keys(s.models).length;
  const stackTotal = peers.reduce((n, [, s]) => n + stacks(s), 0);
  if (stackTotal > stackQuota) {
    problems.push(`stages.${stageName}.quotas.stacks: ${stackQuota} CloudFormation stacks allowed, but ${stackTotal} would be ${where} ` +
      `(${breakdown(stacks)}${sharing}; one shared stack per stage and one per model): request a quota increase or serve fewer models`);
  }
  for (const [type, limit] of Object.entries(stage.quotas?.instances ?? {})) {
    const peak = (s: StageConfig) => Object.values(s.models).reduce((n, d) => n + (peakInstances(d)[type] ?? 0), 0);
    const total = peers.reduce((n, [, s]) => n + peak(s), 0);
    if (total > limit) {
      problems.push(`stages.${stageName}.quotas.instances.${type}: ${limit} allowed for endpoint usage, but ${total} may run ${where} (${breakdown(peak)}${sharing}; ` +
        'each model at its most instances, twice during a blue/green rollout, when SageMaker runs the new fleet next to the old one): ' +
        `request a quota increase for "${type} for endpoint usage", lower maxCapacity, or use a rolling rollout`);
    }
  }
  return problems;
}

/**
 * The most instances of each type a model may run: its largest fleet (instance count, scaling
 * maximum, scale-to-zero maximum), twice during a blue/green update (canary, linear, all at
 * once: the new fleet is provisioned in full next to the old one), plus one batch for a rolling
 * update; a shadow variant is a fleet of its own.
 */
export function peakInstances(deployment: ModelDeploymentConfig): Record<string, number> {
  const fleet = Math.max(deployment.instanceCount ?? 1, deployment.autoscaling?.maxCapacity ?? 0, deployment.scaleToZero?.maxInstanceCount ?? 0);
  const rollout = deployment.rollout;
  let peak: number;
  if (deployment.scaleToZero) {
    peak = fleet;
  } else if (rollout?.type === 'rolling') {
    const batch = 'instances' in rollout.batch ? rollout.batch.instances : Math.ceil((rollout.batch.percent / 100) * fleet);
    peak = fleet + batch;
  } else {
    peak = 2 * fleet;
  }
  const peaks: Record<string, number> = { [deployment.instanceType]: peak };
  const shadow = deployment.shadow;
  if (shadow) peaks[shadow.instanceType] = (peaks[shadow.instanceType] ?? 0) + 2 * (shadow.instanceCount ?? 1);
  return peaks;
}
