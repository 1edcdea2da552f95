import { parseRequestBody } from '../../lambda/gateway/request-parsing';

describe('request parsing', () => {
  it('bounds the body before parsing, in bytes, also when base64-encoded', () => {
    expect(parseRequestBody({ body: '{"a":1}', isBase64Encoded: false }, 7)).toEqual({ ok: true, payload: { a: 1 } });
    expect(parseRequestBody({ body: '{"a":12}', isBase64Encoded: false }, 7)).toMatchObject({ ok: false, reason: 'too_large' });
    // 'é' is 2 bytes in UTF-8: 9 characters, 10 bytes.
    expect(parseRequestBody({ body: '{"a":"é"}', isBase64Encoded: false }, 9)).toMatchObject({ ok: false, reason: 'too_large' });
    const b64 = Buffer.from('{"a":"é"}').toString('base64');
    expect(parseRequestBody({ body: b64, isBase64Encoded: true }, 10)).toMatchObject({ ok: true, payload: { a: 'é' } });
    expect(parseRequestBody({ body: b64, isBase64Encoded: true }, 9)).toMatchObject({ ok: false, reason: 'too_large' });
    expect(parseRequestBody({ body: 'A'.repeat(1000), isBase64Encoded: true }, 10)).toMatchObject({ ok: false, reason: 'too_large' });
  });

  it('parses strictly: duplicate keys and deep nesting are refused with where, not what', () => {
    const dup = parseRequestBody({ body: '{"messages":[{"content":"mail jane@example.com","content":"hi"}]}', isBase64Encoded: false }, 1000);
    expect(dup).toEqual({ ok: false, reason: 'invalid', message: 'the body is not valid JSON: duplicate key "content" at offset 48 (in messages[0])' });
    const deep = parseRequestBody({ body: `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`, isBase64Encoded: false }, 100_000);
    expect(deep).toMatchObject({ ok: false, reason: 'invalid', message: expect.stringMatching(/nested deeper than 64 levels/) });
  });

  it('rejects empty, non-JSON and scalar bodies without echoing them', () => {
    for (const body of [null, '', 'secret-token-123 {', '"just a string"', '42', 'null']) {
      const r = parseRequestBody({ body, isBase64Encoded: false }, 1000);
      expect(r).toMatchObject({ ok: false, reason: 'invalid' });
      if (!r.ok) expect(r.message).not.toContain('secret');
    }
  });
});
