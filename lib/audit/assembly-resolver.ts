import type { CloudAssembly, Json, StackArtifact, TemplateResource } from './cloud-assembly';
import type { Policy, Statement } from './policy-evaluation';

/**
 * The whole cloud assembly as one graph: every resource of every stack (nested assemblies
 * included), intrinsics resolved across stacks — `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`,
 * `Fn::ImportValue` against the exporting stack's outputs, `Fn::GetStackOutput` (aws-cdk-lib's weak
 * cross-stack references) against the named stack's output, SSM-parameter references (template
 * parameters of type `AWS::SSM::Parameter::Value<…>` and `{{resolve:ssm:…}}`) against the
 * `AWS::SSM::Parameter` that holds the value, and literal names and ARNs. What stays unknown until
 * deployment is written as an atom `⟨stack.logicalId⟩` (a generated name), `⟨AccountId⟩` (an
 * environment-agnostic stack's account) or `⟨Region⟩` — atoms hold no colon or slash, so ARNs and paths keep their
 * shape; the partition of an agnostic stack is taken to be `aws`.
 */

/** One resource of the assembly. */
export interface ResourceRef {
  readonly stack: StackArtifact;
  readonly id: string;
  readonly resource: TemplateResource;
}

export interface Environment {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly urlSuffix: string;
}

/** Resource types whose `Ref` is their ARN (CloudFormation resource reference, "Return values"). */
const REF_IS_ARN = new Set([
  'AWS::SNS::Topic', 'AWS::SageMaker::Endpoint', 'AWS::SageMaker::EndpointConfig', 'AWS::SageMaker::Model', 'AWS::SageMaker::InferenceComponent',
  'AWS::SecretsManager::Secret', 'AWS::IAM::ManagedPolicy', 'AWS::StepFunctions::StateMachine',
]);

