import type { GpuInferenceEndpoint } from '../../endpoint/gpu-inference-endpoint';
import type { FleetBehaviour, RolloutFault, RolloutScenario } from './simulate-rollout';

/** Healthy noise assumed when none is given: 0.1% errors, median latency 30% and p99 60% of the budget. */
export function defaultBaseline(latencyBudgetMs: number): FleetBehaviour {
  return { errorRate: 0.001, latency: { medianMs: 0.3 * latencyBudgetMs, p99Ms: 0.6 * latencyBudgetMs } };
}

export interface EndpointScenarioOptions {
  readonly requestsPerMinute: number;
  readonly fault?: RolloutFault;
  /** @default defaultBaseline(latency budget) */
  readonly baseline?: FleetBehaviour;
}

/**
 * A rollout scenario read from an endpoint construct: the traffic steps of its deployment
 * strategy and its rollback alarm settings, the very objects the template is built from.
 */
export function endpointScenario(endpoint: GpuInferenceEndpoint, options: EndpointScenarioOptions): RolloutScenario {
  return {
    steps: endpoint.rollout.steps,
    finalBakeSeconds: endpoint.rollout.finalBakeSeconds,
    alarms: endpoint.rollbackAlarmSpecs,
    requestsPerMinute: options.requestsPerMinute,
    baseline: options.baseline ?? defaultBaseline(endpoint.latencyBudget.toMilliseconds()),
    fault: options.fault,
  };
}

/** Parses a CLI fault: `errors=10%` (or `errors=0.1`), `latency=+300ms` (or `+1.5s`). */
export function parseFault(spec: string): RolloutFault {
  const errors = /^errors=(\d+(?:\.\d+)?)(%?)$/.exec(spec);
  if (errors) {
    const rate = Number(errors[1]) / (errors[2] ? 100 : 1);
    if (rate > 1) throw new Error(`--fault ${spec}: an error rate is at most 100%`);
    return { errorRate: rate };
  }
  const latency = /^latency=\+?(\d+(?:\.\d+)?)(ms|s)$/.exec(spec);
  if (latency) return { addedLatencyMs: Number(latency[1]) * (latency[2] === 's' ? 1000 : 1) };
  throw new Error(`--fault ${JSON.stringify(spec)} is not understood: use errors=10% or latency=+300ms`);
}

/** Several faults at once add up. */
export function combineFaults(faults: RolloutFault[]): RolloutFault | undefined {
  if (faults.length === 0) return undefined;
  return {
    errorRate: faults.reduce((t, f) => t + (f.errorRate ?? 0), 0),
    addedLatencyMs: faults.reduce((t, f) => t + (f.addedLatencyMs ?? 0), 0),
  };
}

export function describeFault(fault: RolloutFault | undefined): string {
  if (!fault) return 'none';
  const parts = [];
  if (fault.errorRate) parts.push(`${+(fault.errorRate * 100).toFixed(2)}% 5xx errors`);
  if (fault.addedLatencyMs) parts.push(`+${fault.addedLatencyMs} ms latency`);
  return parts.join(', ') || 'none';
}
