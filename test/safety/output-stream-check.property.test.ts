import fc from 'fast-check';
import { checkOutput, holdBackChars, OutputStreamCheck, parsePolicy, presetPolicy } from '../../lambda/safety';

/**
 * A streamed answer must come out as the buffered checks would release it, however the model's
 * pieces cut it: no planted value, secret, canary token or banned word reaches the client, and
 * text without any goes through unchanged.
 */
const CANARY = 'canary-5f0c2a9e71d3b846';
const policy = parsePolicy({ preset: 'standard', injection: { classifier: false }, bannedWords: { words: ['project nightingale'] }, canary: { tokens: [CANARY] } });

const REDACTED = ['jane.roe@example.com', 'marco.bianchi@posteitaliane.it', '4111 1111 1111 1111', '5500-0000-0000-0004', 'GB82 WEST 1234 5698 7654 32', 'AKIAIOSFODNN7EXAMPLE'];
const BLOCKED = [CANARY, 'project nightingale'];
const FILLER = ['the', 'model', 'answers', 'with', 'a', 'short', 'text', 'über', 'naïve', 'café', '😀', '日本語', 'and', 'then', 'stops', '.', ','];

const sentence = fc.array(fc.constantFrom(...FILLER), { minLength: 0, maxLength: 40 }).map((w) => w.join(' '));
const answer = fc.tuple(fc.array(fc.tuple(sentence, fc.constantFrom(...REDACTED, ...BLOCKED)), { minLength: 1, maxLength: 4 }), sentence).map(([parts, tail]) => ({
  text: parts.map(([s, m]) => `${s} ${m} `).join('') + tail,
  planted: parts.map(([, m]) => m),
}));

/** Cuts a text into pieces at arbitrary UTF-16 offsets (inside a surrogate pair or a value too). */
const pieces = (text: string) => fc.array(fc.integer({ min: 1, max: Math.max(1, text.length) }), { maxLength: 60 })
  .map((cuts) => {
    const at = [...new Set(cuts)].filter((c) => c < text.length).sort((a, b) => a - b);
    const out: string[] = [];
    let from = 0;
    for (const c of [...at, text.length]) {
      out.push(text.slice(from, c));
      from = c;
    }
    return out;
  });

function stream(parts: readonly string[]): { released: string; blocked: boolean } {
  const check = new OutputStreamCheck(policy);
  let released = '';
  for (const p of [...parts.map((x) => () => check.push(x)), () => check.end()]) {
    const r = p();
    if (r.action === 'block') return { released, blocked: true };
    released += r.text;
  }
  return { released, blocked: false };
}

const squeeze = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

describe('OutputStreamCheck', () => {
  it('the window is sized by the longest pattern the policy acts on', () => {
    expect(holdBackChars(presetPolicy('standard'))).toBe(160);
    expect(holdBackChars(policy)).toBe(Math.max(160, CANARY.length * 4));
    expect(holdBackChars(parsePolicy({ preset: 'permissive', pii: { CREDIT_CARD: 'allow', IBAN_CODE: 'allow', US_SSN: 'allow' }, secrets: 'allow' }))).toBeLessThan(160);
  });

  it('no planted marker split across chunk boundaries reaches the client', () => {
    fc.assert(
      fc.property(answer.chain((a) => fc.tuple(fc.constant(a), pieces(a.text))), ([a, parts]) => {
        const { released, blocked } = stream(parts);
        for (const m of a.planted) expect(squeeze(released)).not.toContain(squeeze(m));
        // A blocked marker ends the stream; without one, the stream redacts and finishes.
        expect(blocked).toBe(a.planted.some((m) => BLOCKED.includes(m)));
        if (!blocked) expect(released).toBe(checkOutput(a.text, policy).text);
      }),
      { numRuns: 300 },
    );
  });

  it('text without a finding comes through whole and unchanged, whatever the pieces', () => {
    fc.assert(
      fc.property(sentence.chain((s) => fc.tuple(fc.constant(s), pieces(s))), ([text, parts]) => {
        expect(stream(parts)).toEqual({ released: text, blocked: false });
      }),
      { numRuns: 200 },
    );
  });

  it('with a window shorter than a value, redacts what is left of a span that began in released text', () => {
    // The window is what makes spans whole: 4 characters asked for (16, the block look-ahead, given) cannot
    // hold a 20-character email, so its start leaks; the rest must not.
    const check = new OutputStreamCheck(presetPolicy('standard'), { holdBackChars: 4, releaseStep: 1 });
    let out = '';
    for (const ch of 'mail jane.roe@example.com now please') out += check.push(ch).text;
    out += check.end().text;
    expect(out).toBe('mail ja[EMAIL_ADDRESS_1] now please');
  });

  it('never releases a block finding undecided, whatever the window asked for (it is at least the block look-ahead)', () => {
    // A 4-character window used to release a banned word once four more characters had come, before the
    // block was decided 16 characters later; the next round no longer saw it.
    const banned = parsePolicy({ preset: 'standard', bannedWords: { words: ['nightingale'], action: 'block' } });
    const check = new OutputStreamCheck(banned, { holdBackChars: 4, releaseStep: 1 });
    let out = '';
    let blocked = false;
    for (const ch of 'the codename is nightingale, said the model, and went on for a while longer') {
      const r = check.push(ch);
      out += r.text;
      if (r.action === 'block') { blocked = true; break; }
    }
    expect(blocked).toBe(true);
    expect(out).not.toContain('nightingale');
    expect(check.holdBack).toBe(16);
  });

  it('never releases a surrogate pair in halves', () => {
    const check = new OutputStreamCheck(policy, { holdBackChars: 4, releaseStep: 1 });
    const out: string[] = [];
    for (const unit of '😀😀😀😀😀😀😀😀😀😀'.split('')) {
      const r = check.push(unit);
      if (r.text !== '') out.push(r.text);
    }
    for (const piece of out) expect(piece).toBe(Buffer.from(piece, 'utf8').toString('utf8'));
  });
});
