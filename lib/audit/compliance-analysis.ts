import * as path from 'node:path';
import type { Acknowledgement, CloudAssembly, StackArtifact, ValidationFinding } from './cloud-assembly';
import { SAGEMAKER_GUARD_RULES } from '../compliance/sagemaker-guard-rules';

export interface ComplianceSummary {
  /** The packs and validators that ran on the synth. */
  readonly checks: string[];
  /** Unacknowledged findings for this stack (zero on an approved synth). */
  readonly openFindings: ValidationFinding[];
  /** Every acknowledgement with its reason and owner construct, grouped by pack in the renderers. */
  readonly acknowledgements: Array<Acknowledgement & { pack: string }>;
  /** The project's Guard rules and whether each passed for this stack. */
  readonly guardRules: Array<{ id: string; title: string; status: 'pass' | 'fail' | 'acknowledged' }>;
}

/** The pack an acknowledged rule id belongs to. */
export function packOf(ruleId: string): string {
  if (ruleId.startsWith('CloudFormation-Validate::')) return 'CloudFormation template validator';
  const prefix = /^([\w.]+)-/.exec(ruleId)?.[1] ?? 'other';
  return ({ AwsSolutions: 'cdk-nag AwsSolutions', 'HIPAA.Security': 'cdk-nag HIPAA Security', 'NIST.800.53.R5': 'cdk-nag NIST 800-53 R5' } as Record<string, string>)[prefix] ?? prefix;
}

/** Whether a finding's resource is in this stack: by template file, or by construct path under the stack's path. */
function inStack(stack: StackArtifact, r: ValidationFinding['resources'][number]): boolean {
  const template = path.basename(stack.templateFile);
  return !!(r.templatePath && path.basename(r.templatePath) === template)
    || [stack.displayName, stack.stackName].some((id) => r.constructPath?.startsWith(`${id}/`) || r.constructPath?.startsWith(`/${id}/`));
}

/** cdk-nag and template-validator results for the stacks of a stage, each acknowledgement with its reason and owner. */
export function analyseCompliance(assembly: CloudAssembly, stack: StackArtifact, stacks: StackArtifact[] = [stack]): ComplianceSummary {
  const mine = assembly.validationFindings.filter((f) => f.resources.length === 0 || f.resources.some((r) => stacks.some((s) => inStack(s, r))));
  const acknowledgements = stack.acknowledgements.map((a) => ({ ...a, pack: packOf(a.ruleId) }));
  return {
    checks: ['cdk-nag AwsSolutions', 'cdk-nag HIPAA Security', 'cdk-nag NIST 800-53 R5', 'CloudFormation template validator (schemas, cfn-lint rules)', `Guard rules ${SAGEMAKER_GUARD_RULES.map((r) => r.id).join(', ')}`],
    openFindings: mine.filter((f) => !f.suppressed),
    acknowledgements,
    guardRules: SAGEMAKER_GUARD_RULES.map((rule) => {
      const failing = mine.some((f) => !f.suppressed && f.ruleName === rule.guardName);
      const acked = acknowledgements.some((a) => a.ruleId.endsWith(`::${rule.guardName}`));
      return { id: rule.id, title: rule.title, status: failing ? 'fail' : acked ? 'acknowledged' : 'pass' };
    }),
  };
}
