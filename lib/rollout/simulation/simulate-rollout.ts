import type { RolloutStep } from '../deployment-strategy';
import type { AlarmSpec } from '../rollback-alarm-spec';
import { AlarmState, evaluateAlarm, statisticOf } from './alarm-evaluation';
import { LatencyDistribution, SeededRandom, sampleLatencyMs } from './random';

/** How the new fleet misbehaves. */
export interface RolloutFault {
  /** Share of the new fleet's requests answered 5xx, 0–1 (on top of the baseline). */
  readonly errorRate?: number;
  /** Milliseconds added to every request the new fleet serves. */
  readonly addedLatencyMs?: number;
}

/** Normal behaviour of a healthy fleet: the noise a rollback alarm must not mistake for a fault. */
export interface FleetBehaviour {
  readonly errorRate: number;
  readonly latency: LatencyDistribution;
}

export interface RolloutScenario {
  /** Traffic steps of the strategy (from `DeploymentStrategy.bind`). */
  readonly steps: readonly RolloutStep[];
  /** Seconds watched after the last step. */
  readonly finalBakeSeconds: number;
  /** The rollback alarms' settings (from `rollbackAlarmSpecs`, the same the template uses). */
  readonly alarms: readonly AlarmSpec[];
  /** Mean requests per minute to the endpoint; arrivals are Poisson. */
  readonly requestsPerMinute: number;
  readonly baseline: FleetBehaviour;
  /** The new fleet's fault; none for a healthy rollout. */
  readonly fault?: RolloutFault;
  /**
   * Minutes before a period's datapoint is visible to the alarm (CloudWatch ingestion delay).
   * @default 1
   */
  readonly metricDelayMinutes?: number;
}

/** What happened in one simulated rollout. */
export interface RolloutRun {
  readonly rolledBack: boolean;
  /** Minutes from the start of traffic shifting to the rollback. */
  readonly detectionMinute?: number;
  /** The alarm that went to ALARM first. */
  readonly firstAlarm?: string;
  /** Whether the rollback came before traffic shifted past the first step (the canary). */
  readonly beforeFirstShift: boolean;
  /** Requests to the endpoint from the start of shifting to the end (or the rollback). */
  readonly totalRequests: number;
  readonly servedByNewFleet: number;
  readonly failedOnNewFleet: number;
}

/** Whole minutes of a rollout: every step's bake and the final bake, at least one minute. */
export function rolloutMinutes(scenario: Pick<RolloutScenario, 'steps' | 'finalBakeSeconds'>): number {
  const last = scenario.steps[scenario.steps.length - 1];
  return Math.max(1, Math.ceil((last.atSeconds + last.bakeSeconds + scenario.finalBakeSeconds) / 60));
}

/** Share of traffic on the new fleet during the minute starting at `minute`. */
export function newFleetShareAt(steps: readonly RolloutStep[], minute: number): number {
  let share = 0;
  for (const step of steps) if (step.atSeconds <= minute * 60) share = step.newFleetShare;
  return share;
}

/**
 * Plays one rollout minute by minute: Poisson arrivals split between the fleets by the strategy's
 * traffic share, faults on the new fleet, and each rollback alarm evaluated every minute on the
 * new fleet's datapoints (the `EndpointConfigName` dimension) as CloudWatch evaluates it.
 */
