import { z } from 'zod';
import { DEFAULT_TAGS } from '../endpoint/inference-image';
import { GpuInstanceType } from '../endpoint/gpu-instance-type';

/**
 * The platform config: one JSON file the platform team edits. The JSON Schema in
 * `config/platform.schema.json` is generated from this definition (`npm run schema`), so editors
 * complete and check the same rules the app enforces.
 */

const name = z.string().regex(/^[a-z](?:-?[a-z0-9])*$/, 'must be lower-case letters, digits and single hyphens, starting with a letter').max(32, 'must be at most 32 characters');

const modelVersion = z.strictObject({
  s3Key: z.string().min(1).describe('S3 key of the artifact in the stage\'s artifact store; a key ending in "/" is an uncompressed model'),
  sha256: z.string().describe('Lower-case hex SHA-256 of the artifact'),
  trainingDataUri: z.string().describe('s3:// or https:// URI of the training data'),
  sourceCommit: z.string().describe('Git commit of the training code'),
  evaluationMetrics: z.record(z.string(), z.number()).optional().describe('Evaluation metrics by name'),
  parameterCount: z.number().positive().optional().describe('Parameter count, e.g. 8e9, to check at synth that the model fits the GPU'),
  precision: z.enum(['fp32', 'fp16', 'bf16', 'fp8', 'int8', 'int4']).optional().describe('Serving precision of the weights (default bf16)'),
}).describe('One immutable model artifact and its lineage');

const image = z.union([
  z.strictObject({
    framework: z.enum(['vllm', 'djl-lmi', 'tgi']).describe('AWS deep learning container for LLM serving'),
    tag: z.string().optional().describe(`Image tag (defaults: vllm ${DEFAULT_TAGS.vllm}, djl-lmi ${DEFAULT_TAGS.djlLmi}, tgi ${DEFAULT_TAGS.tgi})`),
  }),
  z.strictObject({
    uri: z.string().describe('Full ECR image URI: <account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>'),
    framework: z.enum(['vllm', 'djl-lmi', 'tgi', 'custom']).optional().describe('Serving framework inside the image (default custom)'),
  }),
]);

const model = z.strictObject({
  description: z.string().optional(),
  image,
  latencyBudgetMs: z.number().int().min(1).max(60000).optional()
    .describe('Most time a model call may take, in ms (default 60000, SageMaker\'s container limit); drives rollback alarms and gateway timeouts'),
  environment: z.record(z.string(), z.string()).optional().describe('Container environment for every stage'),
  versions: z.record(z.string(), modelVersion).describe('Model versions by version label'),
  payloadFormat: z.enum(['openai-chat', 'hf-text-generation', 'embeddings', 'raw']).optional()
    .describe('JSON the container speaks, for the safety gateway (default: openai-chat for vllm, hf-text-generation for tgi/djl-lmi)'),
  rawPaths: z.strictObject({ request: z.array(z.string()).min(1), response: z.array(z.string()).min(1) }).optional()
    .describe('For payloadFormat raw: dot paths of the text in the request and the response, e.g. "prompt", "choices[0].text"'),
  safetyPolicy: z.union([z.enum(['strict', 'standard', 'permissive']), z.record(z.string(), z.unknown())]).optional()
    .describe('Safety policy: a preset, or {"preset": ..., overrides} (default standard)'),
  unknownRequestFields: z.enum(['reject', 'drop']).optional()
    .describe('A request field the payload format does not know: reject it with 400 (default) or drop it before the checks and the model see the request'),
  streaming: z.union([
    z.boolean(),
    z.strictObject({
      timeToFirstTokenMs: z.number().int().min(1).max(27000).optional()
        .describe('Time until the stream starts, retries included, in ms (default latencyBudgetMs)'),
      // API Gateway streams a response for at most 15 minutes; the handler keeps 2 s for itself.
      totalMs: z.number().int().min(1000).max(898000).optional().describe('Time for the whole streamed answer, in ms (default 300000; at most 15 minutes less 2 s)'),
      // API Gateway closes a streamed response idle for 5 minutes (regional endpoints).
      stallTimeoutMs: z.number().int().min(100).max(299000).optional().describe('No token for this long ends the stream with a terminal error event, in ms (default 10000; under 5 minutes)'),
      holdBackChars: z.number().int().min(1).max(65536).optional().describe('Characters held back for the output checks (default: sized by the safety policy)'),
    }),
  ]).optional()
    .describe('Answer "stream": true requests token by token through the gateway (openai-chat and hf-text-generation): true, or the stream\'s budgets'),
}).describe('A model served by the platform');

