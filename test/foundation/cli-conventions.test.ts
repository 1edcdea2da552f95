import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { numberFlag, parseCli, UsageError } from '../../bin/cli-args';
import { type CliRun, runCli } from '../helpers/run-cli';

/** The project's CLIs, as `npm run <script> --` or the package's bin runs them. */
const CLIS = {
  'safety-check': 'bin/safety-check.ts',
  audit: 'bin/audit.ts',
  'audit:diff': 'bin/audit-diff.ts',
  schema: 'bin/generate-config-schema.ts',
  'simulate-rollout': 'bin/simulate-rollout.ts',
  'slo-report': 'bin/slo-report.ts',
  'build-handlers': 'bin/build-handlers.ts',
} as const;

type Run = CliRun;

/** Runs a CLI through tsx (as the npm scripts do), with `stdin` as its input. */
function run(cli: keyof typeof CLIS, args: string[], options: { stdin?: string; cwd?: string } = {}): Promise<Run> {
  return runCli(CLIS[cli], args, { ...options, env: { ...process.env, PLATFORM_CONFIG: '' } });
}

/** Two at a time: the machine has two cores. */
async function runAll<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

describe('the CLI helper', () => {
  const spec = { name: 't', usage: 'usage: t [--n N] [--flag]', options: { n: { type: 'string' as const }, flag: { type: 'boolean' as const } } };

  test('parses flags strictly and names what it refuses', () => {
    expect(parseCli(spec, ['--n', '3', '--flag'])).toEqual({ values: { n: '3', flag: true }, positionals: [], help: false });
    expect(parseCli(spec, ['-h']).help).toBe(true);
    for (const [argv, message] of [
      [['--bogus'], 'unknown option --bogus'],
      [['-x'], 'unknown option -x'],
      [['--n'], '--n needs a value'],
      [['--n', '--flag'], '--n needs a value'],
      [['--flag=yes'], '--flag takes no value'],
      [['out.json'], 'unexpected argument "out.json": it takes flags only'],
    ] as const) {
      expect(() => parseCli(spec, argv)).toThrow(new UsageError(message));
    }
    expect(() => parseCli({ ...spec, positionals: ['FILE'] }, ['a', 'b'])).toThrow(new UsageError('unexpected argument "b" (it takes FILE only)'));
  });

  test('numbers are plain decimals, whole and bounded when asked', () => {
    expect(numberFlag('--rate', '120')).toBe(120);
    expect(numberFlag('--rate', '0.5')).toBe(0.5);
    expect(numberFlag('--rate', '1e3')).toBe(1000);
    for (const bad of ['', ' 12', '0x1F', '12abc', 'NaN', 'Infinity', '1e']) {
      expect(() => numberFlag('--rate', bad)).toThrow(`--rate ${JSON.stringify(bad)} is not a number`);
    }
    expect(() => numberFlag('--runs', '2.5', { integer: true, min: 1 })).toThrow('--runs "2.5" is not a whole number ≥ 1');
    expect(() => numberFlag('--runs', '0', { integer: true, min: 1 })).toThrow('--runs "0" is not a whole number ≥ 1');
  });
});

describe('every CLI', () => {
  test('--help prints its usage and exits 0; an unknown flag exits 2 naming it', async () => {
    const names = Object.keys(CLIS) as (keyof typeof CLIS)[];
    const results = await runAll(names.flatMap((name) => [() => run(name, ['--help']), () => run(name, ['--bogus'])]));
    names.forEach((name, i) => {
      const [help, bogus] = [results[2 * i], results[2 * i + 1]];
      expect({ name, status: help.status, usage: help.stdout.startsWith('usage: '), stderr: help.stderr }).toEqual({ name, status: 0, usage: true, stderr: '' });
      expect({ name, status: bogus.status, stdout: bogus.stdout, first: bogus.stderr.split('\n')[0] })
        .toEqual({ name, status: 2, stdout: '', first: `${name}: unknown option --bogus` });
    });
  });

  test('malformed numbers and missing required flags exit 2 before any work', async () => {
    const [rate, runs, requests, baseline] = await runAll([
      () => run('simulate-rollout', ['--stage', 'prod', '--model', 'chat', '--rate', 'fast']),
      () => run('simulate-rollout', ['--stage', 'prod', '--model', 'chat', '--runs', '2.5']),
      () => run('audit', ['--requests-per-month=-5']),
      () => run('audit:diff', []),
    ]);
    expect([rate, runs, requests, baseline].map((r) => [r.status, r.stderr.split('\n')[0]])).toEqual([
      [2, 'simulate-rollout: --rate "fast" is not a number ≥ 0.001'],
      [2, 'simulate-rollout: --runs "2.5" is not a whole number ≥ 1'],
      [2, 'audit: --requests-per-month "-5" is not a number ≥ 0'],
      [2, 'audit:diff: --baseline is required'],
    ]);
  });
});

describe('safety-check', () => {
  test('exits 1 when some input lines could not be checked, after checking all the others', async () => {
    const input = ['{"text": "hello there"}', '{"text": ', 'plain prompt with jane@example.com', '{"prompt": "x"}', ''].join('\n');
    const result = await run('safety-check', ['--summary'], { stdin: input });
    expect(result.status).toBe(1);
    const verdicts = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(verdicts.map((v) => v.error === undefined ? v.action : 'error')).toEqual(['allow', 'error', 'redact', 'error']);
    expect(result.stderr).toContain('safety-check: 2 lines could not be checked (see the "error" verdicts)');
    const clean = await run('safety-check', [], { stdin: 'hello\n' });
    expect({ status: clean.status, stderr: clean.stderr }).toEqual({ status: 0, stderr: '' });
  });
});

describe('schema', () => {
  test('writes FILE, and never a file named after a flag', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'schema-cli-'));
    try {
      const results = await runAll([() => run('schema', ['--help'], { cwd: dir }), () => run('schema', ['--out'], { cwd: dir }), () => run('schema', ['-o'], { cwd: dir })]);
      expect(results.map((r) => r.status)).toEqual([0, 2, 2]);
      expect(readdirSync(dir)).toEqual([]);
      const written = await run('schema', ['schema.json'], { cwd: dir });
      expect({ status: written.status, stdout: written.stdout }).toEqual({ status: 0, stdout: 'wrote schema.json\n' });
      expect(existsSync(path.join(dir, 'schema.json'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
