import { emailDomainValid, ibanValid, ipv4Valid, ipv6Valid, luhnValid, ssnValid } from '../../lambda/safety/pii-validators';

describe('luhnValid', () => {
  it.each(['4111111111111111', '378282246310005', '6011111111111117', '5555555555554444', '630427373398'])('accepts %s', (n) => {
    expect(luhnValid(n)).toBe(true);
  });
  it.each(['4111111111111112', '1234567812345678', ''])('rejects %s', (n) => {
    expect(luhnValid(n)).toBe(false);
  });
});

describe('ibanValid (ISO 7064 mod 97-10)', () => {
  it('accepts valid IBANs in any case', () => {
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('de89370400440532013000')).toBe(true);
  });
  it('rejects a wrong check digit, a wrong length and an unknown country', () => {
    expect(ibanValid('GB83WEST12345698765432')).toBe(false);
    expect(ibanValid('GB82WEST1234569876543')).toBe(false);
    expect(ibanValid('ZZ82WEST12345698765432')).toBe(false);
  });
});

describe('ssnValid (Presidio invalidation rules)', () => {
  it('accepts a plausible number', () => expect(ssnValid('460-89-9847')).toBe(true));
  it.each([
    ['000-12-3456', 'area 000'],
    ['666-12-3456', 'area 666'],
    ['912-12-3456', 'area 9xx'],
    ['123-00-4567', 'group 00'],
    ['123-45-0000', 'serial 0000'],
    ['111-11-1111', 'one digit'],
    ['123-45 6789', 'mixed delimiters'],
    ['078-05-1120', 'advertised number'],
  ])('rejects %s (%s)', (n) => expect(ssnValid(n)).toBe(false));
});

describe('IP addresses', () => {
  it('parses IPv4 octets', () => {
    expect(ipv4Valid('192.168.0.1')).toBe(true);
    expect(ipv4Valid('256.1.1.1')).toBe(false);
    expect(ipv4Valid('01.2.3.4')).toBe(false);
  });
  it('parses IPv6 forms', () => {
    expect(ipv6Valid('2001:db8::1')).toBe(true);
    expect(ipv6Valid('2001:0db8:85a3:0000:0000:8a2e:0370:7334')).toBe(true);
    expect(ipv6Valid('::1')).toBe(true);
    expect(ipv6Valid('::ffff:192.0.2.128')).toBe(true);
    expect(ipv6Valid('1::2::3')).toBe(false);
    expect(ipv6Valid('12:30:45')).toBe(false);
    expect(ipv6Valid('fe80::1')).toBe(true);
    expect(ipv6Valid('::')).toBe(false);
  });
});

describe('emailDomainValid', () => {
  it('needs a real-looking TLD', () => {
    expect(emailDomainValid('example.co.uk')).toBe(true);
    expect(emailDomainValid('localhost')).toBe(false);
    expect(emailDomainValid('icon.png')).toBe(false);
    expect(emailDomainValid('-bad.com')).toBe(false);
  });

  it('reads a range of a longer text in place, letters in any case', () => {
    const text = 'mail ann@Example.COM or bob@icon.PNG now';
    const domain = (at: number) => [at + 1, text.indexOf(' ', at)] as const;
    expect(emailDomainValid(text, ...domain(text.indexOf('@')))).toBe(true);
    expect(emailDomainValid(text, ...domain(text.lastIndexOf('@')))).toBe(false);
    expect(emailDomainValid('example.c')).toBe(false);
    expect(emailDomainValid(`example.${'a'.repeat(25)}`)).toBe(false);
    expect(emailDomainValid('example.c0m')).toBe(false);
  });
});
