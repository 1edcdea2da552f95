import { Duration, TimeZone } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import { GpuInferenceEndpoint } from '../../lib/endpoint/gpu-inference-endpoint';
import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';
import { ScalableInstanceCount } from '../../lib/scaling/scalable-instance-count';
import { Json, errorMessage } from '../helpers/fixtures';
import { addEndpoint, endpointFixture, endpointResource, problemsOf, resourcesOfType } from './rollout-fixtures';

const cooldowns = { scaleInCooldown: Duration.minutes(15), scaleOutCooldown: Duration.minutes(5) };

describe('instance autoscaling in the template', () => {
  let template: Template;
  let targets: Record<string, Json>;
  let policies: Record<string, Json>;
  let endpointId: string;

  beforeAll(() => {
    const f = endpointFixture();
    // ml.g6e.12xlarge: 4 GPUs.
    const endpoint = addEndpoint(f, 'Chat', { endpointName: 'chat-prod', instanceType: GpuInstanceType.G6E_12XLARGE, instanceCount: 2 });
    const scaling = endpoint.autoScaleInstanceCount({ minCapacity: 2, maxCapacity: 6 });
    scaling.scaleOnInvocationsPerInstance('Invocations', { invocationsPerInstancePerMinute: 70, ...cooldowns });
    scaling.scaleOnConcurrentRequests('Concurrency', { concurrentRequestsPerInstance: 8, ...cooldowns });
    scaling.scaleOnGpuUtilization('Gpu', { utilizationPercentPerGpu: 75, ...cooldowns });
    scaling.scaleOnMetric('Memory', {
      metric: endpoint.metricGpuMemoryUtilization(),
      scalingSteps: [{ upper: 100, change: -1 }, { lower: 300, change: +1 }],
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.minutes(5),
    });
    scaling.scaleOnSchedule('Night', {
      schedule: appscaling.Schedule.cron({ hour: '22', minute: '0' }), timeZone: TimeZone.AMERICA_NEW_YORK, minCapacity: 2, maxCapacity: 3,
    });
    // A second endpoint without autoscaling, for contrast.
    addEndpoint(f, 'Plain', { endpointName: 'plain-prod' });
    template = Template.fromStack(f.stack);
    targets = resourcesOfType(template, 'AWS::ApplicationAutoScaling::ScalableTarget');
    policies = resourcesOfType(template, 'AWS::ApplicationAutoScaling::ScalingPolicy');
    endpointId = f.stack.getLogicalId(endpoint.endpoint);
  });

  const policyWith = (predicate: (p: Json) => boolean): Json => {
    const found = Object.values(policies).filter((p) => predicate(p.Properties));
    expect(found).toHaveLength(1);
    return found[0];
  };
  const tracking = (p: Json) => p.TargetTrackingScalingPolicyConfiguration;

  test('one ScalableTarget: no RoleARN (service-linked role), ResourceId endpoint/<GetAtt EndpointName>/variant/AllTraffic, retained', () => {
    expect(Object.keys(targets)).toHaveLength(1);
    const target = Object.values(targets)[0];
    expect(target.Properties).toEqual({
      ServiceNamespace: 'sagemaker',
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      MinCapacity: 2,
      MaxCapacity: 6,
      ResourceId: { 'Fn::Join': ['', ['endpoint/', { 'Fn::GetAtt': [endpointId, 'EndpointName'] }, '/variant/AllTraffic']] },
      ScheduledActions: expect.any(Array),
    });
    expect(target.Properties.RoleARN).toBeUndefined();
    expect(target.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(target.UpdateReplacePolicy).toBe('Retain');
  });

  test('target tracking on SageMakerVariantInvocationsPerInstance', () => {
    const p = policyWith((x) => tracking(x)?.PredefinedMetricSpecification?.PredefinedMetricType === 'SageMakerVariantInvocationsPerInstance');
    expect(p.Properties.PolicyType).toBe('TargetTrackingScaling');
    expect(tracking(p.Properties)).toMatchObject({ TargetValue: 70, ScaleInCooldown: 900, ScaleOutCooldown: 300 });
  });

  test('target tracking on SageMakerVariantConcurrentRequestsPerModelHighResolution', () => {
    const p = policyWith((x) => tracking(x)?.PredefinedMetricSpecification?.PredefinedMetricType === 'SageMakerVariantConcurrentRequestsPerModelHighResolution');
    expect(tracking(p.Properties)).toMatchObject({ TargetValue: 8, ScaleInCooldown: 900, ScaleOutCooldown: 300 });
  });

  test('GPU utilization: the customized /aws/sagemaker/Endpoints GPUUtilization metric, target = per-GPU target × 4 GPUs', () => {
    const p = policyWith((x) => tracking(x)?.CustomizedMetricSpecification !== undefined);
    const spec = tracking(p.Properties).CustomizedMetricSpecification;
    expect(spec).toMatchObject({ Namespace: '/aws/sagemaker/Endpoints', MetricName: 'GPUUtilization', Statistic: 'Average', Unit: 'Percent' });
    expect(Object.fromEntries((spec.Dimensions as Json[]).map((d) => [d.Name, d.Value]))).toEqual({ EndpointName: 'chat-prod', VariantName: 'AllTraffic' });
    expect(tracking(p.Properties).TargetValue).toBe(75 * 4);
  });

  test('step scaling: a StepScaling policy fired by an alarm on the metric', () => {
    const stepIds = Object.entries(policies).filter(([, p]) => p.Properties.PolicyType === 'StepScaling').map(([id]) => id);
    expect(stepIds.length).toBeGreaterThanOrEqual(1);
    const configs = stepIds.map((id) => policies[id].Properties.StepScalingPolicyConfiguration);
    for (const c of configs) expect(c).toMatchObject({ AdjustmentType: 'ChangeInCapacity', Cooldown: 300 });
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).filter((a) => a.Properties.MetricName === 'GPUMemoryUtilization');
    expect(alarms.length).toBe(stepIds.length);
    expect(alarms.flatMap((a) => a.Properties.AlarmActions.map((x: Json) => x.Ref)).sort()).toEqual(stepIds.sort());
  });

  test('a scheduled action with its Timezone', () => {
    expect(Object.values(targets)[0].Properties.ScheduledActions).toEqual([expect.objectContaining({
      ScheduledActionName: 'Night', Schedule: 'cron(0 22 * * ? *)', Timezone: 'America/New_York', ScalableTargetAction: { MinCapacity: 2, MaxCapacity: 3 },
    })]);
  });

  test('every scaling policy is retained when a later deployment removes it, deleted on the rollback of the one that created it', () => {
    expect(Object.keys(policies).length).toBeGreaterThanOrEqual(4);
    for (const p of Object.values(policies)) {
      expect(p.DeletionPolicy).toBe('RetainExceptOnCreate');
      expect(p.UpdateReplacePolicy).toBe('Retain');
    }
  });

  test('RetainAllVariantProperties is true on the autoscaled endpoint only', () => {
    expect(endpointResource(template, 'chat-prod').resource.Properties.RetainAllVariantProperties).toBe(true);
    expect(endpointResource(template, 'plain-prod').resource.Properties.RetainAllVariantProperties).toBeUndefined();
  });
});

