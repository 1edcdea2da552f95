import * as z from 'zod/mini';
import type { FieldMap, TextOrigin } from '../text-leaves';
import {
  canonical,
  ENUM_VALUE,
  isBase64,
  isBase64DataUri,
  isIdentifier,
  isRecord,
  isWord,
  JSON_SCHEMA_KEYWORDS,
  jsonObject,
  memberNames,
  oneOf,
  schemaPerPolicy,
  validate,
  type PayloadFormat,
} from './payload-format';
import { takeParameters, type ParameterTable } from './sampling-parameters';

/**
 * OpenAI-style chat completions as vLLM, SGLang and DJL LMI serve them. The request model
 * covers every message role and content-part type, names, earlier tool calls, tool definitions,
 * response formats, the top-level `user`, and vLLM's sampling extensions; chat templates read
 * all of these as text, so all of them are checked. `chat_template` itself is not accepted: it
 * would let a caller replace how the system prompt is rendered.
 */
const buildRequest = schemaPerPolicy((object) => {
  const str = z.string();
  const bool = z.optional(z.nullable(z.boolean()));
  const optStr = z.optional(z.nullable(z.string()));

  const textPart = (type: string) => object({ type: z.literal(type), text: str });
  const url = object({ url: str, detail: z.optional(z.enum(['auto', 'low', 'high'])) });
  const partTypes = {
    text: textPart('text'),
    input_text: textPart('input_text'),
    output_text: textPart('output_text'),
    refusal: object({ type: z.literal('refusal'), refusal: str }),
    image_url: object({ type: z.literal('image_url'), image_url: url }),
    input_image: object({ type: z.literal('input_image'), image_url: z.optional(str), file_id: z.optional(str), detail: z.optional(z.enum(['auto', 'low', 'high'])) }),
    input_audio: object({ type: z.literal('input_audio'), input_audio: object({ data: str, format: z.enum(['wav', 'mp3', 'flac', 'ogg', 'webm', 'm4a', 'pcm16']) }) }),
    file: object({ type: z.literal('file'), file: object({ file_data: z.optional(str), file_id: z.optional(str), filename: z.optional(str) }) }),
    audio_url: object({ type: z.literal('audio_url'), audio_url: object({ url: str }) }),
    video_url: object({ type: z.literal('video_url'), video_url: object({ url: str }) }),
  };
  type PartType = keyof typeof partTypes;
  const content = (types: readonly PartType[]) => {
    const names = types.join(', ');
    const parts = z.discriminatedUnion('type', types.map((t) => partTypes[t]) as unknown as [typeof partTypes.text], { error: `a content part is a string or an object with "type" ${names}` });
    return oneOf([str, z.array(oneOf([str, parts], `a content part is a string or an object with "type" ${names}`))], `expected a string or an array of content parts (${names})`);
  };
  const textContent = content(['text', 'input_text']);
  const toolCall = object({ id: str, type: z.literal('function'), function: object({ name: str, arguments: str }) });
  const message = z.discriminatedUnion(
    'role',
    [
      object({ role: z.literal('system'), content: textContent, name: z.optional(str) }),
      object({ role: z.literal('developer'), content: textContent, name: z.optional(str) }),
      object({ role: z.literal('user'), content: content(Object.keys(partTypes) as PartType[]), name: z.optional(str) }),
      object({
        role: z.literal('assistant'),
        content: z.optional(z.nullable(content(['text', 'output_text', 'refusal']))),
        name: z.optional(str),
        tool_calls: z.optional(z.nullable(z.array(toolCall))),
        function_call: z.optional(z.nullable(object({ name: str, arguments: str }))),
        refusal: optStr,
        reasoning_content: optStr,
        reasoning: optStr,
      }),
      object({ role: z.literal('tool'), content: textContent, tool_call_id: str, name: z.optional(str) }),
      object({ role: z.literal('function'), content: z.nullable(str), name: str }),
    ],
    { error: 'a message is an object with "role" system, developer, user, assistant, tool or function' },
  );
  const fn = object({ name: str, description: optStr, parameters: z.optional(jsonObject), strict: bool });
  return object({
    messages: z.array(message).check(z.minLength(1)),
    model: optStr,
    logit_bias: z.optional(z.nullable(z.record(z.string().check(z.regex(/^\d{1,7}$/)), z.number()))),
    stop: z.optional(z.nullable(oneOf([str, z.array(str)], 'expected a string or an array of strings'))),
    // true only for a model configured to stream (the gateway checks); sent to the container as it is.
    stream: z.optional(z.nullable(z.boolean())),
    stream_options: z.optional(z.nullable(object({ include_usage: z.optional(z.nullable(z.boolean())), continuous_usage_stats: z.optional(z.nullable(z.boolean())) }))),
    response_format: z.optional(
      z.discriminatedUnion(
        'type',
        [
          object({ type: z.literal('text') }),
          object({ type: z.literal('json_object') }),
          object({ type: z.literal('json_schema'), json_schema: object({ name: str, description: optStr, schema: z.optional(jsonObject), strict: bool }) }),
        ],
        { error: 'a response format has "type" text, json_object or json_schema' },
      ),
    ),
    tools: z.optional(z.nullable(z.array(object({ type: z.literal('function'), function: fn })))),
    tool_choice: z.optional(z.nullable(oneOf([z.enum(['none', 'auto', 'required']), object({ type: z.literal('function'), function: object({ name: str }) })], 'expected "none", "auto", "required" or {"type": "function", "function": {"name": ...}}'))),
    functions: z.optional(z.array(fn)),
    function_call: z.optional(oneOf([z.enum(['none', 'auto']), object({ name: str })], 'expected "none", "auto" or {"name": ...}')),
    user: optStr,
    metadata: z.optional(z.nullable(z.record(z.string(), z.string()))),
    reasoning_effort: z.optional(z.nullable(z.enum(['minimal', 'low', 'medium', 'high']))),
    // vLLM's extensions that carry text.
    request_id: optStr,
    documents: z.optional(z.nullable(z.array(z.record(z.string(), z.string())))),
    chat_template_kwargs: z.optional(z.nullable(jsonObject)),
    guided_json: z.optional(z.nullable(oneOf([str, jsonObject], 'expected a JSON schema or a string'))),
    guided_regex: optStr,
    guided_choice: z.optional(z.nullable(z.array(str))),
    guided_grammar: optStr,
    guided_decoding_backend: optStr,
    guided_whitespace_pattern: optStr,
  });
});

