import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GpuInferenceEndpoint } from '../../lib/endpoint/gpu-inference-endpoint';
import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';
import { InferenceImage } from '../../lib/endpoint/inference-image';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SafetyGateway, type GatewayModelOptions } from '../../lib/gateway/safety-gateway';
import { ModelDashboard } from '../../lib/monitoring/model-dashboard';
import { asList, errorMessage, newStack, principalStatements, storeWithVersion, type Json } from '../helpers/fixtures';

function gatewayWith(chat: Partial<GatewayModelOptions>) {
  const stack = newStack({ env: { account: '123456789012', region: 'eu-west-1' } });
  const { modelVersion } = storeWithVersion({ stack });
  const endpoint = (id: string, name: string): GpuInferenceEndpoint => new GpuInferenceEndpoint(stack, id, {
    endpointName: name, modelVersion, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G5_12XLARGE, instanceCount: 1, latencyBudget: Duration.seconds(20),
  });
  const gateway = new SafetyGateway(stack, 'Gateway', {
    stage: 'test',
    models: {
      chat: { endpoint: endpoint('Chat', 'test-chat'), format: 'openai-chat', ...chat },
      embed: { endpoint: endpoint('Embed', 'test-embed'), format: 'embeddings' },
      summarize: { endpoint: endpoint('Summarize', 'test-summarize'), format: 'hf-text-generation' },
    },
    consumers: [{ name: 'team-a', rateLimit: 5, burstLimit: 10, quota: 1000 }],
  });
  const dashboard = new ModelDashboard(stack, 'ChatDashboard', {
    stage: 'test', modelName: 'chat', endpoint: stack.node.findChild('Chat') as GpuInferenceEndpoint, gateway, streaming: { timeToFirstTokenBudget: Duration.seconds(20) },
  });
  // Streaming metrics are typed gateway metrics: an alarm can watch them like any other.
  new cloudwatch.Alarm(stack, 'SlowFirstToken', { metric: gateway.metric('chat', 'TimeToFirstToken'), threshold: 20_000, evaluationPeriods: 3 });
  return { stack, gateway, dashboard, template: Template.fromStack(stack) };
}

