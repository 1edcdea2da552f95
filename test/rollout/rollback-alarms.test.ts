import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { CapacitySize, DeploymentStrategy } from '../../lib/rollout/deployment-strategy';
import { GpuInferenceEndpoint } from '../../lib/endpoint/gpu-inference-endpoint';
import { DEFAULT_MAX_ERROR_RATE, rollbackAlarmSpecs } from '../../lib/rollout/rollback-alarm-spec';
import { Json, cdkJsonContext, errorMessage, storeWithVersion } from '../helpers/fixtures';
import { addEndpoint, endpointFixture, endpointResource, resourcesOfType } from './rollout-fixtures';

const canary = () => DeploymentStrategy.canary({ size: CapacitySize.instances(1), bake: Duration.minutes(10) });

/** An extra rollback alarm on a literal endpoint name, as the safety gateway would add. */
function extraAlarm(stack: Stack, i: number): cloudwatch.Alarm {
  return new cloudwatch.Alarm(stack, `Extra${i}`, {
    metric: new cloudwatch.Metric({ namespace: 'Gateway', metricName: `Blocked${i}`, dimensionsMap: { EndpointName: 'chat-prod' } }),
    threshold: 1, evaluationPeriods: 1,
  });
}

describe('rollbackAlarmSpecs', () => {
  test('p99 ModelLatency above the budget in microseconds, 5xx Average above the error rate, 1-min periods, 2 of 3, notBreaching', () => {
    const [latency, errors] = rollbackAlarmSpecs({ latencyBudget: Duration.millis(1500), maxErrorRate: 0.05 });
    expect(latency).toMatchObject({
      id: 'ModelLatencyP99', namespace: 'AWS/SageMaker', metricName: 'ModelLatency', statistic: 'p99', unit: 'Microseconds',
      threshold: 1_500_000, comparison: 'GreaterThanThreshold', periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 2, treatMissingData: 'notBreaching',
    });
    expect(errors).toMatchObject({
      id: 'Invocation5xxErrorRate', namespace: 'AWS/SageMaker', metricName: 'Invocation5XXErrors', statistic: 'Average',
      threshold: 0.05, comparison: 'GreaterThanThreshold', periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 2, treatMissingData: 'notBreaching',
    });
    expect(DEFAULT_MAX_ERROR_RATE).toBe(0.02);
  });
});

