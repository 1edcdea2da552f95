import { DescribeModelPackageCommand, ListModelPackagesCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { PlatformConfig } from '../lib/config/config-schema';
import { platformNames } from '../lib/config/platform-names';

/** A model version production will serve, as the registry stage registered it (lib/artifacts: customer metadata model, version, sha256). */
export interface RequiredApproval {
  readonly model: string;
  readonly version: string;
  readonly sha256: string;
}

/** The outcome for one version: why it may not be promoted (none: Approved). */
export interface ApprovalResult {
  readonly version: RequiredApproval;
  readonly modelPackageArn?: string;
  readonly failure?: string;
}

/** Every model version (served and shadow) the production stage will run. */
export function requiredApprovals(config: PlatformConfig, productionStage: string): RequiredApproval[] {
  const stage = config.stages[productionStage];
  if (!stage) throw new Error(`stage ${JSON.stringify(productionStage)} is not in the platform config (stages: ${Object.keys(config.stages).join(', ')})`);
  return Object.entries(stage.models).flatMap(([model, d]) => [d.version, ...(d.shadow ? [d.shadow.version] : [])]
    .filter((v, i, all) => all.indexOf(v) === i)
    .map((version) => ({ model, version, sha256: config.models[model].versions[version].sha256 })));
}

/** The model package group production's versions must be approved in: the model registry stage's. */
export function registryGroup(config: PlatformConfig): string {
  if (!config.pipeline) throw new Error('the platform config has no pipeline section, so no model registry stage');
  return platformNames.modelPackageGroup(config.name, config.pipeline.modelRegistryStage);
}

/**
 * Checks that each required version is registered in `group` and Approved: ListModelPackages
 * (newest first), DescribeModelPackage for each entry's metadata; the newest entry of a version
 * with the same SHA-256 decides (a re-registration after a rejection is a new entry).
 */
export async function checkModelApprovals(sagemaker: SageMakerClient, group: string, required: readonly RequiredApproval[]): Promise<ApprovalResult[]> {
  const found = new Map<string, { arn: string; status?: string }>();
  const key = (r: { model?: string; version?: string; sha256?: string }) => `${r.model}@${r.version}#${r.sha256}`;
  let nextToken: string | undefined;
  do {
    const page = await sagemaker.send(new ListModelPackagesCommand({
      ModelPackageGroupName: group, ModelPackageType: 'Versioned', SortBy: 'CreationTime', SortOrder: 'Descending', NextToken: nextToken, MaxResults: 100,
    }));
    for (const summary of page.ModelPackageSummaryList ?? []) {
      const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: summary.ModelPackageArn }));
      const k = key(described.CustomerMetadataProperties ?? {});
      if (!found.has(k)) found.set(k, { arn: summary.ModelPackageArn!, status: described.ModelApprovalStatus });
    }
    nextToken = page.NextToken;
  } while (nextToken);

  return required.map((version) => {
    const entry = found.get(key(version));
    const id = `${version.model}@${version.version} (sha256 ${version.sha256.slice(0, 12)}…)`;
    if (!entry) {
      return { version, failure: `${id} is not registered in model package group ${group}: the model registry stage registers the versions it serves, so deploy it there first` };
    }
    if (entry.status === 'Approved') return { version, modelPackageArn: entry.arn };
    const fix = entry.status === 'Rejected'
      ? 'it may not be promoted: serve an approved version in production instead'
      : `approve it after review: aws sagemaker update-model-package --model-package-arn ${entry.arn} --model-approval-status Approved (the approval starts the pipeline again)`;
    return { version, modelPackageArn: entry.arn, failure: `${id} is ${entry.status ?? 'without an approval status'} in ${group}: ${fix}` };
  });
}
