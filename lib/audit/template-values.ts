import type { CfnTemplate, Json, TemplateResource } from './cloud-assembly';

/** A value that may be one item or a list, as a list. */
export function asList<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The logical id a `Ref` or `Fn::GetAtt` points at, if the value is one. */
export function referencedId(value: Json): string | undefined {
  if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') return value.Ref;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return String(getAtt[0]);
    if (typeof getAtt === 'string') return getAtt.split('.')[0];
  }
  return undefined;
}

/** Every logical id a value references anywhere inside it. */
export function referencedIds(value: Json, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedIds(v, into);
  } else if (value && typeof value === 'object') {
    const id = referencedId(value);
    if (id && !id.startsWith('AWS::')) into.add(id);
    for (const v of Object.values(value)) referencedIds(v, into);
  }
  return into;
}

/**
 * A value as readable text, in cdk-nag's notation for intrinsics (`<Bucket.Arn>/*`,
 * `<AWS::Partition>`), so it can be matched against granular acknowledgement ids.
 */
export function render(value: Json): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.map(render).join(', ');
  if (typeof value.Ref === 'string') return `<${value.Ref}>`;
  const getAtt = value['Fn::GetAtt'];
  if (getAtt) return `<${Array.isArray(getAtt) ? getAtt.join('.') : getAtt}>`;
  const join = value['Fn::Join'];
  if (Array.isArray(join)) return asList<Json>(join[1]).map(render).join(String(join[0]));
  const output = value['Fn::GetStackOutput'];
  if (output && typeof output === 'object' && !Array.isArray(output)) return `<${render(output.StackName)}:${render(output.OutputName)}>`;
  const sub = value['Fn::Sub'];
  if (sub !== undefined) return String(Array.isArray(sub) ? sub[0] : sub).replace(/\$\{([^}]+)\}/g, '<$1>');
  const key = Object.keys(value)[0];
  if (key?.startsWith('Fn::')) return `${key}(${render(value[key])})`;
  return JSON.stringify(value);
}

/** Resources of the given type, as [logicalId, resource] pairs in template order. */
export function resourcesOfType(template: CfnTemplate, ...types: string[]): Array<[string, TemplateResource]> {
  return Object.entries(template.Resources ?? {}).filter(([, r]) => types.includes(r.Type));
}

/** The `Key`/`Value` tags of a resource as a map. */
export function tagsOf(resource: TemplateResource): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of asList<Json>(resource.Properties?.Tags)) {
    if (tag && typeof tag.Key === 'string') tags[tag.Key] = render(tag.Value);
  }
  return tags;
}
