import type { CloudAssembly, Json } from './cloud-assembly';
import { AssemblyIndex, type ResourceRef } from './assembly-resolver';
import { decideKeyAccess, decideResourceAccess, evaluatePolicies, type Decision, type Principal, type RequestContext } from './policy-evaluation';

/**
 * The delivery-path check: for every edge along which the platform delivers an alarm, an event or
 * a failure, whether the resource policy, the key policy and the identity policy that AWS consults
 * all let it through (lib/audit/policy-evaluation.ts models IAM's evaluation logic). It reads the
 * whole synthesized assembly — every stack, nested assemblies too — and follows references across
 * stacks, so it holds however the platform is split into stacks.
 */

export type EdgeKind =
  | 'alarm → topic' | 'rule → target' | 'rule → dead-letter queue' | 'function → dead-letter queue'
  | 'API → function' | 'SageMaker → capture bucket' | 'log group → key' | 'rollback alarm → SageMaker';

/** The documented rule each kind of edge is checked against. */
export const EDGE_RULES: Record<EdgeKind, string> = {
  'alarm → topic': 'A topic policy replaces SNS\'s default one, so it must allow cloudwatch.amazonaws.com sns:Publish (Knowledge Center ' +
    '"cloudwatch-receive-sns-for-alarm-trigger"); on an encrypted topic the key policy must let cloudwatch.amazonaws.com use kms:GenerateDataKey* ' +
    'and kms:Decrypt, which the AWS managed key aws/sns never does (Knowledge Center "cloudwatch-configure-alarm-sns").',
  'rule → target': 'EventBridge invokes a Lambda function through the function\'s resource policy (lambda:InvokeFunction for events.amazonaws.com, ' +
    'scoped to the rule); for a target with a role, EventBridge assumes the role (trust policy) and the role\'s identity policy must allow the call ' +
    '(EventBridge User Guide, "Using resource-based policies for Amazon EventBridge" and "IAM roles for sending events to targets").',
  'rule → dead-letter queue': 'The queue policy must allow events.amazonaws.com sqs:SendMessage for the rule (EventBridge User Guide, "Using ' +
    'dead-letter queues to process undelivered events"); an SSE-KMS queue\'s key policy must let events.amazonaws.com use kms:GenerateDataKey and ' +
    'kms:Decrypt (SQS Developer Guide, "Key management").',
  'function → dead-letter queue': 'Lambda sends a failed asynchronous event with the function\'s execution role, which needs sqs:SendMessage ' +
    '(Lambda Developer Guide, "Dead-letter queues"); for an SSE-KMS queue also kms:GenerateDataKey and kms:Decrypt, which the key policy must ' +
    'allow or delegate to IAM (SQS Developer Guide, "Key management").',
  'API → function': 'API Gateway invokes a Lambda integration through the function\'s resource policy (lambda:InvokeFunction for ' +
    'apigateway.amazonaws.com, aws:SourceArn of the method), or with the integration\'s credentials role (API Gateway Developer Guide, "Lambda integrations").',
  'SageMaker → capture bucket': 'SageMaker writes captured requests and responses with the endpoint\'s execution role: s3:PutObject allowed by ' +
    'its identity policy or the bucket policy and denied by neither; with SSE-KMS, kms:GenerateDataKey allowed by the key policy or delegated to ' +
    'IAM and the identity policy (SageMaker Developer Guide, "Capture data"; S3 User Guide, "Using server-side encryption with AWS KMS keys").',
  'log group → key': 'CloudWatch Logs encrypts a log group\'s events as logs.<region>.amazonaws.com, which only the key policy can allow, ' +
    'for the log group named in kms:EncryptionContext:aws:logs:arn (CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS").',
  'rollback alarm → SageMaker': 'Every alarm of an AutoRollbackConfiguration must exist and the endpoint\'s execution role must be allowed ' +
    'cloudwatch:DescribeAlarms on it (SageMaker Developer Guide, "Auto-rollback configuration and monitoring"); an alarm the role may read for ' +
    'rollback that no configuration lists is never consulted.',
};

