import { adapterFor, type SlotResult } from '../../lambda/gateway/payload-formats';
import { parseJsonPath, type JsonPath } from '../../lambda/gateway/json-path';

const texts = (r: SlotResult) => ('slots' in r ? r.slots.map((s) => s.text) : r.problem);
const writeAll = (r: SlotResult, f: (t: string) => string) => {
  if ('slots' in r) for (const s of r.slots) s.write(f(s.text));
};

describe('payload formats', () => {
  it('openai-chat: every message text (string or text parts) and every choice', () => {
    const a = adapterFor({ format: 'openai-chat' });
    const req = {
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'hello' }, { type: 'image_url', image_url: { url: 'https://x' } }] },
        { role: 'assistant', content: null, tool_calls: [] },
      ],
    };
    const r = a.requestSlots(req);
    expect(texts(r)).toEqual(['Be brief.', 'hello']);
    writeAll(r, (t) => t.toUpperCase());
    expect(req.messages[1].content).toEqual([{ type: 'text', text: 'HELLO' }, { type: 'image_url', image_url: { url: 'https://x' } }]);
    expect(texts(a.responseSlots({ choices: [{ message: { content: 'a' } }, { text: 'b' }, { message: { content: null } }] }))).toEqual(['a', 'b']);
    expect(texts(a.requestSlots({ prompt: 'x' }))).toMatch(/messages/);
    expect(texts(a.requestSlots({ messages: [] }))).toMatch(/messages/);
    expect(texts(a.requestSlots({ messages: ['x'] }))).toMatch(/messages\[0\]/);
    expect(texts(a.requestSlots({ messages: [{ role: 'user', content: 5 }] }))).toMatch(/content/);
    expect(texts(a.responseSlots({ error: 'x' }))).toMatch(/choices/);
  });

  it('hf-text-generation: inputs in, generated_text out as an object or a list (TGI, DJL LMI)', () => {
    const a = adapterFor({ format: 'hf-text-generation' });
    expect(texts(a.requestSlots({ inputs: 'hi', parameters: { max_new_tokens: 5 } }))).toEqual(['hi']);
    expect(texts(a.requestSlots({ inputs: ['a'] }))).toMatch(/inputs/);
    const list = [{ generated_text: 'a' }, { generated_text: 'b' }];
    const r = a.responseSlots(list);
    writeAll(r, (t) => `${t}!`);
    expect(list).toEqual([{ generated_text: 'a!' }, { generated_text: 'b!' }]);
    expect(texts(a.responseSlots({ generated_text: 'x', details: {} }))).toEqual(['x']);
    expect(texts(a.responseSlots([]))).toMatch(/generated_text/);
    expect(texts(a.responseSlots([{ generated_text: 1 }]))).toMatch(/generated_text/);
  });

  it('embeddings: a string or strings in, nothing checked out', () => {
    const a = adapterFor({ format: 'embeddings' });
    const req = { inputs: ['a', 'b'] };
    const r = a.requestSlots(req);
    writeAll(r, (t) => t + t);
    expect(req.inputs).toEqual(['aa', 'bb']);
    expect(texts(a.requestSlots({ inputs: 'one' }))).toEqual(['one']);
    expect(texts(a.requestSlots({ inputs: [] }))).toMatch(/inputs/);
    expect(texts(a.requestSlots({ inputs: ['a', 2] }))).toMatch(/inputs/);
    expect(texts(a.responseSlots([[0.1, 0.2]]))).toEqual([]);
  });

  it('raw: configured paths, each must name a string', () => {
    const p = (s: string) => parseJsonPath(s) as JsonPath;
    const a = adapterFor({ format: 'raw', rawPaths: { request: [p('prompt'), p('history[0].text')], response: [p('output.text')] } });
    const req = { prompt: 'x', history: [{ text: 'y' }] };
    const r = a.requestSlots(req);
    expect(texts(r)).toEqual(['x', 'y']);
    writeAll(r, () => 'z');
    expect(req).toEqual({ prompt: 'z', history: [{ text: 'z' }] });
    expect(texts(a.requestSlots({ prompt: 'x' }))).toBe('the request has no string at "history[0].text"');
    expect(texts(a.requestSlots({ prompt: 3, history: [{ text: 'y' }] }))).toMatch(/"prompt"/);
    expect(texts(a.responseSlots({ output: { text: 'o' } }))).toEqual(['o']);
    expect(texts(a.responseSlots({ output: 'o' }))).toMatch(/output\.text/);
  });
});