const capacity = z.union([
  z.strictObject({ instances: z.number().int().min(1).describe('A number of instances') }),
  z.strictObject({ percent: z.number().int().min(1).max(100).describe('A percentage of the fleet') }),
]);
const minutes = z.number().positive().max(60);

const rollout = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('canary'),
    size: capacity.describe('Canary share of the new fleet, ≤ 50% of the instances'),
    bakeMinutes: minutes.describe('How long the canary bakes under the rollback alarms'),
    terminationWaitMinutes: z.number().min(0).max(60).optional().describe('Watch after full shift before the old fleet goes (default: bakeMinutes)'),
  }),
  z.strictObject({
    type: z.literal('linear'),
    step: capacity.describe('Traffic per step, 10–50% of the instances'),
    intervalMinutes: minutes,
    terminationWaitMinutes: z.number().min(0).max(60).optional(),
  }),
  z.strictObject({
    type: z.literal('rolling'),
    batch: capacity.describe('Instances per batch, 5–50% of the fleet'),
    intervalMinutes: minutes,
    rollbackBatch: capacity.optional(),
  }),
  z.strictObject({
    type: z.literal('allAtOnce'),
    bakeMinutes: z.number().positive().max(60).optional().describe('Watch after the shift before the old fleet goes (default 5)'),
  }),
]).describe('How a new model version reaches traffic');

const cooldowns = {
  scaleInCooldownSeconds: z.number().int().min(0).max(3600).describe('Wait after a scale-in (GPU instances take minutes to return)'),
  scaleOutCooldownSeconds: z.number().int().min(0).max(3600).describe('Wait after a scale-out'),
};

const autoscaling = z.strictObject({
  minCapacity: z.number().int().min(1),
  maxCapacity: z.number().int().min(1),
  invocationsPerInstancePerMinute: z.number().positive().optional().describe('Target-track invocations per instance per minute'),
  concurrentRequestsPerInstance: z.number().positive().optional().describe('Target-track concurrent requests per instance (high-resolution)'),
  gpuUtilizationPercentPerGpu: z.number().min(1).max(100).optional().describe('Target-track average utilization per GPU'),
  ...cooldowns,
  stepScaling: z.array(z.strictObject({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'must be letters and digits'),
    metric: z.string().describe('An endpoint metric, e.g. GPUMemoryUtilization or ModelLatency'),
    statistic: z.string().optional(),
    steps: z.array(z.strictObject({
      lower: z.number().optional(), upper: z.number().optional(), change: z.number().int(),
    })).min(2).describe('Capacity changes by metric interval: one interval must be open below or above'),
    cooldownSeconds: z.number().int().min(0).max(3600),
  })).optional().describe('Step scaling on any endpoint metric'),
  schedules: z.array(z.strictObject({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'must be letters and digits'),
    schedule: z.string().regex(/^(?:cron|rate|at)\(.+\)$/, 'must be cron(...), rate(...) or at(...)').describe('e.g. cron(0 22 * * ? *)'),
    timeZone: z.string().optional().describe('IANA time zone, e.g. Europe/Berlin (default UTC)'),
    minCapacity: z.number().int().min(1).optional(),
    maxCapacity: z.number().int().min(1).optional(),
  })).optional().describe('Scheduled capacity, e.g. a smaller fleet at night'),
}).describe('Instance autoscaling of the variant');

const shadow = z.strictObject({
  version: z.string().describe('The candidate version'),
  instanceType: z.string(),
  instanceCount: z.number().int().min(1).optional(),
  samplingPercentage: z.number().int().min(1).max(100).optional().describe('Share of requests copied to the shadow (default 100)'),
}).describe('A candidate version that receives a copy of live traffic; its answers are discarded');

