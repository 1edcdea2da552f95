import type { Json, StackArtifact } from './cloud-assembly';
import { resourcesOfType, tagsOf } from './template-values';

/** Model version → artifact sha256 → training data → source commit → evaluation metrics. */
export interface LineageRow {
  readonly model: string;
  readonly version: string;
  readonly artifactKey: string;
  readonly sha256: string;
  readonly trainingData: string;
  readonly sourceCommit: string;
  readonly evaluationMetrics: Record<string, number | string>;
  /** SageMaker Model resources that serve this version (matched by their `lineage:*` tags). */
  readonly servedBy: string[];
  /** Endpoints whose variants serve it (`model-version:<variant>` tags). */
  readonly endpoints: string[];
  /** Whether the bucket manifest and the Model's tags agree. */
  readonly consistent: boolean;
}

/**
 * Lineage from the `CdkInferencePlatform::ModelLineage` manifests (on the artifact bucket of a
 * store that owns its bucket; in the template's Metadata where a stack uses a store of another
 * stack) and the Models' `lineage:*` tags.
 */
export function analyseLineage(stack: StackArtifact): LineageRow[] {
  const t = stack.template;
  const rows: LineageRow[] = [];
  const models = resourcesOfType(t, 'AWS::SageMaker::Model').map(([id, r]) => ({ id, tags: tagsOf(r) }));
  const endpoints = resourcesOfType(t, 'AWS::SageMaker::Endpoint').map(([id, r]) => ({ id, name: String(r.Properties?.EndpointName ?? id), tags: tagsOf(r) }));
  const seen = new Set<string>();
  const manifests = [t.Metadata?.['CdkInferencePlatform::ModelLineage'] ?? [], ...Object.values(t.Resources).map((r) => r.Metadata?.['CdkInferencePlatform::ModelLineage'] ?? [])];
  for (const manifest of manifests) {
    for (const entry of manifest as Json[]) {
      const key = `${entry.modelName}@${entry.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const served = models.filter((m) => m.tags['lineage:model'] === entry.modelName && m.tags['lineage:version'] === entry.version);
      rows.push({
        model: entry.modelName, version: entry.version, artifactKey: entry.artifactKey, sha256: entry.sha256,
        trainingData: entry.trainingDataUri, sourceCommit: entry.sourceCommit, evaluationMetrics: entry.evaluationMetrics ?? {},
        servedBy: served.map((m) => m.id),
        endpoints: endpoints.filter((e) => Object.entries(e.tags).some(([k, v]) => k.startsWith('model-version:') && v === key)).map((e) => e.name),
        consistent: served.every((m) => m.tags['lineage:sha256'] === entry.sha256 && m.tags['lineage:source-commit'] === entry.sourceCommit),
      });
    }
  }
  for (const m of models) {
    const key = `${m.tags['lineage:model']}@${m.tags['lineage:version']}`;
    if (!m.tags['lineage:model'] || seen.has(key)) continue;
    seen.add(key);
    rows.push({
      model: m.tags['lineage:model'], version: m.tags['lineage:version'], artifactKey: '(not in an artifact manifest)',
      sha256: m.tags['lineage:sha256'] ?? '', trainingData: m.tags['lineage:training-data'] ?? '', sourceCommit: m.tags['lineage:source-commit'] ?? '',
      evaluationMetrics: m.tags['lineage:evaluation'] ? { summary: m.tags['lineage:evaluation'] } : {}, servedBy: [m.id],
      endpoints: endpoints.filter((e) => Object.values(e.tags).includes(key)).map((e) => e.name), consistent: true,
    });
  }
  return rows;
}
