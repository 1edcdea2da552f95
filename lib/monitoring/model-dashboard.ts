import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { GatewayMetricName, IGatewayMetrics } from '../gateway/gateway-metrics';
import { DeployedVariant, GpuInferenceEndpoint } from '../endpoint/gpu-inference-endpoint';
import { PropValidation } from '../common/prop-validation';
import { ModelSlo } from './slo-alarms';
import { costWidgets, ModelCost, sloWidgets } from './slo-cost-widgets';

/** The checks of the safety library (lambda/safety/types.ts `CheckName`, without `internal`). */
export const DEFAULT_SAFETY_CHECKS: readonly string[] = [
  'size', 'unicode', 'injection', 'encoded_payload', 'classifier', 'pii', 'secrets', 'banned_words', 'toxicity', 'canary', 'custom_pattern',
];

export interface ModelDashboardProps {
  /** Stage name, shown in the header. */
  readonly stage: string;
  /** The model's name: its name at the gateway (`Model` dimension) and in titles. */
  readonly modelName: string;
  readonly endpoint: GpuInferenceEndpoint;
  /**
   * The safety gateway in front of the model (or its metrics, `GatewayMetrics.ofStage`); adds the
   * blocks, redactions, gateway latency, errors and input/output drift widgets.
   * @default - endpoint widgets only
   */
  readonly gateway?: IGatewayMetrics;
  /**
   * The model streams through the gateway: adds time to first token (against this budget),
   * tokens per second, stream duration and streams blocked mid-answer.
   * @default - no streaming widgets
   */
  readonly streaming?: { readonly timeToFirstTokenBudget: Duration };
  /**
   * The bounds of the primary variant's autoscaling, drawn on the instance count graph.
   * @default - the variant's fixed instance count is drawn
   */
  readonly scaling?: { readonly minCapacity: number; readonly maxCapacity: number };
  /**
   * Safety checks whose `Blocked_<check>` and `Redacted_<check>` metrics are graphed.
   * @default DEFAULT_SAFETY_CHECKS
   */
  readonly checks?: string[];
  /**
   * Alarms shown in the alarm status widget, besides the endpoint's rollback alarms.
   * @default - the rollback alarms only
   */
  readonly alarms?: cloudwatch.IAlarm[];
  /**
   * Width of the anomaly bands on the drift widgets, in standard deviations.
   * @default 2
   */
  readonly anomalyBandStdDevs?: number;
  /**
   * Period of the drift widgets: long enough that the band follows the traffic's shape, not
   * single bursts. Match it to the drift alarms so the graph shows what they evaluate.
   * @default Duration.minutes(5), the period of `DriftMonitor`'s alarms
   */
  readonly driftPeriod?: Duration;
  /**
   * The model's SLO: error budget left and burn rate widgets (needs `gateway`, whose metrics are the SLIs).
   * @default - no SLO widgets
   */
  readonly slo?: ModelSlo;
  /**
   * Prices of the variants and the consumers: cost per 1K tokens and per 1K requests, per model
   * and per consumer (needs `gateway`, whose token metrics they divide by).
   * @default - no cost widgets
   */
  readonly cost?: ModelCost;
}

/** A widget's size on the 24-column dashboard grid. */
const HEIGHT = 6;
/** An alarm status widget lists at most 100 alarms (CloudWatch API Reference, "Dashboard Body Structure and Syntax": alarms, 1–100 ARNs). */
export const MAX_STATUS_ALARMS = 100;
/** Consumers the per-consumer cost graphs can hold: 5 model metrics + 4 per consumer ≤ 500. */
export const MAX_COST_CONSUMERS = 100;
/** What the drift widgets show: three days, enough to read a trend against the band at the drift period. */
const DRIFT_WINDOW = '-P3D';

/**
 * One CloudWatch dashboard per model: the endpoint's latency against its budget, traffic,
 * errors, GPU load and fleet size; the gateway's blocks, redactions, latency and errors; the
 * drift features with their anomaly bands; and the state of the model's alarms.
 */
