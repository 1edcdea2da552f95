import { Template } from 'aws-cdk-lib/assertions';
import { Json, statementsOf } from '../helpers/fixtures';
import { servingStack } from './fixtures';

/**
 * What a stage's alarms need to reach someone in a real account: a topic policy that lets
 * CloudWatch publish (a topic policy replaces SNS's default one), and a key policy that lets
 * CloudWatch use the topic's key — each limited to this account's resources (confused deputy).
 */
describe('StageAlerting: alarm notifications can be delivered', () => {
  const fixture = servingStack();
  const template = Template.fromStack(fixture.stack);
  const resources = template.toJSON().Resources as Record<string, Json>;
  const idOf = (c: { node: { defaultChild?: unknown } }) => fixture.stack.getLogicalId(c.node.defaultChild as never);
  const keyStatements = () => statementsOf(resources[idOf(fixture.alerting.key)].Properties.KeyPolicy);
  const byPrincipal = (statements: Array<Record<string, Json>>, service: string) =>
    statements.filter((s) => JSON.stringify(s.Principal?.Service ?? '').includes(service));

  test('the topic policy allows cloudwatch.amazonaws.com to sns:Publish, for alarms of this account only', () => {
    const policy = Object.values(resources).find((r) => r.Type === 'AWS::SNS::TopicPolicy')!;
    const allows = byPrincipal(statementsOf(policy.Properties.PolicyDocument), 'cloudwatch.amazonaws.com');
    expect(allows).toEqual([expect.objectContaining({
      Effect: 'Allow',
      Action: 'sns:Publish',
      Resource: { Ref: idOf(fixture.alerting.topic) },
      Condition: {
        StringEquals: { 'aws:SourceAccount': '123456789012' },
        ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*' },
      },
    })]);
  });

  test('the key policy lets CloudWatch encrypt notifications only for this account (aws:SourceAccount)', () => {
    expect(byPrincipal(keyStatements(), 'cloudwatch.amazonaws.com')).toEqual([expect.objectContaining({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    })]);
  });

  test('CloudWatch Logs may use the key only for log groups of this account and region (kms:EncryptionContext:aws:logs:arn)', () => {
    const logs = byPrincipal(keyStatements(), 'logs.');
    expect(logs).toHaveLength(1);
    expect(logs[0].Condition).toEqual({ ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:123456789012:log-group:*' } });
    expect(logs[0].Action).toEqual(expect.arrayContaining(['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*']));
  });
});

describe('StageAlerting: the dead-letter queue can be written', () => {
  const fixture = servingStack();
  const template = Template.fromStack(fixture.stack);
  const resources = template.toJSON().Resources as Record<string, Json>;
  const idOf = (c: { node: { defaultChild?: unknown } }) => fixture.stack.getLogicalId(c.node.defaultChild as never);
  const keyId = idOf(fixture.alerting.key);

  test('the key policy lets EventBridge rules of this account generate data keys for the queue (the drift rules\' DLQ)', () => {
    const events = statementsOf(resources[keyId].Properties.KeyPolicy).filter((s) => s.Principal?.Service === 'events.amazonaws.com');
    expect(events).toEqual([expect.objectContaining({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: {
        StringEquals: { 'aws:SourceAccount': '123456789012' },
        ArnLike: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:123456789012:rule/*' },
      },
    })]);
  });

  test('the drift publisher\'s role may send to the queue and use its key (the function\'s own DLQ)', () => {
    const role = fixture.alerting.publisher.function.role!;
    const policy = Object.values(resources).find((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(idOf(role)))!;
    const statements = statementsOf(policy.Properties.PolicyDocument);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [idOf(fixture.alerting.deadLetterQueue), 'Arn'] } }),
      expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } }),
    ]));
  });
});
