import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DataCaptureStore } from '../../lib/monitoring/data-capture-store';
import { DriftMonitor } from '../../lib/monitoring/drift-monitor';
import { GpuInferenceEndpoint } from '../../lib/endpoint/gpu-inference-endpoint';
import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';
import { InferenceImage } from '../../lib/endpoint/inference-image';
import { SafetyGateway, SafetyGatewayProps } from '../../lib/gateway/safety-gateway';
import { StageAlerting } from '../../lib/monitoring/stage-alerting';
import { newStack, storeWithVersion } from '../helpers/fixtures';

export interface ServingFixture {
  readonly stack: Stack;
  readonly endpoint: GpuInferenceEndpoint;
  readonly gateway: SafetyGateway;
  readonly alerting: StageAlerting;
  readonly monitor: DriftMonitor;
  readonly capture: DataCaptureStore;
  readonly reader: iam.Role;
}

/** A stage-like stack: one endpoint with data capture, a gateway in front, alerting and a drift monitor. */
export function servingStack(gatewayProps: Partial<SafetyGatewayProps> = {}): ServingFixture {
  const stack = newStack({ env: { account: '123456789012', region: 'eu-west-1' } });
  const { store, modelVersion } = storeWithVersion({ stack });
  const reader = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
  const capture = new DataCaptureStore(stack, 'Capture', { retention: Duration.days(30), readers: [reader], serverAccessLogsBucket: store.accessLogBucket });
  const endpoint = new GpuInferenceEndpoint(stack, 'Chat', {
    endpointName: 'test-chat',
    modelVersion,
    image: InferenceImage.vllm(),
    instanceType: GpuInstanceType.G5_12XLARGE,
    instanceCount: 2,
    latencyBudget: Duration.seconds(10),
    dataCapture: { store: capture, samplingPercentage: 10 },
  });
  const gateway = new SafetyGateway(stack, 'Gateway', {
    stage: 'test',
    models: { chat: { endpoint, format: 'openai-chat', safetyPolicy: { preset: 'strict' } } },
    consumers: [{ name: 'team-a', rateLimit: 5, burstLimit: 10, quota: 1000 }],
    ...gatewayProps,
  });
  const alerting = new StageAlerting(stack, 'Alerting', { name: 'test-stage', emails: ['oncall@example.com'] });
  const monitor = new DriftMonitor(stack, 'Drift', { stage: 'test', modelName: 'chat', endpoint, gateway, alerting });
  return { stack, endpoint, gateway, alerting, monitor, capture, reader };
}
