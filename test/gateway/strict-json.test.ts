import fc from 'fast-check';
import { depthExceeds, parseReferenceJson, parseStrictJson } from '../../lambda/gateway/strict-json';

const accepts = (t: string) => parseStrictJson(t).ok;
const messageOf = (t: string) => {
  const r = parseStrictJson(t);
  return r.ok ? 'accepted' : r.message;
};

describe('strict JSON', () => {
  it('reads every JSON text exactly as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.json({ depthSize: 'medium', noUnicodeString: false }), (text) => {
        const r = parseStrictJson(text, 1000);
        // fc.json can produce integers beyond 2^53, which are refused on purpose (below).
        if (!r.ok) return /integer beyond/.test(r.message);
        expect(r.value).toEqual(JSON.parse(text));
        return true;
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses what JSON.parse refuses, and its fast path never accepts what the reference parser refuses', () => {
    const nearJson = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.json().chain((j) => fc.nat(j.length).chain((at) => fc.constantFrom('', ',', '"', '\\', '{', ']', ':', '\u0000', '"a":1').map((s) => j.slice(0, at) + s + j.slice(at)))),
      fc.tuple(fc.json(), fc.json(), fc.constantFrom('a', '__proto__', 'b\\u0022', '\\u0061')).map(([x, y, k]) => `{"${k}":${x},"a":${y}}`),
    );
    fc.assert(
      fc.property(nearJson, (text) => {
        let native = true;
        try {
          JSON.parse(text);
        } catch {
          native = false;
        }
        const strict = parseStrictJson(text);
        const reference = parseReferenceJson(text);
        expect(strict.ok).toBe(reference.ok);
        if (strict.ok && reference.ok) expect(strict.value).toEqual(reference.value);
        if (!native) expect(strict.ok).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses duplicate keys, also when one is written with escapes, and names the key and where', () => {
    expect(messageOf('{"a":1,"a":2}')).toBe('duplicate key "a" at offset 7 (in the top level)');
    expect(messageOf('{"messages":[{"role":"user","content":"mail jane@example.com","content":"hi"}]}')).toMatch(/^duplicate key "content" at offset \d+ \(in messages\[0\]\)$/);
    expect(accepts('{"a":1,"\\u0061":2}')).toBe(false);
    expect(accepts('{"__proto__":1,"__proto__":2}')).toBe(false);
    expect(accepts('[{"a":1},{"a":2}]')).toBe(true);
  });

  it('bounds nesting without recursion, at any depth', () => {
    const nest = (d: number) => '['.repeat(d) + ']'.repeat(d);
    expect(accepts(nest(64))).toBe(true);
    expect(messageOf(nest(65))).toMatch(/^nested deeper than 64 levels at offset 64/);
    expect(messageOf(`{"a":${nest(3_000_000)}}`)).toMatch(/nested deeper than 64 levels/);
    expect(accepts(nest(65))).toBe(false);
    expect(parseStrictJson(nest(10), 5).ok).toBe(false);
  });

  it('refuses integers that could not be passed on exactly, and numbers beyond a double', () => {
    expect(accepts('9007199254740991')).toBe(true);
    expect(messageOf('{"seed":9007199254740993}')).toMatch(/integer beyond ±2\^53/);
    expect(accepts('1e400')).toBe(false);
    expect(parseStrictJson('[1.5e3, -0.25, 1e300]')).toEqual({ ok: true, value: [1500, -0.25, 1e300] });
  });

  it('keeps __proto__ an ordinary key, as JSON.parse does', () => {
    const r = parseStrictJson('{"__proto__":{"polluted":true}}');
    expect(r.ok && Object.getPrototypeOf(r.value)).toBe(Object.prototype);
    expect(r.ok && Object.keys(r.value as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a byte order mark, control characters, bad escapes and trailing data, never quoting content', () => {
    for (const t of ['\ufeff{}', '"a\u0001"', '"\\x41"', '"\\u12"', '{} x', '[1,]', '{"a":1,}', '01', 'nul', '"unterminated secret-token-123']) {
      const r = parseStrictJson(t);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).not.toMatch(/secret|x41/);
    }
  });

  it('measures the depth of values parsed elsewhere', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(depthExceeds(deep)).toBe(true);
    expect(depthExceeds({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(depthExceeds({ a: [{ b: {} }] }, 3)).toBe(true);
  });
});
