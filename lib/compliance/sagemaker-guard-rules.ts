/**
 * SageMaker and gateway policy rules, written in the CloudFormation Guard DSL for the Guard
 * evaluator of aws-cdk-lib's built-in template validator (`CloudFormationValidatePlugin`).
 * cdk-nag has no rules for SageMaker endpoints; these close that gap and run on every synth.
 *
 * How a violation is reported: the Guard rule name becomes the finding's rule id, namespaced by
 * the plugin, e.g. `CloudFormation-Validate::SM_002`, as an error (the synth fails) on the
 * offending resource, with the custom message. Guard rule names cannot contain `-`, so rule
 * `SM-002` is named `SM_002` and every message starts with `SM-002:`. Acknowledge one finding on
 * the construct that owns the resource:
 * `Validations.of(construct).acknowledge({ id: 'CloudFormation-Validate::SM_002', reason })`.
 *
 * Each rule's source is self-contained (its own `let`s), so every rule is one
 * `ValidationRuleSource` named by its id.
 */
export interface SageMakerGuardRule {
  /** Rule id as auditors cite it, e.g. `SM-001`. */
  readonly id: string;
  /** The Guard rule name, which is the id the validator reports (`SM_001`). */
  readonly guardName: string;
  /** One line: what the rule requires. */
  readonly title: string;
  /** The Guard DSL source. */
  readonly source: string;
}

/**
 * Which template is prod. Stack tags never reach the template (the app sets
 * `@aws-cdk/core:explicitStackTags`, so `stage=prod` is only in manifest.json, which the
 * validator does not see). The platform app writes the stage into the stack description
 * (`…, stage prod (cdk-inference-platform)`) and names every endpoint `<platform>-<stage>-<model>`;
 * either one marks an endpoint or inference component as prod.
 */
const PROD_DESCRIPTION = String.raw`/(^|[^A-Za-z0-9])stage prod([^A-Za-z0-9]|$)/`;
const PROD_NAME = String.raw`/-prod(-|$)/`;

/**
 * Instance families with local NVMe instance storage, where SageMaker rejects an EndpointConfig
 * `KmsKeyId` and the Nitro module encrypts the volume in hardware (AES-256).
 */
export const NVME_INSTANCE_FAMILIES = [
  'g4dn', 'g5', 'g6', 'g6e', 'p3dn', 'p4d', 'p4de', 'p5', 'p5e', 'p5en',
  'c5d', 'm5d', 'r5d', 'c6id', 'm6id', 'r6id', 'trn1', 'trn1n',
] as const;

const SM_001 = String.raw`
let sm001_endpoints = Resources.*[ Type == 'AWS::SageMaker::Endpoint' ]
let sm001_components = Resources.*[ Type == 'AWS::SageMaker::InferenceComponent' ]
let sm001_prod_named_endpoints = Resources.*[
  Type == 'AWS::SageMaker::Endpoint'
  Properties.EndpointName == ${PROD_NAME}
]
let sm001_prod_named_components = Resources.*[
  Type == 'AWS::SageMaker::InferenceComponent'
  Properties.InferenceComponentName == ${PROD_NAME}
]

rule sm001_endpoint_checks(endpoints) {
  %endpoints {
    Properties.DeploymentConfig.AutoRollbackConfiguration.Alarms !empty
    <<SM-001: a prod SageMaker endpoint must name rollback alarms in DeploymentConfig.AutoRollbackConfiguration>>
    Properties.DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.Type in ['CANARY', 'LINEAR'] or
    Properties.DeploymentConfig.RollingUpdatePolicy exists
    <<SM-001: a prod SageMaker endpoint must deploy by CANARY or LINEAR blue/green traffic shifting or a RollingUpdatePolicy, not all at once>>
  }
}

rule sm001_component_checks(components) {
  %components {
    Properties.DeploymentConfig.AutoRollbackConfiguration.Alarms !empty
    <<SM-001: a prod inference component must name rollback alarms in DeploymentConfig.AutoRollbackConfiguration>>
    Properties.DeploymentConfig.RollingUpdatePolicy exists
    <<SM-001: a prod inference component must deploy with a RollingUpdatePolicy>>
  }
}

rule SM_001 {
  when Description == ${PROD_DESCRIPTION} {
    when %sm001_endpoints !empty { sm001_endpoint_checks(%sm001_endpoints) }
    when %sm001_components !empty { sm001_component_checks(%sm001_components) }
  }
  when %sm001_prod_named_endpoints !empty { sm001_endpoint_checks(%sm001_prod_named_endpoints) }
  when %sm001_prod_named_components !empty { sm001_component_checks(%sm001_prod_named_components) }
}
`;

