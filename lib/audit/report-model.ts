import type { CloudAssembly, StackArtifact } from './cloud-assembly';
import { analyseAlarms, AlarmRow } from './alarm-analysis';
import { architectureSvg } from './architecture-diagram';
import { analyseCompliance, ComplianceSummary } from './compliance-analysis';
import { checkDeliveryPaths, DeliveryEdge, DeliveryReport } from './delivery-paths';
import { CostAssumptions, CostEstimate, DEFAULT_COST_ASSUMPTIONS, estimateCost } from './cost-estimate';
import { analyseEncryption, EncryptionRow } from './encryption-analysis';
import { analyseExposure, ExposureRow } from './exposure-analysis';
import { analyseIamOfStacks, IamStatementRow } from './iam-analysis';
import { analyseLineage, LineageRow } from './lineage-analysis';
import { analyseRetention, RetentionRow } from './retention-analysis';
import { StageView, stageViews } from './stage-view';

/** One template of the stage: where an auditor reads it, and how close it is to CloudFormation's limits. */
export interface TemplateRow {
  readonly stackName: string;
  /** How `cdk deploy` selects it. */
  readonly displayName: string;
  /** Relative to the assembly directory. */
  readonly templateFile: string;
  readonly resources: number;
  /** Size of the template as synthesized (CloudFormation takes at most 1 MB through S3). */
  readonly bytes: number;
}

/** Everything the report shows about one stage. */
export interface StageReport {
  readonly stage: string;
  readonly stackName: string;
  readonly region: string;
  readonly description: string;
  /** The stage's templates: its shared stack and one per model. */
  readonly templates: TemplateRow[];
  readonly inventory: Array<{ type: string; count: number }>;
  readonly diagramSvg: string;
  readonly iam: IamStatementRow[];
  readonly encryption: EncryptionRow[];
  readonly exposure: ExposureRow[];
  readonly alarms: AlarmRow[];
  readonly retention: RetentionRow[];
  readonly compliance: ComplianceSummary;
  /** The delivery paths that start or end in this stack, checked over the whole assembly. */
  readonly delivery: readonly DeliveryEdge[];
  readonly lineage: LineageRow[];
  readonly cost: CostEstimate;
}

export function inventory(stack: StackArtifact): Array<{ type: string; count: number }> {
  const counts = new Map<string, number>();
  for (const r of Object.values(stack.template.Resources)) counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);
  return [...counts.entries()].map(([type, count]) => ({ type, count })).sort((a, b) => a.type.localeCompare(b.type));
}

/**
 * The report model of one stage (all its stacks, see `stageViews`): pure, from the assembly only.
 * IAM is read stack by stack, where each acknowledgement names its own stack's logical ids; the
 * rest reads the stage as one template, so references between its stacks resolve.
 */
export function buildStageReport(assembly: CloudAssembly, view: StageView, assumptions: CostAssumptions = DEFAULT_COST_ASSUMPTIONS,
  delivery: DeliveryReport = checkDeliveryPaths(assembly)): StageReport {
  const stacks = new Set(view.stacks.map((s) => s.stackName));
  return {
    stage: view.stage,
    stackName: view.stackName,
    region: view.region ?? 'environment-agnostic (region chosen at deploy)',
    description: view.template.Description ?? '',
    templates: view.stacks.map(templateRow),
    inventory: inventory(view),
    diagramSvg: architectureSvg(view),
    iam: analyseIamOfStacks(view.stacks),
    encryption: analyseEncryption(view),
    exposure: analyseExposure(view),
    alarms: analyseAlarms(view),
    retention: analyseRetention(view),
    compliance: analyseCompliance(assembly, view, view.stacks),
    delivery: delivery.edges.filter((e) => stacks.has(e.from.stack ?? '') || stacks.has(e.to.stack ?? '')),
    lineage: analyseLineage(view),
    cost: estimateCost(view, assumptions),
  };
}

/** One report per stage of the assembly, covering every stack of the stage. */
export function buildAuditReport(assembly: CloudAssembly, assumptions?: CostAssumptions): StageReport[] {
  const delivery = checkDeliveryPaths(assembly);
  return stageViews(assembly).map((view) => buildStageReport(assembly, view, assumptions, delivery));
}

function templateRow(stack: StackArtifact): TemplateRow {
  return {
    stackName: stack.stackName,
    displayName: stack.displayName,
    templateFile: stack.templateFile,
    resources: Object.keys(stack.template.Resources).length,
    bytes: Buffer.byteLength(JSON.stringify(stack.template)),
  };
}
