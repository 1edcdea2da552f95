import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { GpuInferenceEndpoint, GpuInferenceEndpointProps, RoutingStrategy } from '../../lib/endpoint/gpu-inference-endpoint';
import { GpuInstanceType } from '../../lib/endpoint/gpu-instance-type';
import { InferenceImage } from '../../lib/endpoint/inference-image';
import { ModelArtifactStore } from '../../lib/artifacts/model-artifact-store';
import { ModelVersion } from '../../lib/artifacts/model-version';
import {
  COMMIT, SHA256, acknowledgementsOn, errorMessage, newStack, statementsAllowing, storeWithVersion, versionProps,
} from '../helpers/fixtures';

interface Fixture {
  stack: Stack;
  store: ModelArtifactStore;
  modelVersion: ModelVersion;
}

function fixture(version: Parameters<typeof versionProps>[0] = {}): Fixture {
  return storeWithVersion({ version });
}

function endpointIn(f: Fixture, props: Partial<GpuInferenceEndpointProps> = {}): GpuInferenceEndpoint {
  return new GpuInferenceEndpoint(f.stack, 'Chat', {
    modelVersion: f.modelVersion,
    image: InferenceImage.vllm(),
    instanceType: GpuInstanceType.G5_2XLARGE,
    endpointName: 'chat-prod',
    ...props,
  });
}

function idOf(stack: Stack, construct: { node: { defaultChild?: unknown } } | sagemaker.CfnModel): string {
  const element = construct instanceof sagemaker.CfnModel ? construct : construct.node.defaultChild;
  return stack.getLogicalId(element as never);
}

function problemLines(message: string): string[] {
  return message.split('\n').filter((line) => line.startsWith('  - '));
}

