import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { AssemblyNotFoundError, CloudAssembly, loadCloudAssembly } from '../../lib/audit/cloud-assembly';
import { diffAssemblies } from '../../lib/audit/assembly-diff';
import { buildAuditReport, buildStageReport, StageReport } from '../../lib/audit/report-model';
import { stageViews } from '../../lib/audit/stage-view';
import { renderHtml } from '../../lib/audit/render-html';
import { renderMarkdown } from '../../lib/audit/render-markdown';
import { REPO_ROOT } from '../helpers/fixtures';
import { referenceAssemblyDir } from '../helpers/reference-assembly';
import { tempDir } from '../helpers/temp-dir';

let assemblyDir: string;
let assembly: CloudAssembly;
let prod: StageReport;
let staging: StageReport;

beforeAll(() => {
  // Shared by every file that reads the reference: read-only here (copied before any change).
  assemblyDir = referenceAssemblyDir();
  assembly = loadCloudAssembly(assemblyDir);
  const reports = buildAuditReport(assembly);
  [prod, staging] = ['prod', 'staging'].map((s) => reports.find((r) => r.stage === s)!);
}, 900_000);

/** A crafted single-stack assembly from a template, written to a temp dir. */
function craftedAssembly(resources: Record<string, unknown>, acks: Record<string, Record<string, string>> = {}): string {
  const dir = tempDir('audit-crafted');
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts: { crafted: { type: 'aws:cloudformation:stack', environment: 'aws://123456789012/us-east-1', properties: { templateFile: 'crafted.template.json', tags: { stage: 'crafted' } }, additionalMetadataFile: 'crafted.metadata.json' } } }));
  writeFileSync(path.join(dir, 'crafted.template.json'), JSON.stringify({ Resources: resources }));
  const metadata: Record<string, unknown[]> = {};
  for (const id of Object.keys(resources)) metadata[`/crafted/${id}/Resource`] = [{ type: 'aws:cdk:logicalId', data: id }];
  for (const [p, data] of Object.entries(acks)) metadata[p] = [...(metadata[p] ?? []), { type: 'aws:cdk:acknowledged-rules', data }];
  writeFileSync(path.join(dir, 'crafted.metadata.json'), JSON.stringify(metadata));
  return dir;
}

