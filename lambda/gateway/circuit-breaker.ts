import type { InvokeErrorClass } from './error-mapping';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive server faults that open the circuit. */
  readonly failureThreshold: number;
  /** Time the circuit stays open before one probe request is let through. */
  readonly cooldownMs: number;
  readonly now: () => number;
}

/**
 * Faults that say the endpoint itself is unhealthy (an answer cut off mid-transfer among them).
 * Throttling, not-ready, model errors and refused requests are answers from a working endpoint
 * and do not open the circuit.
 */
export function isServerFault(cls: InvokeErrorClass): boolean {
  return cls === 'Upstream5xx' || cls === 'ConnectionError' || cls === 'ResponseInterrupted' || cls === 'Timeout';
}

/**
 * One per endpoint and container. Closed: calls pass, consecutive faults are counted. Open: calls
 * are refused until the cooldown ends. Half-open: one probe passes; its success closes the
 * circuit, its failure opens it for another cooldown.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private state: CircuitState = 'closed';
  private probeInFlight = false;

  constructor(private readonly options: CircuitBreakerOptions) {}

  get currentState(): CircuitState {
    if (this.state === 'open' && this.options.now() - this.openedAt >= this.options.cooldownMs) return 'half-open';
    return this.state;
  }

  /** Milliseconds until a probe is allowed; 0 when calls may pass. */
  retryAfterMs(): number {
    if (this.state !== 'open') return 0;
    return Math.max(0, this.openedAt + this.options.cooldownMs - this.options.now());
  }

  /** Asks to make a call; a true answer must be followed by `onSuccess` or `onFailure`. */
  tryAcquire(): boolean {
    const state = this.currentState;
    if (state === 'closed') return true;
    if (state === 'open' || this.probeInFlight) return false;
    this.state = 'half-open';
    this.probeInFlight = true;
    return true;
  }

  /** Any answer from the endpoint that is not a server fault counts as proof of health. */
  onSuccess(): void {
    this.failures = 0;
    this.probeInFlight = false;
    this.state = 'closed';
  }

  /** Ends a call that said nothing about the endpoint's health. */
  release(): void {
    this.probeInFlight = false;
  }

  onFailure(cls: InvokeErrorClass): void {
    if (!isServerFault(cls)) {
      this.onSuccess();
      return;
    }
    this.failures++;
    if (this.state === 'half-open' || this.failures >= this.options.failureThreshold) {
      this.state = 'open';
      this.openedAt = this.options.now();
      this.probeInFlight = false;
    }
  }
}

/** Breakers keyed by endpoint name, created on first use. */
export class CircuitBreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(private readonly now: () => number) {}

  forEndpoint(endpointName: string, options: Omit<CircuitBreakerOptions, 'now'>): CircuitBreaker {
    let b = this.breakers.get(endpointName);
    if (b === undefined) {
      b = new CircuitBreaker({ ...options, now: this.now });
      this.breakers.set(endpointName, b);
    }
    return b;
  }
}
