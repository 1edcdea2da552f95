/**
 * A strict JSON parser for what crosses the gateway (RFC 8259, nothing more), because the checks
 * must read exactly what the model and the client will read:
 * - a duplicate key is an error: parsers disagree on which value wins, so the checks could read
 *   one value while the model reads the other;
 * - nesting is bounded and walked with an explicit stack, never by recursion, so no input can
 *   overflow the call stack here or in anything that later walks the value (JSON.stringify);
 * - an integer beyond ±2^53 is an error: it could not be passed on unchanged;
 * - `__proto__` is an ordinary own key, as with JSON.parse.
 * JSON.parse can do none of the first three. Messages give an offset and a path, never content.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type JsonParseResult = { readonly ok: true; readonly value: JsonValue } | { readonly ok: false; readonly message: string };

/** Deeper than any payload of the supported formats (a tool's JSON schema included). */
export const MAX_JSON_DEPTH = 64;

export function parseStrictJson(text: string, maxDepth: number = MAX_JSON_DEPTH): JsonParseResult {
  const fast = fastParse(text, maxDepth);
  if (fast !== undefined) return { ok: true, value: fast };
  // Anything the fast path does not accept is decided, with an exact message, by the reference parser.
  return parseReferenceJson(text, maxDepth);
}

/** The reference parser alone: slower, exact messages; the fast path must agree with it. */
export function parseReferenceJson(text: string, maxDepth: number = MAX_JSON_DEPTH): JsonParseResult {
  try {
    return { ok: true, value: new StrictJsonParser(text, maxDepth).parse() };
  } catch (err) {
    if (err instanceof JsonSyntaxError) return { ok: false, message: err.message };
    throw err;
  }
}

/**
 * The common case at native speed: one scan of the text outside strings (nesting depth, and the
 * number of `:`, which is the number of object members written), then JSON.parse, then one walk
 * of the result counting its keys. Fewer keys than members means a duplicate was dropped.
 * Returns undefined for anything it cannot vouch for; it never accepts what the strict parser
 * rejects (a property test compares the two).
 */
function fastParse(text: string, maxDepth: number): JsonValue | undefined {
  const members = countMembers(text, maxDepth);
  if (members < 0) return undefined;
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
  let keys = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'number') {
      if (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v))) return undefined;
    } else if (typeof v === 'object' && v !== null) {
      if (Array.isArray(v)) {
        for (let k = 0; k < v.length; k++) stack.push(v[k]);
      } else {
        for (const key in v) {
          keys++;
          stack.push((v as Record<string, unknown>)[key]);
        }
      }
    }
  }
  return keys === members ? value : undefined;
}

/** `:` outside strings, or -1 when the text nests deeper than `maxDepth` or a string is unterminated. */
function countMembers(text: string, maxDepth: number): number {
  let members = 0;
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip to the closing quote: the next quote preceded by an even number of backslashes.
      let j = text.indexOf('"', i + 1);
      for (;;) {
        if (j < 0) return -1;
        let k = j - 1;
        while (text.charCodeAt(k) === 0x5c) k--;
        if ((j - 1 - k) % 2 === 0) break;
        j = text.indexOf('"', j + 1);
      }
      i = j;
    } else if (c === 0x3a) {
      members++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return -1;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return members;
}

/** Sets an own property; `__proto__` becomes a plain key, as JSON.parse makes it. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Whether an already parsed value (e.g. a Lambda event) nests deeper than `limit`, measured with
 * an explicit stack.
 */
