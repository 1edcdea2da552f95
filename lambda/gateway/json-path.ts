/**
 * Simple JSON paths for the raw payload format: `prompt`, `output.text`, `choices[0].text`,
 * `[0].generated_text`. Keys are plain segments; no wildcards, filters or quoting, so a path
 * names at most one value and get/set stay O(depth).
 */
export type JsonPath = readonly (string | number)[];

/** Parses a path, or returns undefined when it is not one. */
export function parseJsonPath(source: string): JsonPath | undefined {
  const out: (string | number)[] = [];
  let i = 0;
  let expectKey = true;
  while (i < source.length) {
    const c = source[i];
    if (c === '[') {
      const close = source.indexOf(']', i);
      const digits = close < 0 ? '' : source.slice(i + 1, close);
      if (digits.length === 0 || digits.length > 9 || !isDigits(digits)) return undefined;
      out.push(Number(digits));
      i = close + 1;
      expectKey = false;
    } else if (c === '.') {
      if (expectKey || i === source.length - 1) return undefined;
      i++;
      expectKey = true;
    } else {
      if (!expectKey) return undefined;
      let end = i;
      while (end < source.length && source[end] !== '.' && source[end] !== '[') {
        if (source[end] === ']') return undefined;
        end++;
      }
      out.push(source.slice(i, end));
      i = end;
      expectKey = false;
    }
  }
  return out.length > 0 && !expectKey ? out : undefined;
}

export function formatJsonPath(p: JsonPath): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** The value at the path, or undefined when any step is missing or of the wrong kind. */
export function getAtPath(root: unknown, p: JsonPath): unknown {
  let node: unknown = root;
  for (const step of p) {
    if (typeof step === 'number') {
      if (!Array.isArray(node) || step >= node.length) return undefined;
      node = node[step];
    } else {
      if (!isPlainObject(node) || !Object.prototype.hasOwnProperty.call(node, step)) return undefined;
      node = node[step];
    }
  }
  return node;
}

/** Replaces the value at an existing path in place; returns false when the path does not exist. */
export function setAtPath(root: unknown, p: JsonPath, value: unknown): boolean {
  if (p.length === 0) return false;
  const parent = getAtPath(root, p.slice(0, -1));
  const last = p[p.length - 1];
  if (typeof last === 'number') {
    if (!Array.isArray(parent) || last >= parent.length) return false;
    parent[last] = value;
    return true;
  }
  if (!isPlainObject(parent) || !Object.prototype.hasOwnProperty.call(parent, last)) return false;
  parent[last] = value;
  return true;
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
