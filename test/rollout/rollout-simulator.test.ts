import * as fc from 'fast-check';
import { GpuInferenceEndpoint } from '../../lib/endpoint/gpu-inference-endpoint';
import {
  RolloutRun, RolloutScenario, RolloutSummary, SeededRandom, combineFaults, defaultBaseline, describeFault, endpointScenario, formatRolloutReport,
  newFleetShareAt, parseFault, rolloutMinutes, simulateRollout, simulateRollouts,
} from '../../lib/rollout/simulation';
import { referenceStages } from './rollout-fixtures';

/** The CLI's default traffic (bin/simulate-rollout.ts --rate). */
const CLI_DEFAULT_RATE = 120;
const RUNS = 1000;
/** Fixed seeds: every number below is reproducible; two seeds so one lucky stream cannot pass a property. */
const SEEDS = [1, 20261121];

let chat: GpuInferenceEndpoint;
let stagingChat: GpuInferenceEndpoint;
let bakeMinutes: number;
/** Faulty canary, 10% errors, CLI default rate, first seed: shared by the tests that read its summary. */
let faulty: RolloutSummary;

beforeAll(() => {
  const stages = referenceStages();
  chat = stages.prod.models.chat.endpoint;
  stagingChat = stages.staging.models.chat.endpoint;
  bakeMinutes = chat.rollout.steps[0].bakeSeconds / 60;
  faulty = simulateRollouts(scenario(CLI_DEFAULT_RATE, 0.1), RUNS, SEEDS[0]);
});

const scenario = (requestsPerMinute: number, errorRate?: number): RolloutScenario =>
  endpointScenario(chat, { requestsPerMinute, fault: errorRate === undefined ? undefined : { errorRate } });

/** Runs one scenario `runs` times from `seed`, keeping every run (simulateRollouts only keeps the summary). */
function runsOf(s: RolloutScenario, runs: number, seed: number): RolloutRun[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: runs }, () => simulateRollout(s, random));
}

describe('the scenario comes from the endpoint the template is built from', () => {
  test('prod chat: a canary of half the traffic for 10 minutes, then all, watched 10 more minutes, with the endpoint\'s alarms', () => {
    const s = scenario(CLI_DEFAULT_RATE, 0.1);
    expect(chat.deploymentStrategy.kind).toBe('CANARY');
    expect(s.steps).toEqual([{ atSeconds: 0, newFleetShare: 0.5, bakeSeconds: 600 }, { atSeconds: 600, newFleetShare: 1, bakeSeconds: 0 }]);
    expect(s.finalBakeSeconds).toBe(600);
    expect(s.alarms).toBe(chat.rollbackAlarmSpecs);
    expect(s.baseline).toEqual(defaultBaseline(20_000));
    expect(s.baseline).toEqual({ errorRate: 0.001, latency: { medianMs: 6000, p99Ms: 12_000 } });
    expect(rolloutMinutes(s)).toBe(20);
    expect([0, 9, 10, 19].map((m) => newFleetShareAt(s.steps, m))).toEqual([0.5, 0.5, 1, 1]);
  });
});