describe('GpuInferenceEndpoint template (g5.2xlarge, tar.gz artifact)', () => {
  const f = fixture({ evaluationMetrics: { mmlu: 0.8 } });
  const endpoint = endpointIn(f);
  const template = Template.fromStack(f.stack);
  const modelId = f.stack.getLogicalId(endpoint.variants[0].model);
  const configId = f.stack.getLogicalId(endpoint.endpointConfig);

  test('one Model, one EndpointConfig and one Endpoint', () => {
    template.resourceCountIs('AWS::SageMaker::Model', 1);
    template.resourceCountIs('AWS::SageMaker::EndpointConfig', 1);
    template.resourceCountIs('AWS::SageMaker::Endpoint', 1);
  });

  test('Model and EndpointConfig have no name (CloudFormation generates one, so they can be replaced)', () => {
    const model = template.toJSON().Resources[modelId];
    const config = template.toJSON().Resources[configId];
    expect(model.Properties.ModelName).toBeUndefined();
    expect(config.Properties.EndpointConfigName).toBeUndefined();
  });

  test('the Endpoint has the deterministic name and takes the config name by GetAtt', () => {
    template.hasResourceProperties('AWS::SageMaker::Endpoint', {
      EndpointName: 'chat-prod',
      EndpointConfigName: { 'Fn::GetAtt': [configId, 'EndpointConfigName'] },
      Tags: [{ Key: 'model-version:AllTraffic', Value: 'chat@1.0.0' }],
    });
    expect(endpoint.endpointName).toBe('chat-prod');
    expect(f.stack.resolve(endpoint.endpointArn)).toEqual({ Ref: f.stack.getLogicalId(endpoint.endpoint) });
  });

  test('the variant: GetAtt model name, type, count 1, weight 1, least-outstanding-requests routing, the image\'s AMI', () => {
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [{
        VariantName: 'AllTraffic',
        ModelName: { 'Fn::GetAtt': [modelId, 'ModelName'] },
        InstanceType: 'ml.g5.2xlarge',
        InitialInstanceCount: 1,
        InitialVariantWeight: 1,
        RoutingConfig: { RoutingStrategy: 'LEAST_OUTSTANDING_REQUESTS' },
        InferenceAmiVersion: 'al2-ami-sagemaker-inference-gpu-3-1',
      }],
    });
  });

  test('a tar.gz artifact is ModelDataUrl; network isolation on; tensor parallelism across all GPUs', () => {
    const container = template.toJSON().Resources[modelId].Properties.PrimaryContainer;
    expect(container.ModelDataUrl).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^StoreArtifacts/) }, '/chat/1.0.0/model.tar.gz']] });
    expect(container.ModelDataSource).toBeUndefined();
    expect(container.Environment).toEqual({ SM_VLLM_TENSOR_PARALLEL_SIZE: '1' });
    template.hasResourceProperties('AWS::SageMaker::Model', {
      EnableNetworkIsolation: true,
      ExecutionRoleArn: { 'Fn::GetAtt': [idOf(f.stack, endpoint.role as iam.Role), 'Arn'] },
    });
    expect(template.toJSON().Resources[modelId].Properties.VpcConfig).toBeUndefined();
  });

  test('the Model carries the lineage tags and waits for the role policy', () => {
    const model = template.toJSON().Resources[modelId];
    expect(model.Properties.Tags).toEqual(expect.arrayContaining([
      { Key: 'lineage:model', Value: 'chat' },
      { Key: 'lineage:version', Value: '1.0.0' },
      { Key: 'lineage:sha256', Value: SHA256 },
      { Key: 'lineage:source-commit', Value: COMMIT },
      { Key: 'lineage:training-data', Value: 's3://datasets/chat/2026-09-30/' },
      { Key: 'lineage:evaluation', Value: 'mmlu=0.8' },
    ]));
    expect(model.DependsOn).toEqual([expect.stringMatching(/^ChatExecutionRoleDefaultPolicy/)]);
  });

  test('NVMe type: no KmsKeyId, no volume key, and the HIPAA and NIST KMS findings acknowledged with the reason', () => {
    expect(template.toJSON().Resources[configId].Properties.KmsKeyId).toBeUndefined();
    expect(endpoint.encryptionKey).toBeUndefined();
    template.resourceCountIs('AWS::KMS::Key', 1); // the artifact store's key only
    const acks = acknowledgementsOn(endpoint.endpointConfig);
    const ids = Object.keys(acks).map((id) => id.replace(/^Annotation::/, '')).sort();
    expect(ids).toEqual(['HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured', 'NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured']);
    for (const reason of Object.values(acks)) {
      expect(reason).toContain('ml.g5.2xlarge: local NVMe instance storage');
      expect(reason).toContain('SageMaker rejects KmsKeyId');
    }
  });

  test('the execution role is assumed by SageMaker only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }] },
    });
    template.resourceCountIs('AWS::IAM::Role', 1);
  });

  test('the role writes only this endpoint\'s log group and /aws/sagemaker/* metrics', () => {
    const logs = statementsAllowing(template, 'logs:PutLogEvents');
    expect(logs).toHaveLength(1);
    const resources = JSON.stringify(logs[0].Resource);
    expect(resources).toContain(':log-group:/aws/sagemaker/Endpoints/chat-prod"');
    expect(resources).toContain(':log-group:/aws/sagemaker/Endpoints/chat-prod:log-stream:*"');
    expect(statementsAllowing(template, 'cloudwatch:PutMetricData')).toEqual([expect.objectContaining({
      Resource: '*', Condition: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    })]);
  });

  test('the role reads only this version\'s artifact', () => {
    const reads = statementsAllowing(template, 's3:GetObject');
    expect(reads).toHaveLength(1);
    expect(JSON.stringify(reads[0].Resource)).toContain('/chat/1.0.0/model.tar.gz');
  });
});

