import { checkInput, checkOutput, parsePolicy } from '../../lambda/safety';

/**
 * Pumped adversarial inputs: each repeats the prefix of some pattern so that a backtracking
 * regex would explode. The bound is generous (it only catches super-linear behaviour, not
 * slowness); the permissive preset's 2 Mi-character cap lets every check see the whole input.
 */
const policy = parsePolicy({
  preset: 'permissive',
  pii: { EMAIL_ADDRESS: 'redact', PHONE_NUMBER: 'redact', IP_ADDRESS: 'redact', URL: 'redact' },
  toxicity: 'redact',
  bannedWords: { words: ['acme corp'] },
  canary: { tokens: ['canary-0123456789abcdef'] },
  customPatterns: [{ name: 'EMP', pattern: 'EMP-\\d{6}', action: 'redact' }],
});
const SIZE = 100_000;
const BOUND_MS = 4000;

const pump = (unit: string, suffix = '!'): string => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE) + suffix;

const PUMPS: Record<string, string> = {
  'one letter': pump('a'),
  'one digit': pump('1'),
  'digit groups': pump('1 '),
  'dashed digits': pump('1-'),
  'dotted digits': pump('1.'),
  'plus digits': pump('+1 '),
  'emails without tld': pump('a@'),
  'local parts': pump('a.'),
  'ipv6 colons': pump('a:'),
  'double colons': pump('1::'),
  'iban starts': pump('GB12 '),
  'ssn-like': pump('123-45-'),
  'urls': pump('http://a'),
  'aws prefix': pump('AKIA'),
  'jwt prefix': pump('eyJ.'),
  'private key begin': pump('-----BEGIN '),
  'secret keyword': pump('password='),
  'bearer': pump('bearer '),
  'base64': pump('QUJD'),
  'hex': pump('4a'),
  'trigger words': pump('ignore '),
  'override gaps': pump('ignore all the '),
  'persona': pump('you are now '),
  'refusal': pump('no '),
  'delimiters': pump('<|'),
  'spaced letters': pump('f u '),
  'leet': pump('$h1'),
  'masked': pump('f*'),
  'zero width': pump('\u200b'),
  'tag characters': pump('\u{E0041}'),
  'variation selectors': pump('\ufe0f'),
  'bidi': pump('\u202e'),
  'lone surrogates': pump('\ud800'),
  'combining marks': pump('a\u0301'),
  'fullwidth': pump('Ａ'),
  'rot13 marker': pump('vtaber '),
};

describe('pumped adversarial inputs', () => {
  // A guard against catastrophic backtracking (minutes to hours at these sizes), not a speed
  // target: that is `npm run bench`. CPU time, so other processes on the machine do not count.
  it.each(Object.entries(PUMPS))('%s: both pipelines finish within the bound', (_name, text) => {
    const started = process.cpuUsage();
    checkInput(text, policy);
    checkOutput(text, policy);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(BOUND_MS);
  });
});
