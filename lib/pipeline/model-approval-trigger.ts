import { Aws, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeInHipaaAndNist } from '../compliance/acknowledge';

/**
 * The event SageMaker sends when a model package's approval status changes, narrowed to one group's
 * versions turning Approved: source `aws.sagemaker`, detail-type "SageMaker Model Package State
 * Change", `detail.ModelPackageGroupName` and `detail.ModelApprovalStatus` (SageMaker Developer
 * Guide, "Events that Amazon SageMaker AI sends to Amazon EventBridge", model package state change).
 */
export function modelApprovedPattern(modelPackageGroupName: string, account: string): events.EventPattern {
  return {
    source: ['aws.sagemaker'],
    detailType: ['SageMaker Model Package State Change'],
    account: [account],
    detail: { ModelPackageGroupName: [modelPackageGroupName], ModelApprovalStatus: ['Approved'] },
  };
}

export interface ModelApprovalForwardingProps {
  readonly modelPackageGroupName: string;
  /** Where an event EventBridge cannot forward goes (a queue of this stack whose key EventBridge may use). */
  readonly deadLetterQueue: sqs.IQueue;
  /** The pipeline's account and region, whose default event bus receives the events. */
  readonly pipelineAccount: string;
  readonly pipelineRegion: string;
}

/**
 * In the model registry stage, when it is in another account or region than the pipeline: sends
 * its approval events to the default event bus of the pipeline's account and region, where the
 * pipeline's rule starts the pipeline (EventBridge User Guide, "Sending and receiving events
 * between AWS accounts" and "... between AWS Regions"; the pipeline stack's bus policy admits them).
 */
export class ModelApprovalForwarding extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ModelApprovalForwardingProps) {
    super(scope, id);
    const bus = events.EventBus.fromEventBusArn(this, 'PipelineBus',
      `arn:${Aws.PARTITION}:events:${props.pipelineRegion}:${props.pipelineAccount}:event-bus/default`);
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: 'Lets EventBridge forward model approvals to the promotion pipeline\'s event bus',
    });
    this.rule = new events.Rule(this, 'Rule', {
      description: `Forwards approvals of ${props.modelPackageGroupName} versions to the promotion pipeline`,
      eventPattern: modelApprovedPattern(props.modelPackageGroupName, Stack.of(this).account),
      targets: [new targets.EventBus(bus, { role, deadLetterQueue: props.deadLetterQueue })],
    });
    acknowledgeInHipaaAndNist(role, 'IAMNoInlinePolicy', 'The inline policy of this EventBridge role allows only events:PutEvents on the pipeline account\'s default event bus.');
  }
}
