import { Aws, Duration, Lazy, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PRIVATE_BUCKET_DEFAULTS } from '../common/private-bucket-defaults';
import { acknowledgeInHipaaAndNist, acknowledgeWildcardResource } from '../compliance/acknowledge';

export interface DataCaptureStoreProps {
  /** How long captured requests and responses are kept, 1–3650 days. */
  readonly retention: Duration;
  /** Roles that may read captured data (e.g. the data science team's analysis role). */
  readonly readers?: iam.IRole[];
  /** Where the bucket's server access logs go (e.g. the artifact store's log bucket). */
  readonly serverAccessLogsBucket: s3.IBucket;
  /**
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * IAM path (e.g. `/inference/prod/`) of roles defined in other stacks that the bucket policy
   * lets write and read captured data: the endpoints and monitoring jobs of stacks deployed
   * after this one, which a bucket policy cannot name. What each role may do is still what its
   * own identity policy grants (`grantCapture`, `grantMonitoringJob` on an imported store): an
   * endpoint role only writes its own prefix. Give this path only to such roles.
   * @default - only the roles granted here and the readers
   */
  readonly trustedRolePath?: string;
}

/** A data capture bucket and its key, defined here or in another stack. */
export interface IDataCaptureStore {
  readonly bucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
  /** `s3://bucket/capture`: the DestinationS3Uri of an endpoint config's DataCaptureConfig. */
  readonly destinationS3Uri: string;
  /** Lets an endpoint's execution role write its own capture files, and nothing else. */
  grantCapture(role: iam.IRole, endpointName: string): iam.Grant;
  /** Lets a Model Monitor job role read an endpoint's captured data and write its reports under `monitoring/<endpoint>/`. */
  grantMonitoringJob(role: iam.IRole, endpointName: string): iam.Grant;
}

/** A data capture store defined in another stack, by its physical names. */
export interface DataCaptureStoreAttributes {
  readonly bucketName: string;
  readonly encryptionKeyArn: string;
}

/** S3 prefix under which SageMaker writes capture files: `capture/<endpoint>/<variant>/yyyy/mm/dd/hh/`. */
export const CAPTURE_PREFIX = 'capture';
/** S3 prefix under which Model Monitor writes its reports. */
export const MONITORING_PREFIX = 'monitoring';

/**
 * The encrypted bucket SageMaker data capture writes to. Captured prompts and answers may hold
 * personal data: objects expire after the retention period, and the bucket policy lets only the
 * endpoints' roles write and only the named reader roles read.
 */
export class DataCaptureStore extends Construct implements IDataCaptureStore {
  /**
   * A store defined in another stack. Grants add only to the grantee's identity policy: the
   * bucket policy of the defining stack must trust the grantee (`trustedRolePath`).
   */
  public static fromStoreAttributes(scope: Construct, id: string, attrs: DataCaptureStoreAttributes): IDataCaptureStore {
    return new ImportedDataCaptureStore(scope, id, attrs);
  }

  public readonly bucket: s3.Bucket;
  public readonly encryptionKey: kms.Key;
  private readonly writers: iam.IRole[] = [];
  private readonly readers: iam.IRole[];
  private readonly trustedRolePath?: string;

