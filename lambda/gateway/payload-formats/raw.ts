import { formatJsonPath, getAtPath, type JsonPath } from '../json-path';
import type { JsonValue } from '../strict-json';
import { canonical, type FormatResult, type PayloadFormat } from './payload-format';

/**
 * Any JSON a custom container speaks. The configured paths must hold strings (the request is
 * refused, the answer is malformed otherwise); since the gateway knows nothing else of the
 * format, every other string and every key is checked too (fail closed), and nothing is dropped.
 */
export function rawFormat(request: readonly JsonPath[], response: readonly JsonPath[]): PayloadFormat {
  const names = new Set<string>();
  for (const p of [...request, ...response]) for (const step of p) if (typeof step === 'string') names.add(step);
  const parse = (value: JsonValue, paths: readonly JsonPath[], what: string, origin: 'user' | 'assistant'): FormatResult => {
    if (typeof value !== 'object' || value === null) return { ok: false, problem: `${what} must be a JSON object or array` };
    for (const p of paths) {
      if (typeof getAtPath(value, p) !== 'string') return { ok: false, problem: `${what} has no string at "${formatJsonPath(p)}"` };
    }
    return canonical(value, {}, origin, names);
  };
  return {
    request: (parsed) => parse(parsed, request, 'the request', 'user'),
    answer: (parsed) => parse(parsed, response, 'the model answer', 'assistant'),
  };
}