export class ModelDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ModelDashboardProps) {
    super(scope, id);
    const { endpoint, gateway, modelName } = props;
    const name = endpoint.endpointName;
    validateDashboardProps(this, props, name);
    const checks = props.checks ?? [...DEFAULT_SAFETY_CHECKS];
    const budgetMs = endpoint.latencyBudget.toMilliseconds();

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: name });
    const fleet = props.scaling ? `, instances ${props.scaling.minCapacity}–${props.scaling.maxCapacity}` : '';
    this.dashboard.addWidgets(new cloudwatch.TextWidget({
      markdown: `# ${modelName} (${props.stage})\nEndpoint \`${name}\`, latency budget ${budgetMs} ms${fleet}` +
        `${gateway ? `, behind the safety gateway of stage ${gateway.stage}` : ''}.`,
      width: 24, height: 2,
    }));
    this.dashboard.addWidgets(
      modelLatencyWidget(endpoint, endpoint.variants, ['p50', 'p90', 'p99'], `${modelName}: model latency`, 8),
      invocationsWidget(endpoint, `${modelName}: invocations`, 8),
      errorRateWidget(endpoint, ['4xx', '5xx'], `${modelName}: 4xx / 5xx rate`, 8),
    );
    this.dashboard.addWidgets(
      ...endpoint.variants.flatMap((v) => gpuWidgets(endpoint, v, endpoint.variants.length > 1)),
      instanceCountWidget(endpoint, props.scaling),
    );
    if (gateway) {
      this.dashboard.addWidgets(
        perCheckWidget(gateway, modelName, 'Blocked', checks),
        perCheckWidget(gateway, modelName, 'Redacted', checks),
      );
      this.dashboard.addWidgets(gatewayLatencyWidget(gateway, modelName, budgetMs), gatewayErrorsWidget(gateway, modelName));
      if (props.slo) this.dashboard.addWidgets(...sloWidgets(gateway, modelName, props.slo));
      if (props.cost) this.dashboard.addWidgets(...costWidgets(endpoint, gateway, modelName, props.cost));
      if (props.streaming) this.dashboard.addWidgets(...streamingWidgets(gateway, modelName, props.streaming.timeToFirstTokenBudget.toMilliseconds()));
    }
    const stdDevs = props.anomalyBandStdDevs ?? 2;
    const period = props.driftPeriod ?? Duration.minutes(5);
    const drift: [string, cloudwatch.Metric][] = [
      ['invocations', endpoint.metricInvocations({ period })],
      ...(gateway ? ([
        ['input length', gateway.metric(modelName, 'InputLength', { statistic: 'Average', period })],
        ['output length', gateway.metric(modelName, 'OutputLength', { statistic: 'Average', period })],
        ['redacted rate', gateway.metric(modelName, 'Redacted', { statistic: 'Average', period })],
        ['blocked rate', gateway.metric(modelName, 'Blocked', { statistic: 'Average', period })],
      ] as [string, cloudwatch.Metric][]) : []),
    ];
    this.dashboard.addWidgets(...drift.map(([what, metric]) => anomalyBandWidget(`${modelName}: ${what} (drift)`, metric, stdDevs)));

    const alarms = uniqueAlarms([...endpoint.allRollbackAlarms(), ...(props.alarms ?? [])]);
    if (alarms.length > 0) this.dashboard.addWidgets(alarmStatusWidget(`${modelName}: alarms`, alarms));
  }
}

