import { parseJsonPath, type JsonPath } from '../../lambda/gateway/json-path';
import { formatFor, type FormatResult } from '../../lambda/gateway/payload-formats';
import type { JsonValue } from '../../lambda/gateway/strict-json';

const chat = formatFor({ format: 'openai-chat' });
const hf = formatFor({ format: 'hf-text-generation' });
const embeddings = formatFor({ format: 'embeddings' });

/** `field=text@origin` for every text, or the problem. */
function texts(r: FormatResult): string[] | string {
  return r.ok ? r.payload.texts.map((t) => `${t.field}=${t.text}@${t.origin}`) : r.problem;
}
const request = (f: typeof chat, v: unknown, policy: 'reject' | 'drop' = 'reject') => f.request(v as JsonValue, policy);
const answer = (f: typeof chat, v: unknown) => f.answer(v as JsonValue);

describe('openai-chat', () => {
  it('checks every message text: string content, every content-part type, names, earlier tool calls, with the origin of its role', () => {
    const r = request(chat, {
      model: 'llama',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'dev' }] },
        {
          role: 'user',
          name: 'jane',
          content: [
            'plain part',
            { type: 'text', text: 't' },
            { type: 'input_text', text: 'it' },
            { type: 'image_url', image_url: { url: 'https://img.example/cat.png?u=jane', detail: 'low' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'input_image', image_url: 'data:image/jpeg;base64,/9j/4AAQ' },
            { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'report.pdf' } },
          ],
        },
        {
          role: 'assistant',
          content: [{ type: 'output_text', text: 'ot' }, { type: 'refusal', refusal: 'no' }],
          reasoning_content: 'thinking',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'result' },
      ],
      user: 'team-a',
      stop: ['END'],
      documents: [{ title: 'doc', text: 'body' }],
      tools: [{ type: 'function', function: { name: 'lookup', description: 'Find', parameters: { type: 'object', properties: { q: { type: 'string', description: 'query' } } } } }],
      tool_choice: 'auto',
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' } } },
      logit_bias: { '1234': -100 },
      temperature: 0.2,
      max_tokens: 64,
    });
    // In the canonical model's order (the schema's), which is what the model receives.
    expect(texts(r)).toEqual([
      'model=llama@user',
      'user=team-a@user',
      'messages[0].content=Be brief.@system',
      'messages[1].content[0].text=dev@system',
      'messages[2].name=jane@user',
      'messages[2].content[0]=plain part@user',
      'messages[2].content[1].text=t@user',
      'messages[2].content[2].text=it@user',
      'messages[2].content[3].image_url.url=https://img.example/cat.png?u=jane@user',
      'messages[2].content[7].file.filename=report.pdf@user',
      'messages[3].reasoning_content=thinking@assistant',
      'messages[3].content[0].text=ot@assistant',
      'messages[3].content[1].refusal=no@assistant',
      'messages[3].tool_calls[0].id=call_1@assistant',
      'messages[3].tool_calls[0].function.name=lookup@assistant',
      'messages[3].tool_calls[0].function.arguments={"q":"x"}@assistant',
      'messages[4].content=result@tool_result',
      'messages[4].tool_call_id=call_1@tool_result',
      'stop[0]=END@user',
      'response_format.json_schema.name=out@system',
      'response_format.json_schema.schema.type=object@system',
      'tools[0].function.name=lookup@tool_definition',
      'tools[0].function.description=Find@tool_definition',
      'tools[0].function.parameters.type=object@tool_definition',
      'tools[0].function.parameters.properties{}=q@tool_definition',
      'tools[0].function.parameters.properties.q.type=string@tool_definition',
      'tools[0].function.parameters.properties.q.description=query@tool_definition',
      'documents[0].title=doc@document',
      'documents[0].text=body@document',
    ]);
  });

  it('refuses unknown fields by default, naming each, or drops them by policy', () => {
    const body = { messages: [{ role: 'user', content: 'hi', cache: true }], chat_template: '{{ messages }}' };
    expect(texts(request(chat, body))).toBe(
      'the openai-chat request: messages[0].cache: unknown field; remove it (this model refuses fields it does not know; the platform team can set unknownRequestFields to "drop"); ' +
        'chat_template: unknown field; remove it (this model refuses fields it does not know; the platform team can set unknownRequestFields to "drop")',
    );
    const dropped = request(chat, body, 'drop');
    expect(dropped.ok && dropped.payload.value).toEqual({ messages: [{ role: 'user', content: 'hi' }] });
  });

  it('passes sampling parameters on as they are, checking their types from a table', () => {
    const r = request(chat, { messages: [{ role: 'user', content: 'x' }], temperature: 0.2, top_k: 5, logprobs: null, stop_token_ids: [1, 2], ignore_eos: true });
    expect(r.ok && r.payload.value).toEqual({ messages: [{ role: 'user', content: 'x' }], temperature: 0.2, top_k: 5, logprobs: null, stop_token_ids: [1, 2], ignore_eos: true });
    expect(texts(request(chat, { messages: [{ role: 'user', content: 'x' }], temperature: 'hot', top_k: 1.5, stop_token_ids: ['a'], cache: 1 }))).toBe(
      'the openai-chat request: temperature: expected a number; top_k: expected an integer; stop_token_ids: expected an array of integers; ' +
        'cache: unknown field; remove it (this model refuses fields it does not know; the platform team can set unknownRequestFields to "drop")',
    );
  });

  it('says what is wrong and where, never quoting content', () => {
    expect(texts(request(chat, { prompt: 'secret' }))).toMatch(/^the openai-chat request: messages: is required; prompt: unknown field/);
    expect(texts(request(chat, { messages: [] }))).toBe('the openai-chat request: messages: needs at least 1 item');
    expect(texts(request(chat, { messages: [{ role: 'boss', content: 'secret' }] }))).toMatch(/messages\[0\]\.role: a message is an object with "role" system, developer/);
    expect(texts(request(chat, { messages: [{ role: 'user', content: [{ type: 'secret', text: 'x' }] }] }))).toMatch(/messages\[0\]\.content: expected a string or an array of content parts/);
    // Whether a model may stream is the gateway's decision (gateway.ts); the format only types the switch.
    expect(texts(request(chat, { messages: [{ role: 'user', content: 'x' }], stream: 'yes' }))).toBe('the openai-chat request: stream: expected true or false');
    expect(texts(request(chat, { messages: [{ role: 'user', content: 'x' }], max_tokens: 1.5 }))).toBe('the openai-chat request: max_tokens: expected an integer');
    expect(texts(request(chat, { messages: [{ role: 'user', content: 'x' }], logit_bias: { 'jane@example.com': 1 } }))).toMatch(/logit_bias/);
    for (const bad of [{ prompt: 'secret' }, { messages: [{ role: 'boss', content: 'secret' }] }]) expect(texts(request(chat, bad))).not.toContain('secret');
  });

  it('checks every string of an answer except ids, names, roles and finish reasons, including fields it does not know', () => {
    const r = answer(chat, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'llama-3',
      system_fingerprint: 'fp_1',
      choices: [
        {
          index: 0,
          finish_reason: 'stop',
          stop_reason: 'END',
          message: {
            role: 'assistant',
            content: 'hello',
            reasoning_content: 'why',
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
            new_field: 'added next year',
          },
          logprobs: { content: [{ token: 'hel', logprob: -1, bytes: [104, 101, 108], top_logprobs: [{ token: 'hel', logprob: -1 }] }, { token: 'lo', logprob: -1, top_logprobs: [] }] },
        },
      ],
      usage: { prompt_tokens: 1 },
    });
    expect(texts(r)).toEqual([
      'choices[0].stop_reason=END@assistant',
      'choices[0].message.content=hello@assistant',
      'choices[0].message.reasoning_content=why@assistant',
      'choices[0].message{}=new_field@assistant',
      'choices[0].message.new_field=added next year@assistant',
      'choices[0].message.tool_calls[0].function.name=f@assistant',
      'choices[0].message.tool_calls[0].function.arguments={"a":1}@assistant',
      'choices[0].logprobs.content[*].token=hello@assistant',
      'choices[0].logprobs.content[*].top_logprobs[0].token=hel@assistant',
    ]);
    // An id that is not an id is checked.
    expect(texts(answer(chat, { id: 'mail jane@example.com', choices: [] }))).toEqual(['id=mail jane@example.com@assistant']);
    expect(texts(answer(chat, { unexpected: 'shape' }))).toBe('the model answer: choices: is required');
  });
});

