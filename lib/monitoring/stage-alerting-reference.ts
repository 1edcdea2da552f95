import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Where a stage's alarms go, as a model's alarms and drift rules use it: `StageAlerting` is one;
 * `ImportedStageAlerting` refers to the alerting of a stage's shared stack from a model's stack.
 */
export interface IStageAlerting {
  readonly topic: sns.ITopic;
  /** The action every alarm of the stage takes: notify the topic. */
  readonly alarmAction: cloudwatch.IAlarmAction;
  /** The bus on which drift alarms become `ModelDriftDetected` events. */
  readonly eventBus: events.IEventBus;
  /** Republishes drift alarms as `ModelDriftDetected` events on `eventBus`. */
  readonly publisher: { readonly function: lambda.IFunction };
  /** Where the drift rules' undeliverable events go. */
  readonly deadLetterQueue: sqs.IQueue;
}

/** The physical names of a stage's alerting, as its shared stack publishes them, in this stack's account and region. */
export interface StageAlertingAttributes {
  readonly topicName: string;
  readonly eventBusName: string;
  readonly publisherFunctionName: string;
  readonly deadLetterQueueName: string;
}

/**
 * A stage's alerting defined in another stack of the same account and region. Nothing here can
 * change the other stack: the topic, queue and key policies there must already allow this
 * stack's alarms and drift rules (the platform's shared stack allows them by name pattern).
 */
export class ImportedStageAlerting extends Construct implements IStageAlerting {
  public readonly topic: sns.ITopic;
  public readonly alarmAction: cloudwatch.IAlarmAction;
  public readonly eventBus: events.IEventBus;
  public readonly publisher: { readonly function: lambda.IFunction };
  public readonly deadLetterQueue: sqs.IQueue;

  constructor(scope: Construct, id: string, attrs: StageAlertingAttributes) {
    super(scope, id);
    // ARNs built from the names in this stack's account and region, so the rule and its targets
    // are known to share an environment (an ARN read whole would leave it unresolved).
    const stack = Stack.of(this);
    this.topic = sns.Topic.fromTopicArn(this, 'Topic', stack.formatArn({ service: 'sns', resource: attrs.topicName, arnFormat: ArnFormat.NO_RESOURCE_NAME }));
    this.alarmAction = new actions.SnsAction(this.topic);
    this.eventBus = events.EventBus.fromEventBusName(this, 'Bus', attrs.eventBusName);
    // Same account and region: a rule's invoke permission can be created in the rule's stack.
    this.publisher = {
      function: lambda.Function.fromFunctionAttributes(this, 'Publisher', {
        functionArn: stack.formatArn({ service: 'lambda', resource: 'function', resourceName: attrs.publisherFunctionName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        sameEnvironment: true,
      }),
    };
    this.deadLetterQueue = sqs.Queue.fromQueueArn(this, 'DeadLetters',
      stack.formatArn({ service: 'sqs', resource: attrs.deadLetterQueueName, arnFormat: ArnFormat.NO_RESOURCE_NAME }));
  }
}
