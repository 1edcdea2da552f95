import { Template } from 'aws-cdk-lib/assertions';
import { asList, principalStatements, referencePlatformApp, REFERENCE_STACKS, templatesOf, Json } from '../helpers/fixtures';

/**
 * Actions that may have `Resource: "*"`, because AWS offers no resource-level permission for them
 * (Service Authorization Reference), each with the condition that narrows it where one exists.
 */
const NO_RESOURCE_LEVEL_PERMISSION: Record<string, (statement: Record<string, Json>) => boolean> = {
  // Returns a registry token for the caller's account; no resource type.
  'ecr:GetAuthorizationToken': () => true,
  // No resource type; limited to SageMaker's namespaces by the cloudwatch:namespace condition key.
  'cloudwatch:PutMetricData': (s) => s.Condition?.StringLike?.['cloudwatch:namespace'] === '/aws/sagemaker/*',
  // The ScalingGuard's provider: scalable-target ARNs carry an id assigned at registration, unknown at
  // synth; the SDK call itself names only the guarded variant (lib/scaling-guard.ts).
  'application-autoscaling:DeregisterScalableTarget': () => true,
};

/** Wildcards inside an ARN that are expected, each scoped to one owned resource. */
const ALLOWED_ARN_WILDCARDS = [
  /:log-group:\/aws\/sagemaker\/Endpoints\/inference-(staging|prod)-(chat|embed):log-stream:\*$/, // streams of the endpoint's own log group
  /^arn:aws:s3:::<ArtifactBucketName>\/chat\/2\.3\.0\/\*$/, // the objects of the uncompressed chat model, and nothing else in the bucket
  /^<\w*Logs\w*\.Arn>:\*$/, // a platform Lambda function's streams, in its own log group
  /^arn:aws:s3:::<CaptureBucketName>\/capture\/inference-(staging|prod)-(chat|embed)\/\*$/, // an endpoint's own capture prefix
];

/**
 * An ARN as text, with the artifact bucket (its `Fn::GetAtt` in the shared stack, the output a
 * model stack reads) written as `<Artifacts>`, the capture bucket's name as `<DataCaptureBucket>`.
 */
function arnText(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const node = resource as Record<string, Json>;
  const output = node['Fn::GetStackOutput']?.OutputName;
  if (output === 'ArtifactBucketName') return '<ArtifactBucketName>';
  if (output) return `<${output}>`;
  if (node['Fn::Join']) return (node['Fn::Join'][1] as unknown[]).map(arnText).join(node['Fn::Join'][0]);
  if (node['Fn::GetAtt']) return String(node['Fn::GetAtt'][0]).includes('Artifacts') ? '<Artifacts>' : `<${node['Fn::GetAtt'].join('.')}>`;
  if (node.Ref === 'AWS::Partition') return 'aws';
  if (node.Ref) return `<${node.Ref}>`;
  return JSON.stringify(node);
}

describe('IAM least privilege of the reference platform', () => {
  let templates: Record<string, Template>;
  let statements: Array<{ stack: string; source: string; statement: Record<string, Json> }>;

  beforeAll(() => {
    templates = templatesOf(referencePlatformApp());
    statements = Object.entries(templates).flatMap(([stack, template]) =>
      principalStatements(template).map((s) => ({ stack, ...s })));
  });

  test('every stack of both stages has policies to check', () => {
    expect(Object.keys(templates).sort()).toEqual(REFERENCE_STACKS);
    for (const stack of Object.keys(templates)) {
      expect(statements.filter((s) => s.stack === stack).length).toBeGreaterThanOrEqual(5);
    }
  });

  test('no statement uses NotAction, NotResource or an Allow with a NotPrincipal', () => {
    for (const { statement } of statements) {
      expect(statement.NotAction).toBeUndefined();
      expect(statement.NotResource).toBeUndefined();
      expect(statement.NotPrincipal).toBeUndefined();
    }
  });

  test('no action is a wildcard', () => {
    const wildcards = statements.flatMap(({ source, statement }) =>
      asList<string>(statement.Action).filter((a) => a.includes('*')).map((a) => `${source}: ${a}`));
    expect(wildcards).toEqual([]);
  });

  test('Resource "*" only for actions without resource-level permissions, each alone in its statement and narrowed where AWS allows', () => {
    const starred = statements.filter(({ statement }) => asList(statement.Resource).includes('*'));
    expect(starred.length).toBeGreaterThan(0);
    for (const { source, statement } of starred) {
      const actions = asList<string>(statement.Action);
      expect({ source, actions }).toEqual({ source, actions: [expect.any(String)] });
      const allowed = NO_RESOURCE_LEVEL_PERMISSION[actions[0]];
      expect({ source, action: actions[0], allowListed: allowed !== undefined }).toEqual({ source, action: actions[0], allowListed: true });
      expect({ source, action: actions[0], narrowed: allowed(statement) }).toEqual({ source, action: actions[0], narrowed: true });
    }
    // The execution roles' two cases really occur (the list is not stale).
    const starredActions = new Set(starred.map((s) => asList<string>(s.statement.Action)[0]));
    expect(starredActions).toContain('ecr:GetAuthorizationToken');
    expect(starredActions).toContain('cloudwatch:PutMetricData');
  });

  test('every other wildcard in an ARN is confined to one owned resource', () => {
    const wildcards = statements.flatMap(({ source, statement }) => asList(statement.Resource)
      .filter((r) => r !== '*')
      .map((r) => ({ source, arn: arnText(r) }))
      .filter(({ arn }) => arn.includes('*')));
    expect(wildcards.length).toBeGreaterThan(0);
    for (const w of wildcards) {
      expect({ ...w, allowed: ALLOWED_ARN_WILDCARDS.some((p) => p.test(w.arn)) }).toEqual({ ...w, allowed: true });
    }
  });

  test('artifact reads are limited to the served version; KMS decrypt only through S3', () => {
    const reads = statements.filter(({ statement }) => asList(statement.Action).includes('s3:GetObject'));
    expect(reads.map(({ statement }) => arnText(statement.Resource)).sort()).toEqual([
      ...['chat/2.3.0/*', 'chat/2.3.0/*', 'embed/1.1.0/model.tar.gz', 'embed/1.1.0/model.tar.gz'].map((key) => `arn:aws:s3:::<ArtifactBucketName>/${key}`),
    ]);
    const lists = statements.filter(({ statement }) => asList(statement.Action).includes('s3:ListBucket'));
    for (const { statement } of lists) expect(statement.Condition).toEqual({ StringLike: { 's3:prefix': ['chat/2.3.0/*'] } });
    const decrypts = statements.filter(({ statement }) => asList(statement.Action).includes('kms:Decrypt'));
    expect(decrypts).toHaveLength(4);
    for (const { statement } of decrypts) expect(Object.keys(statement.Condition.StringEquals)).toEqual(['kms:ViaService']);
  });

  test('no role has a managed *FullAccess policy', () => {
    for (const template of Object.values(templates)) {
      const roles = template.findResources('AWS::IAM::Role');
      expect(Object.keys(roles).length).toBeGreaterThan(0);
      for (const role of Object.values(roles)) {
        const arns = JSON.stringify(role.Properties.ManagedPolicyArns ?? []);
        expect(arns).not.toMatch(/FullAccess/);
      }
    }
  });
});
