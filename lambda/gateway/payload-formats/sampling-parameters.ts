import type { JsonValue } from '../strict-json';

/** What a sampling parameter holds: numbers and switches the model server reads, never text. */
export type ParameterType = 'number' | 'int' | 'bool' | 'ints';
export type ParameterTable = Readonly<Record<string, ParameterType>>;

export interface TakenParameters {
  /** The object without the table's members, for the format's zod schema. */
  readonly rest: JsonValue;
  /** The table's members that the object has, valid ones only. */
  readonly parameters: Readonly<Record<string, JsonValue>>;
  readonly problems: readonly string[];
}

const EXPECTED: Record<ParameterType, string> = { number: 'a number', int: 'an integer', bool: 'true or false', ints: 'an array of integers' };

/**
 * Takes a format's sampling parameters (temperature, top_k, ...) out of an object and checks
 * them against a table, looking only at the members the object has. Left in a zod object with
 * fifty optional members, they cost ~5 µs per request just to be found absent, for requests that
 * set two of them. `null` stands for "not set", as OpenAI clients send it.
 */
export function takeParameters(value: JsonValue, table: ParameterTable, at: string): TakenParameters {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { rest: value, parameters: {}, problems: [] };
  let rest: Record<string, JsonValue> | undefined;
  const parameters: Record<string, JsonValue> = {};
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(table, key)) continue;
    rest ??= { ...value };
    delete rest[key];
    const v = value[key];
    if (v === null || fits(table[key], v)) parameters[key] = v;
    else problems.push(`${at === '' ? key : `${at}.${key}`}: expected ${EXPECTED[table[key]]}`);
  }
  return { rest: rest ?? value, parameters, problems };
}

function fits(type: ParameterType, v: JsonValue): boolean {
  switch (type) {
    case 'number':
      return typeof v === 'number';
    case 'int':
      return Number.isSafeInteger(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'ints':
      return Array.isArray(v) && v.every((n) => Number.isSafeInteger(n));
  }
}
