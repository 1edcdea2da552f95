import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DEFAULT_TAGS, DLC_REGIONS, InferenceImage } from '../../lib/endpoint/inference-image';
import { errorMessage, newStack, statementsAllowing } from '../helpers/fixtures';

const PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

function bindIn(stack: Stack, image: InferenceImage): { uri: unknown; role: iam.Role; template: () => Template } {
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  const { imageUri } = image.bind(stack, role);
  return { uri: stack.resolve(imageUri), role, template: () => Template.fromStack(stack) };
}

/** `<account>.dkr.ecr.<region>.${AWS::URLSuffix}/<repo:tag>` as the template writes it. */
function dlcUri(account: string, region: string, repoAndTag: string): unknown {
  return { 'Fn::Join': ['', [`${account}.dkr.ecr.${region}.`, { Ref: 'AWS::URLSuffix' }, `/${repoAndTag}`]] };
}

function pullResource(template: Template): unknown {
  const statements = statementsAllowing(template, 'ecr:BatchGetImage');
  expect(statements).toHaveLength(1);
  expect(statements[0].Action).toEqual(PULL_ACTIONS);
  return statements[0].Resource;
}

describe('deep learning container images', () => {
  test.each([
    ['vllm', InferenceImage.vllm(), 'vllm', DEFAULT_TAGS.vllm],
    ['djlLmi', InferenceImage.djlLmi(), 'djl-inference', DEFAULT_TAGS.djlLmi],
    ['huggingFaceTgi', InferenceImage.huggingFaceTgi(), 'huggingface-pytorch-tgi-inference', DEFAULT_TAGS.tgi],
  ])('%s in an environment-agnostic stack resolves the account with Fn::FindInMap on DeepLearningContainerAccounts', (_n, image, repo, tag) => {
    const stack = newStack();
    const { uri, template } = bindIn(stack, image);
    const account = { 'Fn::FindInMap': ['DeepLearningContainerAccounts', { Ref: 'AWS::Region' }, 'account'] };
    expect(uri).toEqual({ 'Fn::Join': ['', [account, '.dkr.ecr.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, `/${repo}:${tag}`]] });
    const t = template();
    const mapping = t.toJSON().Mappings.DeepLearningContainerAccounts;
    expect(Object.keys(mapping).sort()).toEqual([...DLC_REGIONS].sort());
    expect(mapping['us-east-1']).toEqual({ account: '763104351884' });
    expect(mapping['af-south-1']).toEqual({ account: '626614931356' });
    expect(mapping['cn-north-1']).toEqual({ account: '727897471807' });
    expect(pullResource(t)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:', { Ref: 'AWS::Region' }, ':', account, `:repository/${repo}`]],
    });
  });

  test('two images in one stack share one mapping', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    InferenceImage.vllm().bind(stack, role);
    InferenceImage.djlLmi().bind(stack, role);
    expect(Object.keys(Template.fromStack(stack).toJSON().Mappings)).toEqual(['DeepLearningContainerAccounts']);
  });

  test('us-east-1 gives the literal account 763104351884 and no mapping', () => {
    const stack = newStack({ env: { region: 'us-east-1', account: '111122223333' } });
    const { uri, template } = bindIn(stack, InferenceImage.vllm('server-sagemaker-cuda-v1.3'));
    // The URL suffix stays AWS::URLSuffix (amazonaws.com here, amazonaws.com.cn in China): CloudFormation resolves it.
    expect(uri).toEqual(dlcUri('763104351884', 'us-east-1', 'vllm:server-sagemaker-cuda-v1.3'));
    const t = template();
    expect(t.toJSON().Mappings).toBeUndefined();
    expect(pullResource(t)).toBe('arn:aws:ecr:us-east-1:763104351884:repository/vllm');
  });

  test('af-south-1 uses its own registry account 626614931356', () => {
    const stack = newStack({ env: { region: 'af-south-1' } });
    const { uri } = bindIn(stack, InferenceImage.djlLmi());
    expect(uri).toEqual(dlcUri('626614931356', 'af-south-1', `djl-inference:${DEFAULT_TAGS.djlLmi}`));
  });

  test('cn-north-1 uses 727897471807 and the URL suffix of the stack (.amazonaws.com.cn), in the aws-cn partition', () => {
    const stack = newStack({ env: { region: 'cn-north-1', account: '111122223333' } });
    const { uri, template } = bindIn(stack, InferenceImage.huggingFaceTgi());
    expect(uri).toEqual(dlcUri('727897471807', 'cn-north-1', `huggingface-pytorch-tgi-inference:${DEFAULT_TAGS.tgi}`));
    expect(stack.urlSuffix).not.toBe('amazonaws.com');
    expect(pullResource(template())).toBe('arn:aws-cn:ecr:cn-north-1:727897471807:repository/huggingface-pytorch-tgi-inference');
  });

  test('a region without a DLC registry is a clear error that names the fix', () => {
    const stack = newStack({ env: { region: 'xx-mars-1' } });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const message = errorMessage(() => InferenceImage.vllm().bind(stack, role));
    expect(message).toContain('TestStack: region xx-mars-1 has no AWS deep learning container registry');
    expect(message).toContain('us-east-1');
    expect(message).toContain('InferenceImage.fromEcrRepository()');
  });

  test('the vLLM image asks for the inference AMI whose driver matches its CUDA; the others leave it to SageMaker', () => {
    expect(InferenceImage.vllm().inferenceAmiVersion).toBe('al2-ami-sagemaker-inference-gpu-3-1');
    expect(InferenceImage.djlLmi().inferenceAmiVersion).toBeUndefined();
    expect(InferenceImage.huggingFaceTgi().inferenceAmiVersion).toBeUndefined();
  });
});

describe('images of your own', () => {
  test('fromImageUri with a non-ECR URI is an error naming the URI and the fix', () => {
    for (const uri of ['docker.io/vllm/vllm-openai:latest', 'ghcr.io/org/model:1', '123.dkr.ecr.us-east-1.amazonaws.com/x:1']) {
      const stack = newStack();
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
      const message = errorMessage(() => InferenceImage.fromImageUri(uri).bind(stack, role));
      expect(message).toContain(`image ${JSON.stringify(uri)} is not an ECR image URI`);
      expect(message).toContain('InferenceImage.fromEcrRepository()');
    }
  });

  test('fromImageUri grants pull on exactly that repository, also in another account and region', () => {
    const uri = '444455556666.dkr.ecr.eu-west-1.amazonaws.com/team/llm-server:2.1';
    const stack = newStack({ env: { region: 'us-east-1', account: '111122223333' } });
    const { uri: resolved, template } = bindIn(stack, InferenceImage.fromImageUri(uri, 'vllm'));
    expect(resolved).toBe(uri);
    expect(pullResource(template())).toBe('arn:aws:ecr:eu-west-1:444455556666:repository/team/llm-server');
  });

  test('fromImageUri accepts a digest and a China-region URI', () => {
    const digest = `444455556666.dkr.ecr.cn-northwest-1.amazonaws.com.cn/llm@sha256:${'a'.repeat(64)}`;
    const stack = newStack();
    const { template } = bindIn(stack, InferenceImage.fromImageUri(digest));
    expect(pullResource(template())).toBe('arn:aws-cn:ecr:cn-northwest-1:444455556666:repository/llm');
  });

  test('fromEcrRepository grants pull on the repository ARN and uses its URI with the tag', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repo');
    const { uri, template } = bindIn(stack, InferenceImage.fromEcrRepository(repository, 'v7', 'tgi'));
    expect(JSON.stringify(uri)).toContain(':v7');
    const repoId = stack.getLogicalId(repository.node.defaultChild as ecr.CfnRepository);
    expect(pullResource(template())).toEqual({ 'Fn::GetAtt': [repoId, 'Arn'] });
  });

  test('pulling also needs ecr:GetAuthorizationToken, which has no resource-level permission', () => {
    const stack = newStack();
    const { template } = bindIn(stack, InferenceImage.vllm());
    expect(statementsAllowing(template(), 'ecr:GetAuthorizationToken')).toEqual([
      { Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' },
    ]);
  });
});

describe('tensor-parallel environment', () => {
  test.each([
    ['vllm', InferenceImage.vllm(), { SM_VLLM_TENSOR_PARALLEL_SIZE: '4' }],
    ['djl-lmi', InferenceImage.djlLmi(), { OPTION_TENSOR_PARALLEL_DEGREE: '4' }],
    ['tgi', InferenceImage.huggingFaceTgi(), { SM_NUM_GPUS: '4' }],
    ['custom', InferenceImage.fromImageUri('444455556666.dkr.ecr.eu-west-1.amazonaws.com/x:1'), {}],
    ['custom image declared vllm', InferenceImage.fromImageUri('444455556666.dkr.ecr.eu-west-1.amazonaws.com/x:1', 'vllm'), { SM_VLLM_TENSOR_PARALLEL_SIZE: '4' }],
  ])('%s', (_name, image, expected) => {
    expect(image.tensorParallelEnvironment(4)).toEqual(expected);
  });
});
