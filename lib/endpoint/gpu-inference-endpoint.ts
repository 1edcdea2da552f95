import { ArnFormat, Duration, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { pascalCase } from '../common/pascal-case';
import { acknowledge, acknowledgeInHipaaAndNist, acknowledgeWildcardResource } from '../compliance/acknowledge';
import { guardRuleAckId } from '../compliance/sagemaker-guard-plugin';
import { NVME_INSTANCE_FAMILIES } from '../compliance/sagemaker-guard-rules';
import { MetricVariantOptions, perGpu } from './endpoint-metrics';
import { GpuInferenceEndpointBase, IGpuInferenceEndpoint } from './gpu-inference-endpoint-base';
import { GpuInferenceEndpointProps, InstanceCountScalingProps, ProductionVariantOptions } from './gpu-inference-endpoint-props';
import { GpuInstanceType } from './gpu-instance-type';
import { ModelVersion } from '../artifacts/model-version';
import { PropValidation } from '../common/prop-validation';
import { BoundDeploymentStrategy, DeploymentStrategy, RolloutFleet, provisioningSeconds } from '../rollout/deployment-strategy';
import { validateVariant, VariantOptions } from './production-variant';
import { RollbackAlarms } from '../rollout/rollback-alarms';
import { AlarmSpec, DEFAULT_MAX_ERROR_RATE, rollbackAlarmSpecs } from '../rollout/rollback-alarm-spec';
import { RoutingStrategy } from './routing-strategy';
import { inferenceComponentNameOf } from './inference-component-name';

export * from './gpu-inference-endpoint-props';
export { RoutingStrategy };
import { ScalableInstanceCount } from '../scaling/scalable-instance-count';
import { InferenceComponentScaling } from '../scaling/scale-to-zero';
import { ScalingGuard } from '../scaling/scaling-guard';

/** AutoRollbackConfiguration takes at most 10 alarms. */
const MAX_ROLLBACK_ALARMS = 10;

/** An endpoint defined elsewhere, by name. */
export interface GpuInferenceEndpointAttributes {
  /** The endpoint's literal name. */
  readonly endpointName: string;
  /**
   * The variant metrics default to.
   * @default 'AllTraffic'
   */
  readonly variantName?: string;
  /**
   * The endpoint's inference component, when it scales to zero: callers name it, and invoke grants cover it.
   * @default - none
   */
  readonly inferenceComponentName?: string;
}

/** The facts of one deployed variant. */
export interface DeployedVariant {
  readonly variantName: string;
  readonly instanceType: GpuInstanceType;
  readonly instanceCount: number;
  readonly modelVersion: ModelVersion;
  readonly model: sagemaker.CfnModel;
}

/**
 * A SageMaker real-time endpoint on GPU instances: one Model per variant, an EndpointConfig and
 * an Endpoint. Model and EndpointConfig get CloudFormation-generated names, so a new model
 * version replaces them and CloudFormation updates the endpoint in place.
 */
export class GpuInferenceEndpoint extends GpuInferenceEndpointBase {
  /** An endpoint defined elsewhere, by name. */
  public static fromEndpointName(scope: Construct, id: string, endpointName: string, variantName = 'AllTraffic'): IGpuInferenceEndpoint {
    return GpuInferenceEndpoint.fromEndpointAttributes(scope, id, { endpointName, variantName });
  }

  /**
   * An endpoint defined elsewhere (e.g. in another stack of the same stage), by its literal
   * name: the ARN is built from the name, so using it makes no reference to the defining stack.
   */
  public static fromEndpointAttributes(scope: Construct, id: string, attrs: GpuInferenceEndpointAttributes): IGpuInferenceEndpoint {
    const arn = (resource: string, name: string) => Stack.of(scope).formatArn({ service: 'sagemaker', resource, resourceName: name.toLowerCase() });
    class Import extends GpuInferenceEndpointBase {
      public readonly endpointName = attrs.endpointName;
      public readonly endpointArn = arn('endpoint', attrs.endpointName);
      public readonly inferenceComponentName = attrs.inferenceComponentName;
      protected readonly defaultVariantName = attrs.variantName ?? 'AllTraffic';
      protected inferenceComponentArns(): string[] {
        return attrs.inferenceComponentName ? [arn('inference-component', attrs.inferenceComponentName)] : [];
      }
    }
    return new Import(scope, id);
  }

  public readonly endpointName: string;
  /** The endpoint ARN (the `Ref` of the endpoint). */
  public readonly endpointArn: string;
  public readonly role: iam.IRole;
  public readonly variants: DeployedVariant[];
  public readonly latencyBudget: Duration;
  /** Share of 5xx answers (0–1) that rolls a deployment back; the service alarms use it too. */
  public readonly maxErrorRate: number;
  public readonly endpoint: sagemaker.CfnEndpoint;
  public readonly endpointConfig: sagemaker.CfnEndpointConfig;
  /** The KMS key of the ML storage volumes, when the instance types allow one. */
  public readonly encryptionKey?: kms.IKey;
  /** The deployment strategy applied to the first variant's fleet. */
  public readonly deploymentStrategy: DeploymentStrategy;
  /** The strategy's deployment config, traffic steps and timeout. */
  public readonly rollout: BoundDeploymentStrategy;
  /** The settings of the generated rollback alarms (per variant). */
  public readonly rollbackAlarmSpecs: AlarmSpec[];
  /** The generated rollback alarms, per production variant. */
  public readonly rollbackAlarms: RollbackAlarms[];
  /** The shadow variant, when there is one. */
  public readonly shadow?: DeployedVariant;
  /** The inference component and its scaling, when the endpoint scales to zero. */
  public readonly inferenceComponentScaling?: InferenceComponentScaling;
  /** Name to send as `InferenceComponentName` when invoking, when the endpoint scales to zero. */
  public readonly inferenceComponentName?: string;
  private readonly extraRollbackAlarms: cloudwatch.IAlarm[] = [];
  private readonly rolloutFleet: RolloutFleet;
  private readonly scaling = new Map<string, ScalableInstanceCount>();
  private readonly alarmAccess?: iam.Policy;
  protected readonly defaultVariantName: string;

  constructor(scope: Construct, id: string, props: GpuInferenceEndpointProps) {
    super(scope, id);
    const primary: ProductionVariantOptions = { ...props, variantName: props.variantName ?? 'AllTraffic' };
    const variantOptions = [primary, ...(props.additionalVariants ?? [])];
    this.endpointName = props.endpointName ?? Names.uniqueResourceName(this, { maxLength: 63, separator: '-' });
    this.latencyBudget = props.latencyBudget ?? Duration.seconds(60);
    this.defaultVariantName = primary.variantName;
    this.deploymentStrategy = props.deploymentStrategy ?? DeploymentStrategy.allAtOnce();
    this.rolloutFleet = {
      instanceCount: primary.instanceCount ?? 1,
      variantCount: variantOptions.length,
      provisioningSeconds: provisioningSeconds(primary.modelDataDownloadTimeout?.toSeconds(), primary.containerStartupHealthCheckTimeout?.toSeconds()),
    };
    this.rollout = this.deploymentStrategy.bind(this.rolloutFleet);
    this.validate(props, variantOptions);
    this.maxErrorRate = props.maxErrorRate ?? DEFAULT_MAX_ERROR_RATE;
    this.rollbackAlarmSpecs = rollbackAlarmSpecs({ latencyBudget: this.latencyBudget, maxErrorRate: this.maxErrorRate });

    this.role = props.role ?? this.createRole(props.rolePath);
    const vpcConfig = this.vpcConfig(props);
    const allowsKmsKey = variantOptions.every((v) => v.instanceType.spec && !v.instanceType.spec.hasLocalNvmeStorage);
    this.encryptionKey = props.encryptionKey ?? (allowsKmsKey
      ? new kms.Key(this, 'VolumeKey', { description: `ML storage volumes of ${this.endpointName}`, enableKeyRotation: true })
      : undefined);

    this.variants = variantOptions.map((options, index) => ({
      variantName: options.variantName,
      instanceType: options.instanceType,
      instanceCount: options.instanceCount ?? 1,
      modelVersion: options.modelVersion,
      model: this.createModel(index === 0 ? 'Model' : `Model${options.variantName}`, options, vpcConfig, props.networkIsolation ?? true),
    }));
    const shadowOptions = props.shadowVariant;
    if (shadowOptions) {
      this.shadow = {
        variantName: shadowOptions.variantName,
        instanceType: shadowOptions.instanceType,
        instanceCount: shadowOptions.instanceCount ?? 1,
        modelVersion: shadowOptions.modelVersion,
        model: this.createModel(`Shadow${shadowOptions.variantName}`, shadowOptions, vpcConfig, props.networkIsolation ?? true),
      };
    }

    const scaleToZero = props.scaleToZero;
    const capture = props.dataCapture;
    capture?.store.grantCapture(this.role, this.endpointName);
    this.endpointConfig = new sagemaker.CfnEndpointConfig(this, 'Config', {
      kmsKeyId: this.encryptionKey?.keyArn,
      dataCaptureConfig: capture && {
        enableCapture: true,
        initialSamplingPercentage: capture.samplingPercentage,
        destinationS3Uri: capture.store.destinationS3Uri,
        kmsKeyId: capture.store.encryptionKey.keyArn,
        captureOptions: (capture.mode ?? 'InputAndOutput') === 'InputAndOutput'
          ? [{ captureMode: 'Input' }, { captureMode: 'Output' }]
          : [{ captureMode: capture.mode! }],
        // Without JSON content types SageMaker base64-encodes the captured payloads.
        captureContentTypeHeader: { jsonContentTypes: ['application/json'] },
      },
      // Inference components run under the endpoint config's role instead of a model's.
      executionRoleArn: scaleToZero ? this.role.roleArn : undefined,
      productionVariants: variantOptions.map((options, i) => scaleToZero
        ? {
          ...renderVariant(options, undefined, options.initialWeight ?? 1),
          managedInstanceScaling: { status: 'ENABLED', minInstanceCount: 0, maxInstanceCount: scaleToZero.maxInstanceCount },
        }
        : renderVariant(options, this.variants[i].model, options.initialWeight ?? 1)),
      shadowProductionVariants: shadowOptions && this.shadow ? [renderVariant(shadowOptions, this.shadow.model,
        // A shadow gets a copy of the share of traffic its weight bears to the production variant's weight.
        ((shadowOptions.samplingPercentage ?? 100) / 100) * (primary.initialWeight ?? 1))] : undefined,
    });
    if (!this.encryptionKey) {
      const nvme = variantOptions.filter((v) => v.instanceType.spec?.hasLocalNvmeStorage).map((v) => v.instanceType.name);
      const unknown = variantOptions.filter((v) => !v.instanceType.spec).map((v) => v.instanceType.name);
      acknowledgeInHipaaAndNist(this.endpointConfig, 'SageMakerEndpointConfigurationKMSKeyConfigured', [
        nvme.length ? `${nvme.join(', ')}: local NVMe instance storage; SageMaker rejects KmsKeyId on such endpoint configs because ` +
          'the Nitro hardware module already encrypts those volumes at rest (AES-256).' : '',
        unknown.length ? `${unknown.join(', ')}: outside the catalog, so whether SageMaker accepts KmsKeyId is unknown; no key is set ` +
          'to avoid a failed deployment (give its facts with GpuInstanceType.of(name, spec) to get one where allowed).' : '',
      ].filter(Boolean).join(' '));
      // SM-002 knows NVMe types by family; a type declared with NVMe storage outside those families needs saying so.
      const allNvme = variantOptions.every((v) => v.instanceType.spec?.hasLocalNvmeStorage);
      const outsideRule = variantOptions.map((v) => v.instanceType).filter((t) => !(NVME_INSTANCE_FAMILIES as readonly string[]).includes(t.family));
      if (allNvme && outsideRule.length > 0) {
        acknowledge(this.endpointConfig, { [guardRuleAckId('SM-002')]: `${outsideRule.map((t) => t.name).join(', ')}: declared with local NVMe instance storage ` +
          '(GpuInstanceType.of(name, spec)); SageMaker rejects KmsKeyId on such endpoint configs, and the Nitro module encrypts the volume in hardware.' });
      }
    }

    this.rollbackAlarms = scaleToZero ? [] : this.variants.map((v) => new RollbackAlarms(this, `RollbackAlarms${v.variantName}`, {
      subject: `${this.endpointName}/${v.variantName}`,
      dimensions: { EndpointName: this.endpointName, VariantName: v.variantName, EndpointConfigName: this.endpointConfig.attrEndpointConfigName },
      specs: this.rollbackAlarmSpecs,
    }));
    if (this.role instanceof iam.Role) {
      // SageMaker reads the rollback alarms' state while it bakes a deployment. A policy of its
      // own, so the models (which wait for the role's default policy) do not wait for the alarms.
      this.alarmAccess = new iam.Policy(this, 'RollbackAlarmAccess', { roles: [this.role] });
      this.alarmAccess.addStatements(new iam.PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms'],
        resources: Lazy.list({ produce: () => this.allRollbackAlarms().map((a) => a.alarmArn) }),
      }));
      acknowledgeInHipaaAndNist(this.alarmAccess, 'IAMNoInlinePolicy', 'Allows only cloudwatch:DescribeAlarms on this endpoint\'s ' +
        'rollback alarms, for this endpoint\'s role alone.');
    }

    this.endpoint = new sagemaker.CfnEndpoint(this, 'Endpoint', {
      endpointName: this.endpointName,
      endpointConfigName: this.endpointConfig.attrEndpointConfigName,
      deploymentConfig: scaleToZero ? undefined : Lazy.any({
        produce: () => ({
          ...this.rollout.deploymentConfig,
          autoRollbackConfiguration: { alarms: this.allRollbackAlarms().map((a) => ({ alarmName: a.alarmName })) },
        }),
      }),
      tags: [
        ...this.variants.map((v) => ({ key: `model-version:${v.variantName}`, value: v.modelVersion.id })),
        ...(this.shadow ? [{ key: `shadow-version:${this.shadow.variantName}`, value: this.shadow.modelVersion.id }] : []),
      ],
    });
    if (this.alarmAccess) this.endpoint.node.addDependency(this.alarmAccess);
    this.endpointArn = this.endpoint.ref;
    if (scaleToZero) {
      const type = primary.instanceType;
      const accelerators = primary.tensorParallelDegree ?? type.spec?.gpuCount ?? 1;
      this.inferenceComponentName = inferenceComponentNameOf(this.endpointName);
      this.inferenceComponentScaling = new InferenceComponentScaling(this, 'ScaleToZero', {
        ...scaleToZero,
        inferenceComponentName: this.inferenceComponentName,
        endpointName: this.endpoint.attrEndpointName,
        variantName: primary.variantName,
        model: this.variants[0].model,
        acceleratorsPerCopy: accelerators,
        memoryPerCopyMb: Math.floor(scaleToZero.memoryPerCopy?.toMebibytes() ?? ((type.spec?.memoryGiB ?? 16) * 1024) / 2),
        copiesPerInstance: Math.max(1, Math.floor((type.spec?.gpuCount ?? accelerators) / accelerators)),
        rollbackAlarmSpecs: this.rollbackAlarmSpecs,
        allRollbackAlarms: () => this.allRollbackAlarms(),
      });
    }
    this.node.addValidation({
      validate: () => {
        const count = this.allRollbackAlarms().length;
        return count > MAX_ROLLBACK_ALARMS
          ? [`${count} rollback alarms: SageMaker's AutoRollbackConfiguration takes at most ${MAX_ROLLBACK_ALARMS}; add fewer with addRollbackAlarm()`]
          : [];
      },
    });
  }

  protected inferenceComponentArns(): string[] {
    return this.inferenceComponentName
      ? [Stack.of(this).formatArn({ service: 'sagemaker', resource: 'inference-component', resourceName: this.inferenceComponentName })]
      : [];
  }

  /** Every alarm that rolls a deployment back: the generated ones and those added with `addRollbackAlarm`. */
  public allRollbackAlarms(): cloudwatch.IAlarm[] {
    return [...this.rollbackAlarms.flatMap((r) => r.alarms), ...(this.inferenceComponentScaling?.rollbackAlarms.alarms ?? []), ...this.extraRollbackAlarms];
  }

  /**
   * Adds an alarm that rolls a deployment back (e.g. the safety gateway's error or block rate).
   * Its dimensions must not use this endpoint's attributes (use `endpointName`, a literal), or the
   * endpoint and the alarm would depend on each other.
   */
  public addRollbackAlarm(alarm: cloudwatch.IAlarm): void {
    this.extraRollbackAlarms.push(alarm);
  }

  /**
   * Autoscales a variant's instance count. The scaled capacity survives deploys
   * (`RetainAllVariantProperties`), and a `ScalingGuard` deregisters scaling before a change of
   * instance type, which SageMaker would otherwise refuse.
   */
  public autoScaleInstanceCount(props: InstanceCountScalingProps): ScalableInstanceCount {
    const variant = this.variant(props.variantName);
    const check = new PropValidation();
    check.wholeNumber('minCapacity', props.minCapacity, 1);
    check.wholeNumber('maxCapacity', props.maxCapacity, 1);
    if (props.minCapacity === 0) check.fail('minCapacity', 0, 'needs inference components to scale to zero: use scaleToZero on the model instead');
    if (props.minCapacity > variant.instanceCount) check.fail('minCapacity', props.minCapacity, `exceeds the initial instanceCount ${variant.instanceCount}: min ≤ initial ≤ max`);
    if (props.maxCapacity < variant.instanceCount) check.fail('maxCapacity', props.maxCapacity, `is below the initial instanceCount ${variant.instanceCount}: min ≤ initial ≤ max`);
    if (this.inferenceComponentScaling) check.fail('scaleToZero', 'set', 'already scales this endpoint: managed instance scaling and the component\'s copy count replace autoScaleInstanceCount');
    if (variant.variantName === this.defaultVariantName) {
      // With RetainAllVariantProperties the fleet a deployment shifts can be as small as minCapacity.
      const atMinimum = this.deploymentStrategy.bind({ ...this.rolloutFleet, instanceCount: props.minCapacity });
      for (const problem of atMinimum.problems) check.fail('minCapacity', props.minCapacity, `breaks the deployment strategy at the smallest fleet — ${problem}`);
    }
    if (this.scaling.has(variant.variantName)) check.fail('variantName', variant.variantName, 'is already autoscaled: call autoScaleInstanceCount once per variant');
    check.throwIfAny(this);

    // The id carries the instance type: a new type means new scaling resources, registered after the update.
    const typeId = pascalCase(variant.instanceType.name);
    const scaling = new ScalableInstanceCount(this, `InstanceCount${variant.variantName}${typeId}`, {
      resourceId: `endpoint/${this.endpoint.attrEndpointName}/variant/${variant.variantName}`,
      minCapacity: props.minCapacity,
      maxCapacity: props.maxCapacity,
      gpuCount: variant.instanceType.spec?.gpuCount,
      gpuUtilizationMetric: this.metricGpuUtilization({ variantName: variant.variantName }),
      alarmNamePrefix: `${this.endpointName}-${variant.variantName}-${typeId}`,
    });
    const guard = new ScalingGuard(this, `ScalingGuard${variant.variantName}`, {
      endpointName: this.endpointName,
      variantName: variant.variantName,
      instanceType: variant.instanceType.name,
      scaling: () => scaling.scalingSpec(),
    });
    this.endpoint.node.addDependency(guard);
    this.endpoint.retainAllVariantProperties = true;
    this.scaling.set(variant.variantName, scaling);
    return scaling;
  }

  /**
   * GPU utilization averaged per GPU (0–100 %). SageMaker publishes GPUUtilization summed over
   * the instance's GPUs (0–100 × GPU count); this divides by the variant's GPU count.
   */
  public metricGpuUtilizationPerGpu(options: MetricVariantOptions = {}): cloudwatch.IMetric {
    return perGpu(this.metricGpuUtilization(options), this.gpuCountOf(options.variantName), 'GPU utilization per GPU (%)');
  }

  /** GPU memory utilization averaged per GPU (0–100 %); see `metricGpuUtilizationPerGpu`. */
  public metricGpuMemoryUtilizationPerGpu(options: MetricVariantOptions = {}): cloudwatch.IMetric {
    return perGpu(this.metricGpuMemoryUtilization(options), this.gpuCountOf(options.variantName), 'GPU memory utilization per GPU (%)');
  }

  /** The deployed variant of that name (the first when not given). */
  public variant(variantName: string = this.defaultVariantName): DeployedVariant {
    const variant = this.variants.find((v) => v.variantName === variantName);
    if (!variant) throw new Error(`${this.node.path}: no variant named ${JSON.stringify(variantName)} (variants: ${this.variants.map((v) => v.variantName).join(', ')})`);
    return variant;
  }

  private gpuCountOf(variantName?: string): number {
    const type = this.variant(variantName).instanceType;
    if (!type.spec) throw new Error(`${this.node.path}: GPU count of ${type.name} is unknown: give its facts with GpuInstanceType.of(name, spec)`);
    return type.spec.gpuCount;
  }

  private validate(props: GpuInferenceEndpointProps, variants: ProductionVariantOptions[]): void {
    const check = new PropValidation();
    variants.forEach((v, i) => validateVariant(check, i === 0 ? '' : `additionalVariants[${i - 1}].`, v));
    const names = variants.map((v) => v.variantName);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) check.fail('variantName', name, 'is used by two variants: give each a unique name');
    });
    if (variants.length > 10) check.fail('additionalVariants', variants.length - 1, 'is too many: an endpoint has at most 10 production variants');
    if (!Token.isUnresolved(this.endpointName) && !/^[a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62}$/.test(this.endpointName)) {
      check.fail('endpointName', this.endpointName, 'must be ≤ 63 letters, digits and hyphens, starting and ending with a letter or digit');
    }
    check.inRange('latencyBudget (ms)', props.latencyBudget?.toMilliseconds(), 1, 60_000, ' ms: SageMaker gives a container at most 60 s per request');
    const nvme = variants.filter((v) => v.instanceType.spec?.hasLocalNvmeStorage).map((v) => v.instanceType.name);
    if (props.encryptionKey && nvme.length > 0) {
      check.fail('encryptionKey', props.encryptionKey.node.path, `cannot be used with ${nvme.join(', ')} (local NVMe storage, already ` +
        'hardware-encrypted): SageMaker rejects KmsKeyId there; remove encryptionKey or choose a type without instance storage');
    }
    for (const problem of this.rollout.problems) check.fail('deploymentStrategy', this.deploymentStrategy.kind, `— ${problem}`);
    check.inRange('maxErrorRate', props.maxErrorRate, 0.0001, 1);
    if (props.shadowVariant) {
      validateVariant(check, 'shadowVariant.', props.shadowVariant);
      check.inRange('shadowVariant.samplingPercentage', props.shadowVariant.samplingPercentage, 1, 100, ' %');
      if (names.includes(props.shadowVariant.variantName)) check.fail('shadowVariant.variantName', props.shadowVariant.variantName, 'is also a production variant: give the shadow its own name');
    }
    if (props.scaleToZero) {
      const stz = props.scaleToZero;
      check.wholeNumber('scaleToZero.maxInstanceCount', stz.maxInstanceCount, 1);
      if (stz.maxInstanceCount < (props.instanceCount ?? 1)) check.fail('scaleToZero.maxInstanceCount', stz.maxInstanceCount, `is below instanceCount ${props.instanceCount ?? 1}`);
      if (variants.length > 1 || props.shadowVariant) check.fail('scaleToZero', 'set', 'supports one variant only: remove additionalVariants and shadowVariant');
      if (props.deploymentStrategy) check.fail('deploymentStrategy', props.deploymentStrategy.kind, 'does not apply with scaleToZero: new versions roll out copy by copy on the inference component');
      check.inRange('scaleToZero.invocationsPerCopyPerMinute', stz.invocationsPerCopyPerMinute, 0.01, 1e6);
    }
    check.inRange('dataCapture.samplingPercentage', props.dataCapture?.samplingPercentage, 1, 100, ' %');
    if (props.securityGroups && !props.vpc) check.fail('securityGroups', props.securityGroups.length, 'need a vpc: set vpc as well');
    if (props.vpcSubnets && !props.vpc) check.fail('vpcSubnets', 'set', 'needs a vpc: set vpc as well');
    check.throwIfAny(this);
  }

  private createRole(path?: string): iam.Role {
    const role = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      path,
      description: `Execution role of the models behind SageMaker endpoint ${this.endpointName}`,
    });
    const stack = Stack.of(this);
    // The container writes to the endpoint's own log group (SageMaker Developer Guide, "CreateModel API: Execution Role Permissions").
    const logGroupArn = stack.formatArn({
      service: 'logs', resource: 'log-group', resourceName: `/aws/sagemaker/Endpoints/${this.endpointName}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
      resources: [logGroupArn, `${logGroupArn}:log-stream:*`],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'WriteOwnMetrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    }));
    acknowledge(role, {
      'AwsSolutions-IAM5[Resource::*]': 'ecr:GetAuthorizationToken, cloudwatch:PutMetricData and (in a VPC) the ec2:Describe* actions ' +
        'have no resource-level permissions; PutMetricData is limited to the /aws/sagemaker/* namespaces by condition.',
    });
    acknowledgeWildcardResource(role, `${logGroupArn}:log-stream:*`,
      'Log stream names are chosen by SageMaker per instance at run time; the wildcard stays inside this endpoint\'s own log group.');
    acknowledgeInHipaaAndNist(role, 'IAMNoInlinePolicy', 'The inline policy belongs to this single role and lists only the ' +
      'model artifacts, image repositories, log group and metric namespace of this endpoint; a managed policy would be reusable by other principals.');
    return role;
  }

  private vpcConfig(props: GpuInferenceEndpointProps): sagemaker.CfnModel.VpcConfigProperty | undefined {
    if (!props.vpc) return undefined;
    const securityGroups = props.securityGroups ?? [this.createSecurityGroup(props.vpc)];
    const subnets = props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    if (this.role instanceof iam.Role) {
      // SageMaker creates and deletes the network interfaces of the model containers in these subnets.
      const stack = Stack.of(this);
      const vpcArn = stack.formatArn({ service: 'ec2', resource: 'vpc', resourceName: props.vpc.vpcId });
      const interfaces = stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' });
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'CreateModelNetworkInterfaces',
        actions: ['ec2:CreateNetworkInterface'],
        resources: [
          interfaces,
          ...subnets.subnetIds.map((id) => stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: id })),
          ...securityGroups.map((sg) => stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: sg.securityGroupId })),
        ],
      }));
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'ManageModelNetworkInterfaces',
        actions: ['ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission'],
        resources: [interfaces],
        conditions: { ArnEquals: { 'ec2:Vpc': vpcArn } },
      }));
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'DescribeModelNetwork',
        // EC2 Describe* actions have no resource-level permissions.
        actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
        resources: ['*'],
      }));
      acknowledgeWildcardResource(this.role, interfaces, 'Network interface ids are assigned when SageMaker creates them; creation is ' +
        'limited to this endpoint\'s subnets and security groups, and changes to interfaces in this VPC.');
    }
    return { subnets: subnets.subnetIds, securityGroupIds: securityGroups.map((sg) => sg.securityGroupId) };
  }

  private createSecurityGroup(vpc: ec2.IVpc): ec2.SecurityGroup {
    const group = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `Model containers of ${this.endpointName}: outbound HTTPS only (S3, ECR through endpoints or NAT)`,
      allowAllOutbound: false,
    });
    group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to S3 and ECR');
    return group;
  }

  private createModel(id: string, options: ProductionVariantOptions, vpcConfig: sagemaker.CfnModel.VpcConfigProperty | undefined,
    networkIsolation: boolean): sagemaker.CfnModel {
    const version = options.modelVersion;
    version.store.grantRead(this.role, version);
    const image = options.image.bind(this, this.role);
    const gpus = options.tensorParallelDegree ?? options.instanceType.spec?.gpuCount;
    const model = new sagemaker.CfnModel(this, id, {
      executionRoleArn: this.role.roleArn,
      enableNetworkIsolation: networkIsolation,
      vpcConfig,
      primaryContainer: {
        image: image.imageUri,
        environment: { ...(gpus ? options.image.tensorParallelEnvironment(gpus) : {}), ...options.environment },
        ...(version.isUncompressed
          ? { modelDataSource: { s3DataSource: { s3Uri: version.s3Uri, s3DataType: 'S3Prefix', compressionType: 'None' } } }
          : { modelDataUrl: version.s3Uri }),
      },
      tags: Object.entries(version.lineageTags()).map(([key, value]) => ({ key, value })),
    });
    // The role's policy must exist before SageMaker validates access to the artifact and image.
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy) model.node.addDependency(policy);
    return model;
  }
}

function renderVariant(options: VariantOptions, model: sagemaker.CfnModel | undefined, weight: number): sagemaker.CfnEndpointConfig.ProductionVariantProperty {
  return {
    variantName: (options as ProductionVariantOptions).variantName,
    modelName: model?.attrModelName,
    instanceType: options.instanceType.name,
    initialInstanceCount: options.instanceCount ?? 1,
    initialVariantWeight: weight,
    volumeSizeInGb: options.volumeSize?.toGibibytes(),
    modelDataDownloadTimeoutInSeconds: options.modelDataDownloadTimeout?.toSeconds(),
    containerStartupHealthCheckTimeoutInSeconds: options.containerStartupHealthCheckTimeout?.toSeconds(),
    inferenceAmiVersion: options.inferenceAmiVersion ?? options.image.inferenceAmiVersion,
    routingConfig: { routingStrategy: options.routingStrategy ?? RoutingStrategy.LEAST_OUTSTANDING_REQUESTS },
  };
}
