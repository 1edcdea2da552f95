import { inferenceComponentNameOf } from '../endpoint/inference-component-name';

/**
 * How the platform names what it deploys, from the config's names: one place, so the stacks,
 * the references between them and the config checks (platform-limits.ts) agree. Names that other
 * stacks use are literal and deterministic: a stack can name a resource of another stack without
 * a CloudFormation reference, and so without an export that would lock the other stack.
 */
export const platformNames = {
  /** The stage's shared stack: the name of the former one-stack-per-stage stack, so upgrading updates it in place. */
  sharedStack: (platform: string, stage: string) => `${platform}-${stage}`,
  modelStack: (platform: string, stage: string, model: string) => `${platform}-${stage}-${model}`,
  endpoint: (platform: string, stage: string, model: string) => `${platform}-${stage}-${model}`,
  inferenceComponent: (platform: string, stage: string, model: string) => inferenceComponentNameOf(platformNames.endpoint(platform, stage, model)),
  /** The rule that turns a model's drift alarms into events; the dead-letter queue policy allows `<platform>-<stage>-*-drift`. */
  driftRule: (platform: string, stage: string, model: string) => `${platformNames.endpoint(platform, stage, model)}-drift`,
  /** A model's composite alarm, shown on the stage overview by its literal ARN. */
  healthAlarm: (platform: string, stage: string, model: string) => `${platformNames.endpoint(platform, stage, model)}-health`,
  /** The model's own dashboard. */
  modelDashboard: (platform: string, stage: string, model: string) => platformNames.endpoint(platform, stage, model),
  /** The stage overview; pages after the first are `<overview>-<n>`. */
  overviewDashboard: (platform: string, stage: string) => `${platform}-${stage}`,
  eventBus: (platform: string, stage: string) => `${platform}-${stage}-models`,
  modelPackageGroup: (platform: string, stage: string) => `${platform}-${stage}`,
  /** IAM path of the roles of a stage's model stacks: the capture bucket's policy trusts roles under it. */
  rolePath: (platform: string, stage: string) => `/${platform}/${stage}/`,
  /** The promotion pipeline's stack, and its CodePipeline. */
  pipelineStack: (platform: string) => `${platform}-pipeline`,
  /** The role a stage lends the pipeline's smoke test (in the stage's account). */
  smokeTestRole: (platform: string, stage: string) => `${platform}-${stage}-smoke-test`,
  /** The CodeBuild role, in the pipeline's account, that runs a stage's smoke test and alone may assume the role above. */
  smokeTestRunnerRole: (platform: string, stage: string) => `${platform}-pipeline-smoke-${stage}`,
};
