/**
 * What serving costs per unit of traffic, as numbers (the report CLI) and as CloudWatch
 * metric-math expressions (dashboards). Pure: no CDK, no SDK.
 *
 * Cost is instance-hours × the hourly price. SageMaker publishes no instance count, but each
 * request adds 1/instanceCount to `InvocationsPerInstance`, so over a period
 * `Invocations ÷ InvocationsPerInstance` is the fleet size, weighted by requests; a period without
 * traffic has no estimate, and the fleet's floor (its minimum capacity, 0 for scale to zero)
 * stands in, because those instances run and bill without traffic. A consumer's cost is the
 * model's cost in proportion to its tokens (prompt + completion), so every consumer of a
 * model pays the same per 1K tokens and the consumers' costs add up to the model's.
 */

/** One priced variant of an endpoint, with the metric ids of its Invocations and InvocationsPerInstance (both Sum). */
export interface PricedVariantIds {
  readonly invocations: string;
  readonly invocationsPerInstance: string;
  /** Instances that run without traffic: the minimum capacity (0 for scale to zero). */
  readonly floorInstances: number;
  readonly usdPerHour: number;
}

/** Instances in service over a period: `FILL(Invocations / InvocationsPerInstance, floor)`. */
export function instancesExpression(v: PricedVariantIds): string {
  return `FILL(${v.invocations} / ${v.invocationsPerInstance}, ${v.floorInstances})`;
}

/**
 * USD spent per hour: Σ price × instances, over the variants. With a 1-hour period, each point
 * is what that hour cost.
 */
export function costPerHourExpression(variants: readonly PricedVariantIds[]): string {
  if (variants.length === 0) throw new Error('a cost needs at least one priced variant');
  return variants.map((v) => `${v.usdPerHour} * ${instancesExpression(v)}`).join(' + ');
}

/** USD per 1,000 units over the same period: `1000 * cost / units`, units an expression (tokens, requests). */
export function perThousandExpression(costPerHour: string, units: string, periodHours = 1): string {
  return `1000 * (${costPerHour})${periodHours === 1 ? '' : ` * ${periodHours}`} / (${units})`;
}

/** A consumer's share of a model's tokens (0–1): `(cPrompt + cCompletion) / (prompt + completion)`. */
export function tokenShareExpression(consumerTokens: string, modelTokens: string): string {
  return `(${consumerTokens}) / (${modelTokens})`;
}

// ---- Numbers ---------------------------------------------------------------------------------

/** One period of an endpoint variant's metrics (Sums), or undefined when it had no traffic. */
export interface VariantPeriod {
  readonly invocations?: number;
  readonly invocationsPerInstance?: number;
}

/**
 * Instance-hours of a variant over `periods` periods of `periodHours` each: the estimate where
 * there was traffic, the floor where there was none. What `instancesExpression` computes, summed.
 */
export function instanceHours(observed: ReadonlyMap<number, VariantPeriod>, periods: readonly number[], floorInstances: number, periodHours: number): number {
  let hours = 0;
  for (const t of periods) {
    const p = observed.get(t);
    const estimate = p?.invocations !== undefined && p.invocationsPerInstance !== undefined && p.invocationsPerInstance > 0
      ? p.invocations / p.invocationsPerInstance : undefined;
    hours += (estimate ?? floorInstances) * periodHours;
  }
  return hours;
}

/** USD per 1,000 units; undefined without units. */
export function perThousand(usd: number, units: number): number | undefined {
  return units > 0 ? (usd * 1000) / units : undefined;
}