const scaleToZero = z.strictObject({
  maxInstanceCount: z.number().int().min(1).describe('Most instances managed instance scaling may run'),
  memoryPerCopyGiB: z.number().positive().optional().describe('Host memory per model copy (default: half the instance memory)'),
  invocationsPerCopyPerMinute: z.number().positive().optional().describe('Target-tracked invocations per copy per minute (default 1)'),
}).describe('Scale to zero instances when idle (inference components); the first request after idling fails for several minutes');

const retrainingTrigger = z.strictObject({
  type: z.enum(['sagemaker-pipeline', 'state-machine', 'lambda']),
  arn: z.string().regex(/^arn:aws[a-z-]*:(?:sagemaker|states|lambda):/, 'must be the ARN of a SageMaker pipeline, a state machine or a Lambda function'),
}).describe('What a ModelDriftDetected event of this model starts');

const modelMonitor = z.strictObject({
  baselineS3Prefix: z.string().min(1).describe('Key prefix in the artifact store with constraints.json and statistics.json'),
  features: z.array(z.string().regex(/^\w+$/, 'must be a feature name (letters, digits, _)')).min(1).describe('Features whose baseline drift gets an alarm'),
  instanceType: z.string().optional().describe('Monitoring job instance type (default ml.m5.xlarge)'),
}).describe('SageMaker Model Monitor data-quality schedule (optional: Model Monitor is closed to new AWS customers); needs dataCapture');

/**
 * The lowest SLO target a 14.4× burn-rate alarm can detect: 14.4 × (100 − target) must stay
 * ≤ 100%, or the fast-burn threshold asks for more than every request to fail.
 */
export const MIN_SLO_TARGET_PERCENT = 93.1;
const sloTarget = z.number()
  .min(MIN_SLO_TARGET_PERCENT, `must be at least ${MIN_SLO_TARGET_PERCENT} (%): below it the 14.4× fast-burn alarm would need more than 100% of requests to fail; use e.g. 99.5`)
  .max(99.99, 'must be at most 99.99 (%): a tighter target leaves an error budget too small to measure at a 5-minute window');

const slo = z.strictObject({
  windowDays: z.union([z.literal(28), z.literal(30)], { error: 'must be 28 or 30 (days): the SLO window' })
    .describe('Days the SLO is measured over, and the error budget spent in (28 or 30)'),
  availability: z.strictObject({
    targetPercent: sloTarget.describe('Share of requests answered without a server-side error (5xx), in %, e.g. 99.5'),
  }).optional().describe('Availability SLO: requests answered without a 5xx at the gateway'),
  latency: z.strictObject({
    targetPercent: sloTarget.describe('Share of requests answered within thresholdMs, in %, e.g. 95'),
    thresholdMs: z.number().int().min(1).max(60000).optional()
      .describe('The latency a request must stay within, gateway end to end, in ms (default: the model\'s latencyBudgetMs)'),
  }).optional().describe('Latency SLO: requests answered within a threshold at the gateway'),
}).refine((s) => s.availability !== undefined || s.latency !== undefined, {
  message: 'needs "availability", "latency" or both: an SLO without an objective promises nothing',
}).describe('Service level objectives of this model in this stage, watched by multi-window, multi-burn-rate alarms (the stage needs a gateway: the SLIs are its metrics)');

const deployment = z.strictObject({
  version: z.string().describe('Which of the model\'s versions this stage serves'),
  instanceType: z.string().meta({ examples: GpuInstanceType.all().map((t) => t.name) }).describe('SageMaker GPU instance type, e.g. ml.g5.2xlarge'),
  instanceCount: z.number().int().min(1).optional().describe('Instances at creation (default 1)'),
  tensorParallelDegree: z.number().int().min(1).optional().describe('GPUs one replica is sharded across (default: all GPUs of the type)'),
  volumeSizeGiB: z.number().int().min(1).max(512).optional(),
  modelDataDownloadTimeoutSeconds: z.number().int().min(60).max(3600).optional(),
  containerStartupHealthCheckTimeoutSeconds: z.number().int().min(60).max(3600).optional(),
  environment: z.record(z.string(), z.string()).optional().describe('Container environment for this stage; wins over the model\'s'),
  rollout: rollout.optional(),
  maxErrorRate: z.number().gt(0).max(1).optional().describe('Share of 5xx answers from a new fleet that rolls it back (default 0.02)'),
  autoscaling: autoscaling.optional(),
  shadow: shadow.optional(),
  scaleToZero: scaleToZero.optional(),
  retrainingTrigger: retrainingTrigger.optional(),
  modelMonitor: modelMonitor.optional(),
  slo: slo.optional(),
}).describe('How a stage serves one model');

