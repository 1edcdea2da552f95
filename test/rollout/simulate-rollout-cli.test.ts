import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/fixtures';

/** bin/simulate-rollout.ts as a platform engineer runs it (through tsx, as `npm run simulate-rollout` does). */
function cli(...args: string[]) {
  // The reference config, whatever the caller's shell points PLATFORM_CONFIG at.
  const env = { ...process.env };
  delete env.PLATFORM_CONFIG;
  const result = spawnSync(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['bin/simulate-rollout.ts', ...args], {
    cwd: REPO_ROOT, encoding: 'utf8', timeout: 180_000, env,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('--stage prod --model chat --fault errors=10% --runs 200 --json: the faulty canary is rolled back, with its blast radius', () => {
  const { status, stdout, stderr } = cli('--stage', 'prod', '--model', 'chat', '--fault', 'errors=10%', '--runs', '200', '--json');
  expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
  // Lambda bundling of other constructs may log before the JSON: parse from the first brace at a line start.
  const out = JSON.parse(stdout.slice(stdout.search(/^\{/m)));
  expect(out).toMatchObject({ stage: 'prod', model: 'chat', requestsPerMinute: 120, fault: { errorRate: 0.1, addedLatencyMs: 0 } });
  expect(out.faulty).toMatchObject({ runs: 200, rolloutMinutes: 20 });
  expect(out.faulty.rollbackRate).toBeGreaterThanOrEqual(0.99);
  expect(out.faulty.rolledBackBeforeFirstShiftRate).toBeGreaterThanOrEqual(0.99);
  expect(out.faulty.p95DetectionMinute).toBeLessThanOrEqual(10);
  expect(out.faulty.meanServedByNewFleet).toBeGreaterThan(0);
  expect(out.faulty.meanServedByNewFleet).toBeLessThanOrEqual(out.faulty.meanTotalRequests);
  expect(out.faulty.meanFailedOnNewFleet).toBeLessThanOrEqual(out.faulty.meanServedByNewFleet);
  expect(out.faulty.servedByNewFleetShare).toBeCloseTo(out.faulty.meanServedByNewFleet / out.faulty.meanTotalRequests, 9);
  expect(out.faulty.failedOnNewFleetShare).toBeCloseTo(out.faulty.meanFailedOnNewFleet / out.faulty.meanTotalRequests, 9);
  expect(out.healthy.runs).toBe(200);
  expect(out.healthy.rollbackRate).toBeLessThan(0.02);
});

test('a --fault it does not understand exits 2 with the accepted forms', () => {
  const { status, stdout, stderr } = cli('--stage', 'prod', '--model', 'chat', '--fault', 'errors=lots', '--json');
  expect(status).toBe(2);
  expect(stdout).toBe('');
  expect(stderr.trim()).toBe('simulate-rollout: --fault "errors=lots" is not understood: use errors=10% or latency=+300ms');
});

test('an error rate above 100% exits 2 too', () => {
  const { status, stderr } = cli('--stage', 'prod', '--model', 'chat', '--fault', 'errors=150%');
  expect(status).toBe(2);
  expect(stderr.trim()).toBe('simulate-rollout: --fault errors=150%: an error rate is at most 100%');
});
