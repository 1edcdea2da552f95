import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ModelArtifactStore } from '../../lib/artifacts/model-artifact-store';
import { LINEAGE_MANIFEST_METADATA_KEY } from '../../lib/artifacts/model-artifact-store-base';
import {
  COMMIT, SHA256, acknowledgementsOn, errorMessage, newStack, statementsAllowing, storeWithVersion, versionProps, Json } from '../helpers/fixtures';

function artifactBucket(template: Template): { id: string; resource: Record<string, Json> } {
  const buckets = template.findResources('AWS::S3::Bucket', {
    Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] } },
  });
  const ids = Object.keys(buckets);
  expect(ids).toHaveLength(1);
  return { id: ids[0], resource: buckets[ids[0]] };
}

function logicalIdOf(store: ModelArtifactStore, construct: { node: { defaultChild?: unknown } }): string {
  const stackOf = store.bucket.stack;
  return stackOf.getLogicalId(construct.node.defaultChild as never);
}

describe('ModelArtifactStore template', () => {
  const { stack, store } = storeWithVersion({ version: { evaluationMetrics: { mmlu: 0.81, toxicityRate: 0.004 } } });
  const template = Template.fromStack(stack);
  const bucketId = logicalIdOf(store, store.bucket);
  const logBucketId = logicalIdOf(store, store.accessLogBucket);
  const keyId = logicalIdOf(store, store.encryptionKey as kms.Key);

  test('creates one key with yearly rotation, retained', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('the artifact bucket is versioned, SSE-KMS with the store key (bucket key on), private, owner-enforced, retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
          }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(artifactBucket(template).id).toBe(bucketId);
  });

  test('server access logs go to the separate log bucket, which is SSE-S3, private and has its own retention', () => {
    expect(logBucketId).not.toBe(bucketId);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: logBucketId }, LogFilePrefix: 'artifacts/' },
    });
    const logBucket = template.toJSON().Resources[logBucketId];
    expect(logBucket.DeletionPolicy).toBe('Retain');
    expect(logBucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(logBucket.Properties.PublicAccessBlockConfiguration.RestrictPublicBuckets).toBe(true);
    expect(logBucket.Properties.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({ ExpirationInDays: 365, Status: 'Enabled' }),
    ]);
    expect(logBucket.Properties.LoggingConfiguration).toBeUndefined();
    // Log delivery is granted by bucket policy, scoped to the artifact bucket as source.
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Condition: Match.objectLike({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId, 'Arn'] } } }),
        })]),
      },
    });
  });

  test('the artifact bucket keeps noncurrent versions 365 days and aborts stale multipart uploads', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.anyValue(),
      LifecycleConfiguration: {
        Rules: [{ NoncurrentVersionExpiration: { NoncurrentDays: 365 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' }],
      },
    });
  });

  test('the bucket policy denies non-TLS access and uploads not encrypted with the store key', () => {
    const policies = template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: bucketId } } });
    const [policy] = Object.values(policies);
    const statements = policy.Properties.PolicyDocument.Statement as Array<Record<string, Json>>;
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
      expect.objectContaining({
        Sid: 'DenyUploadsWithOtherEncryption', Effect: 'Deny', Action: 's3:PutObject', Principal: { AWS: '*' },
        Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
      }),
      expect.objectContaining({
        Sid: 'DenyUploadsWithAnotherKmsKey', Effect: 'Deny', Action: 's3:PutObject', Principal: { AWS: '*' },
        Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': { 'Fn::GetAtt': [keyId, 'Arn'] } } },
      }),
    ]));
    // No statement of the bucket policy allows anything to anyone.
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([]);
  });

  test('Object Lock is off unless configured', () => {
    const bucket = artifactBucket(template).resource;
    expect(bucket.Properties.ObjectLockEnabled).toBeUndefined();
    expect(bucket.Properties.ObjectLockConfiguration).toBeUndefined();
  });

  test('the lineage manifest of every version is in the bucket metadata', () => {
    expect(artifactBucket(template).resource.Metadata[LINEAGE_MANIFEST_METADATA_KEY]).toEqual([{
      modelName: 'chat',
      version: '1.0.0',
      artifactKey: 'chat/1.0.0/model.tar.gz',
      sha256: SHA256,
      trainingDataUri: 's3://datasets/chat/2026-09-30/',
      sourceCommit: COMMIT,
      evaluationMetrics: { mmlu: 0.81, toxicityRate: 0.004 },
    }]);
    expect(LINEAGE_MANIFEST_METADATA_KEY).toBe('CdkInferencePlatform::ModelLineage');
  });

  test('no model registry without modelPackageGroupName', () => {
    template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 0);
    template.resourceCountIs('AWS::SageMaker::ModelPackage', 0);
  });

  test('the access log bucket acknowledges, with reasons, only the findings a log destination cannot avoid', () => {
    const acks = acknowledgementsOn(store.accessLogBucket);
    const ids = Object.keys(acks).map((id) => id.replace(/^Annotation::/, ''));
    expect(ids.sort()).toEqual([
      'AwsSolutions-S1',
      'HIPAA.Security-S3BucketLoggingEnabled',
      'HIPAA.Security-S3BucketReplicationEnabled',
      'HIPAA.Security-S3DefaultEncryptionKMS',
      'NIST.800.53.R5-S3BucketLoggingEnabled',
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'NIST.800.53.R5-S3DefaultEncryptionKMS',
    ]);
    for (const reason of Object.values(acks)) expect(reason.length).toBeGreaterThan(40);
    // The artifact bucket itself acknowledges nothing but replication.
    expect(Object.keys(acknowledgementsOn(store.bucket)).map((id) => id.replace(/^Annotation::/, '')).sort())
      .toEqual(['HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled']);
  });
});

