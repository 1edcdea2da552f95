import type { CloudAssembly, StackArtifact } from './cloud-assembly';
import { analyseAlarms, AlarmRow } from './alarm-analysis';
import { analyseEncryption } from './encryption-analysis';
import { analyseExposure } from './exposure-analysis';
import { analyseIam } from './iam-analysis';

export type FindingKind = 'replacement' | 'iam' | 'encryption' | 'exposure' | 'alarm' | 'acknowledgement' | 'stack';

/** One change an auditor must sign off. */
export interface DiffFinding {
  readonly stack: string;
  readonly kind: FindingKind;
  readonly resource: string;
  readonly change: string;
}

const REPLACED_ON_CHANGE = ['AWS::SageMaker::Model', 'AWS::SageMaker::EndpointConfig', 'AWS::SageMaker::InferenceComponent'];

function loosened(before: AlarmRow, after: AlarmRow): string | undefined {
  const reasons: string[] = [];
  if (before.threshold !== undefined && after.threshold !== undefined && before.threshold !== after.threshold) {
    const up = /Greater/.test(after.comparison ?? '');
    if ((up && after.threshold > before.threshold) || (!up && after.threshold < before.threshold)) reasons.push(`threshold ${before.threshold} → ${after.threshold}`);
  }
  if ((after.datapointsToAlarm ?? 0) > (before.datapointsToAlarm ?? 0)) reasons.push(`datapoints to alarm ${before.datapointsToAlarm} → ${after.datapointsToAlarm}`);
  if ((after.evaluationPeriods ?? 0) > (before.evaluationPeriods ?? 0)) reasons.push(`evaluation periods ${before.evaluationPeriods} → ${after.evaluationPeriods}`);
  if ((after.period ?? 0) > (before.period ?? 0)) reasons.push(`period ${before.period} → ${after.period} s`);
  for (const t of before.triggers) if (!after.triggers.includes(t)) reasons.push(`no longer triggers ${t}`);
  return reasons.length ? reasons.join(', ') : undefined;
}