describe('rollback alarms in the template', () => {
  let template: Template;
  let endpoint: GpuInferenceEndpoint;
  let stack: Stack;
  let alarms: Record<string, Json>;

  beforeAll(() => {
    const f = endpointFixture();
    stack = f.stack;
    endpoint = addEndpoint(f, 'Chat', {
      endpointName: 'chat-prod', instanceCount: 2, latencyBudget: Duration.seconds(20), maxErrorRate: 0.05, deploymentStrategy: canary(),
    });
    // 2 generated + 8 added = 10, SageMaker's maximum: synthesizes.
    for (let i = 0; i < 8; i++) endpoint.addRollbackAlarm(extraAlarm(stack, i));
    template = Template.fromStack(stack);
    alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm');
  });

  const generated = (metricName: string): { id: string; props: Json } => {
    const matches = Object.entries(alarms).filter(([, a]) => a.Properties.MetricName === metricName);
    expect(matches).toHaveLength(1);
    return { id: matches[0][0], props: matches[0][1].Properties };
  };

  test('p99 ModelLatency: threshold = budget ms × 1000 (microseconds), unit Microseconds', () => {
    expect(generated('ModelLatency').props).toMatchObject({
      Namespace: 'AWS/SageMaker', ExtendedStatistic: 'p99', Unit: 'Microseconds', Threshold: 20_000 * 1000,
      ComparisonOperator: 'GreaterThanThreshold', Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: 'notBreaching',
    });
    expect(generated('ModelLatency').props.Statistic).toBeUndefined();
  });

  test('5xx: Average (the error rate) greater than maxErrorRate', () => {
    expect(generated('Invocation5XXErrors').props).toMatchObject({
      Namespace: 'AWS/SageMaker', Statistic: 'Average', Threshold: 0.05,
      ComparisonOperator: 'GreaterThanThreshold', Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: 'notBreaching',
    });
  });

  test('the template alarms carry exactly the settings the simulator evaluates (endpoint.rollbackAlarmSpecs)', () => {
    for (const spec of endpoint.rollbackAlarmSpecs) {
      const props = generated(spec.metricName).props;
      expect(props.Threshold).toBe(spec.threshold);
      expect(props.ComparisonOperator).toBe(spec.comparison);
      expect(props.Period).toBe(spec.periodSeconds);
      expect(props.EvaluationPeriods).toBe(spec.evaluationPeriods);
      expect(props.DatapointsToAlarm).toBe(spec.datapointsToAlarm);
      expect(props.TreatMissingData).toBe(spec.treatMissingData);
      expect(props.ExtendedStatistic ?? props.Statistic).toBe(spec.statistic);
    }
  });

  test('dimensions: the literal EndpointName (not a token), the VariantName, and the new config\'s name by GetAtt', () => {
    const configId = stack.getLogicalId(endpoint.endpointConfig);
    for (const metricName of ['ModelLatency', 'Invocation5XXErrors']) {
      const dims = Object.fromEntries((generated(metricName).props.Dimensions as Json[]).map((d) => [d.Name, d.Value]));
      expect(dims).toEqual({
        EndpointName: 'chat-prod',
        VariantName: 'AllTraffic',
        EndpointConfigName: { 'Fn::GetAtt': [configId, 'EndpointConfigName'] },
      });
      expect(typeof dims.EndpointName).toBe('string');
    }
  });

  test('AutoRollbackConfiguration lists the generated alarms first, then the added ones: 10 in all', () => {
    const listed = endpointResource(template, 'chat-prod').resource.Properties.DeploymentConfig.AutoRollbackConfiguration.Alarms as Json[];
    expect(listed).toHaveLength(10);
    expect(listed.slice(0, 2)).toEqual([{ AlarmName: { Ref: generated('ModelLatency').id } }, { AlarmName: { Ref: generated('Invocation5XXErrors').id } }]);
    const extraIds = Object.keys(alarms).filter((id) => id.startsWith('Extra'));
    expect(listed.slice(2).map((a) => a.AlarmName.Ref).sort()).toEqual(extraIds.sort());
  });

  test('SageMaker\'s role may DescribeAlarms on every rollback alarm, and the endpoint waits for that policy', () => {
    const { id, resource } = Object.entries(resourcesOfType(template, 'AWS::IAM::Policy'))
      .map(([i, r]) => ({ id: i, resource: r as Json }))
      .find((p) => p.id.startsWith('ChatRollbackAlarmAccess'))!;
    const statement = resource.Properties.PolicyDocument.Statement[0];
    expect(statement.Action).toBe('cloudwatch:DescribeAlarms');
    expect((statement.Resource as Json[]).map((r) => r['Fn::GetAtt'][0]).sort()).toEqual(Object.keys(alarms).sort());
    expect(endpointResource(template, 'chat-prod').resource.DependsOn).toContain(id);
  });
});

test('more than 10 rollback alarms (2 generated + 9 added) fails synth validation', () => {
  const { stack, modelVersion } = storeWithVersion({ stack: new Stack(new App({ context: cdkJsonContext() }), 'TooMany') });
  const endpoint = addEndpoint({ stack, modelVersion }, 'Chat', { endpointName: 'chat-prod', instanceCount: 2, deploymentStrategy: canary() });
  for (let i = 0; i < 9; i++) endpoint.addRollbackAlarm(extraAlarm(stack, i));
  expect(errorMessage(() => (stack.node.root as App).synth()))
    .toContain('11 rollback alarms: SageMaker\'s AutoRollbackConfiguration takes at most 10; add fewer with addRollbackAlarm()');
});
