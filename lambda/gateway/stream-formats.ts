import type { ErrorCode } from './error-mapping';
import type { PayloadFormat as FormatName } from './gateway-config';
import { sseData } from './sse';
import { parseStrictJson, type JsonValue } from './strict-json';

/** One event of a container's streamed answer, as the gateway needs it. */
export type ModelStreamEvent =
  | { readonly kind: 'text'; readonly text: string; readonly finishReason?: string; readonly usage?: Usage }
  | { readonly kind: 'done' }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'unsupported'; readonly what: string };

export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

/** What the gateway writes to the client: its own events carrying checked text, never the container's. */
export interface StreamWriter {
  readonly contentType: string;
  /** Opens the answer (OpenAI: the assistant role chunk). */
  start(): string;
  text(text: string): string;
  finish(finishReason: string | undefined, usage: Usage | undefined, generatedText: string, tokens: number): string;
  /** The documented terminal event of a stream that cannot finish; nothing follows it. */
  error(code: ErrorCode, message: string, requestId: string, blocked: boolean): string;
}

export interface StreamFormat {
  /** The container's request for a streamed answer. */
  request(value: JsonValue): JsonValue;
  /** One SSE `data` payload of the container's stream. */
  parse(data: string): ModelStreamEvent;
  writer(ids: { readonly requestId: string; readonly model: string; readonly created: number }): StreamWriter;
}

const SSE = 'text/event-stream; charset=utf-8';

function isObject(v: unknown): v is Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function usageOf(v: unknown): Usage | undefined {
  if (!isObject(v)) return undefined;
  const n = (x: unknown) => (typeof x === 'number' && Number.isInteger(x) && x >= 0 ? x : undefined);
  const p = n(v.prompt_tokens);
  const c = n(v.completion_tokens);
  if (p === undefined || c === undefined) return undefined;
  return { prompt_tokens: p, completion_tokens: c, total_tokens: n(v.total_tokens) ?? p + c };
}

const FINISH = /^[a-z_]{1,32}$/;
const finishOf = (v: unknown): string | undefined => (typeof v === 'string' && FINISH.test(v) ? v : undefined);

/** Delta members that carry text the gateway cannot release piecewise with the content (tool calls, reasoning). */
const UNSUPPORTED_DELTA = ['tool_calls', 'function_call', 'reasoning_content', 'reasoning', 'refusal', 'audio'];

/**
 * OpenAI chat completion chunks as vLLM streams them (`stream: true`). Only `delta.content` is
 * text; a delta with tool calls, reasoning or a refusal ends the stream (`unsupported`) rather
 * than passing on text that was not checked. Logprobs are not passed on.
 */
export const OPENAI_CHAT_STREAM: StreamFormat = {
  request(value) {
    return { ...(value as object), stream: true, stream_options: { include_usage: true } };
  },
  parse(data) {
    if (data === '[DONE]') return { kind: 'done' };
    const tree = parseStrictJson(data);
    if (!tree.ok || !isObject(tree.value)) return { kind: 'error', message: 'a streamed chunk is not a JSON object' };
    const chunk = tree.value;
    if (chunk.error !== undefined) return { kind: 'error', message: 'the model reported an error mid-stream' };
    const usage = usageOf(chunk.usage);
    if (!Array.isArray(chunk.choices)) return { kind: 'error', message: 'a streamed chunk has no "choices"' };
    if (chunk.choices.length === 0) return { kind: 'text', text: '', usage };
    if (chunk.choices.length > 1) return { kind: 'unsupported', what: 'more than one choice' };
    const choice = chunk.choices[0];
    if (!isObject(choice) || (choice.index !== undefined && choice.index !== 0)) return { kind: 'unsupported', what: 'a choice other than the first' };
    const delta = choice.delta ?? {};
    if (!isObject(delta)) return { kind: 'error', message: 'a streamed choice has no "delta" object' };
    for (const k of UNSUPPORTED_DELTA) {
      const v = delta[k];
      if (v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)) return { kind: 'unsupported', what: `"delta.${k}"` };
    }
    const content = delta.content;
    if (content !== undefined && content !== null && typeof content !== 'string') return { kind: 'error', message: '"delta.content" is not a string' };
    return { kind: 'text', text: content ?? '', finishReason: finishOf(choice.finish_reason), usage };
  },
  writer({ requestId, model, created }) {
    const id = `chatcmpl-${requestId}`;
    const chunk = (delta: object, finish: string | null) =>
      sseData(JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] }));
    return {
      contentType: SSE,
      start: () => chunk({ role: 'assistant', content: '' }, null),
      text: (text) => chunk({ content: text }, null),
      finish(finishReason, usage) {
        let out = chunk({}, finishReason ?? 'stop');
        if (usage !== undefined) out += sseData(JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage }));
        return out + sseData('[DONE]');
      },
      error(code, message, rid, blocked) {
        // OpenAI clients raise an APIError for a `data: {"error": ...}` event.
        const stop = blocked ? chunk({}, 'content_filter') : '';
        return stop + sseData(JSON.stringify({ error: { message, type: code, code, param: null, request_id: rid } }));
      },
    };
  },
};

/**
 * Text Generation Inference's stream (`stream: true` on SageMaker): `data:{"token": {"text",
 * "special"}, "generated_text": null | "...", "details": ...}`; special tokens are not text.
 * Token ids and logprobs are not passed on: the gateway releases checked text in its own pieces,
 * so each event's `token.id` is -1 and `logprob` 0, and the final event carries the checked
 * `generated_text`.
 */
export const HF_TEXT_GENERATION_STREAM: StreamFormat = {
  request(value) {
    return { ...(value as object), stream: true };
  },
  parse(data) {
    const tree = parseStrictJson(data);
    if (!tree.ok || !isObject(tree.value)) return { kind: 'error', message: 'a streamed event is not a JSON object' };
    const ev = tree.value;
    if (ev.error !== undefined) return { kind: 'error', message: 'the model reported an error mid-stream' };
    const token = ev.token;
    if (!isObject(token) || typeof token.text !== 'string') return { kind: 'error', message: 'a streamed event has no "token.text"' };
    const details = isObject(ev.details) ? ev.details : undefined;
    const finishReason = details === undefined ? undefined : finishOf(details.finish_reason);
    const text = token.special === true ? '' : token.text;
    return { kind: 'text', text, finishReason };
  },
  writer() {
    let index = 0;
    const event = (text: string, special: boolean, generated: string | null, details: object | null) =>
      sseData(JSON.stringify({ index: ++index, token: { id: -1, text, logprob: 0, special }, generated_text: generated, details }), true);
    return {
      contentType: SSE,
      start: () => '',
      text: (text) => event(text, false, null, null),
      finish: (finishReason, _usage, generated, tokens) =>
        event('', true, generated, { finish_reason: finishReason ?? 'eos_token', generated_tokens: tokens, seed: null }),
      error: (code, message) => sseData(JSON.stringify({ error: message, error_type: code }), true),
    };
  },
};

/** The stream format of a payload format, if it can stream. */
export function streamFormatFor(format: FormatName): StreamFormat | undefined {
  if (format === 'openai-chat') return OPENAI_CHAT_STREAM;
  if (format === 'hf-text-generation') return HF_TEXT_GENERATION_STREAM;
  return undefined;
}
