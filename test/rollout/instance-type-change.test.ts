import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CapacitySize, DeploymentStrategy } from '../../lib/rollout/deployment-strategy';
import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';
import { Json, storeWithVersion } from '../helpers/fixtures';
import { addEndpoint, endpointResource, resourcesOfType } from './rollout-fixtures';

/**
 * SageMaker refuses an endpoint update that changes the instance type of an autoscaled variant.
 * The same app is synthesized with two instance types, as two deploys of one stack would be:
 * the scaling resources must be new (and the old ones retained), and the ScalingGuard must run an
 * update that deregisters the variant's scaling before the endpoint is updated.
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
  return Template.fromStack(f.stack);
}

const scalingIds = (t: Template) => [
  ...Object.keys(resourcesOfType(t, 'AWS::ApplicationAutoScaling::ScalableTarget')),
  ...Object.keys(resourcesOfType(t, 'AWS::ApplicationAutoScaling::ScalingPolicy')),
];
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
    expect(old).toHaveLength(2);
    expect(next).toHaveLength(2);
    for (const id of next) expect(old).not.toContain(id);
    expect(old.every((id) => id.includes('MlG6e12xlarge'))).toBe(true);
    expect(next.every((id) => id.includes('MlG512xlarge'))).toBe(true);
    // The new target waits for the endpoint (its ResourceId takes the endpoint's GetAtt name).
    const endpointId = endpointResource(after, 'chat-prod').id;
    const target = Object.values(resourcesOfType(after, 'AWS::ApplicationAutoScaling::ScalableTarget'))[0];
    expect(JSON.stringify(target.Properties.ResourceId)).toContain(`"Fn::GetAtt":["${endpointId}","EndpointName"]`);
  });

  test('the old scaling resources are Retain: removing them from the template does not deregister the new registration', () => {
    for (const t of [before, after]) {
      for (const type of ['AWS::ApplicationAutoScaling::ScalableTarget', 'AWS::ApplicationAutoScaling::ScalingPolicy']) {
        for (const r of Object.values(resourcesOfType(t, type))) {
          expect(r.DeletionPolicy).toBe('Retain');
          expect(r.UpdateReplacePolicy).toBe('Retain');
        }
      }
    }
  });

  test('the guard keeps its logical id and its Create/Update call is DeregisterScalableTarget for this variant', () => {
    const [g1, g2] = [guardOf(before), guardOf(after)];
    expect(g2.id).toBe(g1.id);
    for (const phase of ['Create', 'Update']) {
      const call = JSON.parse(g2.resource.Properties[phase]);
      expect(call).toMatchObject({
        service: 'ApplicationAutoScaling',
        action: 'DeregisterScalableTarget',
        parameters: { ServiceNamespace: 'sagemaker', ResourceId: 'endpoint/chat-prod/variant/AllTraffic', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' },
        // The first deployment has nothing registered yet.
        ignoreErrorCodesMatching: 'ObjectNotFoundException',
      });
    }
  });

  // A changed physical id would be a replacement to CloudFormation: it would delete the old guard in
  // the clean-up phase, and that delete would deregister the scaling just registered for the new type.
  test('the guard keeps one physical id; the instance type is a property of its own, so a type change is an Update, not a replacement', () => {
    const physicalId = (t: Template) => JSON.parse(guardOf(t).resource.Properties.Update).physicalResourceId.id;
    expect(physicalId(before)).toBe('endpoint/chat-prod/variant/AllTraffic');
    expect(physicalId(after)).toBe(physicalId(before));
    expect(guardOf(before).resource.Properties.InstanceType).toBe('ml.g6e.12xlarge');
    expect(guardOf(after).resource.Properties.InstanceType).toBe('ml.g5.12xlarge');
    expect(guardOf(after).id).toBe(guardOf(before).id);
  });

  test('the Endpoint DependsOn the guard: deregistration happens before the endpoint update', () => {
    const guardId = guardOf(after).id;
    expect(endpointResource(after, 'chat-prod').resource.DependsOn).toContain(guardId);
    expect(endpointResource(before, 'chat-prod').resource.DependsOn).toContain(guardId);
  });

  test('the guard\'s provider may only DeregisterScalableTarget', () => {
    const policies = Object.values(resourcesOfType(after, 'AWS::IAM::Policy')).filter((p) =>
      (p.Properties.PolicyName as string).startsWith('ChatScalingGuard'));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      { Action: 'application-autoscaling:DeregisterScalableTarget', Effect: 'Allow', Resource: '*' },
    ]);
  });

  test('a model-only change (new version, same type) leaves the scaling resources and the guard untouched', () => {
    const again = synthWith(GpuInstanceType.G6E_12XLARGE, '1.1.0');
    expect(endpointResource(again, 'chat-prod').resource.Properties.Tags).toEqual([{ Key: 'model-version:AllTraffic', Value: 'chat@1.1.0' }]);
    expect(scalingIds(again)).toEqual(scalingIds(before));
    expect(guardOf(again).resource.Properties.Update).toBe(guardOf(before).resource.Properties.Update);
  });
});