describe('a faulty canary (10% errors) in the reference prod config, at the CLI\'s default rate', () => {
  test.each(SEEDS)('is rolled back within its bake, before traffic shifts beyond the canary, in ≥ 99% of %s-seeded runs', (seed) => {
    const runs = runsOf(scenario(CLI_DEFAULT_RATE, 0.1), RUNS, seed);
    const caught = runs.filter((r) => r.rolledBack && r.beforeFirstShift && r.detectionMinute! <= bakeMinutes);
    expect(caught.length / RUNS).toBeGreaterThanOrEqual(0.99);
    // Per run, the blast-radius counts are consistent.
    for (const r of runs) {
      expect(r.servedByNewFleet).toBeLessThanOrEqual(r.totalRequests);
      expect(r.failedOnNewFleet).toBeLessThanOrEqual(r.servedByNewFleet);
      expect(Number.isInteger(r.totalRequests) && Number.isInteger(r.servedByNewFleet) && Number.isInteger(r.failedOnNewFleet)).toBe(true);
    }
    // The summary (what the CLI prints) of the same runs says the same.
    const summary = seed === SEEDS[0] ? faulty : simulateRollouts(scenario(CLI_DEFAULT_RATE, 0.1), RUNS, seed);
    expect(summary.rollbackRate).toBeGreaterThanOrEqual(0.99);
    expect(summary.rolledBackBeforeFirstShiftRate).toBeGreaterThanOrEqual(0.99);
    expect(summary.p95DetectionMinute).toBeLessThanOrEqual(bakeMinutes);
    expect(summary.firstAlarms.Invocation5xxErrorRate).toBeGreaterThan(0.99);
  });

  test('the blast radius: requests served by and failed on the faulty fleet, as counts and as shares of the window', () => {
    const summary = faulty;
    for (const key of ['meanTotalRequests', 'meanServedByNewFleet', 'meanFailedOnNewFleet', 'servedByNewFleetShare', 'failedOnNewFleetShare'] as const) {
      expect(Number.isFinite(summary[key])).toBe(true);
      expect(summary[key]).toBeGreaterThan(0);
    }
    expect(summary.meanServedByNewFleet).toBeLessThanOrEqual(summary.meanTotalRequests);
    expect(summary.meanFailedOnNewFleet).toBeLessThanOrEqual(summary.meanServedByNewFleet);
    expect(summary.servedByNewFleetShare).toBeCloseTo(summary.meanServedByNewFleet / summary.meanTotalRequests, 12);
    expect(summary.failedOnNewFleetShare).toBeCloseTo(summary.meanFailedOnNewFleet / summary.meanTotalRequests, 12);
    // Caught on the canary: half the window's traffic hit the new fleet, and about 10.1% of that failed.
    expect(summary.servedByNewFleetShare).toBeGreaterThan(0.45);
    expect(summary.servedByNewFleetShare).toBeLessThan(0.55);
    expect(summary.failedOnNewFleetShare).toBeGreaterThan(0.04);
    expect(summary.failedOnNewFleetShare).toBeLessThan(0.06);
    // Detected after about 3 minutes of 120 requests: a few hundred requests, not a whole rollout's 2400.
    expect(summary.meanTotalRequests).toBeGreaterThan(2 * CLI_DEFAULT_RATE);
    expect(summary.meanTotalRequests).toBeLessThan(bakeMinutes * CLI_DEFAULT_RATE);
  });

  test('the report states the blast radius and the false-rollback chance', () => {
    const healthy = simulateRollouts(scenario(CLI_DEFAULT_RATE), 50, 1);
    const text = formatRolloutReport({ title: 'chat in prod', requestsPerMinute: CLI_DEFAULT_RATE, faultDescription: describeFault({ errorRate: 0.1 }), faulty, healthy });
    expect(text).toContain('fault on the new fleet: 10% 5xx errors');
    expect(text).toMatch(/blast radius \(mean per rollout\): \d+ requests served by the faulty fleet \(\d+\.\d% of \d+\), \d+ failed there \(\d+\.\d%\)/);
    expect(text).toContain(`${faulty.meanServedByNewFleet.toFixed(0)} requests served by the faulty fleet`);
    expect(text).toMatch(/healthy rollout at normal noise: false rollback in \d+\.\d+% of runs/);
  });
});

describe('a healthy rollout at normal noise', () => {
  // A healthy run plays the whole 20-minute window: the slowest simulation here (one seed, 1000 runs).
  test('is rolled back in under 1% of runs at the CLI\'s default rate', () => {
    const summary: RolloutSummary = simulateRollouts(scenario(CLI_DEFAULT_RATE), RUNS, SEEDS[0]);
    expect(summary.rollbackRate).toBeLessThan(0.01);
    expect(summary.meanTotalRequests).toBeGreaterThan(0.9 * rolloutMinutes(scenario(CLI_DEFAULT_RATE)) * CLI_DEFAULT_RATE);
  });

  test('a latency fault within the budget does not roll back; one past the budget does, on the p99 alarm (units agree: µs)', () => {
    const within = simulateRollouts(endpointScenario(chat, { requestsPerMinute: CLI_DEFAULT_RATE, fault: parseFault('latency=+300ms') }), 300, 1);
    expect(within.rollbackRate).toBeLessThan(0.02);
    const past = simulateRollouts(endpointScenario(chat, { requestsPerMinute: CLI_DEFAULT_RATE, fault: parseFault('latency=+15s') }), RUNS, 1);
    expect(past.rollbackRate).toBeGreaterThanOrEqual(0.99);
    expect(past.firstAlarms.ModelLatencyP99).toBeGreaterThan(0.99);
  });
});

describe('monotonic sanity: more traffic or a worse fault never detects later on average', () => {
  // Means over 1000 fixed-seed runs still carry sampling noise: allow 0.05 min (3 s) between neighbours.
  const TOLERANCE_MINUTES = 0.05;
  const meanDetection = (rate: number, errorRate: number) => {
    const s = rate === CLI_DEFAULT_RATE && errorRate === 0.1 ? faulty : simulateRollouts(scenario(rate, errorRate), RUNS, SEEDS[0]);
    expect(s.rollbackRate).toBeGreaterThan(0.9);
    return s.meanDetectionMinute!;
  };

  test('rate 30 → 120 → 600 requests/min at 10% errors', () => {
    const means = [30, 120, 600].map((rate) => meanDetection(rate, 0.1));
    for (let i = 1; i < means.length; i++) expect(means[i]).toBeLessThanOrEqual(means[i - 1] + TOLERANCE_MINUTES);
    // Not flat by accident: low traffic really is slower to judge.
    expect(means[0]).toBeGreaterThan(means[2]);
  });

  test('fault 5% → 10% → 30% errors at 120 requests/min', () => {
    const means = [0.05, 0.1, 0.3].map((errorRate) => meanDetection(CLI_DEFAULT_RATE, errorRate));
    for (let i = 1; i < means.length; i++) expect(means[i]).toBeLessThanOrEqual(means[i - 1] + TOLERANCE_MINUTES);
    expect(means[0]).toBeGreaterThan(means[2]);
  });

  test('detection can never beat the alarm: 2 breaching one-minute datapoints, each visible a minute late', () => {
    const s = simulateRollouts(scenario(600, 0.3), 200, SEEDS[0]);
    expect(s.p50DetectionMinute).toBe(3);
    expect(s.meanDetectionMinute).toBeGreaterThanOrEqual(3);
  });
});

