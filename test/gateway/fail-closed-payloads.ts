import fc from 'fast-check';

/**
 * Generators of valid requests and answers for every payload format, written as templates: a
 * template builds its payload through a planter, which sees every string position (text, a key
 * that is text, or an allowlisted non-text field) and may plant a marker there. Token arrays
 * are derived from the planted texts, so a marker is split across tokens and their alternatives.
 */
export interface Planter {
  text(path: string, base: string): string;
  /** A key that is text: a property name of a JSON schema, a metadata key, a field added later. */
  key(path: string, base: string): string;
  /** A field on the format's allowlist of non-text fields (ids, roles, finish reasons, base64). */
  nonText(path: string, base: string): string;
}

export type Template = (p: Planter) => unknown;

/** Words that no check reacts to and that are not member names of any format. */
const WORDS = ['alpha', 'report', 'blue', 'river', 'garden', 'quiet', 'north', 'paper', 'window', 'orange', 'music', 'simple', 'travel', 'morning', 'ledger', 'harbor'];
const word = fc.constantFrom(...WORDS);
const sentence = fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(' '));
const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 6 });

/** Splits a text at fractional positions into tokens, as a tokenizer would (never between surrogates). */
export function splitTokens(text: string, at: readonly number[]): string[] {
  const offsets = [...new Set(at.map((f) => Math.floor(f * text.length)))].filter((o) => o > 0 && o < text.length).sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const o of offsets) {
    out.push(text.slice(from, o));
    from = o;
  }
  out.push(text.slice(from));
  return out;
}

const utf8 = (s: string) => Array.from(Buffer.from(s, 'utf8'));

/** Alternatives for at most `positions` positions: what does not fit joins the last one, so none of the text is lost. */
function fit(pieces: string[], positions: number): string[] {
  return pieces.length <= positions ? pieces : [...pieces.slice(0, positions - 1), pieces.slice(positions - 1).join('')];
}
const base64 = fc.uint8Array({ minLength: 3, maxLength: 24 }).map((b) => Buffer.from(b).toString('base64'));
const hex = fc.integer({ min: 0, max: 0xffffffff }).map((n) => n.toString(16).padStart(8, '0'));

// ---- openai-chat ---------------------------------------------------------------------------

type At = (p: Planter, path: string) => unknown;

const textPart = fc.record({ type: fc.constantFrom('text', 'input_text'), text: sentence }).map((s): At => (p, at) => ({ type: s.type, text: p.text(`${at}.text`, s.text) }));
const userPart = fc.oneof(
  textPart,
  sentence.map((t): At => (p, at) => p.text(at, t)),
  fc.record({ file: word, inline: fc.boolean(), data: base64 }).map((s): At => (p, at) => ({
    type: 'image_url',
    image_url: { url: s.inline ? p.nonText(`${at}.image_url.url`, `data:image/png;base64,${s.data}`) : p.text(`${at}.image_url.url`, `https://example.com/${s.file}.png`), detail: 'low' },
  })),
  base64.map((d): At => (p, at) => ({ type: 'input_image', image_url: p.nonText(`${at}.image_url`, `data:image/jpeg;base64,${d}`) })),
  base64.map((d): At => (p, at) => ({ type: 'input_audio', input_audio: { data: p.nonText(`${at}.input_audio.data`, d), format: 'wav' } })),
  fc.record({ name: word, data: base64 }).map((s): At => (p, at) => ({ type: 'file', file: { file_data: p.nonText(`${at}.file.file_data`, s.data), filename: p.text(`${at}.file.filename`, `${s.name}.pdf`) } })),
);
const assistantPart = fc.oneof(
  fc.record({ type: fc.constantFrom('text', 'output_text'), text: sentence }).map((s): At => (p, at) => ({ type: s.type, text: p.text(`${at}.text`, s.text) })),
  sentence.map((t): At => (p, at) => ({ type: 'refusal', refusal: p.text(`${at}.refusal`, t) })),
  sentence.map((t): At => (p, at) => p.text(at, t)),
);
const content = (parts: fc.Arbitrary<At>) =>
  fc.oneof(sentence.map((t): At => (p, at) => p.text(at, t)), fc.array(parts, { minLength: 1, maxLength: 2 }).map((ps): At => (p, at) => ps.map((part, i) => part(p, `${at}[${i}]`))));
