import type { CfnTemplate, CloudAssembly, Json, StackArtifact, TemplateResource } from './cloud-assembly';

/** The stacks of one stage, read as one template, so every analysis sees the stage whole. */
export interface StageView extends StackArtifact {
  /** The stage's stacks, the shared stack first. */
  readonly stacks: StackArtifact[];
}

/** Metadata keys whose lists are the union over the stage's templates. */
const MERGED_METADATA = ['CdkInferencePlatform::ModelLineage'];

/**
 * One view per stage (the `stage` tag): a stage of one stack is that stack; a stage of several
 * is their union, each logical id prefixed with its stack (`inference-prod-chat.ChatEndpointA3409770`,
 * the notation `cdk refactor` uses) so ids that repeat across stacks stay apart, and each
 * `Fn::GetStackOutput` of another stack of the assembly replaced by the output's value. So a
 * model stack's alarm that notifies the shared stack's topic reads as a reference to that topic,
 * as it does at deploy time.
 */
export function stageViews(assembly: CloudAssembly): StageView[] {
  const stages = [...new Set(assembly.stacks.map((s) => s.stage))];
  return stages.map((stage) => {
    const stacks = assembly.stacks.filter((s) => s.stage === stage)
      .sort((a, b) => Number(a.tags.model !== undefined) - Number(b.tags.model !== undefined) || a.stackName.localeCompare(b.stackName));
    return stacks.length === 1 ? { ...stacks[0], stacks } : merge(stacks, assembly);
  });
}

function merge(stacks: StackArtifact[], assembly: CloudAssembly): StageView {
  const primary = stacks[0];
  const prefixed = (stack: StackArtifact, id: string) => `${stack.stackName}.${id}`;
  const resources: Record<string, TemplateResource> = {};
  const outputs: Record<string, Json> = {};
  const metadata: Record<string, Json[]> = {};
  const constructPaths: Record<string, string> = {};
  for (const stack of stacks) {
    const rewrite = (value: Json): Json => rewriteReferences(value, stack, (id) => prefixed(stack, id), assembly);
    for (const [id, resource] of Object.entries(stack.template.Resources)) {
      resources[prefixed(stack, id)] = rewrite(resource);
    }
    for (const [id, output] of Object.entries(stack.template.Outputs ?? {})) outputs[prefixed(stack, id)] = rewrite(output);
    for (const key of MERGED_METADATA) {
      const entries = stack.template.Metadata?.[key];
      if (Array.isArray(entries)) metadata[key] = [...(metadata[key] ?? []), ...entries];
    }
    for (const [id, constructPath] of Object.entries(stack.constructPaths)) constructPaths[prefixed(stack, id)] = constructPath;
  }
  const template: CfnTemplate = { Description: primary.template.Description, Metadata: metadata, Resources: resources, Outputs: outputs };
  return {
    ...primary,
    displayName: primary.displayName.includes('/') ? `${primary.displayName.split('/')[0]}/*` : primary.displayName,
    template,
    constructPaths,
    acknowledgements: stacks.flatMap((s) => s.acknowledgements.map((a) => (a.logicalId ? { ...a, logicalId: prefixed(s, a.logicalId) } : a))),
    stacks,
  };
}

/**
 * The value with its `Ref`, `Fn::GetAtt`, `Fn::Sub` and `DependsOn` references renamed, and
 * `Fn::GetStackOutput` of a stack of the assembly replaced by that output's (renamed) value.
 */
function rewriteReferences(value: Json, stack: StackArtifact, rename: (id: string) => string, assembly: CloudAssembly): Json {
  const isResource = (id: unknown): id is string => typeof id === 'string' && id in stack.template.Resources;
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    if (isResource(v.Ref)) return { Ref: rename(v.Ref) };
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt) && isResource(getAtt[0])) return { 'Fn::GetAtt': [rename(getAtt[0]), ...getAtt.slice(1).map(walk)] };
    if (typeof getAtt === 'string' && isResource(getAtt.split('.')[0])) return { 'Fn::GetAtt': [rename(getAtt.split('.')[0]), ...getAtt.split('.').slice(1)] };
    const output = v['Fn::GetStackOutput'];
    if (output && typeof output.StackName === 'string' && typeof output.OutputName === 'string') {
      const producer = assembly.stacks.find((s) => s.stackName === output.StackName);
      const produced = producer?.template.Outputs?.[output.OutputName]?.Value;
      if (producer && produced !== undefined) return rewriteReferences(produced, producer, (id) => `${producer.stackName}.${id}`, assembly);
    }
    const out: Record<string, Json> = {};
    for (const [key, inner] of Object.entries(v)) {
      if (key === 'Fn::Sub') out[key] = Array.isArray(inner) ? [renameInSub(inner[0], isResource, rename), walk(inner[1])] : renameInSub(inner, isResource, rename);
      else if (key === 'DependsOn') out[key] = Array.isArray(inner) ? inner.map((d: string) => (isResource(d) ? rename(d) : d)) : (isResource(inner) ? rename(inner) : inner);
      else out[key] = walk(inner);
    }
    return out;
  };
  return walk(value);
}

function renameInSub(template: Json, isResource: (id: unknown) => id is string, rename: (id: string) => string): Json {
  if (typeof template !== 'string') return template;
  return template.replace(/\$\{([^}.!]+)((?:\.[^}]+)?)\}/g, (all, id: string, attr: string) => (isResource(id) ? `\${${rename(id)}${attr}}` : all));
}