describe('GpuInferenceEndpoint options', () => {
  test('an uncompressed prefix is ModelDataSource S3Prefix without compression', () => {
    const f = fixture({ s3Key: 'chat/1.0.0/' });
    endpointIn(f);
    Template.fromStack(f.stack).hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: {
        ModelDataUrl: Match.absent(),
        ModelDataSource: {
          S3DataSource: {
            S3DataType: 'S3Prefix',
            CompressionType: 'None',
            S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^StoreArtifacts') }, '/chat/1.0.0/']] },
          },
        },
      },
    });
  });

  test('a type without NVMe (P3) gets a rotating volume key as KmsKeyId, and nothing acknowledged', () => {
    const f = fixture();
    const endpoint = endpointIn(f, { instanceType: GpuInstanceType.P3_8XLARGE });
    const template = Template.fromStack(f.stack);
    const key = endpoint.encryptionKey as kms.Key;
    expect(key).toBeInstanceOf(kms.Key);
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      KmsKeyId: { 'Fn::GetAtt': [idOf(f.stack, key), 'Arn'] },
    });
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: 'ML storage volumes of chat-prod' });
    expect(acknowledgementsOn(endpoint.endpointConfig)).toEqual({});
  });

  test('a given key is used on a type without NVMe', () => {
    const f = fixture();
    const key = new kms.Key(f.stack, 'MyKey', { enableKeyRotation: true });
    const endpoint = endpointIn(f, { instanceType: GpuInstanceType.P3_8XLARGE, encryptionKey: key });
    expect(endpoint.encryptionKey).toBe(key);
    Template.fromStack(f.stack).hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      KmsKeyId: { 'Fn::GetAtt': [idOf(f.stack, key), 'Arn'] },
    });
  });

  test('encryptionKey with an NVMe type is a validation error naming the type and the fix', () => {
    const f = fixture();
    const key = new kms.Key(f.stack, 'MyKey');
    const message = errorMessage(() => endpointIn(f, { encryptionKey: key }));
    expect(message).toContain('TestStack/Chat: invalid props:');
    expect(message).toContain('encryptionKey: "TestStack/MyKey" cannot be used with ml.g5.2xlarge (local NVMe storage');
    expect(message).toContain('remove encryptionKey or choose a type without instance storage');
  });

  test('network isolation can be turned off; routing, weights, counts, volume and timeouts are passed through', () => {
    const f = fixture();
    endpointIn(f, {
      networkIsolation: false,
      routingStrategy: RoutingStrategy.RANDOM,
      instanceCount: 3,
      initialWeight: 0.5,
      volumeSize: Size.gibibytes(200),
      modelDataDownloadTimeout: Duration.minutes(20),
      containerStartupHealthCheckTimeout: Duration.minutes(30),
      inferenceAmiVersion: 'al2023-ami-sagemaker-inference-gpu-4-1',
    });
    const template = Template.fromStack(f.stack);
    template.hasResourceProperties('AWS::SageMaker::Model', { EnableNetworkIsolation: false });
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [Match.objectLike({
        RoutingConfig: { RoutingStrategy: 'RANDOM' },
        InitialInstanceCount: 3,
        InitialVariantWeight: 0.5,
        VolumeSizeInGB: 200,
        ModelDataDownloadTimeoutInSeconds: 1200,
        ContainerStartupHealthCheckTimeoutInSeconds: 1800,
        InferenceAmiVersion: 'al2023-ami-sagemaker-inference-gpu-4-1',
      })],
    });
  });

  test('the tensor-parallel variable defaults to the GPU count per framework; environment wins over it', () => {
    const cases = [
      [InferenceImage.vllm(), { SM_VLLM_TENSOR_PARALLEL_SIZE: '4' }],
      [InferenceImage.djlLmi(), { OPTION_TENSOR_PARALLEL_DEGREE: '4' }],
      [InferenceImage.huggingFaceTgi(), { SM_NUM_GPUS: '4' }],
    ] as const;
    for (const [image, expected] of cases) {
      const f = fixture();
      endpointIn(f, { image, instanceType: GpuInstanceType.G5_12XLARGE });
      Template.fromStack(f.stack).hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: { Environment: expected } });
    }
    const f = fixture();
    endpointIn(f, { instanceType: GpuInstanceType.G5_12XLARGE, tensorParallelDegree: 2, environment: { SM_VLLM_MAX_MODEL_LEN: '8192' } });
    Template.fromStack(f.stack).hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: { Environment: { SM_VLLM_TENSOR_PARALLEL_SIZE: '2', SM_VLLM_MAX_MODEL_LEN: '8192' } },
    });
    const g = fixture();
    endpointIn(g, { instanceType: GpuInstanceType.G5_12XLARGE, environment: { SM_VLLM_TENSOR_PARALLEL_SIZE: '1' } });
    Template.fromStack(g.stack).hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: { Environment: { SM_VLLM_TENSOR_PARALLEL_SIZE: '1' } },
    });
  });

  test('without endpointName the name is derived from the construct path, ≤ 63 characters, and stable', () => {
    const names = [0, 1].map(() => {
      const f = fixture();
      const endpoint = new GpuInferenceEndpoint(f.stack, 'ChatEndpointWithAVeryLongConstructIdThatGoesOnAndOnAndOnForeverAndEver', {
        modelVersion: f.modelVersion, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G5_2XLARGE,
      });
      Template.fromStack(f.stack).hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: endpoint.endpointName });
      return endpoint.endpointName;
    });
    expect(names[0]).toBe(names[1]);
    expect(names[0]).toMatch(/^[a-z0-9](?:-*[a-z0-9]){0,62}$/i);
  });

  test('a GPU type outside the catalog is accepted; without its facts there is no volume key', () => {
    const f = fixture();
    const endpoint = endpointIn(f, { instanceType: GpuInstanceType.of('ml.g7e.2xlarge') });
    expect(endpoint.encryptionKey).toBeUndefined();
    Template.fromStack(f.stack).hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [Match.objectLike({ InstanceType: 'ml.g7e.2xlarge' })],
    });
  });
});

