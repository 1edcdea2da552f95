import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import * as platform from '../../lib';
import * as platformApp from '../../lib/platform';
import { COMMIT, REPO_ROOT, SHA256 } from '../helpers/fixtures';

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));

describe('package entry point', () => {
  test('exports the foundation constructs at the root and the platform app from its own entry', () => {
    for (const name of ['GpuInstanceType', 'InferenceImage', 'ModelArtifactStore', 'ModelVersion', 'GpuInferenceEndpoint',
      'RoutingStrategy', 'checkModelFit', 'InferencePlatformStage', 'SharedStageStack', 'ModelStack']) {
      expect({ name, exported: (platform as Record<string, unknown>)[name] !== undefined }).toEqual({ name, exported: true });
    }
    for (const name of ['parsePlatformConfig', 'buildPlatformApp', 'PlatformConfigError', 'platformConfigJsonSchema', 'platformLimitProblems', 'InferencePlatformStage']) {
      expect({ name, exported: (platformApp as Record<string, unknown>)[name] !== undefined }).toEqual({ name, exported: true });
    }
  });

  test('an app team composes an endpoint in a fresh app (no cdk.json flags) with the three nag packs, as documented', () => {
    const app = new App();
    const stack = new Stack(app, 'TeamStack', { env: { account: '111122223333', region: 'eu-west-1' } });
    const store = new platform.ModelArtifactStore(stack, 'Models');
    const version = store.addModelVersion({
      modelName: 'support-bot', version: '1.0.0', s3Key: 'support-bot/1.0.0/', sha256: SHA256,
      trainingDataUri: 's3://datasets/support/', sourceCommit: COMMIT, parameterCount: 8e9,
    });
    const endpoint = new platform.GpuInferenceEndpoint(stack, 'Bot', {
      modelVersion: version,
      image: platform.InferenceImage.vllm(),
      instanceType: platform.GpuInstanceType.G5_2XLARGE,
      endpointName: 'support-bot',
    });
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    endpoint.grantInvoke(caller);
    Validations.of(caller).acknowledge({ id: 'HIPAA.Security-IAMNoInlinePolicy', reason: 'test caller' },
      { id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: 'test caller' });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app), new NIST80053R5Checks(app));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: 'support-bot' });
    template.resourceCountIs('AWS::SageMaker::Model', 1);
  });

  test('package.json points main, types and every entry of "exports" at the compile of an existing source module', () => {
    expect(pkg.name).toBe('cdk-inference-platform');
    expect(pkg.main).toBe('dist/lib/index.js');
    expect(pkg.types).toBe('dist/lib/index.d.ts');
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './audit', './compliance', './config', './config/platform.schema.json',
      './package.json', './platform', './safety']);
    for (const [entry, target] of Object.entries(pkg.exports as Record<string, string | { types: string; default: string }>)) {
      if (typeof target === 'string') {
        expect({ entry, exists: existsSync(path.join(REPO_ROOT, target)) }).toEqual({ entry, exists: true });
        continue;
      }
      const source = target.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts');
      expect({ entry, types: target.types }).toEqual({ entry, types: target.default.replace(/\.js$/, '.d.ts') });
      expect({ entry, source, exists: existsSync(path.join(REPO_ROOT, source)) }).toEqual({ entry, source, exists: true });
      // Consumers on moduleResolution "node" ignore "exports": typesVersions gives them the same declarations.
      if (entry !== '.') expect({ entry, typesVersions: pkg.typesVersions['*'][entry.slice(2)] }).toEqual({ entry, typesVersions: [target.types.slice(2)] });
      expect(pkg.files.some((f: string) => target.default.slice(2).startsWith(f))).toBe(true);
    }
  });

  test('cdk-nag is an optional peer dependency; aws-cdk-lib and constructs are required peers', () => {
    expect(pkg.peerDependencies).toEqual({ 'aws-cdk-lib': expect.any(String), constructs: expect.any(String), 'cdk-nag': '~3.0.2' });
    expect(pkg.peerDependenciesMeta).toEqual({ 'cdk-nag': { optional: true } });
    expect(pkg.dependencies['cdk-nag']).toBeUndefined();
  });

  test('the constructs, the compliance entry and the platform entry load without cdk-nag; addCompliancePacks then says what to install', () => {
    jest.isolateModules(() => {
      jest.doMock('cdk-nag', () => {
        throw Object.assign(new Error("Cannot find module 'cdk-nag' from 'lib/compliance/compliance-packs.ts'"), { code: 'MODULE_NOT_FOUND' });
      });
      /* eslint-disable @typescript-eslint/no-require-imports -- loaded with cdk-nag missing */
      const constructs = require('../../lib') as typeof platform;
      const compliance = require('../../lib/compliance') as typeof import('../../lib/compliance');
      require('../../lib/platform');
      /* eslint-enable @typescript-eslint/no-require-imports */
      expect(typeof constructs.SafetyGateway).toBe('function');
      expect(compliance.SAGEMAKER_GUARD_RULES.length).toBeGreaterThan(0);
      expect(() => compliance.addCompliancePacks(new App())).toThrow(
        'addCompliancePacks needs the optional peer dependency cdk-nag: npm install --save-dev cdk-nag@~3.0.2');
    });
  });

  test('LICENSE is the Apache License 2.0 that package.json names', () => {
    expect(pkg.license).toBe('Apache-2.0');
    const license = readFileSync(path.join(REPO_ROOT, 'LICENSE'), 'utf8');
    expect(license).toContain('Apache License\n                           Version 2.0, January 2004');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });

  test('packing builds first', () => {
    expect(pkg.scripts.prepack).toBe('npm run build');
  });
});
