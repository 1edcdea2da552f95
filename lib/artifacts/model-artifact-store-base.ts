import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../compliance/acknowledge';
import { ModelVersion, ModelVersionProps, modelVersionProblems } from './model-version';

/** A store of model artifacts: the bucket and the key that encrypts it. */
export interface IModelArtifactStore {
  readonly bucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
  /** Grants read access to one model version's objects, and nothing else in the store. */
  grantRead(grantee: iam.IGrantable, modelVersion: ModelVersion): iam.Grant;
}

/**
 * The approval status a model version is registered with. `PendingManualApproval` (the default)
 * makes a reviewer approve it in the model registry before a promotion pipeline deploys it further;
 * `Approved` records a version that needs no further gate.
 */
export type RegistrationApprovalStatus = 'Approved' | 'PendingManualApproval';

/** Metadata key of the lineage manifest, for auditors reading the template. */
export const LINEAGE_MANIFEST_METADATA_KEY = 'CdkInferencePlatform::ModelLineage';

/**
 * What every artifact store does with model versions, whether it owns its bucket or refers to
 * one defined in another stack: validate and record each version's lineage, register it in the
 * model package group, grant read access to exactly its objects.
 */
export abstract class ModelArtifactStoreBase extends Construct implements IModelArtifactStore {
  public abstract readonly bucket: s3.IBucket;
  public abstract readonly encryptionKey: kms.IKey;
  /** Name or ARN of the model package group versions are registered in; none: no registry. */
  protected abstract readonly registry?: string;
  /** The approval status new registry entries start with (see `RegistrationApprovalStatus`). */
  protected abstract readonly registrationStatus: RegistrationApprovalStatus;
  private readonly versions = new Map<string, ModelVersion>();
  private lastRegisteredPackage?: sagemaker.CfnModelPackage;

  /**
   * Adds a model version to the store: validates its lineage, records it in the template's
   * lineage manifest, and registers it in the model package group when there is one.
   */
  public addModelVersion(props: ModelVersionProps): ModelVersion {
    const problems = modelVersionProblems(props);
    const modelVersion = new ModelVersion(this, props);
    if (this.versions.has(modelVersion.id)) problems.push(`${modelVersion.id} is already in this store: give the new artifact a new version`);
    if (problems.length > 0) {
      throw new Error(`${this.node.path}: invalid model version ${modelVersion.id}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    }
    this.versions.set(modelVersion.id, modelVersion);
    if (this.registry) this.register(modelVersion, this.registry);
    return modelVersion;
  }

  /** Every model version added so far, in the order added. */
  public get modelVersions(): ModelVersion[] {
    return [...this.versions.values()];
  }

  public grantRead(grantee: iam.IGrantable, modelVersion: ModelVersion): iam.Grant {
    if (modelVersion.store !== this) {
      throw new Error(`${this.node.path}: cannot grant read on ${modelVersion.id}: it belongs to another artifact store`);
    }
    // An uncompressed model is every object under its prefix; a tar.gz is one object.
    const objects = modelVersion.isUncompressed ? `${modelVersion.s3Key}*` : modelVersion.s3Key;
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resourceArns: [this.bucket.arnForObjects(objects)],
    });
    if (modelVersion.isUncompressed) {
      if (grant.principalStatement && grantee.grantPrincipal instanceof iam.Role) {
        acknowledgeWildcardResource(grantee.grantPrincipal, this.bucket.arnForObjects(objects),
          `${modelVersion.id} is an uncompressed model: SageMaker reads every object under its prefix ${modelVersion.s3Key}, and only those.`);
      }
      // SageMaker lists the prefix to download an uncompressed model.
      grant.combine(iam.Grant.addToPrincipal({
        grantee,
        actions: ['s3:ListBucket'],
        resourceArns: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${modelVersion.s3Key}*`] } },
      }));
    }
    grant.combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:Decrypt'],
      resourceArns: [this.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.${Stack.of(this).urlSuffix}` } },
    }));
    return grant;
  }

  private register(modelVersion: ModelVersion, group: string): void {
    const lineage = modelVersion.lineage;
    const metadata: Record<string, string> = {
      model: lineage.modelName,
      version: lineage.version,
      sha256: lineage.sha256,
      trainingData: lineage.trainingDataUri.slice(0, 256),
      sourceCommit: lineage.sourceCommit,
    };
    for (const [metric, value] of Object.entries(lineage.evaluationMetrics).slice(0, 40)) metadata[`metric.${metric}`] = String(value);
    const modelPackage = new sagemaker.CfnModelPackage(this, `Package-${modelVersion.modelName}-${modelVersion.version}`, {
      modelPackageGroupName: group,
      modelPackageDescription: `${modelVersion.id} (sha256 ${modelVersion.sha256})`,
      modelApprovalStatus: this.registrationStatus,
      sourceUri: modelVersion.s3Uri,
      customerMetadataProperties: metadata,
    });
    // The registry numbers versions in creation order; keep it the order they were added.
    if (this.lastRegisteredPackage) modelPackage.node.addDependency(this.lastRegisteredPackage);
    this.lastRegisteredPackage = modelPackage;
  }
}
