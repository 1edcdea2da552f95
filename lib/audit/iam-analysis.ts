import type { Acknowledgement, Json, StackArtifact } from './cloud-assembly';
import { asList, referencedId, render, resourcesOfType } from './template-values';

/** One IAM statement, identity- or resource-based, as an auditor reads it. */
export interface IamStatementRow {
  /** The policy resource (logical id, and `/PolicyName` for inline role policies). */
  readonly source: string;
  /** Identity policies: the roles/users it is attached to; resource policies: the Principal. */
  readonly principal: string;
  readonly kind: 'identity' | 'resource';
  readonly effect: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly conditions: string;
  /** Actions or resources containing `*` (only Allow statements are flagged). */
  readonly wildcards: string[];
  /** Acknowledgements that justify the wildcards (cdk-nag IAM5 ids on the owning constructs). */
  readonly acknowledgements: Acknowledgement[];
}

function principalText(principal: Json): string {
  if (principal === undefined) return '';
  if (typeof principal === 'string') return principal;
  return Object.entries(principal as Record<string, Json>)
    .map(([kind, value]) => `${kind}: ${asList(value).map(render).join(', ')}`)
    .join('; ');
}

function isWildcard(value: string): boolean {
  return value.includes('*');
}

/** Acknowledgements on the constructs that own `logicalIds` (or their parents) that justify `wildcards`. */
function justifying(stack: StackArtifact, logicalIds: string[], wildcards: string[]): Acknowledgement[] {
  if (wildcards.length === 0) return [];
  const paths = logicalIds.map((id) => stack.constructPaths[id]).filter((p): p is string => !!p);
  const owners = stack.acknowledgements.filter((a) => /IAM5/.test(a.ruleId)
    && paths.some((p) => p === a.constructPath || p.startsWith(`${a.constructPath}/`)));
  const granular = owners.filter((a) => {
    const m = /\[(?:Action|Resource)::(.*)\]$/.exec(a.ruleId);
    return m ? wildcards.includes(crossStackAsRendered(m[1])) : false;
  });
  const generic = owners.filter((a) => !/\[(?:Action|Resource)::/.test(a.ruleId));
  return [...granular, ...generic];
}

/**
 * cdk-nag writes an intrinsic it does not know, such as `Fn::GetStackOutput`, as its JSON in a
 * finding id; `render` writes it `<stack:output>`.
 */
function crossStackAsRendered(nagId: string): string {
  return nagId.replace(/\{"Fn::GetStackOutput":\{"StackName":"([^"]+)","OutputName":"([^"]+)"\}\}/g, '<$1:$2>');
}

/**
 * Every IAM statement of the stacks of a stage view, each stack read on its own (its
 * acknowledgements name its own logical ids), the ids prefixed with the stack where the view
 * has several (`inference-prod-chat.ChatExecutionRole...`).
 */
export function analyseIamOfStacks(stacks: StackArtifact[]): IamStatementRow[] {
  if (stacks.length === 1) return analyseIam(stacks[0]);
  return stacks.flatMap((stack) => {
    const prefix = (text: string) => text.split(', ').map((id) => (id.split(/[ /]/)[0] in stack.template.Resources ? `${stack.stackName}.${id}` : id)).join(', ');
    return analyseIam(stack).map((row) => ({ ...row, source: prefix(row.source), principal: row.kind === 'identity' ? prefix(row.principal) : row.principal }));
  });
}

/** Every IAM statement of a stack: identity policies (roles' inline and attached) and resource policies. */
export function analyseIam(stack: StackArtifact): IamStatementRow[] {
  const rows: IamStatementRow[] = [];
  const t = stack.template;
  const push = (source: string, principal: string, kind: 'identity' | 'resource', statement: Json, owners: string[]) => {
    const actions = asList<Json>(statement.Action ?? statement.NotAction).map(render);
    const resources = asList<Json>(statement.Resource ?? statement.NotResource).map(render);
    if (statement.NotAction) actions.unshift('NOT:');
    const wildcards = statement.Effect === 'Allow' ? [...actions.filter(isWildcard).map((a) => a), ...resources.filter(isWildcard)] : [];
    const granularWildcards = [
      ...actions.filter(isWildcard).map((a) => a),
      ...resources.filter(isWildcard),
    ];
    rows.push({
      source, principal, kind, effect: statement.Effect, actions, resources,
      conditions: statement.Condition ? render(statement.Condition) : '',
      wildcards,
      acknowledgements: justifying(stack, owners, wildcards.length ? granularWildcards : []),
    });
  };
  for (const [id, r] of resourcesOfType(t, 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy')) {
    const attached = [...asList<Json>(r.Properties?.Roles), ...asList<Json>(r.Properties?.Users), ...asList<Json>(r.Properties?.Groups)];
    const principal = attached.map((a) => referencedId(a) ?? render(a)).join(', ');
    for (const s of asList<Json>(r.Properties?.PolicyDocument?.Statement)) {
      push(id, principal, 'identity', s, [id, ...attached.map((a) => referencedId(a)).filter((x): x is string => !!x)]);
    }
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::IAM::Role')) {
    for (const policy of asList<Json>(r.Properties?.Policies)) {
      for (const s of asList<Json>(policy.PolicyDocument?.Statement)) push(`${id}/${policy.PolicyName}`, id, 'identity', s, [id]);
    }
    for (const arn of asList<Json>(r.Properties?.ManagedPolicyArns)) {
      const managed = render(arn);
      const wildcards = [`Policy::${managed}`];
      rows.push({
        source: `${id} (managed policy)`, principal: id, kind: 'identity', effect: 'Allow', actions: [`managed policy ${managed}`],
        resources: [], conditions: '', wildcards: [managed],
        acknowledgements: stack.acknowledgements.filter((a) => /IAM4/.test(a.ruleId) && (stack.constructPaths[id] ?? '').startsWith(a.constructPath)
          && (!/\[Policy::/.test(a.ruleId) || wildcards.some((w) => a.ruleId.includes(w)))),
      });
    }
    const trust = r.Properties?.AssumeRolePolicyDocument;
    for (const s of asList<Json>(trust?.Statement)) push(`${id} (trust policy)`, principalText(s.Principal), 'resource', s, [id]);
  }
  const resourcePolicies: Array<[string, string]> = [
    ['AWS::S3::BucketPolicy', 'PolicyDocument'], ['AWS::SNS::TopicPolicy', 'PolicyDocument'],
    ['AWS::SQS::QueuePolicy', 'PolicyDocument'], ['AWS::KMS::Key', 'KeyPolicy'], ['AWS::Events::EventBusPolicy', 'Statement'],
  ];
  for (const [type, field] of resourcePolicies) {
    for (const [id, r] of resourcesOfType(t, type)) {
      const doc = r.Properties?.[field];
      const statements = field === 'Statement' ? asList<Json>(doc) : asList<Json>(doc?.Statement);
      for (const s of statements) push(id, principalText(s.Principal), 'resource', s, [id]);
    }
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::Lambda::Permission')) {
    const p = r.Properties ?? {};
    push(id, p.Principal ? render(p.Principal) : '', 'resource', {
      Effect: 'Allow', Action: p.Action, Resource: p.FunctionName,
      ...(p.SourceArn ? { Condition: { ArnLike: { 'aws:SourceArn': p.SourceArn } } } : {}),
    }, [id]);
  }
  return rows;
}

/** Allow statements with wildcards that no acknowledgement justifies. */
export function unjustifiedWildcards(rows: IamStatementRow[]): IamStatementRow[] {
  return rows.filter((r) => r.kind === 'identity' && r.wildcards.length > 0 && r.acknowledgements.length === 0);
}
