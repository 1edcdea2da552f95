import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { DescribeEndpointCommand, type DescribeEndpointCommandOutput, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';
import type { EndpointExpectation, SmokeProbe, SmokeTestPlan } from './smoke-test-plan';

/** The outcome of one check: what was checked, and why it failed (none: passed). */
export interface CheckResult {
  readonly name: string;
  readonly failure?: string;
}

export interface SmokeTestTarget {
  /** The stage's gateway, `https://<api>.execute-api.<region>.amazonaws.com/<stage>/`. */
  readonly gatewayUrl: string;
  /** The smoke test's API key (its usage plan in the stage). */
  readonly apiKey: string;
  readonly region: string;
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** How long a model that is still scaling out (429/502/503/504) may take to answer; 0: one try. */
  readonly waitBudgetMs?: number;
  /** Pauses between retries; tests pass one that returns at once. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The SageMaker client (region and endpoint from the environment, e.g. AWS_ENDPOINT_URL_SAGEMAKER). */
  readonly sagemaker?: SageMakerClient;
}

/** SHA-256 and HMAC-SHA-256 from node:crypto, as SignatureV4 takes them. */
class Sha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    const key = typeof this.secret === 'string' ? Buffer.from(this.secret, 'utf8')
      : ArrayBuffer.isView(this.secret) ? Buffer.from(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength) : Buffer.from(this.secret);
    return createHmac('sha256', key);
  }
}

const RETRYABLE = new Set([429, 502, 503, 504]);

/**
 * Runs the plan against a stage: every probe through the gateway, SigV4-signed for
 * `execute-api` with the API key, and DescribeEndpoint for every model. Returns one result per
 * check; none throws for a failing check.
 */
export async function runSmokeTest(plan: SmokeTestPlan, target: SmokeTestTarget): Promise<CheckResult[]> {
  const sagemaker = target.sagemaker ?? new SageMakerClient({ region: target.region, credentials: target.credentials, maxAttempts: 3 });
  const signer = new SignatureV4({ service: 'execute-api', region: target.region, credentials: target.credentials ?? defaultProvider(), sha256: Sha256 });
  const results: CheckResult[] = [];
  for (const endpoint of plan.endpoints) results.push(await checkEndpoint(sagemaker, endpoint));
  for (const probe of plan.probes) results.push(await sendProbe(signer, target, probe, plan.endpoints.find((e) => e.model === probe.model)));
  return results;
}

async function checkEndpoint(sagemaker: SageMakerClient, expected: EndpointExpectation): Promise<CheckResult> {
  const name = `${expected.model}: endpoint ${expected.endpointName} InService with variant ${expected.variant}` +
    `${expected.shadowVariant ? ` and shadow ${expected.shadowVariant}` : ''}${expected.imageSuffix ? ` serving …${expected.imageSuffix}` : ''}`;
  let described: DescribeEndpointCommandOutput;
  try {
    described = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: expected.endpointName }));
  } catch (error) {
    const e = error as { name?: string; message?: string };
    return { name, failure: `DescribeEndpoint failed: ${e.name ?? 'Error'}: ${e.message ?? String(error)}` };
  }
  const problems: string[] = [];
  if (described.EndpointStatus !== 'InService') {
    problems.push(`it is ${described.EndpointStatus ?? 'without a status'}${described.FailureReason ? ` (${described.FailureReason})` : ''}, not InService`);
  }
  const variant = described.ProductionVariants?.find((v) => v.VariantName === expected.variant);
  if (!variant) {
    problems.push(`it has no production variant ${expected.variant} (variants: ${(described.ProductionVariants ?? []).map((v) => v.VariantName).join(', ') || 'none'})`);
  } else {
    if (!expected.scaleToZero && !((variant.CurrentInstanceCount ?? 0) >= 1)) problems.push(`variant ${expected.variant} runs ${variant.CurrentInstanceCount ?? 0} instances`);
    const images = (variant.DeployedImages ?? []).map((i) => i.SpecifiedImage ?? '');
    if (expected.imageSuffix && !images.some((image) => image.endsWith(expected.imageSuffix!))) {
      problems.push(`variant ${expected.variant} serves ${images.join(', ') || 'no image'}, not …${expected.imageSuffix}: the deploy did not take effect`);
    }
  }
  if (expected.shadowVariant && !described.ShadowProductionVariants?.some((v) => v.VariantName === expected.shadowVariant)) {
    problems.push(`it has no shadow variant ${expected.shadowVariant}`);
  }
  return problems.length ? { name, failure: problems.join('; ') } : { name };
}

async function sendProbe(signer: SignatureV4, target: SmokeTestTarget, probe: SmokeProbe, endpoint: EndpointExpectation | undefined): Promise<CheckResult> {
  const url = new URL(`models/${encodeURIComponent(probe.model)}/invocations`, target.gatewayUrl.endsWith('/') ? target.gatewayUrl : `${target.gatewayUrl}/`);
  const body = JSON.stringify(probe.body);
  const sleep = target.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // Only a model that scales to zero is expected to need time; others get the gateway's own retries.
  let budget = probe.reachesModel && endpoint?.scaleToZero ? target.waitBudgetMs ?? 0 : 0;
  for (;;) {
    let response: Response;
    let text: string;
    try {
      const signed = await signer.sign({
        method: 'POST', protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: url.pathname, query: {},
        headers: { host: url.host, 'content-type': 'application/json', 'x-api-key': target.apiKey },
        body,
      });
      response = await fetch(url, { method: 'POST', headers: signed.headers, body });
      text = await response.text();
    } catch (error) {
      return { name: probe.name, failure: `the request to ${url.href} failed: ${(error as Error).message}` };
    }
    const retryAfter = Number(response.headers.get('retry-after') ?? '10');
    const waitMs = (Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 10) * 1000;
    if (RETRYABLE.has(response.status) && budget >= waitMs) {
      budget -= waitMs;
      await sleep(waitMs);
      continue;
    }
    return judge(probe, response, text);
  }
}

function judge(probe: SmokeProbe, response: Response, text: string): CheckResult {
  const requestId = response.headers.get('x-request-id');
  const at = requestId ? ` (request ${requestId})` : '';
  if (response.status !== probe.expectStatus) {
    return { name: probe.name, failure: `answered ${response.status}${at}: ${summary(text)}` };
  }
  if (probe.expectStatus === 422 && !/"blocked_by_policy"/.test(text)) {
    return { name: probe.name, failure: `answered 422 without error code blocked_by_policy${at}: ${summary(text)}` };
  }
  if (probe.expectSafetyAction && response.headers.get('x-safety-action') !== probe.expectSafetyAction) {
    return { name: probe.name, failure: `answered 200 with x-safety-action ${response.headers.get('x-safety-action') ?? '(none)'}, not ${probe.expectSafetyAction}${at}: the personal data was not redacted` };
  }
  if (probe.expectSafetyAction && text.includes('jane.doe@example.com')) {
    return { name: probe.name, failure: `the answer still holds the email address${at}` };
  }
  return { name: probe.name };
}

/** The start of an answer, on one line, for a failure message. */
function summary(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line || '(empty body)';
}
