import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface SageMakerScalableTargetProps {
  readonly scalableDimension: 'sagemaker:variant:DesiredInstanceCount' | 'sagemaker:inference-component:DesiredCopyCount';
  readonly resourceId: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** Keep the registration when CloudFormation replaces or removes the resource. */
  readonly retain?: boolean;
}

/**
 * An Application Auto Scaling target for SageMaker without `RoleARN`: Application Auto Scaling
 * then uses, and creates on first use, its SageMaker service-linked role
 * (AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint). The imported role only satisfies
 * the L2's type and adds nothing to the template.
 */
export function sageMakerScalableTarget(scope: Construct, id: string, props: SageMakerScalableTargetProps): appscaling.ScalableTarget {
  const target = new appscaling.ScalableTarget(scope, id, {
    serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
    scalableDimension: props.scalableDimension,
    resourceId: props.resourceId,
    minCapacity: props.minCapacity,
    maxCapacity: props.maxCapacity,
    role: iam.Role.fromRoleArn(scope, `${id}ServiceLinkedRole`, Stack.of(scope).formatArn({
      service: 'iam', region: '', resource: 'role',
      resourceName: 'aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint',
    })),
  });
  const cfnTarget = target.node.defaultChild as appscaling.CfnScalableTarget;
  cfnTarget.addPropertyDeletionOverride('RoleARN');
  if (props.retain) cfnTarget.applyRemovalPolicy(RemovalPolicy.RETAIN);
  return target;
}
