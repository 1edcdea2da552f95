import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { IDataCaptureStore } from '../monitoring/data-capture-store';
import { DeploymentStrategy } from '../rollout/deployment-strategy';
import { VariantOptions } from './production-variant';
import { ScaleToZeroOptions } from '../scaling/scale-to-zero';

/** A candidate served as a shadow: it gets a copy of live traffic and its answers are discarded. */
export interface ShadowVariantOptions extends VariantOptions {
  /** The shadow variant's name, ≤ 63 characters. */
  readonly variantName: string;
  /**
   * Share of production requests copied to the shadow, 1–100 %.
   * @default 100
   */
  readonly samplingPercentage?: number;
}

/** What SageMaker data capture records of an endpoint's traffic. */
export interface DataCaptureOptions {
  /** Where captured records go. */
  readonly store: IDataCaptureStore;
  /** Share of requests captured, 1–100 %. */
  readonly samplingPercentage: number;
  /**
   * What is captured: the request as the endpoint received it (after the gateway's redaction)
   * and/or the model's raw answer.
   * @default 'InputAndOutput'
   */
  readonly mode?: 'Input' | 'Output' | 'InputAndOutput';
}

/** Capacity bounds for `autoScaleInstanceCount`. */
export interface InstanceCountScalingProps {
  /** Fewest instances, ≥ 1 (scale to zero needs inference components). */
  readonly minCapacity: number;
  /** Most instances. */
  readonly maxCapacity: number;
  /**
   * The variant to scale.
   * @default - the first variant
   */
  readonly variantName?: string;
}

/** A production variant beyond the first: its own model version, image and fleet. */
export interface ProductionVariantOptions extends VariantOptions {
  /** The variant name, unique within the endpoint, ≤ 63 characters. */
  readonly variantName: string;
}

export interface GpuInferenceEndpointProps extends VariantOptions {
  /**
   * Name of the first production variant.
   * @default 'AllTraffic'
   */
  readonly variantName?: string;
  /**
   * More production variants (A/B tests, a second model behind the same endpoint), ≤ 9.
   * @default - one variant
   */
  readonly additionalVariants?: ProductionVariantOptions[];
  /**
   * The endpoint name. Deterministic so that alarms can name it without a dependency cycle.
   * @default - derived from the construct path, ≤ 63 characters
   */
  readonly endpointName?: string;
  /**
   * The most time a model call may take before it counts as too slow: the p99 rollback alarm
   * threshold and the gateway's timeout come from it. SageMaker lets a container take 60 s.
   * @default Duration.seconds(60)
   */
  readonly latencyBudget?: Duration;
  /**
   * How a new model version reaches traffic. Rollback alarms on the new fleet are added for
   * every strategy, from `latencyBudget` and `maxErrorRate`.
   * @default DeploymentStrategy.allAtOnce() with a 5-minute bake
   */
  readonly deploymentStrategy?: DeploymentStrategy;
  /**
   * Share of 5xx answers (0–1) from the new fleet that rolls a deployment back.
   * @default 0.02
   */
  readonly maxErrorRate?: number;
  /**
   * Scale to zero instances when idle, for GPU cost: the model is served as an inference
   * component with managed instance scaling (minimum 0). The first request after idling fails
   * while an instance starts and loads the model (several minutes); clients must retry. Not with
   * additional or shadow variants, `deploymentStrategy` or `autoScaleInstanceCount`: model versions
   * roll out copy by copy on the component, watched by the same rollback alarms.
   * @default - instances stay up
   */
  readonly scaleToZero?: ScaleToZeroOptions;
  /**
   * Record a sample of requests and answers to S3 as JSON lines, for offline drift analysis.
   * @default - no capture
   */
  readonly dataCapture?: DataCaptureOptions;
  /**
   * A candidate model version that receives a copy of live traffic with no effect on responses.
   * @default - no shadow
   */
  readonly shadowVariant?: ShadowVariantOptions;
  /**
   * VPC for the model containers.
   * @default - no VPC (SageMaker-managed network)
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets in `vpc` for the model containers.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Security groups for the model containers.
   * @default - a new group that allows only outbound HTTPS, when `vpc` is set
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Isolate the containers from the network: they get the model from S3 through SageMaker and
   * cannot call out. Turn off only for containers that must download at start-up.
   * @default true
   */
  readonly networkIsolation?: boolean;
  /**
   * KMS key for the ML storage volumes. Not allowed when any variant runs on a type with local
   * NVMe storage, where the Nitro hardware module encrypts the volume instead.
   * @default - a new key with rotation where every variant's type allows it, none otherwise
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Execution role for the models.
   * @default - a new role that can read only these model versions, pull only these images and
   *   write only this endpoint's logs and metrics
   */
  readonly role?: iam.IRole;
  /**
   * IAM path of the execution role the endpoint creates (ignored with `role`). A resource policy
   * in another stack can trust the roles under a path, e.g. a data capture bucket defined before
   * the endpoints that write to it (`DataCaptureStoreProps.trustedRolePath`).
   * @default '/'
   */
  readonly rolePath?: string;
}
