/**
 * IAM policy evaluation over synthesized templates, modelled on the IAM User Guide's "Policy
 * evaluation logic" (and, for keys, the AWS KMS Developer Guide's "Key policies"):
 * - an explicit Deny in any policy that applies wins;
 * - a service principal is allowed only by a resource-based policy (or key policy) that names it:
 *   identity policies do not apply to it;
 * - an IAM principal of the resource's account is allowed by its identity policy OR the resource
 *   policy; of another account, by both;
 * - a KMS key policy is the root of access: it must allow the principal directly, or allow the
 *   key's account (its root) — which delegates to IAM, so the identity policy must then allow too.
 *
 * Values are symbolic: intrinsics resolved as far as the assembly allows, with what stays unknown
 * until deployment written as `⟨…⟩` atoms (a generated name, an agnostic stack's account). An atom
 * matches a wildcard and itself, nothing else.
 */

/** Who makes the request. */
export type Principal =
  | { readonly kind: 'service'; readonly service: string }
  | { readonly kind: 'iam'; readonly arn: string; readonly account: string };

/** What the request context carries (global and service condition keys). */
export type RequestContext = Readonly<Record<string, string | boolean | readonly string[]>>;

export interface Request {
  readonly principal: Principal;
  readonly action: string;
  /** The resource's ARN (for a key: the key's ARN; key policies name it "*"). */
  readonly resource: string;
  readonly context: RequestContext;
}

/** A policy statement with its values resolved, and where it comes from (for the report). */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface Policy {
  /** e.g. `inference-prod/AlertingTopicPolicy` */
  readonly source: string;
  readonly statements: readonly Statement[];
}

/** The outcome of one policy type for a request. */
export interface PolicyResult {
  readonly allows: boolean;
  /** The statement that denies it explicitly, if any. */
  readonly deniedBy?: string;
  /** The statements that allow it. */
  readonly allowedBy: readonly string[];
}

