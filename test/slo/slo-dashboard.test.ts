import { Template } from 'aws-cdk-lib/assertions';
import { Json, referencePlatformApp, stacksOf } from '../helpers/fixtures';
import { evaluateExpression } from '../helpers/metric-math';

/** The reference platform's model dashboards: SLO and cost widgets, their expressions checked against values computed by hand. */
const app = referencePlatformApp();
const stacks = Object.fromEntries(stacksOf(app).map((s) => [s.stackName, s]));

function dashboardBody(stackName: string): Json {
  const template = Template.fromStack(stacks[stackName]).toJSON() as Json;
  const dashboard = Object.values(template.Resources as Record<string, Json>).find((r) => r.Type === 'AWS::CloudWatch::Dashboard')!;
  const body = dashboard.Properties.DashboardBody;
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : '${TOKEN}')).join('');
  return JSON.parse(text);
}

function widget(body: Json, title: RegExp): Json {
  const found = body.widgets.find((w: Json) => title.test(w.properties.title ?? ''));
  if (!found) throw new Error(`no widget titled ${title}: ${body.widgets.map((w: Json) => w.properties.title).join(' | ')}`);
  return found.properties;
}

/** The expression rows of a widget, and its metric rows by id. */
const expressionsOf = (props: Json): Json[] => props.metrics.filter((row: Json[]) => typeof row[0] === 'object').map((row: Json[]) => row[0]);
function metricsById(props: Json): Record<string, Json[]> {
  return Object.fromEntries(props.metrics.filter((r: Json[]) => typeof r[0] === 'string').map((r: Json[]) => [r[r.length - 1].id, r]));
}

describe('SLO widgets', () => {
  const body = dashboardBody('inference-prod-chat');

  test('error budget left over the 30-day window, one value for the whole window', () => {
    const props = widget(body, /^chat: availability error budget left \(30 d\)$/);
    expect(props).toMatchObject({ view: 'singleValue', setPeriodToTimeRange: true, start: '-P30D' });
    const [expr] = expressionsOf(props);
    expect(expr.expression).toBe('100 * (1 - (errors / requests) / 0.005)');
    // 2 errors in 1,000 requests at 99.5%: 0.2% of a 0.5% budget spent → 60% left.
    expect(evaluateExpression(expr.expression, { errors: 2, requests: 1000 })).toBeCloseTo(60, 10);
    const m = metricsById(props);
    expect(m.errors.slice(0, 2)).toEqual(['CdkInferencePlatform/Gateway', 'Errors']);
    expect(m.errors[m.errors.length - 1]).toMatchObject({ stat: 'Sum', period: 30 * 86400 });
    const latency = expressionsOf(widget(body, /^chat: latency error budget left/))[0].expression;
    // 96% within 20 s at 95%: 4% slow of a 5% budget → 20% left.
    expect(evaluateExpression(latency, { within: 96 })).toBeCloseTo(20, 10);
  });

  test('burn rate, hourly, against the fast and slow paging rates', () => {
    const props = widget(body, /^chat: availability burn rate/);
    expect(props.annotations.horizontal.map((a: Json) => a.value)).toEqual([14.4, 6]);
    const [expr] = expressionsOf(props);
    expect(expr).toMatchObject({ expression: '(errors / requests) / 0.005', period: 3600 });
    expect(evaluateExpression(expr.expression, { errors: 9, requests: 600 })).toBeCloseTo(3, 10);
  });
});

describe('cost widgets', () => {
  const body = dashboardBody('inference-prod-chat');
  // prod chat: ml.g6e.12xlarge at $13.1222/h in us-east-1, autoscaling from 2 instances.
  const hour = { inv0: 6000, ipi0: 2000, prompt: 3_000_000, completion: 1_000_000, requests: 6000 };

  test('cost per 1K tokens and per 1K requests: instance-hours × price ÷ tokens (or requests)', () => {
    const props = widget(body, /^chat: cost per 1K tokens and per 1K requests/);
    const [perToken, perRequest] = expressionsOf(props);
    expect(perToken.expression).toBe('1000 * (13.1222 * FILL(inv0 / ipi0, 2)) / (prompt + completion)');
    // 6,000 invocations ÷ 2,000 per instance = 3 instances for the hour = $39.3666; ÷ 4,000 K tokens.
    expect(evaluateExpression(perToken.expression, hour)).toBeCloseTo(39.3666 / 4000, 12);
    expect(evaluateExpression(perRequest.expression, hour)).toBeCloseTo(39.3666 / 6, 12);
    // An hour without endpoint traffic bills the 2 minimum instances: $26.2444.
    expect(evaluateExpression(perRequest.expression, { ...hour, inv0: undefined, ipi0: undefined })).toBeCloseTo(26.2444 / 6, 12);
    const m = metricsById(props);
    expect(m.inv0.slice(0, 2)).toEqual(['AWS/SageMaker', 'Invocations']);
    expect(m.ipi0.slice(0, 2)).toEqual(['AWS/SageMaker', 'InvocationsPerInstance']);
    expect(m.prompt[1]).toBe('PromptTokens');
    for (const id of ['inv0', 'ipi0', 'prompt', 'completion', 'requests']) expect(m[id][m[id].length - 1]).toMatchObject({ stat: 'Sum', period: 3600 });
  });

  test('per consumer: share of cost by tokens, and cost per 1K requests', () => {
    const share = expressionsOf(widget(body, /^chat: share of cost per consumer/));
    expect(share.map((e) => e.label)).toEqual(['search-team (% of cost)', 'support-bot (% of cost)']);
    expect(share[0].expression).toBe('100 * (cp0 + cc0) / (prompt + completion)');
    // search-team used 1,000,000 of the hour's 4,000,000 tokens: 25% of the cost.
    const consumerHour = { ...hour, cp0: 800_000, cc0: 200_000, cr0: 1500 };
    expect(evaluateExpression(share[0].expression, consumerHour)).toBeCloseTo(25, 10);
    const perRequest = expressionsOf(widget(body, /^chat: cost per 1K requests per consumer/))[0];
    // 25% of $39.3666 over 1,500 requests = $6.56110 per 1K requests.
    expect(evaluateExpression(perRequest.expression, consumerHour)).toBeCloseTo((39.3666 * 0.25 * 1000) / 1500, 10);
    const m = metricsById(widget(body, /^chat: share of cost per consumer/));
    expect(m.cp0).toEqual(expect.arrayContaining(['CdkInferencePlatform/Gateway', 'PromptTokens', 'Consumer', 'search-team']));
  });

  test('scale to zero has no floor; the price note names region, source and date', () => {
    const staging = dashboardBody('inference-staging-embed');
    const [perToken] = expressionsOf(widget(staging, /^embed: cost per 1K tokens/));
    expect(perToken.expression).toBe('1000 * (1.408 * FILL(inv0 / ipi0, 0)) / (prompt + completion)');
    const note = staging.widgets.find((w: Json) => w.type === 'text' && /Prices:/.test(w.properties.markdown)).properties.markdown;
    expect(note).toContain('us-east-1 (the stage has no region: the table\'s default) on-demand list prices, ml.g5.xlarge $1.408/h, retrieved 2026-11-21');
  });
});
