import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { CONSUMER_DIMENSION, IGatewayMetrics } from '../gateway/gateway-metrics';
import { GpuInferenceEndpoint } from '../endpoint/gpu-inference-endpoint';
import { BURN_RATE_WINDOWS } from './slo-math';
import { costPerHourExpression, perThousandExpression, PricedVariantIds, tokenShareExpression } from './cost-math';
import { budgetRemainingMetric, burnRateMetric, describeObjective, ModelSlo } from './slo-alarms';

const HEIGHT = 6;
const HOUR = Duration.hours(1);
/** What the burn rate and cost graphs show: a week of hourly points. */
const TREND_WINDOW = '-P7D';

/** A variant of the model's endpoint with its price, for the cost widgets. */
export interface PricedVariant {
  readonly variantName: string;
  readonly usdPerHour: number;
  /** Instances that run (and bill) without traffic: the minimum capacity, 0 for scale to zero. */
  readonly floorInstances: number;
}

/** What the cost widgets need: the priced variants, the consumers, and where the prices come from. */
export interface ModelCost {
  readonly variants: readonly PricedVariant[];
  /** Consumer names (the gateway's `Consumer` dimension). */
  readonly consumers: readonly string[];
  /** Region, source and date of the prices, shown under the widgets. */
  readonly priceNote: string;
}

/** Per objective: the error budget left over the SLO window, and the hourly burn rate against the paging rates. */
export function sloWidgets(gateway: IGatewayMetrics, model: string, slo: ModelSlo): cloudwatch.IWidget[] {
  return slo.objectives.flatMap((objective) => [
    new cloudwatch.SingleValueWidget({
      title: `${model}: ${objective.kind} error budget left (${slo.windowDays} d)`,
      width: 6, height: HEIGHT,
      metrics: [budgetRemainingMetric(gateway, model, objective, slo.windowDays)],
      // One value over the whole window, whatever the dashboard's time range.
      start: `-P${slo.windowDays}D`,
      setPeriodToTimeRange: true,
    }),
    new cloudwatch.GraphWidget({
      title: `${model}: ${objective.kind} burn rate (SLO ${describeObjective(objective, slo.windowDays)})`,
      width: 18, height: HEIGHT, start: TREND_WINDOW,
      left: [burnRateMetric(gateway, model, objective, HOUR, `${objective.kind} burn rate, hourly (1 = budget lasts the window)`)],
      leftAnnotations: BURN_RATE_WINDOWS.map((w) => ({
        value: w.burnRate, label: `${w.name.toLowerCase()} burn page: ${w.burnRate}× over ${w.longSeconds / 3600} h and ${w.shortSeconds / 60} min`,
        color: w.name === 'Fast' ? cloudwatch.Color.RED : cloudwatch.Color.ORANGE,
      })),
      leftYAxis: { min: 0, label: '× budget rate', showUnits: false },
    }),
  ]);
}

/** The metric ids of the model's cost inputs, shared by every expression of a widget. */
function costInputs(endpoint: GpuInferenceEndpoint, gateway: IGatewayMetrics, model: string, cost: ModelCost) {
  const usingMetrics: Record<string, cloudwatch.IMetric> = {
    prompt: gateway.metric(model, 'PromptTokens', { statistic: 'Sum', period: HOUR }),
    completion: gateway.metric(model, 'CompletionTokens', { statistic: 'Sum', period: HOUR }),
    requests: gateway.metric(model, 'Requests', { statistic: 'Sum', period: HOUR }),
  };
  const variants: PricedVariantIds[] = cost.variants.map((v, i) => {
    usingMetrics[`inv${i}`] = endpoint.metricInvocations({ variantName: v.variantName, statistic: 'Sum', period: HOUR });
    usingMetrics[`ipi${i}`] = endpoint.metricInvocationsPerInstance({ variantName: v.variantName, statistic: 'Sum', period: HOUR });
    return { invocations: `inv${i}`, invocationsPerInstance: `ipi${i}`, floorInstances: v.floorInstances, usdPerHour: v.usdPerHour };
  });
  return { usingMetrics, costPerHour: costPerHourExpression(variants) };
}