  constructor(scope: Construct, id: string, props: DataCaptureStoreProps) {
    super(scope, id);
    const days = props.retention.toDays();
    if (!Number.isInteger(days) || days < 1 || days > 3650) {
      throw new Error(`${this.node.path}: retention ${days} days is out of range: use 1–3650 whole days`);
    }
    this.readers = [...(props.readers ?? [])];
    this.trustedRolePath = props.trustedRolePath;
    if (props.trustedRolePath !== undefined && !/^\/(?:[\x21-\x7e]+\/)?$/.test(props.trustedRolePath)) {
      throw new Error(`${this.node.path}: trustedRolePath ${JSON.stringify(props.trustedRolePath)} is not an IAM path: use / or /<parts>/, e.g. /inference/prod/`);
    }
    this.encryptionKey = new kms.Key(this, 'Key', {
      description: `Encrypts SageMaker data capture in ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      ...PRIVATE_BUCKET_DEFAULTS,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: 'data-capture/',
      lifecycleRules: [{ expiration: props.retention, noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    acknowledgeInHipaaAndNist(this.bucket, 'S3BucketReplicationEnabled', 'Captured traffic is short-lived analysis data that ' +
      'expires after its retention period; replicating it to another region would spread personal data without a recovery need.');
    this.bucket.addToResourcePolicy(this.denyAllBut('DenyReadsExceptReaders', ['s3:GetObject', 's3:GetObjectVersion'], () => this.readers));
    this.bucket.addToResourcePolicy(this.denyAllBut('DenyWritesExceptEndpoints', ['s3:PutObject'], () => this.writers));
    for (const reader of this.readers) {
      this.bucket.grantRead(reader, `${CAPTURE_PREFIX}/*`);
    }
  }

  /** `s3://bucket/capture`: the DestinationS3Uri of an endpoint config's DataCaptureConfig. */
  public get destinationS3Uri(): string {
    return this.bucket.s3UrlForObject(CAPTURE_PREFIX);
  }

  /** Lets an endpoint's execution role write its own capture files, and nothing else; the bucket policy then excepts it. */
  public grantCapture(role: iam.IRole, endpointName: string): iam.Grant {
    this.writers.push(role);
    return grantCaptureWrites(this, role, endpointName);
  }

  /**
   * Lets a Model Monitor job role read an endpoint's captured data and write its reports under
   * `monitoring/<endpoint>/`; the bucket policy then excepts it from both denies.
   */
  public grantMonitoringJob(role: iam.IRole, endpointName: string): iam.Grant {
    this.readers.push(role);
    this.writers.push(role);
    return grantMonitoringAccess(this, role, endpointName);
  }

  private denyAllBut(sid: string, actions: string[], allowed: () => iam.IRole[]): iam.PolicyStatement {
    const trusted = this.trustedRolePath && `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role${this.trustedRolePath}*`;
    const principals = Lazy.list({ produce: () => {
      const arns = [...allowed().map((r) => r.roleArn), ...(trusted ? [trusted] : [])];
      // With nobody named, only the account's root user is excepted.
      return arns.length > 0 ? arns : [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`];
    } });
    return new iam.PolicyStatement({
      sid,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions,
      resources: [this.bucket.arnForObjects('*')],
      conditions: {
        // ArnNotLike when a trusted path is a pattern; the exact role ARNs match either way.
        [trusted ? 'ArnNotLike' : 'ArnNotEquals']: { 'aws:PrincipalArn': principals },
        // S3 server-side replication and lifecycle are AWS services acting for the bucket, not principals here.
        Bool: { 'aws:PrincipalIsAWSService': 'false' },
      },
    });
  }
}

/** A data capture store of another stack: grants go to the grantee's identity policy only. */
class ImportedDataCaptureStore extends Construct implements IDataCaptureStore {
  public readonly bucket: s3.IBucket;
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, attrs: DataCaptureStoreAttributes) {
    super(scope, id);
    this.bucket = s3.Bucket.fromBucketName(this, 'Bucket', attrs.bucketName);
    this.encryptionKey = kms.Key.fromKeyArn(this, 'Key', attrs.encryptionKeyArn);
  }

  public get destinationS3Uri(): string {
    return this.bucket.s3UrlForObject(CAPTURE_PREFIX);
  }

  public grantCapture(role: iam.IRole, endpointName: string): iam.Grant {
    return grantCaptureWrites(this, role, endpointName);
  }

  public grantMonitoringJob(role: iam.IRole, endpointName: string): iam.Grant {
    return grantMonitoringAccess(this, role, endpointName);
  }
}

function grantCaptureWrites(store: IDataCaptureStore, role: iam.IRole, endpointName: string): iam.Grant {
  if (role instanceof iam.Role) {
    acknowledgeWildcardResource(role, store.bucket.arnForObjects(`${CAPTURE_PREFIX}/${endpointName}/*`), 'SageMaker names capture ' +
      'files by variant and hour at run time; the wildcard stays under this endpoint\'s own capture prefix.');
  }
  return iam.Grant.addToPrincipal({
    grantee: role,
    actions: ['s3:PutObject'],
    resourceArns: [store.bucket.arnForObjects(`${CAPTURE_PREFIX}/${endpointName}/*`)],
  }).combine(iam.Grant.addToPrincipal({
    grantee: role,
    actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
    resourceArns: [store.encryptionKey.keyArn],
  }));
}

function grantMonitoringAccess(store: IDataCaptureStore, role: iam.IRole, endpointName: string): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee: role,
    actions: ['s3:GetObject'],
    resourceArns: [store.bucket.arnForObjects(`${CAPTURE_PREFIX}/${endpointName}/*`)],
  }).combine(iam.Grant.addToPrincipal({
    grantee: role,
    actions: ['s3:PutObject'],
    resourceArns: [store.bucket.arnForObjects(`${MONITORING_PREFIX}/${endpointName}/*`)],
  }));
}