describe('GpuInferenceEndpoint validation', () => {
  test('a non-GPU type names the nearest GPU types', () => {
    const message = errorMessage(() => endpointIn(fixture(), { instanceType: GpuInstanceType.of('ml.m5.large') }));
    expect(message).toBe('TestStack/Chat: invalid props:\n  - instanceType: "ml.m5.large" is not a GPU instance type (nearest: ml.g5.xlarge, ml.g6.xlarge)');
  });

  test('a name that is not an instance type says so', () => {
    const message = errorMessage(() => endpointIn(fixture(), { instanceType: GpuInstanceType.of('g5.2xlarge') }));
    expect(message).toContain('instanceType: "g5.2xlarge" is not a SageMaker instance type name (ml.<family>.<size>, e.g. ml.g5.2xlarge)');
  });

  test('a tensor-parallel degree above the GPU count is refused with the allowed range', () => {
    const message = errorMessage(() => endpointIn(fixture(), { instanceType: GpuInstanceType.G5_12XLARGE, tensorParallelDegree: 8 }));
    expect(message).toContain('tensorParallelDegree: 8 exceeds the 4 GPU(s) of ml.g5.12xlarge: use 1–4');
    expect(errorMessage(() => endpointIn(fixture(), { tensorParallelDegree: 0 }))).toContain('tensorParallelDegree: 0 must be a whole number ≥ 1');
  });

  test('a model that does not fit names the memory it needs and the smallest type that fits', () => {
    const message = errorMessage(() => endpointIn(fixture({ parameterCount: 70e9 }), { instanceType: GpuInstanceType.G5_12XLARGE }));
    expect(message).toContain('instanceType: "ml.g5.12xlarge" cannot hold chat@1.0.0 (70B parameters at bf16: 156.5 GiB with KV-cache headroom, ' +
      '86.4 GiB usable on 4 GPU(s)); the smallest catalog type that fits is ml.g6e.12xlarge');
  });

  test('fit is checked against the tensor-parallel degree, not the whole instance', () => {
    const message = errorMessage(() => endpointIn(fixture({ parameterCount: 32.5e9 }), { instanceType: GpuInstanceType.G5_12XLARGE, tensorParallelDegree: 2 }));
    expect(message).toContain('43.2 GiB usable on 2 GPU(s)');
    expect(() => endpointIn(fixture({ parameterCount: 32.5e9 }), { instanceType: GpuInstanceType.G5_12XLARGE })).not.toThrow();
  });

  test.each([
    ['modelDataDownloadTimeout', { modelDataDownloadTimeout: Duration.seconds(59) }, 'modelDataDownloadTimeout (s): 59 is out of range: use 60–3600 s'],
    ['modelDataDownloadTimeout', { modelDataDownloadTimeout: Duration.seconds(3601) }, 'modelDataDownloadTimeout (s): 3601 is out of range: use 60–3600 s'],
    ['containerStartupHealthCheckTimeout', { containerStartupHealthCheckTimeout: Duration.seconds(30) }, 'containerStartupHealthCheckTimeout (s): 30 is out of range: use 60–3600 s'],
    ['containerStartupHealthCheckTimeout', { containerStartupHealthCheckTimeout: Duration.hours(2) }, 'containerStartupHealthCheckTimeout (s): 7200 is out of range: use 60–3600 s'],
    ['volumeSize', { volumeSize: Size.gibibytes(1024) }, 'volumeSize (GiB): 1024 is out of range: use 1–512'],
    ['instanceCount', { instanceCount: 0 }, 'instanceCount: 0 must be a whole number ≥ 1'],
    ['instanceCount', { instanceCount: 1.5 }, 'instanceCount: 1.5 must be a whole number ≥ 1'],
    ['initialWeight', { initialWeight: -1 }, 'initialWeight: -1 must be ≥ 0'],
    ['latencyBudget', { latencyBudget: Duration.seconds(61) }, 'latencyBudget (ms): 61000 is out of range: use 1–60000 ms: SageMaker gives a container at most 60 s per request'],
    ['endpointName', { endpointName: 'chat_prod' }, 'endpointName: "chat_prod" must be ≤ 63 letters, digits and hyphens, starting and ending with a letter or digit'],
    ['variantName', { variantName: 'all traffic' }, 'variantName: "all traffic" must be ≤ 63 letters, digits and hyphens'],
  ] as Array<[string, Partial<GpuInferenceEndpointProps>, string]>)('%s: %j is reported with the allowed range', (_field, props, expected) => {
    const message = errorMessage(() => endpointIn(fixture(), props));
    expect(problemLines(message)).toEqual([`  - ${expected}`]);
  });

  test('boundary values 60 s and 3600 s are accepted', () => {
    expect(() => endpointIn(fixture(), {
      modelDataDownloadTimeout: Duration.seconds(60), containerStartupHealthCheckTimeout: Duration.seconds(3600),
    })).not.toThrow();
  });

  test('every problem is reported at once in one error', () => {
    const f = fixture();
    const sg = ec2.SecurityGroup.fromSecurityGroupId(f.stack, 'Sg', 'sg-1');
    const message = errorMessage(() => endpointIn(f, {
      instanceType: GpuInstanceType.of('ml.m5.large'),
      modelDataDownloadTimeout: Duration.seconds(10),
      containerStartupHealthCheckTimeout: Duration.seconds(5000),
      endpointName: '-bad-',
      securityGroups: [sg],
    }));
    const lines = problemLines(message);
    expect(lines).toHaveLength(5);
    expect(message).toContain('instanceType: "ml.m5.large" is not a GPU instance type');
    expect(message).toContain('modelDataDownloadTimeout (s): 10');
    expect(message).toContain('containerStartupHealthCheckTimeout (s): 5000');
    expect(message).toContain('endpointName: "-bad-"');
    expect(message).toContain('securityGroups: 1 need a vpc: set vpc as well');
  });
});

