import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { BundledFunction } from '../common/bundled-function';
import { allowLogsToUseKey, ownArn } from '../common/service-key-access';
import { acknowledge, acknowledgeInHipaaAndNist, acknowledgeWildcardResource } from '../compliance/acknowledge';

const PROVIDER_ID = 'SageMakerScalingGuardProvider';

/**
 * The custom-resource provider behind every `ScalingGuard` of a stack: one handler function (its
 * own role, encrypted logs, active tracing) behind the aws-cdk-lib Provider framework, which
 * answers CloudFormation. Each guard adds the permissions for its own endpoint.
 */
export class ScalingGuardProvider extends Construct {
  /** The stack's provider, created with the first guard. */
  public static of(scope: Construct): ScalingGuardProvider {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(PROVIDER_ID) as ScalingGuardProvider | undefined) ?? new ScalingGuardProvider(stack, PROVIDER_ID);
  }

  public readonly serviceToken: string;
  public readonly handler: BundledFunction;
  /** The handler's Application Auto Scaling permissions (a guard must wait for them, like for the role). */
  public readonly scalingAccess: iam.Policy;
  private readonly guarded = new Set<string>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const key = new kms.Key(this, 'LogKey', { description: `Logs of the SageMaker scaling guard of ${Stack.of(this).stackName}`, enableKeyRotation: true });
    allowLogsToUseKey(key);
    const owner = 'the scaling guard, which runs only during deployments';
    this.handler = new BundledFunction(this, 'Handler', {
      // lambda/scaling-guard: a thin handler over the pure planner lambda/scaling-guard/scaling-guard.ts.
      handler: 'scaling-guard-handler',
      description: `SageMaker scaling guard of ${Stack.of(this).stackName}`,
      timeout: Duration.minutes(5),
      memorySize: 256,
      logRetention: logs.RetentionDays.ONE_YEAR,
      logKey: key,
    });
    acknowledgeInHipaaAndNist(this.handler.function, 'LambdaConcurrency', `${owner}, once per autoscaled variant; reserving concurrency would take it from every other function.`);
    // Application Auto Scaling: the calls name only guarded variants; scalable-target ARNs carry an id
    // assigned at registration, unknown here, and the Describe actions have no resource type. A policy
    // of its own, so its acknowledgement is not the role's (which covers X-Ray's trace writes).
    this.scalingAccess = new iam.Policy(this, 'ScalingAccess', {
      roles: [this.handler.function.role!],
      statements: [
        new iam.PolicyStatement({
          sid: 'GuardVariantScaling',
          actions: [
            'application-autoscaling:DescribeScalableTargets', 'application-autoscaling:DeregisterScalableTarget', 'application-autoscaling:RegisterScalableTarget',
            'application-autoscaling:PutScalingPolicy', 'application-autoscaling:PutScheduledAction',
          ],
          resources: ['*'],
        }),
        // Registering again after a deregistration uses Application Auto Scaling's SageMaker service-linked role.
        new iam.PolicyStatement({
          sid: 'UseScalingServiceLinkedRole',
          actions: ['iam:CreateServiceLinkedRole'],
          resources: [Stack.of(this).formatArn({
            service: 'iam', region: '', resource: 'role',
            resourceName: 'aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint',
          })],
          conditions: { StringLike: { 'iam:AWSServiceName': 'sagemaker.application-autoscaling.amazonaws.com' } },
        }),
      ],
    });
    acknowledge(this.scalingAccess, {
      'AwsSolutions-IAM5[Resource::*]': 'Application Auto Scaling: scalable-target ARNs carry an id assigned at registration (unknown at synth) and ' +
        'DescribeScalableTargets has no resource type; every call the scaling guard makes names one guarded endpoint variant.',
    });
    acknowledgeInHipaaAndNist(this.scalingAccess, 'IAMNoInlinePolicy', 'Belongs to the scaling guard\'s own role alone and allows only the ' +
      'Application Auto Scaling calls that deregister and restore a guarded variant.');

    const frameworkLogs = new logs.LogGroup(this, 'FrameworkLogs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: key });
    const provider = new cr.Provider(this, 'Provider', { onEventHandler: this.handler.function, logGroup: frameworkLogs });
    this.serviceToken = provider.serviceToken;
    traceFramework(provider);
    acknowledgeFramework(provider, this.handler.function, owner);
  }

  /**
   * Lets the handler observe and restore the scaling of one endpoint: describe it and its configs
   * (config names are generated by CloudFormation), update its capacities (Application Auto Scaling
   * registers on the caller's authority), and manage its scaling alarms.
   */
  public allowGuarding(endpointName: string): void {
    if (this.guarded.has(endpointName)) return;
    this.guarded.add(endpointName);
    const role = this.handler.function.role!;
    const configs = ownArn(this, 'sagemaker', 'endpoint-config/*');
    const trackingAlarms = ownArn(this, 'cloudwatch', `alarm:TargetTracking-endpoint/${endpointName}/*`);
    const stepAlarms = ownArn(this, 'cloudwatch', `alarm:${endpointName}-*`);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpointWeightsAndCapacities'],
      resources: [ownArn(this, 'sagemaker', `endpoint/${endpointName.toLowerCase()}`)],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sagemaker:DescribeEndpointConfig'], resources: [configs] }));
    // Target tracking alarms are created by Application Auto Scaling on the caller's authority
    // (SageMaker Developer Guide, "Auto scaling prerequisites"); step alarms are re-pointed at a restored policy.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'],
      resources: [trackingAlarms, stepAlarms],
    }));
    acknowledgeWildcardResource(role, configs, 'Endpoint config names are generated by CloudFormation; the guard reads the config its endpoint runs.');
    acknowledgeWildcardResource(role, trackingAlarms, 'Application Auto Scaling names target-tracking alarms by the variant and a generated id.');
    acknowledgeWildcardResource(role, stepAlarms, 'The step-scaling alarms of this endpoint, named after it by the platform.');
  }
}

