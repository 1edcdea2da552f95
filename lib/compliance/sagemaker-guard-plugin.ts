import { CloudFormationValidatePlugin } from 'aws-cdk-lib';
import { SAGEMAKER_GUARD_RULES } from './sagemaker-guard-rules';

/** The validator plugin's name as it prefixes rule ids (`CloudFormation-Validate::SM_001`). */
export const GUARD_RULE_NAMESPACE = 'CloudFormation-Validate';

/** The id to acknowledge a finding of one rule with, e.g. `guardRuleAckId('SM-002')`. */
export function guardRuleAckId(ruleId: string): string {
  return `${GUARD_RULE_NAMESPACE}::${ruleId.replace(/-/g, '_')}`;
}

let shared: CloudFormationValidatePlugin | undefined;

/**
 * The built-in CloudFormation template validator with the project's SageMaker Guard rules added.
 * Registering a `CloudFormationValidatePlugin` explicitly replaces the one aws-cdk-lib registers
 * on its own, so `includeDefaultRules: true` keeps the default rules (schemas, cfn-lint rules).
 *
 * One instance per process, as aws-cdk-lib keeps its own default plugin: compiling the rules into
 * the validator's WebAssembly engine costs ~10 s of CPU, and the plugin reuses its engine for
 * every later app whose resource types it has already seen (it holds no per-app state), so a
 * second synth in the same process (tests, `bench:synth`, several apps) validates in ~1 s.
 */
export function sageMakerGuardPlugin(): CloudFormationValidatePlugin {
  shared ??= new CloudFormationValidatePlugin({
    guardRules: SAGEMAKER_GUARD_RULES.map((rule) => ({ name: rule.id, content: rule.source })),
    includeDefaultRules: true,
  });
  return shared;
}
