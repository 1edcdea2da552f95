import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import { Template } from 'aws-cdk-lib/assertions';
import { CapacitySize, DeploymentStrategy } from '../../lib/rollout/deployment-strategy';
import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';
import { parseGuardProperties } from '../../lambda/scaling-guard/scaling-guard';
import { Json, statementsOf, storeWithVersion } from '../helpers/fixtures';
import { addEndpoint, endpointResource, resourcesOfType } from './rollout-fixtures';

/**
 * SageMaker refuses an endpoint update that changes the instance type of an autoscaled variant.
 * The same app is synthesized with two instance types, as two deploys of one stack would be: the
 * scaling resources must be new, kept when a later deploy removes them but deleted when the deploy
 * that created them rolls back; and the ScalingGuard, before the endpoint, must carry everything it
 * needs to decide from what it observes and to restore the variant's scaling (its decisions are
 * tested against the services' wire protocols in test/scaling/scaling-guard-handler.test.ts).
 */
function synthWith(instanceType: GpuInstanceType, version = '1.0.0'): Template {
  const { stack, modelVersion } = storeWithVersion({ version: { version, s3Key: `chat/${version}/model.tar.gz` } });
  const f = { stack, modelVersion };
  const endpoint = addEndpoint(f, 'Chat', {
    endpointName: 'chat-prod', instanceType, instanceCount: 2,
    deploymentStrategy: DeploymentStrategy.canary({ size: CapacitySize.instances(1), bake: Duration.minutes(10) }),
  });
  const scaling = endpoint.autoScaleInstanceCount({ minCapacity: 2, maxCapacity: 6 });
  scaling.scaleOnConcurrentRequests('Concurrency', { concurrentRequestsPerInstance: 8, scaleInCooldown: Duration.minutes(15), scaleOutCooldown: Duration.minutes(5) });
  scaling.scaleOnMetric('Memory', {
    metric: endpoint.metricGpuMemoryUtilization(), scalingSteps: [{ upper: 30, change: -1 }, { lower: 80, change: 1 }],
    adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY, cooldown: Duration.minutes(5),
  });
  scaling.scaleOnSchedule('Night', { schedule: appscaling.Schedule.expression('cron(0 22 * * ? *)'), minCapacity: 2, maxCapacity: 3 });
  return Template.fromStack(f.stack);
}

const SCALING_TYPES = ['AWS::ApplicationAutoScaling::ScalableTarget', 'AWS::ApplicationAutoScaling::ScalingPolicy'];
const scalingIds = (t: Template) => SCALING_TYPES.flatMap((type) => Object.keys(resourcesOfType(t, type)));
const guardOf = (t: Template): { id: string; resource: Json } => {
  const guards = Object.entries(resourcesOfType(t, 'Custom::SageMakerScalingGuard'));
  expect(guards).toHaveLength(1);
  return { id: guards[0][0], resource: guards[0][1] };
};