describe('ModelArtifactStore options', () => {
  test('Object Lock with the configured mode and days', () => {
    for (const [retention, mode] of [
      [s3.ObjectLockRetention.governance(Duration.days(90)), 'GOVERNANCE'],
      [s3.ObjectLockRetention.compliance(Duration.days(30)), 'COMPLIANCE'],
    ] as const) {
      const stack = newStack();
      new ModelArtifactStore(stack, 'Store', { objectLockRetention: retention });
      Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: mode, Days: mode === 'GOVERNANCE' ? 90 : 30 } },
        },
        VersioningConfiguration: { Status: 'Enabled' },
      });
    }
  });

  test('noncurrent version expiration, log retention and removal policy are configurable', () => {
    const stack = newStack();
    new ModelArtifactStore(stack, 'Store', {
      noncurrentVersionExpiration: Duration.days(30), accessLogRetention: Duration.days(90), removalPolicy: RemovalPolicy.DESTROY,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90 })] },
    });
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    template.allResources('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('a given key encrypts the bucket and no key is created', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    const store = new ModelArtifactStore(stack, 'Store', { encryptionKey: key });
    expect(store.encryptionKey).toBe(key);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } },
      })] },
    });
  });

  test('modelApprovalStatus Approved registers versions approved (a store no pipeline gates)', () => {
    const stack = newStack();
    const store = new ModelArtifactStore(stack, 'Store', { modelPackageGroupName: 'chat-models', modelApprovalStatus: 'Approved' });
    store.addModelVersion(versionProps());
    Template.fromStack(stack).hasResourceProperties('AWS::SageMaker::ModelPackage', { ModelApprovalStatus: 'Approved' });
  });

  test('modelPackageGroupName registers every version, in the order added, with its lineage', () => {
    const stack = newStack();
    const store = new ModelArtifactStore(stack, 'Store', { modelPackageGroupName: 'chat-models' });
    store.addModelVersion(versionProps());
    store.addModelVersion(versionProps({ version: '1.1.0', s3Key: 'chat/1.1.0/', evaluationMetrics: { mmlu: 0.83 } }));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 1);
    template.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', { ModelPackageGroupName: 'chat-models' });
    const groupId = stack.getLogicalId(store.modelPackageGroup!);
    const packages = template.findResources('AWS::SageMaker::ModelPackage');
    expect(Object.keys(packages)).toHaveLength(2);
    const [first, second] = Object.entries(packages).sort(([, a], [, b]) =>
      a.Properties.CustomerMetadataProperties.version.localeCompare(b.Properties.CustomerMetadataProperties.version));
    expect(first[1].Properties).toMatchObject({
      ModelPackageGroupName: { 'Fn::GetAtt': [groupId, 'ModelPackageGroupArn'] },
      // New versions wait for a reviewer unless the store says otherwise.
      ModelApprovalStatus: 'PendingManualApproval',
      ModelPackageDescription: `chat@1.0.0 (sha256 ${SHA256})`,
      SourceUri: { 'Fn::Join': ['', ['s3://', { Ref: stack.getLogicalId(store.bucket.node.defaultChild as s3.CfnBucket) }, '/chat/1.0.0/model.tar.gz']] },
      CustomerMetadataProperties: {
        model: 'chat', version: '1.0.0', sha256: SHA256, sourceCommit: COMMIT,
        trainingData: 's3://datasets/chat/2026-09-30/', 'metric.mmlu': '0.8',
      },
    });
    expect(second[1].Properties.CustomerMetadataProperties['metric.mmlu']).toBe('0.83');
    expect(second[1].DependsOn).toEqual([first[0]]);
    expect(first[1].DependsOn).toBeUndefined();
  });

  test('invalid props are reported together, naming the construct path, each value and the allowed range', () => {
    const message = errorMessage(() => new ModelArtifactStore(newStack(), 'Store', {
      noncurrentVersionExpiration: Duration.days(0),
      accessLogRetention: Duration.days(40000),
      modelPackageGroupName: 'bad_name',
    }));
    expect(message).toContain('TestStack/Store: invalid props:');
    expect(message).toContain('noncurrentVersionExpiration (days): 0 is out of range: use 1–36500');
    expect(message).toContain('accessLogRetention (days): 40000 is out of range: use 1–36500');
    expect(message).toContain('modelPackageGroupName: "bad_name" must be letters, digits and single hyphens, ≤ 63 characters');
  });
});

