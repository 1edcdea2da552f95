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
export class DataCaptureStore extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly encryptionKey: kms.Key;
  private readonly writers: iam.IRole[] = [];
  private readonly readers: iam.IRole[];

  constructor(scope: Construct, id: string, props: DataCaptureStoreProps) {
    super(scope, id);
    const days = props.retention.toDays();
    if (!Number.isInteger(days) || days < 1 || days > 3650) {
      throw new Error(`${this.node.path}: retention ${days} days is out of range: use 1–3650 whole days`);
    }
    this.readers = [...(props.readers ?? [])];
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

  /** Lets an endpoint's execution role write its own capture files, and nothing else. */
  public grantCapture(role: iam.IRole, endpointName: string): iam.Grant {
    this.writers.push(role);
    if (role instanceof iam.Role) {
      acknowledgeWildcardResource(role, this.bucket.arnForObjects(`${CAPTURE_PREFIX}/${endpointName}/*`), 'SageMaker names capture ' +
        'files by variant and hour at run time; the wildcard stays under this endpoint\'s own capture prefix.');
    }
    return iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['s3:PutObject'],
      resourceArns: [this.bucket.arnForObjects(`${CAPTURE_PREFIX}/${endpointName}/*`)],
    }).combine(iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
      resourceArns: [this.encryptionKey.keyArn],
    }));
  }

  /**
   * Lets a Model Monitor job role read an endpoint's captured data and write its reports under
   * `monitoring/<endpoint>/`; the bucket policy then excepts it from both denies.
   */
  public grantMonitoringJob(role: iam.IRole, endpointName: string): iam.Grant {
    this.readers.push(role);
    this.writers.push(role);
    return iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['s3:GetObject'],
      resourceArns: [this.bucket.arnForObjects(`${CAPTURE_PREFIX}/${endpointName}/*`)],
    }).combine(iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['s3:PutObject'],
      resourceArns: [this.bucket.arnForObjects(`${MONITORING_PREFIX}/${endpointName}/*`)],
    }));
  }

  private denyAllBut(sid: string, actions: string[], allowed: () => iam.IRole[]): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions,
      resources: [this.bucket.arnForObjects('*')],
      conditions: {
        // With nobody named, only the account's root user is excepted.
        ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => {
          const arns = allowed().map((r) => r.roleArn);
          return arns.length > 0 ? arns : [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`];
        } }) },
        // S3 server-side replication and lifecycle are AWS services acting for the bucket, not principals here.
        Bool: { 'aws:PrincipalIsAWSService': 'false' },
      },
    });
  }
}
