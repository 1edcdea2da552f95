import { Arn, CfnMapping, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** The serving stack inside an image, which decides how the tensor-parallel degree is passed. */
export type ServingFramework = 'vllm' | 'djl-lmi' | 'tgi' | 'custom';

/** What an image resolves to in a given stack. */
export interface InferenceImageConfig {
  /** The full image URI, possibly with tokens for the region. */
  readonly imageUri: string;
}

/**
 * AWS Deep Learning Container registry accounts outside the default `763104351884`
 * (SageMaker Python SDK image_uri_config huggingface-llm.json / djl-lmi.json).
 */
const DLC_ACCOUNTS: Record<string, string> = {
  'us-east-1': '763104351884', 'us-east-2': '763104351884', 'us-west-1': '763104351884', 'us-west-2': '763104351884',
  'ca-central-1': '763104351884', 'sa-east-1': '763104351884',
  'eu-central-1': '763104351884', 'eu-west-1': '763104351884', 'eu-west-2': '763104351884', 'eu-west-3': '763104351884',
  'eu-north-1': '763104351884',
  'ap-northeast-1': '763104351884', 'ap-northeast-2': '763104351884', 'ap-south-1': '763104351884',
  'ap-southeast-1': '763104351884', 'ap-southeast-2': '763104351884',
  'af-south-1': '626614931356', 'ap-east-1': '871362719292', 'ap-east-2': '975050140332',
  'ap-northeast-3': '364406365360', 'ap-south-2': '772153158452', 'ap-southeast-3': '907027046896',
  'ap-southeast-4': '457447274322', 'ap-southeast-5': '550225433462', 'ap-southeast-6': '633930458069',
  'ap-southeast-7': '590183813437', 'ca-west-1': '204538143572', 'eu-central-2': '380420809688',
  'eu-south-1': '692866216735', 'eu-south-2': '503227376785', 'il-central-1': '780543022126',
  'me-central-1': '914824155844', 'me-south-1': '217643126080', 'mx-central-1': '637423239942',
  'cn-north-1': '727897471807', 'cn-northwest-1': '727897471807',
  'us-gov-east-1': '446045086412', 'us-gov-west-1': '442386744353',
};

/** Regions the deep learning container images are published in. */
export const DLC_REGIONS = Object.keys(DLC_ACCOUNTS);

/** Newest tags known to the SageMaker Python SDK (2026-08) and the AWS vLLM DLC docs. */
export const DEFAULT_TAGS = {
  vllm: 'server-sagemaker-cuda-v1',
  djlLmi: '0.36.0-lmi27.0.0-cu130',
  tgi: '2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04',
} as const;

/** The ECR repositories of the AWS deep learning containers, by framework (in each region's DLC account). */
export const DLC_REPOSITORIES = {
  vllm: 'vllm',
  djlLmi: 'djl-inference',
  tgi: 'huggingface-pytorch-tgi-inference',
} as const;

/**
 * A container image that serves an LLM on SageMaker.
 *
 * The AWS deep learning containers (`vllm`, `djlLmi`, `huggingFaceTgi`) resolve their registry
 * account per region, through a template mapping when the stack is environment-agnostic.
 */
export abstract class InferenceImage {
  /** The AWS vLLM deep learning container (OpenAI-compatible server on port 8080). */
  public static vllm(tag: string = DEFAULT_TAGS.vllm): InferenceImage {
    return new DeepLearningContainerImage(DLC_REPOSITORIES.vllm, tag, 'vllm', 'al2-ami-sagemaker-inference-gpu-3-1');
  }

  /** The DJL Large Model Inference container (vLLM or LMI-Dist rolling batch). */
  public static djlLmi(tag: string = DEFAULT_TAGS.djlLmi): InferenceImage {
    return new DeepLearningContainerImage(DLC_REPOSITORIES.djlLmi, tag, 'djl-lmi');
  }

  /** The Hugging Face Text Generation Inference container. */
  public static huggingFaceTgi(tag: string = DEFAULT_TAGS.tgi): InferenceImage {
    return new DeepLearningContainerImage(DLC_REPOSITORIES.tgi, tag, 'tgi');
  }

  /** An image in an ECR repository of yours. */
  public static fromEcrRepository(repository: ecr.IRepository, tag = 'latest', framework: ServingFramework = 'custom'): InferenceImage {
    return new RepositoryImage(repository, tag, framework);
  }

  /**
   * An image by its full ECR URI (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>` or `@sha256:...`).
   * Pull permission is scoped to that repository.
   */
  public static fromImageUri(imageUri: string, framework: ServingFramework = 'custom'): InferenceImage {
    return new UriImage(imageUri, framework);
  }

  protected constructor(
    /** The serving framework, which decides the tensor-parallel environment variable. */
    public readonly framework: ServingFramework,
    /** The SageMaker inference AMI whose driver matches the image's CUDA, when it needs a specific one. */
    public readonly inferenceAmiVersion?: string,
  ) {}

  /** Resolves the image URI in `scope`'s stack and grants `grantee` permission to pull it. */
  public abstract bind(scope: Construct, grantee: iam.IGrantable): InferenceImageConfig;

  /** Environment variables that set the tensor-parallel degree for this framework. */
  public tensorParallelEnvironment(degree: number): Record<string, string> {
    switch (this.framework) {
      case 'vllm': return { SM_VLLM_TENSOR_PARALLEL_SIZE: String(degree) };
      case 'djl-lmi': return { OPTION_TENSOR_PARALLEL_DEGREE: String(degree) };
      case 'tgi': return { SM_NUM_GPUS: String(degree) };
      case 'custom': return {};
    }
  }
}

class DeepLearningContainerImage extends InferenceImage {
  constructor(private readonly repositoryName: string, private readonly tag: string, framework: ServingFramework, ami?: string) {
    super(framework, ami);
  }

  public bind(scope: Construct, grantee: iam.IGrantable): InferenceImageConfig {
    const stack = Stack.of(scope);
    const account = dlcAccount(stack);
    grantPullFrom(grantee, stack.formatArn({ service: 'ecr', account, resource: 'repository', resourceName: this.repositoryName }));
    return { imageUri: `${account}.dkr.ecr.${stack.region}.${stack.urlSuffix}/${this.repositoryName}:${this.tag}` };
  }
}

class RepositoryImage extends InferenceImage {
  constructor(private readonly repository: ecr.IRepository, private readonly tag: string, framework: ServingFramework) {
    super(framework);
  }

  public bind(_scope: Construct, grantee: iam.IGrantable): InferenceImageConfig {
    grantPullFrom(grantee, this.repository.repositoryArn);
    return { imageUri: this.repository.repositoryUriForTagOrDigest(this.tag) };
  }
}

const ECR_IMAGE_URI = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9][\w./-]{0,255})(?::[\w.-]{1,128}|@sha256:[0-9a-f]{64})$/;