describe('audit report on the reference platform', () => {
  test('one report per stage, every section present and populated (Markdown and HTML)', () => {
    expect(buildAuditReport(assembly).map((r) => r.stage)).toEqual(['prod', 'staging']);
    for (const r of [prod, staging]) {
      const md = renderMarkdown(r);
      for (const title of ['Inventory and architecture', 'Templates', 'IAM statements', 'Encryption at rest and in transit', 'Network exposure',
        'Alarms and what they trigger', 'Delivery paths: every alarm, event and failure reaches someone', 'Data retention', 'Compliance', 'Model lineage',
        'Estimated monthly cost']) {
        expect(md).toContain(`## ${title}`);
      }
      for (const list of [r.inventory, r.iam, r.encryption, r.exposure, r.alarms, r.delivery, r.retention, r.compliance.acknowledgements, r.lineage, r.cost.lines]) expect(list.length).toBeGreaterThan(0);
      expect(r.diagramSvg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    }
  });

  test('the report of a stage covers every stack of the assembly: its shared stack and each model\'s, read from the nested assemblies', () => {
    const covered = [prod, staging].flatMap((r) => r.templates.map((t) => t.stackName)).sort();
    expect(covered).toEqual(assembly.stacks.map((s) => s.stackName).sort());
    expect(prod.templates.map((t) => [t.stackName, t.displayName])).toEqual([
      ['inference-prod', 'inference-prod/Shared'], ['inference-prod-chat', 'inference-prod/chat'], ['inference-prod-embed', 'inference-prod/embed'],
    ]);
    for (const t of prod.templates) {
      expect(t.templateFile).toMatch(/^assembly-inference-prod\/\w+\.template\.json$/);
      expect(existsSync(path.join(assemblyDir, t.templateFile))).toBe(true);
      expect(t.resources).toBeGreaterThan(20);
    }
    expect(renderMarkdown(prod)).toMatch(/## Templates[\s\S]*\| inference-prod-chat \| inference-prod\/chat \| assembly-inference-prod\//);
  });

  test('the prod LLM endpoint\'s rollback alarms are listed, with scaling, notification and retraining alarms', () => {
    const rollback = prod.alarms.filter((a) => a.targets.some((t) => t === 'automatic rollback of inference-prod-chat'));
    expect(rollback.map((a) => a.logicalId)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^inference-prod-chat\.ChatRollbackAlarmsAllTrafficModelLatencyP99/),
      expect.stringMatching(/^inference-prod-chat\.ChatRollbackAlarmsAllTrafficInvocation5xxErrorRate/),
      expect.stringMatching(/^inference-prod-chat\.GatewayGatewayErrorRatechat/),
    ]));
    // A model stack's alarm notifies the shared stack's topic, read through Fn::GetStackOutput.
    const drift = prod.alarms.find((a) => a.logicalId.startsWith('inference-prod-chat.ChatDriftInputLengthDrift'))!;
    expect(drift.targets).toEqual(expect.arrayContaining([expect.stringMatching(/^SNS topic inference-prod\.AlertingTopic/)]));
    expect(prod.alarms.some((a) => a.triggers.includes('notification'))).toBe(true);
    expect(prod.alarms.some((a) => a.triggers.includes('retraining'))).toBe(true);
    // An SLO burn window notifies through its composite page, which notifies the stage topic.
    const burnWindow = prod.alarms.find((a) => a.logicalId.startsWith('inference-prod-chat.ChatSloAvailabilityFast3600s'))!;
    expect(burnWindow.triggers).toEqual(['notification']);
    expect(burnWindow.targets).toEqual([expect.stringMatching(/^composite alarm inference-prod-chat-availability-slo-fast-burn → SNS topic inference-prod\.AlertingTopic/)]);
    expect(prod.alarms.filter((a) => a.triggers.length === 0).map((a) => a.logicalId)).toEqual([]);
    expect(renderMarkdown(prod)).toMatch(/ChatRollbackAlarmsAllTrafficModelLatencyP99\w* \| [^|]*ModelLatency[^|]*\| > 20000/);
  });

  test('delivery paths: "every alarm can notify" and the other claims are stated as checked facts, each edge with the policies that decide it', () => {
    const md = renderMarkdown(prod);
    expect(md).toMatch(/^✓ Every alarm can notify its topic: (\d+) of \1 alarm → topic edges allowed\.$/m);
    for (const claim of ['Every EventBridge rule can reach its target', 'Every rule can dead-letter', 'Every function can dead-letter', 'Every API method can invoke its function',
      'Every endpoint can write its captured traffic', 'Every encrypted log group can use its key', 'Every rollback alarm exists, can be read by SageMaker, and is consulted']) {
      expect(md).toMatch(new RegExp(`^✓ ${claim}`, 'm'));
    }
    expect(md).toContain('None is blocked.');
    expect(md).toMatch(/\| alarm → topic \| ChatDriftInputLengthDrift\w+ \(CloudWatch::Alarm\) \| AlertingTopic\w+ \(SNS::Topic\) \| cloudwatch\.amazonaws\.com \| allows — sns:Publish/);
    expect(md).toContain('Knowledge Center "cloudwatch-receive-sns-for-alarm-trigger"');
    expect(renderHtml(prod)).toContain('<section id="delivery">');
  });

  test('IAM: wildcards are justified by their acknowledgements; none is left unacknowledged', () => {
    const wildcard = prod.iam.filter((s) => s.kind === 'identity' && s.wildcards.length > 0);
    expect(wildcard.length).toBeGreaterThan(0);
    expect(wildcard.filter((s) => s.acknowledgements.length === 0).map((s) => `${s.source}: ${s.wildcards}`)).toEqual([]);
    expect(wildcard.flatMap((s) => s.acknowledgements.map((a) => a.ruleId))).toEqual(expect.arrayContaining([expect.stringMatching(/^AwsSolutions-IAM5/)]));
  });

  test('encryption, exposure, retention, compliance, lineage and cost show the expected facts', () => {
    expect(prod.encryption.filter((e) => !e.ok)).toEqual([]);
    expect(prod.encryption.find((e) => e.resource.startsWith('inference-prod.ArtifactStoreArtifacts'))).toMatchObject({ kmsKey: expect.stringMatching(/^inference-prod\.ArtifactStoreKey/), inTransit: expect.stringMatching(/TLS enforced/) });
    expect(prod.encryption.find((e) => e.resource.startsWith('inference-prod-chat.ChatConfig') && e.type === 'SageMaker endpoint storage')?.atRest).toMatch(/NVMe.*ml\.g6e\.12xlarge/);
    expect(prod.exposure.filter((e) => e.public)).toEqual([]);
    expect(prod.exposure.find((e) => e.type === 'API Gateway method')).toMatchObject({ entryPoint: expect.stringMatching(/^POST \/models\/\{model\}\/invocations \(REGIONAL/), authorization: expect.stringMatching(/AWS_IAM.*API key/) });
    expect(prod.retention.find((r) => r.role.startsWith('model artifacts'))?.protection).toMatch(/Object Lock GOVERNANCE 90 d/);
    expect(prod.retention.find((r) => r.role.startsWith('data capture'))?.retention).toMatch(/expire after 90 d/);
    expect(prod.compliance.openFindings).toEqual([]);
    expect(prod.compliance.guardRules.every((g) => g.status === 'pass')).toBe(true);
    expect(prod.compliance.acknowledgements.find((a) => a.ruleId.includes('IAM5'))).toMatchObject({ constructPath: expect.stringMatching(/^\/inference-prod\//), reason: expect.any(String) });
    expect(prod.lineage.find((l) => l.model === 'chat')).toMatchObject({ version: '2.3.0', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), sourceCommit: '4e1f0c2a9b7d', trainingData: 's3://datasets/chat/2026-09-30/', endpoints: ['inference-prod-chat'], consistent: true });
    const chat = prod.cost.lines.find((l) => l.item.startsWith('inference-prod-chat'))!;
    expect(chat.detail).toMatch(/ml\.g6e\.12xlarge × 2–6/);
    expect(chat.maxUsd).toBeCloseTo(chat.minUsd * 3, 0);
    const embed = staging.cost.lines.find((l) => l.item.startsWith('inference-staging-embed'))!;
    expect(embed).toMatchObject({ minUsd: 0, detail: expect.stringMatching(/scale to zero/) });
    expect(prod.cost.maxUsd).toBeGreaterThan(prod.cost.minUsd);
    // Prod is in us-east-1: its prices. Staging has no region: the table's default, and it says so.
    expect(prod.cost).toMatchObject({ pricingRegion: 'us-east-1', pricingRegionAssumed: false });
    expect(staging.cost).toMatchObject({ pricingRegion: 'us-east-1', pricingRegionAssumed: true });
    // Chat at minimum: 2 × $13.1222/h × 730 h = $19,158.41 a month.
    expect(chat.minUsd).toBe(19158.41);
    // Per 1K tokens at the default load: 1,000,000 requests × 1,000 tokens = 1e9 tokens a month, so
    // the monthly range ÷ 1e6; per 1K requests ÷ 1e3.
    expect(prod.cost.per1kTokens.minUsd).toBeCloseTo(prod.cost.minUsd / 1e6, 6);
    expect(prod.cost.per1kTokens.maxUsd).toBeCloseTo(prod.cost.maxUsd / 1e6, 6);
    expect(prod.cost.per1kRequests.minUsd).toBeCloseTo(prod.cost.minUsd / 1e3, 6);
  });

  test('the CLIs: audit writes Markdown, SVG and HTML per stage; audit:diff exits 0 on the same synth; a missing assembly says to synth', () => {
    const out = tempDir('audit-out');
    const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    execFileSync(tsx, ['bin/audit.ts', '--assembly', assemblyDir, '--out', out], { cwd: REPO_ROOT });
    for (const f of ['prod.md', 'prod.html', 'prod-architecture.svg', 'staging.md', 'staging.html']) expect(statSync(path.join(out, f)).size).toBeGreaterThan(1000);
    const same = spawnSync(tsx, ['bin/audit-diff.ts', '--baseline', assemblyDir, '--assembly', assemblyDir, '--out', out], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(same.status).toBe(0);
    const missing = spawnSync(tsx, ['bin/audit.ts', '--assembly', path.join(out, 'nope')], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/run npm run synth first/);
    expect(() => loadCloudAssembly(out)).toThrow(AssemblyNotFoundError);
  });

  test('the HTML page is self-contained: no scripts, no external URLs', () => {
    const html = renderHtml(prod);
    expect(html).not.toMatch(/<script|<link|src="http|href="http|url\(http|@import/i);
    expect(html).toContain('<svg');
  });
});

describe('audit report on crafted assemblies', () => {
  test('an alarm whose topic policy lets no one publish shows as a blocked delivery path, flagged', () => {
    const resources = {
      Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
      TopicPolicy: { Type: 'AWS::SNS::TopicPolicy', Properties: { Topics: [{ Ref: 'Topic' }], PolicyDocument: { Statement: [
        { Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: { Ref: 'Topic' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      ] } } },
      Errors: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmActions: [{ Ref: 'Topic' }], MetricName: 'Errors', Namespace: 'X', Threshold: 1, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', Period: 60, Statistic: 'Sum' } },
    };
    const crafted = loadCloudAssembly(craftedAssembly(resources));
    const report = buildStageReport(crafted, stageViews(crafted)[0]);
    expect(report.delivery.map((e) => e.status)).toEqual(['blocked']);
    const md = renderMarkdown(report);
    expect(md).toContain('✗ Every alarm can notify its topic: 0 of 1 alarm → topic edges allowed.');
    expect(md).toContain('1 is blocked: deployed, it would silently do nothing.');
    expect(md).toContain('**⚠ BLOCKS — sns:Publish: no resource-policy statement allows the service principal');
  });

  test('a wildcard statement without an acknowledgement is flagged; with one, the reason is shown', () => {
    const resources = {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }] } } },
      Policy: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } } },
    };
    const open = loadCloudAssembly(craftedAssembly(resources));
    const report = buildAuditReport(open)[0];
    const row = report.iam.find((s) => s.source === 'Policy')!;
    expect(row).toMatchObject({ wildcards: ['s3:*', '*'], acknowledgements: [] });
    expect(renderMarkdown(report)).toContain('**⚠ NOT ACKNOWLEDGED**');
    expect(renderHtml(report)).toContain('<td class="flag">s3:*</td>');
    const acked = loadCloudAssembly(craftedAssembly(resources, { '/crafted/Policy': { 'Annotation::AwsSolutions-IAM5[Resource::*]': 'crafted reason' } }));
    expect(buildAuditReport(acked)[0].iam.find((s) => s.source === 'Policy')!.acknowledgements.map((a) => a.reason)).toEqual(['crafted reason']);
  });

  test('an unencrypted bucket without TLS enforcement and a public API method are reported', () => {
    const a = loadCloudAssembly(craftedAssembly({
      Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
      Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'x' } },
      Method: { Type: 'AWS::ApiGateway::Method', Properties: { HttpMethod: 'GET', AuthorizationType: 'NONE', RestApiId: { Ref: 'Api' }, ResourceId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] } } },
    }));
    const report = buildAuditReport(a)[0];
    expect(report.encryption.find((e) => e.resource === 'Bucket')).toMatchObject({ ok: false, inTransit: expect.stringMatching(/not enforced/) });
    expect(report.exposure.find((e) => e.resource === 'Method')).toMatchObject({ public: true, authorization: 'NONE' });
    expect(renderMarkdown(report)).toMatch(/1 data stores need attention: Bucket/);
    expect(renderMarkdown(report)).toMatch(/entry points are reachable without authentication: [^\n]*Method/);
  });
});

