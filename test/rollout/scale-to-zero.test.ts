import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { CapacitySize, DeploymentStrategy } from '../../lib/rollout/deployment-strategy';
import { GpuInferenceEndpoint } from '../../lib/endpoint/gpu-inference-endpoint';
import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';
import { InferenceImage } from '../../lib/endpoint/inference-image';
import { Json } from '../helpers/fixtures';
import { addEndpoint, endpointFixture, endpointResource, problemsOf, resourcesOfType } from './rollout-fixtures';

describe('scale to zero in the template (SageMaker\'s inference-component recipe)', () => {
  let template: Template;
  let endpoint: GpuInferenceEndpoint;
  let ids: { role: string; model: string; endpoint: string; component: string };
  const only = (type: string): { id: string; props: Json; resource: Json } => {
    const entries = Object.entries(resourcesOfType(template, type));
    expect(entries).toHaveLength(1);
    return { id: entries[0][0], props: entries[0][1].Properties, resource: entries[0][1] };
  };

  beforeAll(() => {
    const f = endpointFixture();
    endpoint = addEndpoint(f, 'Embed', { endpointName: 'embed-staging', instanceType: GpuInstanceType.G5_2XLARGE, scaleToZero: { maxInstanceCount: 2 } });
    template = Template.fromStack(f.stack);
    ids = {
      role: f.stack.getLogicalId(endpoint.role.node.defaultChild as never),
      model: f.stack.getLogicalId(endpoint.variants[0].model),
      endpoint: f.stack.getLogicalId(endpoint.endpoint),
      component: f.stack.getLogicalId(endpoint.inferenceComponentScaling!.inferenceComponent),
    };
  });

  test('the EndpointConfig variant has ManagedInstanceScaling ENABLED 0..max, no ModelName; the config has the ExecutionRoleArn', () => {
    const config = only('AWS::SageMaker::EndpointConfig').props;
    expect(config.ExecutionRoleArn).toEqual({ 'Fn::GetAtt': [ids.role, 'Arn'] });
    expect(config.ProductionVariants).toHaveLength(1);
    const variant = config.ProductionVariants[0];
    expect(variant.ManagedInstanceScaling).toEqual({ Status: 'ENABLED', MinInstanceCount: 0, MaxInstanceCount: 2 });
    expect(variant.ModelName).toBeUndefined();
    expect(variant.InstanceType).toBe('ml.g5.2xlarge');
  });

  test('an AWS::SageMaker::InferenceComponent serves the model on the endpoint, named deterministically', () => {
    const ic = only('AWS::SageMaker::InferenceComponent').props;
    expect(ic).toMatchObject({
      InferenceComponentName: 'embed-staging-ic',
      EndpointName: { 'Fn::GetAtt': [ids.endpoint, 'EndpointName'] },
      VariantName: 'AllTraffic',
      Specification: {
        ModelName: { 'Fn::GetAtt': [ids.model, 'ModelName'] },
        ComputeResourceRequirements: { NumberOfAcceleratorDevicesRequired: 1, MinMemoryRequiredInMb: 16 * 1024 },
      },
      RuntimeConfig: { CopyCount: 1 },
    });
    expect(endpoint.inferenceComponentName).toBe('embed-staging-ic');
  });

  test('the endpoint has no blue/green DeploymentConfig; the component rolls copy by copy under its own rollback alarms', () => {
    expect(endpointResource(template, 'embed-staging').resource.Properties.DeploymentConfig).toBeUndefined();
    const ic = only('AWS::SageMaker::InferenceComponent').props;
    expect(ic.DeploymentConfig.RollingUpdatePolicy).toEqual({ MaximumBatchSize: { Type: 'COPY_COUNT', Value: 1 }, WaitIntervalInSeconds: 300 });
    const alarmIds = Object.entries(resourcesOfType(template, 'AWS::CloudWatch::Alarm'))
      .filter(([, a]) => a.Properties.MetricName === 'ModelLatency' || a.Properties.MetricName === 'Invocation5XXErrors');
    expect(alarmIds).toHaveLength(2);
    for (const [, a] of alarmIds) expect(a.Properties.Dimensions).toEqual([{ Name: 'InferenceComponentName', Value: 'embed-staging-ic' }]);
    expect(ic.DeploymentConfig.AutoRollbackConfiguration.Alarms.map((a: Json) => a.AlarmName.Ref).sort()).toEqual(alarmIds.map(([id]) => id).sort());
  });

  test('an alarm added with addRollbackAlarm (e.g. the gateway\'s error rate) is consulted by the component, and its role may read it', () => {
    const f = endpointFixture();
    const scaled = addEndpoint(f, 'Embed', { endpointName: 'embed-staging', instanceType: GpuInstanceType.G5_2XLARGE, scaleToZero: { maxInstanceCount: 1 } });
    const extra = new cloudwatch.Alarm(f.stack, 'GatewayErrors', {
      metric: new cloudwatch.Metric({ namespace: 'Gateway', metricName: 'Errors', dimensionsMap: { Model: 'embed' } }),
      threshold: 0.02, evaluationPeriods: 3,
    });
    scaled.addRollbackAlarm(extra);
    const t = Template.fromStack(f.stack);
    const extraId = f.stack.getLogicalId(extra.node.defaultChild as never);
    const ic = Object.values(resourcesOfType(t, 'AWS::SageMaker::InferenceComponent'))[0].Properties;
    const consulted = ic.DeploymentConfig.AutoRollbackConfiguration.Alarms.map((a: Json) => a.AlarmName.Ref);
    expect(consulted).toHaveLength(3);
    expect(consulted).toContain(extraId);
    const access = Object.entries(resourcesOfType(t, 'AWS::IAM::Policy')).find(([id]) => id.startsWith('EmbedRollbackAlarmAccess'))![1];
    expect(JSON.stringify(access.Properties.PolicyDocument)).toContain(extraId);
  });

  test('the ScalableTarget: DesiredCopyCount of inference-component/<name>, MinCapacity 0, no RoleARN', () => {
    const target = only('AWS::ApplicationAutoScaling::ScalableTarget');
    expect(target.props).toEqual({
      ServiceNamespace: 'sagemaker',
      ScalableDimension: 'sagemaker:inference-component:DesiredCopyCount',
      ResourceId: 'inference-component/embed-staging-ic',
      MinCapacity: 0,
      MaxCapacity: 2,
    });
    expect(target.resource.DependsOn).toContain(ids.component);
  });

  test('target tracking on SageMakerInferenceComponentInvocationsPerCopy (target 1, cooldowns 300 s)', () => {
    const policies = Object.values(resourcesOfType(template, 'AWS::ApplicationAutoScaling::ScalingPolicy'))
      .filter((p) => p.Properties.PolicyType === 'TargetTrackingScaling');
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.TargetTrackingScalingPolicyConfiguration).toEqual({
      PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerInferenceComponentInvocationsPerCopy' },
      TargetValue: 1, ScaleInCooldown: 300, ScaleOutCooldown: 300,
    });
  });

  test('a StepScaling policy (Maximum, cooldown 60, +1 from lower bound 0) fired by the NoCapacityInvocationFailures alarm', () => {
    const steps = Object.entries(resourcesOfType(template, 'AWS::ApplicationAutoScaling::ScalingPolicy'))
      .filter(([, p]) => p.Properties.PolicyType === 'StepScaling');
    expect(steps).toHaveLength(1);
    const [stepId, step] = steps[0];
    expect(step.Properties.StepScalingPolicyConfiguration).toEqual({
      AdjustmentType: 'ChangeInCapacity', MetricAggregationType: 'Maximum', Cooldown: 60,
      StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
    });
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).filter((a) => a.Properties.MetricName === 'NoCapacityInvocationFailures');
    expect(alarms).toHaveLength(1);
    expect(alarms[0].Properties).toMatchObject({
      Namespace: 'AWS/SageMaker',
      Dimensions: [{ Name: 'InferenceComponentName', Value: 'embed-staging-ic' }],
      Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, DatapointsToAlarm: 1, Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: stepId }],
    });
  });
});

