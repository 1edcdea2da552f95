/*! cdk-inference-platform:scaling-guard-handler */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApplicationAutoScalingClient, DeregisterScalableTargetCommand, DescribeScalableTargetsCommand, PutScalingPolicyCommand, PutScheduledActionCommand,
  RegisterScalableTargetCommand, type PutScalingPolicyCommandInput, type PutScheduledActionCommandInput,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { DescribeEndpointCommand, DescribeEndpointConfigCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  parseGuardProperties, planGuard, resourceIdOf, restoreCalls, rewiredAlarm, SCALABLE_DIMENSION, SERVICE_NAMESPACE,
  type GuardProperties, type Observation,
} from './scaling-guard';

export interface GuardClients {
  readonly sagemaker: SageMakerClient;
  readonly autoscaling: ApplicationAutoScalingClient;
  readonly cloudwatch: CloudWatchClient;
  /** Waits between attempts while a new registration becomes visible. */
  readonly sleep: (ms: number) => Promise<unknown>;
}

export type GuardHandler = (event: CloudFormationCustomResourceEvent) => Promise<{ PhysicalResourceId: string; Data: { Action: string } }>;

/** A just-registered target may not be visible yet (eventual consistency; RegisterScalableTarget API reference). */
const VISIBILITY_ATTEMPTS = 6;
const VISIBILITY_DELAY_MS = 2000;

/**
 * The scaling guard's custom-resource handler, behind the aws-cdk-lib Provider framework (which
 * answers CloudFormation). It observes the variant, asks `planGuard` what to do, does it, and logs
 * the decision.
 */
export function createGuardHandler(c: GuardClients): GuardHandler {
  return async (event) => {
    const props = parseGuardProperties(event.ResourceProperties);
    const seen = await observe(c, props);
    const { action, reason } = planGuard(event.RequestType, props.instanceType, seen);
    process.stdout.write(`${JSON.stringify({ level: 'INFO', message: 'scaling guard', requestType: event.RequestType, resourceId: resourceIdOf(props), action, reason })}\n`);
    if (action === 'deregister') await deregister(c, props);
    if (action === 'restore') await restore(c, props);
    // One physical id per variant: a new one would make CloudFormation delete the old guard in its
    // clean-up, and that delete would deregister the scaling just registered.
    return { PhysicalResourceId: resourceIdOf(props), Data: { Action: action } };
  };
}

/** Clients created once per container. */
export const handler = createGuardHandler({
  sagemaker: new SageMakerClient({}), autoscaling: new ApplicationAutoScalingClient({}), cloudwatch: new CloudWatchClient({}), sleep,
});

async function observe(c: GuardClients, props: GuardProperties): Promise<Observation> {
  const [deployedInstanceType, registered] = await Promise.all([deployedType(c, props), isRegistered(c, props)]);
  return { deployedInstanceType, registered };
}

async function deployedType(c: GuardClients, props: GuardProperties): Promise<string | undefined> {
  let configName: string | undefined;
  try {
    configName = (await c.sagemaker.send(new DescribeEndpointCommand({ EndpointName: props.endpointName }))).EndpointConfigName;
  } catch (err) {
    // SageMaker answers ValidationException "Could not find endpoint" for an endpoint that does not exist.
    if ((err as Error).name === 'ValidationException' && /could not find/i.test((err as Error).message)) return undefined;
    throw err;
  }
  if (!configName) return undefined;
  const config = await c.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName }));
  return config.ProductionVariants?.find((v) => v.VariantName === props.variantName)?.InstanceType;
}

async function isRegistered(c: GuardClients, props: GuardProperties): Promise<boolean> {
  const found = await c.autoscaling.send(new DescribeScalableTargetsCommand({
    ServiceNamespace: SERVICE_NAMESPACE, ResourceIds: [resourceIdOf(props)], ScalableDimension: SCALABLE_DIMENSION,
  }));
  return (found.ScalableTargets ?? []).length > 0;
}

async function deregister(c: GuardClients, props: GuardProperties): Promise<void> {
  try {
    await c.autoscaling.send(new DeregisterScalableTargetCommand({ ServiceNamespace: SERVICE_NAMESPACE, ResourceId: resourceIdOf(props), ScalableDimension: SCALABLE_DIMENSION }));
  } catch (err) {
    if ((err as Error).name !== 'ObjectNotFoundException') throw err;
  }
}

async function restore(c: GuardClients, props: GuardProperties): Promise<void> {
  const calls = restoreCalls(props);
  await c.autoscaling.send(new RegisterScalableTargetCommand(calls.register));
  for (const { input, alarmNames } of calls.policies) {
    const { PolicyARN } = await whenVisible(c, () => c.autoscaling.send(new PutScalingPolicyCommand(input as unknown as PutScalingPolicyCommandInput)));
    if (!PolicyARN || alarmNames.length === 0) continue;
    // Deleting a step policy strips its action from the alarm: point the alarm at the new policy.
    const { MetricAlarms } = await c.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [...alarmNames] }));
    for (const alarm of MetricAlarms ?? []) {
      const rewired = rewiredAlarm(alarm as Record<string, unknown>, input.PolicyName, PolicyARN);
      if (rewired) await c.cloudwatch.send(new PutMetricAlarmCommand(rewired as unknown as PutMetricAlarmCommandInput));
    }
  }
  for (const schedule of calls.schedules) {
    await whenVisible(c, () => c.autoscaling.send(new PutScheduledActionCommand(schedule as unknown as PutScheduledActionCommandInput)));
  }
}

async function whenVisible<T>(c: GuardClients, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if ((err as Error).name !== 'ObjectNotFoundException' || attempt >= VISIBILITY_ATTEMPTS) throw err;
      await c.sleep(VISIBILITY_DELAY_MS);
    }
  }
}
