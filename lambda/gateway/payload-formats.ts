import type { ModelConfig, PayloadFormat } from './gateway-config';
import { formatJsonPath, getAtPath, setAtPath, type JsonPath } from './json-path';

/** One piece of text inside a payload: what the checks read and where a redaction is written back. */
export interface TextSlot {
  readonly text: string;
  /** Writes redacted text into the payload object this slot was found in. */
  write(text: string): void;
}

/** Slots, or a message that says what the payload lacks (it names fields, never their values). */
export type SlotResult = { readonly slots: TextSlot[] } | { readonly problem: string };

/**
 * Knows where a container format keeps its text. Slots point into the payload object, so
 * writing a slot mutates the parsed payload, which the caller then serialises once.
 */
export interface PayloadAdapter {
  readonly format: PayloadFormat;
  requestSlots(payload: unknown): SlotResult;
  /** Response formats the adapter does not check (embeddings) return no slots. */
  responseSlots(payload: unknown): SlotResult;
}

export function adapterFor(model: Pick<ModelConfig, 'format' | 'rawPaths'>): PayloadAdapter {
  switch (model.format) {
    case 'openai-chat':
      return OPENAI_CHAT;
    case 'hf-text-generation':
      return HF_TEXT_GENERATION;
    case 'embeddings':
      return EMBEDDINGS;
    case 'raw':
      return rawAdapter(model.rawPaths?.request ?? [], model.rawPaths?.response ?? []);
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function slot(holder: Obj | unknown[], key: string | number): TextSlot {
  return {
    text: (holder as Obj)[key as string] as string,
    write: (text) => {
      (holder as Obj)[key as string] = text;
    },
  };
}

/**
 * OpenAI-style chat completions as vLLM and DJL LMI serve them: every message's text is checked
 * (string content, or the `text` parts of multi-part content; images and tool calls pass through);
 * the answer's `choices[].message.content` (or `choices[].text` for completions) is checked.
 */
const OPENAI_CHAT: PayloadAdapter = {
  format: 'openai-chat',
  requestSlots(payload) {
    if (!isObj(payload) || !Array.isArray(payload.messages) || payload.messages.length === 0) {
      return { problem: 'the openai-chat format needs a non-empty "messages" array' };
    }
    const slots: TextSlot[] = [];
    for (let i = 0; i < payload.messages.length; i++) {
      const m = payload.messages[i];
      if (!isObj(m)) return { problem: `messages[${i}] must be an object with "role" and "content"` };
      if (typeof m.content === 'string') slots.push(slot(m, 'content'));
      else if (Array.isArray(m.content)) {
        for (const part of m.content) if (isObj(part) && part.type === 'text' && typeof part.text === 'string') slots.push(slot(part, 'text'));
      } else if (m.content !== null && m.content !== undefined) {
        return { problem: `messages[${i}].content must be a string, an array of parts or null` };
      }
    }
    return { slots };
  },
  responseSlots(payload) {
    if (!isObj(payload) || !Array.isArray(payload.choices)) return { problem: 'the model answer has no "choices" array' };
    const slots: TextSlot[] = [];
    for (const choice of payload.choices) {
      if (!isObj(choice)) return { problem: 'a choice in the model answer is not an object' };
      if (isObj(choice.message) && typeof choice.message.content === 'string') slots.push(slot(choice.message, 'content'));
      else if (typeof choice.text === 'string') slots.push(slot(choice, 'text'));
    }
    return { slots };
  },
};

/** Hugging Face text generation (TGI, DJL LMI): `{"inputs": "..."}` → `[{"generated_text"}]` or `{"generated_text"}`. */
const HF_TEXT_GENERATION: PayloadAdapter = {
  format: 'hf-text-generation',
  requestSlots(payload) {
    if (!isObj(payload) || typeof payload.inputs !== 'string') return { problem: 'the hf-text-generation format needs "inputs" as a string' };
    return { slots: [slot(payload, 'inputs')] };
  },
  responseSlots(payload) {
    if (isObj(payload) && typeof payload.generated_text === 'string') return { slots: [slot(payload, 'generated_text')] };
    if (Array.isArray(payload) && payload.length > 0 && payload.every((g) => isObj(g) && typeof g.generated_text === 'string')) {
      return { slots: payload.map((g) => slot(g as Obj, 'generated_text')) };
    }
    return { problem: 'the model answer has no "generated_text"' };
  },
};

/** Embeddings: `{"inputs": string | string[]}`; vectors are not text, so only the input is checked. */
const EMBEDDINGS: PayloadAdapter = {
  format: 'embeddings',
  requestSlots(payload) {
    if (isObj(payload) && typeof payload.inputs === 'string') return { slots: [slot(payload, 'inputs')] };
    if (isObj(payload) && Array.isArray(payload.inputs) && payload.inputs.length > 0 && payload.inputs.every((s) => typeof s === 'string')) {
      const inputs = payload.inputs;
      return { slots: inputs.map((_, i) => slot(inputs, i)) };
    }
    return { problem: 'the embeddings format needs "inputs" as a string or a non-empty array of strings' };
  },
  responseSlots() {
    return { slots: [] };
  },
};

/** Any JSON: the configured paths must name strings; a missing request path is the caller's error. */
function rawAdapter(request: readonly JsonPath[], response: readonly JsonPath[]): PayloadAdapter {
  const slotsAt = (payload: unknown, paths: readonly JsonPath[], what: string): SlotResult => {
    const slots: TextSlot[] = [];
    for (const p of paths) {
      const text = getAtPath(payload, p);
      if (typeof text !== 'string') return { problem: `${what} has no string at "${formatJsonPath(p)}"` };
      slots.push({ text, write: (t) => void setAtPath(payload, p, t) });
    }
    return { slots };
  };
  return {
    format: 'raw',
    requestSlots: (payload) => slotsAt(payload, request, 'the request'),
    responseSlots: (payload) => slotsAt(payload, response, 'the model answer'),
  };
}
