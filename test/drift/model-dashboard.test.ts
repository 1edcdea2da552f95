import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { GATEWAY_NAMESPACE } from '../../lib/gateway/gateway-metrics';
import { DEFAULT_SAFETY_CHECKS, ModelDashboard, dashboardMetricReferences } from '../../lib/monitoring/model-dashboard';
import { Json, errorMessage } from '../helpers/fixtures';
import { KNOWN_CHECKS, addEndpoint, addGateway, driftFixture, resourcesOfType, unknownMetric } from './drift-fixtures';

/** The dashboard body of the template's only dashboard, parsed with tokens read as `${TOKEN}`. */
function dashboardBody(template: Json, name?: string): Json {
  const dashboards = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Dashboard')) as Json[];
  const dashboard = name ? dashboards.find((d) => d.Properties.DashboardName === name) : dashboards[0];
  const body = dashboard.Properties.DashboardBody;
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : '${TOKEN}')).join('');
  return JSON.parse(text);
}

function widget(body: Json, title: string): Json {
  const found = body.widgets.find((w: Json) => w.properties.title === title);
  if (!found) throw new Error(`no widget titled ${title}: ${body.widgets.map((w: Json) => w.properties.title).join(' | ')}`);
  return found.properties;
}

/** Rows of a widget's metrics that are expressions, and those that are metrics, by id. */
function expressions(props: Json): Json[] {
  return props.metrics.filter((row: Json[]) => typeof row[0] === 'object').map((row: Json[]) => row[0]);
}
function metricById(props: Json, id: string): Json[] {
  const row = props.metrics.find((r: Json[]) => typeof r[0] === 'string' && r[r.length - 1]?.id === id);
  if (!row) throw new Error(`no metric with id ${id}`);
  return row;
}

