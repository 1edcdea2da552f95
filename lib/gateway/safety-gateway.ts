import { CfnOutput, Duration, Size, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { PolicyOverrides, PresetName } from '../../lambda/safety/policy';
import { acknowledge, acknowledgeInHipaaAndNist } from '../compliance/acknowledge';
import { BundledFunction } from '../common/bundled-function';
import { DEFAULT_GATEWAY_RESERVED_CONCURRENCY } from '../common/reserved-concurrency';
import { allowLogsToUseKey } from '../common/service-key-access';
import { GatewayMetricName, IGatewayMetrics, gatewayMetric } from './gateway-metrics';
import { addGatewayRollbackAlarms } from './gateway-rollback-alarms';
import { GpuInferenceEndpoint } from '../endpoint/gpu-inference-endpoint';
import { IGpuInferenceEndpoint } from '../endpoint/gpu-inference-endpoint-base';
import { PropValidation } from '../common/prop-validation';
import { rawPathProblems, safetyPolicyProblems } from './gateway-model-problems';
import { pascalCase } from '../common/pascal-case';
import { PolicySecret } from './policy-secret';

/** The JSON a model's container speaks, which tells the gateway where the text to check is. */
export type PayloadFormat = 'openai-chat' | 'hf-text-generation' | 'embeddings' | 'raw';

/**
 * What the gateway does with a request field its format does not know: `reject` answers 400
 * naming the field, `drop` removes it before the checks and the model see the request.
 */
export type UnknownRequestFields = 'reject' | 'drop';

/** JSON paths (`prompt`, `choices[0].text`) of the text in a `raw` payload. */
export interface RawPayloadPaths {
  readonly request: string[];
  readonly response: string[];
}

/** How a streaming model's answers are streamed (`"stream": true` requests). */
export interface GatewayStreamingOptions {
  /**
   * Time until the model's stream starts, retries included (nothing reaches the client before).
   * @default - the model's `latencyBudget`
   */
  readonly timeToFirstToken?: Duration;
  /**
   * Time for the whole streamed answer: at most 15 minutes less the handler's own time (API
   * Gateway's longest streamed response). It sets the streaming function's timeout.
   * @default Duration.minutes(5)
   */
  readonly totalTime?: Duration;
  /**
   * No token for this long ends the stream with a terminal error event: under 5 minutes, API
   * Gateway's idle timeout for a streamed response on a regional endpoint.
   * @default Duration.seconds(10)
   */
  readonly stallTimeout?: Duration;
  /**
   * Characters of the answer held back until the output checks have seen what follows them.
   * @default - sized by the safety policy's longest pattern (the safety library's `holdBackChars`)
   */
  readonly holdBackChars?: number;
}

/** One model behind the gateway. */
export interface GatewayModelOptions {
  readonly endpoint: IGpuInferenceEndpoint;
  /** What the container accepts and answers. */
  readonly format: PayloadFormat;
  /** Where the text is, for `raw`. */
  readonly rawPaths?: RawPayloadPaths;
  /**
   * The safety policy: a preset name or a preset with overrides (see the safety checks library).
   * @default 'standard'
   */
  readonly safetyPolicy?: PresetName | PolicyOverrides;
  /**
   * Time for the model call, retries included: at most 27 seconds (API Gateway's 29-second
   * integration timeout less the handler's own time).
   * @default - the endpoint's latency budget capped at 27 seconds (for a `GpuInferenceEndpoint`), else 25 seconds
   */
  readonly latencyBudget?: Duration;
  /**
   * Tried when the endpoint is unavailable or its circuit is open.
   * @default - none
   */
  readonly fallbackEndpoint?: IGpuInferenceEndpoint;
  /**
   * Largest request body, answered 413 above it (SageMaker takes at most 6 MB).
   * @default Size.kibibytes(256)
   */
  readonly maxRequestSize?: Size;
  /**
   * Where the model's canary tokens and sensitive banned words are kept: a Secrets Manager secret
   * the handlers read once per cold start and add to `safetyPolicy`. Canary tokens are refused in
   * `safetyPolicy` itself, which the template and the Lambda environment show to anyone who can
   * read them. `PolicySecret.generate()` creates a secret with a random canary token.
   * @default - none: no canary check, banned words only from `safetyPolicy`
   */
  readonly policySecret?: PolicySecret;
  /**
   * A request field the format does not know (every `raw` field is known: it is checked).
   * @default 'reject'
   */
  readonly unknownRequestFields?: UnknownRequestFields;
  /**
   * Answer `"stream": true` requests token by token (openai-chat and hf-text-generation): the
   * model's route goes to the gateway's streaming function through a REST integration with
   * response streaming, where output checks run with a hold-back window.
   * @default false
   */
  readonly streaming?: boolean | GatewayStreamingOptions;
}

/** A consuming team: its own API key, throttle and quota. */
export interface GatewayConsumer {
  /** Team name, letters, digits and hyphens. */
  readonly name: string;
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Burst of requests above the rate. */
  readonly burstLimit: number;
  /** Requests per `quotaPeriod`. */
  readonly quota: number;
  /** @default apigateway.Period.DAY */
  readonly quotaPeriod?: apigateway.Period;
}

export interface SafetyGatewayProps {
  /** Models by the name clients use in `POST /models/{model}/invocations`. */
  readonly models: Record<string, GatewayModelOptions>;
  /** Stage name: a metric dimension and part of resource descriptions. */
  readonly stage: string;
  /** Teams with usage plans; each gets an API key that must accompany its signed requests. */
  readonly consumers: GatewayConsumer[];
  /**
   * Also accept requests without an API key (IAM-authorized only), throttled by the stage limits.
   * @default false
   */
  readonly allowWithoutApiKey?: boolean;
  /**
   * A regional AWS WAF web ACL to associate with the API stage.
   * @default - none
   */
  readonly webAclArn?: string;
  /**
   * Concurrent executions reserved for the gateway handler (it also caps them). The account keeps
   * at least 100 unreserved: the sum of all reservations in a region must stay 100 below the
   * account's concurrent executions quota, or the function fails to create.
   * @default DEFAULT_GATEWAY_RESERVED_CONCURRENCY (100)
   */
  readonly reservedConcurrency?: number;
  /**
   * Retention of the API access logs and the functions' logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Requests per second and burst for the whole API stage.
   * @default 100 / 200
   */
  readonly stageThrottle?: { readonly rateLimit: number; readonly burstLimit: number };
}

/** API Gateway REST integrations time out after 29 s; the handler needs a moment around the model call. */
const INTEGRATION_TIMEOUT = Duration.seconds(29);
const HANDLER_OVERHEAD = Duration.seconds(2);
const DEFAULT_BUDGET = Duration.seconds(25);
/**
 * API Gateway's response streaming: "The maximum duration for response streaming is 15 minutes" and
 * "streams are subject to an idle timeout ... 5 minutes for regional or private endpoints"
 * (API Gateway developer guide, "Stream the integration response for your proxy integrations").
 * With STREAM the integration timeout may be set up to 15 minutes (same guide, HTTP proxy setup).
 * SageMaker states no total time for InvokeEndpointWithResponseStream beyond its ModelInvocationTimeExceeded error.
 */
const MAX_STREAM_DURATION = Duration.minutes(15);
const STREAM_IDLE_TIMEOUT = Duration.minutes(5);
const DEFAULT_STREAM_TOTAL = Duration.minutes(5);
const DEFAULT_STALL_TIMEOUT = Duration.seconds(10);

/**
 * The safety gateway: a regional REST API, IAM-authorized, with usage plans per consuming team,
 * in front of one or more GPU endpoints. Its handler checks each prompt, calls the model,
 * checks the answer, and writes one EMF record and one log line per request. The same checks
 * also run as standalone pre- and post-processing functions for teams that call endpoints themselves.
 */
export class SafetyGateway extends Construct implements IGatewayMetrics {
  public readonly api: apigateway.RestApi;
  public readonly handler: BundledFunction;
  /**
   * The response-streaming function behind the streaming models' routes and the OpenAI-compatible
   * `/v1/chat/completions` and `/v1/embeddings`; present when a model streams.
   */
  public readonly streamingHandler?: BundledFunction;
  public readonly preProcessing: BundledFunction;
  public readonly postProcessing: BundledFunction;
  public readonly logKey: kms.Key;
  public readonly stage: string;
  /** The output with the API's URL (`https://<api>.execute-api.<region>.<suffix>/<stage>/`), e.g. for a pipeline step's environment. */
  public readonly urlOutput: CfnOutput;
  /** The API keys of the consumers, by name. */
  public readonly apiKeys: Record<string, apigateway.IApiKey> = {};
  /** The policy secrets of the models that have one, by model name. */
  public readonly policySecrets: Record<string, secretsmanager.ISecret> = {};
  private secretKey?: kms.Key;

  constructor(scope: Construct, id: string, props: SafetyGatewayProps) {
    super(scope, id);
    this.stage = props.stage;
    const { budgets, streams } = validate(this, props);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.logKey = new kms.Key(this, 'LogKey', { description: `Gateway logs of ${this.node.path}`, enableKeyRotation: true });
    allowLogsToUseKey(this.logKey);

    for (const [name, model] of Object.entries(props.models)) {
      if (model.policySecret) this.policySecrets[name] = model.policySecret.bind(this, `PolicySecret${pascalCase(name)}`, () => this.policySecretKey());
    }
    // Only the secrets' ARNs reach the functions; the handlers read the values (lambda/gateway/policy-secrets.ts).
    const environment = Object.keys(this.policySecrets).length === 0 ? undefined : {
      POLICY_SECRETS: Stack.of(this).toJsonString(Object.fromEntries(Object.entries(this.policySecrets).map(([n, s]) => [n, s.secretArn]))),
    };
    const config = {
      stage: props.stage,
      models: Object.fromEntries(Object.entries(props.models).map(([name, model]) => [name, {
        endpointName: model.endpoint.endpointName,
        fallbackEndpointName: model.fallbackEndpoint?.endpointName,
        inferenceComponentName: model.endpoint.inferenceComponentName,
        format: model.format,
        rawPaths: model.rawPaths,
        timeoutMs: budgets[name].toMilliseconds(),
        maxRequestBytes: (model.maxRequestSize ?? Size.kibibytes(256)).toBytes(),
        policy: typeof model.safetyPolicy === 'string' ? { preset: model.safetyPolicy } : model.safetyPolicy ?? { preset: 'standard' },
        unknownRequestFields: model.unknownRequestFields,
      }])),
    };
    const longestBudget = Object.values(budgets).reduce((a, b) => (a.toMilliseconds() >= b.toMilliseconds() ? a : b));
    this.handler = new BundledFunction(this, 'Handler', {
      handler: 'gateway-handler',
      description: `safety gateway of stage ${props.stage}`,
      config: { name: 'GATEWAY_CONFIG', value: config },
      timeout: Duration.millis(longestBudget.toMilliseconds() + HANDLER_OVERHEAD.toMilliseconds()),
      memorySize: 1024,
      reservedConcurrency: props.reservedConcurrency ?? DEFAULT_GATEWAY_RESERVED_CONCURRENCY,
      environment,
      logRetention,
      logKey: this.logKey,
    });
    for (const model of Object.values(props.models)) {
      model.endpoint.grantInvoke(this.handler.function);
      model.fallbackEndpoint?.grantInvoke(this.handler.function);
    }
    const streamingNames = Object.keys(streams);
    if (streamingNames.length > 0) {
      // Streaming models get their stream settings; the buffered function keeps the config it had.
      const streamingConfig = { ...config, models: Object.fromEntries(Object.entries(config.models).map(([name, m]) => [name, streams[name] === undefined ? m : {
        ...m,
        streaming: true,
        streamTimeoutMs: streams[name].totalTime.toMilliseconds(),
        timeToFirstTokenMs: streams[name].timeToFirstToken.toMilliseconds(),
        stallTimeoutMs: streams[name].stallTimeout.toMilliseconds(),
        holdBackChars: streams[name].holdBackChars,
      }])) };
      const longestStream = Math.max(...Object.values(streams).map((o) => o.totalTime.toMilliseconds()), longestBudget.toMilliseconds());
      this.streamingHandler = new BundledFunction(this, 'StreamingHandler', {
        handler: 'gateway-streaming-handler',
        description: `streaming safety gateway of stage ${props.stage}`,
        config: { name: 'GATEWAY_CONFIG', value: streamingConfig },
        // The longest stream plus the handler's own time: above API Gateway's 29 s, within its 15 minutes.
        timeout: Duration.millis(longestStream + HANDLER_OVERHEAD.toMilliseconds()),
        memorySize: 1024,
        reservedConcurrency: props.reservedConcurrency ?? DEFAULT_GATEWAY_RESERVED_CONCURRENCY,
        environment,
        logRetention,
        logKey: this.logKey,
      });
      // Every model it can reach: the streaming models, and the OpenAI-shaped models of the /v1 routes.
      for (const [name, model] of Object.entries(props.models)) {
        if (streams[name] === undefined && model.format !== 'openai-chat' && model.format !== 'embeddings') continue;
        model.endpoint.grantInvoke(this.streamingHandler.function);
        model.fallbackEndpoint?.grantInvoke(this.streamingHandler.function);
      }
    }
    const checksOnly = { ...config, models: Object.fromEntries(Object.entries(config.models).map(([n, m]) => [n, {
      format: m.format, rawPaths: m.rawPaths, policy: m.policy, maxRequestBytes: m.maxRequestBytes, unknownRequestFields: m.unknownRequestFields,
    }])) };
    this.preProcessing = new BundledFunction(this, 'PreProcessing', {
      handler: 'pre-processing-handler', description: `pre-processing safety checks of stage ${props.stage}`,
      config: { name: 'GATEWAY_CONFIG', value: checksOnly }, timeout: Duration.seconds(10), memorySize: 512, logRetention, logKey: this.logKey,
      environment,
    });
    this.postProcessing = new BundledFunction(this, 'PostProcessing', {
      handler: 'post-processing-handler', description: `post-processing safety checks of stage ${props.stage}`,
      config: { name: 'GATEWAY_CONFIG', value: checksOnly }, timeout: Duration.seconds(10), memorySize: 512, logRetention, logKey: this.logKey,
      environment,
    });
    for (const [name, secret] of Object.entries(this.policySecrets)) {
      for (const fn of [this.handler, this.preProcessing, this.postProcessing, this.streamingHandler]) if (fn) secret.grantRead(fn.function);
      if (secret instanceof secretsmanager.Secret) {
        new CfnOutput(this, `PolicySecret${pascalCase(name)}Arn`, { value: secret.secretArn, description: `Canary token and sensitive banned words of ${name}` });
      }
    }
    for (const checks of [this.preProcessing, this.postProcessing]) {
      acknowledgeInHipaaAndNist(checks.function, 'LambdaConcurrency', 'Invoked by the calling team\'s own workflows, whose ' +
        'concurrency bounds it; reserving concurrency would take it from every other function in the account.');
    }

    this.api = this.createApi(props, logRetention);
    const invocations = this.api.root.addResource('models').addResource('{model}').addResource('invocations');
    invocations.addMethod('POST', new apigateway.LambdaIntegration(this.handler.function, { timeout: INTEGRATION_TIMEOUT }), {
      authorizationType: apigateway.AuthorizationType.IAM,
      apiKeyRequired: !props.allowWithoutApiKey,
      requestParameters: { 'method.request.path.model': true },
      requestValidator: new apigateway.RequestValidator(this, 'Validator', {
        restApi: this.api, validateRequestParameters: true, validateRequestBody: false,
      }),
    });
    if (this.streamingHandler) this.addStreamingRoutes(props, this.streamingHandler, streams);
    this.createUsagePlans(props);
    if (props.webAclArn) {
      new wafv2.CfnWebACLAssociation(this, 'WebAcl', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: props.webAclArn });
    } else {
      acknowledge(this.api.deploymentStage, {
        'AwsSolutions-APIG3': 'No WAF web ACL was configured (webAclArn): every request is SigV4-signed by an IAM principal and carries a ' +
          'team API key under a usage plan with throttling and quotas; set webAclArn to add AWS WAF.',
        'NIST.800.53.R5-APIGWAssociatedWithWAF': 'No WAF web ACL was configured (webAclArn): every request is SigV4-signed by an IAM ' +
          'principal and throttled per team; set webAclArn to add AWS WAF.',
      });
    }
    this.urlOutput = new CfnOutput(this, 'Url', { value: this.api.url, description: `Safety gateway of stage ${props.stage}: POST models/{model}/invocations` });
    this.addRollbackAlarms(props);
  }

  /**
   * Routes answered by the streaming function through integrations with response streaming: each
   * streaming model's `POST /models/<name>/invocations` (a static path, which API Gateway matches
   * before `{model}`), and `POST /v1/chat/completions` and `/v1/embeddings`.
   */
  private addStreamingRoutes(props: SafetyGatewayProps, fn: BundledFunction, streams: Record<string, ResolvedStreaming>): void {
    const longest = Math.max(...Object.values(streams).map((o) => o.totalTime.toMilliseconds()));
    const integration = new apigateway.LambdaIntegration(fn.function, {
      responseTransferMode: apigateway.ResponseTransferMode.STREAM,
      timeout: Duration.millis(Math.min(MAX_STREAM_DURATION.toMilliseconds(), longest + HANDLER_OVERHEAD.toMilliseconds())),
    });
    const method = { authorizationType: apigateway.AuthorizationType.IAM, apiKeyRequired: !props.allowWithoutApiKey };
    const models = this.api.root.getResource('models')!;
    for (const name of Object.keys(streams)) models.addResource(name).addResource('invocations').addMethod('POST', integration, method);
    const v1 = this.api.root.addResource('v1');
    v1.addResource('chat').addResource('completions').addMethod('POST', integration, method);
    v1.addResource('embeddings').addMethod('POST', integration, method);
  }

  /** The key of the secrets the gateway generates, created with the first one. */
  private policySecretKey(): kms.Key {
    this.secretKey ??= new kms.Key(this, 'PolicySecretKey', { description: `Policy secrets of ${this.node.path}`, enableKeyRotation: true });
    return this.secretKey;
  }

  /** A gateway metric of one model (`Errors`, `Blocked`, `Latency`, `Blocked_injection`, ...). */
  public metric(model: string, metricName: GatewayMetricName | `Blocked_${string}` | `Redacted_${string}`,
    options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return gatewayMetric(this.stage, model, metricName, options);
  }

  /** Lets a principal run the standalone pre- and post-processing checks. */
  public grantInvokeChecks(grantee: iam.IGrantable): iam.Grant {
    return this.preProcessing.function.grantInvoke(grantee).combine(this.postProcessing.function.grantInvoke(grantee));
  }

  private createApi(props: SafetyGatewayProps, retention: logs.RetentionDays): apigateway.RestApi {
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention, encryptionKey: this.logKey });
    const throttle = props.stageThrottle ?? { rateLimit: 100, burstLimit: 200 };
    const api = new apigateway.RestApi(this, 'Api', {
      description: `Safety gateway of stage ${props.stage}`,
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stage,
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
        tracingEnabled: true,
        // Errors only, never request or response bodies: prompts may hold personal data.
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify({
          requestId: '$context.requestId', ip: '$context.identity.sourceIp', caller: '$context.identity.caller',
          user: '$context.identity.userArn', apiKeyId: '$context.identity.apiKeyId', time: '$context.requestTimeEpoch',
          method: '$context.httpMethod', path: '$context.resourcePath', model: '$context.path', status: '$context.status',
          requestLength: '$context.requestOverride.header.Content-Length', responseLength: '$context.responseLength',
          latency: '$context.responseLatency', integrationLatency: '$context.integrationLatency', error: '$context.error.messageString',
        })),
      },
    });
    acknowledge(api, {
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]':
        'The account-level role API Gateway needs to write execution and access logs; AWS maintains this managed policy and it grants only log writes.',
      'AwsSolutions-COG4': 'The API is authorized by IAM (SigV4) and team API keys, not Cognito: its callers are services, not end users.',
      'AwsSolutions-APIG2': 'API Gateway validates the path parameter; the body is each model container\'s own JSON, which the gateway ' +
        'handler parses and bounds per model format, answering 400 invalid_request or 413 with a request id.',
    });
    acknowledgeInHipaaAndNist(api.deploymentStage, 'APIGWCacheEnabledAndEncrypted', 'Caching is off on purpose: model answers to ' +
      'the same prompt differ and may hold personal data, so no response may be served from a cache.');
    acknowledgeInHipaaAndNist(api.deploymentStage, 'APIGWSSLEnabled', 'The only backend is a Lambda proxy integration invoked ' +
      'through the Lambda API, not an HTTP backend, so there is no backend TLS certificate to present.');
    return api;
  }

  private createUsagePlans(props: SafetyGatewayProps): void {
    for (const consumer of props.consumers) {
      const plan = this.api.addUsagePlan(`UsagePlan-${consumer.name}`, {
        name: `${this.api.restApiName}-${consumer.name}`,
        description: `Usage plan of ${consumer.name} in stage ${props.stage}`,
        throttle: { rateLimit: consumer.rateLimit, burstLimit: consumer.burstLimit },
        quota: { limit: consumer.quota, period: consumer.quotaPeriod ?? apigateway.Period.DAY },
        apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
      });
      // The usage plan binds the key to the API stage. `api.addApiKey` would also set the legacy StageKeys,
      // which makes the key depend on the stage, the stage on the method, the method on the handler, and the
      // handler (CONSUMER_API_KEYS below) on the key: a cycle. Same scope and id, so the same logical id and
      // key value; StageKeys changes without interruption (CloudFormation, AWS::ApiGateway::ApiKey StageKey).
      const key = new apigateway.ApiKey(this.api, `ApiKey-${consumer.name}`, { description: `API key of ${consumer.name} in stage ${props.stage}` });
      plan.addApiKey(key);
      this.apiKeys[consumer.name] = key;
    }
    if (props.consumers.length > 0) {
      // The handler names each request's consumer from its API key id (lambda/gateway/consumers.ts):
      // per-team Requests, Errors, Latency and tokens. Key ids are not secrets; the key values never leave API Gateway.
      const keyIds = Stack.of(this).toJsonString(Object.fromEntries(Object.entries(this.apiKeys).map(([name, key]) => [name, key.keyId])));
      this.handler.function.addEnvironment('CONSUMER_API_KEYS', keyIds);
      this.streamingHandler?.function.addEnvironment('CONSUMER_API_KEYS', keyIds);
    }
  }

  /** Rollback alarms on the gateway's view of each `GpuInferenceEndpoint` it fronts (see `addGatewayRollbackAlarms`). */
  private addRollbackAlarms(props: SafetyGatewayProps): void {
    for (const [name, model] of Object.entries(props.models)) {
      if (model.endpoint instanceof GpuInferenceEndpoint) addGatewayRollbackAlarms(this, this, name, model.endpoint);
    }
  }
}