function diffStack(base: StackArtifact, cur: StackArtifact, options: DiffOptions): DiffFinding[] {
  const out: DiffFinding[] = [];
  const f = (kind: FindingKind, resource: string, change: string) => out.push({ stack: cur.stackName, kind, resource, change });
  const br = base.template.Resources; const cr = cur.template.Resources;
  for (const [id, r] of Object.entries(cr)) {
    if (!REPLACED_ON_CHANGE.includes(r.Type)) continue;
    if (!br[id]) f('replacement', id, `new ${r.Type} (a new model or endpoint config version: the endpoint is updated to it)`);
    else if (JSON.stringify(br[id].Properties) !== JSON.stringify(r.Properties)) f('replacement', id, `${r.Type} properties changed: requires replacement`);
  }
  for (const [id, r] of Object.entries(br)) {
    if (REPLACED_ON_CHANGE.includes(r.Type) && !cr[id]) f('replacement', id, `${r.Type} removed (replaced)`);
  }
  for (const [id, r] of Object.entries(cr)) {
    if (r.Type === 'AWS::SageMaker::Endpoint' && br[id] && JSON.stringify(br[id].Properties?.DeploymentConfig) !== JSON.stringify(r.Properties?.DeploymentConfig)) {
      f('replacement', id, 'endpoint deployment config (rollout strategy or rollback alarms) changed');
    }
  }
  const key = (s: ReturnType<typeof analyseIam>[number]) => JSON.stringify([s.source, s.principal, s.effect, s.actions, s.resources, s.conditions]);
  const bi = new Set(analyseIam(base).map(key)); const ci = new Set(analyseIam(cur).map(key));
  for (const s of analyseIam(cur)) if (!bi.has(key(s))) f('iam', s.source, `added: ${s.effect} ${s.actions.join(', ')} on ${s.resources.join(', ') || '-'} for ${s.principal}${s.conditions ? ` when ${s.conditions}` : ''}${s.wildcards.length ? ` (wildcards: ${s.wildcards.join(', ')})` : ''}`);
  for (const s of analyseIam(base)) if (!ci.has(key(s))) f('iam', s.source, `removed: ${s.effect} ${s.actions.join(', ')} on ${s.resources.join(', ') || '-'}`);
  const be = new Map(analyseEncryption(base).map((e) => [e.resource, e]));
  for (const e of analyseEncryption(cur)) {
    const b = be.get(e.resource);
    if (!b) { if (!e.ok) f('encryption', e.resource, `new ${e.type} without full encryption: ${e.atRest}; ${e.inTransit}`); continue; }
    if (b.atRest !== e.atRest || b.inTransit !== e.inTransit) f('encryption', e.resource, `${b.atRest} / ${b.inTransit} → ${e.atRest} / ${e.inTransit}`);
  }
  const bx = new Map(analyseExposure(base).map((e) => [e.resource, e]));
  for (const e of analyseExposure(cur)) {
    const b = bx.get(e.resource);
    if (!b) { if (e.type !== 'S3 bucket' && e.type !== 'SageMaker model container') f('exposure', e.resource, `new ${e.type}: ${e.entryPoint}, ${e.authorization}`); continue; }
    if (b.authorization !== e.authorization || b.entryPoint !== e.entryPoint) f('exposure', e.resource, `${b.entryPoint} [${b.authorization}] → ${e.entryPoint} [${e.authorization}]`);
  }
  const ba = new Map(analyseAlarms(base).map((a) => [a.logicalId, a])); const ca = new Map(analyseAlarms(cur).map((a) => [a.logicalId, a]));
  for (const [id, a] of ba) {
    const now = ca.get(id);
    if (!now) f('alarm', id, `alarm removed (it triggered ${a.triggers.join(', ') || 'nothing'})`);
    else { const why = loosened(a, now); if (why) f('alarm', id, `alarm loosened: ${why}`); }
  }
  if (options.acknowledgements === false) return out;
  const ackKey = (a: { constructPath: string; ruleId: string }) => `${a.constructPath}|${a.ruleId}`;
  const bk = new Map(base.acknowledgements.map((a) => [ackKey(a), a]));
  for (const a of cur.acknowledgements) {
    const b = bk.get(ackKey(a));
    if (!b) f('acknowledgement', a.constructPath, `acknowledgement added: ${a.ruleId} — ${a.reason}`);
    else if (b.reason !== a.reason) f('acknowledgement', a.constructPath, `reason of ${a.ruleId} changed: "${b.reason}" → "${a.reason}"`);
  }
  return out;
}

export interface DiffOptions {
  /**
   * Compare the acknowledgements of compliance findings. A baseline read back from deployed stacks
   * has none (CloudFormation keeps the template, not the assembly's metadata): leave them out then.
   * @default true
   */
  readonly acknowledgements?: boolean;
}

/** What an auditor must look at between an approved assembly and the current one. */
export function diffAssemblies(baseline: CloudAssembly, current: CloudAssembly, options: DiffOptions = {}): DiffFinding[] {
  const findings: DiffFinding[] = [];
  const base = new Map(baseline.stacks.map((s) => [s.stackName, s]));
  for (const cur of current.stacks) {
    const b = base.get(cur.stackName);
    if (!b) findings.push({ stack: cur.stackName, kind: 'stack', resource: cur.stackName, change: 'new stack: review its full audit report' });
    else findings.push(...diffStack(b, cur, options));
  }
  for (const b of baseline.stacks) {
    if (!current.stacks.some((s) => s.stackName === b.stackName)) findings.push({ stack: b.stackName, kind: 'stack', resource: b.stackName, change: 'stack removed' });
  }
  return findings;
}

/** The findings as Markdown, grouped by stack and kind. */
export function renderDiffMarkdown(findings: DiffFinding[]): string {
  if (findings.length === 0) return '# Change review\n\nNothing needs sign-off: no replacements, IAM, encryption, exposure, alarm or acknowledgement changes.\n';
  const out = ['# Change review', '', `${findings.length} changes need sign-off.`, ''];
  for (const stack of [...new Set(findings.map((x) => x.stack))]) {
    out.push(`## ${stack}`, '', '| Kind | Resource | Change |', '|---|---|---|');
    for (const x of findings.filter((y) => y.stack === stack)) out.push(`| ${x.kind} | ${x.resource} | ${x.change.replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  return out.join('\n');
}
