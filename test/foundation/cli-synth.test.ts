import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadCloudAssembly } from '../../lib/audit/cloud-assembly';
import { REFERENCE_STACKS, REPO_ROOT, referenceConfigJson } from '../helpers/fixtures';
import { referenceAssemblyDir } from '../helpers/reference-assembly';

/** `cdk synth` through the real CLI, running the app from source with tsx so a stale dist/ cannot mislead. */
function cdkSynth(outdir: string, env: Record<string, string> = {}) {
  return spawnSync(path.join(REPO_ROOT, 'node_modules/.bin/cdk'),
    ['synth', '--quiet', '-o', outdir, '--app', `${path.join(REPO_ROOT, 'node_modules/.bin/tsx')} bin/platform-app.ts`],
    { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', ...env }, timeout: 110_000 });
}

describe('cdk synth (real CLI)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'platform-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('synthesizes both stages, each in its nested assembly, and exits 0', () => {
    const out = path.join(dir, 'ok');
    const result = cdkSynth(out);
    expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ status: 0, stderr: '' });
    const stacks = loadCloudAssembly(out).stacks;
    expect(stacks.map((s) => s.stackName).sort()).toEqual(REFERENCE_STACKS);
    for (const s of stacks) expect(existsSync(path.join(out, s.templateFile))).toBe(true);
    expect(stacks.find((s) => s.stackName === 'inference-prod-chat')).toMatchObject({ displayName: 'inference-prod/chat', templateFile: expect.stringMatching(/^assembly-inference-prod\//) });
  });

  test('deterministic: the CLI\'s templates are byte-identical to those of a synth in another process', () => {
    // The shared reference assembly was synthesized by a jest worker (or an earlier run), this one by `cdk synth`.
    const shared = referenceAssemblyDir();
    const files = loadCloudAssembly(path.join(dir, 'ok')).stacks.map((s) => s.templateFile);
    expect(files).toHaveLength(REFERENCE_STACKS.length);
    expect(loadCloudAssembly(shared).stacks.map((s) => s.templateFile)).toEqual(files);
    for (const file of files) {
      const [a, b] = [shared, path.join(dir, 'ok')].map((d) => readFileSync(path.join(d, file)));
      expect({ file, identical: a.equals(b) }).toEqual({ file, identical: true });
      // No timestamps or random ids leak in.
      expect(a.toString()).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:\d\d/);
    }
  });

  test('cdk ls lists every stack as the CLI selects it, shared stacks before the models that depend on them', () => {
    const result = spawnSync(path.join(REPO_ROOT, 'node_modules/.bin/cdk'), ['ls', '--app', path.join(dir, 'ok')],
      { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' }, timeout: 60_000 });
    expect(result.status).toBe(0);
    const listed = result.stdout.trim().split('\n').map((line) => line.split(' ')[0]);
    expect([...listed].sort()).toEqual(['inference-prod/Shared', 'inference-prod/chat', 'inference-prod/embed',
      'inference-staging/Shared', 'inference-staging/chat', 'inference-staging/embed']);
    expect(listed.indexOf('inference-prod/Shared')).toBeLessThan(listed.indexOf('inference-prod/chat'));
  });

  test('a broken config exits 1 and prints the config problem, not a stack trace', () => {
    const config = referenceConfigJson();
    config.stages.prod.models.chat.instanceType = 'ml.m5.large';
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(config));
    const result = cdkSynth(path.join(dir, 'broken'), { PLATFORM_CONFIG: file });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^${path.relative(REPO_ROOT, file)}:1:\\d+: stages\\.prod\\.models\\.chat\\.instanceType: "ml\\.m5\\.large" ` +
      'is not a GPU instance type \\(nearest: ml\\.g5\\.xlarge, ml\\.g6\\.xlarge\\)$', 'm'));
    const traceLines = result.stderr.split('\n').filter((line) => line.trimStart().startsWith('at ') && /:\d+:\d+\)?$/.test(line));
    expect(traceLines).toEqual([]);
  });
});