const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** `*` and `?` wildcard match, as IAM matches actions, resources and *Like conditions; atoms are literal text. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const escaped = pattern.split('').map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${escaped}$`, ignoreCase ? 'is' : 's').test(value);
}

/** The account a principal element names, from `arn:…:iam::<account>:root` or a bare account id. */
function accountOfPrincipal(p: string): string | undefined {
  const root = /^arn:[^:]+:iam::([^:]+):root$/.exec(p);
  if (root) return root[1];
  return /^(?:\d{12}|⟨[^⟩]+⟩)$/.test(p) ? p : undefined;
}

/** Whether a statement's Principal names the request's principal (resource and key policies). */
export function principalMatches(element: unknown, principal: Principal): boolean {
  if (element === '*') return true;
  if (typeof element !== 'object' || element === null) return false;
  const e = element as Record<string, unknown>;
  if (principal.kind === 'service') {
    if (list(e.AWS).includes('*')) return true;
    return list(e.Service).some((s) => s === principal.service);
  }
  return list(e.AWS).some((p) => p === '*' || p === principal.arn || accountOfPrincipal(String(p)) === principal.account);
}

/** Whether a statement's Principal is the account root (delegation of a key to IAM). */
export function namesAccountRoot(element: unknown, account: string): boolean {
  if (typeof element !== 'object' || element === null) return false;
  return list((element as Record<string, unknown>).AWS).some((p) => accountOfPrincipal(String(p)) === account);
}

function matchesAny(patterns: unknown, value: string, ignoreCase: boolean): boolean {
  return list(patterns).some((p) => typeof p === 'string' && wildcardMatch(p, value, ignoreCase));
}

/** Whether a statement applies to the request, principal aside (actions, resources, conditions). */
export function statementApplies(s: Statement, request: Request): boolean {
  const actionOk = s.Action !== undefined ? matchesAny(s.Action, request.action, true) : s.NotAction !== undefined ? !matchesAny(s.NotAction, request.action, true) : false;
  if (!actionOk) return false;
  const resourceOk = s.Resource !== undefined ? matchesAny(s.Resource, request.resource, false) : s.NotResource !== undefined ? !matchesAny(s.NotResource, request.resource, false) : true;
  if (!resourceOk) return false;
  return conditionsHold(s.Condition, request.context, s.Effect);
}

/**
 * The Condition block, each operator and key ANDed, values of one key ORed (IAM User Guide,
 * "Condition element"). A key absent from the context fails a positive operator and satisfies a
 * negated one (`StringNotEquals`, `ArnNotLike`…); `…IfExists` satisfies any operator. An operator
 * this model does not know fails closed: an Allow it guards is not counted, a Deny it guards is.
 */
export function conditionsHold(condition: Statement['Condition'], context: RequestContext, effect: 'Allow' | 'Deny'): boolean {
  for (const [rawOperator, entries] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(entries)) {
      const result = evaluateOperator(rawOperator, context[key] ?? context[lowerKey(context, key)], list(expected));
      if (result === 'unknown') {
        if (effect === 'Allow') return false;
        continue;
      }
      if (!result) return false;
    }
  }
  return true;
}

/** Condition keys are case-insensitive. */
function lowerKey(context: RequestContext, key: string): string {
  return Object.keys(context).find((k) => k.toLowerCase() === key.toLowerCase()) ?? key;
}

function evaluateOperator(rawOperator: string, actual: string | boolean | readonly string[] | undefined, expected: unknown[]): boolean | 'unknown' {
  const ifExists = rawOperator.endsWith('IfExists');
  const operator = rawOperator.replace(/IfExists$/, '').replace(/^(ForAnyValue|ForAllValues):/, '');
  if (actual === undefined) {
    if (operator === 'Null') return expected.some((e) => String(e) === 'true');
    return ifExists || /Not/.test(operator);
  }
  const values = (Array.isArray(actual) ? actual : [actual]).map(String);
  const wanted = expected.map((e) => String(e));
  const any = (test: (value: string, pattern: string) => boolean) => values.some((v) => wanted.some((w) => test(v, w)));
  switch (operator) {
    case 'StringEquals': case 'ArnEquals': return any((v, w) => v === w);
    case 'StringEqualsIgnoreCase': return any((v, w) => v.toLowerCase() === w.toLowerCase());
    case 'StringLike': case 'ArnLike': return any((v, w) => wildcardMatch(w, v));
    case 'StringNotEquals': case 'ArnNotEquals': return !any((v, w) => v === w);
    case 'StringNotLike': case 'ArnNotLike': return !any((v, w) => wildcardMatch(w, v));
    case 'Bool': return any((v, w) => v.toLowerCase() === w.toLowerCase());
    case 'Null': return wanted.includes('false');
    default: return 'unknown';
  }
}

/**
 * One policy (or set of policies of one type) for a request: whether an applicable statement
 * allows it, and whether one denies it. `principalFromPolicy` is true for resource and key
 * policies, whose statements name principals; identity policies apply to their role implicitly.
 */
export function evaluatePolicies(policies: readonly Policy[], request: Request, principalFromPolicy: boolean): PolicyResult {
  const allowedBy: string[] = [];
  let deniedBy: string | undefined;
  for (const policy of policies) {
    policy.statements.forEach((s, i) => {
      const who = principalFromPolicy
        ? (s.Principal !== undefined ? principalMatches(s.Principal, request.principal) : s.NotPrincipal !== undefined ? !principalMatches(s.NotPrincipal, request.principal) : false)
        : true;
      if (!who || !statementApplies(s, request)) return;
      const name = `${policy.source}#${s.Sid ?? i}`;
      if (s.Effect === 'Deny') deniedBy ??= name;
      else allowedBy.push(name);
    });
  }
  return { allows: deniedBy === undefined && allowedBy.length > 0, deniedBy, allowedBy };
}

/** A policy split into its statements naming an account root (delegation to IAM) and the others. */
function splitByRoot(policies: readonly Policy[], account: string): { direct: Policy[]; root: Policy[] } {
  return {
    direct: policies.map((p) => ({ source: p.source, statements: p.statements.filter((s) => !namesAccountRoot(s.Principal, account)) })),
    root: policies.map((p) => ({ source: p.source, statements: p.statements.filter((s) => namesAccountRoot(s.Principal, account)) })),
  };
}