/**
 * Cost per 1K tokens and per 1K requests of the model, and each consumer's cost per 1K requests
 * and share of the model's cost, hourly, as metric math over instance-hours × price.
 */
export function costWidgets(endpoint: GpuInferenceEndpoint, gateway: IGatewayMetrics, model: string, cost: ModelCost): cloudwatch.IWidget[] {
  const { usingMetrics, costPerHour } = costInputs(endpoint, gateway, model, cost);
  const expression = (expr: string, label: string, extra: Record<string, cloudwatch.IMetric> = {}) =>
    new cloudwatch.MathExpression({ expression: expr, usingMetrics: { ...usingMetrics, ...extra }, period: HOUR, label });
  const widgets: cloudwatch.IWidget[] = [
    new cloudwatch.GraphWidget({
      title: `${model}: cost per 1K tokens and per 1K requests (USD, hourly)`,
      width: 12, height: HEIGHT, start: TREND_WINDOW,
      left: [expression(perThousandExpression(costPerHour, 'prompt + completion'), 'USD per 1K tokens (prompt + completion)')],
      right: [expression(perThousandExpression(costPerHour, 'requests'), 'USD per 1K requests')],
      leftYAxis: { min: 0, label: 'USD / 1K tokens', showUnits: false },
      rightYAxis: { min: 0, label: 'USD / 1K requests', showUnits: false },
    }),
    new cloudwatch.GraphWidget({
      title: `${model}: serving cost (USD per hour; instance-hours × price)`,
      width: 12, height: HEIGHT, start: TREND_WINDOW,
      left: [expression(costPerHour, 'USD per hour')],
      leftYAxis: { min: 0, label: 'USD / h', showUnits: false },
    }),
  ];
  if (cost.consumers.length > 0) {
    const perConsumer = (kind: 'share' | 'per1k') => cost.consumers.map((consumer, i) => {
      const dims = { [CONSUMER_DIMENSION]: consumer };
      const ids = { cp: `cp${i}`, cc: `cc${i}`, cr: `cr${i}` };
      const extra = {
        [ids.cp]: gateway.metric(model, 'PromptTokens', { statistic: 'Sum', period: HOUR, dimensionsMap: dims }),
        [ids.cc]: gateway.metric(model, 'CompletionTokens', { statistic: 'Sum', period: HOUR, dimensionsMap: dims }),
        [ids.cr]: gateway.metric(model, 'Requests', { statistic: 'Sum', period: HOUR, dimensionsMap: dims }),
      };
      const share = tokenShareExpression(`${ids.cp} + ${ids.cc}`, 'prompt + completion');
      return kind === 'share'
        ? expression(`100 * ${share}`, `${consumer} (% of cost)`, extra)
        : expression(perThousandExpression(`(${costPerHour}) * ${share}`, ids.cr), `${consumer} (USD per 1K requests)`, extra);
    });
    widgets.push(
      new cloudwatch.GraphWidget({
        title: `${model}: share of cost per consumer (by tokens, %)`, width: 12, height: HEIGHT, start: TREND_WINDOW, stacked: true,
        left: perConsumer('share'), leftYAxis: { min: 0, max: 100, label: '%', showUnits: false },
      }),
      new cloudwatch.GraphWidget({
        title: `${model}: cost per 1K requests per consumer (USD)`, width: 12, height: HEIGHT, start: TREND_WINDOW,
        left: perConsumer('per1k'), leftYAxis: { min: 0, label: 'USD / 1K requests', showUnits: false },
      }),
    );
  }
  widgets.push(new cloudwatch.TextWidget({
    markdown: `Cost = Σ variants price × instances, instances = Invocations ÷ InvocationsPerInstance per hour, the minimum capacity in hours without traffic; ` +
      `a consumer's cost is the model's in proportion to its tokens. Prices: ${cost.priceNote}.`,
    width: 24, height: 2,
  }));
  return widgets;
}