describe('scaleToZero validation', () => {
  const problems = (props: Parameters<typeof addEndpoint>[2]) => problemsOf(() => {
    const f = endpointFixture();
    return addEndpoint(f, 'Embed', { scaleToZero: { maxInstanceCount: 2 }, ...props });
  });
  const other = () => ({ modelVersion: endpointFixture().modelVersion, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G5_2XLARGE });

  test('with a shadow variant', () => {
    const f = endpointFixture();
    expect(problemsOf(() => addEndpoint(f, 'Embed', {
      scaleToZero: { maxInstanceCount: 2 },
      shadowVariant: { variantName: 'Shadow', modelVersion: f.modelVersion, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G5_2XLARGE },
    }))).toEqual(['scaleToZero: "set" supports one variant only: remove additionalVariants and shadowVariant']);
  });

  test('with additional variants', () => {
    const f = endpointFixture();
    expect(problemsOf(() => addEndpoint(f, 'Embed', {
      scaleToZero: { maxInstanceCount: 2 },
      additionalVariants: [{ variantName: 'B', ...other(), modelVersion: f.modelVersion }],
    }))).toEqual(['scaleToZero: "set" supports one variant only: remove additionalVariants and shadowVariant']);
  });

  test('with a deployment strategy', () => {
    expect(problems({ instanceCount: 2, deploymentStrategy: DeploymentStrategy.canary({ size: CapacitySize.instances(1), bake: Duration.minutes(5) }) }))
      .toEqual(['deploymentStrategy: "CANARY" does not apply with scaleToZero: new versions roll out copy by copy on the inference component']);
  });

  test('with autoScaleInstanceCount', () => {
    const endpoint = addEndpoint(endpointFixture(), 'Embed', { scaleToZero: { maxInstanceCount: 2 } });
    expect(problemsOf(() => endpoint.autoScaleInstanceCount({ minCapacity: 1, maxCapacity: 2 }))).toEqual([
      'scaleToZero: "set" already scales this endpoint: managed instance scaling and the component\'s copy count replace autoScaleInstanceCount',
    ]);
  });

  test('maxInstanceCount below instanceCount, or not a whole number ≥ 1', () => {
    expect(problems({ instanceCount: 3, scaleToZero: { maxInstanceCount: 2 } })).toEqual(['scaleToZero.maxInstanceCount: 2 is below instanceCount 3']);
    expect(problems({ scaleToZero: { maxInstanceCount: 0 } })).toContain('scaleToZero.maxInstanceCount: 0 must be a whole number ≥ 1');
  });
});