/** One policy AWS consults for the edge, and what it says. */
export interface PolicyCheck {
  readonly policy: 'resource policy' | 'key policy' | 'identity policy' | 'trust policy' | 'existence' | 'rollback configuration';
  readonly allows: boolean;
  /** The action(s) checked and the statements that allow or deny, or what is missing. */
  readonly detail: string;
}

export interface EdgeEnd {
  readonly stack?: string;
  readonly logicalId?: string;
  readonly label: string;
}

export interface DeliveryEdge {
  readonly kind: EdgeKind;
  readonly from: EdgeEnd;
  readonly to: EdgeEnd;
  /** Who makes the call: a service principal or a role. */
  readonly principal: string;
  /** allowed; blocked (a policy stops it); external (ends outside the assembly, checked as far as it reaches). */
  readonly status: 'allowed' | 'blocked' | 'external';
  readonly checks: readonly PolicyCheck[];
}

export interface DeliveryReport {
  readonly edges: readonly DeliveryEdge[];
  readonly blocked: readonly DeliveryEdge[];
}

/** Every delivery edge of the assembly, checked. */
export function checkDeliveryPaths(assembly: CloudAssembly): DeliveryReport {
  const index = new AssemblyIndex(assembly);
  const edges = [
    ...alarmEdges(index), ...ruleEdges(index), ...functionDeadLetterEdges(index), ...apiEdges(index),
    ...captureEdges(index), ...logGroupEdges(index), ...rollbackAlarmEdges(index),
  ];
  return { edges, blocked: edges.filter((e) => e.status === 'blocked') };
}

// ---- building blocks ----

const end = (_index: AssemblyIndex, ref: ResourceRef): EdgeEnd => ({ stack: ref.stack.stackName, logicalId: ref.id, label: `${ref.id} (${ref.resource.Type.replace(/^AWS::/, '')})` });
const service = (name: string): { kind: 'service'; service: string } => ({ kind: 'service', service: name });

function roleAsPrincipal(index: AssemblyIndex, role: ResourceRef): Principal {
  return { kind: 'iam', arn: index.arnOf(role), account: index.accountOf(role) };
}

/** The context keys AWS sets for a call by a role of the account (over TLS). */
function roleContext(index: AssemblyIndex, role: ResourceRef, extra: RequestContext = {}): RequestContext {
  return {
    'aws:PrincipalArn': index.arnOf(role), 'aws:PrincipalAccount': index.accountOf(role), 'aws:PrincipalIsAWSService': false,
    'aws:SecureTransport': true, ...extra,
  };
}

/** The context keys a service sets when it acts for a resource of the account (confused-deputy keys). */
function serviceContext(index: AssemblyIndex, source: ResourceRef, extra: RequestContext = {}): RequestContext {
  const account = index.accountOf(source);
  return {
    'aws:SourceArn': index.arnOf(source), 'aws:SourceAccount': account, 'AWS:SourceOwner': account, 'aws:PrincipalIsAWSService': true,
    'aws:SecureTransport': true, ...extra,
  };
}

function describe(decision: Decision, actions: string): string {
  const by = [...(decision.resource?.allowedBy ?? []), ...(decision.key?.allowedBy ?? []), ...(decision.identity?.allowedBy ?? [])];
  return `${actions}: ${decision.reason}${decision.allowed && by.length ? ` (${by.join(', ')})` : ''}`;
}

/** Checks of one or more actions on a resource (resource policy, then identity policy where a role calls). */
function resourceChecks(index: AssemblyIndex, target: ResourceRef, principal: Principal, role: ResourceRef | undefined, actions: string[], context: RequestContext, resource = index.arnOf(target)): PolicyCheck[] {
  const decisions = actions.map((action) => decideResourceAccess(
    { principal, action, resource, context }, index.accountOf(target), index.resourcePolicies(target), role ? index.identityPolicies(role) : [],
  ));
  const failed = decisions.find((d) => !d.allowed);
  const detail = describe(failed ?? decisions[0], actions.join(' + '));
  const viaIdentity = decisions.every((d) => d.allowed && !d.resource?.allows);
  return [{ policy: principal.kind === 'iam' && viaIdentity ? 'identity policy' : 'resource policy', allows: !failed, detail }];
}

