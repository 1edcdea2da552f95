import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';

/**
 * Key-policy statements that let an AWS service use a customer managed key on the account's
 * behalf. A service principal cannot be granted through IAM: only the key policy can name it, so
 * each statement carries the confused-deputy conditions the service documents, and a key used by
 * the wrong account's resources stays unusable.
 */

/** `arn:<partition>:<service>:<region>:<account>:<resource>`, in the scope's own account and region. */
export function ownArn(scope: IConstruct, service: string, resource: string): string {
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:${service}:${stack.region}:${stack.account}:${resource}`;
}

/**
 * CloudWatch Logs encrypts a log group's events with the key. The documented statement names the
 * regional logs principal and scopes it with `kms:EncryptionContext:aws:logs:arn` (CloudWatch Logs
 * User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS", step 2). The log groups' own
 * ARNs cannot be named here: each log group depends on the key, so the scope is this account's and
 * region's log groups.
 */
export function allowLogsToUseKey(key: kms.IKey): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsOfThisAccount',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': ownArn(key, 'logs', 'log-group:*') } },
  }));
}

/**
 * CloudWatch alarms publish to a topic encrypted with the key: `cloudwatch.amazonaws.com` needs
 * `kms:Decrypt` and `kms:GenerateDataKey*` in the key policy (Knowledge Center
 * "cloudwatch-configure-alarm-sns"), limited to alarms of this account by `aws:SourceAccount`, the
 * confused-deputy key AWS sets when a service acts for a resource of the account.
 */
export function allowCloudWatchAlarmsToUseKey(key: kms.IKey): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsOfThisAccount',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(key).account } },
  }));
}

/**
 * EventBridge rules send failed events to an SQS dead-letter queue encrypted with the key:
 * `events.amazonaws.com` needs `kms:GenerateDataKey` and `kms:Decrypt` in the key policy, scoped by
 * `aws:SourceArn` (SQS Developer Guide, "Key management: configure KMS permissions for AWS
 * services"). The rules cannot be named one by one (each rule names the queue, which names the
 * key), so the scope is this account's and region's rules.
 */
export function allowEventBridgeRulesToUseKey(key: kms.IKey): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowEventBridgeRulesOfThisAccount',
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: ['*'],
    conditions: {
      StringEquals: { 'aws:SourceAccount': Stack.of(key).account },
      ArnLike: { 'aws:SourceArn': ownArn(key, 'events', 'rule/*') },
    },
  }));
}
