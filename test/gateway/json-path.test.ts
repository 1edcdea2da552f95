import fc from 'fast-check';
import { formatJsonPath, getAtPath, parseJsonPath, setAtPath } from '../../lambda/gateway/json-path';

describe('json paths', () => {
  it('parses dot paths with indices', () => {
    expect(parseJsonPath('prompt')).toEqual(['prompt']);
    expect(parseJsonPath('output.text')).toEqual(['output', 'text']);
    expect(parseJsonPath('choices[0].message.content')).toEqual(['choices', 0, 'message', 'content']);
    expect(parseJsonPath('[1].generated_text')).toEqual([1, 'generated_text']);
    expect(parseJsonPath('a[2][3]')).toEqual(['a', 2, 3]);
  });

  it.each(['', '.', 'a.', '.a', 'a..b', 'a[', 'a[]', 'a[x]', 'a[-1]', 'a]b', 'a[1]b', 'a[1234567890]'])('rejects %p', (p) => {
    expect(parseJsonPath(p)).toBeUndefined();
  });

  it('round-trips any path it formats', () => {
    const key = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/[.[\]]/.test(s));
    const path = fc.tuple(key, fc.array(fc.oneof(key, fc.nat({ max: 99 })), { maxLength: 5 })).map(([h, t]) => [h, ...t]);
    fc.assert(fc.property(path, (p) => expect(parseJsonPath(formatJsonPath(p))).toEqual(p)));
  });

  it('gets and sets only existing values, never through prototypes', () => {
    const doc = { output: { text: 'hi', list: ['a', 'b'] } };
    expect(getAtPath(doc, ['output', 'list', 1])).toBe('b');
    expect(getAtPath(doc, ['output', 'missing'])).toBeUndefined();
    expect(getAtPath(doc, ['output', 'list', 5])).toBeUndefined();
    expect(getAtPath(doc, ['output', 'constructor'])).toBeUndefined();
    expect(getAtPath(doc, ['output', 'text', 0])).toBeUndefined();
    expect(setAtPath(doc, ['output', 'text'], 'bye')).toBe(true);
    expect(setAtPath(doc, ['output', 'list', 0], 'z')).toBe(true);
    expect(setAtPath(doc, ['output', 'new'], 'x')).toBe(false);
    expect(setAtPath(doc, ['__proto__', 'polluted'], 'x')).toBe(false);
    expect(doc).toEqual({ output: { text: 'bye', list: ['z', 'b'] } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
