import type { PipelineConfig, PlatformConfig } from '../config/config-schema';

/** Where one stage deploys and what the pipeline does around it. */
export interface PipelineStagePlan {
  readonly name: string;
  /** The stage's account and region: the config's, else the pipeline's (CDK Pipelines deploys a stage to its own environment). */
  readonly account: string;
  readonly region: string;
  /** The last stage: behind the model approval check, the change review and a manual approval. */
  readonly production: boolean;
}

/** A SageMaker model registry approval status, as CloudFormation's `ModelApprovalStatus` takes it. */
export type ModelApprovalStatus = 'Approved' | 'PendingManualApproval';

/** The stages the pipeline deploys, in order, each with its environment. */
export function pipelineStages(config: PlatformConfig & { pipeline: PipelineConfig }): PipelineStagePlan[] {
  const { pipeline } = config;
  return pipeline.stages.map((name, i) => ({
    name,
    account: config.stages[name].account ?? pipeline.account,
    region: config.stages[name].region ?? pipeline.region,
    production: i === pipeline.stages.length - 1,
  }));
}

/** Whether the pipeline deploys this stage (otherwise it is deployed by hand with `cdk deploy`). */
export function isPipelineStage(config: PlatformConfig, stageName: string): boolean {
  return config.pipeline?.stages.includes(stageName) ?? false;
}

/** Whether the pipeline smoke-tests this stage after deploying it: every pipeline stage but production. */
export function isSmokeTested(config: PlatformConfig, stageName: string): boolean {
  const stages = config.pipeline?.stages ?? [];
  return stages.includes(stageName) && stages[stages.length - 1] !== stageName;
}

/**
 * How a stage registers its model versions in its model package group. Without a pipeline nothing
 * gates a version between the config and the endpoint, so the registry records what is served:
 * `Approved`. With one, versions wait for a reviewer (`PendingManualApproval`) — except in
 * production, which the pipeline deploys only after checking the version is Approved in the model
 * registry stage, so production's own registry records it as approved.
 */
export function modelRegistrationStatus(config: PlatformConfig, stageName: string): ModelApprovalStatus {
  if (!config.pipeline) return 'Approved';
  const stages = config.pipeline.stages;
  return stages[stages.length - 1] === stageName ? 'Approved' : 'PendingManualApproval';
}

/** The CDK bootstrap's lookup role of an environment (default qualifier): read-only, trusted by `cdk bootstrap --trust` accounts. */
export function bootstrapLookupRoleArn(partition: string, account: string, region: string): string {
  return `arn:${partition}:iam::${account}:role/cdk-hnb659fds-lookup-role-${account}-${region}`;
}