describe('hf-text-generation', () => {
  it('checks inputs, stop sequences and grammars; refuses unknown parameters', () => {
    expect(texts(request(hf, { inputs: 'hi', parameters: { max_new_tokens: 5, stop: ['END'], grammar: { type: 'regex', value: '[a-z]+' } } }))).toEqual([
      'inputs=hi@user',
      'parameters.grammar.value=[a-z]+@system',
      'parameters.stop[0]=END@user',
    ]);
    expect(texts(request(hf, { inputs: ['a'] }))).toBe('the hf-text-generation request: inputs: expected a string');
    for (const body of [{ inputs: 'a' }, { inputs: 'a', parameters: null }, { inputs: 'a', parameters: { max_new_tokens: 5, details: true } }, { inputs: 'a', parameters: { stop: ['x'], seed: 1 } }]) {
      const r = request(hf, body);
      expect(r.ok && r.payload.value).toEqual(body);
    }
    expect(texts(request(hf, { inputs: 'a', parameters: { max_new_tokens: '5' } }))).toBe('the hf-text-generation request: parameters.max_new_tokens: expected an integer');
    expect(texts(request(hf, { inputs: 'a', parameters: { temprature: 1 } }))).toMatch(/^the hf-text-generation request: parameters\.temprature: unknown field/);
  });

  it('checks generated text, token details as the text they form, and best_of sequences', () => {
    const r = answer(hf, [
      {
        generated_text: 'ok',
        details: {
          finish_reason: 'eos_token',
          prefill: [{ id: 1, text: 'pro', logprob: null }, { id: 2, text: 'mpt', logprob: -1 }],
          tokens: [{ id: 3, text: 'o', logprob: -1, special: false }, { id: 4, text: 'k', logprob: -1, special: false }],
          top_tokens: [[{ id: 3, text: 'o' }, { id: 5, text: 'a' }], [{ id: 4, text: 'k' }]],
          best_of_sequences: [{ generated_text: 'no', finish_reason: 'length', tokens: [{ id: 6, text: 'n' }, { id: 7, text: 'o' }] }],
        },
      },
    ]);
    expect(texts(r)).toEqual([
      '[0].generated_text=ok@assistant',
      '[0].details.prefill[*].text=prompt@assistant',
      '[0].details.tokens[*].text=ok@assistant',
      '[0].details.top_tokens[*][0].text=ok@assistant',
      '[0].details.top_tokens[*][1].text=a@assistant',
      '[0].details.best_of_sequences[0].generated_text=no@assistant',
      '[0].details.best_of_sequences[0].tokens[*].text=no@assistant',
    ]);
    expect(texts(answer(hf, { generated_text: 'x', details: { inputs: 'echoed prompt' } }))).toEqual(['generated_text=x@assistant', 'details.inputs=echoed prompt@assistant']);
    expect(texts(answer(hf, []))).toBe('the model answer: the top level: needs at least 1 item');
    expect(texts(answer(hf, 'text'))).toBe('the model answer: the top level: expected {"generated_text": ...} or a non-empty list of them');
  });
});

