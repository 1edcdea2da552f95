import { CfnDeletionPolicy, CfnResource, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface SageMakerScalableTargetProps {
  readonly scalableDimension: 'sagemaker:variant:DesiredInstanceCount' | 'sagemaker:inference-component:DesiredCopyCount';
  readonly resourceId: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /**
   * Keep the registration when CloudFormation replaces or removes the resource, except on the
   * rollback of the deployment that created it (see `retainExceptOnCreate`).
   */
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
  if (props.retain) retainExceptOnCreate(cfnTarget);
  return target;
}

/**
 * A scaling resource of an instance type is retained when a later deployment removes it (its
 * deletion would deregister the new type's registration, which has the same id), but deleted when
 * the deployment that created it rolls back: the endpoint can only return to its old instance type
 * once the new registration is gone (CloudFormation DeletionPolicy `RetainExceptOnCreate`).
 */
export function retainExceptOnCreate(resource: CfnResource): void {
  resource.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE;
  resource.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
}
