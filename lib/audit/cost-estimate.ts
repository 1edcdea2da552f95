import type { Json, StackArtifact } from './cloud-assembly';
import { asList, referencedId, referencedIds, render, resourcesOfType } from './template-values';
import { instancePrice, missingPriceReason, PRICING, type PricingTable } from './instance-prices';

export { PRICING, type PricingTable } from './instance-prices';

/** Assumptions behind the rough (non-instance) terms. */
export interface CostAssumptions {
  /** Gateway requests per month. @default 1,000,000 */
  readonly requestsPerMonth: number;
  /** Average gateway Lambda duration in seconds. @default 0.3 */
  readonly lambdaSecondsPerRequest: number;
  /** Stored GB (artifacts + capture + logs). @default 200 */
  readonly storageGb: number;
  /**
   * Prompt plus completion tokens per request, for the cost per 1K tokens at this load. The
   * gateway's PromptTokens and CompletionTokens metrics give the real figure (the SLO report).
   * @default 1,000
   */
  readonly tokensPerRequest: number;
}

export const DEFAULT_COST_ASSUMPTIONS: CostAssumptions = { requestsPerMonth: 1_000_000, lambdaSecondsPerRequest: 0.3, storageGb: 200, tokensPerRequest: 1000 };

/** A cost per unit of traffic, at minimum and maximum capacity. */
export interface UnitCost {
  readonly minUsd: number;
  readonly maxUsd: number;
}

export interface CostLine {
  readonly item: string;
  readonly detail: string;
  readonly minUsd: number;
  readonly maxUsd: number;
  /** False when a price is missing or not confirmed. */
  readonly confirmedPrice: boolean;
}

export interface CostEstimate {
  readonly lines: CostLine[];
  readonly minUsd: number;
  readonly maxUsd: number;
  readonly assumptions: CostAssumptions;
  /** The region whose instance prices are used (the table's default for an environment-agnostic stage). */
  readonly pricingRegion: string;
  /** True when the stage has no region and the default region's prices stand in. */
  readonly pricingRegionAssumed: boolean;
  readonly pricingSource: string;
  readonly retrieved: string;
  /** The monthly range divided by the tokens of `requestsPerMonth × tokensPerRequest`, per 1,000. */
  readonly per1kTokens: UnitCost;
  /** The monthly range divided by `requestsPerMonth`, per 1,000. */
  readonly per1kRequests: UnitCost;
}

interface VariantCapacity { endpoint: string; variant: string; instanceType: string; min: number; max: number; basis: string }

/** Instances per variant at minimum and maximum capacity. */
export function variantCapacities(stack: StackArtifact): VariantCapacity[] {
  const t = stack.template;
  const out: VariantCapacity[] = [];
  const targets = resourcesOfType(t, 'AWS::ApplicationAutoScaling::ScalableTarget').map(([, r]) => ({ resourceId: r.Properties?.ResourceId, min: r.Properties?.MinCapacity, max: r.Properties?.MaxCapacity, dim: r.Properties?.ScalableDimension }));
  for (const [endpointId, e] of resourcesOfType(t, 'AWS::SageMaker::Endpoint')) {
    const configId = referencedId(e.Properties?.EndpointConfigName);
    const config = configId ? t.Resources[configId] : undefined;
    const endpointName = render(e.Properties?.EndpointName) || endpointId;
    for (const [list, shadow] of [[config?.Properties?.ProductionVariants, false], [config?.Properties?.ShadowProductionVariants, true]] as const) {
      for (const v of asList<Json>(list)) {
        if (!v.InstanceType) continue;
        const target = targets.find((x) => x.dim === 'sagemaker:variant:DesiredInstanceCount'
          && referencedIds(x.resourceId).has(endpointId) && render(x.resourceId).endsWith(`/variant/${v.VariantName}`));
        const managed = v.ManagedInstanceScaling;
        const [min, max, basis] = managed?.Status === 'ENABLED'
          ? [managed.MinInstanceCount ?? 0, managed.MaxInstanceCount ?? v.InitialInstanceCount, `managed instance scaling ${managed.MinInstanceCount ?? 0}–${managed.MaxInstanceCount}${(managed.MinInstanceCount ?? 0) === 0 ? ' (scale to zero)' : ''}`]
          : target ? [target.min, target.max, `autoscaling ${target.min}–${target.max}`]
            : [v.InitialInstanceCount ?? 1, v.InitialInstanceCount ?? 1, `fixed ${v.InitialInstanceCount ?? 1}`];
        out.push({ endpoint: endpointName, variant: `${v.VariantName}${shadow ? ' (shadow)' : ''}`, instanceType: v.InstanceType, min, max, basis });
      }
    }
  }
  return out;
}

