import { Template } from 'aws-cdk-lib/assertions';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DRIFT_EVENT_DETAIL_TYPE, DRIFT_EVENT_SOURCE } from '../../lib/monitoring/drift-monitor';
import { GATEWAY_METRICS, GATEWAY_NAMESPACE } from '../../lib/gateway/gateway-metrics';
import * as driftEvent from '../../lambda/drift/drift-event';
import { Json } from '../helpers/fixtures';
import { servingStack } from './fixtures';

describe('DriftMonitor', () => {
  const fixture = servingStack();
  const retrain = lambda.Function.fromFunctionArn(fixture.stack, 'Retrain', 'arn:aws:lambda:eu-west-1:123456789012:function:retrain-chat');
  fixture.monitor.onDrift(new targets.LambdaFunction(retrain));
  const template = Template.fromStack(fixture.stack);
  const resources = template.toJSON().Resources as Record<string, Json>;
  const alarmsOf = (ids: string[]) => ids.map((id) => resources[id].Properties);
  const driftIds = fixture.monitor.driftAlarms.map((a) => fixture.stack.getLogicalId(a.node.defaultChild as never));
  const serviceIds = fixture.monitor.serviceAlarms.map((a) => fixture.stack.getLogicalId(a.node.defaultChild as never));
  const topicId = fixture.stack.getLogicalId(fixture.alerting.topic.node.defaultChild as never);

  test('drift alarms are anomaly-detection alarms on the gateway features and the endpoint metrics', () => {
    const metrics = alarmsOf(driftIds).map((p) => {
      const stat = p.Metrics.find((m: Json) => m.MetricStat).MetricStat;
      const band = p.Metrics.find((m: Json) => m.Expression);
      expect(band.Expression).toMatch(/^ANOMALY_DETECTION_BAND\(\w+, ?3\)$/);
      expect(p.ThresholdMetricId).toBe(band.Id);
      expect(p.Threshold).toBeUndefined();
      return `${stat.Metric.Namespace}:${stat.Metric.MetricName}:${stat.Stat}`;
    });
    expect(metrics).toEqual(expect.arrayContaining([
      `${GATEWAY_NAMESPACE}:InputLength:Average`, `${GATEWAY_NAMESPACE}:OutputLength:Average`,
      `${GATEWAY_NAMESPACE}:Redacted:Average`, `${GATEWAY_NAMESPACE}:Blocked:Average`,
      `${GATEWAY_NAMESPACE}:Blocked_injection:Sum`, `${GATEWAY_NAMESPACE}:Blocked_pii:Sum`,
      'AWS/SageMaker:Invocations:Sum', 'AWS/SageMaker:ModelLatency:p90',
    ]));
    for (const p of alarmsOf(driftIds)) {
      expect(['LessThanLowerOrGreaterThanUpperThreshold', 'GreaterThanUpperThreshold']).toContain(p.ComparisonOperator);
      const stat = p.Metrics.find((m: Json) => m.MetricStat).MetricStat;
      expect(stat.Period).toBe(300);
      if (stat.Metric.Namespace === GATEWAY_NAMESPACE) {
        expect(stat.Metric.Dimensions).toEqual(expect.arrayContaining([{ Name: 'Stage', Value: 'test' }, { Name: 'Model', Value: 'chat' }]));
        const name: string = stat.Metric.MetricName;
        expect(name in GATEWAY_METRICS || /^(?:Blocked|Redacted)_[a-z_]+$/.test(name)).toBe(true);
      } else {
        expect(stat.Metric.Dimensions).toEqual(expect.arrayContaining([{ Name: 'EndpointName', Value: 'test-chat' }]));
      }
    }
  });

  test('static alarms: gateway and endpoint error rates, p99 latency against the budget in microseconds', () => {
    const byMetric = Object.fromEntries(alarmsOf(serviceIds).map((p) => [`${p.Namespace}:${p.MetricName}`, p]));
    expect(byMetric[`${GATEWAY_NAMESPACE}:Errors`]).toMatchObject({ Statistic: 'Average', Threshold: 0.05, Period: 300 });
    expect(byMetric['AWS/SageMaker:Invocation5XXErrors']).toMatchObject({ Statistic: 'Average', Threshold: 0.02 });
    expect(byMetric['AWS/SageMaker:ModelLatency']).toMatchObject({ ExtendedStatistic: 'p99', Threshold: 10_000_000, Unit: 'Microseconds' });
  });

  test('every alarm explains itself, treats missing data explicitly and notifies the encrypted topic', () => {
    for (const p of alarmsOf([...driftIds, ...serviceIds])) {
      expect(p.AlarmDescription).toMatch(/^\[test\/chat\] .{40,}/);
      expect(p.TreatMissingData).toBe('notBreaching');
      expect(p.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(p.OKActions).toEqual([{ Ref: topicId }]);
    }
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [expectLogicalIdLike('AlertingKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });

  test('drift alarms become ModelDriftDetected events: rule on their state changes → publisher → stage bus', () => {
    const rules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule').map((r) => r.Properties);
    const alarmRule = rules.find((r) => r.EventPattern.source?.[0] === 'aws.cloudwatch');
    expect(alarmRule.EventPattern).toMatchObject({ 'detail-type': ['CloudWatch Alarm State Change'], detail: { state: { value: ['ALARM'] } } });
    expect(alarmRule.EventPattern.resources).toEqual(driftIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })));
    const input = alarmRule.Targets[0].InputTransformer;
    expect(input.InputPathsMap).toMatchObject({ 'detail-alarmName': '$.detail.alarmName', 'detail-state-value': '$.detail.state.value' });
    expect(input.InputTemplate).toContain('"model":"chat"');
    expect(input.InputTemplate).toContain('"version":"1.0.0"');
    expect(alarmRule.Targets[0].DeadLetterConfig).toBeDefined();
    const publisher = resources[fixture.stack.getLogicalId(fixture.alerting.publisher.function.node.defaultChild as never)].Properties;
    expect(publisher.Environment.Variables.EVENT_BUS_NAME).toEqual({ Ref: expectLogicalIdLike('AlertingBus') });
    expect(publisher.DeadLetterConfig).toBeDefined();

    const trigger = rules.find((r) => r.EventPattern.source?.[0] === DRIFT_EVENT_SOURCE);
    expect(trigger.EventPattern).toEqual({ source: [DRIFT_EVENT_SOURCE], 'detail-type': [DRIFT_EVENT_DETAIL_TYPE], detail: { stage: ['test'], model: ['chat'] } });
    expect(trigger.EventBusName).toEqual({ Ref: expectLogicalIdLike('AlertingBus') });
    expect(trigger.Targets[0].Arn).toBe('arn:aws:lambda:eu-west-1:123456789012:function:retrain-chat');
  });

  test('the construct and the publisher agree on the event source and detail type', () => {
    expect(driftEvent.DRIFT_EVENT_SOURCE).toBe(DRIFT_EVENT_SOURCE);
    expect(driftEvent.DRIFT_EVENT_DETAIL_TYPE).toBe(DRIFT_EVENT_DETAIL_TYPE);
  });

  function expectLogicalIdLike(prefix: string): string {
    const id = Object.keys(resources).find((k) => k.startsWith(prefix) && !k.includes('Policy'));
    if (!id) throw new Error(`no resource whose logical id starts with ${prefix}`);
    return id;
  }
});

describe('drift event publisher (pure part)', () => {
  test('builds the ModelDriftDetected entry', () => {
    const entry = driftEvent.driftEventEntry({ stage: 'prod', model: 'chat', version: '2.3.0', alarmName: 'a', alarmArn: 'arn:x', state: 'ALARM', reason: 'r' }, 'bus');
    expect(entry).toMatchObject({ Source: 'cdk-inference-platform', DetailType: 'ModelDriftDetected', EventBusName: 'bus', Resources: ['arn:x'] });
    expect(JSON.parse((entry as driftEvent.DriftEventEntry).Detail)).toMatchObject({ stage: 'prod', model: 'chat', version: '2.3.0', alarm: { name: 'a', state: 'ALARM' } });
  });

  test('names the missing field instead of throwing', () => {
    expect(driftEvent.driftEventEntry({ stage: 'prod', model: 'chat', alarmName: 'a', state: 'ALARM' }, 'bus')).toEqual({ error: 'input.version must be a non-empty string' });
    expect(driftEvent.driftEventEntry(null, 'bus')).toMatchObject({ error: expect.stringContaining('must be an object') });
  });
});
