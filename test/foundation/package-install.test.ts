import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { Json, REPO_ROOT } from '../helpers/fixtures';

/**
 * The package as an app team meets it: `npm pack`, the tarball installed into a new app outside
 * the repository next to nothing but aws-cdk-lib, constructs and the CDK CLI, the README's
 * complete app synthesized there with the real `cdk synth`, every TypeScript block of the README
 * compiled against the installed package, and the other entries required. One packed and
 * installed app serves every assertion. npm installs from its cache when it can
 * (--prefer-offline); CI's `npm ci` has filled it.
 */
const installed = (name: string): string => JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
const work = mkdtempSync(path.join(tmpdir(), 'app-team-'));
const app = path.join(work, 'app');
const pkgDir = path.join(app, 'node_modules', 'cdk-inference-platform');
const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', PLATFORM_CONFIG: '' };

/**
 * The fenced TypeScript blocks of the README (```ts), with the line each starts on. Client code for
 * other packages (the OpenAI SDK against the gateway) is fenced ```ts client and is checked by the
 * streaming tests with the real client instead.
 */
function readmeBlocks(): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(?:ts|typescript)\s*$/.test(lines[i])) continue;
    const start = i + 1;
    while (++i < lines.length && lines[i] !== '```');
    blocks.push({ line: start + 1, code: lines.slice(start, i).join('\n') });
  }
  return blocks;
}

