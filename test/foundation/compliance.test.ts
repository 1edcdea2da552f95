import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { REFERENCE_STACKS, errorMessage, referencePlatformApp, stacksOf } from '../helpers/fixtures';

const dirs: string[] = [];
function outdir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'platform-compliance-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('the reference platform with the AwsSolutions, HIPAA Security and NIST 800-53 R5 packs', () => {
  test('synthesizes with no unacknowledged finding and no validator warning', () => {
    const dir = outdir();
    const app = referencePlatformApp(dir);
    const assembly = app.synth();
    // Every stack is in a stage's nested assembly.
    expect(assembly.stacks).toEqual([]);
    expect(assembly.nestedAssemblies.flatMap((a) => a.nestedAssembly.stacks.map((s) => s.stackName)).sort()).toEqual(REFERENCE_STACKS);
    const report = JSON.parse(readFileSync(path.join(dir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
    for (const stack of stacksOf(app)) {
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    }
  });

  test('the packs really run: an unencrypted, unlogged bucket fails the synth in all three', () => {
    const app = referencePlatformApp(outdir());
    // In a model's stack: the packs check the stacks of every stage, not only the shared ones.
    new s3.Bucket(app.node.findChild('inference-staging').node.findChild('embed'), 'Unencrypted');
    const message = errorMessage(() => app.synth());
    expect(message).toContain('AwsSolutions-S1');
    expect(message).toContain('HIPAA.Security-S3DefaultEncryptionKMS');
    expect(message).toContain('NIST.800.53.R5-S3DefaultEncryptionKMS');
    expect(message).toContain('inference-staging/embed/Unencrypted');
    // Only the injected bucket is reported: the platform's own resources stay clean.
    expect(message).not.toMatch(/inference-(staging|prod)\/\w+\/(ArtifactStore|Chat|Embed|Gateway|Alerting)\//);
  });

  test('the built-in CloudFormation validator runs and, with validateAgainstDefaultRules, fails the synth on a schema error', () => {
    const app = referencePlatformApp(outdir());
    const stack = app.node.findChild('inference-prod').node.findChild('embed');
    const config = stack.node.findChild('Embed').node.findChild('Config') as sagemaker.CfnEndpointConfig;
    // Raw overrides bypass the construct's own checks; only the validator can catch them.
    config.addPropertyOverride('ProductionVariants.0.InstanceTypo', 'ml.g5.xlarge');
    const message = errorMessage(() => app.synth());
    expect(message).toContain('InstanceTypo');
  });

  test('the validator also reports an invalid enum value (a warning, which the clean synth above has none of)', () => {
    const dir = outdir();
    const app = referencePlatformApp(dir);
    const config = app.node.findChild('inference-prod').node.findChild('embed').node.findChild('Embed').node.findChild('Config') as sagemaker.CfnEndpointConfig;
    config.addPropertyOverride('ProductionVariants.0.InstanceType', 'ml.g5.huge');
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      app.synth();
    } finally {
      spy.mockRestore();
    }
    const report = readFileSync(path.join(dir, 'validation-report.json'), 'utf8');
    expect(report).toContain('ml.g5.huge');
    expect(report).toContain('W3030');
  });
});