/** Checks of the key that encrypts a topic, queue, bucket or log group, for the given principal and actions. */
function keyChecks(index: AssemblyIndex, from: ResourceRef, keyValue: Json, principal: Principal, role: ResourceRef | undefined, actions: string[], context: RequestContext, awsManagedAlias?: string): PolicyCheck[] {
  if (keyValue === undefined) return [];
  const key = index.find(from.stack, keyValue, 'AWS::KMS::Key');
  if (!key) {
    const text = index.text(from.stack, keyValue);
    if (awsManagedAlias && text.endsWith(awsManagedAlias)) {
      return [{ policy: 'key policy', allows: false, detail: `${text} is the AWS managed key, whose key policy cannot be changed to allow ${principal.kind === 'service' ? principal.service : 'this principal'}` }];
    }
    return [{ policy: 'key policy', allows: true, detail: `key ${text} is outside the assembly: not checked` }];
  }
  const keyArn = index.arnOf(key);
  const decisions = actions.map((action) => decideKeyAccess({ principal, action, resource: keyArn, context }, index.accountOf(key), index.keyPolicy(key), role ? index.identityPolicies(role) : []));
  const failed = decisions.find((d) => !d.allowed);
  return [{ policy: 'key policy', allows: !failed, detail: `${key.id}: ${describe(failed ?? decisions[0], actions.join(' + '))}` }];
}

function edge(kind: EdgeKind, from: EdgeEnd, to: EdgeEnd, principal: string, checks: PolicyCheck[], external = false): DeliveryEdge {
  const status = checks.some((c) => !c.allows) ? 'blocked' : external ? 'external' : 'allowed';
  return { kind, from, to, principal, status, checks };
}

const asList = (v: Json): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

// ---- the edges ----

/** Alarm → SNS topic (+ its key): every notification action of every alarm. */
function alarmEdges(index: AssemblyIndex): DeliveryEdge[] {
  const edges: DeliveryEdge[] = [];
  for (const alarm of index.ofType('AWS::CloudWatch::Alarm')) {
    const props = alarm.resource.Properties ?? {};
    const actions = new Set([...asList(props.AlarmActions), ...asList(props.OKActions), ...asList(props.InsufficientDataActions)].map((a) => index.text(alarm.stack, a)));
    for (const action of actions) {
      if (!/^arn:[^:]+:sns:/.test(action) && !index.find(alarm.stack, action, 'AWS::SNS::Topic')) continue;
      const topic = index.find(alarm.stack, action, 'AWS::SNS::Topic');
      const principal = service('cloudwatch.amazonaws.com');
      if (!topic) {
        edges.push(edge('alarm → topic', end(index, alarm), { label: action }, principal.service, [], true));
        continue;
      }
      const context = serviceContext(index, alarm);
      edges.push(edge('alarm → topic', end(index, alarm), end(index, topic), principal.service, [
        ...resourceChecks(index, topic, principal, undefined, ['sns:Publish'], context),
        ...keyChecks(index, topic, topic.resource.Properties?.KmsMasterKeyId, principal, undefined, ['kms:GenerateDataKey', 'kms:Decrypt'], context, 'alias/aws/sns'),
      ]));
    }
  }
  return edges;
}

