import { Duration, TimeZone } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { pascalCase } from '../common/pascal-case';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import { GpuInferenceEndpoint } from '../endpoint/gpu-inference-endpoint';
import { InferenceImage } from '../endpoint/inference-image';
import { PolicySecret } from '../gateway/policy-secret';
import type { GatewayStreamingOptions, PayloadFormat } from '../gateway/safety-gateway';
import type { AutoscalingConfig, ImageConfig, ModelConfig, PlatformConfig } from '../config/config-schema';
import { configuredVariants, stageConsumers } from '../config/slo-config';
import { missingPriceReason } from '../audit/instance-prices';
import type { ModelCost } from '../monitoring/slo-cost-widgets';

/** How the config's settings become construct props: shared by the stage's stacks. */

/** Scaling policies of an endpoint's primary variant, as the config describes them. */
export function autoscale(endpoint: GpuInferenceEndpoint, config: AutoscalingConfig): void {
  const scaling = endpoint.autoScaleInstanceCount({ minCapacity: config.minCapacity, maxCapacity: config.maxCapacity });
  const cooldowns = { scaleInCooldown: Duration.seconds(config.scaleInCooldownSeconds), scaleOutCooldown: Duration.seconds(config.scaleOutCooldownSeconds) };
  if (config.invocationsPerInstancePerMinute !== undefined) {
    scaling.scaleOnInvocationsPerInstance('Invocations', { invocationsPerInstancePerMinute: config.invocationsPerInstancePerMinute, ...cooldowns });
  }
  if (config.concurrentRequestsPerInstance !== undefined) {
    scaling.scaleOnConcurrentRequests('Concurrency', { concurrentRequestsPerInstance: config.concurrentRequestsPerInstance, ...cooldowns });
  }
  if (config.gpuUtilizationPercentPerGpu !== undefined) {
    scaling.scaleOnGpuUtilization('GpuUtilization', { utilizationPercentPerGpu: config.gpuUtilizationPercentPerGpu, ...cooldowns });
  }
  for (const step of config.stepScaling ?? []) {
    scaling.scaleOnMetric(step.name, {
      metric: endpoint.metric(step.metric, { statistic: step.statistic }),
      scalingSteps: step.steps,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.seconds(step.cooldownSeconds),
    });
  }
  for (const schedule of config.schedules ?? []) {
    scaling.scaleOnSchedule(schedule.name, {
      schedule: appscaling.Schedule.expression(schedule.schedule),
      timeZone: schedule.timeZone ? TimeZone.of(schedule.timeZone) : undefined,
      minCapacity: schedule.minCapacity,
      maxCapacity: schedule.maxCapacity,
    });
  }
}

/** vLLM answers OpenAI-style; TGI and DJL LMI answer Hugging Face text generation. */
export function payloadFormat(model: ModelConfig): PayloadFormat {
  if (model.payloadFormat) return model.payloadFormat;
  const framework = model.image.framework;
  return framework === 'vllm' ? 'openai-chat' : framework === 'tgi' || framework === 'djl-lmi' ? 'hf-text-generation' : 'raw';
}

export function inferenceImage(image: ImageConfig): InferenceImage {
  if ('uri' in image) return InferenceImage.fromImageUri(image.uri, image.framework);
  switch (image.framework) {
    case 'vllm': return InferenceImage.vllm(image.tag);
    case 'djl-lmi': return InferenceImage.djlLmi(image.tag);
    case 'tgi': return InferenceImage.huggingFaceTgi(image.tag);
  }
}

/** A model's latency budget: the config's, else the endpoint's default (SageMaker's 60 s container limit). */
export function latencyBudget(model: ModelConfig): Duration {
  return Duration.millis(model.latencyBudgetMs ?? 60_000);
}

export function optional<T>(value: number | undefined, unit: (n: number) => T): T | undefined {
  return value === undefined ? undefined : unit(value);
}

/** A model's policy secret as the config names it: "generate" (a new secret with a random canary token) or a secret's ARN. */
export function policySecret(scope: Construct, modelName: string, setting: string | undefined): PolicySecret | undefined {
  if (setting === undefined) return undefined;
  return setting === 'generate' ? PolicySecret.generate()
    : PolicySecret.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(scope, `${pascalCase(modelName)}PolicySecret`, setting));
}

/**
 * The cost widgets' inputs for a model: its variants' prices in the stage's region and the stage's
 * consumers; or, when a variant has no price, why (the dashboard says so instead of a wrong number).
 */
export function dashboardCost(config: PlatformConfig, stageName: string, modelName: string): { cost?: ModelCost; missingPrices: string[] } {
  const region = config.stages[stageName].region;
  const variants = configuredVariants(config, stageName, modelName);
  const missingPrices = variants.filter((v) => !v.price).map((v) => missingPriceReason(v.instanceType, region));
  if (missingPrices.length > 0) return { missingPrices };
  const first = variants[0].price!;
  return {
    missingPrices,
    cost: {
      variants: variants.map((v) => ({ variantName: v.variantName, usdPerHour: v.price!.usdPerHour, floorInstances: v.floorInstances })),
      consumers: stageConsumers(config, stageName),
      priceNote: `${first.region}${first.regionAssumed ? ' (the stage has no region: the table\'s default)' : ''} on-demand list prices, ` +
        `${variants.map((v) => `${v.instanceType} $${v.price!.usdPerHour}/h${v.price!.confirmed ? '' : ' (unconfirmed)'}`).join(', ')}, ` +
        `retrieved ${first.retrieved} (lib/audit/pricing.json)`,
    },
  };
}

/** A model's stream settings as the config names them: `true` takes every default. */
export function streamingOptions(model: ModelConfig): boolean | GatewayStreamingOptions | undefined {
  const s = model.streaming;
  if (s === undefined || typeof s === 'boolean') return s;
  return {
    timeToFirstToken: optional(s.timeToFirstTokenMs, Duration.millis),
    totalTime: optional(s.totalMs, Duration.millis),
    stallTimeout: optional(s.stallTimeoutMs, Duration.millis),
    holdBackChars: s.holdBackChars,
  };
}

/** A streaming model's time-to-first-token budget: the config's, else the latency budget (as the gateway uses it). */
export function streamTimeToFirstToken(model: ModelConfig): Duration {
  const s = model.streaming;
  const ttft = typeof s === 'object' ? s.timeToFirstTokenMs : undefined;
  return Duration.millis(ttft ?? Math.min(model.latencyBudgetMs ?? 60_000, 27_000));
}
