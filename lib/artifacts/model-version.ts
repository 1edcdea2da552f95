import type { IModelArtifactStore } from './model-artifact-store-base';
import type { ServingPrecision } from '../endpoint/model-fit';

/** What an artifact is and where it came from: everything an auditor needs to trace a model. */
export interface ModelVersionProps {
  /** Model name, e.g. `chat-llm`. Letters, digits and hyphens (SageMaker's naming rule), ≤ 63 characters. */
  readonly modelName: string;
  /** Version label, e.g. `1.4.0`. Letters, digits, `.`, `_` and `-`, ≤ 64 characters. */
  readonly version: string;
  /**
   * S3 key of the artifact in the store. A key ending in `/` is an uncompressed model (an S3
   * prefix, what large LLMs use); any other key is a `model.tar.gz` object.
   */
  readonly s3Key: string;
  /** Lower-case hex SHA-256 of the artifact (of its manifest file for an uncompressed prefix). */
  readonly sha256: string;
  /** Where the training data lives, e.g. `s3://datasets/chat/2026-10/`. */
  readonly trainingDataUri: string;
  /** The git commit of the training code, 7–40 hex characters. */
  readonly sourceCommit: string;
  /**
   * Evaluation metrics of this version, by name.
   * @default - none
   */
  readonly evaluationMetrics?: Record<string, number>;
  /**
   * Number of parameters, to check at synth time that the model fits the GPU.
   * @default - no fit check
   */
  readonly parameterCount?: number;
  /**
   * Precision the weights are served at.
   * @default 'bf16'
   */
  readonly precision?: ServingPrecision;
}

/** The lineage record of one model version, as written to tags, the manifest and the registry. */
export interface ModelLineage {
  readonly modelName: string;
  readonly version: string;
  /** S3 key of the artifact in its store's bucket. */
  readonly artifactKey: string;
  readonly sha256: string;
  readonly trainingDataUri: string;
  readonly sourceCommit: string;
  readonly evaluationMetrics: Record<string, number>;
}

const NAME = /^[a-zA-Z0-9](?:-?[a-zA-Z0-9])*$/;
const VERSION = /^[A-Za-z0-9][\w.-]{0,63}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const COMMIT = /^[0-9a-f]{7,40}$/;
const DATA_URI = /^(?:s3|https):\/\/\S+$/;

/**
 * Checks version props and returns one message per problem (field, value, fix); empty when valid.
 * Pure, so the config validator and the construct share it.
 */
export function modelVersionProblems(props: ModelVersionProps): string[] {
  const problems: string[] = [];
  const bad = (field: keyof ModelVersionProps, fix: string) =>
    problems.push(`${field}: ${JSON.stringify(props[field])} ${fix}`);
  if (!NAME.test(props.modelName) || props.modelName.length > 63) bad('modelName', 'must be letters, digits and single hyphens, ≤ 63 characters');
  if (!VERSION.test(props.version)) bad('version', 'must start with a letter or digit and use only letters, digits, ".", "_" and "-", ≤ 64 characters');
  if (props.s3Key.length === 0 || props.s3Key.startsWith('/') || props.s3Key.length > 1024) bad('s3Key', 'must be a non-empty S3 key without a leading "/", ≤ 1024 characters');
  if (!SHA256.test(props.sha256)) bad('sha256', 'must be 64 lower-case hex characters (the output of `sha256sum`)');
  if (!DATA_URI.test(props.trainingDataUri)) bad('trainingDataUri', 'must be an s3:// or https:// URI');
  if (!COMMIT.test(props.sourceCommit)) bad('sourceCommit', 'must be a git commit: 7–40 lower-case hex characters');
  for (const [metric, value] of Object.entries(props.evaluationMetrics ?? {})) {
    if (!Number.isFinite(value)) problems.push(`evaluationMetrics.${metric}: ${JSON.stringify(value)} must be a finite number`);
  }
  if (props.parameterCount !== undefined && !(Number.isFinite(props.parameterCount) && props.parameterCount > 0)) {
    bad('parameterCount', 'must be a positive number, e.g. 8e9 for an 8B model');
  }
  return problems;
}

/**
 * One immutable, traceable model artifact in a `ModelArtifactStore`.
 * Create it with `store.addModelVersion(...)`.
 */
export class ModelVersion {
  public readonly modelName: string;
  public readonly version: string;
  public readonly s3Key: string;
  public readonly sha256: string;
  public readonly trainingDataUri: string;
  public readonly sourceCommit: string;
  public readonly evaluationMetrics: Record<string, number>;
  public readonly parameterCount?: number;
  public readonly precision: ServingPrecision;

  /** @internal use `store.addModelVersion` */
  constructor(
    /** The store that holds the artifact. */
    public readonly store: IModelArtifactStore,
    props: ModelVersionProps,
  ) {
    this.modelName = props.modelName;
    this.version = props.version;
    this.s3Key = props.s3Key;
    this.sha256 = props.sha256;
    this.trainingDataUri = props.trainingDataUri;
    this.sourceCommit = props.sourceCommit;
    this.evaluationMetrics = { ...props.evaluationMetrics };
    this.parameterCount = props.parameterCount;
    this.precision = props.precision ?? 'bf16';
  }

  /** `name@version`, how logs, tags and errors refer to this version. */
  public get id(): string {
    return `${this.modelName}@${this.version}`;
  }

  /** Whether the artifact is an uncompressed S3 prefix rather than a `model.tar.gz` object. */
  public get isUncompressed(): boolean {
    return this.s3Key.endsWith('/');
  }

  /** `s3://bucket/key` of the artifact. */
  public get s3Uri(): string {
    return this.store.bucket.s3UrlForObject(this.s3Key);
  }

  /** The lineage record an auditor reads. */
  public get lineage(): ModelLineage {
    return {
      modelName: this.modelName,
      version: this.version,
      artifactKey: this.s3Key,
      sha256: this.sha256,
      trainingDataUri: this.trainingDataUri,
      sourceCommit: this.sourceCommit,
      evaluationMetrics: this.evaluationMetrics,
    };
  }

  /**
   * Lineage as SageMaker resource tags (≤ 256 characters per value). Evaluation metrics are
   * summarised in one tag; the full record is in the template's lineage manifest.
   */
  public lineageTags(): Record<string, string> {
    const metrics = Object.entries(this.evaluationMetrics).map(([k, v]) => `${k}=${v}`).join(' ');
    return {
      'lineage:model': this.modelName,
      'lineage:version': this.version,
      'lineage:sha256': this.sha256,
      'lineage:training-data': this.trainingDataUri.slice(0, 256),
      'lineage:source-commit': this.sourceCommit,
      ...(metrics ? { 'lineage:evaluation': metrics.slice(0, 256) } : {}),
    };
  }
}
