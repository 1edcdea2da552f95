import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { sageMakerGuardPlugin } from './sagemaker-guard-plugin';

/** The cdk-nag range this package is tested with (its optional peer dependency). */
export const CDK_NAG_VERSION_RANGE = '~3.0.2';

/**
 * Runs the compliance checks the platform is held to on every synth of `scope` (usually the
 * app): the cdk-nag AwsSolutions, HIPAA Security and NIST 800-53 R5 packs, and the built-in
 * template validator with the SageMaker Guard rules SM-001..SM-005 (default rules kept). An
 * unacknowledged finding fails the synth. Needs the optional peer dependency cdk-nag.
 */
export function addCompliancePacks(scope: IConstruct): void {
  const nag = loadCdkNag();
  Validations.of(scope).addPlugins(new nag.AwsSolutionsChecks(scope), new nag.HIPAASecurityChecks(scope), new nag.NIST80053R5Checks(scope));
  Validations.of(scope).addPlugins(sageMakerGuardPlugin());
}

/**
 * cdk-nag is loaded only here, so the rest of this entry (Guard rules, acknowledgements) and the
 * constructs work in apps that do not install it.
 */
function loadCdkNag(): typeof import('cdk-nag') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional peer dependency, loaded on use
    return require('cdk-nag') as typeof import('cdk-nag');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND' || !(error as Error).message.includes("'cdk-nag'")) throw error;
    throw new Error(`addCompliancePacks needs the optional peer dependency cdk-nag: npm install --save-dev cdk-nag@${CDK_NAG_VERSION_RANGE}`);
  }
}