describe('changing the instance type of an autoscaled variant', () => {
  let before: Template;
  let after: Template;

  beforeAll(() => {
    before = synthWith(GpuInstanceType.G6E_12XLARGE);
    after = synthWith(GpuInstanceType.G5_12XLARGE);
  });

  test('the scalable target and policy logical ids differ: CloudFormation creates new ones, registered after the endpoint update', () => {
    const [old, next] = [scalingIds(before), scalingIds(after)];
    expect(old).toHaveLength(4);
    expect(next).toHaveLength(4);
    for (const id of next) expect(old).not.toContain(id);
    expect(old.every((id) => id.includes('MlG6e12xlarge'))).toBe(true);
    expect(next.every((id) => id.includes('MlG512xlarge'))).toBe(true);
    // The new target waits for the endpoint (its ResourceId takes the endpoint's GetAtt name).
    const endpointId = endpointResource(after, 'chat-prod').id;
    const target = Object.values(resourcesOfType(after, 'AWS::ApplicationAutoScaling::ScalableTarget'))[0];
    expect(JSON.stringify(target.Properties.ResourceId)).toContain(`"Fn::GetAtt":["${endpointId}","EndpointName"]`);
  });

  test('scaling resources are RetainExceptOnCreate: removing them later keeps the new registration; rolling back the deploy that created them deregisters it, so the endpoint can return to its old type', () => {
    for (const t of [before, after]) {
      for (const type of SCALING_TYPES) {
        for (const r of Object.values(resourcesOfType(t, type))) {
          expect(r.DeletionPolicy).toBe('RetainExceptOnCreate');
          expect(r.UpdateReplacePolicy).toBe('Retain');
        }
      }
    }
  });

  test('the guard runs before the endpoint, keeps its logical id, and takes the desired type as a property of its own', () => {
    const [g1, g2] = [guardOf(before), guardOf(after)];
    expect(g2.id).toBe(g1.id);
    expect(endpointResource(after, 'chat-prod').resource.DependsOn).toContain(g2.id);
    expect(g1.resource.Properties).toMatchObject({ EndpointName: 'chat-prod', VariantName: 'AllTraffic', InstanceType: 'ml.g6e.12xlarge' });
    expect(g2.resource.Properties.InstanceType).toBe('ml.g5.12xlarge');
    // Nothing in its properties waits for the endpoint (that would be a cycle): all literals.
    expect(typeof g2.resource.Properties.Scaling).toBe('string');
  });

  test('the guard carries the variant\'s whole scaling, exactly as the native resources declare it, with the step alarms\' names', () => {
    const scaling = parseGuardProperties(guardOf(after).resource.Properties).scaling;
    const target = Object.values(resourcesOfType(after, 'AWS::ApplicationAutoScaling::ScalableTarget'))[0].Properties;
    expect({ MinCapacity: scaling.MinCapacity, MaxCapacity: scaling.MaxCapacity, ScheduledActions: scaling.ScheduledActions })
      .toEqual({ MinCapacity: target.MinCapacity, MaxCapacity: target.MaxCapacity, ScheduledActions: target.ScheduledActions });
    const native = Object.values(resourcesOfType(after, 'AWS::ApplicationAutoScaling::ScalingPolicy')).map((p) => p.Properties);
    expect(scaling.Policies.map(({ AlarmNames: _names, ...policy }) => policy)).toEqual(native.map(({ ScalingTargetId: _target, ...policy }: Json) => policy));
    const alarms = Object.values(resourcesOfType(after, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties).filter((a) => String(JSON.stringify(a.AlarmActions)).includes('Memory'));
    expect(scaling.Policies.flatMap((p) => p.AlarmNames ?? []).sort()).toEqual(alarms.map((a) => a.AlarmName).sort());
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(['chat-prod-AllTraffic-MlG512xlarge-Memory-LowerAlarm', 'chat-prod-AllTraffic-MlG512xlarge-Memory-UpperAlarm']);
  });

  test('the guard\'s handler may touch only this endpoint, its configs and its scaling alarms (Application Auto Scaling ids are unknown at synth)', () => {
    const policies = Object.entries(resourcesOfType(after, 'AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('SageMakerScalingGuardProviderHandlerRole') || id.startsWith('SageMakerScalingGuardProviderScalingAccess'));
    expect(policies).toHaveLength(2);
    const text = (r: unknown) => JSON.stringify(r);
    const byAction = (action: string) => policies.flatMap(([, p]) => statementsOf(p.Properties.PolicyDocument)).filter((s) => JSON.stringify(s.Action).includes(action));
    expect(text(byAction('sagemaker:DescribeEndpoint"')[0].Resource)).toContain(':endpoint/chat-prod');
    expect(text(byAction('cloudwatch:PutMetricAlarm')[0].Resource)).toMatch(/alarm:TargetTracking-endpoint\/chat-prod\/\*.*alarm:chat-prod-\*/);
    expect(byAction('application-autoscaling:RegisterScalableTarget')[0].Resource).toBe('*');
    expect(byAction('iam:CreateServiceLinkedRole')[0].Condition).toEqual({ StringLike: { 'iam:AWSServiceName': 'sagemaker.application-autoscaling.amazonaws.com' } });
  });

  test('a model-only change (new version, same type) leaves the scaling resources and the guard\'s properties untouched', () => {
    const again = synthWith(GpuInstanceType.G6E_12XLARGE, '1.1.0');
    expect(endpointResource(again, 'chat-prod').resource.Properties.Tags).toEqual([{ Key: 'model-version:AllTraffic', Value: 'chat@1.1.0' }]);
    expect(scalingIds(again)).toEqual(scalingIds(before));
    expect(guardOf(again).resource.Properties).toEqual(guardOf(before).resource.Properties);
  });
});