export function simulateRollout(scenario: RolloutScenario, random: SeededRandom): RolloutRun {
  const minutes = rolloutMinutes(scenario);
  const delay = scenario.metricDelayMinutes ?? 1;
  const firstShiftMinute = scenario.steps.length > 1 ? scenario.steps[1].atSeconds / 60 : 0;
  // Per alarm, one value list per minute of new-fleet requests; the alarm existed before the
  // rollout, with no data in the periods before it.
  const samples = scenario.alarms.map(() => [] as number[][]);
  const datapoints = scenario.alarms.map((spec) => Array<number | undefined>(spec.evaluationPeriods).fill(undefined));
  const periodsSeen = scenario.alarms.map(() => 0);
  const states: AlarmState[] = scenario.alarms.map(() => 'OK');
  let totalRequests = 0;
  let servedByNewFleet = 0;
  let failedOnNewFleet = 0;

  for (let minute = 0; minute < minutes; minute++) {
    const share = newFleetShareAt(scenario.steps, minute);
    const onNew = random.poisson(scenario.requestsPerMinute * share);
    totalRequests += onNew + random.poisson(scenario.requestsPerMinute * (1 - share));
    const errorRate = Math.min(1, scenario.baseline.errorRate + (scenario.fault?.errorRate ?? 0));
    const errors: number[] = [];
    const latenciesUs: number[] = [];
    for (let i = 0; i < onNew; i++) {
      const failed = random.next() < errorRate;
      errors.push(failed ? 1 : 0);
      failedOnNewFleet += failed ? 1 : 0;
      // ModelLatency is published in microseconds.
      latenciesUs.push((sampleLatencyMs(random, scenario.baseline.latency) + (scenario.fault?.addedLatencyMs ?? 0)) * 1000);
    }
    servedByNewFleet += onNew;
    scenario.alarms.forEach((spec, a) => samples[a].push(spec.metricName === 'ModelLatency' ? latenciesUs : errors));

    // At the end of minute `minute`, the alarms see datapoints up to `minute - delay`.
    const visible = minute + 1 - delay;
    for (let a = 0; a < scenario.alarms.length; a++) {
      const spec = scenario.alarms[a];
      const periodMinutes = Math.max(1, Math.round(spec.periodSeconds / 60));
      const periods = Math.floor(Math.max(0, visible) / periodMinutes);
      for (; periodsSeen[a] < periods; periodsSeen[a]++) {
        const p = periodsSeen[a];
        datapoints[a].push(statisticOf(spec.statistic, samples[a].slice(p * periodMinutes, (p + 1) * periodMinutes).flat()));
      }
      states[a] = evaluateAlarm(spec, datapoints[a], states[a]);
      if (states[a] === 'ALARM') {
        const detectionMinute = minute + 1;
        return {
          rolledBack: true, detectionMinute, firstAlarm: spec.id, beforeFirstShift: detectionMinute <= firstShiftMinute,
          totalRequests, servedByNewFleet, failedOnNewFleet,
        };
      }
    }
  }
  return { rolledBack: false, beforeFirstShift: false, totalRequests, servedByNewFleet, failedOnNewFleet };
}

/** Many rollouts of one scenario, summarised. */
export interface RolloutSummary {
  readonly runs: number;
  readonly rollbackRate: number;
  /** Share of runs rolled back before traffic shifted past the first step. */
  readonly rolledBackBeforeFirstShiftRate: number;
  readonly meanDetectionMinute?: number;
  readonly p50DetectionMinute?: number;
  readonly p95DetectionMinute?: number;
  /** Mean requests in the rollout window (to the end, or to the rollback). */
  readonly meanTotalRequests: number;
  readonly meanServedByNewFleet: number;
  readonly meanFailedOnNewFleet: number;
  /** Served by / failed on the new fleet as a share of all requests in the window (ratio of means). */
  readonly servedByNewFleetShare: number;
  readonly failedOnNewFleetShare: number;
  /** Which alarm fired first, by alarm id, as a share of rollbacks. */
  readonly firstAlarms: Record<string, number>;
  readonly rolloutMinutes: number;
}

export function simulateRollouts(scenario: RolloutScenario, runs: number, seed = 1): RolloutSummary {
  const random = new SeededRandom(seed);
  const results = Array.from({ length: runs }, () => simulateRollout(scenario, random));
  const rolledBack = results.filter((r) => r.rolledBack);
  const detections = rolledBack.map((r) => r.detectionMinute!).sort((a, b) => a - b);
  const mean = (f: (r: RolloutRun) => number) => results.reduce((t, r) => t + f(r), 0) / runs;
  const meanTotalRequests = mean((r) => r.totalRequests);
  const meanServedByNewFleet = mean((r) => r.servedByNewFleet);
  const meanFailedOnNewFleet = mean((r) => r.failedOnNewFleet);
  const firstAlarms: Record<string, number> = {};
  for (const r of rolledBack) firstAlarms[r.firstAlarm!] = (firstAlarms[r.firstAlarm!] ?? 0) + 1 / rolledBack.length;
  return {
    runs,
    rollbackRate: rolledBack.length / runs,
    rolledBackBeforeFirstShiftRate: results.filter((r) => r.beforeFirstShift).length / runs,
    meanDetectionMinute: detections.length ? detections.reduce((a, b) => a + b, 0) / detections.length : undefined,
    p50DetectionMinute: quantile(detections, 0.5),
    p95DetectionMinute: quantile(detections, 0.95),
    meanTotalRequests,
    meanServedByNewFleet,
    meanFailedOnNewFleet,
    servedByNewFleetShare: meanTotalRequests ? meanServedByNewFleet / meanTotalRequests : 0,
    failedOnNewFleetShare: meanTotalRequests ? meanFailedOnNewFleet / meanTotalRequests : 0,
    firstAlarms,
    rolloutMinutes: rolloutMinutes(scenario),
  };
}

function quantile(sorted: number[], q: number): number | undefined {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : undefined;
}