/** OpenAI's and vLLM's sampling parameters: numbers and switches, checked from this table (sampling-parameters.ts). */
const SAMPLING: ParameterTable = {
  frequency_penalty: 'number',
  presence_penalty: 'number',
  temperature: 'number',
  top_p: 'number',
  min_p: 'number',
  repetition_penalty: 'number',
  length_penalty: 'number',
  max_tokens: 'int',
  max_completion_tokens: 'int',
  n: 'int',
  seed: 'int',
  top_logprobs: 'int',
  top_k: 'int',
  min_tokens: 'int',
  best_of: 'int',
  truncate_prompt_tokens: 'int',
  priority: 'int',
  logprobs: 'bool',
  parallel_tool_calls: 'bool',
  use_beam_search: 'bool',
  ignore_eos: 'bool',
  skip_special_tokens: 'bool',
  spaces_between_special_tokens: 'bool',
  include_stop_str_in_output: 'bool',
  add_generation_prompt: 'bool',
  continue_final_message: 'bool',
  add_special_tokens: 'bool',
  echo: 'bool',
  return_tokens_as_token_ids: 'bool',
  stop_token_ids: 'ints',
};

const ROLE_ORIGIN: Readonly<Record<string, TextOrigin>> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
  tool: 'tool_result',
  function: 'tool_result',
};

const urlFields = { url: { nonText: isBase64DataUri }, detail: ENUM_VALUE };
/** A part's `text` (and a part given as a plain string) is content: spotlighting marks it in a tool result. */
const partMap: FieldMap = {
  dataContent: true,
  fields: {
    text: { dataContent: true },
    type: ENUM_VALUE,
    detail: ENUM_VALUE,
    // A string for input_image parts, an object for image_url parts; only inline base64 data is not text.
    image_url: { nonText: isBase64DataUri, fields: urlFields },
    audio_url: { fields: urlFields },
    video_url: { fields: urlFields },
    input_audio: { fields: { data: { nonText: isBase64 }, format: ENUM_VALUE } },
    file: { fields: { file_data: { nonText: (s) => isBase64DataUri(s) || isBase64(s) } } },
  },
};

