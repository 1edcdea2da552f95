import type { PayloadFormat } from './gateway-config';
import type { JsonValue } from './strict-json';

/** Tokens of one answered request, as the model reported them or estimated. */
export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** True when either count is an estimate (the answer carried no usable count). */
  readonly estimated: boolean;
}

/**
 * Characters per token of the estimate: about 4 for English text with the BPE tokenizers of
 * GPT-style models (OpenAI's rule of thumb). It is rough (code, other scripts and numbers take
 * more tokens per character), so estimated counts are flagged with the TokensEstimated metric.
 */
export const CHARS_PER_TOKEN_ESTIMATE = 4;
/** A count above this is not believed (a server bug or a hostile answer) and is estimated instead. */
const MAX_PLAUSIBLE_TOKENS = 10_000_000;

/**
 * The prompt and completion tokens of an answer: OpenAI's `usage` (`prompt_tokens`,
 * `completion_tokens`; vLLM and embeddings servers send it), TGI's and DJL LMI's `details`
 * (`generated_tokens`, and `prefill` — the prompt's tokens — when the request asked for
 * `decoder_input_details`). What the answer does not give is estimated from the checked text's
 * length in characters: ⌈characters ÷ 4⌉.
 */
export function tokenUsage(format: PayloadFormat, answer: JsonValue, inputChars: number, outputChars: number): TokenUsage {
  let prompt: number | undefined;
  let completion: number | undefined;
  if (format === 'openai-chat' || format === 'embeddings') {
    const usage = member(answer, 'usage');
    prompt = count(member(usage, 'prompt_tokens'));
    // Embeddings generate nothing: their usage has no completion_tokens.
    completion = format === 'embeddings' ? (prompt === undefined ? undefined : 0) : count(member(usage, 'completion_tokens'));
  } else if (format === 'hf-text-generation') {
    const generations = Array.isArray(answer) ? answer : [answer];
    const details = generations.map((g) => member(g, 'details'));
    const generated = details.map((d) => count(member(d, 'generated_tokens')));
    if (generated.length > 0 && generated.every((n) => n !== undefined)) completion = generated.reduce((a, b) => a! + b!, 0);
    const prefill = member(details[0], 'prefill');
    if (Array.isArray(prefill) && prefill.length > 0) prompt = prefill.length;
  }
  return {
    promptTokens: prompt ?? estimate(inputChars),
    completionTokens: completion ?? estimate(outputChars),
    estimated: prompt === undefined || completion === undefined,
  };
}

/**
 * A streamed answer's tokens: the container's usage report when it sent one (the gateway asks vLLM
 * for it with `stream_options.include_usage`); otherwise its token events counted as they passed
 * (one token each) and the prompt estimated from the checked input, and so flagged.
 */
export function streamedTokenUsage(reported: { prompt_tokens: number; completion_tokens: number } | undefined, inputChars: number, streamedTokens: number): TokenUsage {
  if (reported !== undefined) return { promptTokens: reported.prompt_tokens, completionTokens: reported.completion_tokens, estimated: false };
  return { promptTokens: estimate(inputChars), completionTokens: streamedTokens, estimated: true };
}

function estimate(chars: number): number {
  return Math.ceil(Math.max(0, chars) / CHARS_PER_TOKEN_ESTIMATE);
}

function member(node: JsonValue | undefined, key: string): JsonValue | undefined {
  return node !== null && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, key) ? node[key] : undefined;
}

function count(v: JsonValue | undefined): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_PLAUSIBLE_TOKENS ? v : undefined;
}
