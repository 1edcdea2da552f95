import fc from 'fast-check';
import { checkInput, checkOutput, parsePolicy, type SafetyVerdict } from '../../lambda/safety';

/** Characters that exercise every check: digits and separators for PII, '@', invisible and bidi controls, lone surrogates, NUL. */
const unit = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('1', '4', '0', ' ', '-', '.', '@', 'a', 'x', ':', '=', '\n') },
  { weight: 2, arbitrary: fc.constantFrom('\u200b', '\u202e', '\ud800', '\udc00', '\u0000', '\ufe0f', '\u{E0041}', '😀', 'é', 'ａ') },
  { weight: 2, arbitrary: fc.constantFrom('ignore ', 'previous ', 'instructions ', 'bob@example.com', '4111 1111 1111 1111', 'sh1t ', 'password=Zx9$kQ2!mP7& ', 'AKIAQWERTYUIOP123456 ') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
);
const texts = fc.string({ unit, maxLength: 200 });
const policies = fc.constantFrom(
  parsePolicy({ preset: 'standard' }),
  parsePolicy({ preset: 'strict' }),
  parsePolicy({ preset: 'permissive', bannedWords: { words: ['acme'], action: 'redact' }, customPatterns: [{ name: 'NUM', pattern: '\\d{3}', action: 'redact' }] }),
);

/** A placeholder is at most "[" + a type name + "_" + a number + "]". */
const MAX_PLACEHOLDER = 40;

function wellFormed(text: string, v: SafetyVerdict): void {
  expect(['allow', 'redact', 'block']).toContain(v.action);
  for (const f of v.findings) {
    expect(Number.isInteger(f.start) && Number.isInteger(f.end)).toBe(true);
    expect(0 <= f.start && f.start <= f.end && f.end <= text.length).toBe(true);
  }
  if (v.action === 'allow') expect(v.text).toBe(text);
  if (v.action === 'block') expect(v.text).toBe('');
  expect(v.text.length).toBeLessThanOrEqual(text.length + MAX_PLACEHOLDER * v.findings.length);
}

describe('properties of checkInput and checkOutput', () => {
  it('never throw, keep offsets inside the text and bound the output length', () => {
    fc.assert(
      fc.property(texts, policies, (text, policy) => {
        wellFormed(text, checkInput(text, policy));
        wellFormed(text, checkOutput(text, policy));
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 400) },
    );
  });

  it('PII and secret redaction is idempotent: checking redacted text again changes nothing', () => {
    // Idempotence is promised for pattern redaction (PII, secrets). Stripping invisible
    // characters or masking words can join neighbours into something new, so those checks
    // block here instead of redacting.
    const policy = parsePolicy({
      preset: 'standard',
      injection: { enabled: false },
      toxicity: 'allow',
      unicode: { invisible: 'block', bidi: 'block', variationSelectorSmuggling: 'block' },
    });
    fc.assert(
      fc.property(texts, (text) => {
        const once = checkOutput(text, policy);
        fc.pre(once.action === 'redact');
        const twice = checkOutput(once.text, policy);
        expect(twice.text).toBe(once.text);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 400) },
    );
  });

  it('never throw on arbitrary code units, including lone surrogates', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 100 }), (units) => {
        const text = String.fromCharCode(...units);
        wellFormed(text, checkInput(text));
        wellFormed(text, checkOutput(text));
      }),
      { numRuns: 300 },
    );
  });
});
