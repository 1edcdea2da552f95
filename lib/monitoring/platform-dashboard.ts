import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { GpuInferenceEndpoint } from '../endpoint/gpu-inference-endpoint';
import {
  alarmStatusWidget, checkDashboardName, errorRateWidget, gpuUtilizationWidget, invocationsWidget, MAX_STATUS_ALARMS, modelLatencyWidget, uniqueAlarms,
} from './model-dashboard';
import { PropValidation } from '../common/prop-validation';
import { IGatewayMetrics } from '../gateway/gateway-metrics';

/** One model on the platform overview. */
export interface PlatformDashboardModel {
  /** The model's name (its name at the gateway). */
  readonly name: string;
  /**
   * The model's endpoint. Only its literal facts are read (name, variants, budget, error rate),
   * so the endpoint may be defined in another stack of the stage.
   */
  readonly endpoint: GpuInferenceEndpoint;
  /**
   * The gateway in front of it (or its metrics, `GatewayMetrics.ofStage`), for the block rate.
   * @default - no block rate
   */
  readonly gateway?: IGatewayMetrics;
  /**
   * One alarm that stands for all of the model's alarms (e.g. a composite alarm), shown in the
   * overview's alarm status. With one per model the overview stays within CloudWatch's limits for
   * any number of models; the model's own dashboard lists the alarms themselves.
   * @default - the endpoint's rollback alarms
   */
  readonly healthAlarm?: cloudwatch.IAlarm;
  /**
   * The model's own dashboard, linked from the overview.
   * @default - the endpoint's name (the name `ModelDashboard` gives it)
   */
  readonly dashboardName?: string;
}

export interface PlatformDashboardProps {
  readonly stage: string;
  /** The platform's name; the overview is `<platformName>-<stage>`, further pages `<platformName>-<stage>-<n>`. */
  readonly platformName: string;
  readonly models: PlatformDashboardModel[];
  /**
   * More alarms shown in the overview's alarm status, besides each model's health alarm.
   * @default - none
   */
  readonly alarms?: cloudwatch.IAlarm[];
  /**
   * Models graphed per dashboard: the overview graphs the first ones, and each further page the
   * next ones, so no dashboard nears CloudWatch's 500 widgets or 2,500 metrics.
   * @default 20
   */
  readonly modelsPerDashboard?: number;
}

const HEIGHT = 6;
/** Widgets in one model's row of graphs. */
const WIDGETS_PER_MODEL = 5;
/**
 * A dashboard body holds at most 500 widgets (CloudWatch API Reference, "Dashboard Body Structure
 * and Syntax") and graphs at most 2,500 metrics (CloudWatch service quotas); a row of graphs
 * reads at most 9 metrics for a two-variant endpoint.
 */
const MAX_MODELS_PER_DASHBOARD = 50;

/**
 * The overview of one stage: the health of every model (one alarm each, in alarm status widgets
 * of at most 100 alarms), links to each model's dashboard, and a row of graphs per model
 * (invocations, p99 latency against its budget, 5xx rate, GPU utilization per GPU, gateway block
 * rate), `modelsPerDashboard` models on the overview and as many more on each further page.
 */
export class PlatformDashboard extends Construct {
  /** The overview: the first page. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** Every page, the overview first. */
  public readonly dashboards: cloudwatch.Dashboard[];

