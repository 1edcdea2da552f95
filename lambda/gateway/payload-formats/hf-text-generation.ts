import * as z from 'zod/mini';
import type { FieldMap } from '../text-leaves';
import type { JsonValue } from '../strict-json';
import { canonical, ENUM_VALUE, isRecord, JSON_SCHEMA_KEYWORDS, jsonObject, memberNames, oneOf, schemaPerPolicy, validate, type PayloadFormat } from './payload-format';
import { takeParameters, type ParameterTable } from './sampling-parameters';

/**
 * Hugging Face text generation as TGI and DJL LMI serve it: `{"inputs": "...", "parameters": {...}}`
 * in; `{"generated_text", "details"?}` or a list of them out. The parameters are TGI's and DJL
 * LMI's sampling options.
 */
const buildRequest = schemaPerPolicy((object) => {
  const strings = z.optional(z.nullable(z.array(z.string())));
  return object({
    inputs: z.string(),
    parameters: z.optional(
      z.nullable(
        object({
          adapter_id: z.optional(z.nullable(z.string())),
          grammar: z.optional(
            z.nullable(
              z.discriminatedUnion(
                'type',
                [
                  object({ type: z.literal('json'), value: oneOf([jsonObject, z.string()], 'expected a JSON schema or a string') }),
                  object({ type: z.literal('regex'), value: z.string() }),
                ],
                { error: 'a grammar has "type" json or regex' },
              ),
            ),
          ),
          stop: strings,
          stop_sequences: strings,
        }),
      ),
    ),
    // true only for a model configured to stream (the gateway checks).
    stream: z.optional(z.nullable(z.boolean())),
  });
});

/** TGI's and DJL LMI's sampling parameters, checked from this table (sampling-parameters.ts). */
const SAMPLING: ParameterTable = {
  best_of: 'int',
  decoder_input_details: 'bool',
  details: 'bool',
  do_sample: 'bool',
  early_stopping: 'bool',
  frequency_penalty: 'number',
  ignore_eos: 'bool',
  length_penalty: 'number',
  logprobs: 'int',
  max_new_tokens: 'int',
  min_new_tokens: 'int',
  min_p: 'number',
  n: 'int',
  no_repeat_ngram_size: 'int',
  num_beams: 'int',
  presence_penalty: 'number',
  repetition_penalty: 'number',
  return_full_text: 'bool',
  seed: 'int',
  temperature: 'number',
  top_k: 'int',
  top_n_tokens: 'int',
  top_p: 'number',
  truncate: 'int',
  typical_p: 'number',
  watermark: 'bool',
};

const REQUEST_MAP: FieldMap = { fields: { parameters: { fields: { grammar: { origin: 'system', fields: { type: ENUM_VALUE } } } } } };

const tokenDetails: FieldMap = { tokens: { text: 'text' } };
const sequenceDetails: FieldMap['fields'] = {
  finish_reason: ENUM_VALUE,
  prefill: tokenDetails,
  tokens: tokenDetails,
  top_tokens: { tokens: { text: 'text', ranked: true } },
};
const generation: FieldMap = {
  fields: { details: { fields: { ...sequenceDetails, best_of_sequences: { items: { fields: sequenceDetails } } } } },
};
/** A generation, or a list of them. Token texts are checked as the text they form. */
const ANSWER_MAP: FieldMap = { ...generation, items: generation };

/** Member names of TGI and DJL LMI answers. */
const ANSWER_KEYS = new Set([
  'generated_text', 'details', 'finish_reason', 'generated_tokens', 'seed', 'prefill', 'tokens', 'top_tokens', 'best_of_sequences',
  'id', 'text', 'logprob', 'log_prob', 'special', 'inputs',
]);

const generationSchema = z.looseObject({ generated_text: z.string() });
const answerSchema = oneOf([generationSchema, z.array(generationSchema).check(z.minLength(1))], 'expected {"generated_text": ...} or a non-empty list of them');

let requestKeys: Set<string> | undefined;

export const HF_TEXT_GENERATION: PayloadFormat = {
  request(parsed, unknownFields) {
    const schema = buildRequest(unknownFields);
    const parameters = isRecord(parsed) ? parsed.parameters : undefined;
    const sampling = isRecord(parameters) ? takeParameters(parameters, SAMPLING, 'parameters') : undefined;
    const input = sampling === undefined || sampling.rest === parameters ? parsed : { ...(parsed as object), parameters: sampling.rest };
    const v = validate(schema, input as JsonValue, 'the hf-text-generation request', unknownFields, sampling?.problems);
    if (!v.ok) return v;
    requestKeys ??= memberNames(schema, new Set([...JSON_SCHEMA_KEYWORDS, ...Object.keys(SAMPLING)]));
    const value = v.value as { parameters?: object | null };
    if (sampling !== undefined && Object.keys(sampling.parameters).length > 0) value.parameters = { ...value.parameters, ...sampling.parameters };
    return canonical(value as JsonValue, REQUEST_MAP, 'user', requestKeys);
  },
  answer(parsed) {
    const v = validate(answerSchema, parsed, 'the model answer');
    if (!v.ok) return v;
    return canonical(parsed, ANSWER_MAP, 'assistant', ANSWER_KEYS);
  },
};
