import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { sageMakerGuardPlugin } from '../../lib/compliance/sagemaker-guard-plugin';
import { loadPlatformConfig, parsePlatformConfig } from '../../lib/config/load-config';
import { InferencePlatformStage } from '../../lib/platform/inference-platform-stage';
import { Json, REPO_ROOT, cdkJsonContext, errorMessage, referenceConfigJson } from '../helpers/fixtures';

/**
 * Every config mistake is answered by one line per problem that names the file, the place, the
 * config path, the value and the fix, before any construct runs; never a stack trace.
 */
const SOURCE = 'config/platform.json';
const reference = readFileSync(path.join(REPO_ROOT, SOURCE), 'utf8');

/** The loader's message for the reference config edited as text. */
function messageForText(edit: (text: string) => string): string {
  const text = edit(reference);
  expect(text).not.toBe(reference);
  return errorMessage(() => parsePlatformConfig(text, SOURCE));
}

/** The loader's message for the reference config edited as data (written back with 2-space indents). */
function messageFor(edit: (config: Record<string, Json>) => void): string {
  const config = referenceConfigJson();
  edit(config);
  return errorMessage(() => parsePlatformConfig(JSON.stringify(config, null, 2), SOURCE));
}

/** The 1-based line and column of the first occurrence of `needle` in `text`. */
function placeOf(text: string, needle: string, from = 0): string {
  const offset = text.indexOf(needle, from);
  expect(offset).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

const G7E_SPEC = { accelerator: 'RTX PRO 6000', gpuCount: 4, gpuMemoryGiB: 384, vcpus: 48, memoryGiB: 512 };

describe('config mistakes', () => {
  test('a key given twice is refused (JSON.parse keeps the last silently), at both places', () => {
    const text = reference.replace('"latencyBudgetMs": 20000,', '"latencyBudgetMs": 20000,\n      "latencyBudgetMs": 30000,');
    const message = messageForText(() => text);
    const first = placeOf(text, '"latencyBudgetMs": 20000');
    expect(message).toBe(`${SOURCE}:${placeOf(text, '"latencyBudgetMs": 30000')}: models.chat.latencyBudgetMs: the key "latencyBudgetMs" appears ` +
      `twice in one object (first at line ${first.split(':')[0]}, column ${first.split(':')[1]}); JSON keeps only the last value: remove one of them`);
    // At the top level too, and every duplicate at once.
    const top = messageForText((t) => t.replace('"name": "inference",', '"name": "inference",\n  "name": "other",')
      .replace('"instanceCount": 1,', '"instanceCount": 1,\n          "instanceCount": 2,'));
    expect(top.split('\n').map((line) => line.replace(/^[^ ]* /, ''))).toEqual([
      'name: the key "name" appears twice in one object (first at line 3, column 3); JSON keeps only the last value: remove one of them',
      expect.stringMatching(/^stages\.staging\.models\.chat\.instanceCount: the key "instanceCount" appears twice/),
    ]);
  });

  test('invalid JSON is reported at its line and column', () => {
    const missingComma = reference.replace('"name": "inference",', '"name": "inference"');
    expect(errorMessage(() => parsePlatformConfig(missingComma, SOURCE)))
      .toBe(`${SOURCE}:${placeOf(missingComma, '"models"')}: not valid JSON: expected "," between entries`);
    const trailingComma = '{\n  "name": "inference",\n}\n';
    expect(errorMessage(() => parsePlatformConfig(trailingComma, SOURCE))).toBe(`${SOURCE}:3:1: not valid JSON: a trailing comma is not allowed in JSON`);
    const comment = '{\n  // the platform\n  "name": "inference"\n}\n';
    expect(errorMessage(() => parsePlatformConfig(comment, SOURCE))).toBe(`${SOURCE}:2:3: not valid JSON: comments are not allowed in JSON`);
  });

  test('a model or stage name that breaks the naming rule names the rule, not the whole value', () => {
    const message = messageFor((c) => {
      c.models.Chat_Model = c.models.chat;
      c.stages['a'.repeat(33)] = c.stages.staging;
    });
    expect(message.split('\n').map((line) => line.replace(/^[^ ]* /, ''))).toEqual([
      'models.Chat_Model: the name "Chat_Model" must be lower-case letters, digits and single hyphens, starting with a letter ' +
        '(it becomes part of stack, endpoint and resource names)',
      `stages.${'a'.repeat(33)}: the name "${'a'.repeat(33)}" must be at most 32 characters (it becomes part of stack, endpoint and resource names)`,
    ]);
  });

  test('an endpoint name (<platform>-<stage>-<model>) over SageMaker\'s 63 characters', () => {
    const message = messageFor((c) => {
      c.name = 'p'.repeat(30);
      c.stages['s'.repeat(30)] = c.stages.staging;
    });
    const endpoint = `${'p'.repeat(30)}-${'s'.repeat(30)}-chat`;
    expect(message).toContain(`: stages.${'s'.repeat(30)}.models.chat: the endpoint name "${endpoint}" (<name>-<stage>-<model>) has ` +
      `${endpoint.length} characters, SageMaker allows 63: shorten the platform, stage or model name by ${endpoint.length - 63}`);
  });

  test('a missing config file is one line naming it and the fix', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'config-'));
    try {
      expect(errorMessage(() => loadPlatformConfig(path.join(dir, 'platform.json'), 'config/platform.json')))
        .toBe('config/platform.json: cannot read the platform config: no such file; create it, or set PLATFORM_CONFIG to the config file');
      expect(errorMessage(() => loadPlatformConfig(dir, 'config')))
        .toBe('config: cannot read the platform config: it is a directory; set PLATFORM_CONFIG to the config file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a GPU type outside the catalog asks for its facts instead of failing later on a KMS rule', () => {
    const message = messageFor((c) => { c.stages.prod.models.chat.instanceType = 'ml.g7e.12xlarge'; });
    expect(message).toMatch(/^config\/platform\.json:\d+:\d+: stages\.prod\.models\.chat\.instanceType: "ml\.g7e\.12xlarge" is outside the built-in GPU catalog, so its GPU count, GPU memory and local NVMe storage are unknown: declare them, "instanceTypes": \{"ml\.g7e\.12xlarge": \{"accelerator", "gpuCount", "gpuMemoryGiB", "vcpus", "memoryGiB", "hasLocalNvmeStorage"\}\}, or use a catalog type \(nearest: /);
    expect(message.split('\n')).toHaveLength(1);
    // A declaration of a catalog type, and a non-instance name, are refused.
    const declared = messageFor((c) => {
      c.instanceTypes = { 'ml.g5.12xlarge': { ...G7E_SPEC, hasLocalNvmeStorage: true }, 'g7e.large': { ...G7E_SPEC, hasLocalNvmeStorage: true } };
    });
    expect(declared).toContain(': instanceTypes.ml.g5.12xlarge: is in the built-in catalog already (4× A10G): remove it');
    expect(declared).toContain(': instanceTypes.g7e.large: "g7e.large" is not a SageMaker instance type name');
  });

  test.each([false, true])('a declared GPU type (local NVMe: %s) is checked for fit and gets a volume key only where SageMaker takes one', (nvme) => {
    const config = referenceConfigJson();
    config.instanceTypes = { 'ml.g7e.12xlarge': { ...G7E_SPEC, hasLocalNvmeStorage: nvme } };
    config.stages.prod.models.chat.instanceType = 'ml.g7e.12xlarge';
    const parsed = parsePlatformConfig(JSON.stringify(config), SOURCE);
    const app = new App({ context: cdkJsonContext() });
    const stack = new InferencePlatformStage(app, 'inference-prod', { config: parsed, stageName: 'prod', env: { region: 'us-east-1' } }).models.chat;
    // SM-002 (a KMS key unless every variant has NVMe storage) passes either way: no finding for the auditor to puzzle over.
    Validations.of(app).addPlugins(sageMakerGuardPlugin());
    const template = Template.fromStack(stack);
    const [endpointConfig] = Object.values(template.findResources('AWS::SageMaker::EndpointConfig')) as Json[];
    expect(endpointConfig.Properties.ProductionVariants[0].InstanceType).toBe('ml.g7e.12xlarge');
    expect(endpointConfig.Properties.KmsKeyId !== undefined).toBe(!nvme);
    // The 32.5B chat model does not fit one 96 GiB GPU: the fit check uses the declared facts.
    const tooSmall = messageFor((c) => {
      c.instanceTypes = { 'ml.g7e.2xlarge': { ...G7E_SPEC, gpuCount: 1, gpuMemoryGiB: 48, hasLocalNvmeStorage: nvme } };
      c.stages.prod.models.chat.instanceType = 'ml.g7e.2xlarge';
    });
    expect(tooSmall).toContain('stages.prod.models.chat.instanceType: "ml.g7e.2xlarge" cannot hold chat@2.3.0');
  });

  test('model-fit advice counts the tensor-parallel degree: a higher degree on the same type before a bigger type', () => {
    const message = messageFor((c) => { c.stages.prod.models.chat.tensorParallelDegree = 1; });
    expect(message).toMatch(/: stages\.prod\.models\.chat\.instanceType: "ml\.g6e\.12xlarge" cannot hold chat@2\.3\.0 \(32\.5B parameters at bf16: 72\.6 GiB with KV-cache headroom, 43\.2 GiB usable on 1 GPU\(s\)\); raise tensorParallelDegree to 2 to shard it across 2 of the 4 GPUs of ml\.g6e\.12xlarge$/);
    // Where no degree on the type fits, the smallest catalog type that fits, across its GPUs.
    const bigger = messageFor((c) => { c.stages.staging.models.chat.instanceType = 'ml.g6.xlarge'; });
    expect(bigger).toMatch(/the smallest catalog type that fits is ml\.g5\.12xlarge \(across its 4 GPUs\)$/);
  });

  test('a safety policy and raw paths the gateway handlers would refuse at cold start', () => {
    const message = messageFor((c) => {
      c.models.chat.safetyPolicy.pii.PASSPORT = 'block';
      c.models.chat.safetyPolicy.customPatterns = [{ name: 'TICKET', pattern: '(?<=T-)\\d+', action: 'redact' }];
      c.models.embed.payloadFormat = 'raw';
      c.models.embed.rawPaths = { request: ['inputs[0'], response: ['embedding'] };
    });
    const lines = message.split('\n').map((line) => line.replace(/^[^ ]* /, ''));
    expect(lines).toEqual([
      expect.stringMatching(/^models\.chat\.safetyPolicy\.pii\.PASSPORT: unknown field; use one of EMAIL_ADDRESS/),
      expect.stringMatching(/^models\.chat\.safetyPolicy\.customPatterns\[0\]\.pattern: "\(\?<=T-\)\\\\d\+" is not valid RE2 syntax/),
      'models.embed.rawPaths.request: "inputs[0" is not a dot path with optional [n] indices, e.g. "output.text" or "choices[0].text"',
    ]);
  });
});

describe('bin/platform-app.ts', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'platform-app-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (configFile: string) => spawnSync(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['bin/platform-app.ts'], {
    cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, PLATFORM_CONFIG: configFile, CDK_OUTDIR: path.join(dir, 'out') }, timeout: 60_000,
  });

  test('prints each config mistake as one line and exits 1, without a stack trace', () => {
    const duplicate = path.join(dir, 'duplicate.json');
    writeFileSync(duplicate, reference.replace('"name": "inference",', '"name": "inference",\n  "name": "other",'));
    for (const [file, expected] of [
      [path.join(dir, 'missing.json'), 'cannot read the platform config: no such file; create it, or set PLATFORM_CONFIG to the config file'],
      [duplicate, 'name: the key "name" appears twice in one object (first at line 3, column 3)'],
    ]) {
      const result = run(file);
      expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 1, stdout: '' });
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(expected);
      expect(lines[0].startsWith(path.relative(REPO_ROOT, file))).toBe(true);
    }
  });
});