function validateDashboardProps(scope: Construct, props: ModelDashboardProps, name: string): void {
  const check = new PropValidation();
  checkDashboardName(check, 'endpoint.endpointName', name);
  if (!/^[a-z0-9](?:-?[a-z0-9])*$/.test(props.modelName)) check.fail('modelName', props.modelName, 'must be lower-case letters, digits and single hyphens, as at the gateway');
  check.inRange('anomalyBandStdDevs', props.anomalyBandStdDevs, 0.1, 10);
  if (props.driftPeriod && (props.driftPeriod.toSeconds() < 60 || props.driftPeriod.toSeconds() % 60 !== 0)) {
    check.fail('driftPeriod', `${props.driftPeriod.toSeconds()} s`, 'must be a whole number of minutes');
  }
  if (props.scaling) {
    check.wholeNumber('scaling.minCapacity', props.scaling.minCapacity, 0);
    check.wholeNumber('scaling.maxCapacity', props.scaling.maxCapacity, 1);
    if (props.scaling.minCapacity > props.scaling.maxCapacity) check.fail('scaling', props.scaling, 'has minCapacity above maxCapacity');
  }
  for (const c of props.checks ?? []) {
    if (!/^[a-z][a-z0-9_]*$/.test(c)) check.fail('checks', c, 'is not a check name (lower-case letters, digits and underscores)');
  }
  if ((props.slo || props.cost) && !props.gateway) check.fail(props.slo ? 'slo' : 'cost', 'set', 'needs gateway: its Requests, Errors, Latency and token metrics are what the widgets compute from');
  // Each consumer adds 3 metrics and an expression to a graph; a graph holds at most 500 metrics
  // (CloudWatch dashboard body structure: metrics, up to 500 per widget).
  if (props.cost && props.cost.consumers.length > MAX_COST_CONSUMERS) {
    check.fail('cost.consumers', props.cost.consumers.length, `is too many for the per-consumer cost graphs: at most ${MAX_COST_CONSUMERS}`);
  }
  props.cost?.variants.forEach((v, i) => {
    check.inRange(`cost.variants[${i}].usdPerHour`, v.usdPerHour, 0, 10000);
    check.wholeNumber(`cost.variants[${i}].floorInstances`, v.floorInstances, 0);
  });
  const alarmCount = uniqueAlarms([...props.endpoint.allRollbackAlarms(), ...(props.alarms ?? [])]).length;
  if (alarmCount > MAX_STATUS_ALARMS) check.fail('alarms', alarmCount, `is too many for one alarm status widget: at most ${MAX_STATUS_ALARMS}`);
  check.throwIfAny(scope);
}

/** Records a problem when a concrete dashboard name breaks CloudWatch's rule: ≤ 255 of [A-Za-z0-9_-]. */
export function checkDashboardName(check: PropValidation, field: string, name: string): void {
  if (!Token.isUnresolved(name) && !/^[\w-]{1,255}$/.test(name)) {
    check.fail(field, name, 'cannot name a dashboard: use ≤ 255 letters, digits, hyphens and underscores');
  }
}

/** `ms` from a latency metric in microseconds (SageMaker ModelLatency), under a metric-math id. */
function microsToMs(id: string, metric: cloudwatch.IMetric, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({ expression: `${id} / 1000`, usingMetrics: { [id]: metric }, label, period: Duration.minutes(1) });
}

function budgetAnnotation(budgetMs: number): cloudwatch.HorizontalAnnotation {
  return { value: budgetMs, label: `latency budget ${budgetMs} ms`, color: cloudwatch.Color.RED };
}

/** Model latency percentiles of each variant, in ms, against the endpoint's latency budget. */
export function modelLatencyWidget(endpoint: GpuInferenceEndpoint, variants: DeployedVariant[], stats: string[], title: string,
  width: number): cloudwatch.GraphWidget {
  const left = variants.flatMap((v, i) => stats.map((stat) => microsToMs(`${stat}_${i}`,
    endpoint.metricModelLatency({ variantName: v.variantName, statistic: stat }),
    variants.length > 1 ? `${v.variantName} ${stat} (ms)` : `${stat} (ms)`)));
  return new cloudwatch.GraphWidget({
    title, width, height: HEIGHT, left,
    leftAnnotations: [budgetAnnotation(endpoint.latencyBudget.toMilliseconds())],
    leftYAxis: { min: 0, label: 'ms', showUnits: false },
  });
}

