import { CustomResource, Lazy, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ScalingGuardProvider } from './scaling-guard-provider';

export interface ScalingGuardProps {
  /** The literal endpoint name (the guard runs before the endpoint, so it cannot take its GetAtt). */
  readonly endpointName: string;
  readonly variantName: string;
  /** The variant's instance type: a deployment whose endpoint runs another type changes it. */
  readonly instanceType: string;
  /**
   * The variant's scaling in the Application Auto Scaling API's shapes (MinCapacity, MaxCapacity,
   * ScheduledActions, Policies with their step alarms' names), read at synthesis: what the guard
   * restores when a failed update left the variant without it.
   */
  readonly scaling: () => object;
}

/**
 * SageMaker fails an endpoint update that changes the instance type of an autoscaled variant
 * unless its scaling is deregistered first. The guard runs before the endpoint in every deployment
 * (lambda/scaling-guard/scaling-guard.ts decides): it deregisters only when it observes that the
 * deployed type differs from this one, and it restores the target, policies, schedules and step
 * alarms' actions when an update finds the type unchanged and the variant unregistered — the
 * rollback of a failed type change, in which CloudFormation rolls the endpoint back before the
 * guard. The new scaling resources of a changed type register after the endpoint update; they are
 * deleted on the rollback of the deployment that created them and retained otherwise, so
 * CloudFormation's clean-up of the old ones never deregisters the new registration (same id).
 */
export class ScalingGuard extends Construct {
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ScalingGuardProps) {
    super(scope, id);
    const provider = ScalingGuardProvider.of(this);
    provider.allowGuarding(props.endpointName);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::SageMakerScalingGuard',
      properties: {
        EndpointName: props.endpointName,
        VariantName: props.variantName,
        InstanceType: props.instanceType,
        // One JSON string: CloudFormation passes custom-resource properties as strings, numbers included.
        Scaling: Stack.of(this).toJsonString(Lazy.any({ produce: props.scaling })),
      },
    });
    // The handler's permissions must be in place before the guard runs.
    this.resource.node.addDependency(provider.handler.function.role!, provider.scalingAccess);
  }
}
