import { App, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { DataCaptureStore } from '../../lib/monitoring/data-capture-store';
import { GATEWAY_METRICS, GATEWAY_NAMESPACE } from '../../lib/gateway/gateway-metrics';
import { GpuInferenceEndpoint, GpuInferenceEndpointProps } from '../../lib/endpoint/gpu-inference-endpoint';
import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';
import { InferenceImage } from '../../lib/endpoint/inference-image';
import { MetricReference } from '../../lib/monitoring/model-dashboard';
import { ModelArtifactStore } from '../../lib/artifacts/model-artifact-store';
import { ModelVersion } from '../../lib/artifacts/model-version';
import { SafetyGateway } from '../../lib/gateway/safety-gateway';
import { Json, cdkJsonContext, versionProps } from '../helpers/fixtures';

/** Shared by the drift tests: a stage with a model on a GPU endpoint, data capture and a gateway. */

export interface DriftFixture {
  readonly app: App;
  readonly stack: Stack;
  readonly store: ModelArtifactStore;
  readonly modelVersion: ModelVersion;
  readonly capture: DataCaptureStore;
}

/**
 * A stack in an app with the project's cdk.json context. Lambda bundling is skipped (the
 * gateway's handlers are not under test here); `withNag` adds the three packs the platform runs.
 */
export function driftFixture(options: { stackProps?: StackProps; withNag?: boolean; outdir?: string } = {}): DriftFixture {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] }, ...(options.outdir ? { outdir: options.outdir } : {}) });
  if (options.withNag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app), new NIST80053R5Checks(app));
  const stack = new Stack(app, 'DriftStack', options.stackProps);
  const store = new ModelArtifactStore(stack, 'Store');
  const modelVersion = store.addModelVersion(versionProps());
  const capture = new DataCaptureStore(stack, 'Capture', { retention: Duration.days(30), serverAccessLogsBucket: store.accessLogBucket });
  return { app, stack, store, modelVersion, capture };
}

/** A vLLM endpoint on ml.g5.12xlarge (4 GPUs) with data capture and a 20 s latency budget; props override anything. */
export function addEndpoint(f: DriftFixture, id: string, props: Partial<GpuInferenceEndpointProps> = {}): GpuInferenceEndpoint {
  return new GpuInferenceEndpoint(f.stack, id, {
    modelVersion: f.modelVersion,
    image: InferenceImage.vllm(),
    instanceType: GpuInstanceType.G5_12XLARGE,
    endpointName: `${id.toLowerCase()}-staging`,
    dataCapture: { store: f.capture, samplingPercentage: 10 },
    latencyBudget: Duration.seconds(20),
    ...props,
  });
}

/** A gateway in front of the given endpoints, by model name. */
export function addGateway(f: DriftFixture, models: Record<string, GpuInferenceEndpoint>, stage = 'staging'): SafetyGateway {
  return new SafetyGateway(f.stack, 'Gateway', {
    stage,
    models: Object.fromEntries(Object.entries(models).map(([name, endpoint]) => [name, { endpoint, format: 'openai-chat' as const }])),
    consumers: [{ name: 'team-a', rateLimit: 10, burstLimit: 20, quota: 10000 }],
  });
}

/** Resources of a type in a template JSON, by logical id. */
export function resourcesOfType(template: Json, type: string): Record<string, Json> {
  return Object.fromEntries(Object.entries(template.Resources as Record<string, Json>).filter(([, r]) => r.Type === type));
}

/** The one resource of a type; fails when there are none or several. */
export function onlyResource(template: Json, type: string): Json {
  const found = Object.values(resourcesOfType(template, type));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/**
 * Metrics SageMaker publishes for real-time endpoints, by namespace (SageMaker Developer Guide,
 * "Monitor SageMaker with CloudWatch", as summarised in shared/reference/sagemaker.md §3).
 */
export const SAGEMAKER_METRICS: Record<string, string[]> = {
  'AWS/SageMaker': ['Invocations', 'Invocation4XXErrors', 'Invocation5XXErrors', 'InvocationModelErrors', 'InvocationsPerInstance',
    'ModelLatency', 'OverheadLatency', 'ModelSetupTime', 'ConcurrentRequestsPerModel', 'ConcurrentRequestsPerCopy'],
  '/aws/sagemaker/Endpoints': ['CPUUtilization', 'MemoryUtilization', 'DiskUtilization', 'GPUUtilization', 'GPUMemoryUtilization'],
};

/** The safety library's check names (lambda/safety/types.ts CheckName), for the per-check gateway metrics. */
export const KNOWN_CHECKS = ['size', 'unicode', 'injection', 'encoded_payload', 'classifier', 'pii', 'secrets', 'banned_words', 'toxicity', 'canary', 'custom_pattern'];

/** Why a metric reference is not one that exists: undefined when it does. */
export function unknownMetric(ref: MetricReference): string | undefined {
  if (ref.namespace in SAGEMAKER_METRICS) {
    if (!SAGEMAKER_METRICS[ref.namespace].includes(ref.metricName)) return `${ref.namespace} ${ref.metricName} is not a SageMaker metric`;
    if (!ref.dimensions.EndpointName) return `${ref.namespace} ${ref.metricName} has no EndpointName dimension`;
    return undefined;
  }
  if (ref.namespace === GATEWAY_NAMESPACE) {
    const perCheck = /^(?:Blocked|Redacted)_(\w+)$/.exec(ref.metricName);
    const known = ref.metricName in GATEWAY_METRICS || (perCheck !== null && KNOWN_CHECKS.includes(perCheck[1]));
    if (!known) return `${ref.metricName} is not a gateway metric`;
    if (Object.keys(ref.dimensions).sort().join() !== 'Model,Stage') return `${ref.metricName} lacks the Stage and Model dimensions`;
    return undefined;
  }
  return `${ref.namespace} is neither an AWS namespace nor the gateway's`;
}
