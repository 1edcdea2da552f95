import type { RolloutSummary } from './simulate-rollout';

export interface RolloutReportInput {
  readonly title: string;
  readonly requestsPerMinute: number;
  readonly faultDescription: string;
  readonly faulty: RolloutSummary;
  /** The same rollout without a fault: its rollback rate is the false-rollback chance. */
  readonly healthy: RolloutSummary;
}

/** The simulator's answer for a platform engineer, in plain lines. */
export function formatRolloutReport(input: RolloutReportInput): string {
  const { faulty, healthy } = input;
  const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`;
  const lines = [
    input.title,
    `traffic: ${input.requestsPerMinute} requests/min (Poisson); rollout window ${faulty.rolloutMinutes} min; ${faulty.runs} simulated runs`,
    `fault on the new fleet: ${input.faultDescription}`,
    `rolled back: ${pct(faulty.rollbackRate)} of runs; before traffic shifted past the first step: ${pct(faulty.rolledBackBeforeFirstShiftRate)}`,
  ];
  if (faulty.meanDetectionMinute !== undefined) {
    lines.push(`time to detection: mean ${faulty.meanDetectionMinute.toFixed(1)} min, p50 ${faulty.p50DetectionMinute} min, p95 ${faulty.p95DetectionMinute} min`);
    lines.push(`first alarm: ${Object.entries(faulty.firstAlarms).map(([id, share]) => `${id} ${pct(share)}`).join(', ')}`);
  }
  lines.push(
    `blast radius (mean per rollout): ${faulty.meanServedByNewFleet.toFixed(0)} requests served by the faulty fleet ` +
      `(${pct(faulty.servedByNewFleetShare)} of ${faulty.meanTotalRequests.toFixed(0)}), ${faulty.meanFailedOnNewFleet.toFixed(0)} failed there ` +
      `(${pct(faulty.failedOnNewFleetShare)})`,
    `healthy rollout at normal noise: false rollback in ${pct(healthy.rollbackRate)} of runs`,
  );
  return lines.join('\n');
}
