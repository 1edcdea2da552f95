import { findSecrets, shannonEntropy } from '../../lambda/safety/secrets';

const found = (text: string): Array<[string, string]> => findSecrets(text).map((f) => [f.type, text.slice(f.start, f.end)]);

describe('findSecrets', () => {
  it('finds AWS key ids and the secret next to them', () => {
    const text = 'aws_access_key_id=AKIAQWERTYUIOP123456\naws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(found(text)).toEqual([
      ['AWS_ACCESS_KEY', 'AKIAQWERTYUIOP123456'],
      ['AWS_SECRET_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ]);
  });

  it('needs entropy for a key id', () => {
    expect(found('AKIAAAAAAAAAAAAAAAAA')).toEqual([]);
  });

  it('finds a private key block, and a truncated one to the end', () => {
    const key = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----';
    expect(found(`x ${key} y`)).toEqual([['PRIVATE_KEY', key]]);
    expect(found('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNza')).toEqual([['PRIVATE_KEY', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNza']]);
  });

  it('finds JWTs and vendor tokens', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    expect(found(`Authorization header ${jwt}`)).toEqual([['JWT', jwt]]);
    expect(found('token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789')).toEqual([['GITHUB_TOKEN', 'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789']]);
    expect(found('xoxb-123456789012-abcdefghijAB')).toEqual([['SLACK_TOKEN', 'xoxb-123456789012-abcdefghijAB']]);
  });

  it('finds generic secrets only next to a keyword and with entropy', () => {
    expect(found('password = "Tr0ub4dor&3xZ"')).toEqual([['GENERIC_SECRET', 'Tr0ub4dor&3xZ']]);
    expect(found('api_key: 9f8e7d6c5b4a39281706f5e4d3c2b1a0')).toEqual([['GENERIC_SECRET', '9f8e7d6c5b4a39281706f5e4d3c2b1a0']]);
    expect(found('password: required')).toEqual([]);
    expect(found('a random 9f8e7d6c5b4a39281706f5e4d3c2b1a0 hash')).toEqual([]);
  });

  it('computes Shannon entropy in bits per character', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });
});
