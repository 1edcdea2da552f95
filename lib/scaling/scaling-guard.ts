import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeInHipaaAndNist } from '../compliance/acknowledge';

export interface ScalingGuardProps {
  /** `endpoint/<name>/variant/<variant>` with the literal endpoint name (the guard runs before the endpoint). */
  readonly resourceId: string;
  /** The variant's instance type: when it changes, the guard deregisters scaling before the endpoint update. */
  readonly instanceType: string;
}

/**
 * SageMaker fails an endpoint update that changes the instance type of an autoscaled variant
 * unless its scaling is deregistered first. The guard does that, in the same deployment: it
 * runs before the endpoint update whenever the instance type changes (and when scaling is
 * removed), and the new scalable target registers after the update. The scaling resources are
 * retained on replacement, so CloudFormation's clean-up does not deregister the new target,
 * whose id is the same.
 */
export class ScalingGuard extends Construct {
  public readonly resource: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: ScalingGuardProps) {
    super(scope, id);
    const deregister: cr.AwsSdkCall = {
      service: 'ApplicationAutoScaling',
      action: 'DeregisterScalableTarget',
      parameters: { ServiceNamespace: 'sagemaker', ResourceId: props.resourceId, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' },
      // A constant physical id: a new one would make CloudFormation delete the old guard in clean-up,
      // and its delete call would deregister the scaling just registered for the new type.
      physicalResourceId: cr.PhysicalResourceId.of(props.resourceId),
      // Nothing registered yet (first deployment) is fine.
      ignoreErrorCodesMatching: 'ObjectNotFoundException',
    };
    this.resource = new cr.AwsCustomResource(this, 'Deregister', {
      resourceType: 'Custom::SageMakerScalingGuard',
      onUpdate: deregister,
      onDelete: deregister,
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({
        actions: ['application-autoscaling:DeregisterScalableTarget'],
        // Application Auto Scaling scopes DeregisterScalableTarget by scalable-target ARN, whose id is
        // assigned at registration and unknown here; the call itself names only this variant.
        resources: ['*'],
      })]),
    });
    // The instance type as a property of its own: changing it makes CloudFormation send an Update.
    const cfnResource = this.resource.node.findChild('Resource').node.defaultChild as CfnResource;
    cfnResource.addPropertyOverride('InstanceType', props.instanceType);
    acknowledge(this.resource, {
      'AwsSolutions-IAM5[Resource::*]': 'DeregisterScalableTarget cannot be scoped to an ARN known at synth (scalable-target ids are ' +
        'assigned at registration); the SDK call names only this endpoint variant.',
    });
    acknowledgeInHipaaAndNist(this.resource, 'IAMNoInlinePolicy', 'The inline policy allows one action for the scaling guard\'s provider ' +
      'role and is deleted with the guard.');
    acknowledgeProvider(Stack.of(this));
  }
}

/** The AwsCustomResource provider is one Lambda per stack: acknowledge its findings once, on it. */
function acknowledgeProvider(stack: Stack): void {
  const provider = stack.node.tryFindChild(cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '').replace(/^/, 'AWS'));
  if (!provider || provider.node.metadata.some((m) => m.type === 'aws:cdk:acknowledged-rules')) return;
  const owner = 'the aws-cdk-lib AwsCustomResource provider that deregisters endpoint scaling before an instance-type change';
  acknowledge(provider, {
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
      `The log-writing managed policy of ${owner}; it grants only CloudWatch Logs writes.`,
    'AwsSolutions-IAM5[Resource::*]': `application-autoscaling:DeregisterScalableTarget of ${owner} cannot be scoped to an ARN known at synth.`,
    'AwsSolutions-L1': `The runtime of ${owner} is chosen by aws-cdk-lib and updated with it.`,
  });
  const reasons: Record<string, string> = {
    LambdaConcurrency: `${owner} runs only during deployments, once per variant; reserved concurrency would only block other functions.`,
    LambdaDLQ: `${owner} is invoked synchronously by CloudFormation, which reports its failure and rolls back; there is no event to dead-letter.`,
    LambdaInsideVPC: `${owner} calls only the Application Auto Scaling API and touches no data; it needs no VPC.`,
    IAMNoInlinePolicy: `The inline policy belongs to ${owner}'s own role and allows one action.`,
    CloudWatchLogGroupEncrypted: `The logs of ${owner} hold only the SDK call (service, action, endpoint variant id), no model or user data.`,
  };
  for (const [rule, reason] of Object.entries(reasons)) acknowledgeInHipaaAndNist(provider, rule, reason);
}