const SM_002 = String.raw`
let sm002_configs = Resources.*[ Type == 'AWS::SageMaker::EndpointConfig' ]

rule SM_002 when %sm002_configs !empty {
  %sm002_configs[ Properties.KmsKeyId not exists ] {
    Properties.ProductionVariants[*] {
      InstanceType not exists or
      InstanceType == /^ml\.(${NVME_INSTANCE_FAMILIES.join('|')})\./
      <<SM-002: an endpoint config with a variant on an instance type without local NVMe storage must set KmsKeyId (a customer-managed KMS key for the ML storage volume)>>
    }
  }
}
`;

const SM_003 = String.raw`
let sm003_models = Resources.*[ Type == 'AWS::SageMaker::Model' ]

rule SM_003 when %sm003_models !empty {
  %sm003_models[ Properties.VpcConfig exists ] {
    Properties.EnableNetworkIsolation == true
    <<SM-003: a SageMaker Model with VpcConfig must set EnableNetworkIsolation to true>>
  }
}
`;

const SM_004 = String.raw`
let sm004_methods = Resources.*[
  Type == 'AWS::ApiGateway::Method'
  Properties.HttpMethod != 'OPTIONS'
]
let sm004_routes = Resources.*[ Type == 'AWS::ApiGatewayV2::Route' ]
let sm004_urls = Resources.*[ Type == 'AWS::Lambda::Url' ]

rule SM_004 {
  when %sm004_methods !empty {
    %sm004_methods {
      Properties.AuthorizationType exists
      Properties.AuthorizationType != 'NONE'
      <<SM-004: an API Gateway method must not be unauthenticated: set AuthorizationType to AWS_IAM, COGNITO_USER_POOLS or CUSTOM>>
    }
  }
  when %sm004_routes !empty {
    %sm004_routes {
      Properties.AuthorizationType exists
      Properties.AuthorizationType != 'NONE'
      <<SM-004: an HTTP API route must not be unauthenticated: set AuthorizationType to AWS_IAM, JWT or CUSTOM>>
    }
  }
  when %sm004_urls !empty {
    %sm004_urls.Properties.AuthType == 'AWS_IAM'
    <<SM-004: a Lambda function URL must use AuthType AWS_IAM>>
  }
}
`;

const SM_005 = String.raw`
let sm005_configs = Resources.*[
  Type == 'AWS::SageMaker::EndpointConfig'
  Properties.DataCaptureConfig exists
  Properties.DataCaptureConfig.EnableCapture != false
]
let sm005_bucket_ids = %sm005_configs.Properties.DataCaptureConfig.DestinationS3Uri.'Fn::Join'[1][ this is_struct ].Ref

rule SM_005 when %sm005_configs !empty {
  %sm005_configs.Properties.DataCaptureConfig.KmsKeyId exists
  <<SM-005: an endpoint config that captures data must set DataCaptureConfig.KmsKeyId>>
  when %sm005_bucket_ids !empty {
    let sm005_buckets = Resources.%sm005_bucket_ids
    %sm005_buckets[ Type == 'AWS::S3::Bucket' ] {
      Properties.BucketEncryption.ServerSideEncryptionConfiguration[*].ServerSideEncryptionByDefault.SSEAlgorithm in ['aws:kms', 'aws:kms:dsse']
      <<SM-005: the data capture bucket must default to SSE-KMS (aws:kms or aws:kms:dsse)>>
    }
  }
}
`;

/** The rules, in id order. */
export const SAGEMAKER_GUARD_RULES: readonly SageMakerGuardRule[] = [
  {
    id: 'SM-001',
    guardName: 'SM_001',
    title: 'Prod endpoints and inference components deploy by canary, linear or rolling update with rollback alarms',
    source: SM_001,
  },
  {
    id: 'SM-002',
    guardName: 'SM_002',
    title: `Endpoint configs set KmsKeyId unless every variant runs on a type with local NVMe storage (${NVME_INSTANCE_FAMILIES.join(', ')})`,
    source: SM_002,
  },
  {
    id: 'SM-003',
    guardName: 'SM_003',
    title: 'Models in a VPC enable network isolation',
    source: SM_003,
  },
  {
    id: 'SM-004',
    guardName: 'SM_004',
    title: 'No unauthenticated API Gateway method (except CORS OPTIONS), HTTP API route or Lambda function URL',
    source: SM_004,
  },
  {
    id: 'SM-005',
    guardName: 'SM_005',
    title: 'Data capture is encrypted: DataCaptureConfig.KmsKeyId set and the capture bucket defaults to SSE-KMS',
    source: SM_005,
  },
];