describe('additional variants', () => {
  test('two variants: two Models, two production variants, each with its own model version and type', () => {
    const f = fixture();
    const v2 = f.store.addModelVersion(versionProps({ version: '2.0.0', s3Key: 'chat/2.0.0/' }));
    const endpoint = endpointIn(f, {
      variantName: 'Blue',
      additionalVariants: [{
        variantName: 'Green', modelVersion: v2, image: InferenceImage.djlLmi(), instanceType: GpuInstanceType.G6_12XLARGE, initialWeight: 0.1,
      }],
    });
    const template = Template.fromStack(f.stack);
    template.resourceCountIs('AWS::SageMaker::Model', 2);
    expect(endpoint.variants.map((v) => [v.variantName, v.instanceType.name, v.modelVersion.id]))
      .toEqual([['Blue', 'ml.g5.2xlarge', 'chat@1.0.0'], ['Green', 'ml.g6.12xlarge', 'chat@2.0.0']]);
    const [blue, green] = endpoint.variants.map((v) => f.stack.getLogicalId(v.model));
    expect(blue).not.toBe(green);
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [
        Match.objectLike({ VariantName: 'Blue', ModelName: { 'Fn::GetAtt': [blue, 'ModelName'] }, InstanceType: 'ml.g5.2xlarge', InitialVariantWeight: 1 }),
        Match.objectLike({ VariantName: 'Green', ModelName: { 'Fn::GetAtt': [green, 'ModelName'] }, InstanceType: 'ml.g6.12xlarge', InitialVariantWeight: 0.1 }),
      ],
    });
    template.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: Match.objectLike({ Environment: { OPTION_TENSOR_PARALLEL_DEGREE: '4' }, ModelDataSource: Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::SageMaker::Endpoint', {
      Tags: [{ Key: 'model-version:Blue', Value: 'chat@1.0.0' }, { Key: 'model-version:Green', Value: 'chat@2.0.0' }],
    });
    // One role reads both versions and nothing else.
    const reads = statementsAllowing(template, 's3:GetObject').map((s) => JSON.stringify(s.Resource));
    expect(reads.join(' ')).toContain('/chat/1.0.0/model.tar.gz');
    expect(reads.join(' ')).toContain('/chat/2.0.0/*');
    expect(endpoint.variant('Green').instanceCount).toBe(1);
    expect(errorMessage(() => endpoint.variant('Red'))).toContain('no variant named "Red" (variants: Blue, Green)');
  });

  test('duplicate variant names are an error; problems of additional variants are prefixed with their index', () => {
    const f = fixture();
    const message = errorMessage(() => endpointIn(f, {
      additionalVariants: [{
        variantName: 'AllTraffic', modelVersion: f.modelVersion, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G5_2XLARGE,
        modelDataDownloadTimeout: Duration.seconds(1),
      }],
    }));
    expect(message).toContain('variantName: "AllTraffic" is used by two variants: give each a unique name');
    expect(message).toContain('additionalVariants[0].modelDataDownloadTimeout (s): 1 is out of range');
  });

  test('more than 10 variants is refused', () => {
    const f = fixture();
    const extra = Array.from({ length: 10 }, (_, i) => ({
      variantName: `V${i}`, modelVersion: f.modelVersion, image: InferenceImage.vllm(), instanceType: GpuInstanceType.G5_2XLARGE,
    }));
    expect(errorMessage(() => endpointIn(f, { additionalVariants: extra })))
      .toContain('additionalVariants: 10 is too many: an endpoint has at most 10 production variants');
  });
});

