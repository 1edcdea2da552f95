import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, AppProps, Stack, StackProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ModelArtifactStore, ModelArtifactStoreProps } from '../../lib/artifacts/model-artifact-store';
import { ModelVersion, ModelVersionProps } from '../../lib/artifacts/model-version';
import { buildPlatformApp } from '../../lib/platform/platform-app';
import { PlatformConfigError, parsePlatformConfig } from '../../lib/config/load-config';
import type { PlatformConfig } from '../../lib/config/config-schema';

/** Parsed JSON of a template or config: tests index into it freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** The repository root (test/helpers/../..). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The feature flags and validator settings of cdk.json, so tests synthesize as `cdk synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')).context;
}

/**
 * Turns aws-cdk-lib's built-in template validator back on for the apps this test file
 * synthesizes (test/template-validation-setup.ts turns it off per file, for speed). Call it at the
 * top of a file whose tests are about what the validator reports.
 */
export function enableTemplateValidation(): void {
  delete process.env.CDK_VALIDATION;
}

/**
 * A stack in an app with the project's cdk.json context (feature flags, validator findings as
 * errors). The validator itself runs only where a file enables it (`enableTemplateValidation`).
 */
export function newStack(props: StackProps = {}, appProps: AppProps = {}): Stack {
  const app = new App({ ...appProps, context: { ...cdkJsonContext(), ...appProps.context } });
  return new Stack(app, 'TestStack', props);
}

export const SHA256 = '9f2c4d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f10';
export const COMMIT = '4e1f0c2a9b7d';

/** Valid model version props: an 8B bf16 model as a tar.gz, with lineage. */
export function versionProps(overrides: Partial<ModelVersionProps> = {}): ModelVersionProps {
  return {
    modelName: 'chat',
    version: '1.0.0',
    s3Key: 'chat/1.0.0/model.tar.gz',
    sha256: SHA256,
    trainingDataUri: 's3://datasets/chat/2026-09-30/',
    sourceCommit: COMMIT,
    evaluationMetrics: { mmlu: 0.8 },
    parameterCount: 8e9,
    precision: 'bf16',
    ...overrides,
  };
}

export interface StoreFixture {
  readonly stack: Stack;
  readonly store: ModelArtifactStore;
  readonly modelVersion: ModelVersion;
}

/** A stack with an artifact store holding one model version. */
export function storeWithVersion(options: {
  stack?: Stack;
  storeProps?: ModelArtifactStoreProps;
  version?: Partial<ModelVersionProps>;
} = {}): StoreFixture {
  const stack = options.stack ?? newStack();
  const store = new ModelArtifactStore(stack, 'Store', options.storeProps);
  const modelVersion = store.addModelVersion(versionProps(options.version));
  return { stack, store, modelVersion };
}

/** The message of the error `fn` throws; fails the test when it does not throw. */
export function errorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a thrown error, but the call returned normally');
}

/** The reference platform config, parsed and validated. */
export function referenceConfig(): PlatformConfig {
  return parsePlatformConfig(readFileSync(path.join(REPO_ROOT, 'config/platform.json'), 'utf8'), 'config/platform.json');
}

/** The problems the config loader reports for the reference config after `edit`; fails the test when it parses. */
export function configProblemsAfter(edit: (config: Record<string, Json>) => void): string[] {
  const config = referenceConfigJson();
  edit(config);
  try {
    parsePlatformConfig(JSON.stringify(config), 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(PlatformConfigError);
    return (error as PlatformConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

/** The reference config as plain JSON, for tests that break it on purpose. */
export function referenceConfigJson(): Record<string, Json> {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, 'config/platform.json'), 'utf8'));
}

/**
 * The reference platform app exactly as `cdk synth` builds it: the cdk.json context (feature
 * flags, validator rules as errors) and the three cdk-nag packs that `buildPlatformApp` adds.
 */
export function referencePlatformApp(outdir?: string): App {
  return buildPlatformApp(referenceConfig(), { context: cdkJsonContext(), ...(outdir ? { outdir } : {}) });
}

/** Every stack of the app, also those of its stages (the platform's stacks are in one Stage per stage). */
export function stacksOf(app: App): Stack[] {
  return app.node.findAll().filter(Stack.isStack);
}

/** Templates of every stack in the app, by stack name. */
export function templatesOf(app: App): Record<string, Template> {
  const templates: Record<string, Template> = {};
  for (const stack of stacksOf(app)) templates[stack.stackName] = Template.fromStack(stack);
  return templates;
}

/** The reference platform's stacks, by stack name: a shared stack per stage and a stack per model. */
export const REFERENCE_STACKS = [
  'inference-prod', 'inference-prod-chat', 'inference-prod-embed', 'inference-staging', 'inference-staging-chat', 'inference-staging-embed',
];

/** Every statement of a policy document (a single statement is normalised to a list). */
export function statementsOf(document: { Statement?: unknown } | undefined): Array<Record<string, Json>> {
  const statements = document?.Statement;
  if (statements === undefined) return [];
  return (Array.isArray(statements) ? statements : [statements]) as Array<Record<string, Json>>;
}

/** A field that may be one value or a list, as a list. */
export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every IAM statement attached to principals in a template: AWS::IAM::Policy, managed policies and role inline policies. */
export function principalStatements(template: Template): Array<{ source: string; statement: Record<string, Json> }> {
  const found: Array<{ source: string; statement: Record<string, Json> }> = [];
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: Json }>;
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      for (const statement of statementsOf(resource.Properties?.PolicyDocument)) found.push({ source: logicalId, statement });
    }
    if (resource.Type === 'AWS::IAM::Role' || resource.Type === 'AWS::IAM::User' || resource.Type === 'AWS::IAM::Group') {
      for (const policy of asList(resource.Properties?.Policies) as Array<{ PolicyName: string; PolicyDocument: unknown }>) {
        for (const statement of statementsOf(policy.PolicyDocument as { Statement?: unknown })) {
          found.push({ source: `${logicalId}/${policy.PolicyName}`, statement });
        }
      }
    }
  }
  return found;
}

/** The statements of a template's IAM policies that allow `action`. */
export function statementsAllowing(template: Template, action: string): Array<Record<string, Json>> {
  return principalStatements(template)
    .map((s) => s.statement)
    .filter((s) => s.Effect === 'Allow' && asList<string>(s.Action).includes(action));
}

/** The acknowledgements (rule id → reason) recorded on a construct with `Validations.acknowledge`. */
export function acknowledgementsOn(construct: { node: { metadata: Array<{ type: string; data: Json }> } }): Record<string, string> {
  const acks: Record<string, string> = {};
  for (const entry of construct.node.metadata) {
    if (entry.type === 'aws:cdk:acknowledged-rules') Object.assign(acks, entry.data);
  }
  return acks;
}