/** Where the text of a request is and who wrote it; every string not marked non-text is checked. */
const REQUEST_MAP: FieldMap = {
  fields: {
    messages: {
      items: {
        origin: (m) => (isRecord(m) && typeof m.role === 'string' ? ROLE_ORIGIN[m.role] : undefined),
        fields: { role: ENUM_VALUE, content: { dataContent: true, items: partMap }, tool_calls: { items: { fields: { type: ENUM_VALUE } } } },
      },
    },
    tools: { origin: 'tool_definition', items: { fields: { type: ENUM_VALUE } } },
    functions: { origin: 'tool_definition' },
    tool_choice: { origin: 'tool_definition', nonText: isWord, fields: { type: ENUM_VALUE } },
    function_call: { origin: 'tool_definition', nonText: isWord },
    response_format: { origin: 'system', fields: { type: ENUM_VALUE } },
    // vLLM's documents: strings, or objects of strings (title, text) that are all content.
    documents: { origin: 'document', items: { dataContent: true, items: { dataContent: true } } },
    reasoning_effort: ENUM_VALUE,
    logit_bias: { nonTextKeys: (k) => /^\d{1,7}$/.test(k) },
  },
};

const ID: FieldMap = { nonText: isIdentifier };
const logprobTokens: FieldMap = { tokens: { text: 'token', bytes: 'bytes', alternatives: 'top_logprobs' } };

/**
 * The non-text fields of an answer: ids, object type, model name, fingerprint, roles, finish
 * reasons. Everything else is text, including fields not listed here; logprob tokens are
 * checked as the text they form.
 */
const ANSWER_MAP: FieldMap = {
  fields: {
    id: ID,
    object: ID,
    model: ID,
    system_fingerprint: ID,
    service_tier: ENUM_VALUE,
    choices: {
      items: {
        fields: {
          finish_reason: ENUM_VALUE,
          message: { fields: { role: ENUM_VALUE, tool_calls: { items: { fields: { id: ID, type: ENUM_VALUE } } } } },
          logprobs: { fields: { content: logprobTokens, refusal: logprobTokens, tokens: { tokens: {} } } },
        },
      },
    },
  },
};

/** Member names of chat completion answers (OpenAI and vLLM), which are names, not text. */
const ANSWER_KEYS = new Set([
  'id', 'object', 'created', 'model', 'choices', 'index', 'message', 'role', 'content', 'refusal', 'tool_calls', 'function',
  'name', 'arguments', 'type', 'function_call', 'reasoning_content', 'reasoning', 'audio', 'annotations', 'logprobs', 'token',
  'bytes', 'logprob', 'top_logprobs', 'tokens', 'token_logprobs', 'text_offset', 'finish_reason', 'stop_reason', 'text',
  'usage', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'prompt_tokens_details', 'completion_tokens_details',
  'cached_tokens', 'reasoning_tokens', 'audio_tokens', 'accepted_prediction_tokens', 'rejected_prediction_tokens',
  'system_fingerprint', 'service_tier', 'prompt_logprobs', 'kv_transfer_params', 'expires_at', 'data', 'transcript',
]);

const answerSchema = z.looseObject({ choices: z.array(z.looseObject({})) });

let requestKeys: Set<string> | undefined;

export const OPENAI_CHAT: PayloadFormat = {
  request(parsed, unknownFields) {
    const schema = buildRequest(unknownFields);
    const sampling = takeParameters(parsed, SAMPLING, '');
    const v = validate(schema, sampling.rest, 'the openai-chat request', unknownFields, sampling.problems);
    if (!v.ok) return v;
    requestKeys ??= memberNames(schema, new Set([...JSON_SCHEMA_KEYWORDS, ...Object.keys(SAMPLING)]));
    return canonical({ ...(v.value as object), ...sampling.parameters }, REQUEST_MAP, 'user', requestKeys);
  },
  answer(parsed) {
    const v = validate(answerSchema, parsed, 'the model answer');
    if (!v.ok) return v;
    return canonical(parsed, ANSWER_MAP, 'assistant', ANSWER_KEYS);
  },
  addSystemNote(request, note) {
    if (!isRecord(request) || !Array.isArray(request.messages)) return;
    const first = request.messages[0];
    if (isRecord(first) && (first.role === 'system' || first.role === 'developer')) {
      if (typeof first.content === 'string') first.content = first.content === '' ? note : `${first.content}\n\n${note}`;
      else if (Array.isArray(first.content)) first.content.push({ type: 'text', text: note });
      else first.content = note;
    } else {
      request.messages.unshift({ role: 'system', content: note });
    }
  },
};
