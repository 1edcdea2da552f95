import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GpuInferenceEndpoint, GpuInferenceEndpointProps } from '../../lib/endpoint/gpu-inference-endpoint';
import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';
import { InferenceImage } from '../../lib/endpoint/inference-image';
import { ModelVersion } from '../../lib/artifacts/model-version';
import { InferencePlatformStage } from '../../lib/platform/inference-platform-stage';
import { buildPlatformApp } from '../../lib/platform/platform-app';
import { Json, errorMessage, referenceConfig, storeWithVersion } from '../helpers/fixtures';

/** Shared by the rollout tests: endpoints on a fixture stack, template lookups, the reference app in memory. */

export interface EndpointFixture {
  readonly stack: Stack;
  readonly modelVersion: ModelVersion;
}

/** A fixture stack (project cdk.json context, validator on) with an artifact store holding an 8B bf16 model version. */
export function endpointFixture(): EndpointFixture {
  const { stack, modelVersion } = storeWithVersion();
  return { stack, modelVersion };
}

/** A vLLM endpoint on ml.g5.2xlarge, named `name`, with construct id `id`; props override anything. */
export function addEndpoint(f: EndpointFixture, id: string, props: Partial<GpuInferenceEndpointProps> = {}): GpuInferenceEndpoint {
  return new GpuInferenceEndpoint(f.stack, id, {
    modelVersion: f.modelVersion,
    image: InferenceImage.vllm(),
    instanceType: GpuInstanceType.G5_2XLARGE,
    endpointName: `${id.toLowerCase()}-prod`,
    ...props,
  });
}

/** The problem lines of a PropValidation error (`  - field: value problem`). */
export function problemLines(message: string): string[] {
  return message.split('\n').filter((line) => line.startsWith('  - ')).map((line) => line.slice(4));
}

/** The problem lines of the error `fn` throws (fails when it does not throw). */
export function problemsOf(fn: () => unknown): string[] {
  return problemLines(errorMessage(fn));
}

/** Resources of a type in a template, by logical id. */
export function resourcesOfType(template: Template, type: string): Record<string, Json> {
  const resources = template.toJSON().Resources as Record<string, Json>;
  return Object.fromEntries(Object.entries(resources).filter(([, r]) => r.Type === type));
}

/** The single resource of a type whose logical id starts with `prefix`. */
export function resourceWithPrefix(template: Template, type: string, prefix: string): { id: string; resource: Json } {
  const matches = Object.entries(resourcesOfType(template, type)).filter(([id]) => id.startsWith(prefix));
  if (matches.length !== 1) throw new Error(`expected one ${type} with id prefix ${prefix}, found ${matches.map(([id]) => id).join(', ') || 'none'}`);
  return { id: matches[0][0], resource: matches[0][1] };
}

/** The AWS::SageMaker::Endpoint with this EndpointName. */
export function endpointResource(template: Template, endpointName: string): { id: string; resource: Json } {
  const matches = Object.entries(resourcesOfType(template, 'AWS::SageMaker::Endpoint')).filter(([, r]) => r.Properties.EndpointName === endpointName);
  if (matches.length !== 1) throw new Error(`expected one endpoint named ${endpointName}, found ${matches.length}`);
  return { id: matches[0][0], resource: matches[0][1] };
}

/** The reference platform's stages built in memory (not synthesized), as bin/simulate-rollout.ts builds them. */
export function referenceStages(): Record<string, InferencePlatformStage> {
  const config = referenceConfig();
  const app = buildPlatformApp(config);
  const stages: Record<string, InferencePlatformStage> = {};
  for (const stage of Object.keys(config.stages)) stages[stage] = app.node.findChild(`${config.name}-${stage}`) as InferencePlatformStage;
  return stages;
}