  constructor(scope: Construct, id: string, props: PlatformDashboardProps) {
    super(scope, id);
    const name = `${props.platformName}-${props.stage}`;
    const perPage = props.modelsPerDashboard ?? 20;
    const pages = chunk(props.models, perPage);
    const pageNames = pages.map((_, i) => (i === 0 ? name : `${name}-${i + 1}`));
    validate(this, props, pageNames, perPage);

    const health = uniqueAlarms([
      ...props.models.flatMap((m) => (m.healthAlarm ? [m.healthAlarm] : m.endpoint.allRollbackAlarms())),
      ...(props.alarms ?? []),
    ]);
    this.dashboards = pages.map((models, i) => {
      // The overview keeps the construct id it always had, so its logical id (and the deployed dashboard) stays.
      const dashboard = new cloudwatch.Dashboard(this, i === 0 ? 'Dashboard' : `Page${i + 1}`, { dashboardName: pageNames[i] });
      dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: header(props, pageNames, i, models), width: 24, height: i === 0 ? 3 : 2 }));
      if (i === 0) {
        chunk(health, MAX_STATUS_ALARMS).forEach((alarms, n, all) => dashboard.addWidgets(alarmStatusWidget(
          `${props.stage}: model health${all.length > 1 ? ` (${n + 1}/${all.length})` : ''}`, alarms)));
      }
      for (const model of models) dashboard.addWidgets(...modelRow(model));
      return dashboard;
    });
    this.dashboard = this.dashboards[0];
  }
}

function header(props: PlatformDashboardProps, pageNames: string[], page: number, models: PlatformDashboardModel[]): string {
  const link = (text: string, dashboard: string) => `[${text}](#dashboards/dashboard/${dashboard})`;
  const pagesLine = pageNames.length > 1
    ? `\nPages: ${pageNames.map((n, i) => (i === page ? `**${i + 1}**` : link(String(i + 1), n))).join(' · ')}`
    : '';
  const modelLinks = models.map((m) => link(m.name, m.dashboardName ?? m.endpoint.endpointName)).join(' · ');
  return `# ${props.platformName}, stage ${props.stage}${page > 0 ? `, page ${page + 1}` : ''}\n` +
    `${props.models.length} model(s). Each model's own dashboard: ${modelLinks}${pagesLine}`;
}

function modelRow(model: PlatformDashboardModel): cloudwatch.IWidget[] {
  const endpoint = model.endpoint;
  const primary = endpoint.variants[0];
  return [
    invocationsWidget(endpoint, `${model.name}: invocations`, 5),
    modelLatencyWidget(endpoint, [primary], ['p99'], `${model.name}: p99 model latency`, 5),
    errorRateWidget(endpoint, ['5xx'], `${model.name}: 5xx rate`, 5),
    gpuUtilizationWidget(endpoint, primary, 'utilization', `${model.name}: GPU utilization per GPU`, 5),
    model.gateway ? blockRateWidget(model.gateway, model.name) : new cloudwatch.TextWidget({
      markdown: `### ${model.name}\nNot behind the safety gateway: no block rate.`, width: 4, height: HEIGHT,
    }),
  ];
}

function validate(scope: Construct, props: PlatformDashboardProps, pageNames: string[], perPage: number): void {
  const check = new PropValidation();
  pageNames.forEach((n) => checkDashboardName(check, 'platformName-stage', n));
  if (props.models.length === 0) check.fail('models', [], 'must list at least one model');
  const names = props.models.map((m) => m.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) check.fail(`models[${i}].name`, n, 'is listed twice: one row per model');
  });
  check.wholeNumber('modelsPerDashboard', perPage, 1);
  if (perPage > MAX_MODELS_PER_DASHBOARD) {
    check.fail('modelsPerDashboard', perPage, `exceeds ${MAX_MODELS_PER_DASHBOARD}: ${WIDGETS_PER_MODEL} widgets per model must stay within a dashboard's 500 widgets and 2,500 metrics`);
  }
  check.throwIfAny(scope);
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Share of requests the gateway blocked, in % (`Blocked` is 1/0 per request). */
function blockRateWidget(gateway: IGatewayMetrics, model: string): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title: `${model}: gateway block rate`, width: 4, height: HEIGHT,
    left: [new cloudwatch.MathExpression({
      expression: '100 * blocked',
      usingMetrics: { blocked: gateway.metric(model, 'Blocked', { statistic: 'Average' }) },
      label: 'blocked (%)',
      period: Duration.minutes(1),
    })],
    leftYAxis: { min: 0, label: '%', showUnits: false },
  });
}
