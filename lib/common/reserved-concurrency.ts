/**
 * Reserved concurrency is taken from the account's concurrent executions quota in a region, and
 * Lambda keeps at least 100 of it unreserved: a function whose reservation would leave less fails
 * to create ("Specified ReservedConcurrentExecutions for function decreases account's
 * UnreservedConcurrentExecution below its minimum value of [100]"; Lambda Developer Guide,
 * "Configuring reserved concurrency").
 */

/** Concurrency Lambda always keeps unreserved in an account and region. */
export const MIN_UNRESERVED_CONCURRENCY = 100;

/** Lambda's default concurrent executions quota per account and region (new accounts may start lower). */
export const DEFAULT_ACCOUNT_CONCURRENCY_LIMIT = 1000;

/** Concurrent executions reserved for the gateway handler unless configured otherwise. */
export const DEFAULT_GATEWAY_RESERVED_CONCURRENCY = 100;

/** Concurrent executions reserved for (and capping) a stage's drift event publisher. */
export const DRIFT_PUBLISHER_RESERVED_CONCURRENCY = 5;

/** What one function reserves, and where its setting is. */
export interface Reservation {
  readonly what: string;
  readonly concurrency: number;
}

/** The most a set of functions may reserve in an account whose quota is `limit`. */
export function maxReservable(limit: number): number {
  return limit - MIN_UNRESERVED_CONCURRENCY;
}

/**
 * A problem when the reservations exceed what the quota allows, else undefined. `quota` says where
 * the limit comes from, e.g. `stages.prod.lambdaConcurrencyLimit 200`.
 */
export function reservationProblem(reservations: readonly Reservation[], limit: number, quota: string): string | undefined {
  const total = reservations.reduce((sum, r) => sum + r.concurrency, 0);
  if (total <= maxReservable(limit)) return undefined;
  return `reserve ${total} concurrent executions (${reservations.map((r) => `${r.what}: ${r.concurrency}`).join(', ')}), ` +
    `but the quota (${quota}) leaves at most ${Math.max(0, maxReservable(limit))} to reserve, because Lambda keeps ${MIN_UNRESERVED_CONCURRENCY} unreserved: ` +
    'lower the reservations, or raise the account\'s quota in Service Quotas and set lambdaConcurrencyLimit to it';
}
