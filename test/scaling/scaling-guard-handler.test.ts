import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createGuardHandler, type GuardHandler } from '../../lambda/scaling-guard/scaling-guard-handler';
import { parseGuardProperties, planGuard, rewiredAlarm } from '../../lambda/scaling-guard/scaling-guard';
import { awsError, ok, startJsonStubServer, type JsonStubServer } from '../helpers/aws-json-stub-server';

const RESOURCE_ID = 'endpoint/chat-prod/variant/AllTraffic';
const STEP_ARN_OLD = 'arn:aws:autoscaling:us-east-1:310000000002:scalingPolicy:1111-old:resource/sagemaker/endpoint/chat-prod/variant/AllTraffic:policyName/StepUpper';
const STEP_ARN_NEW = 'arn:aws:autoscaling:us-east-1:310000000002:scalingPolicy:2222-new:resource/sagemaker/endpoint/chat-prod/variant/AllTraffic:policyName/StepUpper';

/** The variant's scaling as the construct writes it (see the template tests). */
const SCALING = {
  MinCapacity: 2,
  MaxCapacity: 6,
  ScheduledActions: [{ ScheduledActionName: 'NightCap', Schedule: 'cron(0 22 * * ? *)', Timezone: 'America/New_York', ScalableTargetAction: { MinCapacity: 2, MaxCapacity: 3 } }],
  Policies: [
    { PolicyName: 'Concurrency', PolicyType: 'TargetTrackingScaling', TargetTrackingScalingPolicyConfiguration: { TargetValue: 8, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantConcurrentRequestsPerModelHighResolution' }, ScaleInCooldown: 900, ScaleOutCooldown: 300 } },
    { PolicyName: 'StepUpper', PolicyType: 'StepScaling', StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity', Cooldown: 300, StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] }, AlarmNames: ['chat-prod-AllTraffic-MlG6e12xlarge-Gpu-UpperAlarm'] },
  ],
};

function event(requestType: 'Create' | 'Update' | 'Delete', instanceType = 'ml.g6e.12xlarge'): CloudFormationCustomResourceEvent {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:us-east-1:310000000002:function:provider',
    ResponseURL: 'https://cloudformation-custom-resource-response.example/',
    StackId: 'arn:aws:cloudformation:us-east-1:310000000002:stack/inference-prod/1',
    RequestId: 'r-1',
    LogicalResourceId: 'ChatScalingGuardAllTraffic',
    ResourceType: 'Custom::SageMakerScalingGuard',
    PhysicalResourceId: RESOURCE_ID,
    ResourceProperties: { ServiceToken: 'x', EndpointName: 'chat-prod', VariantName: 'AllTraffic', InstanceType: instanceType, Scaling: JSON.stringify(SCALING) },
    OldResourceProperties: {},
  } as CloudFormationCustomResourceEvent;
}

describe('planGuard: deregister only on an observed type change, restore only what a failed update removed', () => {
  test.each([
    ['Update', 'ml.g6e.12xlarge', true, 'deregister', 'the deployed type differs from the desired one, and scaling is registered'],
    ['Update', 'ml.g5.12xlarge', true, 'none', 'same type, registered: a re-serialisation of the properties changes nothing'],
    ['Update', 'ml.g5.12xlarge', false, 'restore', 'same type, nothing registered: the rollback of a failed type change'],
    ['Create', 'ml.g5.12xlarge', false, 'none', 'Create: CloudFormation registers the target after the endpoint'],
    ['Create', 'ml.g6e.12xlarge', true, 'deregister', 'a guard added together with a type change'],
    ['Update', undefined, false, 'none', 'no endpoint yet'],
    ['Delete', 'ml.g5.12xlarge', true, 'deregister', 'autoscaling removed (the retained resources would not deregister)'],
    ['Delete', 'ml.g5.12xlarge', false, 'none', 'nothing to do'],
  ] as const)('%s, deployed %s, registered %s → %s (%s)', (requestType, deployed, registered, action, _why) => {
    expect(planGuard(requestType, 'ml.g5.12xlarge', { deployedInstanceType: deployed, registered }).action).toBe(action);
  });

  test('properties are parsed strictly: a malformed Scaling fails the deployment instead of restoring something else', () => {
    const props = event('Update').ResourceProperties;
    expect(parseGuardProperties(props).scaling.Policies).toHaveLength(2);
    expect(() => parseGuardProperties({ ...props, Scaling: '{"MinCapacity": "two", "MaxCapacity": 6, "ScheduledActions": [], "Policies": []}' })).toThrow(/MinCapacity must be a whole number/);
    expect(() => parseGuardProperties({ ...props, Scaling: JSON.stringify({ ...SCALING, Policies: [{ PolicyName: 'x', PolicyType: 'PredictiveScaling' }] }) })).toThrow(/TargetTrackingScaling or StepScaling/);
    expect(() => parseGuardProperties({ ...props, InstanceType: 'g5' })).toThrow(/property InstanceType/);
  });

  test('a step alarm is re-pointed at the re-created policy, keeping its definition and other actions', () => {
    const alarm = { AlarmName: 'a', AlarmArn: 'arn:x', StateValue: 'OK', MetricName: 'GPUMemoryUtilization', Namespace: '/aws/sagemaker/Endpoints', Threshold: 80, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: ['arn:aws:sns:us-east-1:310000000002:topic'] };
    expect(rewiredAlarm(alarm, 'StepUpper', STEP_ARN_NEW)).toEqual({
      AlarmName: 'a', MetricName: 'GPUMemoryUtilization', Namespace: '/aws/sagemaker/Endpoints', Threshold: 80, EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: ['arn:aws:sns:us-east-1:310000000002:topic', STEP_ARN_NEW],
    });
    expect(rewiredAlarm({ ...alarm, AlarmActions: [STEP_ARN_OLD] }, 'StepUpper', STEP_ARN_NEW)!.AlarmActions).toEqual([STEP_ARN_NEW]);
    expect(rewiredAlarm({ ...alarm, AlarmActions: [STEP_ARN_NEW] }, 'StepUpper', STEP_ARN_NEW)).toBeUndefined();
  });
});

/**
 * The handler with the real SageMaker, Application Auto Scaling and CloudWatch clients against a
 * local server speaking their JSON protocols.
 */
describe('the scaling guard handler against the services\' wire protocols', () => {
  let aws: JsonStubServer;
  let handler: GuardHandler;
  let registered: boolean;
  let deployed: string | undefined;
  const sleeps: number[] = [];

  beforeAll(async () => {
    aws = await startJsonStubServer();
    const config = { endpoint: aws.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } };
    handler = createGuardHandler({
      sagemaker: new SageMakerClient(config), autoscaling: new ApplicationAutoScalingClient(config), cloudwatch: new CloudWatchClient(config),
      sleep: async (ms) => void sleeps.push(ms),
    });
    aws.on('DescribeEndpoint', (input) => (deployed === undefined
      ? awsError('ValidationException', `Could not find endpoint "${String(input.EndpointName)}".`)
      : ok({ EndpointName: input.EndpointName, EndpointConfigName: 'ChatConfig-abc', EndpointStatus: 'InService' })));
    aws.on('DescribeEndpointConfig', () => ok({ EndpointConfigName: 'ChatConfig-abc', ProductionVariants: [{ VariantName: 'AllTraffic', InstanceType: deployed }] }));
    aws.on('DescribeScalableTargets', () => ok({ ScalableTargets: registered ? [{ ServiceNamespace: 'sagemaker', ResourceId: RESOURCE_ID, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount', MinCapacity: 2, MaxCapacity: 6, RoleARN: 'x', CreationTime: 1 }] : [] }));
    aws.on('DeregisterScalableTarget', () => ok());
    aws.on('RegisterScalableTarget', () => ok({}));
    aws.on('PutScheduledAction', () => ok());
    aws.on('DescribeAlarms', () => ok({ MetricAlarms: [{ AlarmName: 'chat-prod-AllTraffic-MlG6e12xlarge-Gpu-UpperAlarm', MetricName: 'GPUMemoryUtilization', Namespace: '/aws/sagemaker/Endpoints', Statistic: 'Average', Period: 60, EvaluationPeriods: 1, Threshold: 80, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [] }] }));
    aws.on('PutMetricAlarm', () => ok());
  });
  afterAll(() => aws.close());
  beforeEach(() => {
    aws.calls.length = 0;
    sleeps.length = 0;
    let puts = 0;
    // The first put after a registration may not see it yet (eventual consistency).
    aws.on('PutScalingPolicy', (input) => (++puts === 1 ? awsError('ObjectNotFoundException', 'No scalable target registered') : ok({ PolicyARN: input.PolicyName === 'StepUpper' ? STEP_ARN_NEW : 'arn:tracking', Alarms: [] })));
  });
  const operations = () => aws.calls.map((c) => c.operation).filter((o) => !o.startsWith('Describe'));

  test('a real instance-type change deregisters the variant before the endpoint update', async () => {
    [deployed, registered] = ['ml.g6e.12xlarge', true];
    expect(await handler(event('Update', 'ml.g5.12xlarge'))).toEqual({ PhysicalResourceId: RESOURCE_ID, Data: { Action: 'deregister' } });
    expect(operations()).toEqual(['DeregisterScalableTarget']);
    expect(aws.callsOf('DeregisterScalableTarget')).toEqual([{ ServiceNamespace: 'sagemaker', ResourceId: RESOURCE_ID, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' }]);
  });

  test('an update of the guard that changes nothing (same type, registered) leaves the scaling alone', async () => {
    [deployed, registered] = ['ml.g6e.12xlarge', true];
    expect((await handler(event('Update'))).Data.Action).toBe('none');
    expect(operations()).toEqual([]);
  });

  test('the rollback of a failed change (old type back, nothing registered) restores target, policies, schedules and the step alarm\'s action', async () => {
    [deployed, registered] = ['ml.g6e.12xlarge', false];
    expect((await handler(event('Update'))).Data.Action).toBe('restore');
    expect(operations()).toEqual(['RegisterScalableTarget', 'PutScalingPolicy', 'PutScalingPolicy', 'PutScalingPolicy', 'PutMetricAlarm', 'PutScheduledAction']);
    expect(aws.callsOf('RegisterScalableTarget')).toEqual([{ ServiceNamespace: 'sagemaker', ResourceId: RESOURCE_ID, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount', MinCapacity: 2, MaxCapacity: 6 }]);
    expect(sleeps).toEqual([2000]);
    expect(aws.callsOf('PutScalingPolicy').slice(1)).toEqual([
      expect.objectContaining({ PolicyName: 'Concurrency', PolicyType: 'TargetTrackingScaling', ResourceId: RESOURCE_ID, TargetTrackingScalingPolicyConfiguration: SCALING.Policies[0].TargetTrackingScalingPolicyConfiguration }),
      expect.objectContaining({ PolicyName: 'StepUpper', PolicyType: 'StepScaling', StepScalingPolicyConfiguration: SCALING.Policies[1].StepScalingPolicyConfiguration }),
    ]);
    expect(aws.callsOf('PutScalingPolicy')[2]).not.toHaveProperty('AlarmNames');
    expect(aws.callsOf('PutMetricAlarm')).toEqual([expect.objectContaining({ AlarmName: 'chat-prod-AllTraffic-MlG6e12xlarge-Gpu-UpperAlarm', AlarmActions: [STEP_ARN_NEW], Threshold: 80 })]);
    expect(aws.callsOf('PutScheduledAction')).toEqual([{ ...SCALING.ScheduledActions[0], ServiceNamespace: 'sagemaker', ResourceId: RESOURCE_ID, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' }]);
  });

  test('first deployment (no endpoint) and Create on an unchanged endpoint do nothing; Delete deregisters', async () => {
    [deployed, registered] = [undefined, false];
    expect((await handler(event('Create'))).Data.Action).toBe('none');
    [deployed, registered] = ['ml.g6e.12xlarge', false];
    expect((await handler(event('Create'))).Data.Action).toBe('none');
    expect(operations()).toEqual([]);
    registered = true;
    expect((await handler(event('Delete'))).Data.Action).toBe('deregister');
    expect(operations()).toEqual(['DeregisterScalableTarget']);
  });

  test('a service error other than "not registered yet" fails the deployment (CloudFormation rolls back)', async () => {
    [deployed, registered] = ['ml.g6e.12xlarge', true];
    aws.on('DeregisterScalableTarget', () => awsError('AccessDeniedException', 'not authorized'));
    await expect(handler(event('Update', 'ml.g5.12xlarge'))).rejects.toThrow(/not authorized/);
    aws.on('DeregisterScalableTarget', () => ok());
  });
});