const toolCall = fc.record({ id: hex, name: word, q: sentence }).map((s): At => (p, at) => ({
  id: p.text(`${at}.id`, `call_${s.id}`),
  type: 'function',
  function: { name: p.text(`${at}.function.name`, s.name), arguments: JSON.stringify({ q: p.text(`${at}.function.arguments`, s.q) }) },
}));
const message = fc.oneof(
  fc.record({ role: fc.constantFrom('system', 'developer'), content: content(textPart) }).map((s): At => (p, at) => ({ role: s.role, content: s.content(p, `${at}.content`) })),
  fc.record({ content: content(userPart), name: optional(word) }).map((s): At => (p, at) => ({
    role: 'user',
    content: s.content(p, `${at}.content`),
    ...(s.name === undefined ? {} : { name: p.text(`${at}.name`, s.name) }),
  })),
  fc.record({ content: optional(content(assistantPart)), reasoning: optional(sentence), calls: fc.array(toolCall, { maxLength: 1 }) }).map((s): At => (p, at) => ({
    role: 'assistant',
    content: s.content === undefined ? null : s.content(p, `${at}.content`),
    ...(s.reasoning === undefined ? {} : { reasoning_content: p.text(`${at}.reasoning_content`, s.reasoning) }),
    ...(s.calls.length === 0 ? {} : { tool_calls: s.calls.map((c, i) => c(p, `${at}.tool_calls[${i}]`)) }),
  })),
  fc.record({ id: hex, content: content(textPart) }).map((s): At => (p, at) => ({ role: 'tool', tool_call_id: p.text(`${at}.tool_call_id`, `call_${s.id}`), content: s.content(p, `${at}.content`) })),
);
const tool = fc.record({ name: word, description: sentence, property: word, about: sentence }).map((s): At => (p, at) => ({
  type: 'function',
  function: {
    name: p.text(`${at}.function.name`, s.name),
    description: p.text(`${at}.function.description`, s.description),
    parameters: {
      type: 'object',
      properties: { [p.key(`${at}.function.parameters.properties{}`, s.property)]: { type: 'string', description: p.text(`${at}.function.parameters.properties.*.description`, s.about) } },
    },
  },
}));

export const chatRequest: fc.Arbitrary<Template> = fc
  .record({
    messages: fc.array(message, { minLength: 1, maxLength: 3 }),
    user: optional(word),
    stop: optional(fc.array(word, { minLength: 1, maxLength: 2 })),
    tools: optional(fc.array(tool, { minLength: 1, maxLength: 1 })),
    documents: optional(fc.array(fc.record({ title: word, text: sentence }), { minLength: 1, maxLength: 1 })),
    metadata: optional(fc.record({ key: word, value: sentence })),
    temperature: optional(fc.double({ min: 0, max: 2, noNaN: true })),
    maxTokens: optional(fc.integer({ min: 1, max: 4096 })),
  })
  .map((s): Template => (p) => ({
    messages: s.messages.map((m, i) => m(p, `messages[${i}]`)),
    ...(s.user === undefined ? {} : { user: p.text('user', s.user) }),
    ...(s.stop === undefined ? {} : { stop: s.stop.map((w, i) => p.text(`stop[${i}]`, w)) }),
    ...(s.tools === undefined ? {} : { tools: s.tools.map((t, i) => t(p, `tools[${i}]`)), tool_choice: 'auto' }),
    ...(s.documents === undefined ? {} : { documents: s.documents.map((d, i) => ({ title: p.text(`documents[${i}].title`, d.title), text: p.text(`documents[${i}].text`, d.text) })) }),
    ...(s.metadata === undefined ? {} : { metadata: { [p.key('metadata{}', s.metadata.key)]: p.text('metadata.*', s.metadata.value) } }),
    ...(s.temperature === undefined ? {} : { temperature: s.temperature }),
    ...(s.maxTokens === undefined ? {} : { max_tokens: s.maxTokens }),
  }));

