import { EDGE_RULES, type DeliveryEdge, type EdgeKind, type PolicyCheck } from './delivery-paths';
import type { StageReport } from './report-model';

/** A cell; `flag` marks what an auditor must look at (wildcards, unencrypted, public…). */
export interface Cell { readonly text: string; readonly flag?: boolean }
export interface Table { readonly headers: string[]; readonly rows: Cell[][] }
export interface Section {
  readonly id: string;
  readonly title: string;
  readonly summary: string[];
  readonly tables: Array<{ caption?: string } & Table>;
  /** Raw SVG (HTML inlines it; Markdown writes it next to the report). */
  readonly svg?: string;
}

const c = (text: unknown, flag = false): Cell => ({ text: text === undefined || text === null ? '' : String(text), flag });
const usd = (x: number) => `$${x.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 0 })}`;
/** Unit costs (per 1K tokens or requests) are fractions of a dollar: four significant digits. */
const unitUsd = (x: number) => `$${x.toLocaleString('en-US', { maximumSignificantDigits: 4 })}`;

/** The report's sections in order, shared by the Markdown and HTML renderers. */
export function reportSections(r: StageReport): Section[] {
  const wildcardRows = r.iam.filter((s) => s.wildcards.length > 0 && s.kind === 'identity');
  const unjustified = wildcardRows.filter((s) => s.acknowledgements.length === 0);
  const publicRows = r.exposure.filter((e) => e.public);
  const badEncryption = r.encryption.filter((e) => !e.ok);
  const byTrigger = (k: string) => r.alarms.filter((a) => a.triggers.includes(k as never)).length;
  return [
    {
      id: 'inventory', title: 'Inventory and architecture',
      summary: [`${r.inventory.reduce((s, i) => s + i.count, 0)} resources of ${r.inventory.length} types in ${r.stackName} (${r.region}).`, r.description],
      tables: [{ headers: ['Resource type', 'Count'], rows: r.inventory.map((i) => [c(i.type), c(i.count)]) }],
      svg: r.diagramSvg,
    },
    {
      id: 'templates', title: 'Templates',
      summary: [`The stage deploys ${r.templates.length} stack(s); read each template in the assembly directory (cdk.out). ` +
        'CloudFormation allows 500 resources and 1 MB (through S3) per template.'],
      tables: [{
        headers: ['Stack', 'cdk deploy', 'Template', 'Resources', 'Size'],
        rows: r.templates.map((t) => [c(t.stackName), c(t.displayName), c(t.templateFile), c(t.resources, t.resources > 400),
          c(`${(t.bytes / 1024).toFixed(1)} KB`, t.bytes > 800 * 1024)]),
      }],
    },
    {
      id: 'iam', title: 'IAM statements',
      summary: [`${r.iam.length} statements; ${wildcardRows.length} identity statements allow wildcards, ${unjustified.length} of them without an acknowledgement.`],
      tables: [{
        headers: ['Policy', 'Principal', 'Effect', 'Actions', 'Resources', 'Conditions', 'Justification of wildcards'],
        rows: r.iam.map((s) => [
          c(s.source), c(s.principal), c(s.effect),
          c(s.actions.join(', '), s.actions.some((a) => a.includes('*')) && s.effect === 'Allow'),
          c(s.resources.join(', '), s.resources.some((x) => x.includes('*')) && s.effect === 'Allow'),
          c(s.conditions),
          c(s.wildcards.length === 0 ? '' : s.acknowledgements.length ? s.acknowledgements.map((a) => `${a.ruleId}: ${a.reason}`).join(' | ') : (s.kind === 'identity' ? 'NOT ACKNOWLEDGED' : 'resource policy'), s.kind === 'identity' && s.wildcards.length > 0 && s.acknowledgements.length === 0),
        ]),
      }],
    },
    {
      id: 'encryption', title: 'Encryption at rest and in transit',
      summary: [badEncryption.length ? `${badEncryption.length} data stores need attention: ${badEncryption.map((e) => e.resource).join(', ')}.` : 'Every data store is encrypted at rest and enforces TLS where the service allows plain HTTP.'],
      tables: [{ headers: ['Resource', 'Type', 'At rest (key)', 'In transit'], rows: r.encryption.map((e) => [c(e.resource), c(e.type), c(e.atRest, !e.ok), c(e.inTransit, !e.ok && /not/i.test(e.inTransit))]) }],
    },
    {
      id: 'exposure', title: 'Network exposure',
      summary: [publicRows.length ? `${publicRows.length} entry points are reachable without authentication: ${publicRows.map((p) => p.resource).join(', ')}.` : 'Nothing is reachable without authentication.'],
      tables: [{ headers: ['Resource', 'Type', 'Reachable', 'Authorization', 'Notes'], rows: r.exposure.map((e) => [c(e.resource), c(e.type), c(e.entryPoint), c(e.authorization, e.public), c(e.notes)]) }],
    },
    {
      id: 'alarms', title: 'Alarms and what they trigger',
      summary: [`${r.alarms.length} alarms: ${byTrigger('rollback')} rollback, ${byTrigger('scaling')} scaling, ${byTrigger('notification')} notification, ${byTrigger('retraining')} retraining (drift events).`],
      tables: [{ headers: ['Alarm', 'Metric', 'Condition', 'Triggers', 'Targets'], rows: r.alarms.map((a) => [c(a.logicalId), c(a.metric), c(a.condition), c(a.triggers.join(', ') || 'nothing', a.triggers.length === 0), c(a.targets.join('; '))]) }],
    },
    deliverySection(r),
    {
      id: 'retention', title: 'Data retention',
      summary: ['Bucket lifecycles, Object Lock, log retention and capture retention as synthesized.'],
      tables: [{ headers: ['Resource', 'Type', 'Role', 'Retention', 'Protection'], rows: r.retention.map((x) => [c(x.resource), c(x.type), c(x.role), c(x.retention, /never|indefinitely/.test(x.retention)), c(x.protection)]) }],
    },
    {
      id: 'compliance', title: 'Compliance',
      summary: [
        `Checks on every synth: ${r.compliance.checks.join('; ')}.`,
        `${r.compliance.openFindings.length} unacknowledged findings; ${r.compliance.acknowledgements.length} acknowledgements, each with its reason and owner construct.`,
      ],
      tables: [
        { caption: 'Project Guard rules', headers: ['Rule', 'Requires', 'Result'], rows: r.compliance.guardRules.map((g) => [c(g.id), c(g.title), c(g.status, g.status === 'fail')]) },
        ...(r.compliance.openFindings.length ? [{ caption: 'Open findings', headers: ['Check', 'Rule', 'Severity', 'Finding', 'Resources'], rows: r.compliance.openFindings.map((f) => [c(f.plugin), c(f.ruleName, true), c(f.severity), c(f.description), c(f.resources.map((x) => x.logicalId ?? x.constructPath).join(', '))]) }] : []),
        { caption: 'Acknowledgements', headers: ['Pack', 'Rule', 'Owner construct', 'Resource', 'Reason'], rows: r.compliance.acknowledgements.map((a) => [c(a.pack), c(a.ruleId), c(a.constructPath), c(a.logicalId ?? ''), c(a.reason)]) },
      ],
    },
    {
      id: 'lineage', title: 'Model lineage',
      summary: [`${r.lineage.length} model versions deployed; each traced from version to artifact digest, training data, source commit and evaluation.`],
      tables: [{
        headers: ['Model version', 'Artifact', 'sha256', 'Training data', 'Source commit', 'Evaluation', 'Served by'],
        rows: r.lineage.map((l) => [c(`${l.model}@${l.version}`), c(l.artifactKey), c(l.sha256, !l.consistent), c(l.trainingData), c(l.sourceCommit), c(Object.entries(l.evaluationMetrics).map(([k, v]) => `${k}=${v}`).join(', ')), c([...l.endpoints, ...l.servedBy].join(', '))]),
      }],
    },
    {
      id: 'cost', title: 'Estimated monthly cost',
      summary: [
        `${usd(r.cost.minUsd)} – ${usd(r.cost.maxUsd)} per month (on-demand, ${r.cost.pricingRegion} list prices${r.cost.pricingRegionAssumed ? ' (the stage has no region: the table\'s default region)' : ''} retrieved ${r.cost.retrieved}; instance-hours at minimum and maximum capacity × 730 h).`,
        `At the configured load (${r.cost.assumptions.requestsPerMonth.toLocaleString('en-US')} requests/month × ${r.cost.assumptions.tokensPerRequest.toLocaleString('en-US')} tokens per request): ` +
          `${unitUsd(r.cost.per1kTokens.minUsd)} – ${unitUsd(r.cost.per1kTokens.maxUsd)} per 1K tokens, ${unitUsd(r.cost.per1kRequests.minUsd)} – ${unitUsd(r.cost.per1kRequests.maxUsd)} per 1K requests. ` +
          'Measured tokens and instance-hours: `npm run slo-report`.',
        `Assumptions: ${r.cost.assumptions.requestsPerMonth.toLocaleString('en-US')} gateway requests/month, ${r.cost.assumptions.lambdaSecondsPerRequest} s per request, ${r.cost.assumptions.storageGb} GB stored. Prices: ${r.cost.pricingSource}. Lines marked * use prices not confirmed against a dated source.`,
      ],
      tables: [{ headers: ['Item', 'Basis', 'Min / month', 'Max / month'], rows: r.cost.lines.map((l) => [c(`${l.item}${l.confirmedPrice ? '' : ' *'}`), c(l.detail), c(usd(l.minUsd)), c(usd(l.maxUsd))]) }],
    },
  ];
}

