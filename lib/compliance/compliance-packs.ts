import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { sageMakerGuardPlugin } from './sagemaker-guard-plugin';

/**
 * Runs the compliance checks the platform is held to on every synth of `scope` (usually the
 * app): the cdk-nag AwsSolutions, HIPAA Security and NIST 800-53 R5 packs, and the built-in
 * template validator with the SageMaker Guard rules SM-001..SM-005 (default rules kept). An
 * unacknowledged finding fails the synth. Needs the optional peer dependency cdk-nag.
 */
export function addCompliancePacks(scope: IConstruct): void {
  Validations.of(scope).addPlugins(new AwsSolutionsChecks(scope), new HIPAASecurityChecks(scope), new NIST80053R5Checks(scope));
  Validations.of(scope).addPlugins(sageMakerGuardPlugin());
}
