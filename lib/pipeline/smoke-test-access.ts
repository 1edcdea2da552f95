import { ArnFormat, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeInHipaaAndNist, nagResourceId } from '../compliance/acknowledge';
import type { SafetyGateway } from '../gateway/safety-gateway';

export interface SmokeTestAccessProps {
  /** The stage's gateway the smoke test calls. */
  readonly gateway: SafetyGateway;
  /** The endpoints whose status and configuration the smoke test reads. */
  readonly endpointNames: readonly string[];
  /** Name of the role created here. */
  readonly roleName: string;
  /** The one role (in the pipeline's account) that may assume it: the smoke test's CodeBuild role. */
  readonly runnerRoleArn: string;
  /** The pipeline's account. */
  readonly pipelineAccount: string;
}

/**
 * What a stage lends the promotion pipeline's smoke test: a role in the stage's account that can
 * call the gateway's invocation route and describe the stage's endpoints, and nothing else; and an
 * API key of its own under a small usage plan, so the smoke test uses no team's key or quota. Only
 * the smoke test's CodeBuild role may assume the role (`aws:PrincipalArn`), whichever account it is in.
 */
export class SmokeTestAccess extends Construct {
  public readonly role: iam.Role;
  public readonly apiKey: apigateway.IApiKey;
  /** The API key's id: the smoke test reads the key's value with it (`apigateway:GET` on that key only). */
  public readonly apiKeyIdOutput: CfnOutput;

  constructor(scope: Construct, id: string, props: SmokeTestAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const api = props.gateway.api;
    this.apiKey = api.addApiKey('ApiKey', { description: `API key of the promotion pipeline's smoke test of stage ${props.gateway.stage}` });
    const plan = api.addUsagePlan('UsagePlan', {
      description: `Smoke test of stage ${props.gateway.stage} by the promotion pipeline`,
      // A smoke test makes a handful of requests per model per run.
      throttle: { rateLimit: 2, burstLimit: 5 },
      quota: { limit: 1000, period: apigateway.Period.DAY },
      apiStages: [{ api, stage: api.deploymentStage }],
    });
    plan.addApiKey(this.apiKey);

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: `Assumed by the promotion pipeline's smoke test of stage ${props.gateway.stage}: calls the gateway, reads endpoint status`,
      assumedBy: new iam.AccountPrincipal(props.pipelineAccount).withConditions({ ArnEquals: { 'aws:PrincipalArn': props.runnerRoleArn } }),
      maxSessionDuration: Duration.hours(1),
    });
    // Every model's route, and one that names no model (the smoke test expects 404 there).
    const invoke = api.arnForExecuteApi('POST', '/models/*/invocations', api.deploymentStage.stageName);
    const apiKeyArn = stack.formatArn({ service: 'apigateway', account: '', resource: '/apikeys', resourceName: this.apiKey.keyId, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources: [invoke] }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['sagemaker:DescribeEndpoint'],
      // SageMaker ARNs carry the endpoint name in lower case.
      resources: props.endpointNames.map((name) => stack.formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: name.toLowerCase() })),
    }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['apigateway:GET'], resources: [apiKeyArn] }));
    acknowledge(this.role, {
      [`AwsSolutions-IAM5[Resource::${nagResourceId(this, invoke)}]`]: 'The smoke test calls the invocation route of every model of the ' +
        'stage and of one name no model has (it must answer 404); the wildcard is the {model} path parameter of that one route.',
    });
    acknowledgeInHipaaAndNist(this.role, 'IAMNoInlinePolicy', 'The policy belongs to this single role and allows only the smoke ' +
      'test\'s calls: the gateway\'s invocation route, DescribeEndpoint on this stage\'s endpoints, and reading its own API key.');
    this.apiKeyIdOutput = new CfnOutput(this, 'ApiKeyId', { value: this.apiKey.keyId, description: 'API key of the pipeline smoke test' });
  }
}
