import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledge';
import { BundledFunction } from '../common/bundled-function';
import { DRIFT_PUBLISHER_RESERVED_CONCURRENCY } from '../common/reserved-concurrency';
import { allowCloudWatchAlarmsToUseKey, allowEventBridgeRulesToUseKey, allowLogsToUseKey, ownArn } from '../common/service-key-access';

export interface StageAlertingProps {
  /** `<platform>-<stage>`: names the topic and the event bus. */
  readonly name: string;
  /**
   * Addresses that receive every alarm by email (each must confirm its subscription).
   * @default - none; subscribe a pager or chat integration to `topic`
   */
  readonly emails?: string[];
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Where a stage's alarms go: an encrypted SNS topic for people, and an event bus on which drift
 * alarms become `ModelDriftDetected` events for retraining pipelines.
 */
export class StageAlerting extends Construct {
  public readonly topic: sns.Topic;
  public readonly eventBus: events.EventBus;
  public readonly key: kms.Key;
  /** Republishes drift alarms as `ModelDriftDetected` events on `eventBus`. */
  public readonly publisher: BundledFunction;
  public readonly deadLetterQueue: sqs.Queue;
  /** The action every alarm of the stage takes: notify the topic. */
  public readonly alarmAction: cloudwatch.IAlarmAction;

  constructor(scope: Construct, id: string, props: StageAlertingProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', { description: `Alarm notifications and dead letters of ${props.name}`, enableKeyRotation: true });
    // CloudWatch publishes alarm notifications to the encrypted topic; CloudWatch Logs writes the publisher's logs.
    allowCloudWatchAlarmsToUseKey(this.key);
    allowLogsToUseKey(this.key);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `${props.name} inference alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default policy, and enforceSSL creates one: without this statement
    // CloudWatch "is not authorized to perform: SNS:Publish" and no alarm notification is ever
    // delivered (Knowledge Center "cloudwatch-receive-sns-for-alarm-trigger", which scopes it with
    // aws:SourceArn). The alarms are this account's and region's: naming each one would make the
    // topic policy wait for alarms of every stack that notifies the topic.
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        ArnLike: { 'aws:SourceArn': ownArn(this, 'cloudwatch', 'alarm:*') },
      },
    }));
    for (const email of props.emails ?? []) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    this.alarmAction = new actions.SnsAction(this.topic);

    this.eventBus = new events.EventBus(this, 'Bus', { eventBusName: `${props.name}-models` });
    // The queue is SSE-KMS with this key: EventBridge (the drift rules' dead letters) needs the key
    // policy, the publisher's role (its own dead letters) an identity policy, to generate data keys.
    allowEventBridgeRulesToUseKey(this.key);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, {
      'AwsSolutions-SQS3': 'This queue is itself the dead-letter queue of the drift event publisher.',
    });
    this.publisher = new BundledFunction(this, 'DriftPublisher', {
      handler: 'drift-event-handler',
      description: `drift event publisher of ${props.name}`,
      environment: { EVENT_BUS_NAME: this.eventBus.eventBusName },
      timeout: Duration.seconds(10),
      memorySize: 256,
      reservedConcurrency: DRIFT_PUBLISHER_RESERVED_CONCURRENCY,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      logKey: this.key,
      deadLetterQueue: this.deadLetterQueue,
    });
    this.eventBus.grantPutEventsTo(this.publisher.function);
    // Lambda sends a failed asynchronous event to the dead-letter queue with the function's role, which
    // needs sqs:SendMessage (granted with deadLetterQueue) and, the queue being SSE-KMS, the key's
    // kms:GenerateDataKey and kms:Decrypt (SQS Developer Guide, "Key management: producers").
    this.key.grant(this.publisher.function, 'kms:GenerateDataKey', 'kms:Decrypt');
  }
}