export function invocationsWidget(endpoint: GpuInferenceEndpoint, title: string, width: number): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title, width, height: HEIGHT,
    left: endpoint.variants.map((v) => endpoint.metricInvocations({ variantName: v.variantName, label: `${v.variantName} invocations / min` })),
    leftYAxis: { min: 0, showUnits: false },
  });
}

/** Error rates in % (the metrics are 1/0 per request, so 100 × Average), with the rollback threshold. */
export function errorRateWidget(endpoint: GpuInferenceEndpoint, kinds: ('4xx' | '5xx')[], title: string, width: number): cloudwatch.GraphWidget {
  const left = endpoint.variants.flatMap((v, i) => kinds.map((kind) => {
    const metric = kind === '4xx'
      ? endpoint.metricInvocation4xxErrorRate({ variantName: v.variantName })
      : endpoint.metricInvocation5xxErrorRate({ variantName: v.variantName });
    const id = `e${kind}_${i}`;
    return new cloudwatch.MathExpression({
      expression: `100 * ${id}`, usingMetrics: { [id]: metric }, period: Duration.minutes(1),
      label: endpoint.variants.length > 1 ? `${v.variantName} ${kind} (%)` : `${kind} (%)`,
    });
  }));
  const rollbackRate = endpoint.maxErrorRate;
  return new cloudwatch.GraphWidget({
    title, width, height: HEIGHT, left,
    leftAnnotations: kinds.includes('5xx')
      ? [{ value: rollbackRate * 100, label: `5xx rollback at ${+(rollbackRate * 100).toFixed(2)}%`, color: cloudwatch.Color.RED }]
      : [],
    leftYAxis: { min: 0, label: '%', showUnits: false },
  });
}

/** GPU and GPU memory utilization per GPU (0–100 %), divided by the variant's GPU count. */
function gpuWidgets(endpoint: GpuInferenceEndpoint, variant: DeployedVariant, nameVariant: boolean): cloudwatch.GraphWidget[] {
  const suffix = nameVariant ? ` (${variant.variantName})` : '';
  return [
    gpuUtilizationWidget(endpoint, variant, 'utilization', `GPU utilization per GPU${suffix}`, 8),
    gpuUtilizationWidget(endpoint, variant, 'memory', `GPU memory per GPU${suffix}`, 8),
  ];
}

export function gpuUtilizationWidget(endpoint: GpuInferenceEndpoint, variant: DeployedVariant, what: 'utilization' | 'memory', title: string,
  width: number): cloudwatch.GraphWidget {
  const options = { variantName: variant.variantName };
  let metric: cloudwatch.IMetric;
  if (variant.instanceType.spec) {
    metric = what === 'utilization' ? endpoint.metricGpuUtilizationPerGpu(options) : endpoint.metricGpuMemoryUtilizationPerGpu(options);
  } else {
    // Outside the catalog the GPU count is unknown: show SageMaker's sum over the GPUs, and say so.
    metric = (what === 'utilization' ? endpoint.metricGpuUtilization(options) : endpoint.metricGpuMemoryUtilization(options))
      .with({ label: `${variant.instanceType.name}: summed over its GPUs (0–100 × GPU count)` });
  }
  return new cloudwatch.GraphWidget({
    title, width, height: HEIGHT, left: [metric],
    leftYAxis: variant.instanceType.spec ? { min: 0, max: 100, label: '%', showUnits: false } : { min: 0, showUnits: false },
  });
}

/**
 * Instances in service, estimated. SageMaker publishes no instance count for a variant in
 * `AWS/SageMaker` or `/aws/sagemaker/Endpoints` (SageMaker Developer Guide, "Monitor SageMaker
 * with CloudWatch"), but `InvocationsPerInstance` is 1/instanceCount per request, so
 * `Invocations / InvocationsPerInstance` over a minute is the count while there is traffic and
 * no data without it. The scaling bounds are annotations.
 */
