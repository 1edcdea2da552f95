import { CloudFormationValidatePlugin } from 'aws-cdk-lib';
import { SAGEMAKER_GUARD_RULES } from './sagemaker-guard-rules';

/** The validator plugin's name as it prefixes rule ids (`CloudFormation-Validate::SM_001`). */
export const GUARD_RULE_NAMESPACE = 'CloudFormation-Validate';

/** The id to acknowledge a finding of one rule with, e.g. `guardRuleAckId('SM-002')`. */
export function guardRuleAckId(ruleId: string): string {
  return `${GUARD_RULE_NAMESPACE}::${ruleId.replace(/-/g, '_')}`;
}

/**
 * The built-in CloudFormation template validator with the project's SageMaker Guard rules added.
 * Registering a `CloudFormationValidatePlugin` explicitly replaces the one aws-cdk-lib registers
 * on its own, so `includeDefaultRules: true` keeps the default rules (schemas, cfn-lint rules).
 */
export function sageMakerGuardPlugin(): CloudFormationValidatePlugin {
  return new CloudFormationValidatePlugin({
    guardRules: SAGEMAKER_GUARD_RULES.map((rule) => ({ name: rule.id, content: rule.source })),
    includeDefaultRules: true,
  });
}
