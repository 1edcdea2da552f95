import { conditionsHold, decideKeyAccess, decideResourceAccess, wildcardMatch, type Policy, type Request } from '../../lib/audit/policy-evaluation';

/** The evaluation rules the delivery-path check relies on, one by one (IAM User Guide, "Policy evaluation logic"). */
const ROLE = { kind: 'iam', arn: 'arn:aws:iam::310000000002:role/writer', account: '310000000002' } as const;
const QUEUE = 'arn:aws:sqs:us-east-1:310000000002:dlq';
const request = (over: Partial<Request> = {}): Request => ({ principal: ROLE, action: 'sqs:SendMessage', resource: QUEUE, context: { 'aws:SecureTransport': true }, ...over });
const policy = (...statements: Policy['statements']): Policy => ({ source: 'p', statements });
const allowRole = policy({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE });

describe('policy evaluation', () => {
  test('wildcards: * and ? in actions, ARNs and *Like conditions; atoms are literal text', () => {
    expect(wildcardMatch('arn:aws:logs:⟨Region⟩:⟨AccountId⟩:log-group:*', 'arn:aws:logs:⟨Region⟩:⟨AccountId⟩:log-group:⟨s.Logs⟩')).toBe(true);
    expect(wildcardMatch('arn:aws:logs:us-east-1:*', 'arn:aws:logs:⟨Region⟩:1')).toBe(false);
    expect(wildcardMatch('kms:GenerateDataKey*', 'kms:GenerateDataKeyWithoutPlaintext')).toBe(true);
    expect(wildcardMatch('rule/?', 'rule/ab')).toBe(false);
  });

  test('conditions: a missing key fails a positive operator, satisfies a negated one and …IfExists; an unknown operator fails closed', () => {
    expect(conditionsHold({ StringEquals: { 'aws:SourceAccount': '1' } }, {}, 'Allow')).toBe(false);
    expect(conditionsHold({ ArnNotEquals: { 'aws:PrincipalArn': 'x' } }, {}, 'Deny')).toBe(true);
    expect(conditionsHold({ StringEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } }, {}, 'Allow')).toBe(true);
    expect(conditionsHold({ NumericLessThan: { 'aws:MultiFactorAuthAge': '60' } }, { 'aws:MultiFactorAuthAge': '1' }, 'Allow')).toBe(false);
    expect(conditionsHold({ NumericLessThan: { 'aws:MultiFactorAuthAge': '60' } }, { 'aws:MultiFactorAuthAge': '1' }, 'Deny')).toBe(true);
    expect(conditionsHold({ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': true }, 'Deny')).toBe(false);
    expect(conditionsHold({ ArnLike: { 'aws:SourceArn': ['arn:a:*', 'arn:b:*'] } }, { 'aws:SourceArn': 'arn:b:1' }, 'Allow')).toBe(true);
  });

  test('same account: the identity policy or the resource policy suffices; an explicit deny anywhere wins', () => {
    expect(decideResourceAccess(request(), '310000000002', [], [allowRole]).allowed).toBe(true);
    expect(decideResourceAccess(request(), '310000000002', [policy({ Effect: 'Allow', Principal: { AWS: ROLE.arn }, Action: 'sqs:*', Resource: '*' })], []).allowed).toBe(true);
    const deny = policy({ Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    expect(decideResourceAccess(request(), '310000000002', [deny], [allowRole]).allowed).toBe(true);
    expect(decideResourceAccess(request({ context: { 'aws:SecureTransport': false } }), '310000000002', [deny], [allowRole])).toMatchObject({ allowed: false, reason: 'explicitly denied by p#TlsOnly' });
  });

  test('a service principal needs the resource policy; cross-account needs both policies', () => {
    const events = request({ principal: { kind: 'service', service: 'events.amazonaws.com' } });
    expect(decideResourceAccess(events, '310000000002', [], [allowRole]).allowed).toBe(false);
    const other = request({ principal: { kind: 'iam', arn: 'arn:aws:iam::410000000003:role/x', account: '410000000003' } });
    const allowOther = policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::410000000003:root' }, Action: 'sqs:SendMessage', Resource: QUEUE });
    expect(decideResourceAccess(other, '310000000002', [allowOther], []).allowed).toBe(false);
    expect(decideResourceAccess(other, '310000000002', [allowOther], [allowRole]).allowed).toBe(true);
  });

  test('KMS: the key policy allows directly, or delegates to IAM through the account root and the identity policy allows', () => {
    const key = 'arn:aws:kms:us-east-1:310000000002:key/k';
    const kms = request({ action: 'kms:GenerateDataKey', resource: key });
    const root = policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::310000000002:root' }, Action: 'kms:*', Resource: '*' });
    const identity = policy({ Effect: 'Allow', Action: ['kms:GenerateDataKey'], Resource: key });
    expect(decideKeyAccess(kms, '310000000002', root, [identity]).allowed).toBe(true);
    expect(decideKeyAccess(kms, '310000000002', root, []).reason).toBe('the key policy delegates to IAM, but the identity policy does not allow it');
    const service = { ...kms, principal: { kind: 'service', service: 'events.amazonaws.com' } as const };
    expect(decideKeyAccess(service, '310000000002', root, []).allowed).toBe(false);
    const withEvents = policy(...root.statements, { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'kms:GenerateDataKey', Resource: '*' });
    expect(decideKeyAccess(service, '310000000002', withEvents, []).allowed).toBe(true);
  });
});