const logprobs = (tokens: readonly string[], alternatives: readonly string[]) => ({
  content: tokens.map((t, i) => ({
    token: t,
    logprob: -0.25,
    bytes: utf8(t),
    top_logprobs: [{ token: t, logprob: -0.25, bytes: utf8(t) }, ...(i < alternatives.length ? [{ token: alternatives[i], logprob: -3, bytes: utf8(alternatives[i]) }] : [])],
  })),
});

const chatChoice = fc.record({
  content: fc.option(sentence, { nil: null, freq: 6 }),
  reasoning: optional(sentence),
  call: optional(fc.record({ id: hex, name: word, q: sentence })),
  stopReason: optional(sentence),
  finish: fc.constantFrom('stop', 'length', 'tool_calls'),
  logprobs: optional(fc.record({ cuts, alternative: sentence, alternativeCuts: cuts })),
  extra: optional(fc.record({ key: word, value: sentence })),
});

export const chatAnswer: fc.Arbitrary<Template> = fc
  .record({ id: hex, fingerprint: optional(hex), choices: fc.array(chatChoice, { minLength: 1, maxLength: 1 }), extra: optional(fc.record({ key: word, value: sentence })) })
  .map((s): Template => (p) => ({
    id: p.nonText('id', `chatcmpl-${s.id}`),
    object: p.nonText('object', 'chat.completion'),
    created: 1_767_000_000,
    model: p.nonText('model', 'llama-3-8b'),
    ...(s.fingerprint === undefined ? {} : { system_fingerprint: p.nonText('system_fingerprint', `fp_${s.fingerprint}`) }),
    choices: s.choices.map((c, i) => {
      const at = `choices[${i}]`;
      const text = c.content === null ? null : p.text(`${at}.message.content`, c.content);
      const message: Record<string, unknown> = { role: p.nonText(`${at}.message.role`, 'assistant'), content: text };
      if (c.reasoning !== undefined) message.reasoning_content = p.text(`${at}.message.reasoning_content`, c.reasoning);
      if (c.call !== undefined) {
        message.tool_calls = [
          {
            id: p.nonText(`${at}.message.tool_calls[0].id`, `call_${c.call.id}`),
            type: p.nonText(`${at}.message.tool_calls[0].type`, 'function'),
            function: { name: p.text(`${at}.message.tool_calls[0].function.name`, c.call.name), arguments: JSON.stringify({ q: p.text(`${at}.message.tool_calls[0].function.arguments`, c.call.q) }) },
          },
        ];
      }
      if (c.extra !== undefined) message[p.key(`${at}.message{}`, c.extra.key)] = p.text(`${at}.message.*`, c.extra.value);
      const choice: Record<string, unknown> = { index: i, message, finish_reason: p.nonText(`${at}.finish_reason`, c.finish) };
      if (c.stopReason !== undefined) choice.stop_reason = p.text(`${at}.stop_reason`, c.stopReason);
      if (c.logprobs !== undefined && text !== null) {
        const alternative = p.text(`${at}.logprobs.content[*].top_logprobs[1].token`, c.logprobs.alternative);
        const tokens = splitTokens(text, c.logprobs.cuts);
        choice.logprobs = logprobs(tokens, fit(splitTokens(alternative, c.logprobs.alternativeCuts), tokens.length));
      }
      return choice;
    }),
    usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
    ...(s.extra === undefined ? {} : { [p.key('{}', s.extra.key)]: p.text('*', s.extra.value) }),
  }));