/** The property holding a resource's own name, when the template sets it. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::SNS::Topic': 'TopicName', 'AWS::SQS::Queue': 'QueueName', 'AWS::Lambda::Function': 'FunctionName', 'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::Events::Rule': 'Name', 'AWS::Events::EventBus': 'Name', 'AWS::S3::Bucket': 'BucketName', 'AWS::IAM::Role': 'RoleName',
  'AWS::Logs::LogGroup': 'LogGroupName', 'AWS::SageMaker::Endpoint': 'EndpointName', 'AWS::SageMaker::EndpointConfig': 'EndpointConfigName',
  'AWS::SageMaker::Model': 'ModelName', 'AWS::SageMaker::InferenceComponent': 'InferenceComponentName', 'AWS::SecretsManager::Secret': 'Name',
  'AWS::SSM::Parameter': 'Name', 'AWS::ApiGateway::Stage': 'StageName',
};

export class AssemblyIndex {
  public readonly resources: readonly ResourceRef[];
  private readonly identities = new Map<string, ResourceRef[]>();

  constructor(public readonly assembly: CloudAssembly) {
    this.resources = assembly.stacks.flatMap((stack) => Object.entries(stack.template.Resources ?? {}).map(([id, resource]) => ({ stack, id, resource })));
    for (const ref of this.resources) {
      for (const identity of new Set([this.arnOf(ref), this.refOf(ref), this.nameOf(ref)])) {
        this.identities.set(identity, [...(this.identities.get(identity) ?? []), ref]);
      }
    }
  }

  /** Resources of these types, across every stack. */
  public ofType(...types: string[]): ResourceRef[] {
    return this.resources.filter((r) => types.includes(r.resource.Type));
  }

  public env(stack: StackArtifact): Environment {
    const region = stack.region ?? '⟨Region⟩';
    const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
    return { account: stack.account ?? '⟨AccountId⟩', region, partition, urlSuffix: partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com' };
  }

  /** A value of `stack`'s template with intrinsics resolved (strings with atoms; objects and lists recursively). */
  public resolve(stack: StackArtifact, value: Json): Json {
    if (typeof value === 'string') return this.dynamicReferences(value);
    if (Array.isArray(value)) return value.map((v) => this.resolve(stack, v)).filter((v) => v !== undefined);
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return this.intrinsic(stack, keys[0], value[keys[0]]);
    return Object.fromEntries(keys.map((k) => [k, this.resolve(stack, value[k])]).filter(([, v]) => v !== undefined));
  }

  /** A resolved value as one string (lists joined with commas), for comparison. */
  public text(stack: StackArtifact, value: Json): string {
    const v = this.resolve(stack, value);
    return typeof v === 'string' ? v : Array.isArray(v) ? v.join(',') : JSON.stringify(v);
  }

  /** The resource a value designates (its ARN, Ref, name or URL), optionally of given types. */
  public find(stack: StackArtifact, value: Json, ...types: string[]): ResourceRef | undefined {
    if (value === undefined) return undefined;
    const candidates = this.identities.get(this.text(stack, value)) ?? [];
    return candidates.find((c) => types.length === 0 || types.includes(c.resource.Type));
  }

  /** A resource's own name: the template's literal, else the atom CloudFormation fills in. */
  public nameOf(ref: ResourceRef): string {
    const property = NAME_PROPERTY[ref.resource.Type];
    const literal = property ? this.resolve(ref.stack, ref.resource.Properties?.[property]) : undefined;
    return typeof literal === 'string' ? literal : `⟨${ref.stack.stackName}.${ref.id}⟩`;
  }

  /** What `Ref` returns for the resource. */
  public refOf(ref: ResourceRef): string {
    if (REF_IS_ARN.has(ref.resource.Type)) return this.arnOf(ref);
    if (ref.resource.Type === 'AWS::SQS::Queue') {
      const e = this.env(ref.stack);
      return `https://sqs.${e.region}.${e.urlSuffix}/${e.account}/${this.nameOf(ref)}`;
    }
    return this.nameOf(ref);
  }

  /** The resource's ARN, in the forms CloudFormation documents for `Fn::GetAtt … Arn`. */
  public arnOf(ref: ResourceRef): string {
    const { account: a, region: r, partition: p } = this.env(ref.stack);
    const name = this.nameOf(ref);
    const props = ref.resource.Properties ?? {};
    switch (ref.resource.Type) {
      case 'AWS::SNS::Topic': return `arn:${p}:sns:${r}:${a}:${name}`;
      case 'AWS::SQS::Queue': return `arn:${p}:sqs:${r}:${a}:${name}`;
      case 'AWS::KMS::Key': return `arn:${p}:kms:${r}:${a}:key/${name}`;
      case 'AWS::Lambda::Function': return `arn:${p}:lambda:${r}:${a}:function:${name}`;
      case 'AWS::CloudWatch::Alarm': return `arn:${p}:cloudwatch:${r}:${a}:alarm:${name}`;
      case 'AWS::Events::EventBus': return `arn:${p}:events:${r}:${a}:event-bus/${name}`;
      case 'AWS::Events::Rule': {
        const bus = props.EventBusName === undefined ? undefined : this.text(ref.stack, props.EventBusName);
        return `arn:${p}:events:${r}:${a}:rule/${bus && bus !== 'default' ? `${this.busName(ref.stack, props.EventBusName)}/` : ''}${name}`;
      }
      case 'AWS::S3::Bucket': return `arn:${p}:s3:::${name}`;
      case 'AWS::IAM::Role': return `arn:${p}:iam::${a}:role${this.text(ref.stack, props.Path ?? '/')}${name}`;
      case 'AWS::Logs::LogGroup': return `arn:${p}:logs:${r}:${a}:log-group:${name}`;
      case 'AWS::SageMaker::Endpoint': return `arn:${p}:sagemaker:${r}:${a}:endpoint/${name.toLowerCase()}`;
      case 'AWS::SageMaker::EndpointConfig': return `arn:${p}:sagemaker:${r}:${a}:endpoint-config/${name.toLowerCase()}`;
      case 'AWS::SageMaker::Model': return `arn:${p}:sagemaker:${r}:${a}:model/${name.toLowerCase()}`;
      case 'AWS::SageMaker::InferenceComponent': return `arn:${p}:sagemaker:${r}:${a}:inference-component/${name}`;
      case 'AWS::SecretsManager::Secret': return `arn:${p}:secretsmanager:${r}:${a}:secret:${name}`;
      case 'AWS::ApiGateway::RestApi': return `arn:${p}:apigateway:${r}::/restapis/${name}`;
      default: return `⟨${ref.stack.stackName}.${ref.id}.Arn⟩`;
    }
  }

  /** The account a resource lives in. */
  public accountOf(ref: ResourceRef): string {
    return this.env(ref.stack).account;
  }

  /** A rule's event bus by name, whether given as a name, a Ref or an ARN. */
  private busName(stack: StackArtifact, value: Json): string {
    const bus = this.find(stack, value, 'AWS::Events::EventBus');
    return bus ? this.nameOf(bus) : this.text(stack, value).replace(/^arn:[^:]+:events:[^:]+:[^:]+:event-bus\//, '');
  }

  private intrinsic(stack: StackArtifact, fn: string, arg: Json): Json {
    const e = this.env(stack);
    switch (fn) {
      case 'Ref': {
        const pseudo: Record<string, string | undefined> = {
          'AWS::AccountId': e.account, 'AWS::Region': e.region, 'AWS::Partition': e.partition, 'AWS::URLSuffix': e.urlSuffix, 'AWS::StackName': stack.stackName,
        };
        if (arg === 'AWS::NoValue') return undefined;
        if (arg in pseudo) return pseudo[arg];
        const resource = stack.template.Resources?.[arg];
        if (resource) return this.refOf({ stack, id: arg, resource });
        return this.parameter(stack, arg);
      }
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
        const resource = stack.template.Resources?.[id];
        if (!resource) return `⟨${stack.stackName}.${id}.${attribute}⟩`;
        return this.attribute({ stack, id, resource }, String(attribute));
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, Json[]];
        const resolved = this.resolve(stack, parts);
        return Array.isArray(resolved) ? resolved.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(separator) : `⟨join⟩`;
      }
      case 'Fn::Sub': {
        const [template, vars] = Array.isArray(arg) ? arg : [arg, {}];
        return String(template).replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
          if (vars && name in vars) return this.text(stack, vars[name]);
          const [id, attribute] = name.split(/\.(.*)/);
          return this.text(stack, attribute ? { 'Fn::GetAtt': [id, attribute] } : { Ref: id });
        });
      }
      case 'Fn::ImportValue': return this.imported(this.text(stack, arg));
      case 'Fn::GetStackOutput': {
        // Weak cross-stack references (aws-cdk-lib's defaultCrossStackReferences "weak"): an output read by stack name.
        const producer = this.assembly.stacks.find((s) => s.stackName === this.text(stack, arg.StackName));
        const output = producer?.template.Outputs?.[this.text(stack, arg.OutputName)];
        return producer && output ? this.text(producer, output.Value) : `⟨output ${this.text(stack, arg.OutputName)}⟩`;
      }
      case 'Fn::Select': {
        const [index, values] = arg as [Json, Json];
        const resolved = this.resolve(stack, values);
        return Array.isArray(resolved) ? resolved[Number(this.resolve(stack, index))] : `⟨select⟩`;
      }
      case 'Fn::Split': {
        const [separator, source] = arg as [string, Json];
        return this.text(stack, source).split(separator);
      }
      default: return `⟨${fn.replace(/:/g, '')}⟩`;
    }
  }

  private attribute(ref: ResourceRef, attribute: string): string {
    switch (attribute) {
      case 'Arn': case 'TopicArn': case 'SecretArn':
        // A log group's Arn attribute ends in ":*" (AWS::Logs::LogGroup return values).
        return ref.resource.Type === 'AWS::Logs::LogGroup' ? `${this.arnOf(ref)}:*` : this.arnOf(ref);
      case 'QueueUrl': return this.refOf(ref);
      case 'KeyId': return this.nameOf(ref);
      default:
        if (/Name$/.test(attribute)) return this.nameOf(ref);
        return `⟨${ref.stack.stackName}.${ref.id}.${attribute}⟩`;
    }
  }

  /** An exported value, resolved in the stack that exports it. */
  private imported(exportName: string): string {
    for (const stack of this.assembly.stacks) {
      for (const output of Object.values(stack.template.Outputs ?? {}) as Json[]) {
        if (output?.Export && this.text(stack, output.Export.Name) === exportName) return this.text(stack, output.Value);
      }
    }
    return `⟨import ${exportName}⟩`;
  }

  /** A template parameter: an SSM parameter's value when it names one the assembly creates, else its default. */
  private parameter(stack: StackArtifact, name: string): Json {
    const parameter = (stack.template as Json).Parameters?.[name];
    if (!parameter) return `⟨${stack.stackName}.${name}⟩`;
    if (String(parameter.Type).startsWith('AWS::SSM::Parameter::Value') && typeof parameter.Default === 'string') return this.ssmValue(parameter.Default);
    return parameter.Default ?? `⟨${stack.stackName}.${name}⟩`;
  }

  private ssmValue(name: string): string {
    const parameter = this.ofType('AWS::SSM::Parameter').find((p) => this.nameOf(p) === name);
    return parameter ? this.text(parameter.stack, parameter.resource.Properties?.Value) : `⟨ssm ${name}⟩`;
  }

  private dynamicReferences(value: string): string {
    return value.replace(/\{\{resolve:ssm:([^:}]+)(?::\d+)?\}\}/g, (_m, name: string) => this.ssmValue(name));
  }

  // ---- policies ----

  /** The statements of a policy document, resolved in its stack. */
  public policy(stack: StackArtifact, source: string, document: Json): Policy {
    const resolved = this.resolve(stack, document ?? {});
    const statements = resolved.Statement === undefined ? [] : Array.isArray(resolved.Statement) ? resolved.Statement : [resolved.Statement];
    return { source: `${stack.stackName}/${source}`, statements: statements as Statement[] };
  }

  /** Identity policies attached to a role: AWS::IAM::Policy and customer managed policies naming it, and its inline policies. */
  public identityPolicies(role: ResourceRef): Policy[] {
    const policies: Policy[] = [];
    for (const p of this.ofType('AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy')) {
      const roles = this.resolve(p.stack, p.resource.Properties?.Roles ?? []) as Json[];
      if (roles.some((r) => r === this.refOf(role))) policies.push(this.policy(p.stack, p.id, p.resource.Properties?.PolicyDocument));
    }
    for (const inline of (role.resource.Properties?.Policies ?? []) as Json[]) {
      policies.push(this.policy(role.stack, `${role.id}/${this.text(role.stack, inline.PolicyName)}`, inline.PolicyDocument));
    }
    for (const arn of (role.resource.Properties?.ManagedPolicyArns ?? []) as Json[]) {
      const managed = this.find(role.stack, arn, 'AWS::IAM::ManagedPolicy');
      if (managed) policies.push(this.policy(managed.stack, managed.id, managed.resource.Properties?.PolicyDocument));
    }
    return policies;
  }

  /** The trust policy of a role. */
  public trustPolicy(role: ResourceRef): Policy {
    return this.policy(role.stack, `${role.id}/AssumeRolePolicy`, role.resource.Properties?.AssumeRolePolicyDocument);
  }

  /** A key's key policy (without one, KMS gives the account root full access: "Default key policy"). */
  public keyPolicy(key: ResourceRef): Policy {
    const document = key.resource.Properties?.KeyPolicy;
    if (document) return this.policy(key.stack, `${key.id}/KeyPolicy`, document);
    const { account, partition } = this.env(key.stack);
    return { source: `${key.stack.stackName}/${key.id}/default key policy`, statements: [{ Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }] };
  }

  /**
   * The resource-based policies of a topic, queue, bucket or function: the policy resources naming
   * it (Lambda permissions as the statements they add). A topic without a topic policy has SNS's
   * default policy, which lets the owner account's principals and services acting for it publish.
   */
  public resourcePolicies(target: ResourceRef): Policy[] {
    const naming = (type: string, property: string) => this.ofType(type).filter((p) => {
      const named = this.resolve(p.stack, p.resource.Properties?.[property]);
      return (Array.isArray(named) ? named : [named]).some((n) => this.find(p.stack, n, target.resource.Type) === target);
    });
    switch (target.resource.Type) {
      case 'AWS::SNS::Topic': {
        const policies = naming('AWS::SNS::TopicPolicy', 'Topics').map((p) => this.policy(p.stack, p.id, p.resource.Properties?.PolicyDocument));
        if (policies.length > 0) return policies;
        return [{ source: `${target.stack.stackName}/${target.id}/SNS default topic policy`, statements: [{
          Effect: 'Allow', Principal: { AWS: '*' }, Action: ['SNS:Publish', 'SNS:Subscribe', 'SNS:GetTopicAttributes'], Resource: this.arnOf(target),
          Condition: { StringEquals: { 'AWS:SourceOwner': this.accountOf(target) } },
        }] }];
      }
      case 'AWS::SQS::Queue': return naming('AWS::SQS::QueuePolicy', 'Queues').map((p) => this.policy(p.stack, p.id, p.resource.Properties?.PolicyDocument));
      case 'AWS::S3::Bucket': return naming('AWS::S3::BucketPolicy', 'Bucket').map((p) => this.policy(p.stack, p.id, p.resource.Properties?.PolicyDocument));
      case 'AWS::Lambda::Function': return naming('AWS::Lambda::Permission', 'FunctionName').map((p) => this.lambdaPermission(p, target));
      default: return [];
    }
  }

  /** A Lambda permission as the resource-policy statement Lambda adds for it (AddPermission). */
  private lambdaPermission(permission: ResourceRef, fn: ResourceRef): Policy {
    const props = this.resolve(permission.stack, permission.resource.Properties ?? {});
    const principal = String(props.Principal);
    const condition: Record<string, Record<string, string>> = {};
    if (props.SourceArn) condition.ArnLike = { 'aws:SourceArn': props.SourceArn };
    if (props.SourceAccount) condition.StringEquals = { 'aws:SourceAccount': props.SourceAccount };
    return {
      source: `${permission.stack.stackName}/${permission.id}`,
      statements: [{
        Effect: 'Allow',
        Principal: principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
        Action: props.Action, Resource: this.arnOf(fn), Condition: condition,
      }],
    };
  }
}