/** Active tracing for the framework's function too, like every platform function. */
function traceFramework(provider: cr.Provider): void {
  const framework = provider.node.findChild('framework-onEvent') as lambda.Function;
  (framework.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.ACTIVE };
  framework.addToRolePolicy(new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }));
}

/** The findings of aws-cdk-lib's framework function, acknowledged once, on it. */
function acknowledgeFramework(provider: cr.Provider, handler: lambda.IFunction, owner: string): void {
  const framework = provider.node.findChild('framework-onEvent');
  const what = `The aws-cdk-lib custom-resource framework function of ${owner}`;
  acknowledgeWildcardResource(framework, `${handler.functionArn}:*`, `${what}: it may invoke the guard's handler, any version of it, and nothing else.`);
  acknowledge(framework, {
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
      `${what}: aws-cdk-lib attaches this managed policy, which grants only CloudWatch Logs writes.`,
    'AwsSolutions-IAM5[Resource::*]': `${what}: X-Ray trace writes have no resource type.`,
    'AwsSolutions-L1': `${what}: its runtime is chosen by aws-cdk-lib and updated with it.`,
  });
  const reasons: Record<string, string> = {
    LambdaConcurrency: `${what} runs only during deployments; reserving concurrency would take it from every other function.`,
    LambdaDLQ: `${what} is invoked synchronously by CloudFormation, which reports a failure and rolls back; there is no event to dead-letter.`,
    LambdaInsideVPC: `${what} calls only AWS APIs (Lambda, CloudFormation's response URL) and holds no data.`,
    IAMNoInlinePolicy: `The inline policy belongs to the framework function's own role and allows invoking the guard's handler only.`,
  };
  for (const [rule, reason] of Object.entries(reasons)) acknowledgeInHipaaAndNist(framework, rule, reason);
}
