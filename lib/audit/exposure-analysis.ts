import type { Json, StackArtifact } from './cloud-assembly';
import { asList, referencedId, render, resourcesOfType } from './template-values';

/** Something that can be reached from outside the stack, and how it is authorized. */
export interface ExposureRow {
  readonly resource: string;
  readonly type: string;
  /** What is reachable, e.g. `POST /models/{model}/invocations (REGIONAL REST API, stage prod)`. */
  readonly entryPoint: string;
  /** e.g. `AWS_IAM (SigV4) + API key, usage plan`, `NONE`. */
  readonly authorization: string;
  readonly notes: string;
  /** True when it is reachable without authentication. */
  readonly public: boolean;
}

/** Path of an API Gateway resource, built from the PathPart chain. */
function apiPath(stack: StackArtifact, resourceId: Json): string {
  const id = referencedId(resourceId);
  const r = id ? stack.template.Resources[id] : undefined;
  if (!r || r.Type !== 'AWS::ApiGateway::Resource') return '';
  return `${apiPath(stack, r.Properties?.ParentId)}/${r.Properties?.PathPart}`;
}

/** Public entry points and the authorization in front of each. */
export function analyseExposure(stack: StackArtifact): ExposureRow[] {
  const rows: ExposureRow[] = [];
  const t = stack.template;
  const wafApis = new Set(resourcesOfType(t, 'AWS::WAFv2::WebACLAssociation').map(([, r]) => render(r.Properties?.ResourceArn)));
  for (const [id, r] of resourcesOfType(t, 'AWS::ApiGateway::Method')) {
    const p = r.Properties ?? {};
    const apiId = referencedId(p.RestApiId);
    const api = apiId ? t.Resources[apiId] : undefined;
    const endpointTypes = asList<string>(api?.Properties?.EndpointConfiguration?.Types).join(',') || 'EDGE';
    const stages = resourcesOfType(t, 'AWS::ApiGateway::Stage').filter(([, s]) => referencedId(s.Properties?.RestApiId) === apiId).map(([, s]) => s.Properties?.StageName);
    const auth = p.AuthorizationType ?? 'NONE';
    const authText = [auth === 'AWS_IAM' ? 'AWS_IAM (SigV4-signed requests)' : auth, p.ApiKeyRequired ? 'API key required (usage plans)' : ''].filter(Boolean).join(' + ');
    const usagePlans = resourcesOfType(t, 'AWS::ApiGateway::UsagePlan').map(([, u]) => {
      const th = u.Properties?.Throttle; const q = u.Properties?.Quota;
      return `${u.Properties?.UsagePlanName ?? 'plan'}: ${th?.RateLimit ?? '-'} rps, burst ${th?.BurstLimit ?? '-'}, ${q?.Limit ?? '-'}/${q?.Period ?? ''}`;
    });
    const waf = [...wafApis].some((arn) => arn.includes(apiId ?? '\u0000'));
    rows.push({
      resource: id, type: 'API Gateway method',
      entryPoint: `${p.HttpMethod} ${apiPath(stack, p.ResourceId) || '/'} (${endpointTypes} REST API ${apiId ?? ''}${stages.length ? `, stage ${stages.join(', ')}` : ''})`,
      authorization: authText,
      notes: [usagePlans.length ? `usage plans: ${usagePlans.join('; ')}` : '', waf ? 'WAF web ACL associated' : 'no WAF web ACL in the template', p.RequestValidatorId ? 'request validator' : ''].filter(Boolean).join('; '),
      public: auth === 'NONE' && p.HttpMethod !== 'OPTIONS',
    });
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::ApiGatewayV2::Route')) {
    const auth = r.Properties?.AuthorizationType ?? 'NONE';
    rows.push({ resource: id, type: 'HTTP API route', entryPoint: String(r.Properties?.RouteKey), authorization: auth, notes: '', public: auth === 'NONE' });
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::Lambda::Url')) {
    const auth = r.Properties?.AuthType ?? 'NONE';
    rows.push({ resource: id, type: 'Lambda function URL', entryPoint: `function URL of ${render(r.Properties?.TargetFunctionArn)}`, authorization: auth, notes: '', public: auth === 'NONE' });
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::SageMaker::Endpoint')) {
    rows.push({
      resource: id, type: 'SageMaker endpoint', entryPoint: `InvokeEndpoint on ${render(r.Properties?.EndpointName) || id} (SageMaker Runtime API)`,
      authorization: 'AWS_IAM (sagemaker:InvokeEndpoint on the endpoint ARN)', notes: 'not on the internet except through the AWS API; callers need an IAM grant', public: false,
    });
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::SageMaker::Model')) {
    const p = r.Properties ?? {};
    rows.push({
      resource: id, type: 'SageMaker model container', entryPoint: 'outbound network of the inference container',
      authorization: p.EnableNetworkIsolation ? 'network isolation: no inbound or outbound network' : 'network NOT isolated',
      notes: p.VpcConfig ? `in VPC (subnets ${render(p.VpcConfig.Subnets)})` : 'no VPC', public: false,
    });
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::S3::Bucket')) {
    const pab = r.Properties?.PublicAccessBlockConfiguration ?? {};
    const all = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].every((k) => pab[k] === true);
    rows.push({ resource: id, type: 'S3 bucket', entryPoint: 'S3 API', authorization: all ? 'IAM / bucket policy; all public access blocked' : 'public access NOT fully blocked', notes: '', public: !all });
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::Lambda::Permission')) {
    const p = r.Properties ?? {};
    rows.push({
      resource: id, type: 'Lambda invoke permission', entryPoint: `invoke ${render(p.FunctionName)}`,
      authorization: `${render(p.Principal)}${p.SourceArn ? ` from ${render(p.SourceArn)}` : ' (any source)'}`, notes: '', public: render(p.Principal) === '*' && !p.SourceArn && !p.FunctionUrlAuthType,
    });
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::SNS::Subscription')) {
    rows.push({ resource: id, type: 'SNS subscription (outbound)', entryPoint: `${r.Properties?.Protocol} → ${render(r.Properties?.Endpoint)}`, authorization: 'subscriber confirms', notes: 'alarm notifications leave the account by this route', public: false });
  }
  return rows;
}