describe('SafetyGateway with a streaming model', () => {
  const { stack, gateway, template } = gatewayWith({ streaming: { totalTime: Duration.minutes(10), stallTimeout: Duration.seconds(30) } });
  const resources = template.toJSON().Resources as Record<string, Json>;
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);

  test('the model route, /v1/chat/completions and /v1/embeddings stream from the streaming function, IAM-authorized with an API key', () => {
    const streamingFn = id(gateway.streamingHandler!.function);
    const methods = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::Method');
    const streamed = methods.filter((m) => m.Properties.Integration.ResponseTransferMode === 'STREAM');
    expect(streamed).toHaveLength(3);
    for (const m of streamed) {
      expect(m.Properties).toMatchObject({ HttpMethod: 'POST', AuthorizationType: 'AWS_IAM', ApiKeyRequired: true });
      expect(m.Properties.Integration.Type).toBe('AWS_PROXY');
      // 10 minutes of stream plus the handler's own time, within API Gateway's 15 minutes.
      expect(m.Properties.Integration.TimeoutInMillis).toBe(602_000);
      expect(JSON.stringify(m.Properties.Integration.Uri)).toContain('/response-streaming-invocations');
      expect(JSON.stringify(m.Properties.Integration.Uri)).toContain(streamingFn);
    }
    const paths = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::Resource').map((r) => r.Properties.PathPart as string);
    expect(paths).toEqual(expect.arrayContaining(['models', '{model}', 'chat', 'invocations', 'v1', 'completions', 'embeddings']));
    // Buffered models keep their buffered route to the buffered function.
    const buffered = methods.filter((m) => m.Properties.Integration.ResponseTransferMode !== 'STREAM');
    expect(buffered).toHaveLength(1);
    expect(buffered[0].Properties.Integration.TimeoutInMillis).toBe(29_000);
    expect(JSON.stringify(buffered[0].Properties.Integration.Uri)).toContain(id(gateway.handler.function));
  });

  test("the streaming function's timeout comes from the model's total time, above API Gateway's 29 s; its config carries the stream budgets", () => {
    const fn = resources[id(gateway.streamingHandler!.function)].Properties;
    expect(fn.Timeout).toBe(602);
    expect(resources[id(gateway.handler.function)].Properties.Timeout).toBe(22);
    const config = JSON.parse(fn.Environment.Variables.GATEWAY_CONFIG);
    expect(config.models.chat).toMatchObject({ streaming: true, timeoutMs: 20_000, streamTimeoutMs: 600_000, timeToFirstTokenMs: 20_000, stallTimeoutMs: 30_000 });
    expect(config.models.embed.streaming).toBeUndefined();
    const bufferedConfig = JSON.parse(resources[id(gateway.handler.function)].Properties.Environment.Variables.GATEWAY_CONFIG);
    expect(bufferedConfig.models.chat.streaming).toBeUndefined();
  });

  test('the streaming function may call InvokeEndpointWithResponseStream on the endpoints it serves only', () => {
    const roleId = resources[id(gateway.streamingHandler!.function)].Properties.Role['Fn::GetAtt'][0] as string;
    const attached = (source: string) => source.startsWith(`${roleId}/`) || asList(resources[source]?.Properties?.Roles).some((r: Json) => r.Ref === roleId);
    const statements = principalStatements(template).filter((p) => attached(p.source)).map((p) => p.statement)
      .filter((s) => asList(s.Action).includes('sagemaker:InvokeEndpointWithResponseStream'));
    const resourcesOf = JSON.stringify(statements.map((s) => s.Resource));
    expect(statements.length).toBeGreaterThan(0);
    // The endpoints' ARNs (Ref of AWS::SageMaker::Endpoint).
    expect(resourcesOf).toMatch(/"Ref":"ChatEndpoint[0-9A-F]{8}"/);
    expect(resourcesOf).toMatch(/"Ref":"EmbedEndpoint[0-9A-F]{8}"/);
    // An hf-text-generation model that does not stream is not on the /v1 routes: the streaming function cannot reach it.
    expect(resourcesOf).not.toContain('Summarize');
    for (const s of statements) expect(JSON.stringify(s.Resource)).not.toBe('"*"');
  });

  test('the model dashboard shows time to first token against its budget, tokens per second, stream duration and mid-stream blocks; alarms can use them', () => {
    const dashboard = Object.values(resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const name of ['TimeToFirstToken', 'TokensPerSecond', 'StreamDuration', 'BlockedMidStream']) expect(body).toContain(name);
    expect(body).toContain('time to first token');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CdkInferencePlatform/Gateway', MetricName: 'TimeToFirstToken', ExtendedStatistic: 'p99', Unit: 'Milliseconds',
      Dimensions: [{ Name: 'Model', Value: 'chat' }, { Name: 'Stage', Value: 'test' }],
    });
  });

  test('without a streaming model there is no streaming function and no streamed route', () => {
    const plain = gatewayWith({});
    expect(plain.gateway.streamingHandler).toBeUndefined();
    expect(JSON.stringify(plain.template.toJSON())).not.toContain('STREAM');
  });

  test('refuses stream settings AWS cannot honour, naming the field and the range', () => {
    expect(errorMessage(() => gatewayWith({ streaming: { totalTime: Duration.minutes(20) } }))).toMatch(/models\.chat\.streaming\.totalTime \(ms\).*1200000/);
    expect(errorMessage(() => gatewayWith({ streaming: { stallTimeout: Duration.minutes(6) } }))).toMatch(/models\.chat\.streaming\.stallTimeout/);
    expect(errorMessage(() => gatewayWith({ format: 'embeddings', streaming: true }))).toMatch(/only openai-chat and hf-text-generation models stream/);
  });
});