function instanceCountWidget(endpoint: GpuInferenceEndpoint, scaling?: { minCapacity: number; maxCapacity: number }): cloudwatch.GraphWidget {
  const left = endpoint.variants.map((v, i) => new cloudwatch.MathExpression({
    expression: `inv_${i} / ipi_${i}`,
    usingMetrics: {
      [`inv_${i}`]: endpoint.metricInvocations({ variantName: v.variantName }),
      [`ipi_${i}`]: endpoint.metricInvocationsPerInstance({ variantName: v.variantName }),
    },
    label: `${v.variantName} instances (estimate: Invocations ÷ InvocationsPerInstance; no data without traffic)`,
    period: Duration.minutes(1),
  }));
  const primary = endpoint.variants[0];
  const leftAnnotations: cloudwatch.HorizontalAnnotation[] = scaling
    ? [
      { value: scaling.minCapacity, label: `min ${scaling.minCapacity}`, color: cloudwatch.Color.GREY },
      { value: scaling.maxCapacity, label: `max ${scaling.maxCapacity}`, color: cloudwatch.Color.RED },
    ]
    : [{ value: primary.instanceCount, label: `${primary.variantName}: ${primary.instanceCount} (not autoscaled)`, color: cloudwatch.Color.GREY }];
  return new cloudwatch.GraphWidget({
    title: 'Instances in service (estimate)', width: 8, height: HEIGHT, left, leftAnnotations,
    leftYAxis: { min: 0, showUnits: false },
  });
}

/** Requests a check blocked (or redacted), per check, per minute. */
function perCheckWidget(gateway: IGatewayMetrics, model: string, kind: 'Blocked' | 'Redacted', checks: string[]): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title: `${model}: ${kind === 'Blocked' ? 'blocks' : 'redactions'} per check`,
    width: 12, height: HEIGHT, stacked: true,
    left: checks.map((c) => gateway.metric(model, `${kind}_${c}`, { statistic: 'Sum', label: c })),
    leftYAxis: { min: 0, label: 'requests / min', showUnits: false },
  });
}

function gatewayLatencyWidget(gateway: IGatewayMetrics, model: string, budgetMs: number): cloudwatch.GraphWidget {
  const series: [GatewayMetricName, string, string][] = [
    ['Latency', 'p50', 'gateway p50'], ['Latency', 'p99', 'gateway p99'], ['ModelLatency', 'p99', 'model call p99 (as the gateway sees it)'],
  ];
  return new cloudwatch.GraphWidget({
    title: `${model}: gateway and model latency`, width: 12, height: HEIGHT,
    left: series.map(([metricName, statistic, label]) => gateway.metric(model, metricName, { statistic, label: `${label} (ms)` })),
    leftAnnotations: [budgetAnnotation(budgetMs)],
    leftYAxis: { min: 0, label: 'ms', showUnits: false },
  });
}

/** Streamed answers: how soon the first checked text reaches the client, how fast tokens follow, and streams the checks ended. */
function streamingWidgets(gateway: IGatewayMetrics, model: string, ttftBudgetMs: number): cloudwatch.GraphWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: `${model}: time to first token (gateway, hold-back included)`, width: 8, height: HEIGHT,
      left: ['p50', 'p99'].map((statistic) => gateway.metric(model, 'TimeToFirstToken', { statistic, label: `${statistic} (ms)` })),
      leftAnnotations: [budgetAnnotation(ttftBudgetMs)],
      leftYAxis: { min: 0, label: 'ms', showUnits: false },
    }),
    new cloudwatch.GraphWidget({
      title: `${model}: tokens per second and stream duration`, width: 8, height: HEIGHT,
      left: ['p10', 'p50'].map((statistic) => gateway.metric(model, 'TokensPerSecond', { statistic, label: `tokens/s ${statistic}` })),
      right: [gateway.metric(model, 'StreamDuration', { statistic: 'p99', label: 'stream duration p99 (ms)' })],
      leftYAxis: { min: 0, label: 'tokens/s', showUnits: false },
      rightYAxis: { min: 0, label: 'ms', showUnits: false },
    }),
    new cloudwatch.GraphWidget({
      title: `${model}: streams blocked mid-answer`, width: 8, height: HEIGHT, stacked: false,
      left: [gateway.metric(model, 'BlockedMidStream', { statistic: 'Sum', label: 'blocked mid-stream' })],
      leftYAxis: { min: 0, label: 'streams / min', showUnits: false },
    }),
  ];
}