export function depthExceeds(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  const stack: Array<{ v: object; d: number }> = typeof value === 'object' && value !== null ? [{ v: value, d: 1 }] : [];
  while (stack.length > 0) {
    const { v, d } = stack.pop()!;
    if (d > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push({ v: child, d: d + 1 });
  }
  return false;
}

class JsonSyntaxError extends Error {}

type Container = JsonValue[] | Record<string, JsonValue>;

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** One parse. A class, not closures: V8 keeps `i` in a register-friendly field instead of a context slot. */
class StrictJsonParser {
  private i = 0;
  /** Open containers, innermost last, with the key being read in each object. */
  private readonly nodes: Container[] = [];
  private readonly keys: (string | undefined)[] = [];

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  parse(): JsonValue {
    const text = this.text;
    if (text.charCodeAt(0) === 0xfeff) this.fail('a byte order mark is not allowed');
    // Each turn reads one value (a scalar, or the opening of a container), then consumes the
    // commas and closing brackets that follow it.
    for (;;) {
      this.skipSpace();
      const c = text.charCodeAt(this.i);
      let value: JsonValue;
      if (c === 0x5b || c === 0x7b) {
        if (this.nodes.length >= this.maxDepth) this.fail(`nested deeper than ${this.maxDepth} levels`);
        const node: Container = c === 0x5b ? [] : {};
        this.place(node);
        this.nodes.push(node);
        this.keys.push(undefined);
        this.i++;
        this.skipSpace();
        if (text.charCodeAt(this.i) !== (c === 0x5b ? 0x5d : 0x7d)) {
          if (c === 0x7b) this.readKey();
          continue;
        }
        this.i++;
        this.nodes.pop();
        this.keys.pop();
        value = node;
      } else {
        value = this.readScalar(c);
        this.place(value);
      }
      if (this.nodes.length === 0) return this.end(value);
      const root = this.afterValue();
      if (root !== undefined) return this.end(root);
    }
  }

  /** Consumes `,` (and the next key) or closing brackets; returns the root once it is closed. */
  private afterValue(): Container | undefined {
    const text = this.text;
    for (;;) {
      this.skipSpace();
      const top = this.nodes[this.nodes.length - 1];
      const isArray = Array.isArray(top);
      const d = text.charCodeAt(this.i);
      if (d === 0x2c) {
        this.i++;
        if (!isArray) this.readKey();
        return undefined;
      }
      if (d !== (isArray ? 0x5d : 0x7d)) this.fail(isArray ? "expected ',' or ']'" : "expected ',' or '}'");
      this.i++;
      this.nodes.pop();
      this.keys.pop();
      if (this.nodes.length === 0) return top;
    }
  }

  private end(root: JsonValue): JsonValue {
    this.skipSpace();
    if (this.i < this.text.length) this.fail('unexpected data after the JSON value');
    return root;
  }

  private place(value: JsonValue): void {
    const depth = this.nodes.length;
    if (depth === 0) return;
    const top = this.nodes[depth - 1];
    if (Array.isArray(top)) top.push(value);
    else setOwn(top, this.keys[depth - 1]!, value);
  }

  private readKey(): void {
    this.skipSpace();
    if (this.text.charCodeAt(this.i) !== 0x22) this.fail('expected a quoted key');
    const at = this.i;
    const key = this.readString();
    const depth = this.nodes.length;
    if (Object.hasOwn(this.nodes[depth - 1], key)) {
      this.keys[depth - 1] = undefined;
      this.failAt(at, `duplicate key "${key.length > 64 ? `${key.slice(0, 64)}…` : key}"`);
    }
    this.keys[depth - 1] = key;
    this.skipSpace();
    if (this.text.charCodeAt(this.i) !== 0x3a) this.fail("expected ':'");
    this.i++;
  }

  private skipSpace(): void {
    const text = this.text;
    let i = this.i;
    for (let c = text.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = text.charCodeAt(++i));
    this.i = i;
  }

  private readScalar(c: number): JsonValue {
    const text = this.text;
    if (c === 0x22) return this.readString();
    if (c === 0x74 && text.startsWith('true', this.i)) return (this.i += 4), true;
    if (c === 0x66 && text.startsWith('false', this.i)) return (this.i += 5), false;
    if (c === 0x6e && text.startsWith('null', this.i)) return (this.i += 4), null;
    return this.readNumber();
  }

  private readNumber(): number {
    const text = this.text;
    const start = this.i;
    let i = start;
    if (text.charCodeAt(i) === 0x2d) i++;
    const first = text.charCodeAt(i);
    if (first === 0x30) i++;
    else if (first >= 0x31 && first <= 0x39) i = digitsFrom(text, i);
    else {
      this.i = i;
      return this.fail(i >= text.length ? 'unexpected end of input' : 'unexpected character');
    }
    let integer = true;
    if (text.charCodeAt(i) === 0x2e) {
      integer = false;
      const from = ++i;
      i = digitsFrom(text, i);
      if (i === from) this.failAt(i, 'expected a digit');
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      integer = false;
      const sign = text.charCodeAt(++i);
      if (sign === 0x2b || sign === 0x2d) i++;
      const from = i;
      i = digitsFrom(text, i);
      if (i === from) this.failAt(i, 'expected a digit');
    }
    const n = Number(text.slice(start, i));
    if (!Number.isFinite(n)) this.failAt(start, 'a number beyond the range of a double');
    if (integer && !Number.isSafeInteger(n)) this.failAt(start, 'an integer beyond ±2^53 cannot be passed on exactly');
    this.i = i;
    return n;
  }

  /** At the opening quote. Plain runs are sliced whole; escapes are decoded one by one. */
  private readString(): string {
    const text = this.text;
    let out = '';
    let i = this.i + 1;
    let start = i;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out = out === '' ? text.slice(start, i) : out + text.slice(start, i);
        this.i = i + 1;
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!HEX4.test(hex)) this.failAt(i, 'invalid \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (e !== undefined && Object.hasOwn(ESCAPES, e)) {
          out += ESCAPES[e];
          i += 2;
        } else {
          this.failAt(i, 'invalid escape');
        }
        start = i;
      } else if (c < 0x20) {
        this.failAt(i, 'unescaped control character in a string');
      } else if (c !== c) {
        // NaN: past the end.
        this.failAt(i, 'unterminated string');
      } else {
        i++;
      }
    }
  }

  private failAt(at: number, what: string): never {
    this.i = at;
    return this.fail(what);
  }

  private fail(what: string): never {
    throw new JsonSyntaxError(`${what} at offset ${this.i}${this.nodes.length > 0 ? ` (in ${this.path()})` : ''}`);
  }

  /** `messages[0].content`: where the parser was, for messages. Keys are shortened. */
  private path(): string {
    let out = '';
    for (let d = 0; d < this.nodes.length; d++) {
      const node = this.nodes[d];
      const key = this.keys[d];
      if (Array.isArray(node)) out += `[${Math.max(0, node.length - (d + 1 < this.nodes.length ? 1 : 0))}]`;
      else if (key !== undefined) out += (out === '' ? '' : '.') + (key.length > 32 ? `${key.slice(0, 32)}…` : key);
    }
    return out === '' ? 'the top level' : out;
  }
}

function digitsFrom(text: string, from: number): number {
  let j = from;
  for (let c = text.charCodeAt(j); c >= 0x30 && c <= 0x39; c = text.charCodeAt(++j));
  return j;
}
