import type { Json, StackArtifact } from './cloud-assembly';
import { asList, referencedIds, render, resourcesOfType } from './template-values';

/** How long data is kept and what protects it from deletion. */
export interface RetentionRow {
  readonly resource: string;
  readonly type: string;
  /** e.g. `data capture`, `model artifacts`, `access logs`. */
  readonly role: string;
  readonly retention: string;
  readonly protection: string;
}

function lifecycleText(rules: Json[]): string {
  if (rules.length === 0) return 'kept indefinitely (no lifecycle rule)';
  return rules.map((rule) => [
    rule.Prefix ? `${rule.Prefix}: ` : '',
    rule.ExpirationInDays ? `objects expire after ${rule.ExpirationInDays} d` : 'current objects kept',
    rule.NoncurrentVersionExpiration ? `, noncurrent versions after ${rule.NoncurrentVersionExpiration.NoncurrentDays} d` : '',
    rule.AbortIncompleteMultipartUpload ? `, incomplete uploads after ${rule.AbortIncompleteMultipartUpload.DaysAfterInitiation} d` : '',
    asList<Json>(rule.Transitions).map((tr) => `, to ${tr.StorageClass} after ${tr.TransitionInDays} d`).join(''),
    rule.Status === 'Disabled' ? ' (disabled)' : '',
  ].join('')).join('; ');
}

/** Bucket lifecycles, Object Lock, versioning, log retention, capture retention, queue retention. */
export function analyseRetention(stack: StackArtifact): RetentionRow[] {
  const t = stack.template;
  const rows: RetentionRow[] = [];
  const captureBuckets = new Set<string>();
  for (const [, c] of resourcesOfType(t, 'AWS::SageMaker::EndpointConfig')) {
    for (const id of referencedIds(c.Properties?.DataCaptureConfig?.DestinationS3Uri)) captureBuckets.add(id);
  }
  const logTargets = new Set<string>();
  for (const [, b] of resourcesOfType(t, 'AWS::S3::Bucket')) {
    for (const id of referencedIds(b.Properties?.LoggingConfiguration?.DestinationBucketName)) logTargets.add(id);
  }
  const artifactBuckets = new Set<string>();
  for (const [, m] of resourcesOfType(t, 'AWS::SageMaker::Model')) {
    for (const id of referencedIds(m.Properties?.PrimaryContainer)) if (t.Resources[id]?.Type === 'AWS::S3::Bucket') artifactBuckets.add(id);
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::S3::Bucket')) {
    const p = r.Properties ?? {};
    const lock = p.ObjectLockConfiguration?.Rule?.DefaultRetention;
    const role = captureBuckets.has(id) ? 'data capture (requests and model outputs)' : artifactBuckets.has(id) ? 'model artifacts' : logTargets.has(id) ? 'S3 access logs' : 'bucket';
    rows.push({
      resource: id, type: 'S3 bucket', role,
      retention: lifecycleText(asList<Json>(p.LifecycleConfiguration?.Rules)),
      protection: [
        p.VersioningConfiguration?.Status === 'Enabled' ? 'versioned' : 'not versioned',
        lock ? `Object Lock ${lock.Mode} ${lock.Days ?? `${lock.Years} y`}${lock.Days ? ' d' : ''}` : p.ObjectLockEnabled ? 'Object Lock enabled (no default retention)' : 'no Object Lock',
        `DeletionPolicy ${r.DeletionPolicy ?? 'Delete'}`,
      ].join(', '),
    });
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::Logs::LogGroup')) {
    const days = r.Properties?.RetentionInDays;
    rows.push({
      resource: id, type: 'log group', role: render(r.Properties?.LogGroupName) || 'log group',
      retention: days ? `${days} d` : 'never expires', protection: `DeletionPolicy ${r.DeletionPolicy ?? 'Delete'}`,
    });
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::SQS::Queue')) {
    const s = r.Properties?.MessageRetentionPeriod ?? 345600;
    rows.push({ resource: id, type: 'SQS queue', role: 'dead letters', retention: `${Math.round(s / 86400)} d`, protection: `DeletionPolicy ${r.DeletionPolicy ?? 'Delete'}` });
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::SageMaker::EndpointConfig')) {
    const c = r.Properties?.DataCaptureConfig;
    if (!c) continue;
    const bucket = [...referencedIds(c.DestinationS3Uri)][0];
    const bucketRow = rows.find((x) => x.resource === bucket);
    rows.push({
      resource: id, type: 'data capture', role: `${c.InitialSamplingPercentage}% of ${asList<Json>(c.CaptureOptions).map((o) => o.CaptureMode).join(' + ')}`,
      retention: bucketRow ? `${bucketRow.retention} (bucket ${bucket})` : `in ${render(c.DestinationS3Uri)}`, protection: c.KmsKeyId ? 'KMS-encrypted' : 'no KMS key',
    });
  }
  return rows;
}
