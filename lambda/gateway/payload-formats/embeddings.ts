import * as z from 'zod/mini';
import type { FieldMap } from '../text-leaves';
import { canonical, ENUM_VALUE, isBase64, isIdentifier, memberNames, oneOf, schemaPerPolicy, validate, type PayloadFormat } from './payload-format';

/**
 * Embeddings as TEI and DJL LMI serve them (`{"inputs": ...}`), or OpenAI-style (`{"input": ...}`):
 * a string or a non-empty list of strings, each checked as a document. Answers are vectors; any
 * string in them other than the allowlisted names and base64 vectors is checked.
 */
const buildRequest = schemaPerPolicy((object) => {
  const texts = z.optional(oneOf([z.string(), z.array(z.string()).check(z.minLength(1))], 'expected a string or a non-empty array of strings'));
  return object({
    inputs: texts,
    input: texts,
    normalize: z.optional(z.nullable(z.boolean())),
    truncate: z.optional(z.nullable(z.boolean())),
    truncation_direction: z.optional(z.nullable(z.enum(['left', 'right', 'Left', 'Right']))),
    prompt_name: z.optional(z.nullable(z.string())),
    model: z.optional(z.nullable(z.string())),
    encoding_format: z.optional(z.nullable(z.enum(['float', 'base64']))),
    dimensions: z.optional(z.nullable(z.int())),
    user: z.optional(z.nullable(z.string())),
  }).check(
    z.refine((r) => (r.inputs === undefined) !== (r.input === undefined), {
      error: 'needs exactly one of "inputs" or "input": a string or a non-empty array of strings',
    }),
  );
});

// Inputs to embed are as often a user's query as a document, and the detector of instructions in
// data flags most ordinary queries: they are checked as a user's text.
const REQUEST_MAP: FieldMap = {
  fields: {
    inputs: { origin: 'user' },
    input: { origin: 'user' },
    truncation_direction: { nonText: (s) => /^[lr]/i.test(s) && s.length <= 5 },
    encoding_format: ENUM_VALUE,
  },
};

const NAME: FieldMap = { nonText: isIdentifier };
const ANSWER_MAP: FieldMap = {
  fields: { object: NAME, model: NAME, data: { items: { fields: { object: NAME, embedding: { nonText: isBase64 } } } } },
};
const ANSWER_KEYS = new Set(['object', 'model', 'data', 'embedding', 'embeddings', 'index', 'usage', 'prompt_tokens', 'total_tokens', 'id']);

const vector = z.array(z.number());
const answerSchema = oneOf(
  [z.array(oneOf([vector, z.number()], 'expected a vector')), z.looseObject({ embeddings: z.array(vector) }), z.looseObject({ data: z.array(z.looseObject({})) })],
  'expected a vector, a list of vectors, {"embeddings": [...]} or {"data": [{"embedding": ...}]}',
);

let requestKeys: Set<string> | undefined;

export const EMBEDDINGS: PayloadFormat = {
  request(parsed, unknownFields) {
    const schema = buildRequest(unknownFields);
    const v = validate(schema, parsed, 'the embeddings request', unknownFields);
    if (!v.ok) return v;
    requestKeys ??= memberNames(schema);
    return canonical(v.value, REQUEST_MAP, 'user', requestKeys);
  },
  answer(parsed) {
    const v = validate(answerSchema, parsed, 'the model answer');
    if (!v.ok) return v;
    return canonical(parsed, ANSWER_MAP, 'assistant', ANSWER_KEYS);
  },
};
