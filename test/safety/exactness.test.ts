import fc from 'fast-check';
import { checkInput, parsePolicy } from '../../lambda/safety';
import { luhnValid } from '../../lambda/safety/pii-validators';

/**
 * Exactness of redaction, as a property: random text with planted values (PII, secrets, a
 * custom pattern), some copies glued to other characters, next to lone surrogates, astral and
 * combining characters. After checkInput:
 * - no planted value is left in the text;
 * - nothing else changed: removing the placeholders gives the text without the planted values;
 * - checking the redacted text again finds nothing.
 * Filler is drawn from characters that cannot form a value on their own (no digits, '@', '=' or
 * capitals), so every finding comes from a planted value. Cases are small (a few hundred
 * characters) so 100,000 of them run in seconds; FC_EXACTNESS_RUNS overrides the count.
 */
const RUNS = Number(process.env.FC_EXACTNESS_RUNS ?? 100_000);

const policy = parsePolicy({
  preset: 'standard',
  injection: { enabled: false },
  unicode: { invisible: 'allow', bidi: 'allow' },
  customPatterns: [{ name: 'EMPLOYEE_ID', pattern: 'EMP-\\d{6}', action: 'redact' }],
});

const filler = fc.string({
  unit: fc.constantFrom('a', 'e', 'k', 'o', 's', 'x', ' ', ' ', '\n', ',', ';', '!', '(', ')', 'é', 'e\u0301', '漢', '😀', '𝐀', '\ud800', '\udfff'),
  maxLength: 24,
});

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
const upperAlnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A 16-digit Visa number with a valid Luhn check digit, plain or in groups of four. */
const card = fc.tuple(digits(14), fc.boolean()).map(([body, grouped]) => {
  const base = `4${body}`;
  const check = [...'0123456789'].find((c) => luhnValid(base + c))!;
  const n = base + check;
  return grouped ? n.replace(/(\d{4})(?=\d)/g, '$1 ') : n;
});
const email = fc.tuple(fc.constantFrom('bob', 'ana.m', 'x_y', 'sam+tag', 'li'), digits(2), fc.constantFrom('example', 'mail', 'corp-it'), fc.constantFrom('com', 'org', 'io', 'de'))
  .map(([local, n, domain, tld]) => `${local}${n}@${domain}.${tld}`);
const awsKey = fc.array(fc.constantFrom(...upperAlnum), { minLength: 16, maxLength: 16 })
  .filter((cs) => new Set(cs).size >= 10)
  .map((cs) => `AKIA${cs.join('')}`);
const employeeId = digits(6).map((d) => `EMP-${d}`);
const ssn = fc.tuple(fc.integer({ min: 101, max: 665 }), fc.integer({ min: 10, max: 99 }), fc.integer({ min: 1001, max: 9999 }))
  .map(([a, g, s]) => `${a}-${g}-${s}`);
const ipv4 = fc.tuple(fc.integer({ min: 11, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 }))
  .map((p) => p.join('.'));
const iban = fc.constantFrom('DE89370400440532013000', 'GB82WEST12345698765432', 'FR1420041010050500013M02606', 'NL91ABNA0417164300');
/** Phone numbers in shapes that need no phone word nearby: a country code, an area code in parentheses, or three groups. */
const phone = fc.tuple(digits(3), digits(3), digits(4), fc.integer({ min: 0, max: 3 })).map(([a, b, c, shape]) =>
  [`+1-${a}-${b}-${c}`, `(${a})${b}-${c}`, `${a}-${b}-${c}`, `+44 7700 ${a} ${b}`][shape]);

/** How a copy of a value may be glued to its neighbours without changing what the value is. */
interface Planted {
  readonly value: string;
  readonly before: string;
  readonly after: string;
}

const glue = (chars: string) => fc.string({ unit: fc.constantFrom(...chars), maxLength: 3 });
const plain = (value: fc.Arbitrary<string>) => value.map((v): Planted => ({ value: v, before: ' ', after: ' ' }));

/** One value in a clean place, then maybe a second copy glued to characters the recognizer would reject. */
const plantings: fc.Arbitrary<Planted[]> = fc.oneof(
  plain(email).chain((p) => fc.tuple(fc.constant(p), fc.constantFrom('(', '漢', '"')).map(([q, g]) => [q, { value: q.value, before: g, after: g }])),
  plain(card).map((p) => [p]),
  plain(ssn).map((p) => [p]),
  plain(ipv4).map((p) => [p]),
  plain(iban).map((p) => [p]),
  // A contact block: a second number right after the first one's label, as in a signature.
  fc.tuple(phone, phone, fc.constantFrom(' fax\n', ' mobile, ', '\nDesk: ')).map(([a, b, label]) => [{ value: a, before: ' ', after: label }, { value: b, before: '', after: ' ' }]),
  plain(employeeId).chain((p) => fc.tuple(fc.constant(p), glue('xyzQ'), glue('xyzQ')).map(([q, b, a]) => [q, { value: q.value, before: b, after: a }])),
  plain(awsKey).chain((p) => fc.tuple(fc.constant(p), glue('51QZ'), glue('7Z9')).map(([q, b, a]) => [q, { value: q.value, before: `${b}`, after: `${a}` }])),
);

const cases = fc.tuple(filler, fc.array(fc.tuple(plantings, filler), { minLength: 1, maxLength: 4 })).map(([head, rest]) => {
  let text = head;
  let withoutValues = head;
  const values: string[] = [];
  for (const [planted, tail] of rest) {
    for (const p of planted) {
      text += `${p.before}${p.value}${p.after}`;
      withoutValues += `${p.before}${p.after}`;
      values.push(p.value);
    }
    text += tail;
    withoutValues += tail;
  }
  return { text, withoutValues, values };
});

const PLACEHOLDER = /\[[A-Z][A-Z0-9_]*_\d+\]/g;

describe('exact redaction (property)', () => {
  it(`removes every planted value, changes nothing else, and leaves nothing to find (${RUNS} cases)`, () => {
    fc.assert(
      // Plain comparisons (a failing case is reported with its values): expect() would cost more than the checks.
      fc.property(cases, ({ text, withoutValues, values }) => {
        const v = checkInput(text, policy);
        if (v.action !== 'redact') throw new Error(`action ${v.action}: ${JSON.stringify(v.findings)}`);
        const left = values.find((value) => v.text.includes(value));
        if (left !== undefined) throw new Error(`${JSON.stringify(left)} survived in ${JSON.stringify(v.text)}`);
        if (v.text.replace(PLACEHOLDER, '') !== withoutValues) throw new Error(`other text changed: ${JSON.stringify(v.text)}`);
        const again = checkInput(v.text, policy);
        if (again.action !== 'allow' || again.findings.length > 0) throw new Error(`re-check found ${JSON.stringify(again.findings)} in ${JSON.stringify(v.text)}`);
      }),
      { numRuns: RUNS, seed: 15 },
    );
  }, 600_000);
});