const artifactStore = z.strictObject({
  objectLock: z.strictObject({
    mode: z.enum(['GOVERNANCE', 'COMPLIANCE']),
    retentionDays: z.number().int().min(1).max(36500),
  }).optional().describe('Write-once retention for new artifact versions'),
  noncurrentVersionExpirationDays: z.number().int().min(1).max(36500).optional(),
  modelPackageGroup: z.boolean().optional().describe('Register every model version in a SageMaker Model Package Group'),
});

const gateway = z.strictObject({
  consumers: z.array(z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9](?:-?[A-Za-z0-9])*$/, 'must be letters, digits and single hyphens'),
    rateLimit: z.number().positive().describe('Requests per second'),
    burstLimit: z.number().int().min(1),
    quotaPerDay: z.number().int().min(1),
  })).describe('Teams with a usage plan and API key'),
  webAclArn: z.string().regex(/^arn:aws[a-z-]*:wafv2:/, 'must be a regional WAFv2 web ACL ARN').optional(),
  policySecrets: z.record(z.string(), z.union([
    z.literal('generate'),
    z.string().regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/, 'must be "generate" or the complete ARN of a Secrets Manager secret (ending in -XXXXXX)'),
  ])).optional().describe('Per model: where its canary tokens and sensitive banned words are kept ("generate": a new secret with a random canary token; or an existing secret\'s ARN)'),
  reservedConcurrency: z.number().int().min(1).optional(),
  logRetentionDays: z.union([z.literal(30), z.literal(90), z.literal(180), z.literal(365), z.literal(731), z.literal(1827), z.literal(3653)]).optional(),
}).describe('The safety gateway in front of this stage\'s models');

const dataCapture = z.strictObject({
  samplingPercentage: z.number().int().min(1).max(100),
  retentionDays: z.number().int().min(1).max(3650),
  mode: z.enum(['Input', 'Output', 'InputAndOutput']).optional().describe('Default InputAndOutput'),
  readerRoleArns: z.array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN')).optional()
    .describe('Roles allowed to read captured traffic'),
}).describe('SageMaker data capture of this stage\'s endpoints (inputs after gateway redaction, raw model outputs)');

const alerting = z.strictObject({
  emails: z.array(z.string().regex(/^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$/, 'must be an email address')).optional(),
}).describe('Who hears about this stage\'s alarms');

const quotas = z.strictObject({
  endpoints: z.number().int().min(1).optional()
    .describe('SageMaker endpoints this account may have in this region (Service Quotas, SageMaker); each model is one endpoint'),
  instances: z.record(z.string(), z.number().int().min(0)).optional()
    .describe('SageMaker "<type> for endpoint usage" quotas by instance type, e.g. {"ml.g5.12xlarge": 4}; a blue/green rollout runs two fleets'),
  stacks: z.number().int().min(1).optional().describe('CloudFormation stacks this account may have in this region (default 2000); a stage is one stack plus one per model'),
}).describe('Quotas of the stage\'s account and region that differ per account: the config is checked against them');

