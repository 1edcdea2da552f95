import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { loadCloudAssembly } from '../../lib/audit/cloud-assembly';
import { REFERENCE_STACKS, errorMessage, referencePlatformApp } from '../helpers/fixtures';
import { referenceAssemblyDir } from '../helpers/reference-assembly';

/** Every `<stack>.metadata.json` under an assembly directory, nested assemblies included. */
function metadataFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.metadata.json')).map((f) => path.join(dir, f));
}

const dirs: string[] = [];
function outdir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'platform-compliance-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('the reference platform with the AwsSolutions, HIPAA Security and NIST 800-53 R5 packs', () => {
  test('synthesizes with no unacknowledged finding and no validator warning', () => {
    // The shared reference assembly is that synth: packs, validator and Guard rules, as `cdk synth` runs them.
    const dir = referenceAssemblyDir();
    const assembly = loadCloudAssembly(dir);
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(REFERENCE_STACKS);
    // Every stack is in a stage's nested assembly.
    expect(assembly.stacks.every((s) => s.templateFile.startsWith('assembly-'))).toBe(true);
    const report = JSON.parse(readFileSync(path.join(dir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
    // Annotations (warnings and errors of the packs and of aws-cdk-lib) are recorded in each stack's metadata.
    const annotations = metadataFiles(dir).flatMap((file) => Object.values(JSON.parse(readFileSync(file, 'utf8')) as Record<string, Array<{ type: string; data: unknown }>>)
      .flat().filter((e) => e.type === 'aws:cdk:warning' || e.type === 'aws:cdk:error').map((e) => `${path.basename(file)}: ${JSON.stringify(e.data)}`));
    expect(metadataFiles(dir).length).toBe(REFERENCE_STACKS.length);
    expect(annotations).toEqual([]);
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

  test('the built-in CloudFormation validator runs: with validateAgainstDefaultRules a schema error fails the synth, and an invalid enum value is reported', () => {
    const dir = outdir();
    const app = referencePlatformApp(dir);
    const configOf = (stage: string) => app.node.findChild(`inference-${stage}`).node.findChild('embed').node.findChild('Embed').node.findChild('Config') as sagemaker.CfnEndpointConfig;
    // Raw overrides bypass the construct's own checks; only the validator can catch them.
    configOf('prod').addPropertyOverride('ProductionVariants.0.InstanceTypo', 'ml.g5.xlarge');
    configOf('staging').addPropertyOverride('ProductionVariants.0.InstanceType', 'ml.g5.huge');
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    let message: string;
    try {
      message = errorMessage(() => app.synth());
    } finally {
      spy.mockRestore();
    }
    expect(message).toContain('InstanceTypo');
    // The enum value is a warning (the clean synth above has none of them), in the same report.
    const report = readFileSync(path.join(dir, 'validation-report.json'), 'utf8');
    expect(report).toContain('ml.g5.huge');
    expect(report).toContain('W3030');
  });
});
