import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { GpuInferenceEndpoint } from '../endpoint/gpu-inference-endpoint';
import {
  alarmStatusWidget, checkDashboardName, errorRateWidget, gpuUtilizationWidget, invocationsWidget, modelLatencyWidget, uniqueAlarms,
} from './model-dashboard';
import { PropValidation } from '../common/prop-validation';
import { SafetyGateway } from '../gateway/safety-gateway';

/** One model on the platform overview. */
export interface PlatformDashboardModel {
  /** The model's name (its name at the gateway). */
  readonly name: string;
  readonly endpoint: GpuInferenceEndpoint;
  /**
   * The gateway in front of it, for the block rate.
   * @default - no block rate
   */
  readonly gateway?: SafetyGateway;
}

export interface PlatformDashboardProps {
  readonly stage: string;
  /** The platform's name; the dashboard is `<platformName>-<stage>`. */
  readonly platformName: string;
  readonly models: PlatformDashboardModel[];
  /**
   * Alarms shown in the alarm status widget, besides every endpoint's rollback alarms.
   * @default - the rollback alarms only
   */
  readonly alarms?: cloudwatch.IAlarm[];
}

const HEIGHT = 6;
const MAX_STATUS_ALARMS = 100;

/**
 * The overview of one stage: a row per model (invocations, p99 latency against its budget, 5xx
 * rate, GPU utilization per GPU, gateway block rate) and the state of all the stage's alarms.
 * Each model's own `ModelDashboard` has the detail.
 */
export class PlatformDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PlatformDashboardProps) {
    super(scope, id);
    const name = `${props.platformName}-${props.stage}`;
    const alarms = uniqueAlarms([...props.models.flatMap((m) => m.endpoint.allRollbackAlarms()), ...(props.alarms ?? [])]);
    const check = new PropValidation();
    checkDashboardName(check, 'platformName-stage', name);
    if (props.models.length === 0) check.fail('models', [], 'must list at least one model');
    const names = props.models.map((m) => m.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) check.fail(`models[${i}].name`, n, 'is listed twice: one row per model');
    });
    if (alarms.length > MAX_STATUS_ALARMS) check.fail('alarms', alarms.length, `is too many for one alarm status widget: at most ${MAX_STATUS_ALARMS}`);
    check.throwIfAny(this);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: name });
    this.dashboard.addWidgets(new cloudwatch.TextWidget({
      markdown: `# ${props.platformName}, stage ${props.stage}\n${props.models.length} model(s). Per-model detail on each model's dashboard ` +
        '(named after its endpoint).',
      width: 24, height: 2,
    }));
    for (const model of props.models) {
      const endpoint = model.endpoint;
      const primary = endpoint.variants[0];
      this.dashboard.addWidgets(
        invocationsWidget(endpoint, `${model.name}: invocations`, 5),
        modelLatencyWidget(endpoint, [primary], ['p99'], `${model.name}: p99 model latency`, 5),
        errorRateWidget(endpoint, ['5xx'], `${model.name}: 5xx rate`, 5),
        gpuUtilizationWidget(endpoint, primary, 'utilization', `${model.name}: GPU utilization per GPU`, 5),
        model.gateway ? blockRateWidget(model.gateway, model.name) : new cloudwatch.TextWidget({
          markdown: `### ${model.name}\nNot behind the safety gateway: no block rate.`, width: 4, height: HEIGHT,
        }),
      );
    }
    if (alarms.length > 0) this.dashboard.addWidgets(alarmStatusWidget(`${props.stage}: alarms`, alarms));
  }
}

/** Share of requests the gateway blocked, in % (`Blocked` is 1/0 per request). */
function blockRateWidget(gateway: SafetyGateway, model: string): cloudwatch.GraphWidget {
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