describe('addModelVersion validation', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['bad sha256', { sha256: 'ABC123' }, 'sha256: "ABC123" must be 64 lower-case hex characters (the output of `sha256sum`)'],
    ['upper-case sha256', { sha256: SHA256.toUpperCase() }, `sha256: "${SHA256.toUpperCase()}" must be 64 lower-case hex characters`],
    ['bad commit', { sourceCommit: 'main' }, 'sourceCommit: "main" must be a git commit: 7–40 lower-case hex characters'],
    ['short commit', { sourceCommit: 'abc12' }, 'sourceCommit: "abc12" must be a git commit'],
    ['bad model name', { modelName: 'chat_llm' }, 'modelName: "chat_llm" must be letters, digits and single hyphens, ≤ 63 characters'],
    ['bad version', { version: '-1' }, 'version: "-1" must start with a letter or digit'],
    ['leading slash key', { s3Key: '/chat/model.tar.gz' }, 's3Key: "/chat/model.tar.gz" must be a non-empty S3 key without a leading "/"'],
    ['empty key', { s3Key: '' }, 's3Key: "" must be a non-empty S3 key'],
    ['bad training data uri', { trainingDataUri: 'datasets/chat' }, 'trainingDataUri: "datasets/chat" must be an s3:// or https:// URI'],
    ['non-finite metric', { evaluationMetrics: { mmlu: Number.POSITIVE_INFINITY } }, 'must be a finite number'],
    ['zero parameters', { parameterCount: 0 }, 'parameterCount: 0 must be a positive number, e.g. 8e9 for an 8B model'],
  ];

  test.each(cases)('%s: names the field, the value and the fix', (_name, overrides, expected) => {
    const store = new ModelArtifactStore(newStack(), 'Store');
    const message = errorMessage(() => store.addModelVersion(versionProps(overrides)));
    expect(message).toMatch(/^TestStack\/Store: invalid model version /);
    expect(message).toContain(expected);
    expect(store.modelVersions).toEqual([]);
  });

  test('a duplicate version is refused with the fix', () => {
    const store = new ModelArtifactStore(newStack(), 'Store');
    store.addModelVersion(versionProps());
    const message = errorMessage(() => store.addModelVersion(versionProps({ s3Key: 'chat/other.tar.gz' })));
    expect(message).toContain('chat@1.0.0 is already in this store: give the new artifact a new version');
    expect(store.modelVersions.map((v) => v.id)).toEqual(['chat@1.0.0']);
  });

  test('every problem of one version is reported in one error', () => {
    const store = new ModelArtifactStore(newStack(), 'Store');
    const message = errorMessage(() => store.addModelVersion(versionProps({ sha256: 'x', sourceCommit: 'y', trainingDataUri: 'z' })));
    expect(message.split('\n').filter((line) => line.startsWith('  - '))).toHaveLength(3);
    expect(message).toContain('sha256: "x"');
    expect(message).toContain('sourceCommit: "y"');
    expect(message).toContain('trainingDataUri: "z"');
  });

  test('a valid version exposes its id, uri, compression and lineage tags', () => {
    const { modelVersion, stack } = storeWithVersion();
    expect(modelVersion.id).toBe('chat@1.0.0');
    expect(modelVersion.isUncompressed).toBe(false);
    expect(modelVersion.precision).toBe('bf16');
    expect(stack.resolve(modelVersion.s3Uri)).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^StoreArtifacts/) }, '/chat/1.0.0/model.tar.gz']] });
    expect(modelVersion.lineageTags()).toEqual({
      'lineage:model': 'chat',
      'lineage:version': '1.0.0',
      'lineage:sha256': SHA256,
      'lineage:training-data': 's3://datasets/chat/2026-09-30/',
      'lineage:source-commit': COMMIT,
      'lineage:evaluation': 'mmlu=0.8',
    });
    expect(storeWithVersion({ version: { s3Key: 'chat/1.0.0/' } }).modelVersion.isUncompressed).toBe(true);
  });
});