// ---- hf-text-generation --------------------------------------------------------------------

export const hfRequest: fc.Arbitrary<Template> = fc
  .record({ inputs: sentence, stop: optional(fc.array(word, { minLength: 1, maxLength: 2 })), grammar: optional(word), details: fc.boolean(), maxNewTokens: optional(fc.integer({ min: 1, max: 512 })) })
  .map((s): Template => (p) => ({
    inputs: p.text('inputs', s.inputs),
    parameters: {
      details: s.details,
      ...(s.maxNewTokens === undefined ? {} : { max_new_tokens: s.maxNewTokens }),
      ...(s.stop === undefined ? {} : { stop: s.stop.map((w, i) => p.text(`parameters.stop[${i}]`, w)) }),
      ...(s.grammar === undefined ? {} : { grammar: { type: 'regex', value: p.text('parameters.grammar.value', `${s.grammar}+`) } }),
    },
  }));

const tokenDetails = (tokens: readonly string[]) => tokens.map((t, i) => ({ id: 100 + i, text: t, logprob: -0.5, special: false }));

const generation = fc.record({
  text: sentence,
  cuts,
  details: optional(
    fc.record({
      finish: fc.constantFrom('length', 'eos_token', 'stop_sequence'),
      prompt: optional(fc.record({ text: sentence, cuts })),
      alternative: optional(fc.record({ text: sentence, cuts })),
      bestOf: fc.array(fc.record({ text: sentence, cuts }), { maxLength: 2 }),
      inputs: optional(sentence),
    }),
  ),
});

export const hfAnswer: fc.Arbitrary<Template> = fc.record({ list: fc.boolean(), generations: fc.array(generation, { minLength: 1, maxLength: 2 }) }).map((s): Template => (p) => {
  const build = (g: (typeof s.generations)[number], at: string) => {
    const text = p.text(`${at}generated_text`, g.text);
    const out: Record<string, unknown> = { generated_text: text };
    const d = g.details;
    if (d !== undefined) {
      const tokens = splitTokens(text, g.cuts);
      const details: Record<string, unknown> = { finish_reason: p.nonText(`${at}details.finish_reason`, d.finish), generated_tokens: tokens.length, tokens: tokenDetails(tokens) };
      if (d.prompt !== undefined) details.prefill = tokenDetails(splitTokens(p.text(`${at}details.prefill[*].text`, d.prompt.text), d.prompt.cuts));
      if (d.alternative !== undefined) {
        const alternatives = fit(splitTokens(p.text(`${at}details.top_tokens[*][1].text`, d.alternative.text), d.alternative.cuts), tokens.length);
        details.top_tokens = tokens.map((t, i) => [{ id: 1, text: t, logprob: -0.5, special: false }, ...(i < alternatives.length ? [{ id: 2, text: alternatives[i], logprob: -2, special: false }] : [])]);
      }
      if (d.bestOf.length > 0) {
        details.best_of_sequences = d.bestOf.map((b, i) => {
          const bText = p.text(`${at}details.best_of_sequences[${i}].generated_text`, b.text);
          return { generated_text: bText, finish_reason: 'length', generated_tokens: 3, tokens: tokenDetails(splitTokens(p.text(`${at}details.best_of_sequences[${i}].tokens[*].text`, b.text), b.cuts)) };
        });
      }
      if (d.inputs !== undefined) details.inputs = p.text(`${at}details.inputs`, d.inputs);
      out.details = details;
    }
    return out;
  };
  return s.list ? s.generations.map((g, i) => build(g, `[${i}].`)) : build(s.generations[0], '');
});

// ---- embeddings ----------------------------------------------------------------------------

const texts = (at: string) => fc.oneof(sentence.map((t) => (p: Planter) => p.text(at, t)), fc.array(sentence, { minLength: 1, maxLength: 4 }).map((ts) => (p: Planter) => ts.map((t, i) => p.text(`${at}[${i}]`, t))));

