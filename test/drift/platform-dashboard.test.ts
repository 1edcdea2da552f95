import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';
import { dashboardMetricReferences } from '../../lib/monitoring/model-dashboard';
import { PlatformDashboard } from '../../lib/monitoring/platform-dashboard';
import { Json, errorMessage } from '../helpers/fixtures';
import { addEndpoint, addGateway, driftFixture, resourcesOfType, unknownMetric } from './drift-fixtures';

describe('PlatformDashboard of a stage with two models, one behind the gateway', () => {
  const f = driftFixture();
  const chat = addEndpoint(f, 'Chat');
  const embed = addEndpoint(f, 'Embed', { instanceType: GpuInstanceType.G5_2XLARGE });
  const gateway = addGateway(f, { chat });
  const extra = new cloudwatch.Alarm(f.stack, 'Extra', { metric: chat.metricModelErrors(), threshold: 1, evaluationPeriods: 1 });
  new PlatformDashboard(f.stack, 'Overview', {
    stage: 'staging', platformName: 'inference', alarms: [extra],
    models: [{ name: 'chat', endpoint: chat, gateway }, { name: 'embed', endpoint: embed }],
  });
  const template = Template.fromStack(f.stack).toJSON();
  const dashboard = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Dashboard'))[0] as Json;
  const rawBody = dashboard.Properties.DashboardBody;
  const body = JSON.parse(rawBody['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : '${TOKEN}')).join(''));
  const titled = (title: string): Json => body.widgets.find((w: Json) => w.properties.title === title)?.properties;

  test('is named <platform>-<stage>', () => {
    expect(dashboard.Properties.DashboardName).toBe('inference-staging');
  });

  test('every metric it graphs is a SageMaker metric or a gateway metric', () => {
    const refs = dashboardMetricReferences(rawBody);
    expect(refs.map(unknownMetric).filter(Boolean)).toEqual([]);
    expect(new Set(refs.map((r) => r.dimensions.EndpointName ?? r.dimensions.Model))).toEqual(new Set(['chat-staging', 'embed-staging', 'chat']));
  });

  test('one row per model: invocations, p99 latency against the budget, 5xx rate, GPU per GPU, block rate', () => {
    for (const model of ['chat', 'embed']) {
      // The header (`# ...`) names every model too, with a link to its dashboard.
      const row = body.widgets.filter((w: Json) => !w.properties.markdown?.startsWith('# ') && (w.properties.title ?? w.properties.markdown ?? '').includes(model));
      expect(new Set(row.map((w: Json) => w.y)).size).toBe(1);
      expect(row.reduce((sum: number, w: Json) => sum + w.width, 0)).toBe(24);
      const latency = titled(`${model}: p99 model latency`);
      expect(latency.metrics[0][0].expression).toBe('p99_0 / 1000');
      expect(latency.annotations.horizontal[0].value).toBe(20000);
      expect(titled(`${model}: 5xx rate`).metrics[0][0].expression).toBe('100 * e5xx_0');
      expect(titled(`${model}: invocations`).metrics[0][1]).toBe('Invocations');
    }
    // ml.g5.12xlarge has 4 GPUs; ml.g5.2xlarge has one, so its metric needs no division.
    expect(titled('chat: GPU utilization per GPU').metrics[0][0].expression).toBe('m / 4');
    expect(titled('embed: GPU utilization per GPU').metrics[0].slice(0, 2)).toEqual(['/aws/sagemaker/Endpoints', 'GPUUtilization']);
    const blockRate = titled('chat: gateway block rate');
    expect(blockRate.metrics[0][0].expression).toBe('100 * blocked');
    expect(blockRate.metrics[1].slice(0, 2)).toEqual(['CdkInferencePlatform/Gateway', 'Blocked']);
    expect(titled('embed: gateway block rate')).toBeUndefined();
  });

  test('the header links each model\'s own dashboard (its endpoint name by default)', () => {
    expect(body.widgets[0].properties.markdown).toContain('[chat](#dashboards/dashboard/chat-staging) · [embed](#dashboards/dashboard/embed-staging)');
  });

  test('the alarm status widget lists every rollback alarm of the stage and the given alarms', () => {
    const status = body.widgets.find((w: Json) => w.type === 'alarm').properties;
    expect(status.alarms).toHaveLength(chat.allRollbackAlarms().length + embed.allRollbackAlarms().length + 1);
  });

  test('synthesizes without warnings', () => {
    expect(Annotations.fromStack(f.stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('PlatformDashboard props', () => {
  test('rejects no models, a model listed twice, and a name CloudWatch refuses', () => {
    const f = driftFixture();
    const chat = addEndpoint(f, 'Chat');
    expect(errorMessage(() => new PlatformDashboard(f.stack, 'A', { stage: 'prod', platformName: 'inference', models: [] }))).toContain('at least one model');
    const message = errorMessage(() => new PlatformDashboard(f.stack, 'B', {
      stage: 'prod', platformName: 'my platform', models: [{ name: 'chat', endpoint: chat }, { name: 'chat', endpoint: chat }],
    }));
    expect(message).toContain('listed twice');
    expect(message).toContain('cannot name a dashboard');
  });
});