describe('autoscaling validation', () => {
  const endpointOf = (instanceCount = 2, instanceType = GpuInstanceType.G6E_12XLARGE): GpuInferenceEndpoint =>
    addEndpoint(endpointFixture(), 'Chat', { endpointName: 'chat-prod', instanceType, instanceCount });
  const scalingOf = (): ScalableInstanceCount => endpointOf().autoScaleInstanceCount({ minCapacity: 2, maxCapacity: 4 });

  test('minCapacity above the initial instance count', () => {
    expect(problemsOf(() => endpointOf().autoScaleInstanceCount({ minCapacity: 3, maxCapacity: 4 })))
      .toEqual(['minCapacity: 3 exceeds the initial instanceCount 2: min ≤ initial ≤ max']);
  });

  test('maxCapacity below the initial instance count', () => {
    expect(problemsOf(() => endpointOf().autoScaleInstanceCount({ minCapacity: 1, maxCapacity: 1 })))
      .toEqual(['maxCapacity: 1 is below the initial instanceCount 2: min ≤ initial ≤ max']);
  });

  test('minCapacity 0 points to scaleToZero', () => {
    expect(problemsOf(() => endpointOf().autoScaleInstanceCount({ minCapacity: 0, maxCapacity: 4 }))).toEqual([
      'minCapacity: 0 must be a whole number ≥ 1',
      'minCapacity: 0 needs inference components to scale to zero: use scaleToZero on the model instead',
    ]);
  });

  test('autoscaling the same variant twice', () => {
    const endpoint = endpointOf();
    endpoint.autoScaleInstanceCount({ minCapacity: 2, maxCapacity: 4 });
    expect(problemsOf(() => endpoint.autoScaleInstanceCount({ minCapacity: 2, maxCapacity: 4 })))
      .toEqual(['variantName: "AllTraffic" is already autoscaled: call autoScaleInstanceCount once per variant']);
  });

  test('a cooldown that is missing or outside 0–3600 s', () => {
    const missing = { scaleInCooldown: undefined as unknown as Duration, scaleOutCooldown: Duration.minutes(5) };
    expect(errorMessage(() => scalingOf().scaleOnConcurrentRequests('C', { concurrentRequestsPerInstance: 8, ...missing })))
      .toMatch(/scaleInCooldown undefined s is out of range: set it explicitly to 0–3600 s/);
    expect(errorMessage(() => scalingOf().scaleOnInvocationsPerInstance('I', {
      invocationsPerInstancePerMinute: 70, scaleInCooldown: Duration.minutes(5), scaleOutCooldown: Duration.seconds(3601),
    }))).toMatch(/scaleOutCooldown 3601 s is out of range: set it explicitly to 0–3600 s/);
    expect(() => scalingOf().scaleOnInvocationsPerInstance('I', {
      invocationsPerInstancePerMinute: 70, scaleInCooldown: Duration.seconds(0), scaleOutCooldown: Duration.hours(1),
    })).not.toThrow();
  });

  test('a GPU utilization target outside 1–100 % per GPU', () => {
    expect(errorMessage(() => scalingOf().scaleOnGpuUtilization('G', { utilizationPercentPerGpu: 0, ...cooldowns })))
      .toMatch(/utilizationPercentPerGpu 0 is out of range: use 1–100$/);
    expect(errorMessage(() => scalingOf().scaleOnGpuUtilization('G', { utilizationPercentPerGpu: 101, ...cooldowns })))
      .toMatch(/utilizationPercentPerGpu 101 is out of range: use 1–100$/);
    expect(() => scalingOf().scaleOnGpuUtilization('G', { utilizationPercentPerGpu: 100, ...cooldowns })).not.toThrow();
  });

  test('a non-positive tracking target', () => {
    expect(errorMessage(() => scalingOf().scaleOnConcurrentRequests('C', { concurrentRequestsPerInstance: 0, ...cooldowns })))
      .toMatch(/concurrentRequestsPerInstance 0 must be a positive number/);
  });

  test('a schedule whose minCapacity exceeds its maxCapacity', () => {
    expect(errorMessage(() => scalingOf().scaleOnSchedule('Bad', { schedule: appscaling.Schedule.expression('cron(0 22 * * ? *)'), minCapacity: 4, maxCapacity: 3 })))
      .toMatch(/schedule Bad: minCapacity 4 exceeds maxCapacity 3/);
  });
});