describe('VPC', () => {
  test('private subnets, a security group with only HTTPS egress, and the network-interface statement limited to the VPC', () => {
    const f = fixture();
    const vpc = new ec2.Vpc(f.stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const endpoint = endpointIn(f, { vpc });
    const template = Template.fromStack(f.stack);
    const privateSubnets = vpc.privateSubnets.map((s) => f.stack.resolve(s.subnetId));
    const sg = endpoint.node.findChild('SecurityGroup') as ec2.SecurityGroup;
    template.hasResourceProperties('AWS::SageMaker::Model', {
      VpcConfig: { Subnets: privateSubnets, SecurityGroupIds: [{ 'Fn::GetAtt': [idOf(f.stack, sg), 'GroupId'] }] },
      EnableNetworkIsolation: true,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('outbound HTTPS only'),
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'HTTPS to S3 and ECR' }],
      SecurityGroupIngress: Match.absent(),
    });
    const [create] = statementsAllowing(template, 'ec2:CreateNetworkInterface');
    // Creation is scoped to the endpoint's own subnets and security group (plus the new interface).
    expect(create.Sid).toBe('CreateModelNetworkInterfaces');
    const createResources = JSON.stringify(create.Resource);
    for (const subnet of privateSubnets) expect(createResources).toContain(JSON.stringify(subnet));
    expect(createResources).toContain(JSON.stringify({ 'Fn::GetAtt': [idOf(f.stack, sg), 'GroupId'] }));
    expect(createResources).toContain(':network-interface/*');
    expect(create.Resource).not.toContain('*');
    const [manage] = statementsAllowing(template, 'ec2:DeleteNetworkInterface');
    expect(manage).toMatchObject({ Sid: 'ManageModelNetworkInterfaces', Condition: { ArnEquals: { 'ec2:Vpc': expect.anything() } } });
    expect(JSON.stringify(manage.Condition)).toContain(JSON.stringify({ Ref: f.stack.getLogicalId(vpc.node.defaultChild as ec2.CfnVPC) }));
    expect(JSON.stringify(manage.Resource)).toContain(':network-interface/*');
    // Only the Describe* actions, which have no resource-level permissions, are on "*".
    const [describe] = statementsAllowing(template, 'ec2:DescribeNetworkInterfaces');
    expect(describe).toMatchObject({ Sid: 'DescribeModelNetwork', Resource: '*' });
    expect((describe.Action as string[]).every((a) => a.startsWith('ec2:Describe'))).toBe(true);
  });

  test('given subnets and security groups are used as they are', () => {
    const f = fixture();
    const vpc = new ec2.Vpc(f.stack, 'Vpc', {
      maxAzs: 2, natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const sg = new ec2.SecurityGroup(f.stack, 'Mine', { vpc, allowAllOutbound: false });
    endpointIn(f, { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, securityGroups: [sg] });
    const template = Template.fromStack(f.stack);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    template.hasResourceProperties('AWS::SageMaker::Model', {
      VpcConfig: { Subnets: vpc.isolatedSubnets.map((s) => f.stack.resolve(s.subnetId)), SecurityGroupIds: [{ 'Fn::GetAtt': [idOf(f.stack, sg), 'GroupId'] }] },
    });
  });
});

describe('metrics', () => {
  const f = fixture();
  const endpoint = endpointIn(f, { instanceType: GpuInstanceType.G5_12XLARGE });

  test('invocation metrics: AWS/SageMaker, EndpointName + VariantName, the statistic that makes sense', () => {
    const cases: Array<[cloudwatch.Metric, string, string, cloudwatch.Unit | undefined]> = [
      [endpoint.metricInvocations(), 'Invocations', 'Sum', undefined],
      [endpoint.metricInvocation4xxErrorRate(), 'Invocation4XXErrors', 'Average', undefined],
      [endpoint.metricInvocation5xxErrorRate(), 'Invocation5XXErrors', 'Average', undefined],
      [endpoint.metricModelErrors(), 'InvocationModelErrors', 'Sum', undefined],
      [endpoint.metricModelLatency(), 'ModelLatency', 'Average', cloudwatch.Unit.MICROSECONDS],
      [endpoint.metricOverheadLatency(), 'OverheadLatency', 'Average', cloudwatch.Unit.MICROSECONDS],
      [endpoint.metricInvocationsPerInstance(), 'InvocationsPerInstance', 'Sum', undefined],
    ];
    for (const [metric, name, statistic, unit] of cases) {
      expect(metric.namespace).toBe('AWS/SageMaker');
      expect(metric.metricName).toBe(name);
      expect(metric.statistic).toBe(statistic);
      expect(metric.unit).toBe(unit);
      expect(metric.dimensions).toEqual({ EndpointName: 'chat-prod', VariantName: 'AllTraffic' });
      expect(metric.period.toSeconds()).toBe(60);
    }
  });

  test('options override the statistic and the variant', () => {
    const p99 = endpoint.metricModelLatency({ statistic: 'p99', variantName: 'Green' });
    expect(p99.statistic).toBe('p99');
    expect(p99.unit).toBe(cloudwatch.Unit.MICROSECONDS);
    expect(p99.dimensions).toEqual({ EndpointName: 'chat-prod', VariantName: 'Green' });
  });

  test('GPU metrics are in /aws/sagemaker/Endpoints, in percent', () => {
    for (const metric of [endpoint.metricGpuUtilization(), endpoint.metricGpuMemoryUtilization()]) {
      expect(metric.namespace).toBe('/aws/sagemaker/Endpoints');
      expect(metric.unit).toBe(cloudwatch.Unit.PERCENT);
      expect(metric.dimensions).toEqual({ EndpointName: 'chat-prod', VariantName: 'AllTraffic' });
    }
  });

  test('per-GPU utilisation divides by the GPU count on multi-GPU types', () => {
    for (const perGpu of [endpoint.metricGpuUtilizationPerGpu(), endpoint.metricGpuMemoryUtilizationPerGpu()]) {
      expect(perGpu).toBeInstanceOf(cloudwatch.MathExpression);
      const expression = perGpu as cloudwatch.MathExpression;
      expect(expression.expression).toBe('m / 4');
      const m = expression.usingMetrics.m as cloudwatch.Metric;
      expect(m.namespace).toBe('/aws/sagemaker/Endpoints');
      expect(['GPUUtilization', 'GPUMemoryUtilization']).toContain(m.metricName);
    }
  });

  test('per-GPU utilisation on a one-GPU type is the metric itself, relabelled', () => {
    const g = fixture();
    const single = endpointIn(g).metricGpuUtilizationPerGpu();
    expect(single).toBeInstanceOf(cloudwatch.Metric);
    expect((single as cloudwatch.Metric).metricName).toBe('GPUUtilization');
    expect((single as cloudwatch.Metric).label).toBe('GPU utilization per GPU (%)');
  });

  test('per-GPU utilisation of a type without known facts asks for them', () => {
    const g = fixture();
    const unknown = endpointIn(g, { instanceType: GpuInstanceType.of('ml.g7e.2xlarge') });
    expect(errorMessage(() => unknown.metricGpuUtilizationPerGpu())).toContain('GPU count of ml.g7e.2xlarge is unknown: give its facts with GpuInstanceType.of(name, spec)');
  });

  test('a metric can be used in an alarm (renders in the template)', () => {
    const g = fixture();
    const e = endpointIn(g, { instanceType: GpuInstanceType.G5_12XLARGE });
    new cloudwatch.Alarm(g.stack, 'Hot', { metric: e.metricGpuUtilizationPerGpu(), threshold: 90, evaluationPeriods: 3 });
    Template.fromStack(g.stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'm / 4' })]),
    });
  });
});

