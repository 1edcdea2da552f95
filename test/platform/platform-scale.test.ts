import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadCloudAssembly, StackArtifact } from '../../lib/audit/cloud-assembly';
import { buildAuditReport } from '../../lib/audit/report-model';
import { parsePlatformConfig } from '../../lib/config/load-config';
import { buildPlatformApp } from '../../lib/platform/platform-app';
import { scaledConfig } from '../../bin/scaled-config';
import { Json, cdkJsonContext, referenceConfigJson } from '../helpers/fixtures';

/**
 * Fifty models in one stage: the reference config scaled (bin/scaled-config.ts), synthesized
 * with the compliance packs, checked against CloudFormation's and CloudWatch's limits. Its speed
 * is measured in `npm run bench:synth`, not here.
 *
 * The template validator is left out of this synth: its verdict on fifty copies of the model stack
 * is its verdict on the reference's model stacks, which it checks (the shared reference assembly,
 * test/foundation/cli-synth.test.ts), and here it took 20 of the file's 54 s of CPU, measured.
 * The cdk-nag packs stay: the audit report below reads their findings.
 */
jest.mock('../../lib/compliance/sagemaker-guard-plugin', () => ({
  ...jest.requireActual('../../lib/compliance/sagemaker-guard-plugin'),
  sageMakerGuardPlugin: () => ({ name: 'template validator (left out at scale)', validate: () => ({ success: true, violations: [] }) }),
}));

const MODELS = 50;
const outdir = mkdtempSync(path.join(tmpdir(), 'platform-scale-'));
let stacks: StackArtifact[];

beforeAll(() => {
  const config = parsePlatformConfig(JSON.stringify(scaledConfig(referenceConfigJson(), 'prod', MODELS)), 'scaled.json');
  buildPlatformApp(config, { context: cdkJsonContext(), outdir }).synth();
  stacks = loadCloudAssembly(outdir).stacks;
}, 1_800_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const prod = () => stacks.filter((s) => s.stage === 'prod');

test('prod is its shared stack and one stack per model', () => {
  expect(prod()).toHaveLength(MODELS + 1);
  expect(prod().filter((s) => s.tags.model).map((s) => s.stackName)).toContain('inference-prod-embed-50');
});

test('no template nears CloudFormation\'s limits: 500 resources, 1 MB, 200 outputs, 200 parameters', () => {
  for (const s of stacks) {
    const bytes = readFileSync(path.join(outdir, s.templateFile)).length;
    expect({ stack: s.stackName, resources: Object.keys(s.template.Resources).length <= 250 }).toEqual({ stack: s.stackName, resources: true });
    expect({ stack: s.stackName, underHalfAMegabyte: bytes < 500_000 }).toEqual({ stack: s.stackName, underHalfAMegabyte: true });
    expect(Object.keys(s.template.Outputs ?? {}).length).toBeLessThanOrEqual(200);
    expect(Object.keys((s.template as Json).Parameters ?? {}).length).toBeLessThanOrEqual(200);
  }
});

test('every dashboard stays within CloudWatch\'s limits: 500 widgets, 2,500 metrics, 100 alarms per alarm status widget', () => {
  const dashboards = stacks.flatMap((s) => Object.values(s.template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard'));
  expect(dashboards.length).toBe(1 + 2 + MODELS + 3); // staging: overview + 2 models; prod: 50 models + 3 overview pages
  for (const d of dashboards) {
    const body = JSON.parse(literal(d.Properties.DashboardBody));
    const widgets = body.widgets as Json[];
    expect(widgets.length).toBeLessThanOrEqual(500);
    const metrics = widgets.reduce((n, w) => n + (w.properties.metrics?.length ?? 0), 0);
    expect(metrics).toBeLessThanOrEqual(2500);
    for (const w of widgets.filter((x) => x.type === 'alarm')) expect(w.properties.alarms.length).toBeLessThanOrEqual(100);
  }
  const overview = prod().find((s) => s.stackName === 'inference-prod')!;
  const pages = Object.values(overview.template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard').map((r) => r.Properties.DashboardName).sort();
  expect(pages).toEqual(['inference-prod', 'inference-prod-2', 'inference-prod-3']);
  const first = JSON.parse(literal(Object.values(overview.template.Resources).find((r) => r.Properties?.DashboardName === 'inference-prod')!.Properties.DashboardBody));
  const health = first.widgets.filter((w: Json) => w.type === 'alarm').flatMap((w: Json) => w.properties.alarms as string[]);
  expect(health).toHaveLength(MODELS);
  expect(health.every((a: string) => /:alarm:inference-prod-[\w-]+-health$/.test(a))).toBe(true);
});

test('the audit report covers all the stage\'s stacks', () => {
  const report = buildAuditReport(loadCloudAssembly(outdir)).find((r) => r.stage === 'prod')!;
  expect(report.templates).toHaveLength(MODELS + 1);
  expect(report.lineage.map((l) => l.model)).toHaveLength(MODELS);
  // cdk-nag's findings: the validator is left out of this synth (above).
  expect(report.compliance.openFindings).toEqual([]);
}, 300_000);

/** A dashboard body as text: its literal parts, with `${TOKEN}` for the region and account references. */
function literal(body: Json): string {
  if (typeof body === 'string') return body;
  const [separator, parts] = body['Fn::Join'] as [string, Json[]];
  return parts.map((p) => (typeof p === 'string' ? p : '${TOKEN}')).join(separator);
}