describe('audit:diff', () => {
  test('a changed synth: replacement, IAM, encryption, exposure, removed and loosened alarms, added acknowledgement; exit 1', () => {
    const changed = tempDir('audit-changed');
    cpSync(assemblyDir, changed, { recursive: true });
    const stackFile = (name: string) => path.join(changed, assembly.stacks.find((s) => s.stackName === name)!.templateFile);
    const edit = (name: string, change: (t: Record<string, Record<string, { Type: string; Properties: Record<string, any> }>>) => void) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      const t = JSON.parse(readFileSync(stackFile(name), 'utf8'));
      change(t);
      writeFileSync(stackFile(name), JSON.stringify(t));
    };
    const find = (name: string, type: string, prefix: string) => {
      const t = JSON.parse(readFileSync(stackFile(name), 'utf8'));
      return Object.keys(t.Resources).find((k) => t.Resources[k].Type === type && k.startsWith(prefix))!;
    };
    const config = find('inference-prod-chat', 'AWS::SageMaker::EndpointConfig', 'Chat');
    const latency = find('inference-prod-chat', 'AWS::CloudWatch::Alarm', 'ChatRollbackAlarmsAllTrafficModelLatencyP99');
    const errors = find('inference-prod-chat', 'AWS::CloudWatch::Alarm', 'ChatRollbackAlarmsAllTrafficInvocation5xxErrorRate');
    const captureBucket = find('inference-prod', 'AWS::S3::Bucket', 'DataCaptureBucket');
    let before = 0;
    edit('inference-prod-chat', (t) => {
      t.Resources[config].Properties.ProductionVariants[0].InstanceType = 'ml.g6e.48xlarge';
      t.Resources[find('inference-prod-chat', 'AWS::IAM::Policy', 'ChatExecutionRole')].Properties.PolicyDocument.Statement.push({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
      before = t.Resources[latency].Properties.Threshold;
      t.Resources[latency].Properties.Threshold = before * 3;
      delete t.Resources[errors];
    });
    edit('inference-prod', (t) => {
      t.Resources[captureBucket].Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault = { SSEAlgorithm: 'AES256' };
      t.Resources[find('inference-prod', 'AWS::ApiGateway::Method', 'GatewayApi')].Properties.AuthorizationType = 'NONE';
    });
    const metaFile = stackFile('inference-prod-chat').replace(/\.template\.json$/, '.metadata.json');
    const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
    meta['/inference-prod/chat/Chat/Extra'] = [{ type: 'aws:cdk:acknowledged-rules', data: { 'Annotation::AwsSolutions-IAM5[Resource::*]': 'new wildcard' } }];
    writeFileSync(metaFile, JSON.stringify(meta));

    const findings = diffAssemblies(assembly, loadCloudAssembly(changed));
    const kinds = (k: string) => findings.filter((f) => f.kind === k);
    expect(kinds('replacement').map((f) => f.resource)).toContain(config);
    expect(kinds('iam').map((f) => f.change)).toEqual(expect.arrayContaining([expect.stringMatching(/^added: Allow s3:\* on \*/)]));
    expect(kinds('encryption').map((f) => f.resource)).toContain(captureBucket);
    expect(kinds('exposure').map((f) => f.change).join()).toMatch(/\[AWS_IAM.*\] → .*\[NONE/);
    expect(kinds('alarm')).toEqual(expect.arrayContaining([
      expect.objectContaining({ resource: errors, change: expect.stringMatching(/alarm removed \(it triggered rollback/) }),
      expect.objectContaining({ resource: latency, change: `alarm loosened: threshold ${before} → ${before * 3}` }),
    ]));
    expect(kinds('acknowledgement')).toEqual([expect.objectContaining({ resource: '/inference-prod/chat/Chat/Extra', change: expect.stringMatching(/new wildcard/) })]);
    expect(new Set(findings.map((f) => f.stack))).toEqual(new Set(['inference-prod', 'inference-prod-chat']));
    const cli = spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['bin/audit-diff.ts', '--baseline', assemblyDir, '--assembly', changed, '--out', tempDir('diff-out')], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toMatch(/changes need sign-off/);
  });
});

describe('HTML report in a real headless browser', () => {
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  // Without chromium the test is reported as skipped, with the reason in its name: never as a pass.
  const title = chromium
    ? 'renders without errors; screenshot in the test output'
    : 'renders without errors (skipped: chromium not found at /usr/bin/chromium; install it with bin/ensure-chromium.sh)';
  (chromium ? test : test.skip)(title, () => {
    const dir = tempDir('audit-browser');
    const htmlFile = path.join(dir, 'prod.html');
    writeFileSync(htmlFile, renderHtml(prod));
    const screenshot = path.join(REPO_ROOT, 'reports', 'audit-test', 'prod-screenshot.png');
    mkdirSync(path.dirname(screenshot), { recursive: true });
    const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${path.join(dir, 'profile')}`, '--enable-logging=stderr', '--v=0'];
    const shot = spawnSync(chromium!, [...args, `--screenshot=${screenshot}`, '--window-size=1280,4000', `file://${htmlFile}`], { encoding: 'utf8', timeout: 120_000 });
    const dom = spawnSync(chromium!, [...args, '--dump-dom', `file://${htmlFile}`], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    const logs = `${shot.stderr}\n${dom.stderr}`;
    expect(logs).not.toMatch(/Uncaught|ERROR:CONSOLE|Refused to/);
    const png = readFileSync(screenshot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
    expect(dom.stdout).toContain('Alarms and what they trigger');
    expect(dom.stdout).toContain('<svg');
    console.log(`audit report screenshot: ${screenshot}`);
  });
});