/** The action EventBridge calls on a target it reaches with a role, by the target's service. */
function roleTargetAction(arn: string): string | undefined {
  if (/^arn:[^:]+:sagemaker:[^:]*:[^:]*:pipeline\//.test(arn)) return 'sagemaker:StartPipelineExecution';
  if (/^arn:[^:]+:states:/.test(arn)) return 'states:StartExecution';
  if (/^arn:[^:]+:events:[^:]*:[^:]*:event-bus\//.test(arn)) return 'events:PutEvents';
  if (/^arn:[^:]+:kinesis:/.test(arn)) return 'kinesis:PutRecord';
  if (/^arn:[^:]+:lambda:/.test(arn)) return 'lambda:InvokeFunction';
  return undefined;
}

/** EventBridge rule → each target, and → its dead-letter queue (+ key). */
function ruleEdges(index: AssemblyIndex): DeliveryEdge[] {
  const edges: DeliveryEdge[] = [];
  const principal = service('events.amazonaws.com');
  for (const rule of index.ofType('AWS::Events::Rule')) {
    const context = serviceContext(index, rule);
    for (const target of asList(rule.resource.Properties?.Targets)) {
      const arn = index.text(rule.stack, target.Arn);
      const resource = index.find(rule.stack, target.Arn);
      const to = resource ? end(index, resource) : { label: arn };
      if (target.RoleArn !== undefined) {
        const role = index.find(rule.stack, target.RoleArn, 'AWS::IAM::Role');
        const action = roleTargetAction(arn);
        if (!role || !action) {
          edges.push(edge('rule → target', end(index, rule), to, index.text(rule.stack, target.RoleArn), [], true));
          continue;
        }
        const trust = evaluatePolicies([index.trustPolicy(role)], { principal, action: 'sts:AssumeRole', resource: index.arnOf(role), context }, true);
        const call = decideResourceAccess({ principal: roleAsPrincipal(index, role), action, resource: arn, context: roleContext(index, role) },
          index.accountOf(role), resource ? index.resourcePolicies(resource) : [], index.identityPolicies(role));
        edges.push(edge('rule → target', end(index, rule), to, `${principal.service} as ${role.id}`, [
          { policy: 'trust policy', allows: trust.allows, detail: `sts:AssumeRole by events.amazonaws.com: ${trust.allows ? `allowed (${trust.allowedBy.join(', ')})` : trust.deniedBy ? `denied by ${trust.deniedBy}` : 'not allowed'}` },
          { policy: 'identity policy', allows: call.allowed, detail: describe(call, action) },
        ], !resource));
      } else if (resource?.resource.Type === 'AWS::Lambda::Function') {
        edges.push(edge('rule → target', end(index, rule), to, principal.service, resourceChecks(index, resource, principal, undefined, ['lambda:InvokeFunction'], context)));
      } else if (resource?.resource.Type === 'AWS::SQS::Queue' || resource?.resource.Type === 'AWS::SNS::Topic') {
        const sqs = resource.resource.Type === 'AWS::SQS::Queue';
        edges.push(edge('rule → target', end(index, rule), to, principal.service, [
          ...resourceChecks(index, resource, principal, undefined, [sqs ? 'sqs:SendMessage' : 'sns:Publish'], context),
          ...keyChecks(index, resource, resource.resource.Properties?.[sqs ? 'KmsMasterKeyId' : 'KmsMasterKeyId'], principal, undefined, ['kms:GenerateDataKey', 'kms:Decrypt'], context, sqs ? 'alias/aws/sqs' : 'alias/aws/sns'),
        ]));
      } else {
        edges.push(edge('rule → target', end(index, rule), to, principal.service, [], true));
      }
      const dlq = target.DeadLetterConfig?.Arn;
      if (dlq === undefined) continue;
      const queue = index.find(rule.stack, dlq, 'AWS::SQS::Queue');
      if (!queue) {
        edges.push(edge('rule → dead-letter queue', end(index, rule), { label: index.text(rule.stack, dlq) }, principal.service, [], true));
        continue;
      }
      edges.push(edge('rule → dead-letter queue', end(index, rule), end(index, queue), principal.service, [
        ...resourceChecks(index, queue, principal, undefined, ['sqs:SendMessage'], context),
        ...keyChecks(index, queue, queue.resource.Properties?.KmsMasterKeyId, principal, undefined, ['kms:GenerateDataKey', 'kms:Decrypt'], context, 'alias/aws/sqs'),
      ]));
    }
  }
  return edges;
}

/** Lambda function → its dead-letter queue (+ key), with the function's execution role. */
function functionDeadLetterEdges(index: AssemblyIndex): DeliveryEdge[] {
  const edges: DeliveryEdge[] = [];
  for (const fn of index.ofType('AWS::Lambda::Function')) {
    const target = fn.resource.Properties?.DeadLetterConfig?.TargetArn;
    if (target === undefined) continue;
    const role = index.find(fn.stack, fn.resource.Properties?.Role, 'AWS::IAM::Role');
    const queue = index.find(fn.stack, target, 'AWS::SQS::Queue', 'AWS::SNS::Topic');
    if (!role || !queue) {
      edges.push(edge('function → dead-letter queue', end(index, fn), { label: index.text(fn.stack, target) }, role ? role.id : 'its role', [], true));
      continue;
    }
    const principal = roleAsPrincipal(index, role);
    const context = roleContext(index, role);
    const sqs = queue.resource.Type === 'AWS::SQS::Queue';
    edges.push(edge('function → dead-letter queue', end(index, fn), end(index, queue), role.id, [
      ...resourceChecks(index, queue, principal, role, [sqs ? 'sqs:SendMessage' : 'sns:Publish'], context),
      ...keyChecks(index, queue, queue.resource.Properties?.KmsMasterKeyId, principal, role, ['kms:GenerateDataKey', 'kms:Decrypt'], context),
    ]));
  }
  return edges;
}

/** The path of an API Gateway resource, from its PathPart and parents (`/models/{model}/invocations`). */
function resourcePath(index: AssemblyIndex, method: ResourceRef): string {
  const parts: string[] = [];
  let current = index.find(method.stack, method.resource.Properties?.ResourceId, 'AWS::ApiGateway::Resource');
  for (let depth = 0; current && depth < 64; depth++) {
    parts.unshift(index.text(current.stack, current.resource.Properties?.PathPart));
    current = index.find(current.stack, current.resource.Properties?.ParentId, 'AWS::ApiGateway::Resource');
  }
  return `/${parts.join('/')}`;
}

/** API Gateway method → its Lambda integration, for each stage of the API. */
function apiEdges(index: AssemblyIndex): DeliveryEdge[] {
  const edges: DeliveryEdge[] = [];
  const principal = service('apigateway.amazonaws.com');
  for (const method of index.ofType('AWS::ApiGateway::Method')) {
    const integration = method.resource.Properties?.Integration;
    if (!integration || !['AWS', 'AWS_PROXY'].includes(integration.Type)) continue;
    const uri = index.text(method.stack, integration.Uri);
    const fnArn = /\/functions\/(.+)\/invocations$/.exec(uri)?.[1];
    const fn = fnArn ? index.find(method.stack, fnArn, 'AWS::Lambda::Function') : undefined;
    if (!fn) continue;
    const api = index.find(method.stack, method.resource.Properties?.RestApiId, 'AWS::ApiGateway::RestApi');
    const apiId = api ? index.nameOf(api) : index.text(method.stack, method.resource.Properties?.RestApiId);
    const stages = index.ofType('AWS::ApiGateway::Stage').filter((s) => index.find(s.stack, s.resource.Properties?.RestApiId, 'AWS::ApiGateway::RestApi') === api);
    // A concrete request: path parameters take a sample value, as a real call would.
    const path = resourcePath(index, method).split('/').map((part) => (part.startsWith('{') && part.endsWith('}') ? 'sample' : part)).join('/');
    const httpMethod = index.text(method.stack, method.resource.Properties?.HttpMethod);
    const { account, region, partition } = index.env(method.stack);
    for (const stage of stages) {
      const sourceArn = `arn:${partition}:execute-api:${region}:${account}:${apiId}/${index.nameOf(stage)}/${httpMethod}${path}`;
      const from = { ...end(index, method), label: `${httpMethod} ${resourcePath(index, method)} (stage ${index.nameOf(stage)})` };
      const credentials = integration.Credentials === undefined ? undefined : index.find(method.stack, integration.Credentials, 'AWS::IAM::Role');
      const checks = credentials
        ? resourceChecks(index, fn, roleAsPrincipal(index, credentials), credentials, ['lambda:InvokeFunction'], roleContext(index, credentials))
        : resourceChecks(index, fn, principal, undefined, ['lambda:InvokeFunction'], { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': account, 'aws:PrincipalIsAWSService': true });
      edges.push(edge('API → function', from, end(index, fn), credentials ? credentials.id : principal.service, checks));
    }
  }
  return edges;
}

/** The execution roles of an endpoint config: its own (inference components) and those of its variants' models. */
function configRoles(index: AssemblyIndex, config: ResourceRef): ResourceRef[] {
  const props = config.resource.Properties ?? {};
  const models = asList(props.ProductionVariants).map((v) => index.find(config.stack, v.ModelName, 'AWS::SageMaker::Model')).filter((m): m is ResourceRef => !!m);
  const roles = [props.ExecutionRoleArn, ...models.map((m) => m.resource.Properties?.ExecutionRoleArn)]
    .map((arn) => (arn === undefined ? undefined : index.find(config.stack, arn, 'AWS::IAM::Role')));
  return [...new Set(roles.filter((r): r is ResourceRef => !!r))];
}

/** The endpoints that run an endpoint config. */
function endpointsOf(index: AssemblyIndex, config: ResourceRef): ResourceRef[] {
  return index.ofType('AWS::SageMaker::Endpoint').filter((e) => index.find(e.stack, e.resource.Properties?.EndpointConfigName, 'AWS::SageMaker::EndpointConfig') === config);
}

/** SageMaker → the data-capture bucket (+ key), with each execution role, for a sample capture object of each endpoint. */
function captureEdges(index: AssemblyIndex): DeliveryEdge[] {
  const edges: DeliveryEdge[] = [];
  for (const config of index.ofType('AWS::SageMaker::EndpointConfig')) {
    const capture = config.resource.Properties?.DataCaptureConfig;
    if (!capture || index.resolve(config.stack, capture.EnableCapture) === false) continue;
    const uri = /^s3:\/\/([^/]+)(?:\/([\s\S]*))?$/.exec(index.text(config.stack, capture.DestinationS3Uri));
    const bucket = uri ? index.ofType('AWS::S3::Bucket').find((b) => index.nameOf(b) === uri[1]) : undefined;
    const endpoint = endpointsOf(index, config)[0];
    const variant = index.text(config.stack, asList(config.resource.Properties?.ProductionVariants)[0]?.VariantName);
    for (const role of configRoles(index, config)) {
      if (!bucket || !uri) {
        edges.push(edge('SageMaker → capture bucket', end(index, config), { label: index.text(config.stack, capture.DestinationS3Uri) }, role.id, [], true));
        continue;
      }
      // SageMaker names capture objects <prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file>.jsonl.
      const key = [uri[2] ?? '', endpoint ? index.nameOf(endpoint) : '⟨endpoint⟩', variant, '2026/01/01/00/capture.jsonl'].filter(Boolean).join('/');
      const keyArn = capture.KmsKeyId === undefined ? undefined : index.text(config.stack, capture.KmsKeyId);
      const context = roleContext(index, role, {
        's3:x-amz-server-side-encryption': 'aws:kms', ...(keyArn ? { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn } : {}),
        'kms:ViaService': `s3.${index.env(bucket.stack).region}.${index.env(bucket.stack).urlSuffix}`,
      });
      const principal = roleAsPrincipal(index, role);
      edges.push(edge('SageMaker → capture bucket', { ...end(index, config), label: `${config.id} (capture of ${endpoint ? index.nameOf(endpoint) : 'its endpoint'})` }, end(index, bucket), role.id, [
        ...resourceChecks(index, bucket, principal, role, ['s3:PutObject'], context, `${index.arnOf(bucket)}/${key}`),
        ...(capture.KmsKeyId !== undefined
          ? keyChecks(index, config, capture.KmsKeyId, principal, role, ['kms:GenerateDataKey'], context)
          : keyChecks(index, bucket, bucketKey(bucket), principal, role, ['kms:GenerateDataKey'], context)),
      ]));
    }
  }
  return edges;
}

/** The key of a bucket's default SSE-KMS encryption. */
function bucketKey(bucket: ResourceRef): Json {
  const rules = asList(bucket.resource.Properties?.BucketEncryption?.ServerSideEncryptionConfiguration);
  return rules.map((r) => r.ServerSideEncryptionByDefault?.KMSMasterKeyID).find((k) => k !== undefined);
}

/** Encrypted log group → its key, as CloudWatch Logs' regional service principal. */
function logGroupEdges(index: AssemblyIndex): DeliveryEdge[] {
  return index.ofType('AWS::Logs::LogGroup').filter((g) => g.resource.Properties?.KmsKeyId !== undefined).map((group) => {
    const { region, urlSuffix } = index.env(group.stack);
    const principal = service(`logs.${region}.${urlSuffix}`);
    const context = { 'kms:EncryptionContext:aws:logs:arn': index.arnOf(group), 'aws:SourceAccount': index.accountOf(group), 'aws:PrincipalIsAWSService': true };
    const key = index.find(group.stack, group.resource.Properties?.KmsKeyId, 'AWS::KMS::Key');
    return edge('log group → key', end(index, group), key ? end(index, key) : { label: index.text(group.stack, group.resource.Properties?.KmsKeyId) }, principal.service,
      keyChecks(index, group, group.resource.Properties?.KmsKeyId, principal, undefined, ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'], context), !key);
  });
}

/** What rolls back: an endpoint (its config's roles) or an inference component (its endpoint's config's roles), with its alarm names. */
function rollbackOwners(index: AssemblyIndex): Array<{ owner: ResourceRef; roles: ResourceRef[]; alarms: string[] }> {
  const alarmsOf = (owner: ResourceRef) => asList(owner.resource.Properties?.DeploymentConfig?.AutoRollbackConfiguration?.Alarms).map((a) => index.text(owner.stack, a.AlarmName));
  const endpoints = index.ofType('AWS::SageMaker::Endpoint').map((endpoint) => {
    const config = index.find(endpoint.stack, endpoint.resource.Properties?.EndpointConfigName, 'AWS::SageMaker::EndpointConfig');
    return { owner: endpoint, roles: config ? configRoles(index, config) : [], alarms: alarmsOf(endpoint) };
  });
  const components = index.ofType('AWS::SageMaker::InferenceComponent').map((component) => {
    const endpoint = index.find(component.stack, component.resource.Properties?.EndpointName, 'AWS::SageMaker::Endpoint');
    const config = endpoint && index.find(endpoint.stack, endpoint.resource.Properties?.EndpointConfigName, 'AWS::SageMaker::EndpointConfig');
    return { owner: component, roles: config ? configRoles(index, config) : [], alarms: alarmsOf(component) };
  });
  return [...endpoints, ...components];
}

/**
 * Rollback alarms ⊆ what SageMaker reads: each listed alarm exists and each execution role may
 * describe it; and each alarm a role may describe by name (a grant for rollback) is listed by one of
 * the configurations that role serves — otherwise it was created and granted, and is never consulted.
 */
function rollbackAlarmEdges(index: AssemblyIndex): DeliveryEdge[] {
  const edges: DeliveryEdge[] = [];
  const owners = rollbackOwners(index);
  const alarms = index.ofType('AWS::CloudWatch::Alarm');
  for (const { owner, roles, alarms: names } of owners) {
    for (const name of names) {
      const alarm = alarms.find((a) => index.nameOf(a) === name);
      if (!alarm) {
        edges.push(edge('rollback alarm → SageMaker', { stack: owner.stack.stackName, label: name }, end(index, owner), 'sagemaker.amazonaws.com', [
          { policy: 'existence', allows: false, detail: `AutoRollbackConfiguration names ${name}, which no stack of the assembly creates` },
        ]));
        continue;
      }
      for (const role of roles) {
        const checks = resourceChecks(index, alarm, roleAsPrincipal(index, role), role, ['cloudwatch:DescribeAlarms'], roleContext(index, role));
        edges.push(edge('rollback alarm → SageMaker', end(index, alarm), end(index, owner), role.id, checks));
      }
    }
  }
  // The other direction: alarms granted to a role for rollback (by exact ARN) that nothing consults.
  for (const role of new Set(owners.flatMap((o) => o.roles))) {
    const consulted = new Set(owners.filter((o) => o.roles.includes(role)).flatMap((o) => o.alarms));
    const owner = owners.find((o) => o.roles.includes(role))!.owner;
    const granted = index.identityPolicies(role).flatMap((p) => p.statements)
      .filter((s) => s.Effect === 'Allow' && asList(s.Action as Json).includes('cloudwatch:DescribeAlarms'))
      .flatMap((s) => asList(s.Resource as Json).filter((r) => typeof r === 'string' && !r.includes('*')) as string[]);
    for (const arn of new Set(granted)) {
      const alarm = alarms.find((a) => index.arnOf(a) === arn);
      if (!alarm || consulted.has(index.nameOf(alarm))) continue;
      edges.push(edge('rollback alarm → SageMaker', end(index, alarm), end(index, owner), role.id, [
        { policy: 'rollback configuration', allows: false, detail: `${role.id} may read ${alarm.id} for rollback, but no AutoRollbackConfiguration of its endpoint lists it: it is never consulted` },
      ]));
    }
  }
  return edges;
}