export const embeddingsRequest: fc.Arbitrary<Template> = fc.oneof(
  fc.record({ inputs: texts('inputs'), normalize: fc.boolean() }).map((s): Template => (p) => ({ inputs: s.inputs(p), normalize: s.normalize })),
  fc.record({ input: texts('input'), model: optional(word), user: optional(word) }).map((s): Template => (p) => ({
    input: s.input(p),
    ...(s.model === undefined ? {} : { model: p.text('model', s.model) }),
    ...(s.user === undefined ? {} : { user: p.text('user', s.user) }),
  })),
);

const vector = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 2, maxLength: 6 });
export const embeddingsAnswer: fc.Arbitrary<Template> = fc.oneof(
  fc.array(vector, { minLength: 1, maxLength: 3 }).map((vs): Template => () => vs),
  fc.record({ vectors: fc.array(vector, { minLength: 1, maxLength: 3 }), extra: optional(fc.record({ key: word, value: sentence })) }).map((s): Template => (p) => ({
    embeddings: s.vectors,
    ...(s.extra === undefined ? {} : { [p.key('{}', s.extra.key)]: p.text('*', s.extra.value) }),
  })),
  fc
    .record({ items: fc.array(fc.record({ vector, b64: optional(base64), note: optional(sentence) }), { minLength: 1, maxLength: 3 }), extra: optional(fc.record({ key: word, value: sentence })) })
    .map((s): Template => (p) => ({
      object: p.nonText('object', 'list'),
      data: s.items.map((d, i) => ({
        object: p.nonText(`data[${i}].object`, 'embedding'),
        embedding: d.b64 === undefined ? d.vector : p.nonText(`data[${i}].embedding`, d.b64),
        index: i,
        ...(d.note === undefined ? {} : { [p.key(`data[${i}]{}`, 'warning')]: p.text(`data[${i}].warning`, d.note) }),
      })),
      model: p.nonText('model', 'e5-large'),
      usage: { prompt_tokens: 4, total_tokens: 4 },
      ...(s.extra === undefined ? {} : { [p.key('{}', s.extra.key)]: p.text('*', s.extra.value) }),
    })),
);

// ---- raw (request paths prompt and context[0]; answer path output.text) ---------------------

export const rawRequest: fc.Arbitrary<Template> = fc
  .record({ prompt: sentence, context: fc.array(sentence, { minLength: 1, maxLength: 3 }), option: optional(fc.record({ key: word, value: word })), temperature: optional(fc.double({ min: 0, max: 1, noNaN: true })) })
  .map((s): Template => (p) => ({
    prompt: p.text('prompt', s.prompt),
    context: s.context.map((c, i) => p.text(`context[${i}]`, c)),
    ...(s.option === undefined ? {} : { options: { [p.key('options{}', s.option.key)]: p.text('options.*', s.option.value) } }),
    ...(s.temperature === undefined ? {} : { temperature: s.temperature }),
  }));

export const rawAnswer: fc.Arbitrary<Template> = fc
  .record({ text: sentence, extra: optional(fc.record({ key: word, value: sentence })), tokens: fc.nat(500) })
  .map((s): Template => (p) => ({
    output: { text: p.text('output.text', s.text), tokens: s.tokens },
    ...(s.extra === undefined ? {} : { [p.key('{}', s.extra.key)]: p.text('*', s.extra.value) }),
  }));

export const FORMAT_TEMPLATES = {
  'openai-chat': { request: chatRequest, answer: chatAnswer },
  'hf-text-generation': { request: hfRequest, answer: hfAnswer },
  embeddings: { request: embeddingsRequest, answer: embeddingsAnswer },
  raw: { request: rawRequest, answer: rawAnswer },
} as const;
export type FormatName = keyof typeof FORMAT_TEMPLATES;