function cdkSynth(args: string[]) {
  return spawnSync(path.join(app, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', ...args], { cwd: app, encoding: 'utf8', env, timeout: 180_000 });
}

let template: Json;
let outdir: string;

/** How long each step took, printed once: the test runs on CI's two cores. */
const timings: string[] = [];
function timed<T>(step: string, fn: () => T): T {
  const started = Date.now();
  try {
    return fn();
  } finally {
    timings.push(`${step} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

beforeAll(() => {
  // prepack builds: `tsc --build` finds an up-to-date dist/ in about a second (CI built it), and the
  // handlers are rebuilt only when their sources changed.
  timed('npm pack', () => execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] }));
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app-team', version: '1.0.0', private: true }));
  writeFileSync(path.join(app, 'cdk.json'), JSON.stringify({ app: `${tsx} bin/app.ts`, notices: false, context: { 'cli-telemetry': false } }));
  timed('npm install', () => execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', path.join(work, tarball!),
    `aws-cdk-lib@${installed('aws-cdk-lib')}`, `constructs@${installed('constructs')}`, `aws-cdk@${installed('aws-cdk')}`], { cwd: app, env, stdio: ['ignore', 'ignore', 'pipe'] }));

  const complete = readmeBlocks().find((b) => b.code.startsWith('// bin/app.ts'));
  mkdirSync(path.join(app, 'bin'));
  writeFileSync(path.join(app, 'bin', 'app.ts'), complete!.code);
  outdir = path.join(app, 'cdk.out');
  const synth = timed('cdk synth', () => cdkSynth([]));
  expect({ status: synth.status, stderr: synth.status === 0 ? '' : synth.stderr }).toEqual({ status: 0, stderr: '' });
  template = JSON.parse(readFileSync(path.join(outdir, 'SupportBot.template.json'), 'utf8'));
}, 600_000);

afterAll(() => {
  process.stderr.write(`package install test: ${timings.join(', ')}\n`);
  rmSync(work, { recursive: true, force: true });
});

const ofType = (type: string): Json[] => Object.values(template.Resources as Record<string, Json>).filter((r) => r.Type === type);

describe('the packed package in a new app', () => {
  test('installs with only aws-cdk-lib, constructs and the CDK CLI: no cdk-nag, no esbuild, no handler sources', () => {
    const modules = readdirSync(path.join(app, 'node_modules'));
    expect(modules).toEqual(expect.arrayContaining(['aws-cdk', 'aws-cdk-lib', 'cdk-inference-platform', 'constructs', 'jsonc-parser', 're2-wasm', 'zod']));
    for (const absent of ['cdk-nag', 'esbuild', 'typescript', '@aws-sdk']) expect({ absent, installed: modules.includes(absent) }).toEqual({ absent, installed: false });
    expect(existsSync(path.join(pkgDir, 'lambda'))).toBe(false);
    expect(readdirSync(path.join(pkgDir, 'dist', 'handlers')).sort()).toEqual(readdirSync(path.join(REPO_ROOT, 'dist', 'handlers')).sort());
    expect(existsSync(path.join(pkgDir, 'LICENSE'))).toBe(true);
  });

  test('the README\'s complete app synthesizes: endpoint, artifact store, autoscaling, canary, gateway, alerting, drift monitor', () => {
    expect(ofType('AWS::SageMaker::Endpoint')).toHaveLength(1);
    const [endpoint] = ofType('AWS::SageMaker::Endpoint');
    expect(endpoint.Properties.EndpointName).toBe('support-bot-prod');
    expect(endpoint.Properties.DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration).toMatchObject({ Type: 'CANARY', CanarySize: { Type: 'INSTANCE_COUNT', Value: 1 } });
    expect(endpoint.Properties.DeploymentConfig.AutoRollbackConfiguration.Alarms.length).toBeGreaterThanOrEqual(4);
    expect(ofType('AWS::SageMaker::Model')).toHaveLength(1);
    expect(ofType('AWS::SageMaker::EndpointConfig')[0].Properties.DataCaptureConfig).toMatchObject({ EnableCapture: true, InitialSamplingPercentage: 20 });
    expect(ofType('AWS::S3::Bucket').length).toBeGreaterThanOrEqual(3);
    expect(ofType('AWS::ApplicationAutoScaling::ScalableTarget')[0].Properties).toMatchObject({ MinCapacity: 2, MaxCapacity: 6 });
    expect(ofType('AWS::ApplicationAutoScaling::ScalingPolicy')).not.toHaveLength(0);
    expect(ofType('AWS::ApiGateway::RestApi')).toHaveLength(1);
    expect(ofType('AWS::ApiGateway::UsagePlan')).toHaveLength(1);
    expect(ofType('AWS::SNS::Topic')).toHaveLength(1);
    expect(ofType('AWS::Events::EventBus')).toHaveLength(1);
    expect(ofType('AWS::CloudWatch::Alarm').filter((a) => a.Properties.ThresholdMetricId !== undefined).length).toBeGreaterThanOrEqual(4);
    expect(ofType('AWS::CloudWatch::Dashboard')).toHaveLength(2);
  });

  test('its Lambda functions deploy the prebuilt handlers of the package as they are', () => {
    // Ours (arm64); the other is aws-cdk-lib's own prebuilt custom-resource framework function behind the scaling guard.
    const functions = ofType('AWS::Lambda::Function').filter((f) => f.Properties.Architectures?.[0] === 'arm64');
    expect(functions).toHaveLength(5);
    const prebuilt = Object.fromEntries(readdirSync(path.join(pkgDir, 'dist', 'handlers'))
      .map((name) => [readFileSync(path.join(pkgDir, 'dist', 'handlers', name, 'index.js'), 'utf8'), name]));
    const deployed = functions.map((f) => {
      const asset = path.join(outdir, `asset.${String(f.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
      return prebuilt[readFileSync(path.join(asset, 'index.js'), 'utf8')] ?? `${f.Metadata['aws:cdk:path']}: not a prebuilt handler`;
    });
    expect(deployed.sort()).toEqual(['drift-event-handler', 'gateway-handler', 'post-processing-handler', 'pre-processing-handler', 'scaling-guard-handler']);
  });

  test('an invalid safety policy fails the synth with the construct path, the prop, the value and the fix', () => {
    writeFileSync(path.join(app, 'invalid-policy.js'), `
const { App, Stack } = require('aws-cdk-lib');
const p = require('cdk-inference-platform');
const stack = new Stack(new App(), 'Invalid');
const endpoint = p.GpuInferenceEndpoint.fromEndpointName(stack, 'Existing', 'team-chat');
new p.SafetyGateway(stack, 'Gateway', {
  stage: 'dev',
  models: { chat: { endpoint, format: 'openai-chat', safetyPolicy: { pii: { PASSPORT: 'block' }, customPatterns: [{ name: 'X', pattern: '(?<=a)b', action: 'block' }] } } },
  consumers: [{ name: 'team', rateLimit: 1, burstLimit: 1, quota: 1 }],
});
`);
    const result = cdkSynth(['--app', 'node invalid-policy.js', '-o', path.join(work, 'invalid.out')]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Invalid/Gateway: invalid props:');
    expect(result.stderr).toContain('models.chat.safetyPolicy.pii.PASSPORT: unknown field; use one of EMAIL_ADDRESS');
    expect(result.stderr).toContain('models.chat.safetyPolicy.customPatterns[0].pattern: "(?<=a)b" is not valid RE2 syntax');
  });

  test('every entry point loads with require, and the safety library checks prompts', () => {
    const script = `
const safety = require('cdk-inference-platform/safety');
const verdict = safety.checkInput('mail jane@example.com about TICKET-42', safety.parsePolicy({ preset: 'standard' }));
const config = require('cdk-inference-platform/config');
const compliance = require('cdk-inference-platform/compliance');
let packs; try { compliance.addCompliancePacks(new (require('aws-cdk-lib').App)()); } catch (e) { packs = e.message; }
console.log(JSON.stringify({
  verdict,
  config: typeof config.parsePlatformConfig, schema: require(require.resolve('cdk-inference-platform/config/platform.schema.json')).type,
  guardRules: compliance.SAGEMAKER_GUARD_RULES.map((r) => r.id), packs,
  platform: typeof require('cdk-inference-platform/platform').buildPlatformApp,
  audit: typeof require('cdk-inference-platform/audit').buildAuditReport,
  root: typeof require('cdk-inference-platform').SafetyGateway,
}));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: app, encoding: 'utf8' }));
    expect(out).toEqual({
      verdict: { action: 'redact', text: 'mail [EMAIL_ADDRESS_1] about TICKET-42', findings: [expect.objectContaining({ check: 'pii', type: 'EMAIL_ADDRESS' })] },
      config: 'function', schema: 'object',
      guardRules: ['SM-001', 'SM-002', 'SM-003', 'SM-004', 'SM-005'],
      packs: 'addCompliancePacks needs the optional peer dependency cdk-nag: npm install --save-dev cdk-nag@~3.0.2',
      platform: 'function', audit: 'function', root: 'function',
    });
  });

  test('the safety-check CLI is installed and checks stdin', () => {
    const result = spawnSync(path.join(app, 'node_modules', '.bin', 'safety-check'), ['--stage', 'output'], {
      cwd: app, encoding: 'utf8', input: '{"text": "the key is AKIAIOSFODNN7EXAMPLE"}\n',
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toMatchObject({ action: 'redact', text: 'the key is [AWS_ACCESS_KEY_1]' });
  });

  test('every TypeScript block of the README compiles against the installed package (strict, NodeNext as `cdk init` sets it)', () => {
    const blocks = readmeBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const dir = path.join(app, 'readme');
    mkdirSync(dir, { recursive: true });
    const files = blocks.map((block, i) => {
      const file = path.join(dir, `block-${i}.ts`);
      writeFileSync(file, block.code);
      return file;
    });
    const program = timed('README type-check', () => ts.createProgram(files, {
      strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts'],
      module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [],
      noUnusedLocals: false, isolatedModules: true,
    }));
    const problems = timed('README diagnostics', () => ts.getPreEmitDiagnostics(program)).map((d) => {
      const index = d.file ? files.indexOf(d.file.fileName) : -1;
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      return `README.md:${index >= 0 && where ? blocks[index].line + where.line : '?'}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(problems).toEqual([]);
  });
});