interface ResolvedStreaming {
  readonly timeToFirstToken: Duration;
  readonly totalTime: Duration;
  readonly stallTimeout: Duration;
  readonly holdBackChars?: number;
}

/** Checks the props and returns each model's latency budget and, for streaming models, their stream settings. */
function validate(scope: Construct, props: SafetyGatewayProps): { budgets: Record<string, Duration>; streams: Record<string, ResolvedStreaming> } {
  const check = new PropValidation();
  const budgets: Record<string, Duration> = {};
  const streams: Record<string, ResolvedStreaming> = {};
  const names = Object.keys(props.models);
  if (names.length === 0) check.fail('models', {}, 'must name at least one model');
  for (const [name, model] of Object.entries(props.models)) {
    if (!/^[a-z0-9](?:-?[a-z0-9])*$/.test(name)) check.fail(`models.${name}`, name, 'must be lower-case letters, digits and single hyphens (it is a URL path segment)');
    const maxBudget = INTEGRATION_TIMEOUT.toMilliseconds() - HANDLER_OVERHEAD.toMilliseconds();
    const budget = model.latencyBudget ?? (model.endpoint instanceof GpuInferenceEndpoint
      ? Duration.millis(Math.min(model.endpoint.latencyBudget.toMilliseconds(), maxBudget)) : DEFAULT_BUDGET);
    budgets[name] = budget;
    const budgetMs = budget.toMilliseconds({ integral: false });
    if (!Number.isInteger(budgetMs) || budgetMs < 1) {
      check.fail(`models.${name}.latencyBudget`, `${budgetMs} ms`, 'must be a whole number of milliseconds, at least 1');
    } else if (budgetMs > maxBudget) {
      check.fail(`models.${name}.latencyBudget`, `${budgetMs} ms`, `exceeds the ${maxBudget} ms an API Gateway REST integration allows ` +
        '(29 s minus the handler\'s own time): lower the budget, or call the endpoint directly with the standalone checks');
    }
    const fallback = model.fallbackEndpoint;
    if (fallback && (fallback === model.endpoint || (!Token.isUnresolved(fallback.endpointName) && fallback.endpointName === model.endpoint.endpointName))) {
      check.fail(`models.${name}.fallbackEndpoint`, fallback.endpointName, 'is the model\'s own endpoint: name another endpoint, or leave it out');
    }
    if (model.format === 'raw' && !(model.rawPaths?.request.length && model.rawPaths.response.length)) {
      check.fail(`models.${name}.rawPaths`, model.rawPaths ?? 'undefined', 'must name at least one request and one response path for the raw format');
    }
    if (model.format !== 'raw' && model.rawPaths) check.fail(`models.${name}.rawPaths`, model.rawPaths, 'applies only to the raw format');
    if (model.format === 'raw') check.report(rawPathProblems(model.rawPaths, `models.${name}.rawPaths`));
    check.report(safetyPolicyProblems(model.safetyPolicy, `models.${name}.safetyPolicy`));
    const canary = typeof model.safetyPolicy === 'object' ? model.safetyPolicy.canary?.tokens : undefined;
    if (canary?.length) {
      check.fail(`models.${name}.safetyPolicy.canary.tokens`, `${canary.length} token(s)`, 'would be readable in the template and the Lambda ' +
        'environment: keep canary tokens in a Secrets Manager secret (policySecret: PolicySecret.generate() or PolicySecret.fromSecret(...))');
    }
    if (model.unknownRequestFields !== undefined && !['reject', 'drop'].includes(model.unknownRequestFields)) {
      check.fail(`models.${name}.unknownRequestFields`, model.unknownRequestFields, 'must be "reject" or "drop"');
    }
    check.inRange(`models.${name}.maxRequestSize (bytes)`, model.maxRequestSize?.toBytes(), 1, 6 * 1024 * 1024);
    if (model.streaming) {
      const o = model.streaming === true ? {} : model.streaming;
      const at = `models.${name}.streaming`;
      if (model.format !== 'openai-chat' && model.format !== 'hf-text-generation') {
        check.fail(at, model.format, 'only openai-chat and hf-text-generation models stream: leave streaming out for this format');
      }
      const resolved: ResolvedStreaming = {
        timeToFirstToken: o.timeToFirstToken ?? budget,
        totalTime: o.totalTime ?? DEFAULT_STREAM_TOTAL,
        stallTimeout: o.stallTimeout ?? DEFAULT_STALL_TIMEOUT,
        holdBackChars: o.holdBackChars,
      };
      const maxTotal = MAX_STREAM_DURATION.toMilliseconds() - HANDLER_OVERHEAD.toMilliseconds();
      const ms = (d: Duration) => d.toMilliseconds({ integral: false });
      check.inRange(`${at}.totalTime (ms)`, ms(resolved.totalTime), 1000, maxTotal);
      check.inRange(`${at}.timeToFirstToken (ms)`, ms(resolved.timeToFirstToken), 1, Math.min(ms(resolved.totalTime), maxBudget));
      check.inRange(`${at}.stallTimeout (ms)`, ms(resolved.stallTimeout), 100, Math.min(ms(resolved.totalTime), STREAM_IDLE_TIMEOUT.toMilliseconds() - 1000));
      for (const d of [resolved.totalTime, resolved.timeToFirstToken, resolved.stallTimeout]) {
        if (!Number.isInteger(ms(d))) check.fail(at, `${ms(d)} ms`, 'durations must be whole milliseconds');
      }
      check.wholeNumber(`${at}.holdBackChars`, o.holdBackChars, 1);
      check.inRange(`${at}.holdBackChars`, o.holdBackChars, 1, 65_536);
      streams[name] = resolved;
    }
  }
  const teams = props.consumers.map((c) => c.name);
  props.consumers.forEach((c, i) => {
    if (!/^[A-Za-z0-9](?:-?[A-Za-z0-9])*$/.test(c.name)) check.fail(`consumers[${i}].name`, c.name, 'must be letters, digits and single hyphens');
    if (teams.indexOf(c.name) !== i) check.fail(`consumers[${i}].name`, c.name, 'is used twice: one usage plan per team');
    if (c.name === 'none' || c.name === 'unknown') {
      check.fail(`consumers[${i}].name`, c.name, 'is reserved: the gateway counts requests without a key as "none" and with a foreign key as "unknown"; choose another name');
    }
    check.inRange(`consumers[${i}].rateLimit`, c.rateLimit, 0.01, 10000, ' requests/s');
    check.wholeNumber(`consumers[${i}].burstLimit`, c.burstLimit, 1);
    check.wholeNumber(`consumers[${i}].quota`, c.quota, 1);
  });
  if (props.consumers.length === 0 && !props.allowWithoutApiKey) {
    check.fail('consumers', [], 'is empty, so no one could call the API: add a team, or set allowWithoutApiKey');
  }
  check.wholeNumber('reservedConcurrency', props.reservedConcurrency, 1);
  check.throwIfAny(scope);
  return { budgets, streams };
}
