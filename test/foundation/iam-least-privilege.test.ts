import { Template } from 'aws-cdk-lib/assertions';
import { asList, principalStatements, referencePlatformApp, templatesOf, Json } from '../helpers/fixtures';

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
  // Active X-Ray tracing of the platform's functions: trace segments have no resource type.
  'xray:PutTraceSegments': () => true,
  'xray:PutTelemetryRecords': () => true,
};

/** Wildcards inside an ARN that are expected, each scoped to one owned resource. */
const ALLOWED_ARN_WILDCARDS = [
  /:log-group:\/aws\/sagemaker\/Endpoints\/inference-(staging|prod)-(chat|embed):log-stream:\*$/, // streams of the endpoint's own log group
  /^<Artifacts>\/chat\/2\.3\.0\/\*$/, // the objects of the uncompressed chat model, and nothing else in the bucket
  /^<\w*Logs\w*\.Arn>:\*$/, // a platform Lambda function's streams, in its own log group
  /^<DataCapture\w+\.Arn>\/capture\/inference-(staging|prod)-(chat|embed)\/\*$/, // an endpoint's own capture prefix
];

/** An ARN as text, with `Fn::GetAtt` of the artifact bucket written as `<Artifacts>`. */
function arnText(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const node = resource as Record<string, Json>;
  if (node['Fn::Join']) return (node['Fn::Join'][1] as unknown[]).map(arnText).join(node['Fn::Join'][0]);
  if (node['Fn::GetAtt']) return String(node['Fn::GetAtt'][0]).includes('Artifacts') ? '<Artifacts>' : `<${node['Fn::GetAtt'].join('.')}>`;
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

  test('both stages have execution roles with policies to check', () => {
    expect(Object.keys(templates).sort()).toEqual(['inference-prod', 'inference-staging']);
    for (const stack of Object.keys(templates)) {
      expect(statements.filter((s) => s.stack === stack).length).toBeGreaterThanOrEqual(10);
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

  test('Resource "*" only for actions without resource-level permissions, never beside one that has them, and narrowed where AWS allows', () => {
    const starred = statements.filter(({ statement }) => asList(statement.Resource).includes('*'));
    expect(starred.length).toBeGreaterThan(0);
    for (const { source, statement } of starred) {
      for (const action of asList<string>(statement.Action)) {
        const allowed = NO_RESOURCE_LEVEL_PERMISSION[action];
        expect({ source, action, allowListed: allowed !== undefined }).toEqual({ source, action, allowListed: true });
        expect({ source, action, narrowed: allowed(statement) }).toEqual({ source, action, narrowed: true });
      }
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
      '<Artifacts>/chat/2.3.0/*', '<Artifacts>/chat/2.3.0/*', '<Artifacts>/embed/1.1.0/model.tar.gz', '<Artifacts>/embed/1.1.0/model.tar.gz',
    ]);
    const lists = statements.filter(({ statement }) => asList(statement.Action).includes('s3:ListBucket'));
    for (const { statement } of lists) expect(statement.Condition).toEqual({ StringLike: { 's3:prefix': ['chat/2.3.0/*'] } });
    // The artifact key decrypts only through S3 (the alerting key's grant to the drift publisher is its dead-letter queue's).
    const decrypts = statements.filter(({ statement }) => asList(statement.Action).includes('kms:Decrypt') && arnText(statement.Resource).includes('ArtifactStoreKey'));
    expect(decrypts).toHaveLength(4);
    for (const { statement } of decrypts) expect(Object.keys(statement.Condition.StringEquals)).toEqual(['kms:ViaService']);
  });

  // Confused deputy: a service principal acts for whoever names it, so each statement granting one
  // must say for which account or resource (aws:SourceAccount / aws:SourceArn, or for CloudWatch Logs
  // the log group in kms:EncryptionContext:aws:logs:arn; Lambda permissions carry SourceArn/SourceAccount).
  test('every service principal in a key policy or resource policy is limited to this account\'s resources', () => {
    const CONFUSED_DEPUTY_KEYS = ['aws:SourceAccount', 'aws:SourceArn', 'kms:EncryptionContext:aws:logs:arn'];
    const granted: string[] = [];
    const unscoped: string[] = [];
    for (const [stack, template] of Object.entries(templates)) {
      const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
      for (const [id, r] of Object.entries(resources)) {
        const document = r.Type === 'AWS::KMS::Key' ? r.Properties.KeyPolicy
          : ['AWS::SNS::TopicPolicy', 'AWS::SQS::QueuePolicy', 'AWS::S3::BucketPolicy'].includes(r.Type) ? r.Properties.PolicyDocument : undefined;
        for (const statement of asList<Json>(document?.Statement)) {
          if (statement.Effect !== 'Allow' || !statement.Principal?.Service) continue;
          const keys = Object.values(statement.Condition ?? {}).flatMap((c) => Object.keys(c as object));
          granted.push(`${stack}/${id}`);
          if (!keys.some((k) => CONFUSED_DEPUTY_KEYS.includes(k))) unscoped.push(`${stack}/${id}: ${JSON.stringify(statement.Principal.Service)}`);
        }
        if (r.Type === 'AWS::Lambda::Permission' && String(r.Properties.Principal).endsWith('.amazonaws.com')) {
          granted.push(`${stack}/${id}`);
          if (!r.Properties.SourceArn && !r.Properties.SourceAccount) unscoped.push(`${stack}/${id}: ${r.Properties.Principal}`);
        }
      }
    }
    expect(granted.length).toBeGreaterThan(10);
    expect(unscoped).toEqual([]);
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
