/**
 * Synth benchmark (not a test): the reference platform (2 models per stage) against the same
 * config with many models in one stage (bin/scaled-config.ts), in the same run, interleaved, so
 * both meet the same machine load; medians of `--runs` rounds, in wall-clock time and in CPU time
 * (user + system of the process and its children), which a shared machine's load inflates less. Measures `cdk synth` through the
 * CLI as a platform team runs it, and, in a fresh process each, where the app's time goes:
 * module loading, config parsing, building the constructs (with and without bundling the Lambda
 * handlers), and synthesis (with and without the built-in template validator and the cdk-nag
 * packs). Also reports the largest template of the scaled assembly against CloudFormation's limits.
 * Usage: npm run bench:synth -- [--models 50] [--stage prod] [--runs 3]   → reports/bench-synth.json
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadCloudAssembly } from '../../lib/audit/cloud-assembly';
import { scaledConfig } from '../scaled-config';

const ROOT = path.resolve(__dirname, '..', '..');
const { values } = parseArgs({ options: { models: { type: 'string', default: '50' }, stage: { type: 'string', default: 'prod' }, runs: { type: 'string', default: '3' } } });
const models = Number(values.models);
const runs = Number(values.runs);
if (!Number.isInteger(models) || models < 1 || !Number.isInteger(runs) || runs < 1) {
  console.error('usage: npm run bench:synth -- [--models 50] [--stage prod] [--runs 3] (whole numbers ≥ 1)');
  process.exit(2);
}

interface PhaseTimes { loadMs: number; parseMs: number; constructMs: number; synthMs: number }
/** A process run: wall-clock and CPU time (user + system, its children such as esbuild included), and its phases if it reports them. */
interface Run { wallMs: number; cpuMs: number; phases?: { wall: PhaseTimes; cpu: PhaseTimes } }
type Variant = 'full' | 'no-bundling' | 'no-packs' | 'no-validator';
const VARIANTS: Variant[] = ['full', 'no-bundling', 'no-packs', 'no-validator'];

const work = mkdtempSync(path.join(tmpdir(), 'bench-synth-'));
const reference = JSON.parse(readFileSync(path.join(ROOT, 'config/platform.json'), 'utf8'));
const configs = {
  reference: path.join(work, 'reference.json'),
  scaled: path.join(work, `scaled-${models}.json`),
};
writeFileSync(configs.reference, JSON.stringify(reference));
writeFileSync(configs.scaled, JSON.stringify(scaledConfig(reference, values.stage!, models)));

console.log('building dist/ (tsc) ...');
execFileSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });

