import { Duration, Lazy, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { PRIVATE_BUCKET_DEFAULTS } from '../common/private-bucket-defaults';
import { acknowledge } from '../compliance/acknowledge';
import { ImportedModelArtifactStore, ModelArtifactStoreAttributes } from './imported-model-artifact-store';
import { LINEAGE_MANIFEST_METADATA_KEY, ModelArtifactStoreBase, RegistrationApprovalStatus } from './model-artifact-store-base';
import { PropValidation } from '../common/prop-validation';

export interface ModelArtifactStoreProps {
  /**
   * Customer-managed key for the artifacts.
   * @default - a new key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Object Lock default retention (WORM) for new artifact versions: `ObjectLockRetention.governance(...)`
   * lets privileged users shorten it, `compliance(...)` lets nobody, not even the root user.
   * @default - Object Lock off
   */
  readonly objectLockRetention?: s3.ObjectLockRetention;
  /**
   * How long an overwritten or deleted artifact version is kept before it expires.
   * @default Duration.days(365)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * How long server access logs are kept.
   * @default Duration.days(365)
   */
  readonly accessLogRetention?: Duration;
  /**
   * Register every model version in this SageMaker Model Package Group (created here).
   * @default - no model registry
   */
  readonly modelPackageGroupName?: string;
  /**
   * The approval status model versions are registered with in the model package group.
   * @default 'PendingManualApproval'
   */
  readonly modelApprovalStatus?: RegistrationApprovalStatus;
  /**
   * What happens to the buckets and key when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}


/**
 * The S3 bucket for model artifacts: versioned, SSE-KMS with a rotating customer-managed key,
 * TLS only, no public access, server access logs to a separate bucket, optional Object Lock,
 * retained on stack deletion. Each model version added here is recorded as lineage.
 */
export class ModelArtifactStore extends ModelArtifactStoreBase {
  public readonly bucket: s3.Bucket;
  public readonly accessLogBucket: s3.Bucket;
  public readonly encryptionKey: kms.IKey;
  /** The model registry, when `modelPackageGroupName` is set. */
  public readonly modelPackageGroup?: sagemaker.CfnModelPackageGroup;
  protected readonly registry?: string;
  protected readonly registrationStatus: RegistrationApprovalStatus;

  /**
   * A store defined in another stack, e.g. a stage's shared stack: model versions added to it are
   * recorded, granted and registered in the stack that uses them (see `ImportedModelArtifactStore`).
   */
  public static fromStoreAttributes(scope: Construct, id: string, attrs: ModelArtifactStoreAttributes): ImportedModelArtifactStore {
    return new ImportedModelArtifactStore(scope, id, attrs);
  }

  constructor(scope: Construct, id: string, props: ModelArtifactStoreProps = {}) {
    super(scope, id);
    // Server access logs need a bucket policy on the log bucket (not the LogDeliveryWrite ACL, which
    // BUCKET_OWNER_ENFORCED forbids). Set it here, before any child exists, so the store works in apps
    // whose cdk.json lacks the feature flag; without it aws-cdk-lib throws on the access log bucket.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const check = new PropValidation();
    check.inRange('noncurrentVersionExpiration (days)', props.noncurrentVersionExpiration?.toDays(), 1, 36500);
    check.inRange('accessLogRetention (days)', props.accessLogRetention?.toDays(), 1, 36500);
    if (props.modelPackageGroupName !== undefined && !/^[a-zA-Z0-9](?:-?[a-zA-Z0-9]){0,62}$/.test(props.modelPackageGroupName)) {
      check.fail('modelPackageGroupName', props.modelPackageGroupName, 'must be letters, digits and single hyphens, ≤ 63 characters');
    }
    check.throwIfAny(this);
    this.registrationStatus = props.modelApprovalStatus ?? 'PendingManualApproval';

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Encrypts model artifacts in ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access logs can only be delivered to a bucket with SSE-S3 default encryption.
      encryption: s3.BucketEncryption.S3_MANAGED,
      ...PRIVATE_BUCKET_DEFAULTS,
      lifecycleRules: [{
        expiration: props.accessLogRetention ?? Duration.days(365),
        noncurrentVersionExpiration: Duration.days(1),
      }],
      removalPolicy,
    });
    acknowledge(this.accessLogBucket, {
      'AwsSolutions-S1': 'This bucket is the server access log destination of the artifact bucket; logging it to itself would loop.',
      'NIST.800.53.R5-S3BucketLoggingEnabled': 'This bucket is the server access log destination of the artifact bucket; logging it to itself would loop.',
      'HIPAA.Security-S3BucketLoggingEnabled': 'This bucket is the server access log destination of the artifact bucket; logging it to itself would loop.',
      'NIST.800.53.R5-S3DefaultEncryptionKMS': 'S3 server access log delivery supports only SSE-S3 on the destination bucket; the logs hold request metadata, not model data.',
      'HIPAA.Security-S3DefaultEncryptionKMS': 'S3 server access log delivery supports only SSE-S3 on the destination bucket; the logs hold request metadata, not model data.',
      ...replicationAcknowledgements('access logs'),
    });

    this.bucket = new s3.Bucket(this, 'Artifacts', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      ...PRIVATE_BUCKET_DEFAULTS,
      objectLockEnabled: props.objectLockRetention !== undefined || undefined,
      objectLockDefaultRetention: props.objectLockRetention,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [{
        noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(365),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      }],
      removalPolicy,
    });
    acknowledge(this.bucket, replicationAcknowledgements('model artifacts'));
    this.denyUploadsNotEncryptedWithStoreKey();

    (this.bucket.node.defaultChild as s3.CfnBucket).addMetadata(LINEAGE_MANIFEST_METADATA_KEY,
      Lazy.any({ produce: () => this.modelVersions.map((v) => v.lineage) }, { omitEmptyArray: true }));

    if (props.modelPackageGroupName) {
      this.modelPackageGroup = new sagemaker.CfnModelPackageGroup(this, 'Registry', {
        modelPackageGroupName: props.modelPackageGroupName,
        modelPackageGroupDescription: `Model versions stored in ${this.node.path}`,
      });
      this.registry = this.modelPackageGroup.attrModelPackageGroupArn;
    }
  }

  private denyUploadsNotEncryptedWithStoreKey(): void {
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyUploadsWithOtherEncryption',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [this.bucket.arnForObjects('*')],
      conditions: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
    }));
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyUploadsWithAnotherKmsKey',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [this.bucket.arnForObjects('*')],
      conditions: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': this.encryptionKey.keyArn } },
    }));
  }
}

function replicationAcknowledgements(what: string): Record<string, string> {
  const reason = `Cross-region replication of ${what} is a disaster-recovery choice each organisation makes per account; versioning ` +
    'and noncurrent-version retention already protect against deletion and overwrite within the region.';
  return {
    'NIST.800.53.R5-S3BucketReplicationEnabled': reason,
    'HIPAA.Security-S3BucketReplicationEnabled': reason,
  };
}
