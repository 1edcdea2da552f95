import type { Json, StackArtifact } from './cloud-assembly';
import { asList, referencedId, render, resourcesOfType } from './template-values';
import { NVME_INSTANCE_FAMILIES } from '../compliance/sagemaker-guard-rules';

/** Encryption of one data store, at rest and in transit. */
export interface EncryptionRow {
  readonly resource: string;
  readonly type: string;
  /** e.g. `SSE-KMS <ArtifactStoreKey.Arn>`, `SSE-S3 (AES256)`, `none`. */
  readonly atRest: string;
  /** The KMS key's logical id, when a customer key in the stack is used. */
  readonly kmsKey?: string;
  /** e.g. `TLS enforced (Deny aws:SecureTransport=false)`, `HTTPS only (AWS API)`. */
  readonly inTransit: string;
  /** False when the store is unencrypted at rest or accepts plain HTTP. */
  readonly ok: boolean;
}

function hasNvme(instanceType: string): boolean {
  const family = /^ml\.([a-z0-9]+)\./.exec(instanceType)?.[1];
  return !!family && (NVME_INSTANCE_FAMILIES as readonly string[]).includes(family);
}

/** Whether any policy statement for `id` denies requests without TLS. */
function tlsEnforced(stack: StackArtifact, policyType: string, targetField: string, id: string): boolean {
  for (const [, p] of resourcesOfType(stack.template, policyType)) {
    const targets = asList<Json>(p.Properties?.[targetField]).map(referencedId);
    if (!targets.includes(id)) continue;
    for (const s of asList<Json>(p.Properties?.PolicyDocument?.Statement)) {
      if (s.Effect === 'Deny' && String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false') return true;
    }
  }
  return false;
}

function kms(keyValue: Json): { atRest: string; kmsKey?: string } {
  const key = referencedId(keyValue);
  return { atRest: `SSE-KMS ${render(keyValue)}`, ...(key ? { kmsKey: key } : {}) };
}

/** Encryption at rest (key per data store) and in transit for every data store of a stack. */
export function analyseEncryption(stack: StackArtifact): EncryptionRow[] {
  const rows: EncryptionRow[] = [];
  const t = stack.template;
  for (const [id, r] of resourcesOfType(t, 'AWS::S3::Bucket')) {
    const sse = asList<Json>(r.Properties?.BucketEncryption?.ServerSideEncryptionConfiguration)[0]?.ServerSideEncryptionByDefault;
    const tls = tlsEnforced(stack, 'AWS::S3::BucketPolicy', 'Bucket', id);
    const atRest = !sse ? { atRest: 'SSE-S3 (S3 default since 2023; not declared)' }
      : String(sse.SSEAlgorithm).startsWith('aws:kms') ? kms(sse.KMSMasterKeyID ?? 'aws/s3 managed key') : { atRest: `SSE-S3 (${sse.SSEAlgorithm})` };
    rows.push({ resource: id, type: 'S3 bucket', ...atRest, inTransit: tls ? 'TLS enforced (bucket policy denies aws:SecureTransport=false)' : 'TLS not enforced (no deny without SecureTransport)', ok: !!sse && tls });
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::SageMaker::EndpointConfig')) {
    const p = r.Properties ?? {};
    const types = asList<Json>(p.ProductionVariants).map((v) => String(v.InstanceType ?? 'serverless'));
    const nvme = types.length > 0 && types.every(hasNvme);
    rows.push({
      resource: id, type: 'SageMaker endpoint storage',
      ...(p.KmsKeyId ? kms(p.KmsKeyId) : { atRest: nvme ? `NVMe instance storage, hardware-encrypted AES-256 by Nitro (${types.join(', ')}; KmsKeyId not supported)` : 'none (no KmsKeyId)' }),
      inTransit: 'HTTPS only (SageMaker Runtime API, SigV4)', ok: !!p.KmsKeyId || nvme,
    });
    if (p.DataCaptureConfig) {
      const capture = p.DataCaptureConfig;
      rows.push({
        resource: `${id} data capture`, type: 'SageMaker data capture',
        ...(capture.KmsKeyId ? kms(capture.KmsKeyId) : { atRest: 'capture bucket default only (no DataCaptureConfig.KmsKeyId)' }),
        inTransit: `to ${render(capture.DestinationS3Uri)} over HTTPS`, ok: !!capture.KmsKeyId,
      });
    }
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::SNS::Topic')) {
    const key = r.Properties?.KmsMasterKeyId;
    const tls = tlsEnforced(stack, 'AWS::SNS::TopicPolicy', 'Topics', id);
    rows.push({ resource: id, type: 'SNS topic', ...(key ? kms(key) : { atRest: 'none' }), inTransit: tls ? 'TLS enforced (topic policy denies aws:SecureTransport=false)' : 'HTTPS API; publish over HTTP not denied', ok: !!key });
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::SQS::Queue')) {
    const key = r.Properties?.KmsMasterKeyId;
    rows.push({ resource: id, type: 'SQS queue', ...(key ? kms(key) : { atRest: r.Properties?.SqsManagedSseEnabled === false ? 'none' : 'SSE-SQS (managed)' }), inTransit: tlsEnforced(stack, 'AWS::SQS::QueuePolicy', 'Queues', id) ? 'TLS enforced' : 'HTTPS API', ok: r.Properties?.SqsManagedSseEnabled !== false || !!key });
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::Logs::LogGroup')) {
    const key = r.Properties?.KmsKeyId;
    rows.push({ resource: id, type: 'CloudWatch log group', ...(key ? kms(key) : { atRest: 'CloudWatch Logs service encryption (no customer key)' }), inTransit: 'HTTPS only (AWS API)', ok: true });
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::KMS::Key')) {
    rows.push({ resource: id, type: 'KMS key', atRest: r.Properties?.EnableKeyRotation ? 'rotation enabled' : 'rotation NOT enabled', inTransit: 'HTTPS only (AWS API)', ok: !!r.Properties?.EnableKeyRotation });
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::SageMaker::ModelPackageGroup', 'AWS::SageMaker::ModelPackage')) {
    rows.push({ resource: id, type: r.Type.replace('AWS::SageMaker::', 'SageMaker '), atRest: 'SageMaker service encryption (metadata only)', inTransit: 'HTTPS only (AWS API)', ok: true });
  }
  return rows;
}