function gatewayErrorsWidget(gateway: IGatewayMetrics, model: string): cloudwatch.GraphWidget {
  const series: [GatewayMetricName, string][] = [
    ['Errors', 'errors (5xx)'], ['ClientErrors', 'client errors (4xx)'], ['CircuitOpen', 'circuit open'], ['FallbackUsed', 'fallback used'],
  ];
  return new cloudwatch.GraphWidget({
    title: `${model}: gateway errors`, width: 12, height: HEIGHT,
    left: series.map(([metricName, label]) => gateway.metric(model, metricName, { statistic: 'Sum', label })),
    leftYAxis: { min: 0, label: 'requests / min', showUnits: false },
  });
}

/** A metric with its `ANOMALY_DETECTION_BAND`: the range CloudWatch's model expects from its history. */
export function anomalyBandWidget(title: string, metric: cloudwatch.Metric, stdDevs: number, width = 8): cloudwatch.GraphWidget {
  const band = new cloudwatch.MathExpression({
    expression: `ANOMALY_DETECTION_BAND(m, ${stdDevs})`,
    usingMetrics: { m: metric },
    label: `expected (±${stdDevs} standard deviations)`,
    period: metric.period,
  });
  return new cloudwatch.GraphWidget({ title, width, height: HEIGHT, left: [metric, band], start: DRIFT_WINDOW, leftYAxis: { showUnits: false } });
}

export function alarmStatusWidget(title: string, alarms: cloudwatch.IAlarm[]): cloudwatch.AlarmStatusWidget {
  return new cloudwatch.AlarmStatusWidget({
    title, alarms, width: 24, height: Math.min(12, 2 + Math.ceil(alarms.length / 4)),
    sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
  });
}

export function uniqueAlarms(alarms: cloudwatch.IAlarm[]): cloudwatch.IAlarm[] {
  return [...new Set(alarms)];
}

/** One metric a dashboard graphs: its namespace, name and dimensions. */
export interface MetricReference {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
}

/**
 * Every metric a `DashboardBody` graphs (metric math expressions excluded; the metrics they use
 * are listed). Takes the body as the template has it: a JSON string or an `Fn::Join` whose
 * non-literal parts (region, alarm ARNs) are read as `${TOKEN}`.
 */
export function dashboardMetricReferences(dashboardBody: unknown): MetricReference[] {
  const body = JSON.parse(joinLiteralParts(dashboardBody)) as { widgets?: { properties?: { metrics?: unknown[][] } }[] };
  const found: MetricReference[] = [];
  for (const widget of body.widgets ?? []) {
    for (const row of widget.properties?.metrics ?? []) {
      if (typeof row[0] !== 'string') continue; // [{ expression, ... }]
      const parts = row.filter((p): p is string => typeof p === 'string');
      const dimensions: Record<string, string> = {};
      for (let i = 2; i + 1 < parts.length; i += 2) dimensions[parts[i]] = parts[i + 1];
      found.push({ namespace: parts[0], metricName: parts[1], dimensions });
    }
  }
  return found;
}

function joinLiteralParts(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (!join) throw new Error(`not a dashboard body: ${JSON.stringify(value)}`);
  return join[1].map((part) => (typeof part === 'string' ? part : '${TOKEN}')).join(join[0]);
}