function merged(a: PolicyResult, b: PolicyResult): PolicyResult {
  const deniedBy = a.deniedBy ?? b.deniedBy;
  const allowedBy = [...a.allowedBy, ...b.allowedBy];
  return { allows: deniedBy === undefined && allowedBy.length > 0, deniedBy, allowedBy };
}

/**
 * The decision for a request to a resource other than a KMS key, from its resource policies and
 * the principal's identity policies. A resource policy naming the principal's account root
 * delegates to that account: its identity policy must allow too.
 */
export function decideResourceAccess(request: Request, resourceAccount: string, resourcePolicies: readonly Policy[], identityPolicies: readonly Policy[]): Decision {
  const account = request.principal.kind === 'iam' ? request.principal.account : resourceAccount;
  const { direct, root } = splitByRoot(resourcePolicies, account);
  const directResult = evaluatePolicies(direct, request, true);
  const rootResult = evaluatePolicies(root, request, true);
  const resource = merged(directResult, rootResult);
  const identity = request.principal.kind === 'iam' ? evaluatePolicies(identityPolicies, request, false) : undefined;
  const deniedBy = resource.deniedBy ?? identity?.deniedBy;
  if (deniedBy) return { allowed: false, resource, identity, reason: `explicitly denied by ${deniedBy}` };
  if (request.principal.kind === 'service') {
    return directResult.allows ? { allowed: true, resource, reason: 'the resource policy allows the service' }
      : { allowed: false, resource, reason: 'no resource-policy statement allows the service principal (identity policies do not apply to a service)' };
  }
  const identityAllows = identity!.allows;
  if (request.principal.account === resourceAccount) {
    if (directResult.allows) return { allowed: true, resource, identity, reason: 'the resource policy allows the principal' };
    if (identityAllows) return { allowed: true, resource, identity, reason: 'the identity policy allows it (same account)' };
    return { allowed: false, resource, identity, reason: 'neither the identity policy nor the resource policy allows it' };
  }
  return (directResult.allows || rootResult.allows) && identityAllows
    ? { allowed: true, resource, identity, reason: 'both the resource policy and the identity policy allow it (cross-account)' }
    : { allowed: false, resource, identity, reason: 'cross-account access needs both the resource policy and the identity policy' };
}

/**
 * The decision for a request to a KMS key: the key policy allows the principal directly, or allows
 * the key's account root — delegating to IAM, so the identity policy must allow too. A service
 * principal can only be allowed directly.
 */
export function decideKeyAccess(request: Request, keyAccount: string, keyPolicy: Policy, identityPolicies: readonly Policy[]): Decision {
  const { direct, root } = splitByRoot([keyPolicy], keyAccount);
  const directResult = evaluatePolicies(direct, request, true);
  const rootResult = evaluatePolicies(root, request, true);
  const key = merged(directResult, rootResult);
  const identity = request.principal.kind === 'iam' ? evaluatePolicies(identityPolicies, request, false) : undefined;
  const deniedBy = key.deniedBy ?? identity?.deniedBy;
  if (deniedBy) return { allowed: false, key, identity, reason: `explicitly denied by ${deniedBy}` };
  if (directResult.allows) return { allowed: true, key, identity, reason: 'the key policy allows the principal' };
  if (request.principal.kind === 'service') {
    return { allowed: false, key, reason: 'the key policy does not allow the service principal (a service\'s use of a key cannot be granted through IAM)' };
  }
  const delegates = rootResult.allows && request.principal.account === keyAccount;
  if (delegates && identity!.allows) return { allowed: true, key, identity, reason: 'the key policy delegates to IAM (account root) and the identity policy allows it' };
  return {
    allowed: false, key, identity,
    reason: delegates ? 'the key policy delegates to IAM, but the identity policy does not allow it' : 'the key policy neither allows the principal nor delegates to its account',
  };
}

export interface Decision {
  readonly allowed: boolean;
  readonly reason: string;
  readonly resource?: PolicyResult;
  readonly key?: PolicyResult;
  readonly identity?: PolicyResult;
}
