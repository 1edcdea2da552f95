import * as z from 'zod/mini';
import type { JsonValue } from '../strict-json';
import { collectTextLeaves, type FieldMap, type TextLeaf, type TextOrigin } from '../text-leaves';

/** What happens to a request field the format does not know. */
export type UnknownFieldPolicy = 'reject' | 'drop';
export const UNKNOWN_FIELD_POLICIES: readonly UnknownFieldPolicy[] = ['reject', 'drop'];

/** A payload in its canonical model: the object that is checked, redacted in place and serialised. */
export interface CanonicalPayload {
  readonly value: JsonValue;
  /** Every text in it, in document order. */
  readonly texts: TextLeaf[];
}

/** A canonical payload, or what is wrong with the input (field paths and expectations, never content). */
export type FormatResult = { readonly ok: true; readonly payload: CanonicalPayload } | { readonly ok: false; readonly problem: string };

/**
 * A container's payload format. Requests are parsed strictly into the canonical model; answers
 * must have the format's backbone, and every string in them not on the format's allowlist of
 * non-text fields is checked, so a field a model server adds later is checked, not passed on.
 */
export interface PayloadFormat {
  request(parsed: JsonValue, unknownFields: UnknownFieldPolicy): FormatResult;
  answer(parsed: JsonValue): FormatResult;
  /**
   * Adds a sentence to a checked request's system prompt (spotlighting's explanation of its
   * markers). Only formats whose requests can carry data texts have one.
   */
  addSystemNote?(request: JsonValue, note: string): void;
}

/** A request schema built once per unknown-field policy, on first use. */
export function schemaPerPolicy<S extends z.ZodMiniType>(build: (object: typeof z.strictObject) => S): (policy: UnknownFieldPolicy) => S {
  const built = new Map<UnknownFieldPolicy, S>();
  return (policy) => {
    let s = built.get(policy);
    if (s === undefined) {
      s = build(policy === 'reject' ? z.strictObject : (z.object as unknown as typeof z.strictObject));
      built.set(policy, s);
    }
    return s;
  };
}

/**
 * Validates with a zod schema; the schema's output (known members only) is the canonical value.
 * Problems found before (sampling parameters) are reported with the schema's.
 */
export function validate(
  schema: z.ZodMiniType,
  value: JsonValue,
  what: string,
  unknownFields?: UnknownFieldPolicy,
  problems: readonly string[] = [],
): { ok: true; value: JsonValue } | { ok: false; problem: string } {
  const r = schema.safeParse(value);
  if (r.success && problems.length === 0) return { ok: true, value: r.data as JsonValue };
  const lines = [...problems, ...(r.success ? [] : describeIssues(r.error.issues, value, unknownFields))];
  const shown = lines.slice(0, MAX_PROBLEMS);
  if (lines.length > MAX_PROBLEMS) shown.push(`and ${lines.length - MAX_PROBLEMS} more`);
  return { ok: false, problem: `${what}: ${shown.join('; ')}` };
}

export function canonical(value: JsonValue, map: FieldMap, origin: TextOrigin, knownKeys: ReadonlySet<string>): FormatResult {
  return { ok: true, payload: { value, texts: collectTextLeaves(value, map, { origin, knownKeys }) } };
}

const MAX_PROBLEMS = 5;

/** zod issues as `field: what is expected` lines; values are never quoted. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown, unknownFields?: UnknownFieldPolicy): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const at = pathText(issue.path) || 'the top level';
    const custom = issue.message !== 'Invalid input' ? issue.message : undefined;
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          lines.push(
            `${issue.path.length === 0 ? key : joinPath(at, key)}: unknown field; remove it${unknownFields === 'reject' ? ' (this model refuses fields it does not know; the platform team can set unknownRequestFields to "drop")' : ''}`,
          );
        }
        break;
      case 'invalid_type':
        lines.push(`${at}: ${custom ?? (isMissing(input, issue.path) ? 'is required' : `expected ${EXPECTED[issue.expected] ?? issue.expected}`)}`);
        break;
      case 'invalid_value':
        lines.push(`${at}: ${custom ?? `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`}`);
        break;
      case 'too_small':
        lines.push(`${at}: ${issue.origin === 'array' ? `needs at least ${String(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}` : `must be at least ${String(issue.minimum)}`}`);
        break;
      case 'too_big':
        lines.push(`${at}: must be at most ${String(issue.maximum)}`);
        break;
      default:
        lines.push(`${at}: ${custom ?? 'is not valid here'}`);
    }
  }
  return lines;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  record: 'an object',
  null: 'null',
};

/** Whether the member an issue is about is absent (zod does not report the input unless asked). */
function isMissing(input: unknown, path: readonly PropertyKey[]): boolean {
  let node = input;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return true;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node === undefined;
}

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) out = joinPath(out, k);
  return out;
}