/** Runs a command under bash's `time`, which counts the CPU of every child process it waited for. */
function timed(command: string[], env: Record<string, string> = {}): Run & { stdout: string } {
  const quoted = command.map((c) => `'${c.replace(/'/g, "'\\''")}'`).join(' ');
  const result = spawnSync('bash', ['-c', `TIMEFORMAT='@@TIME %R %U %S'; time ${quoted}`], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', ...env }, maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`${command.join(' ')} failed:\n${result.stderr}`);
  const [real, user, sys] = /@@TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(result.stderr)!.slice(1).map(Number);
  return { wallMs: Math.round(real * 1000), cpuMs: Math.round((user + sys) * 1000), stdout: result.stdout };
}

function cliSynth(config: string, outdir: string): Run {
  return timed([path.join(ROOT, 'node_modules/.bin/cdk'), 'synth', '--quiet', '-o', outdir, '--app', 'node dist/bin/platform-app.js'], { PLATFORM_CONFIG: config });
}

function phases(config: string, variant: Variant): Run {
  const outdir = mkdtempSync(path.join(work, 'out-'));
  const flags = variant === 'full' ? [] : [`--${variant}`];
  const run = timed([process.execPath, path.join(ROOT, 'dist/bin/bench/synth-phases.js'), config, outdir, ...flags]);
  rmSync(outdir, { recursive: true, force: true });
  return { wallMs: run.wallMs, cpuMs: run.cpuMs, phases: JSON.parse(run.stdout.trim().split('\n').pop()!) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
type Which = 'reference' | 'scaled';
const samples: Record<Which, { cli: Run[]; phases: Record<Variant, Run[]> }> = {
  reference: { cli: [], phases: { 'full': [], 'no-bundling': [], 'no-packs': [], 'no-validator': [] } },
  scaled: { cli: [], phases: { 'full': [], 'no-bundling': [], 'no-packs': [], 'no-validator': [] } },
};
const scaledOut = path.join(work, 'scaled-cli');
for (let run = 0; run < runs; run++) {
  // Alternate which goes first, so neither always meets the other's leftover load.
  const order: Which[] = run % 2 === 0 ? ['reference', 'scaled'] : ['scaled', 'reference'];
  for (const which of order) {
    const out = which === 'scaled' ? scaledOut : path.join(work, 'reference-cli');
    rmSync(out, { recursive: true, force: true });
    samples[which].cli.push(cliSynth(configs[which], out));
    for (const variant of VARIANTS) samples[which].phases[variant].push(phases(configs[which], variant));
    const last = samples[which].cli.at(-1)!;
    console.log(`run ${run + 1}/${runs} ${which}: cdk synth ${last.wallMs} ms wall, ${last.cpuMs} ms CPU`);
  }
}

/** Medians of one config: end to end, and the app's time by phase (CPU: what the machine's load does not inflate). */
function summary(which: Which, clock: 'wall' | 'cpu') {
  const s = samples[which];
  const total = (runsOf: Run[]) => median(runsOf.map((r) => (clock === 'wall' ? r.wallMs : r.cpuMs)));
  const phase = (variant: Variant, key: keyof PhaseTimes) => median(s.phases[variant].map((r) => r.phases![clock][key]));
  const app = total(s.phases.full);
  const bundling = app - total(s.phases['no-bundling']);
  const validator = phase('full', 'synthMs') - phase('no-validator', 'synthMs');
  const packs = phase('full', 'synthMs') - phase('no-packs', 'synthMs');
  const cli = total(s.cli);
  return {
    cdkSynthMs: cli,
    cliOverheadMs: cli - app,
    app: {
      moduleLoadMs: phase('full', 'loadMs'),
      configParseMs: phase('full', 'parseMs'),
      constructsMs: phase('no-bundling', 'constructMs'),
      bundlingMs: bundling,
      templateValidatorMs: validator,
      compliancePacksMs: packs,
      otherSynthesisMs: phase('full', 'synthMs') - validator - packs,
      totalMs: app,
    },
    cdkSynthWithoutBundlingMs: cli - bundling,
  };
}

const largest = loadCloudAssembly(scaledOut).stacks.map((s) => ({
  stack: s.stackName, resources: Object.keys(s.template.Resources).length, bytes: readFileSync(path.join(scaledOut, s.templateFile)).length,
}));
const ratio = (a: number, b: number) => Math.round((b / a) * 100) / 100;
const report = {
  machine: { cpus: cpus().length, loadAverage: loadavg().map((x) => Math.round(x * 10) / 10) },
  runs,
  models: { reference: 'config/platform.json (2 models per stage)', scaled: `${models} models in ${values.stage}` },
  wall: { reference: summary('reference', 'wall'), scaled: summary('scaled', 'wall') },
  cpu: { reference: summary('reference', 'cpu'), scaled: summary('scaled', 'cpu') },
  ratio: {} as Record<string, number>,
  scaledLimits: {
    stacks: largest.length,
    mostResources: largest.reduce((a, b) => (b.resources > a.resources ? b : a)),
    largestTemplate: largest.reduce((a, b) => (b.bytes > a.bytes ? b : a)),
    cloudFormationLimits: { resourcesPerStack: 500, templateBytesViaS3: 1_000_000 },
  },
};
report.ratio = {
  cdkSynthWall: ratio(report.wall.reference.cdkSynthMs, report.wall.scaled.cdkSynthMs),
  cdkSynthCpu: ratio(report.cpu.reference.cdkSynthMs, report.cpu.scaled.cdkSynthMs),
  cdkSynthWithoutBundlingCpu: ratio(report.cpu.reference.cdkSynthWithoutBundlingMs, report.cpu.scaled.cdkSynthWithoutBundlingMs),
};

const row = (label: string, ...values: number[]) => console.log(`${label.padEnd(36)}${values.map((v) => String(v).padStart(11)).join('')}`);
console.log(`\n${''.padEnd(36)}${['wall ref', `wall ${models}`, 'CPU ref', `CPU ${models}`].map((h) => h.padStart(11)).join('')}   (ms, medians of ${runs})`);
const both = (get: (s: ReturnType<typeof summary>) => number) => [get(report.wall.reference), get(report.wall.scaled), get(report.cpu.reference), get(report.cpu.scaled)];
row('cdk synth (CLI, end to end)', ...both((s) => s.cdkSynthMs));
row('  CLI start, assembly read', ...both((s) => s.cliOverheadMs));
for (const [key, label] of [['moduleLoadMs', 'app: module loading'], ['configParseMs', 'app: config parse and checks'], ['constructsMs', 'app: constructs'],
  ['bundlingMs', 'app: bundling (esbuild)'], ['templateValidatorMs', 'app: CloudFormation validator'], ['compliancePacksMs', 'app: cdk-nag packs'],
  ['otherSynthesisMs', 'app: rest of synthesis'], ['totalMs', 'app: total']] as const) {
  row(`  ${label}`, ...both((s) => s.app[key]));
}
row('cdk synth without bundling', ...both((s) => s.cdkSynthWithoutBundlingMs));
console.log(`\nratio ${models} models / reference: cdk synth ${report.ratio.cdkSynthWall}× wall, ${report.ratio.cdkSynthCpu}× CPU; ` +
  `without bundling ${report.ratio.cdkSynthWithoutBundlingCpu}× CPU`);
console.log(`scaled assembly: ${report.scaledLimits.stacks} stacks; most resources ${report.scaledLimits.mostResources.resources} (${report.scaledLimits.mostResources.stack}), ` +
  `largest template ${Math.round(report.scaledLimits.largestTemplate.bytes / 1024)} KB (${report.scaledLimits.largestTemplate.stack}); limits 500 resources, 1 MB`);
mkdirSync(path.join(ROOT, 'reports'), { recursive: true });
writeFileSync(path.join(ROOT, 'reports', 'bench-synth.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log('wrote reports/bench-synth.json');
rmSync(work, { recursive: true, force: true });