describe('grants and imports', () => {
  test('grantInvoke allows invoking this endpoint only', () => {
    const f = fixture();
    const endpoint = endpointIn(f);
    const caller = new iam.Role(f.stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    expect(endpoint.grantInvoke(caller).success).toBe(true);
    const statements = statementsAllowing(Template.fromStack(f.stack), 'sagemaker:InvokeEndpoint');
    expect(statements).toEqual([{
      Action: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointWithResponseStream'],
      Effect: 'Allow',
      Resource: { Ref: f.stack.getLogicalId(endpoint.endpoint) },
    }]);
  });

  test('fromEndpointName: the ARN from the (lower-cased) name, grantInvoke and metrics', () => {
    const stack = newStack({ env: { account: '111122223333', region: 'eu-west-1' } });
    const imported = GpuInferenceEndpoint.fromEndpointName(stack, 'Imported', 'Chat-Prod', 'Blue');
    expect(imported.endpointName).toBe('Chat-Prod');
    expect(stack.resolve(imported.endpointArn)).toBe('arn:aws:sagemaker:eu-west-1:111122223333:endpoint/chat-prod');
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    imported.grantInvoke(caller);
    expect(statementsAllowing(Template.fromStack(stack), 'sagemaker:InvokeEndpoint')).toEqual([expect.objectContaining({
      Resource: 'arn:aws:sagemaker:eu-west-1:111122223333:endpoint/chat-prod',
    })]);
    expect(imported.metric('ModelLatency').dimensions).toEqual({ EndpointName: 'Chat-Prod', VariantName: 'Blue' });
  });
});
