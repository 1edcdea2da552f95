import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Parsed template JSON: the analyses index into it freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** One resource of a template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Json;
  readonly Metadata?: Json;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** A CloudFormation template. */
export interface CfnTemplate {
  readonly Description?: string;
  readonly Metadata?: Json;
  readonly Resources: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, Json>;
}

/** One acknowledgement (`Validations.of(x).acknowledge`) as recorded in the assembly metadata. */
export interface Acknowledgement {
  /** The rule id as the validator reports it, e.g. `AwsSolutions-IAM5[Resource::*]`, `CloudFormation-Validate::SM_002`. */
  readonly ruleId: string;
  readonly reason: string;
  /** The construct the acknowledgement sits on. */
  readonly constructPath: string;
  /** The resource of that construct (or its default child), when it has one. */
  readonly logicalId?: string;
}

/** One stack of the assembly. */
export interface StackArtifact {
  readonly stackName: string;
  /** How the CLI selects it: `<stage>/<id>` for a stack in a CDK Stage (`cdk deploy inference-prod/chat`). */
  readonly displayName: string;
  /** Its template, relative to the assembly directory (nested assemblies: `assembly-<stage>/...`). */
  readonly templateFile: string;
  /** The stage: the stack's `stage` tag, else the stack name. */
  readonly stage: string;
  readonly region?: string;
  readonly account?: string;
  readonly tags: Record<string, string>;
  readonly template: CfnTemplate;
  readonly acknowledgements: Acknowledgement[];
  /** logical id → construct path (from the `aws:cdk:logicalId` metadata). */
  readonly constructPaths: Record<string, string>;
}

/** One violation or suppressed violation of validation-report.json. */
export interface ValidationFinding {
  readonly plugin: string;
  readonly ruleName: string;
  readonly description: string;
  readonly severity: string;
  readonly suppressed: boolean;
  readonly resources: Array<{ templatePath?: string; logicalId?: string; constructPath?: string }>;
}

export interface CloudAssembly {
  readonly directory: string;
  readonly stacks: StackArtifact[];
  readonly validationFindings: ValidationFinding[];
}

/** The error thrown for a missing or unsynthesized assembly. */
export class AssemblyNotFoundError extends Error {}

const ACK_TYPE = 'aws:cdk:acknowledged-rules';

function readJson(file: string): Json {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * Acknowledgements and logical ids from a stack's metadata. Since aws-cdk-lib 2.27x the stack
 * metadata lives in `<stack>.metadata.json` (the manifest's `additionalMetadataFile`), keyed by
 * construct path; acknowledgements are `aws:cdk:acknowledged-rules` entries whose data maps
 * `<Namespace>::<rule id>` to the reason.
 */
export function parseStackMetadata(metadata: Record<string, Array<{ type: string; data: Json }>>): {
  acknowledgements: Acknowledgement[];
  constructPaths: Record<string, string>;
} {
  const constructPaths: Record<string, string> = {};
  const logicalIdByPath: Record<string, string> = {};
  for (const [constructPath, entries] of Object.entries(metadata)) {
    for (const entry of entries) {
      if (entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') {
        constructPaths[entry.data] = constructPath;
        logicalIdByPath[constructPath] = entry.data;
      }
    }
  }
  const acknowledgements: Acknowledgement[] = [];
  for (const [constructPath, entries] of Object.entries(metadata)) {
    for (const entry of entries) {
      if (entry.type !== ACK_TYPE || typeof entry.data !== 'object' || entry.data === null) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        const logicalId = logicalIdByPath[constructPath] ?? logicalIdByPath[`${constructPath}/Resource`] ?? logicalIdByPath[`${constructPath}/Default`];
        acknowledgements.push({ ruleId: id.replace(/^Annotation::/, ''), reason: String(reason), constructPath, ...(logicalId ? { logicalId } : {}) });
      }
    }
  }
  acknowledgements.sort((a, b) => a.constructPath.localeCompare(b.constructPath) || a.ruleId.localeCompare(b.ruleId));
  return { acknowledgements, constructPaths };
}

/** Findings of validation-report.json (violations and suppressed ones), when the file exists. */
export function parseValidationReport(report: Json): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  for (const plugin of report?.pluginReports ?? []) {
    for (const [list, suppressed] of [[plugin.violations, false], [plugin.suppressedViolations, true]] as const) {
      for (const v of list ?? []) {
        findings.push({
          plugin: plugin.pluginName,
          ruleName: v.ruleName,
          description: v.description,
          severity: v.severity,
          suppressed,
          resources: (v.violatingConstructs ?? v.violatingResources ?? []).map((c: Json) => ({
            templatePath: c.cloudFormationResource?.templatePath ?? c.templatePath,
            logicalId: c.cloudFormationResource?.logicalId ?? c.resourceLogicalId,
            constructPath: c.constructPath,
          })),
        });
      }
    }
  }
  return findings;
}

