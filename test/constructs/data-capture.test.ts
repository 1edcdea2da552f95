import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DataCaptureStore } from '../../lib/monitoring/data-capture-store';
import { GpuInferenceEndpoint } from '../../lib/endpoint/gpu-inference-endpoint';
import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';
import { InferenceImage } from '../../lib/endpoint/inference-image';
import { Json, errorMessage, newStack, storeWithVersion } from '../helpers/fixtures';
import { servingStack } from './fixtures';

describe('data capture', () => {
  const fixture = servingStack();
  const template = Template.fromStack(fixture.stack);
  const resources = template.toJSON().Resources as Record<string, Json>;
  const bucketId = fixture.stack.getLogicalId(fixture.capture.bucket.node.defaultChild as never);
  const keyId = fixture.stack.getLogicalId(fixture.capture.encryptionKey.node.defaultChild as never);

  test('the endpoint config captures sampled input and output as JSON, encrypted with the capture key', () => {
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: 10,
        DestinationS3Uri: { 'Fn::Join': ['', ['s3://', { Ref: bucketId }, '/capture']] },
        KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
        CaptureContentTypeHeader: { JsonContentTypes: ['application/json'] },
      },
    });
  });

  test('the bucket is KMS-encrypted, TLS-only, logged, and expires captured data after the retention', () => {
    const bucket = resources[bucketId].Properties;
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toMatchObject({ SSEAlgorithm: 'aws:kms' });
    expect(bucket.LifecycleConfiguration.Rules[0]).toMatchObject({ ExpirationInDays: 30, Status: 'Enabled' });
    expect(bucket.LoggingConfiguration.LogFilePrefix).toBe('data-capture/');
    expect(resources[bucketId].DeletionPolicy).toBe('Retain');
  });

  test('the bucket policy lets only the endpoint roles write and only the named reader read', () => {
    const policy = Object.values(resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === bucketId).Properties.PolicyDocument;
    const bySid = Object.fromEntries(policy.Statement.filter((s: Json) => s.Sid).map((s: Json) => [s.Sid, s]));
    const endpointRole = fixture.stack.getLogicalId(fixture.endpoint.role.node.defaultChild as never);
    const readerRole = fixture.stack.getLogicalId(fixture.reader.node.defaultChild as never);
    expect(bySid.DenyWritesExceptEndpoints).toMatchObject({ Effect: 'Deny', Action: 's3:PutObject', Principal: { AWS: '*' } });
    expect(bySid.DenyWritesExceptEndpoints.Condition.ArnNotEquals['aws:PrincipalArn']).toEqual([{ 'Fn::GetAtt': [endpointRole, 'Arn'] }]);
    expect(bySid.DenyReadsExceptReaders.Condition.ArnNotEquals['aws:PrincipalArn']).toEqual([{ 'Fn::GetAtt': [readerRole, 'Arn'] }]);
    expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"');
  });

  test('the endpoint role writes only under its own capture prefix', () => {
    const statements = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy').flatMap((r) => r.Properties.PolicyDocument.Statement);
    const put = statements.filter((s: Json) => s.Action === 's3:PutObject');
    expect(put).toHaveLength(1);
    expect(JSON.stringify(put[0].Resource)).toContain('/capture/test-chat/*');
  });

  test('retention out of range and sampling out of range are rejected with the fix', () => {
    const stack = newStack();
    const { store } = storeWithVersion({ stack });
    expect(errorMessage(() => new DataCaptureStore(stack, 'C', { retention: Duration.days(4000), serverAccessLogsBucket: store.accessLogBucket })))
      .toContain('retention 4000 days is out of range: use 1–3650 whole days');
    const capture = new DataCaptureStore(stack, 'Ok', { retention: Duration.days(7), serverAccessLogsBucket: store.accessLogBucket });
    const { modelVersion } = { modelVersion: store.modelVersions[0] };
    expect(errorMessage(() => new GpuInferenceEndpoint(stack, 'Ep', {
      modelVersion, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G5_2XLARGE, dataCapture: { store: capture, samplingPercentage: 0 },
    }))).toContain('dataCapture.samplingPercentage: 0 is out of range: use 1–100 %');
  });
});