class UriImage extends InferenceImage {
  constructor(private readonly imageUri: string, framework: ServingFramework) {
    super(framework);
  }

  public bind(scope: Construct, grantee: iam.IGrantable): InferenceImageConfig {
    const match = Token.isUnresolved(this.imageUri) ? null : ECR_IMAGE_URI.exec(this.imageUri);
    if (!match) {
      throw new Error(`${scope.node.path}: image ${JSON.stringify(this.imageUri)} is not an ECR image URI ` +
        '(<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>): SageMaker pulls from ECR; use ' +
        'InferenceImage.fromEcrRepository() for a repository defined in CDK');
    }
    const [, account, region, repositoryName] = match;
    const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
    grantPullFrom(grantee, Arn.format({ partition, service: 'ecr', region, account, resource: 'repository', resourceName: repositoryName }));
    return { imageUri: this.imageUri };
  }
}

/** Pull needs the layer and image actions on the repository, and an auth token (no resource-level permission). */
function grantPullFrom(grantee: iam.IGrantable, repositoryArn: string): void {
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
    resourceArns: [repositoryArn],
  });
  iam.Grant.addToPrincipal({ grantee, actions: ['ecr:GetAuthorizationToken'], resourceArns: ['*'] });
}

/**
 * The DLC registry account of the stack's region: a literal when the region is known, a
 * `Fn::FindInMap` on a per-stack mapping when the stack is environment-agnostic.
 */
function dlcAccount(stack: Stack): string {
  if (!Token.isUnresolved(stack.region)) {
    const account = DLC_ACCOUNTS[stack.region];
    if (!account) {
      throw new Error(`${stack.node.path}: region ${stack.region} has no AWS deep learning container registry ` +
        `(known: ${DLC_REGIONS.join(', ')}); use InferenceImage.fromEcrRepository() with a copy of the image`);
    }
    return account;
  }
  const id = 'DeepLearningContainerAccounts';
  const mapping = (stack.node.tryFindChild(id) as CfnMapping | undefined) ?? new CfnMapping(stack, id, {
    mapping: Object.fromEntries(Object.entries(DLC_ACCOUNTS).map(([region, account]) => [region, { account }])),
  });
  return mapping.findInMap(stack.region, 'account');
}