/** What each kind of edge proves, in an auditor's words. */
const CLAIMS: Record<EdgeKind, string> = {
  'alarm → topic': 'Every alarm can notify its topic',
  'rule → target': 'Every EventBridge rule can reach its target',
  'rule → dead-letter queue': 'Every rule can dead-letter what it fails to deliver',
  'function → dead-letter queue': 'Every function can dead-letter what it fails to process',
  'API → function': 'Every API method can invoke its function',
  'SageMaker → capture bucket': 'Every endpoint can write its captured traffic',
  'log group → key': 'Every encrypted log group can use its key',
  'rollback alarm → SageMaker': 'Every rollback alarm exists, can be read by SageMaker, and is consulted',
};

function policyCell(edge: DeliveryEdge, ...policies: Array<PolicyCheck['policy']>): Cell {
  const checks = edge.checks.filter((ch) => policies.includes(ch.policy));
  if (checks.length === 0) return c('—');
  return c(checks.map((ch) => `${ch.allows ? 'allows' : 'BLOCKS'} — ${ch.detail}`).join(' | '), checks.some((ch) => !ch.allows));
}

/** The delivery-path section: each claim as a checked fact, each edge with the policies that decide it. */
function deliverySection(r: StageReport): Section {
  const kinds = Object.keys(CLAIMS) as EdgeKind[];
  const blocked = r.delivery.filter((e) => e.status === 'blocked');
  const claims = kinds.map((kind) => {
    const edges = r.delivery.filter((e) => e.kind === kind);
    const ok = edges.filter((e) => e.status !== 'blocked').length;
    if (edges.length === 0) return '';
    return `${ok === edges.length ? '✓' : '✗'} ${CLAIMS[kind]}: ${ok} of ${edges.length} ${kind} edges allowed${edges.some((e) => e.status === 'external') ? ' (some end outside the assembly and are checked as far as it reaches)' : ''}.`;
  });
  return {
    id: 'delivery', title: 'Delivery paths: every alarm, event and failure reaches someone',
    summary: [
      `${r.delivery.length} edges of this stack checked over the whole assembly against their resource, key and identity policies, with IAM's ` +
        `evaluation logic (an explicit deny wins; a service principal needs the resource or key policy; a key allows directly or delegates to IAM). ` +
        `${blocked.length === 0 ? 'None is blocked.' : `${blocked.length} ${blocked.length === 1 ? 'is' : 'are'} blocked: deployed, ${blocked.length === 1 ? 'it' : 'they'} would silently do nothing.`}`,
      ...claims,
    ],
    tables: [
      {
        headers: ['Edge', 'From', 'To', 'Principal', 'Resource policy', 'Key policy', 'Identity / trust policy', 'Other', 'Result'],
        rows: r.delivery.map((e) => [
          c(e.kind), c(e.from.label), c(e.to.label), c(e.principal),
          policyCell(e, 'resource policy'), policyCell(e, 'key policy'), policyCell(e, 'identity policy', 'trust policy'), policyCell(e, 'existence', 'rollback configuration'),
          c(e.status, e.status === 'blocked'),
        ]),
      },
      { caption: 'The documented rule each edge is checked against', headers: ['Edge', 'Rule'], rows: kinds.map((k) => [c(k), c(EDGE_RULES[k])]) },
    ],
  };
}