function joinPath(path: string, key: PropertyKey): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? String(key) : `${path}.${String(key)}`;
}

// ---- Pieces shared by the formats ----------------------------------------------------------

/** Any JSON object passed on as it is (a tool's JSON schema, metadata): every key and string in it is text. */
export const jsonObject = z.custom<{ [key: string]: JsonValue }>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
  error: 'expected an object',
});

/** A union whose failure reads as one expectation instead of every branch's complaint. */
export function oneOf<T extends readonly [z.ZodMiniType, ...z.ZodMiniType[]]>(options: T, expected: string) {
  return z.union(options, { error: expected });
}

/** Enum values, roles, part types, finish reasons: one short lower-case word. */
export const isWord = (s: string): boolean => /^[a-z][a-z0-9_]{0,63}$/.test(s);

/** Server-generated ids and model names: no spaces, no `@`, at most 256 characters. */
export const isIdentifier = (s: string): boolean => /^[A-Za-z0-9][\w.:/-]{0,255}$/.test(s);

/** Base64 data (images, audio, base64 embeddings): binary, not text. */
export const isBase64 = (s: string): boolean => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);

/** `data:<type>;base64,<data>`: an inline file. Any other URL is text and is checked. */
export const isBase64DataUri = (s: string): boolean => {
  const m = /^data:[a-z]+\/[a-z0-9.+-]+(?:;[a-z0-9-]+=[a-z0-9.+-]+)*;base64,/i.exec(s);
  return m !== null && isBase64(s.slice(m[0].length));
};

/** An enum value: not text when it is one short word (the schema has already checked which). */
export const ENUM_VALUE: FieldMap = { nonText: isWord };

/** Member names of JSON Schema (tool parameters, response formats), which are names, not text. */
export const JSON_SCHEMA_KEYWORDS = [
  '$schema', '$id', '$ref', '$defs', '$comment', 'definitions', 'type', 'properties', 'items', 'prefixItems', 'required',
  'additionalProperties', 'patternProperties', 'description', 'title', 'default', 'examples', 'enum', 'const', 'format',
  'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength',
  'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'anyOf', 'oneOf', 'allOf', 'not', 'nullable',
  'strict', 'name', 'schema', 'if', 'then', 'else', 'dependentRequired', 'contentEncoding', 'contentMediaType',
];

/**
 * Every member name a schema declares, read from zod's definitions (`_zod.def`, zod's documented
 * introspection), so the list of names that are not text cannot drift from the schema.
 */
export function memberNames(schema: z.ZodMiniType, into = new Set<string>()): Set<string> {
  const seen = new Set<unknown>();
  const stack: unknown[] = [schema];
  while (stack.length > 0) {
    const s = stack.pop() as { _zod?: { def?: Record<string, unknown> } } | undefined;
    if (s === undefined || seen.has(s)) continue;
    seen.add(s);
    const def = s._zod?.def;
    if (def === undefined) continue;
    if (def.type === 'object') {
      for (const [k, v] of Object.entries(def.shape as Record<string, unknown>)) {
        into.add(k);
        stack.push(v);
      }
    }
    for (const k of ['innerType', 'element', 'valueType', 'in', 'out'] as const) if (def[k] !== undefined) stack.push(def[k]);
    if (Array.isArray(def.options)) stack.push(...(def.options as unknown[]));
  }
  return into;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
