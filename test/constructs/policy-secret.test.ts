import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { PolicySecret } from '../../lib/gateway/policy-secret';
import { SafetyGateway } from '../../lib/gateway/safety-gateway';
import { Json, errorMessage, statementsOf } from '../helpers/fixtures';
import { servingStack } from './fixtures';

/**
 * Canary tokens and sensitive banned words are kept in Secrets Manager: the template and the
 * Lambda environment hold only the secret's ARN; the handlers read the value at cold start.
 */
describe('SafetyGateway policy secrets', () => {

  const { stack, endpoint } = servingStack();
  const gateway = new SafetyGateway(stack, 'Guarded', {
    stage: 'test',
    models: { chat: { endpoint, format: 'openai-chat', safetyPolicy: { preset: 'standard', bannedWords: { words: ['public-word'] } }, policySecret: PolicySecret.generate() } },
    consumers: [{ name: 'team-a', rateLimit: 5, burstLimit: 10, quota: 1000 }],
  });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Json>;
  const idOf = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  const secretId = idOf(gateway.policySecrets.chat as secretsmanager.Secret);

  test('a generated secret: a random canary token made by Secrets Manager, encrypted with a customer managed key', () => {
    const secret = resources[secretId].Properties;
    expect(secret.GenerateSecretString).toEqual({ SecretStringTemplate: '{"bannedWords":[]}', GenerateStringKey: 'canaryToken', ExcludePunctuation: true, PasswordLength: 32 });
    expect(secret.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^GuardedPolicySecretKey/), 'Arn'] });
    expect(secret.SecretString).toBeUndefined();
  });

  test('the three functions get only the secret\'s ARN (POLICY_SECRETS), and may read it', () => {
    for (const fn of [gateway.handler, gateway.preProcessing, gateway.postProcessing]) {
      const env = resources[idOf(fn.function)].Properties.Environment.Variables;
      expect(JSON.stringify(env.POLICY_SECRETS)).toContain(`"Ref":"${secretId}"`);
      const policies = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(idOf(fn.function.role!)));
      const reads = policies.flatMap((p) => statementsOf(p.Properties.PolicyDocument)).filter((s) => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'));
      expect(reads).toEqual([expect.objectContaining({ Resource: { Ref: secretId } })]);
    }
  });

  test('a canary token in the plain policy is refused with the fix', () => {
    const message = errorMessage(() => new SafetyGateway(stack, 'Leaky', {
      stage: 'test',
      models: { chat: { endpoint, format: 'openai-chat', safetyPolicy: { preset: 'standard', canary: { tokens: ['cnry-7f3a9c2e51'] } } } },
      consumers: [{ name: 'team-a', rateLimit: 5, burstLimit: 10, quota: 1000 }],
    }));
    expect(message).toContain('models.chat.safetyPolicy.canary.tokens: "1 token(s)" would be readable in the template and the Lambda environment: ' +
      'keep canary tokens in a Secrets Manager secret (policySecret: PolicySecret.generate() or PolicySecret.fromSecret(...))');
    expect(message).not.toContain('cnry-7f3a9c2e51');
  });
});
