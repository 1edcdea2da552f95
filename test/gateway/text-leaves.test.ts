import fc from 'fast-check';
import { collectTextLeaves, type FieldMap } from '../../lambda/gateway/text-leaves';
import { alignBytes, redistribute, tokenSequences, writeSequence } from '../../lambda/gateway/token-sequences';

const walk = (root: unknown, map: FieldMap = {}, knownKeys: string[] = []) => collectTextLeaves(root, map, { origin: 'user', knownKeys: new Set(knownKeys) });
const summary = (root: unknown, map?: FieldMap, known?: string[]) => walk(root, map, known).map((l) => `${l.field}=${l.text}@${l.origin}`);

describe('token sequences', () => {
  it('splits a redacted text over the tokens it came from, keeping the unchanged ones', () => {
    expect(redistribute(['mail ', 'ja', 'ne@exa', 'mple.com', ' now'], 'mail [EMAIL_ADDRESS_1] now')).toEqual(['mail ', '[EMAIL_ADDRESS_1]', '', '', ' now']);
    expect(redistribute(['a', 'b'], 'ab')).toEqual(['a', 'b']);
    expect(redistribute(['ab', 'cd'], 'abXcd')).toEqual(['ab', 'Xcd']);
    expect(redistribute(['ab', 'cd'], 'abcdX')).toEqual(['ab', 'cdX']);
    expect(redistribute(['ab', 'cd'], 'cd')).toEqual(['', 'cd']);
  });

  it('always yields pieces that concatenate to the redacted text', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' })), fc.string({ unit: 'binary' }), (pieces, redacted) => {
        const out = redistribute(pieces, redacted);
        expect(out).toHaveLength(pieces.length);
        if (pieces.length > 0) expect(out.join('')).toBe(redacted);
      }),
      { numRuns: 500 },
    );
  });

  it('finds the chosen tokens and each rank of alternatives (OpenAI logprobs) and of TGI top_tokens', () => {
    const content = [
      { token: 'a', top_logprobs: [{ token: 'a' }, { token: 'x' }] },
      { token: 'b', top_logprobs: [{ token: 'b' }] },
    ];
    const seqs = tokenSequences(content, { text: 'token', alternatives: 'top_logprobs' }, 'logprobs.content');
    expect(seqs.map((s) => s.label)).toEqual(['logprobs.content[*].token', 'logprobs.content[*].top_logprobs[0].token', 'logprobs.content[*].top_logprobs[1].token']);
    const top = [[{ text: 'a' }, { text: 'x' }], [{ text: 'b' }]];
    expect(tokenSequences(top, { text: 'text', ranked: true }, 'top_tokens').map((s) => s.holders.length)).toEqual([2, 1]);
    expect(tokenSequences(['a', 7, 'b'], {}, 'tokens')[0].keys).toEqual([0, 2]);
  });

  it('rewrites bytes that do not spell the token, keeps those of a character split across tokens', () => {
    const items = [
      { token: 'hi', bytes: [104, 105] },
      { token: 'ok', bytes: [106, 97, 110, 101] },
      { token: '\ufffd', bytes: [0xe2, 0x80] },
      { token: '\ufffd', bytes: [0x6a] },
      { token: 'x', bytes: null },
    ];
    const [seq] = tokenSequences(items, { text: 'token', bytes: 'bytes' }, 'c');
    alignBytes(seq);
    expect(items.map((i) => i.bytes)).toEqual([[104, 105], [111, 107], [0xe2, 0x80], [0xef, 0xbf, 0xbd], null]);
    writeSequence(seq, '[X]\ufffd\ufffdx');
    expect(items.map((i) => i.token)).toEqual(['[X]', '', '\ufffd', '\ufffd', 'x']);
    expect(items[0].bytes).toEqual([0x5b, 0x58, 0x5d]);
  });
});

describe('text leaves', () => {
  it('finds every string in document order, with its field and the origin of the nearest place that names one', () => {
    const map: FieldMap = { fields: { messages: { items: { origin: (m) => ((m as { role: string }).role === 'tool' ? 'tool_result' : undefined), fields: { role: { nonText: (s) => s === 'tool' || s === 'user' } } } } } };
    expect(summary({ model: 'm', messages: [{ role: 'user', content: ['a', { text: 'b' }] }, { role: 'tool', content: 'c' }] }, map, ['model', 'messages', 'role', 'content', 'text'])).toEqual([
      'model=m@user',
      'messages[0].content[0]=a@user',
      'messages[0].content[1].text=b@user',
      'messages[1].content=c@tool_result',
    ]);
  });

  it('checks a non-text field whose value does not pass its test, and every key the format does not name', () => {
    const map: FieldMap = { fields: { id: { nonText: (s) => /^[a-z0-9-]+$/.test(s) } } };
    expect(summary({ id: 'cmpl-1' }, map, ['id'])).toEqual([]);
    expect(summary({ id: 'mail jane@example.com' }, map, ['id'])).toEqual(['id=mail jane@example.com@user']);
    expect(summary({ meta: { 'jane@example.com': 1 } }, {}, ['meta'])).toEqual(['meta{}=jane@example.com@user']);
    expect(summary({ bias: { '1234': 1 } }, { fields: { bias: { nonTextKeys: (k) => /^\d+$/.test(k) } } }, ['bias'])).toEqual([]);
  });

  it('writes redactions back into values, renamed keys and tokens', () => {
    const root = { a: 'x', m: { 'k@x.io': 1, k: 2 }, t: [{ token: 'p' }, { token: 'q' }] };
    const leaves = walk(root, { fields: { t: { tokens: { text: 'token' } } } }, ['a', 'm', 't', 'token']);
    expect(leaves.map((l) => l.field)).toEqual(['a', 'm{}', 'm{}', 't[*].token']);
    leaves[0].write('X');
    leaves[1].write('k');
    leaves[3].write('[R]');
    expect(root).toEqual({ a: 'X', m: { k: 2, k_2: 1 }, t: [{ token: '[R]' }, { token: '' }] });
  });

  it('walks deep values without recursion and never returns a token twice', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 50_000; i++) deep = { d: deep };
    expect(summary(deep, {}, ['d'])).toHaveLength(1);
    const answer = { c: [{ token: 'a', bytes: [97], top_logprobs: [{ token: 'b', bytes: [98] }] }] };
    expect(summary(answer, { fields: { c: { tokens: { text: 'token', bytes: 'bytes', alternatives: 'top_logprobs' } } } }, ['c', 'token', 'bytes', 'top_logprobs'])).toEqual([
      'c[*].token=a@user',
      'c[*].top_logprobs[0].token=b@user',
    ]);
  });
});
