/**
 * The constructs (`cdk-inference-platform`). This entry loads the peers aws-cdk-lib and
 * constructs and the package's own dependencies, never cdk-nag; the safety library, the config
 * parser, the compliance packs and the platform app have entries of their own (`/safety`,
 * `/config`, `/compliance`, `/platform`, `/audit`).
 */
export * from './endpoint';
export * from './artifacts';
export * from './scaling';
export * from './rollout';
export * from './monitoring';
export * from './gateway';
export { InferencePlatformStage } from './platform/inference-platform-stage';
export type { InferencePlatformStageProps } from './platform/inference-platform-stage';
export { SharedStageStack } from './platform/shared-stage-stack';
export type { SharedStageStackProps } from './platform/shared-stage-stack';
export { ModelStack } from './platform/model-stack';
export type { ModelStackProps } from './platform/model-stack';
export { acknowledge, acknowledgeInHipaaAndNist, acknowledgeWildcardResource, nagResourceId } from './compliance/acknowledge';
