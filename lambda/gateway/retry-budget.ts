/**
 * A container's allowance for retries to one endpoint, as a token bucket (the scheme of the AWS
 * SDKs' retry quota, whose default of 500 tokens at 5 per retry and 1 back per success is 100
 * retries and one per 5 successes): each retry takes a token, each successful call puts back a
 * fraction of one, up to the capacity. When an endpoint is overloaded nothing succeeds, the
 * bucket empties and the container stops retrying, so retries add at most `capacity` calls
 * however many requests fail, and one call per `1 / refillPerSuccess` successes in steady state:
 * they cannot multiply the load on an endpoint that is already failing.
 */
export class RetryBudget {
  private tokens: number;

  constructor(
    readonly capacity = 20,
    private readonly refillPerSuccess = 0.2,
  ) {
    this.tokens = capacity;
  }

  /** Takes a token for one retry; false when none is left. */
  tryTake(): boolean {
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  onSuccess(): void {
    this.tokens = Math.min(this.capacity, this.tokens + this.refillPerSuccess);
  }

  get available(): number {
    return this.tokens;
  }
}

/** One budget per endpoint, created on first use: an overloaded endpoint does not stop retries to another. */
export function retryBudgets(capacity?: number, refillPerSuccess?: number): (endpoint: string) => RetryBudget {
  const budgets = new Map<string, RetryBudget>();
  return (endpoint) => {
    let b = budgets.get(endpoint);
    if (b === undefined) {
      b = new RetryBudget(capacity, refillPerSuccess);
      budgets.set(endpoint, b);
    }
    return b;
  };
}
