import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges compliance findings (cdk-nag rule ids, template-validator ids) on the construct
 * that owns them, each with the reason an auditor reads in the validation report.
 */
export function acknowledge(scope: IConstruct, reasons: Record<string, string>): void {
  for (const [id, reason] of Object.entries(reasons)) Validations.of(scope).acknowledge({ id, reason });
}

/** The same finding in the three packs the platform runs (AwsSolutions is named separately where it applies). */
export function acknowledgeInHipaaAndNist(scope: IConstruct, rule: string, reason: string): void {
  acknowledge(scope, { [`HIPAA.Security-${rule}`]: reason, [`NIST.800.53.R5-${rule}`]: reason });
}

/**
 * How cdk-nag writes a resource ARN in a finding id: literal text as is, `Ref`s and pseudo
 * parameters as `<Name>`, `Fn::GetAtt` as `<LogicalId.Attribute>`. Lets a construct acknowledge
 * one precise wildcard (`AwsSolutions-IAM5[Resource::...]`) instead of every wildcard on it.
 */
export function nagResourceId(scope: IConstruct, arn: string): string {
  return nagRendered(Stack.of(scope).resolve(arn));
}

/** A resolved template value (a literal, `Ref`, `Fn::GetAtt`, `Fn::Join`) as cdk-nag writes it in a finding id. */
export function nagRendered(part: unknown): string {
  if (typeof part === 'string') return part;
  if (part && typeof part === 'object') {
    const node = part as Record<string, unknown>;
    if ('Ref' in node) return `<${node.Ref}>`;
    if ('Fn::GetAtt' in node) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Fn::Join' in node) {
      const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
      return parts.map(nagRendered).join(separator);
    }
  }
  return JSON.stringify(part);
}

/** Acknowledges one wildcard resource in an IAM policy (AwsSolutions-IAM5) with the reason it is needed. */
export function acknowledgeWildcardResource(scope: IConstruct, arn: string, reason: string): void {
  acknowledge(scope, { [`AwsSolutions-IAM5[Resource::${nagResourceId(scope, arn)}]`]: reason });
}
