/**
 * The scaling guard's decisions, as pure functions. SageMaker refuses an endpoint update that
 * changes the instance type of a variant registered with Application Auto Scaling; the guard runs
 * before the endpoint in every deployment and:
 * - deregisters the variant only when it observes that the instance type really changes (the
 *   deployed type differs from the desired one) — never on a mere re-serialisation of its
 *   properties, and never on Create, when CloudFormation registers the target itself;
 * - restores the variant's scaling (target, policies, schedules, and the step alarms' actions) on
 *   an Update that finds the type unchanged and nothing registered: that is the rollback of a failed
 *   instance-type change (CloudFormation rolls the endpoint back first, then the guard), or any
 *   other loss of the registration. Restoring is idempotent: every call is a put.
 * Application Auto Scaling deletes a target's policies and scheduled actions with it
 * (DeregisterScalableTarget API reference), and deleting a step policy strips the action from its
 * CloudWatch alarm; the restore puts all of them back.
 */

export type RequestType = 'Create' | 'Update' | 'Delete';

/** The scaling of one variant as the guard restores it, in the Application Auto Scaling API's shapes. */
export interface ScalingSpec {
  readonly MinCapacity: number;
  readonly MaxCapacity: number;
  readonly ScheduledActions: ReadonlyArray<Record<string, unknown> & { readonly ScheduledActionName: string }>;
  readonly Policies: ReadonlyArray<ScalingPolicySpec>;
}

export interface ScalingPolicySpec {
  readonly PolicyName: string;
  readonly PolicyType: 'TargetTrackingScaling' | 'StepScaling';
  readonly TargetTrackingScalingPolicyConfiguration?: Record<string, unknown>;
  readonly StepScalingPolicyConfiguration?: Record<string, unknown>;
  /** The CloudWatch alarms whose action is this (step) policy. */
  readonly AlarmNames?: readonly string[];
}

/** The custom resource's properties, validated. */
export interface GuardProperties {
  readonly endpointName: string;
  readonly variantName: string;
  readonly instanceType: string;
  readonly scaling: ScalingSpec;
}

export const SERVICE_NAMESPACE = 'sagemaker' as const;
export const SCALABLE_DIMENSION = 'sagemaker:variant:DesiredInstanceCount' as const;

/** `endpoint/<name>/variant/<variant>`: the scalable target's ResourceId, and the guard's constant physical id. */
export function resourceIdOf(p: Pick<GuardProperties, 'endpointName' | 'variantName'>): string {
  return `endpoint/${p.endpointName}/variant/${p.variantName}`;
}

export class GuardPropertiesError extends Error {}

/**
 * Parses the properties CloudFormation sends (strings; `Scaling` is JSON written by the construct).
 * Anything unexpected is refused, so a malformed template fails the deployment instead of
 * restoring something else.
 */
export function parseGuardProperties(raw: Record<string, unknown> | undefined): GuardProperties {
  const text = (key: string, pattern: RegExp): string => {
    const v = raw?.[key];
    if (typeof v !== 'string' || !pattern.test(v)) throw new GuardPropertiesError(`property ${key}: ${JSON.stringify(v)} is not valid`);
    return v;
  };
  const endpointName = text('EndpointName', /^[a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62}$/);
  const variantName = text('VariantName', /^[a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62}$/);
  const instanceType = text('InstanceType', /^ml\.[a-z0-9-]+\.[a-z0-9]+$/);
  let scaling: unknown;
  try {
    scaling = JSON.parse(text('Scaling', /^\{[\s\S]*\}$/));
  } catch (err) {
    if (err instanceof GuardPropertiesError) throw err;
    throw new GuardPropertiesError('property Scaling is not JSON');
  }
  return { endpointName, variantName, instanceType, scaling: checkSpec(scaling) };
}

function checkSpec(v: unknown): ScalingSpec {
  const fail = (what: string): never => {
    throw new GuardPropertiesError(`property Scaling: ${what}`);
  };
  if (!isObject(v)) return fail('must be an object');
  const capacity = (key: string) => (Number.isInteger(v[key]) && (v[key] as number) >= 0 ? (v[key] as number) : fail(`${key} must be a whole number`));
  const list = (key: string) => (Array.isArray(v[key]) ? (v[key] as unknown[]) : fail(`${key} must be a list`));
  const actions = list('ScheduledActions').map((a, i) => (isObject(a) && typeof a.ScheduledActionName === 'string' && typeof a.Schedule === 'string'
    ? a as ScalingSpec['ScheduledActions'][number] : fail(`ScheduledActions[${i}] needs ScheduledActionName and Schedule`)));
  const policies = list('Policies').map((p, i): ScalingPolicySpec => {
    if (!isObject(p) || typeof p.PolicyName !== 'string') return fail(`Policies[${i}] needs a PolicyName`);
    const tracking = p.PolicyType === 'TargetTrackingScaling' && isObject(p.TargetTrackingScalingPolicyConfiguration);
    const step = p.PolicyType === 'StepScaling' && isObject(p.StepScalingPolicyConfiguration);
    if (!tracking && !step) return fail(`Policies[${i}] must be TargetTrackingScaling or StepScaling with its configuration`);
    if (p.AlarmNames !== undefined && !(Array.isArray(p.AlarmNames) && p.AlarmNames.every((n) => typeof n === 'string'))) return fail(`Policies[${i}].AlarmNames must be names`);
    return p as unknown as ScalingPolicySpec;
  });
  return { MinCapacity: capacity('MinCapacity'), MaxCapacity: capacity('MaxCapacity'), ScheduledActions: actions, Policies: policies };
}

