import { z } from 'zod';
import { platformConfigSchema } from './config-schema';

/** A schema issue as problems `path: value problem`, with a "did you mean" for a misspelt key. */
export function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string[] {
  const path = issue.path.map(String).join('.') || '(root)';
  const value = valueAt(raw, issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const known = knownKeysAt(issue.path);
      const hint = closest(key, known);
      return `${path === '(root)' ? key : `${path}.${key}`}: is not a known setting${hint ? ` (did you mean "${hint}"?)` : known.length ? ` (known: ${known.join(', ')})` : ''}`;
    });
  }
  if (issue.code === 'invalid_key') {
    const key = String(issue.path[issue.path.length - 1]);
    return [`${path}: the name ${JSON.stringify(key)} ${issue.issues.map((i) => i.message).join(' and ')} (it becomes part of stack, endpoint and resource names)`];
  }
  if (value === undefined && issue.code === 'invalid_type') return [`${path}: is required (${issue.message})`];
  return [`${path}: ${JSON.stringify(value)} ${issue.message}`];
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined), raw);
}

/** The keys the schema allows at an object path (records step over their key). */
function knownKeysAt(path: PropertyKey[]): string[] {
  let schema: z.ZodType = platformConfigSchema;
  for (const key of path) {
    const def = unwrap(schema);
    if (def instanceof z.ZodObject) schema = def.shape[String(key)] ?? def;
    else if (def instanceof z.ZodRecord) schema = def.valueType as z.ZodType;
    else return [];
  }
  const def = unwrap(schema);
  return def instanceof z.ZodObject ? Object.keys(def.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodOptional ? unwrap(schema.unwrap() as z.ZodType) : schema;
}

/** The known key within edit distance 2 of `key`, for "did you mean". */
function closest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