describe('grantRead', () => {
  function roleIn(stack: ReturnType<typeof newStack>): iam.Role {
    return new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  }

  test('a tar.gz version: GetObject on exactly its key, kms:Decrypt via S3 only, no ListBucket', () => {
    const { stack, store, modelVersion } = storeWithVersion();
    const role = roleIn(stack);
    const grant = store.grantRead(role, modelVersion);
    expect(grant.success).toBe(true);
    const template = Template.fromStack(stack);
    const bucketId = stack.getLogicalId(store.bucket.node.defaultChild as s3.CfnBucket);
    const keyId = stack.getLogicalId((store.encryptionKey as kms.Key).node.defaultChild as kms.CfnKey);
    const get = statementsAllowing(template, 's3:GetObject');
    expect(get).toHaveLength(1);
    expect(get[0].Action).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    expect(get[0].Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/chat/1.0.0/model.tar.gz']] });
    expect(statementsAllowing(template, 's3:ListBucket')).toEqual([]);
    const decrypt = statementsAllowing(template, 'kms:Decrypt');
    expect(decrypt).toEqual([expect.objectContaining({
      Action: 'kms:Decrypt',
      Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } } },
    })]);
  });

  test('an uncompressed prefix: GetObject on key*, ListBucket only with that s3:prefix, the wildcard acknowledged on the role', () => {
    const { stack, store, modelVersion } = storeWithVersion({ version: { s3Key: 'chat/1.0.0/' } });
    const role = roleIn(stack);
    store.grantRead(role, modelVersion);
    const template = Template.fromStack(stack);
    const bucketId = stack.getLogicalId(store.bucket.node.defaultChild as s3.CfnBucket);
    expect(statementsAllowing(template, 's3:GetObject')[0].Resource)
      .toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/chat/1.0.0/*']] });
    expect(statementsAllowing(template, 's3:ListBucket')).toEqual([{
      Action: 's3:ListBucket',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] },
      Condition: { StringLike: { 's3:prefix': ['chat/1.0.0/*'] } },
    }]);
    const acks = Object.keys(acknowledgementsOn(role));
    expect(acks).toEqual([expect.stringContaining(`AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/chat/1.0.0/*]`)]);
  });

  test('a version of another store cannot be granted', () => {
    const { stack, modelVersion } = storeWithVersion();
    const other = new ModelArtifactStore(stack, 'Other');
    const message = errorMessage(() => other.grantRead(roleIn(stack), modelVersion));
    expect(message).toBe('TestStack/Other: cannot grant read on chat@1.0.0: it belongs to another artifact store');
  });
});