/**
 * Reads a synthesized cloud assembly (cdk.out): every CloudFormation stack with its template,
 * tags, acknowledgements and logical-id → construct-path map, and the validation report. Stacks
 * of CDK Stages live in nested assemblies (`assembly-<stage>/`, a `cdk:cloud-assembly` artifact
 * of the manifest): they are read too, so the report covers every stack that `cdk deploy` would.
 */
export function loadCloudAssembly(directory: string): CloudAssembly {
  if (!existsSync(directory)) {
    throw new AssemblyNotFoundError(`No cloud assembly at ${directory}: run npm run synth first.`);
  }
  if (!existsSync(path.join(directory, 'manifest.json'))) {
    throw new AssemblyNotFoundError(`${directory} has no manifest.json, so it is not a synthesized cloud assembly: run npm run synth first.`);
  }
  const stacks = readStacks(directory, '');
  if (stacks.length === 0) {
    throw new AssemblyNotFoundError(`${directory} holds no CloudFormation stacks: run npm run synth first.`);
  }
  stacks.sort((a, b) => a.stackName.localeCompare(b.stackName));
  const reportFile = path.join(directory, 'validation-report.json');
  const validationFindings = existsSync(reportFile) ? parseValidationReport(readJson(reportFile)) : [];
  return { directory, stacks, validationFindings };
}

/** The stacks of the assembly in `root/relative` and of the assemblies nested in it. */
function readStacks(root: string, relative: string): StackArtifact[] {
  const directory = path.join(root, relative);
  const manifestFile = path.join(directory, 'manifest.json');
  if (!existsSync(manifestFile)) throw new AssemblyNotFoundError(`${manifestFile} is missing from the cloud assembly: run npm run synth first.`);
  const manifest = readJson(manifestFile);
  const stacks: StackArtifact[] = [];
  for (const [artifactId, artifact] of Object.entries(manifest.artifacts ?? {}) as Array<[string, Json]>) {
    if (artifact.type === 'cdk:cloud-assembly') {
      stacks.push(...readStacks(root, path.join(relative, artifact.properties?.directoryName ?? artifactId)));
      continue;
    }
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = path.join(relative, artifact.properties?.templateFile ?? `${artifactId}.template.json`);
    if (!existsSync(path.join(root, templateFile))) {
      throw new AssemblyNotFoundError(`${path.join(root, templateFile)} is missing from the cloud assembly: run npm run synth first.`);
    }
    let metadata: Record<string, Array<{ type: string; data: Json }>> = artifact.metadata ?? {};
    if (artifact.additionalMetadataFile && existsSync(path.join(directory, artifact.additionalMetadataFile))) {
      metadata = { ...metadata, ...readJson(path.join(directory, artifact.additionalMetadataFile)) };
    }
    const tags: Record<string, string> = artifact.properties?.tags ?? {};
    const env = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '');
    const stackName = artifact.properties?.stackName ?? artifact.displayName ?? artifactId;
    stacks.push({
      stackName,
      displayName: artifact.displayName ?? artifactId,
      templateFile,
      stage: tags.stage ?? stackName,
      region: env && !env[2].startsWith('unknown') ? env[2] : undefined,
      account: env && !env[1].startsWith('unknown') ? env[1] : undefined,
      tags,
      template: readJson(path.join(root, templateFile)),
      ...parseStackMetadata(metadata),
    });
  }
  return stacks;
}
