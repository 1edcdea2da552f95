import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Size } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GpuInferenceEndpoint } from '../../lib/endpoint/gpu-inference-endpoint';
import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';
import { InferenceImage } from '../../lib/endpoint/inference-image';
import { SafetyGateway } from '../../lib/gateway/safety-gateway';
import type { PolicyOverrides, PresetName } from '../../lambda/safety/policy';
import { Json, asList, errorMessage, principalStatements, storeWithVersion } from '../helpers/fixtures';
import { servingStack } from './fixtures';

describe('SafetyGateway', () => {
  const fixture = servingStack();
  const template = Template.fromStack(fixture.stack);
  const resources = template.toJSON().Resources as Record<string, Json>;
  const handlerLogicalId = fixture.stack.getLogicalId(fixture.gateway.handler.function.node.defaultChild as never);

  test('POST /models/{model}/invocations is IAM-authorized, needs an API key, and proxies to the handler', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'AWS_IAM',
      ApiKeyRequired: true,
      RequestParameters: { 'method.request.path.model': true },
      Integration: { Type: 'AWS_PROXY', TimeoutInMillis: 29000 },
    });
    template.resourceCountIs('AWS::ApiGateway::Method', 1);
    // No method anywhere without authorization.
    for (const method of Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::Method')) {
      expect(method.Properties.AuthorizationType).not.toBe('NONE');
    }
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
  });

  test('one usage plan and API key per consuming team, with throttle and quota', () => {
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 5, BurstLimit: 10 },
      Quota: { Limit: 1000, Period: 'DAY' },
      ApiStages: [Match.objectLike({ Stage: Match.anyValue() })],
    });
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
  });

  test('access logs go to an encrypted log group as JSON without request or response bodies; execution logs errors only', () => {
    const stage = Object.values(resources).find((r) => r.Type === 'AWS::ApiGateway::Stage');
    const format: string = stage.Properties.AccessLogSetting.Format;
    const fields = JSON.parse(format);
    expect(fields).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(format).not.toMatch(/body|requestOverride\.body/i);
    expect(stage.Properties.MethodSettings).toEqual([expect.objectContaining({ LoggingLevel: 'ERROR', DataTraceEnabled: false })]);
    expect(stage.Properties.TracingEnabled).toBe(true);
    for (const group of Object.values(resources).filter((r) => r.Type === 'AWS::Logs::LogGroup')) {
      expect(group.Properties.KmsKeyId).toBeDefined();
      expect(group.Properties.RetentionInDays).toBe(365);
    }
  });

  test('handlers: arm64, Node.js 24, reserved concurrency, timeout from the latency budget, policy JSON in the environment', () => {
    const handler = resources[handlerLogicalId].Properties;
    expect(handler).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], ReservedConcurrentExecutions: 100, Timeout: 12 });
    const config = JSON.parse(handler.Environment.Variables.GATEWAY_CONFIG);
    expect(config).toMatchObject({
      stage: 'test',
      models: { chat: { endpointName: 'test-chat', format: 'openai-chat', timeoutMs: 10000, maxRequestBytes: 262144, policy: { preset: 'strict' } } },
    });
  });

  test('the handler role may invoke only its endpoint; the check functions may invoke nothing', () => {
    const invokes = principalStatements(template).filter((s) => asList<string>(s.statement.Action).some((a) => a.startsWith('sagemaker:Invoke')));
    expect(invokes).toHaveLength(1);
    const resource = JSON.stringify(invokes[0].statement.Resource);
    expect(resource).toContain(fixture.stack.getLogicalId(fixture.endpoint.endpoint));
    expect(resource).not.toContain('*');
    const handlerRole = fixture.stack.getLogicalId(fixture.gateway.handler.function.role!.node.defaultChild as never);
    expect(invokes[0].source).toContain(handlerRole.replace(/[0-9A-F]{8}$/, ''));
  });

  test('the gateway adds its error and output-block rates to the endpoint\'s rollback alarms', () => {
    const endpoint = Object.values(resources).find((r) => r.Type === 'AWS::SageMaker::Endpoint');
    const alarmRefs = endpoint.Properties.DeploymentConfig.AutoRollbackConfiguration.Alarms.map((a: Json) => a.AlarmName.Ref);
    expect(alarmRefs).toHaveLength(4);
    const gatewayAlarms = alarmRefs.map((id: string) => resources[id].Properties).filter((p: Json) => p.Namespace === 'CdkInferencePlatform/Gateway');
    expect(gatewayAlarms.map((p: Json) => p.MetricName).sort()).toEqual(['Errors', 'OutputBlocked']);
    for (const alarm of gatewayAlarms) {
      expect(alarm.Dimensions).toEqual(expect.arrayContaining([{ Name: 'Stage', Value: 'test' }, { Name: 'Model', Value: 'chat' }]));
    }
  });

  test('unknown request fields are refused unless a model drops them, in the gateway and the standalone checks', () => {
    const { stack, modelVersion } = storeWithVersion();
    const endpoint = new GpuInferenceEndpoint(stack, 'Ep', {
      modelVersion, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G5_2XLARGE, latencyBudget: Duration.seconds(5),
    });
    const gateway = new SafetyGateway(stack, 'Gw', {
      stage: 'x',
      models: { chat: { endpoint, format: 'openai-chat', unknownRequestFields: 'drop' }, strictchat: { endpoint, format: 'openai-chat' } },
      consumers: [{ name: 'a', rateLimit: 1, burstLimit: 1, quota: 1 }],
    });
    const env = (fn: typeof gateway.handler) => JSON.parse(Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(fn.function.node.defaultChild as never)].Properties.Environment.Variables.GATEWAY_CONFIG);
    for (const fn of [gateway.handler, gateway.preProcessing, gateway.postProcessing]) {
      expect(env(fn).models.chat.unknownRequestFields).toBe('drop');
      expect(env(fn).models.strictchat.unknownRequestFields).toBeUndefined();
    }
  });

  test('a policy too large for Lambda\'s 4 KB environment is bundled as a file next to the handler', () => {
    const { stack, modelVersion } = storeWithVersion();
    const endpoint = new GpuInferenceEndpoint(stack, 'Ep', {
      modelVersion, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G5_2XLARGE, latencyBudget: Duration.seconds(5),
    });
    const words = Array.from({ length: 400 }, (_, i) => `forbidden-term-${i}`);
    const gateway = new SafetyGateway(stack, 'Gw', {
      stage: 'big', models: { chat: { endpoint, format: 'openai-chat', safetyPolicy: { preset: 'standard', bannedWords: { words } } } },
      consumers: [{ name: 'a', rateLimit: 1, burstLimit: 1, quota: 1 }],
    });
    const assembly = (stack.node.root as App).synth();
    const fn = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(gateway.handler.function.node.defaultChild as never)];
    expect(fn.Properties.Environment.Variables).toMatchObject({ GATEWAY_CONFIG_FILE: 'gateway-config.json' });
    expect(fn.Properties.Environment.Variables.GATEWAY_CONFIG).toBeUndefined();
    const assetDirs = readdirSync(assembly.directory).filter((d) => d.startsWith('asset.'));
    const bundled = assetDirs.map((d) => path.join(assembly.directory, d, 'gateway-config.json')).filter((f) => existsSync(f));
    // The gateway handler and the two standalone check functions each carry the policy.
    expect(bundled).toHaveLength(3);
    for (const file of bundled) expect(JSON.parse(readFileSync(file, 'utf8')).models.chat.policy.bannedWords.words).toHaveLength(400);
  });

  test('validation names every bad value and the fix', () => {
    const { stack, modelVersion } = storeWithVersion();
    const endpoint = new GpuInferenceEndpoint(stack, 'Ep', {
      modelVersion, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G5_2XLARGE, latencyBudget: Duration.seconds(40),
    });
    const message = errorMessage(() => new SafetyGateway(stack, 'Gw', {
      stage: 'x',
      models: {
        'Bad Name': { endpoint, format: 'raw', latencyBudget: Duration.seconds(40) },
        ok: { endpoint, format: 'openai-chat', maxRequestSize: Size.mebibytes(7), unknownRequestFields: 'keep' as never },
      },
      consumers: [{ name: 'a', rateLimit: 1, burstLimit: 1, quota: 1 }, { name: 'a', rateLimit: 0, burstLimit: 1.5, quota: 1 }],
    }));
    expect(message).toContain('models.Bad Name: "Bad Name" must be lower-case letters, digits and single hyphens');
    expect(message).toContain('models.Bad Name.latencyBudget: "40000 ms" exceeds the 27000 ms an API Gateway REST integration allows');
    expect(message).toContain('models.Bad Name.rawPaths: "undefined" must name at least one request and one response path');
    expect(message).toContain('models.ok.maxRequestSize (bytes): 7340032 is out of range');
    expect(message).toContain('models.ok.unknownRequestFields: "keep" must be "reject" or "drop"');
    expect(message).toContain('consumers[1].name: "a" is used twice');
    expect(message).toContain('consumers[1].rateLimit: 0 is out of range');
    expect(message).toContain('consumers[1].burstLimit: 1.5 must be a whole number');
    expect(errorMessage(() => new SafetyGateway(stack, 'Gw2', { stage: 'x', models: {}, consumers: [] })))
      .toMatch(/models: \{\} must name at least one model[\s\S]*consumers: \[\] is empty/);
  });

  test('by default the gateway waits for the endpoint\'s latency budget, at most the 27 s API Gateway leaves it', () => {
    const { stack, modelVersion } = storeWithVersion();
    const endpoint = new GpuInferenceEndpoint(stack, 'Ep', { modelVersion, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G5_2XLARGE });
    expect(endpoint.latencyBudget.toSeconds()).toBe(60);
    const gateway = new SafetyGateway(stack, 'Gw', { stage: 'x', consumers: [{ name: 'team', rateLimit: 1, burstLimit: 1, quota: 1 }],
      models: { chat: { endpoint, format: 'openai-chat' } } });
    const fn = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(gateway.handler.function.node.defaultChild as never)];
    expect(JSON.parse(fn.Properties.Environment.Variables.GATEWAY_CONFIG).models.chat.timeoutMs).toBe(27000);
    expect(fn.Properties.Timeout).toBe(29);
  });

  test('a safety policy the handlers would reject at cold start fails the synth, with the handlers\' own parser', () => {
    const { stack, modelVersion } = storeWithVersion();
    const endpoint = new GpuInferenceEndpoint(stack, 'Ep', { modelVersion, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G5_2XLARGE });
    const consumers = [{ name: 'team', rateLimit: 1, burstLimit: 1, quota: 1 }];
    const message = errorMessage(() => new SafetyGateway(stack, 'Gw', {
      stage: 'x',
      consumers,
      models: {
        chat: {
          endpoint, format: 'openai-chat',
          // What a JavaScript caller or a JSON file can hand over despite the types.
          safetyPolicy: {
            preset: 'standard', pii: { PASSPORT: 'block' },
            customPatterns: [{ name: 'TICKET', pattern: '(?<=TICKET-)[0-9]+', action: 'redact', stage: 'both' }],
          } as unknown as PolicyOverrides,
        },
        embed: { endpoint, format: 'embeddings', safetyPolicy: 'paranoid' as PresetName },
      },
    }));
    expect(message.split('\n')[0]).toBe('TestStack/Gw: invalid props:');
    expect(message).toContain('  - models.chat.safetyPolicy.pii.PASSPORT: unknown field; use one of EMAIL_ADDRESS, PHONE_NUMBER');
    expect(message).toContain('  - models.chat.safetyPolicy.customPatterns[0].pattern: "(?<=TICKET-)[0-9]+" is not valid RE2 syntax');
    expect(message).toContain('  - models.embed.safetyPolicy: "paranoid" is not a preset; use one of strict, standard, permissive');
    // A valid policy with a custom RE2 pattern passes.
    expect(() => new SafetyGateway(stack, 'Ok', { stage: 'x', consumers, models: { chat: { endpoint, format: 'openai-chat', safetyPolicy: {
      preset: 'strict', customPatterns: [{ name: 'TICKET', pattern: 'TICKET-[0-9]+', action: 'redact', stage: 'both' }] } } } })).not.toThrow();
  });

  test('raw JSON paths, a sub-millisecond budget and a fallback that is the endpoint itself are caught before deploy', () => {
    const { stack, modelVersion } = storeWithVersion();
    const endpoint = new GpuInferenceEndpoint(stack, 'Ep', { modelVersion, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G5_2XLARGE });
    const message = errorMessage(() => new SafetyGateway(stack, 'Gw', {
      stage: 'x',
      consumers: [{ name: 'team', rateLimit: 1, burstLimit: 1, quota: 1 }],
      models: {
        raw: { endpoint, format: 'raw', rawPaths: { request: ['inputs[0'], response: ['outputs..text'] }, latencyBudget: Duration.millis(0.5) },
        chat: { endpoint, format: 'openai-chat', fallbackEndpoint: endpoint },
      },
    }));
    expect(message).toContain('models.raw.rawPaths.request: "inputs[0" is not a dot path with optional [n] indices');
    expect(message).toContain('models.raw.rawPaths.response: "outputs..text" is not a dot path');
    expect(message).toContain('models.raw.latencyBudget: "0.5 ms" must be a whole number of milliseconds, at least 1');
    expect(message).toContain(`models.chat.fallbackEndpoint: "${endpoint.endpointName}" is the model's own endpoint`);
  });
});
