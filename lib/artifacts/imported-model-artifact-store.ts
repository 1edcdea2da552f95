import { Lazy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LINEAGE_MANIFEST_METADATA_KEY, ModelArtifactStoreBase, RegistrationApprovalStatus } from './model-artifact-store-base';

/** An artifact store defined in another stack, by its physical names. */
export interface ModelArtifactStoreAttributes {
  readonly bucketName: string;
  readonly encryptionKeyArn: string;
  /**
   * The store's model package group (name or ARN): versions added here are registered in it.
   * @default - no registry
   */
  readonly modelPackageGroupName?: string;
  /**
   * The approval status model versions are registered with.
   * @default 'PendingManualApproval'
   */
  readonly modelApprovalStatus?: RegistrationApprovalStatus;
}

/** Stores imported into a stack, whose versions the stack's lineage manifest lists. */
const importedStores = new WeakMap<Stack, ImportedModelArtifactStore[]>();

/**
 * An artifact store owned by another stack (e.g. a stage's shared stack), used where the models
 * are: versions added here are validated, granted and registered in this stack, and their
 * lineage goes into this template's `Metadata` (`CdkInferencePlatform::ModelLineage`), since the
 * bucket that carries the manifest in the owning stack is not this stack's to change. A new
 * model version therefore changes only the stack that serves it.
 */
export class ImportedModelArtifactStore extends ModelArtifactStoreBase {
  public readonly bucket: s3.IBucket;
  public readonly encryptionKey: kms.IKey;
  protected readonly registry?: string;
  protected readonly registrationStatus: RegistrationApprovalStatus;

  constructor(scope: Construct, id: string, attrs: ModelArtifactStoreAttributes) {
    super(scope, id);
    this.bucket = s3.Bucket.fromBucketName(this, 'Bucket', attrs.bucketName);
    this.encryptionKey = kms.Key.fromKeyArn(this, 'Key', attrs.encryptionKeyArn);
    this.registry = attrs.modelPackageGroupName;
    this.registrationStatus = attrs.modelApprovalStatus ?? 'PendingManualApproval';
    const stack = Stack.of(this);
    if (!importedStores.has(stack)) {
      importedStores.set(stack, []);
      const stores = importedStores.get(stack)!;
      stack.templateOptions.metadata = {
        ...stack.templateOptions.metadata,
        [LINEAGE_MANIFEST_METADATA_KEY]: Lazy.any({ produce: () => stores.flatMap((s) => s.modelVersions.map((v) => v.lineage)) }, { omitEmptyArray: true }),
      };
    }
    importedStores.get(stack)!.push(this);
  }
}
