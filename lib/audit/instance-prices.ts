import pricingTable from './pricing.json';

/**
 * The price table (pricing.json), shared by the audit report's cost section, the dashboards'
 * cost widgets and the SLO report CLI, so the three never disagree.
 */
export type PricingTable = typeof pricingTable;
export const PRICING: PricingTable = pricingTable;

/** An on-demand hourly price of a SageMaker real-time inference instance, with where it came from. */
export interface InstancePrice {
  readonly instanceType: string;
  /** The region whose price this is. */
  readonly region: string;
  readonly usdPerHour: number;
  /** False when the price could not be confirmed against a dated AWS source. */
  readonly confirmed: boolean;
  readonly source: string;
  readonly retrieved: string;
  /** The stage's region was unknown (environment-agnostic): the table's default region is used. */
  readonly regionAssumed: boolean;
}

interface RegionPrices {
  readonly source: string;
  readonly retrieved: string;
  readonly prices: Readonly<Record<string, { readonly usd: number; readonly confirmed: boolean }>>;
}

/** The regions the table has instance prices for. */
export function pricedRegions(pricing: PricingTable = PRICING): string[] {
  return Object.keys(pricing.sagemakerRealTimeInstanceHourly);
}

/**
 * The hourly price of an instance type in a region, or undefined when the table has none (never
 * another region's price). `region` undefined (an environment-agnostic stage) takes the table's
 * default region and says so.
 */
export function instancePrice(instanceType: string, region: string | undefined, pricing: PricingTable = PRICING): InstancePrice | undefined {
  const where = region ?? pricing.defaultRegion;
  const table = (pricing.sagemakerRealTimeInstanceHourly as Readonly<Record<string, RegionPrices>>)[where];
  const price = table?.prices[instanceType];
  if (!table || !price) return undefined;
  return {
    instanceType, region: where, usdPerHour: price.usd, confirmed: price.confirmed, source: table.source, retrieved: table.retrieved,
    regionAssumed: region === undefined,
  };
}

/** Why there is no price, in words, for a figure that cannot be computed. */
export function missingPriceReason(instanceType: string, region: string | undefined, pricing: PricingTable = PRICING): string {
  const where = region ?? pricing.defaultRegion;
  return pricedRegions(pricing).includes(where)
    ? `no price for ${instanceType} in ${where} in lib/audit/pricing.json`
    : `no prices for region ${where} in lib/audit/pricing.json (priced: ${pricedRegions(pricing).join(', ')})`;
}
