import type { CloudAssembly, StackArtifact } from './cloud-assembly';
import { analyseAlarms, AlarmRow } from './alarm-analysis';
import { architectureSvg } from './architecture-diagram';
import { analyseCompliance, ComplianceSummary } from './compliance-analysis';
import { checkDeliveryPaths, DeliveryEdge, DeliveryReport } from './delivery-paths';
import { CostAssumptions, CostEstimate, DEFAULT_COST_ASSUMPTIONS, estimateCost } from './cost-estimate';
import { analyseEncryption, EncryptionRow } from './encryption-analysis';
import { analyseExposure, ExposureRow } from './exposure-analysis';
import { analyseIam, IamStatementRow } from './iam-analysis';
import { analyseLineage, LineageRow } from './lineage-analysis';
import { analyseRetention, RetentionRow } from './retention-analysis';

/** Everything the report shows about one stage. */
export interface StageReport {
  readonly stage: string;
  readonly stackName: string;
  readonly region: string;
  readonly description: string;
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

/** The report model of one stage: pure, from the assembly only. */
export function buildStageReport(assembly: CloudAssembly, stack: StackArtifact, assumptions: CostAssumptions = DEFAULT_COST_ASSUMPTIONS,
  delivery: DeliveryReport = checkDeliveryPaths(assembly)): StageReport {
  return {
    stage: stack.stage,
    stackName: stack.stackName,
    region: stack.region ?? 'environment-agnostic (region chosen at deploy)',
    description: stack.template.Description ?? '',
    inventory: inventory(stack),
    diagramSvg: architectureSvg(stack),
    iam: analyseIam(stack),
    encryption: analyseEncryption(stack),
    exposure: analyseExposure(stack),
    alarms: analyseAlarms(stack),
    retention: analyseRetention(stack),
    compliance: analyseCompliance(assembly, stack),
    delivery: delivery.edges.filter((e) => e.from.stack === stack.stackName || e.to.stack === stack.stackName),
    lineage: analyseLineage(stack),
    cost: estimateCost(stack, assumptions),
  };
}

/** One report per stage of the assembly. */
export function buildAuditReport(assembly: CloudAssembly, assumptions?: CostAssumptions): StageReport[] {
  const delivery = checkDeliveryPaths(assembly);
  return assembly.stacks.map((s) => buildStageReport(assembly, s, assumptions, delivery));
}