const stage = z.strictObject({
  account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id').optional().describe('Target account (default: environment-agnostic)'),
  region: z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1').optional().describe('Target region (default: environment-agnostic)'),
  artifactStore: artifactStore.optional(),
  models: z.record(z.string(), deployment).describe('Models this stage serves, by model name'),
  gateway: gateway.optional(),
  dataCapture: dataCapture.optional(),
  alerting: alerting.optional(),
  lambdaConcurrencyLimit: z.number().int().min(1).optional()
    .describe('The account\'s Lambda concurrent executions quota in the stage\'s region (Service Quotas), which the stage\'s reserved concurrency must leave 100 of (default 1000, Lambda\'s default quota)'),
  externalAccounts: z.array(z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id')).optional()
    .describe('Accounts other than the stage\'s own that ARNs in this stage may name on purpose (e.g. the data science account of a capture reader)'),
  quotas: quotas.optional(),
});

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
const regionName = z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1');
const branch = z.string().regex(/^[^\s~^:?*[\\]+$/, 'must be a git branch name such as main').describe('Branch whose commits start the pipeline');

const pipelineSource = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('codeconnections'),
    connectionArn: z.string().regex(/^arn:aws[a-z-]*:(?:codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/,
      'must be the ARN of an AWS CodeConnections connection: arn:aws:codeconnections:<region>:<account>:connection/<uuid> (console: Developer Tools > Settings > Connections)')
      .describe('CodeConnections connection to GitHub, GitLab or Bitbucket, in the pipeline\'s account'),
    repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must be "owner/repository"').describe('Repository as owner/name'),
    branch,
  }),
  z.strictObject({
    type: z.literal('codecommit'),
    repositoryName: z.string().regex(/^[\w.-]{1,100}$/, 'must be a CodeCommit repository name: letters, digits, ".", "_" and "-", ≤ 100 characters'),
    branch,
  }),
  z.strictObject({
    type: z.literal('s3'),
    bucketName: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name').describe('Versioned bucket in the pipeline\'s account'),
    objectKey: z.string().regex(/^[^/].*\.zip$/, 'must be the key of a .zip of the repository, without a leading "/"').describe('Key of the zipped source; a new version starts the pipeline'),
  }),
]).describe('Where the pipeline gets the platform\'s code and config');

const pipeline = z.strictObject({
  account: accountId.describe('Account the pipeline runs in; every stage account trusts it (cdk bootstrap --trust)'),
  region: regionName.describe('Region the pipeline runs in'),
  source: pipelineSource,
  stages: z.array(name).min(2, 'must list at least two stages: one to test, then production')
    .describe('Stages in deployment order; the last is production. Each earlier stage is smoke-tested; production waits for approved model versions and a manual approval of its audit diff'),
  modelRegistryStage: name.describe('A stage before production with artifactStore.modelPackageGroup: registers new model versions PendingManualApproval; production deploys only versions Approved there'),
}).describe('A self-mutating CDK Pipelines pipeline that promotes the platform through its stages (opt-in)');

const instanceType = z.strictObject({
  accelerator: z.string().min(1).describe('The accelerator model, e.g. "RTX PRO 6000"'),
  gpuCount: z.number().int().min(1).max(64).describe('GPUs on the instance'),
  gpuMemoryGiB: z.number().positive().describe('GPU memory of all GPUs together, in GiB'),
  vcpus: z.number().int().min(1),
  memoryGiB: z.number().positive().describe('Host memory, in GiB'),
  hasLocalNvmeStorage: z.boolean().describe('Whether it has local NVMe instance storage: then SageMaker refuses a KMS key on the endpoint config'),
}).describe('The hardware facts of a SageMaker GPU instance type outside the built-in catalog');

export const platformConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  name: name.describe('Platform name: the prefix of every stack'),
  models: z.record(name, model),
  stages: z.record(name, stage),
  instanceTypes: z.record(z.string(), instanceType).optional()
    .describe('GPU instance types outside the built-in catalog, by SageMaker name (e.g. "ml.g7e.2xlarge"), with their hardware facts'),
  pipeline: pipeline.optional(),
});

export type PlatformConfig = z.infer<typeof platformConfigSchema>;
export type ModelConfig = z.infer<typeof model>;
export type ModelVersionConfig = z.infer<typeof modelVersion>;
export type ModelDeploymentConfig = z.infer<typeof deployment>;
export type StageConfig = z.infer<typeof stage>;
export type ImageConfig = z.infer<typeof image>;
export type RolloutConfig = z.infer<typeof rollout>;
export type CapacityConfig = z.infer<typeof capacity>;
export type AutoscalingConfig = z.infer<typeof autoscaling>;
export type GatewayConfig = z.infer<typeof gateway>;
export type InstanceTypeConfig = z.infer<typeof instanceType>;
export type PipelineConfig = z.infer<typeof pipeline>;
export type PipelineSourceConfig = z.infer<typeof pipelineSource>;
export type SloConfig = z.infer<typeof slo>;

/** The JSON Schema of the config, for editors. */
export function platformConfigJsonSchema(): object {
  return z.toJSONSchema(platformConfigSchema, { target: 'draft-7', io: 'input' });
}
