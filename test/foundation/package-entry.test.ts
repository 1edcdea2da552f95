import { spawnSync } from 'node:child_process';
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

  test('package.json points main, types and exports at the compiled entry module', () => {
    expect(pkg.name).toBe('cdk-inference-platform');
    expect(pkg.main).toBe('dist/lib/index.js');
    expect(pkg.types).toBe('dist/lib/index.d.ts');
    expect(pkg.exports['.']).toEqual({ types: './dist/lib/index.d.ts', default: './dist/lib/index.js' });
    expect(pkg.files).toContain('dist/lib');
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
    // The compiled entry is the compile of lib/index.ts.
    expect(existsSync(path.join(REPO_ROOT, 'lib/index.ts'))).toBe(true);
  });

  const built = existsSync(path.join(REPO_ROOT, 'dist/lib/index.js'));
  (built ? test : test.skip)(`require('cdk-inference-platform') resolves through "exports"${built ? '' : ' (skipped: dist/ not built; run npm run build)'}`, () => {
    const script = "const p = require('cdk-inference-platform'); " +
      "console.log(require.resolve('cdk-inference-platform'), typeof p.GpuInferenceEndpoint, p.GpuInstanceType.G5_12XLARGE.spec.gpuCount)";
    const result = spawnSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(`${path.join(REPO_ROOT, 'dist/lib/index.js')} function 4`);
  });
});
