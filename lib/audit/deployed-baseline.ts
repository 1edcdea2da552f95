import type { CfnTemplate, CloudAssembly, StackArtifact } from './cloud-assembly';

/**
 * The baseline of a change review against what is deployed: the stacks of `current` as
 * CloudFormation holds them now (`deployed`, by stack name; a stack missing there is not
 * deployed yet and shows as new). Deployed stacks carry no acknowledgements, so compare with
 * `diffAssemblies(baseline, current, { acknowledgements: false })`.
 */
export function deployedBaseline(current: readonly StackArtifact[], deployed: ReadonlyMap<string, CfnTemplate>, directory: string): CloudAssembly {
  const stacks = current.flatMap((stack) => {
    const template = deployed.get(stack.stackName);
    return template ? [{ ...stack, template: { ...template, Resources: template.Resources ?? {} }, acknowledgements: [], constructPaths: {} }] : [];
  });
  return { directory, stacks, validationFindings: [] };
}

/** The stacks of one stage of an assembly (the `stage` tag every platform stack carries). */
export function stageStacks(assembly: CloudAssembly, stage: string): StackArtifact[] {
  return assembly.stacks.filter((s) => s.tags.stage === stage);
}