describe('all at once (staging chat)', () => {
  test('a fault is caught within the 5-minute bake; there is no canary step to be caught before', () => {
    const s = endpointScenario(stagingChat, { requestsPerMinute: CLI_DEFAULT_RATE, fault: { errorRate: 0.1 } });
    expect(s.steps).toEqual([{ atSeconds: 0, newFleetShare: 1, bakeSeconds: 0 }]);
    const summary = simulateRollouts(s, RUNS, 1);
    expect(summary.rollbackRate).toBeGreaterThanOrEqual(0.99);
    expect(summary.p95DetectionMinute).toBeLessThanOrEqual(5);
    expect(summary.rolledBackBeforeFirstShiftRate).toBe(0);
    expect(summary.servedByNewFleetShare).toBe(1);
  });
});

describe('determinism and invariants', () => {
  test('the same seed gives the same summary; another seed a different stream', () => {
    const a = simulateRollouts(scenario(CLI_DEFAULT_RATE, 0.05), 300, 42);
    expect(simulateRollouts(scenario(CLI_DEFAULT_RATE, 0.05), 300, 42)).toEqual(a);
    expect(simulateRollouts(scenario(CLI_DEFAULT_RATE, 0.05), 300, 43).meanTotalRequests).not.toBe(a.meanTotalRequests);
  });

  test('any rate, fault and seed: counts are consistent and detection falls inside the rollout (fast-check)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      fc.double({ min: 1, max: 300, noNaN: true }),
      fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
      fc.option(fc.integer({ min: 0, max: 30_000 })),
      (seed, rate, errorRate, addedLatencyMs) => {
        const s = endpointScenario(chat, {
          requestsPerMinute: rate,
          fault: errorRate === null && addedLatencyMs === null ? undefined : { errorRate: errorRate ?? undefined, addedLatencyMs: addedLatencyMs ?? undefined },
        });
        const run = simulateRollout(s, new SeededRandom(seed));
        expect(run.servedByNewFleet).toBeLessThanOrEqual(run.totalRequests);
        expect(run.failedOnNewFleet).toBeLessThanOrEqual(run.servedByNewFleet);
        if (run.rolledBack) {
          expect(run.detectionMinute).toBeGreaterThanOrEqual(3);
          expect(run.detectionMinute).toBeLessThanOrEqual(rolloutMinutes(s));
          expect(run.beforeFirstShift).toBe(run.detectionMinute! <= bakeMinutes);
          expect(['ModelLatencyP99', 'Invocation5xxErrorRate']).toContain(run.firstAlarm);
        } else {
          expect(run.detectionMinute).toBeUndefined();
          expect(run.beforeFirstShift).toBe(false);
        }
      },
    ), { numRuns: 100 });
  });
});

describe('faults from the command line', () => {
  test('parseFault reads error rates and added latency', () => {
    expect(parseFault('errors=10%')).toEqual({ errorRate: 0.1 });
    expect(parseFault('errors=0.1')).toEqual({ errorRate: 0.1 });
    expect(parseFault('errors=100%')).toEqual({ errorRate: 1 });
    expect(parseFault('latency=+300ms')).toEqual({ addedLatencyMs: 300 });
    expect(parseFault('latency=1.5s')).toEqual({ addedLatencyMs: 1500 });
  });

  test('parseFault refuses what it does not understand, with the accepted forms', () => {
    expect(() => parseFault('errors=150%')).toThrow('--fault errors=150%: an error rate is at most 100%');
    expect(() => parseFault('errors=lots')).toThrow('--fault "errors=lots" is not understood: use errors=10% or latency=+300ms');
    expect(() => parseFault('latency=-3ms')).toThrow(/is not understood/);
  });

  test('faults add up; descriptions are plain', () => {
    expect(combineFaults([])).toBeUndefined();
    expect(combineFaults([{ errorRate: 0.05 }, { errorRate: 0.05, addedLatencyMs: 200 }])).toEqual({ errorRate: 0.1, addedLatencyMs: 200 });
    expect(describeFault({ errorRate: 0.1, addedLatencyMs: 300 })).toBe('10% 5xx errors, +300 ms latency');
    expect(describeFault(undefined)).toBe('none');
  });
});