/** Estimated monthly cost range of one stage from the pricing table. */
export function estimateCost(stack: StackArtifact, assumptions: CostAssumptions = DEFAULT_COST_ASSUMPTIONS, pricing: PricingTable = PRICING): CostEstimate {
  const hours = pricing.hoursPerMonth;
  const lines: CostLine[] = [];
  const region = stack.region;
  const pricingRegion = region ?? pricing.defaultRegion;
  const regionTable = (pricing.sagemakerRealTimeInstanceHourly as Record<string, { source: string; retrieved: string } | undefined>)[pricingRegion];
  for (const v of variantCapacities(stack)) {
    const price = instancePrice(v.instanceType, region, pricing);
    lines.push({
      item: `${v.endpoint} / ${v.variant}`,
      detail: `${v.instanceType} × ${v.min}–${v.max} (${v.basis}) × ${price ? `$${price.usdPerHour}/h` : missingPriceReason(v.instanceType, region, pricing)} × ${hours} h`,
      minUsd: price ? v.min * price.usdPerHour * hours : 0, maxUsd: price ? v.max * price.usdPerHour * hours : 0,
      confirmedPrice: !!price?.confirmed,
    });
  }
  const t = stack.template;
  const methods = resourcesOfType(t, 'AWS::ApiGateway::Method').length;
  if (methods > 0) {
    const m = assumptions.requestsPerMonth / 1e6;
    const api = m * pricing.apiGatewayRestPerMillionRequests.usd;
    const handler = resourcesOfType(t, 'AWS::Lambda::Function').find(([, f]) => /gateway/i.test(String(f.Properties?.Description ?? '')));
    const memGb = (handler?.[1].Properties?.MemorySize ?? 1024) / 1024;
    const lambda = m * pricing.lambda.perMillionRequests.usd + assumptions.requestsPerMonth * assumptions.lambdaSecondsPerRequest * memGb * pricing.lambda.perGbSecondArm64.usd;
    lines.push({ item: 'Gateway (API Gateway REST + Lambda)', detail: `${assumptions.requestsPerMonth.toLocaleString('en-US')} requests/month, ${assumptions.lambdaSecondsPerRequest} s at ${memGb} GB (0 requests at minimum)`, minUsd: 0, maxUsd: api + lambda, confirmedPrice: false });
  }
  const buckets = resourcesOfType(t, 'AWS::S3::Bucket').length;
  if (buckets > 0) {
    lines.push({ item: 'S3 storage', detail: `${buckets} buckets, up to ${assumptions.storageGb} GB in total at $${pricing.s3StandardPerGbMonth.usd}/GB-month`, minUsd: 0, maxUsd: assumptions.storageGb * pricing.s3StandardPerGbMonth.usd, confirmedPrice: false });
  }
  const alarms = resourcesOfType(t, 'AWS::CloudWatch::Alarm');
  const anomaly = alarms.filter(([, a]) => a.Properties?.ThresholdMetricId).length;
  const alarmUsd = (alarms.length - anomaly) * pricing.cloudWatch.standardAlarmMonthly.usd + anomaly * pricing.cloudWatch.anomalyDetectionAlarmMonthly.usd;
  lines.push({ item: 'CloudWatch alarms', detail: `${alarms.length - anomaly} static + ${anomaly} anomaly-detection alarms`, minUsd: alarmUsd, maxUsd: alarmUsd, confirmedPrice: false });
  const keys = resourcesOfType(t, 'AWS::KMS::Key').length;
  lines.push({ item: 'KMS keys', detail: `${keys} customer-managed keys (requests not included)`, minUsd: keys * pricing.kmsKeyMonthly.usd, maxUsd: keys * pricing.kmsKeyMonthly.usd, confirmedPrice: false });
  const round = (x: number) => Math.round(x * 100) / 100;
  const rounded = lines.map((l) => ({ ...l, minUsd: round(l.minUsd), maxUsd: round(l.maxUsd) }));
  const minUsd = round(rounded.reduce((s, l) => s + l.minUsd, 0));
  const maxUsd = round(rounded.reduce((s, l) => s + l.maxUsd, 0));
  return {
    lines: rounded,
    minUsd,
    maxUsd,
    assumptions,
    pricingRegion,
    pricingRegionAssumed: region === undefined,
    pricingSource: regionTable?.source ?? missingPriceReason('any instance type', region, pricing),
    retrieved: regionTable?.retrieved ?? pricing.retrieved,
    per1kTokens: monthlyPerThousand(minUsd, maxUsd, assumptions.requestsPerMonth * assumptions.tokensPerRequest),
    per1kRequests: monthlyPerThousand(minUsd, maxUsd, assumptions.requestsPerMonth),
  };
}

/** A monthly range per 1,000 units of `unitsPerMonth`, to 1/10,000 of a cent; 0 units give 0. */
export function monthlyPerThousand(minUsd: number, maxUsd: number, unitsPerMonth: number): UnitCost {
  const per = (usd: number) => (unitsPerMonth > 0 ? Math.round((usd * 1000 / unitsPerMonth) * 1e6) / 1e6 : 0);
  return { minUsd: per(minUsd), maxUsd: per(maxUsd) };
}
