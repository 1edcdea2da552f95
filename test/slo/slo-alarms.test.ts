import { Template } from 'aws-cdk-lib/assertions';
import { BURN_RATE_WINDOWS, attainment, budgetRemainingExpression, burnRate, burnRateExpression, errorBudget, errorBudgetRemaining, formatNumber } from '../../lib/monitoring/slo-math';
import { SloBurnRateAlarms } from '../../lib/monitoring/slo-alarms';
import { GatewayMetrics } from '../../lib/gateway/gateway-metrics';
import { Json, errorMessage, referencePlatformApp, stacksOf } from '../helpers/fixtures';
import { evaluateExpression } from '../helpers/metric-math';
import { driftFixture } from '../drift/drift-fixtures';

const IDS = { errors: 'errors', requests: 'requests', withinThreshold: 'within' };

describe('SLO math, by hand', () => {
  test('error budget and burn rate', () => {
    expect(errorBudget(99.5)).toBe(0.005);
    expect(errorBudget(99.9)).toBe(0.001);
    expect(errorBudget(95)).toBe(0.05);
    // 30 errors in 1,000 requests at 99.5%: 3% bad ÷ 0.5% budget = 6×.
    expect(burnRate(30, 1000, 99.5)).toBeCloseTo(6, 12);
    expect(errorBudgetRemaining(30, 1000, 99.5)).toBeCloseTo(-5, 12);
    // 2 errors in 1,000 at 99.5%: 0.2% ÷ 0.5% = 0.4 of the budget spent, 0.6 left.
    expect(errorBudgetRemaining(2, 1000, 99.5)).toBeCloseTo(0.6, 12);
    expect(attainment(2, 1000)).toBeCloseTo(0.998, 12);
    expect(burnRate(0, 0, 99.5)).toBeUndefined();
  });

  test('the paging pairs are the SRE workbook\'s and within CloudWatch\'s period limits', () => {
    expect(BURN_RATE_WINDOWS.map((w) => [w.burnRate, w.longSeconds, w.shortSeconds])).toEqual([[14.4, 3600, 300], [6, 21600, 1800]]);
    for (const w of BURN_RATE_WINDOWS) {
      for (const s of [w.longSeconds, w.shortSeconds]) {
        expect(s % 60).toBe(0);
        expect(s).toBeLessThanOrEqual(s < 3600 ? 86_400 : 604_800);
      }
    }
    // 14.4× for 1 h spends 2% of a 30-day budget; 6× for 6 h spends 5%.
    expect(14.4 / (30 * 24)).toBeCloseTo(0.02, 12);
    expect(6 * 6 / (30 * 24)).toBeCloseTo(0.05, 12);
  });

  test('expressions compute what the numbers do', () => {
    const availability = burnRateExpression('availability', IDS, 99.5);
    expect(availability).toBe('(errors / requests) / 0.005');
    expect(evaluateExpression(availability, { errors: 30, requests: 1000 })).toBeCloseTo(6, 12);
    // Latency, 95% within the threshold: PR(:T) = 90 → 10% slow ÷ 5% budget = 2×.
    const latency = burnRateExpression('latency', IDS, 95);
    expect(latency).toBe('((100 - within) / 100) / 0.05');
    expect(evaluateExpression(latency, { within: 90 })).toBeCloseTo(2, 12);
    const left = budgetRemainingExpression('availability', IDS, 99.9);
    // 4 errors in 10,000 at 99.9%: 0.04% of a 0.1% budget spent, 60% left.
    expect(evaluateExpression(left, { errors: 4, requests: 10000 })).toBeCloseTo(60, 10);
    // No requests: no data point (CloudWatch drops a division by zero), not a breach.
    expect(evaluateExpression(availability, { errors: 0, requests: 0 })).toBeUndefined();
    expect(formatNumber(0.001)).toBe('0.001');
    expect(formatNumber(errorBudget(99.99))).toBe('0.0001');
  });
});