describe('embeddings', () => {
  it('takes "inputs" or OpenAI-style "input", checked as documents', () => {
    expect(texts(request(embeddings, { inputs: ['a', 'b'], normalize: true }))).toEqual(['inputs[0]=a@user', 'inputs[1]=b@user']);
    expect(texts(request(embeddings, { input: 'a', model: 'e5', encoding_format: 'float' }))).toEqual(['input=a@user', 'model=e5@user']);
    expect(texts(request(embeddings, { inputs: 'a', input: 'b' }))).toMatch(/exactly one of "inputs" or "input"/);
    expect(texts(request(embeddings, { inputs: [] }))).toBe('the embeddings request: inputs: needs at least 1 item');
    expect(texts(request(embeddings, { inputs: 5 }))).toBe('the embeddings request: inputs: expected a string or a non-empty array of strings');
  });

  it('passes vectors and base64 vectors, checks any other string', () => {
    expect(texts(answer(embeddings, [[0.1, 0.2]]))).toEqual([]);
    expect(texts(answer(embeddings, { object: 'list', data: [{ object: 'embedding', embedding: 'AAAAPw==', index: 0 }], model: 'e5' }))).toEqual([]);
    expect(texts(answer(embeddings, { data: [{ embedding: [0.1], note: 'jane@example.com' }] }))).toEqual(['data[0]{}=note@assistant', 'data[0].note=jane@example.com@assistant']);
    expect(texts(answer(embeddings, { unexpected: 1 }))).toMatch(/expected a vector/);
  });
});

describe('raw', () => {
  const p = (s: string) => parseJsonPath(s) as JsonPath;
  const raw = formatFor({ format: 'raw', rawPaths: { request: [p('prompt'), p('history[0].text')], response: [p('output.text')] } });

  it('needs a string at each configured path, and checks every other string and key as well', () => {
    expect(texts(request(raw, { prompt: 'x', history: [{ text: 'y' }], options: { mode: 'fast' } }))).toEqual([
      'prompt=x@user',
      '{}=options@user',
      'history[0].text=y@user',
      'options{}=mode@user',
      'options.mode=fast@user',
    ]);
    expect(texts(request(raw, { prompt: 'x' }))).toBe('the request has no string at "history[0].text"');
    expect(texts(answer(raw, { output: { text: 'o', extra: 'e' } }))).toEqual(['output.text=o@assistant', 'output{}=extra@assistant', 'output.extra=e@assistant']);
    expect(texts(answer(raw, { output: 'o' }))).toBe('the model answer has no string at "output.text"');
  });
});
