import { findPii } from '../../lambda/safety/pii';
import { PII_ENTITIES } from '../../lambda/safety/policy';

const ALL = new Set(PII_ENTITIES);
const found = (text: string): Array<[string, string]> => findPii(text, ALL).map((f) => [f.type, text.slice(f.start, f.end)]);

describe('findPii', () => {
  it('finds emails with exact boundaries', () => {
    expect(found('Write to jane.doe+tag@mail.example.com.')).toEqual([['EMAIL_ADDRESS', 'jane.doe+tag@mail.example.com']]);
    expect(found('user@localhost and retina@2x.png')).toEqual([]);
  });

  it('finds cards only when Luhn and grouping agree', () => {
    expect(found('card 4111 1111 1111 1111 ok')).toEqual([['CREDIT_CARD', '4111 1111 1111 1111']]);
    expect(found('amex 3782-822463-10005')).toEqual([['CREDIT_CARD', '3782-822463-10005']]);
    expect(found('card 4111 1111 1111 1112')).toEqual([]);
    expect(found('order 4111-1111 1111-1111')).toEqual([]);
  });

  it('takes exactly the country length of an IBAN and leaves the next word alone', () => {
    expect(found('IBAN GB82 WEST 1234 5698 7654 32 thanks')).toEqual([['IBAN_CODE', 'GB82 WEST 1234 5698 7654 32']]);
    expect(found('iban de89370400440532013000.')).toEqual([['IBAN_CODE', 'de89370400440532013000']]);
    expect(found('GB83WEST12345698765432')).toEqual([]);
  });

  it('finds SSNs, bare ones only with context', () => {
    expect(found('SSN: 460-89-9847')).toEqual([['US_SSN', '460-89-9847']]);
    expect(found('my ssn is 460899847')).toEqual([['US_SSN', '460899847']]);
    expect(found('ticket 460899847')).toEqual([]);
    expect(found('SSN: 666-89-9847')).toEqual([]);
  });

  it('finds IPv4 and IPv6 but not versions or times', () => {
    expect(found('from 10.0.0.255 and 2001:db8::8a2e:370:7334')).toEqual([
      ['IP_ADDRESS', '10.0.0.255'],
      ['IP_ADDRESS', '2001:db8::8a2e:370:7334'],
    ]);
    expect(found('version 1.2.3.4.5, at 12:30:45, std::vector, 300.1.1.1')).toEqual([]);
  });

  it('finds phone numbers in international shapes', () => {
    expect(found('Call +1-984-182-0190 now')).toEqual([['PHONE_NUMBER', '+1-984-182-0190']]);
    expect(found('Desk: +41 (0)96 471 07 95')).toEqual([['PHONE_NUMBER', '+41 (0)96 471 07 95']]);
    expect(found('Fax: 345-899-3560x4587')).toEqual([['PHONE_NUMBER', '345-899-3560x4587']]);
    expect(found('Phone: 467 3395')).toEqual([['PHONE_NUMBER', '467 3395']]);
  });

  it('reads a card from its own first group, not from digits glued to the token before it', () => {
    // From "2779" the groups pass Luhn too; taking them would hide the real card's last group.
    expect(found('key AKIAKJVZ5YLDNZ3FTWN2779 4516 5889 7079 0005 end')).toEqual([['CREDIT_CARD', '4516 5889 7079 0005']]);
  });

  it('finds each of several numbers listed close together (a contact block)', () => {
    // The second starts within the first's extension margin: it must be found whole, from its own start.
    expect(found('+46 (0)8 928 571 38 fax\n+1-984-182-0190 mobile')).toEqual([['PHONE_NUMBER', '+46 (0)8 928 571 38'], ['PHONE_NUMBER', '+1-984-182-0190']]);
    expect(found('Mobile: 723 813 266\nDesk: (602)272-9781\nFax: 001-253-366-9781')).toEqual([
      ['PHONE_NUMBER', '723 813 266'], ['PHONE_NUMBER', '(602)272-9781'], ['PHONE_NUMBER', '001-253-366-9781'],
    ]);
  });

  it('does not take dates, addresses or amounts for phone numbers', () => {
    expect(found('When: 2000-04-16 11:34:35')).toEqual([]);
    expect(found('The restaurant is at 704 1436 Redbud Dr')).toEqual([]);
    expect(found('It cost 1 000 000 euros in 2019 2020')).toEqual([]);
    expect(found('license number is 2270-66-1551')).toEqual([]);
  });

  it('finds URLs without trailing punctuation', () => {
    expect(found('see https://example.com/a?b=1).')).toEqual([['URL', 'https://example.com/a?b=1']]);
  });

  it('drops a finding contained in a stronger one, keeps partial overlaps', () => {
    expect(findPii('client 106.31.73.20 denied', ALL).map((f) => f.type)).toEqual(['IP_ADDRESS']);
    expect(findPii('http://10.1.2.3/admin', ALL).map((f) => f.type)).toEqual(['URL', 'IP_ADDRESS']);
    expect(found('4111 1111 1111 1111.bob@example.com')).toEqual([
      ['CREDIT_CARD', '4111 1111 1111 1111'],
      ['EMAIL_ADDRESS', '1111.bob@example.com'],
    ]);
  });

  it('reports UTF-16 offsets after astral characters', () => {
    const text = '😀😀 mail a@b.io';
    const [f] = findPii(text, ALL);
    expect(text.slice(f.start, f.end)).toBe('a@b.io');
  });

  it('runs only the enabled recognizers', () => {
    expect(findPii('a@b.io 10.0.0.1', new Set(['IP_ADDRESS'] as const)).map((f) => f.type)).toEqual(['IP_ADDRESS']);
  });
});