describe('burn-rate alarms of the reference platform', () => {
  const app = referencePlatformApp();
  const stacks = Object.fromEntries(stacksOf(app).map((s) => [s.stackName, s]));
  const prodChat = Template.fromStack(stacks['inference-prod-chat']).toJSON() as Json;
  const resources = Object.entries(prodChat.Resources as Record<string, Json>);
  const alarms = resources.filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm' && /SLO burn rate/.test(r.Properties.AlarmDescription));
  const composites = resources.filter(([, r]) => r.Type === 'AWS::CloudWatch::CompositeAlarm' && /-slo-/.test(r.Properties.AlarmName ?? ''));

  test('every model of every stage has a fast and a slow page per objective', () => {
    for (const name of ['inference-prod-chat', 'inference-prod-embed', 'inference-staging-chat', 'inference-staging-embed']) {
      const t = Template.fromStack(stacks[name]);
      // Availability and latency: 2 objectives × 2 pairs × 2 windows, 2 × 2 pages.
      expect(Object.values(t.findResources('AWS::CloudWatch::Alarm')).filter((r) => /SLO burn rate/.test(r.Properties.AlarmDescription))).toHaveLength(8);
      expect(Object.keys(t.findResources('AWS::CloudWatch::CompositeAlarm')).filter((id) => /Burn/.test(id))).toHaveLength(4);
    }
    expect(composites.map(([, r]) => r.Properties.AlarmName).sort()).toEqual([
      'inference-prod-chat-availability-slo-fast-burn', 'inference-prod-chat-availability-slo-slow-burn',
      'inference-prod-chat-latency-slo-fast-burn', 'inference-prod-chat-latency-slo-slow-burn',
    ]);
  });

  test('each window alarm is one metric-math period of its window, with a threshold of its burn rate', () => {
    const byDescription = (re: RegExp) => alarms.find(([, r]) => re.test(r.Properties.AlarmDescription))![1].Properties;
    const fastLong = byDescription(/availability SLO burn rate over 1 h above 14.4/);
    expect(fastLong).toMatchObject({ Threshold: 14.4, EvaluationPeriods: 1, DatapointsToAlarm: 1, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
    const expr = fastLong.Metrics.find((m: Json) => m.Expression);
    // prod chat: availability 99.5% → budget 0.005.
    expect(expr.Expression).toBe('(errors / requests) / 0.005');
    const stats = Object.fromEntries(fastLong.Metrics.filter((m: Json) => m.MetricStat).map((m: Json) => [m.Id, m.MetricStat]));
    expect(stats.errors).toMatchObject({ Stat: 'Sum', Period: 3600, Metric: { Namespace: 'CdkInferencePlatform/Gateway', MetricName: 'Errors' } });
    expect(stats.requests).toMatchObject({ Stat: 'Sum', Period: 3600, Metric: { MetricName: 'Requests' } });
    expect(stats.errors.Metric.Dimensions).toEqual(expect.arrayContaining([{ Name: 'Stage', Value: 'prod' }, { Name: 'Model', Value: 'chat' }]));
    // Hand-computed: 80 errors in 1,000 requests in the hour = 8% ÷ 0.5% = 16× > 14.4 → breaching.
    expect(evaluateExpression(expr.Expression, { errors: 80, requests: 1000 })).toBeCloseTo(16, 10);
    expect(evaluateExpression(expr.Expression, { errors: 70, requests: 1000 })).toBeCloseTo(14, 10);

    const slowShort = byDescription(/latency SLO burn rate over 30 min above 6/);
    expect(slowShort.Threshold).toBe(6);
    const latencyStat = slowShort.Metrics.find((m: Json) => m.MetricStat).MetricStat;
    // chat has no latency threshold in its SLO: its latencyBudgetMs, 20,000 ms.
    expect(latencyStat).toMatchObject({ Stat: 'PR(:20000)', Period: 1800, Metric: { MetricName: 'Latency' } });
    const latencyExpr = slowShort.Metrics.find((m: Json) => m.Expression).Expression;
    expect(latencyExpr).toBe('((100 - within) / 100) / 0.05');
    // 68% within 20 s → 32% slow ÷ 5% = 6.4× > 6.
    expect(evaluateExpression(latencyExpr, { within: 68 })).toBeCloseTo(6.4, 10);
  });

  test('the pages are long AND short, and notify the stage alerting topic', () => {
    const ids = new Map(alarms.map(([id, r]) => [id, r.Properties.AlarmDescription as string]));
    for (const [, page] of composites) {
      const rule = JSON.stringify(page.Properties.AlarmRule);
      const members = [...rule.matchAll(/"([A-Za-z0-9]+)","Arn"/g)].map((m) => ids.get(m[1]));
      expect(rule).toMatch(/^\{"Fn::Join":\["",\["\(ALARM\(\\"",/);
      expect(rule).toContain('AND ALARM');
      expect(members).toHaveLength(2);
      const fast = /fast-burn/.test(page.Properties.AlarmName);
      expect(members[0]).toMatch(fast ? /over 1 h above 14.4/ : /over 6 h above 6/);
      expect(members[1]).toMatch(fast ? /over 5 min above 14.4/ : /over 30 min above 6/);
      const topic = JSON.stringify(page.Properties.AlarmActions);
      expect(topic).toMatch(/sns:.*inference-prod/);
      expect(page.Properties.OKActions).toEqual(page.Properties.AlarmActions);
    }
    // The window alarms do not page on their own.
    for (const [, a] of alarms) expect(a.Properties.AlarmActions).toBeUndefined();
  });

  test('the health alarm includes the pages', () => {
    const health = resources.find(([, r]) => r.Type === 'AWS::CloudWatch::CompositeAlarm' && /-health$/.test(r.Properties.AlarmName))![1];
    for (const [id] of composites) expect(JSON.stringify(health.Properties.AlarmRule)).toContain(id);
  });
});

describe('SloBurnRateAlarms validation', () => {
  test('names the objective, the value and the fix', () => {
    const f = driftFixture();
    const message = errorMessage(() => new SloBurnRateAlarms(f.stack, 'Slo', {
      modelName: 'chat', gateway: GatewayMetrics.ofStage('staging'),
      slo: { windowDays: 30, objectives: [{ kind: 'availability', targetPercent: 90 }, { kind: 'latency', targetPercent: 95 }] },
      alarmAction: { bind: () => ({ alarmActionArn: 'arn:aws:sns:us-east-1:111111111111:t' }) },
    }));
    expect(message).toContain('slo.objectives[0].targetPercent: 90');
    expect(message).toContain('at least 93.1');
    expect(message).toContain('slo.objectives[1].thresholdMs: undefined');
  });
});