describe('ModelDashboard with a gateway and autoscaling', () => {
  const f = driftFixture();
  const endpoint = addEndpoint(f, 'Chat');
  endpoint.autoScaleInstanceCount({ minCapacity: 1, maxCapacity: 4 });
  const gateway = addGateway(f, { chat: endpoint });
  const extra = new cloudwatch.Alarm(f.stack, 'Extra', { metric: endpoint.metricModelErrors(), threshold: 1, evaluationPeriods: 1 });
  new ModelDashboard(f.stack, 'Dashboard', {
    stage: 'staging', modelName: 'chat', endpoint, gateway, scaling: { minCapacity: 1, maxCapacity: 4 }, alarms: [extra],
  });
  const template = Template.fromStack(f.stack).toJSON();
  const body = dashboardBody(template);

  test('is named after the endpoint', () => {
    const dashboard = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Dashboard'))[0] as Json;
    expect(dashboard.Properties.DashboardName).toBe('chat-staging');
  });

  test('every metric it graphs is a SageMaker metric or a gateway metric the handler emits', () => {
    const refs = dashboardMetricReferences(Object.values(resourcesOfType(template, 'AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    expect(refs.length).toBeGreaterThan(30);
    expect(refs.map(unknownMetric).filter(Boolean)).toEqual([]);
    const names = new Set(refs.map((r) => `${r.namespace} ${r.metricName}`));
    for (const expected of ['AWS/SageMaker ModelLatency', 'AWS/SageMaker Invocations', 'AWS/SageMaker Invocation4XXErrors', 'AWS/SageMaker Invocation5XXErrors',
      'AWS/SageMaker InvocationsPerInstance', '/aws/sagemaker/Endpoints GPUUtilization', '/aws/sagemaker/Endpoints GPUMemoryUtilization',
      `${GATEWAY_NAMESPACE} Latency`, `${GATEWAY_NAMESPACE} ModelLatency`, `${GATEWAY_NAMESPACE} Errors`, `${GATEWAY_NAMESPACE} InputLength`]) {
      expect(names).toContain(expected);
    }
    const endpoints = refs.filter((r) => r.namespace !== GATEWAY_NAMESPACE);
    expect(new Set(endpoints.map((r) => `${r.dimensions.EndpointName}/${r.dimensions.VariantName}`))).toEqual(new Set(['chat-staging/AllTraffic']));
    const gatewayRefs = refs.filter((r) => r.namespace === GATEWAY_NAMESPACE);
    expect(new Set(gatewayRefs.map((r) => `${r.dimensions.Stage}/${r.dimensions.Model}`))).toEqual(new Set(['staging/chat']));
  });

  test('model latency p50/p90/p99 in ms (microseconds / 1000) against the latency budget', () => {
    const latency = widget(body, 'chat: model latency');
    expect(expressions(latency).map((e: Json) => e.expression)).toEqual(['p50_0 / 1000', 'p90_0 / 1000', 'p99_0 / 1000']);
    for (const stat of ['p50', 'p90', 'p99']) {
      const row = metricById(latency, `${stat}_0`);
      expect(row.slice(0, 2)).toEqual(['AWS/SageMaker', 'ModelLatency']);
      expect(row[row.length - 1].stat).toBe(stat);
    }
    expect(latency.annotations.horizontal).toEqual([expect.objectContaining({ value: endpoint.latencyBudget.toMilliseconds() })]);
    expect(endpoint.latencyBudget.toMilliseconds()).toBe(20000);
  });

  test('4xx/5xx as % with the rollback threshold', () => {
    const errors = widget(body, 'chat: 4xx / 5xx rate');
    expect(expressions(errors).map((e: Json) => e.expression)).toEqual(['100 * e4xx_0', '100 * e5xx_0']);
    expect(metricById(errors, 'e5xx_0')[1]).toBe('Invocation5XXErrors');
    expect(errors.annotations.horizontal[0].value).toBe(2);
  });

  test('GPU and GPU memory utilization per GPU divide the summed metric by the GPU count (4 on ml.g5.12xlarge)', () => {
    for (const [title, metricName] of [['GPU utilization per GPU', 'GPUUtilization'], ['GPU memory per GPU', 'GPUMemoryUtilization']]) {
      const gpu = widget(body, title);
      expect(expressions(gpu).map((e: Json) => e.expression)).toEqual(['m / 4']);
      expect(metricById(gpu, 'm').slice(0, 2)).toEqual(['/aws/sagemaker/Endpoints', metricName]);
      expect(gpu.yAxis.left).toEqual(expect.objectContaining({ min: 0, max: 100 }));
    }
  });

  test('instance count is estimated as Invocations / InvocationsPerInstance, with min and max as annotations', () => {
    const instances = widget(body, 'Instances in service (estimate)');
    const [expression] = expressions(instances);
    expect(expression.expression).toBe('inv_0 / ipi_0');
    expect(expression.label).toContain('estimate');
    expect(metricById(instances, 'inv_0')[1]).toBe('Invocations');
    expect(metricById(instances, 'ipi_0')[1]).toBe('InvocationsPerInstance');
    expect(instances.annotations.horizontal.map((a: Json) => a.value)).toEqual([1, 4]);
  });

  test('blocks and redactions per check: one Sum line for each of the library\'s checks', () => {
    for (const [title, prefix] of [['chat: blocks per check', 'Blocked_'], ['chat: redactions per check', 'Redacted_']]) {
      const rows = widget(body, title).metrics as Json[][];
      expect(rows.map((r) => r[1])).toEqual(DEFAULT_SAFETY_CHECKS.map((c) => `${prefix}${c}`));
      expect(rows.every((r) => r[r.length - 1].stat === 'Sum')).toBe(true);
    }
    expect([...DEFAULT_SAFETY_CHECKS]).toEqual(KNOWN_CHECKS);
  });

  test('gateway latency against the budget, and gateway errors', () => {
    const latency = widget(body, 'chat: gateway and model latency');
    expect(latency.metrics.map((r: Json[]) => `${r[1]} ${r[r.length - 1].stat}`)).toEqual(['Latency p50', 'Latency p99', 'ModelLatency p99']);
    expect(latency.annotations.horizontal[0].value).toBe(20000);
    expect(widget(body, 'chat: gateway errors').metrics.map((r: Json[]) => r[1])).toEqual(['Errors', 'ClientErrors', 'CircuitOpen', 'FallbackUsed']);
  });

  test('drift features are drawn with an ANOMALY_DETECTION_BAND of 2 standard deviations', () => {
    const drift: [string, string, string][] = [
      ['chat: invocations (drift)', 'Invocations', 'Sum'], ['chat: input length (drift)', 'InputLength', 'Average'],
      ['chat: output length (drift)', 'OutputLength', 'Average'], ['chat: redacted rate (drift)', 'Redacted', 'Average'],
      ['chat: blocked rate (drift)', 'Blocked', 'Average'],
    ];
    for (const [title, metricName, stat] of drift) {
      const props = widget(body, title);
      expect(expressions(props).map((e: Json) => e.expression)).toEqual(['ANOMALY_DETECTION_BAND(m, 2)']);
      const metric = metricById(props, 'm');
      expect(metric[1]).toBe(metricName);
      const options = metric[metric.length - 1];
      expect(options.visible).not.toBe(false);
      expect(options.stat ?? 'Average').toBe(stat);
      // CloudWatch's default period, 300 s, is left out of the body.
      expect(options.period ?? 300).toBe(300);
    }
  });

  test('the alarm status widget shows the rollback alarms (the gateway\'s included) and the given ones', () => {
    const status = body.widgets.find((w: Json) => w.type === 'alarm').properties;
    expect(status.alarms).toHaveLength(endpoint.allRollbackAlarms().length + 1);
    expect(endpoint.allRollbackAlarms().length).toBe(4);
  });

  test('synthesizes without warnings', () => {
    expect(Annotations.fromStack(f.stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('ModelDashboard without a gateway', () => {
  test('graphs the endpoint only, with the invocations drift band, and draws the fixed instance count', () => {
    const f = driftFixture();
    const endpoint = addEndpoint(f, 'Embed', { instanceCount: 2 });
    new ModelDashboard(f.stack, 'Dashboard', { stage: 'prod', modelName: 'embed', endpoint, anomalyBandStdDevs: 3 });
    const body = dashboardBody(Template.fromStack(f.stack).toJSON());
    const text = JSON.stringify(body);
    expect(text).not.toContain(GATEWAY_NAMESPACE);
    expect(text.match(/ANOMALY_DETECTION_BAND\(m, 3\)/g)).toHaveLength(1);
    expect(widget(body, 'Instances in service (estimate)').annotations.horizontal.map((a: Json) => a.value)).toEqual([2]);
  });
});

describe('ModelDashboard props', () => {
  test('reports every problem at once', () => {
    const f = driftFixture();
    const endpoint = addEndpoint(f, 'Chat');
    const message = errorMessage(() => new ModelDashboard(f.stack, 'Dashboard', {
      stage: 'prod', modelName: 'Chat Model', endpoint, anomalyBandStdDevs: 0, scaling: { minCapacity: 5, maxCapacity: 2 }, checks: ['Bad-Check'],
    }));
    expect(message).toContain('modelName');
    expect(message).toContain('anomalyBandStdDevs');
    expect(message).toContain('minCapacity above maxCapacity');
    expect(message).toContain('Bad-Check');
  });
});

describe('dashboardMetricReferences', () => {
  test('reads metrics from a plain body and from an Fn::Join, skipping expressions', () => {
    const body = JSON.stringify({ widgets: [{ properties: { metrics: [[{ expression: 'm / 2' }], ['AWS/SageMaker', 'Invocations', 'EndpointName', 'e', { id: 'm' }]] } }, { properties: { markdown: 'x' } }] });
    const expected = [{ namespace: 'AWS/SageMaker', metricName: 'Invocations', dimensions: { EndpointName: 'e' } }];
    expect(dashboardMetricReferences(body)).toEqual(expected);
    const [head, tail] = body.split('"e"');
    expect(dashboardMetricReferences({ 'Fn::Join': ['', [`${head}"`, { Ref: 'AWS::Region' }, `"${tail}`]] })).toEqual([
      { ...expected[0], dimensions: { EndpointName: '${TOKEN}' } },
    ]);
  });
});