export type GuardAction = 'deregister' | 'restore' | 'none';

/** What the variant looks like now, as the handler observed it. */
export interface Observation {
  /** The instance type the variant runs on, or undefined when the endpoint (or the variant) does not exist. */
  readonly deployedInstanceType?: string;
  /** Whether the variant is registered as a scalable target. */
  readonly registered: boolean;
}

/** The guard's decision for one request, with the reason it logs. */
export function planGuard(requestType: RequestType, desiredInstanceType: string, seen: Observation): { action: GuardAction; reason: string } {
  if (requestType === 'Delete') {
    return seen.registered
      ? { action: 'deregister', reason: 'autoscaling is removed from the variant (its scaling resources are retained, so the guard deregisters it)' }
      : { action: 'none', reason: 'nothing is registered' };
  }
  if (seen.deployedInstanceType === undefined) return { action: 'none', reason: 'the endpoint does not exist yet: CloudFormation creates it, then registers its scaling' };
  if (seen.deployedInstanceType !== desiredInstanceType) {
    return seen.registered
      ? { action: 'deregister', reason: `the instance type changes from ${seen.deployedInstanceType} to ${desiredInstanceType}: SageMaker refuses the update while the variant is registered` }
      : { action: 'none', reason: `the instance type changes from ${seen.deployedInstanceType} to ${desiredInstanceType}, and nothing is registered` };
  }
  if (requestType === 'Create' || seen.registered) return { action: 'none', reason: `the instance type stays ${desiredInstanceType}` };
  return { action: 'restore', reason: `the instance type is ${desiredInstanceType} and the variant has no scaling: a failed or rolled-back update removed it` };
}

/** The RegisterScalableTarget, PutScalingPolicy and PutScheduledAction inputs that restore a variant's scaling. */
export function restoreCalls(p: GuardProperties) {
  const target = { ServiceNamespace: SERVICE_NAMESPACE, ResourceId: resourceIdOf(p), ScalableDimension: SCALABLE_DIMENSION };
  return {
    register: { ...target, MinCapacity: p.scaling.MinCapacity, MaxCapacity: p.scaling.MaxCapacity },
    policies: p.scaling.Policies.map(({ AlarmNames, ...policy }) => ({ input: { ...target, ...policy }, alarmNames: AlarmNames ?? [] })),
    // Start and end times come as ISO strings; the API takes timestamps.
    schedules: p.scaling.ScheduledActions.map(({ StartTime, EndTime, ...action }) => ({
      ...target, ...action,
      ...(typeof StartTime === 'string' ? { StartTime: new Date(StartTime) } : {}),
      ...(typeof EndTime === 'string' ? { EndTime: new Date(EndTime) } : {}),
    })),
  };
}

/** Fields of a DescribeAlarms MetricAlarm that PutMetricAlarm takes back unchanged. */
const ALARM_FIELDS = [
  'AlarmName', 'AlarmDescription', 'ActionsEnabled', 'OKActions', 'InsufficientDataActions', 'MetricName', 'Namespace', 'Statistic',
  'ExtendedStatistic', 'Dimensions', 'Period', 'Unit', 'EvaluationPeriods', 'DatapointsToAlarm', 'Threshold', 'ComparisonOperator',
  'TreatMissingData', 'EvaluateLowSampleCountPercentile', 'Metrics', 'ThresholdMetricId',
] as const;

/**
 * The PutMetricAlarm input that points an alarm's actions at the (re-created) policy: any action of
 * an earlier policy of the same name is replaced; undefined when the alarm already acts on it.
 */
export function rewiredAlarm(alarm: Record<string, unknown>, policyName: string, policyArn: string): Record<string, unknown> | undefined {
  const actions = Array.isArray(alarm.AlarmActions) ? (alarm.AlarmActions as string[]) : [];
  if (actions.includes(policyArn)) return undefined;
  const samePolicy = (arn: string) => arn.includes(':scalingPolicy:') && arn.endsWith(`:policyName/${policyName}`);
  const input: Record<string, unknown> = {};
  for (const field of ALARM_FIELDS) if (alarm[field] !== undefined) input[field] = alarm[field];
  input.AlarmActions = [...actions.filter((a) => !samePolicy(a)), policyArn];
  return input;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
