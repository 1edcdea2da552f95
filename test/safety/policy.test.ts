import { parsePolicy, PolicyError, presetPolicy, resolvePolicy } from '../../lambda/safety/policy';
import { checkInput, checkOutput } from '../../lambda/safety/pipeline';
import { CUSTOM_PATTERN_WINDOW } from '../../lambda/safety/custom-patterns';

describe('policy', () => {
  it('has three presets with a version string', () => {
    expect(presetPolicy('standard').version).toBe('1:standard');
    expect(presetPolicy('strict').injection.threshold).toBeLessThan(presetPolicy('standard').injection.threshold);
    expect(presetPolicy('permissive').pii.EMAIL_ADDRESS).toEqual({ input: 'allow', output: 'allow' });
  });

  it('applies overrides on a preset from a JSON string, with a fingerprinted version', () => {
    const policy = parsePolicy('{"preset":"standard","pii":{"EMAIL_ADDRESS":"block","PHONE_NUMBER":{"output":"allow"}}}');
    expect(policy.pii.EMAIL_ADDRESS).toEqual({ input: 'block', output: 'block' });
    expect(policy.pii.PHONE_NUMBER).toEqual({ input: 'redact', output: 'allow' });
    expect(policy.version).toMatch(/^1:standard\+[0-9a-f]{8}$/);
    expect(parsePolicy({ preset: 'strict', version: 'team-a-7' }).version).toBe('team-a-7');
  });

  it('round-trips through JSON so a construct can pass it in an environment variable', () => {
    const policy = resolvePolicy({ preset: 'strict', bannedWords: { words: ['acme'] } });
    const again = parsePolicy(JSON.stringify(policy));
    expect(again).toEqual({ ...policy, version: again.version });
  });

  it('lists every problem with field, value and fix', () => {
    let error: unknown;
    try {
      parsePolicy({ preset: 'strictest', pii: { EMAIL: 'block', PHONE_NUMBER: 'hide' }, injection: { threshold: 2 }, colour: 1 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PolicyError);
    const message = (error as Error).message;
    expect(message).toContain('policy.preset: "strictest" is not a preset; use one of strict, standard, permissive');
    expect(message).toContain('policy.pii.EMAIL: unknown field; use one of EMAIL_ADDRESS');
    expect(message).toContain('policy.pii.PHONE_NUMBER: "hide" is not an action; use "allow", "redact" or "block"');
    expect(message).toContain('policy.injection.threshold: 2 must be a number from 0 to 1');
    expect(message).toContain('policy.colour: unknown field');
  });

  it('rejects invalid JSON and non-objects clearly', () => {
    expect(() => parsePolicy('{preset:')).toThrow(/not valid JSON/);
    expect(() => parsePolicy('[1]')).toThrow(/must be a JSON object/);
  });
});

describe('custom patterns (RE2)', () => {
  const policy = parsePolicy({
    customPatterns: [
      { name: 'EMPLOYEE_ID', pattern: 'EMP-\\d{6}', action: 'redact' },
      { name: 'PROJECT_X', pattern: 'project\\s+x', caseInsensitive: true, action: 'block', stage: 'output' },
    ],
  });

  it('redacts matches with UTF-16 offsets even after astral characters', () => {
    const text = '😀😀 EMP-123456 and EMP-654321 and EMP-123456';
    const v = checkInput(text, policy);
    expect(v.action).toBe('redact');
    expect(v.text).toBe('😀😀 [EMPLOYEE_ID_1] and [EMPLOYEE_ID_2] and [EMPLOYEE_ID_1]');
    expect(text.slice(v.findings[0].start, v.findings[0].end)).toBe('EMP-123456');
  });

  it('runs a pattern only at its stage', () => {
    expect(checkInput('Project X launch', policy).action).toBe('allow');
    expect(checkOutput('Project   X launch', policy).action).toBe('block');
  });

  it('accepts patterns that would backtrack in V8', () => {
    const evil = parsePolicy({ customPatterns: [{ name: 'EVIL', pattern: '^(a+)+$', action: 'block' }] });
    expect(checkInput(`${'a'.repeat(1_000)}!`, evil).action).toBe('allow');
    expect(checkInput('a'.repeat(500), evil).findings).toEqual([{ check: 'custom_pattern', type: 'EVIL', start: 0, end: 500 }]);
    // Past the 512-unit bound a match fails closed (see below), here as there.
    expect(checkInput('a'.repeat(1_000), evil).findings).toEqual([{ check: 'custom_pattern', type: 'EVIL_TOO_LONG', start: 0, end: 1_000 }]);
  });

  it('fails closed on a match longer than the window it is decided in', () => {
    const evil = parsePolicy({ customPatterns: [{ name: 'EVIL', pattern: '^(a+)+$', action: 'redact' }] });
    const v = checkInput(`${'a'.repeat(3 * CUSTOM_PATTERN_WINDOW)}!`, evil);
    expect(v.action).toBe('block');
    expect(v.findings.map((f) => f.type)).toEqual(['EVIL_TOO_LONG']);
  });

  it('finds the leftmost match wherever the windows fall: a value that starts before a shorter match inside it is not cut', () => {
    // `CODE-…;` (up to 300 letters) with `x` inside it: the whole code is the leftmost match. Planted
    // at every offset around window ends, a window that held the `x` but not the code's end must
    // not settle for the `x`.
    const nested = parsePolicy({ preset: 'permissive', customPatterns: [{ name: 'CODE', pattern: 'CODE-[a-z]{0,300};|x', action: 'redact' }] });
    const code = `CODE-${'a'.repeat(100)}x${'a'.repeat(100)};`;
    for (let at = CUSTOM_PATTERN_WINDOW - 260; at <= 2 * CUSTOM_PATTERN_WINDOW + 10; at += 7) {
      const text = `${'.'.repeat(at)}${code}.`;
      expect({ at, redacted: checkInput(text, nested).text }).toEqual({ at, redacted: `${'.'.repeat(at)}[CODE_1].` });
    }
  });

  it('fails closed on a match over the bound wherever it falls, also when it fits in a window', () => {
    const long = parsePolicy({ preset: 'permissive', customPatterns: [{ name: 'PAIRS', pattern: '(?:ab)+', action: 'redact' }] });
    for (const at of [0, 300, CUSTOM_PATTERN_WINDOW - 100]) {
      const v = checkInput(`${'.'.repeat(at)}${'ab'.repeat(400)}.`, long);
      expect({ at, action: v.action, types: v.findings.map((f) => f.type) }).toEqual({ at, action: 'block', types: ['PAIRS_TOO_LONG'] });
    }
    expect(checkInput(`${'.'.repeat(300)}${'ab'.repeat(256)}.`, long).text).toBe(`${'.'.repeat(300)}[PAIRS_1].`);
  });

  it('rejects syntax RE2 does not support, naming the pattern', () => {
    expect(() => parsePolicy({ customPatterns: [{ name: 'BACKREF', pattern: '(a)\\1', action: 'block' }] })).toThrow(/customPatterns\[0\]\.pattern.*RE2/);
    expect(() => parsePolicy({ customPatterns: [{ name: 'lower', pattern: 'x', action: 'block' }] })).toThrow(/UPPER_SNAKE_CASE/);
  });

  it('redacts every one of many matches, across window boundaries', () => {
    const many = parsePolicy({ preset: 'permissive', customPatterns: [{ name: 'ID', pattern: 'ID-\\d{4}', action: 'redact' }] });
    const text = 'ID-1234 x '.repeat(20_000);
    const v = checkInput(text, many);
    expect(v.findings.filter((f) => f.type === 'ID')).toHaveLength(20_000);
    expect(v.text).toBe('[ID_1] x '.repeat(20_000));
  });

  it('reports offsets in UTF-16 units after lone surrogates (re2-wasm pairs them with the next unit)', () => {
    const text = '\ud800 id EMP-123456 end \udc00EMP-654321';
    const v = checkInput(text, policy);
    expect(v.text).toBe('\ud800 id [EMPLOYEE_ID_1] end \udc00[EMPLOYEE_ID_2]');
  });
});
