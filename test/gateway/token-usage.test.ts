import { consumerOf, parseConsumerKeys } from '../../lambda/gateway/consumers';
import type { JsonValue } from '../../lambda/gateway/strict-json';
import { streamedTokenUsage, tokenUsage } from '../../lambda/gateway/token-usage';

describe('tokens of an answer', () => {
  test('OpenAI chat: the usage the server reports', () => {
    const answer = { choices: [{ message: { role: 'assistant', content: 'hi' } }], usage: { prompt_tokens: 812, completion_tokens: 96, total_tokens: 908 } };
    expect(tokenUsage('openai-chat', answer, 4000, 10)).toEqual({ promptTokens: 812, completionTokens: 96, estimated: false });
  });

  test('embeddings: prompt tokens only', () => {
    expect(tokenUsage('embeddings', { data: [{ embedding: [0.1] }], usage: { prompt_tokens: 7, total_tokens: 7 } }, 30, 0))
      .toEqual({ promptTokens: 7, completionTokens: 0, estimated: false });
  });

  test('TGI: generated_tokens summed over the generations, prefill for the prompt when asked for', () => {
    const answer: JsonValue = [
      { generated_text: 'a', details: { generated_tokens: 12, prefill: [{ id: 1 }, { id: 2 }, { id: 3 }] } },
      { generated_text: 'b', details: { generated_tokens: 8 } },
    ];
    expect(tokenUsage('hf-text-generation', answer, 100, 10)).toEqual({ promptTokens: 3, completionTokens: 20, estimated: false });
    // Without prefill the prompt is estimated: ⌈101 / 4⌉ = 26.
    expect(tokenUsage('hf-text-generation', { generated_text: 'a', details: { generated_tokens: 5 } }, 101, 1))
      .toEqual({ promptTokens: 26, completionTokens: 5, estimated: true });
  });

  test('no usable count: ⌈characters ÷ 4⌉ of the checked text, flagged as an estimate', () => {
    expect(tokenUsage('raw', { output: 'x' }, 10, 7)).toEqual({ promptTokens: 3, completionTokens: 2, estimated: true });
    expect(tokenUsage('openai-chat', { choices: [] }, 8, 0)).toEqual({ promptTokens: 2, completionTokens: 0, estimated: true });
    // Counts that cannot be true are not believed.
    for (const bad of [-1, 1.5, '12', 1e12, null]) {
      expect(tokenUsage('openai-chat', { choices: [], usage: { prompt_tokens: bad, completion_tokens: 4 } } as never, 40, 0))
        .toEqual({ promptTokens: 10, completionTokens: 4, estimated: true });
    }
  });
});

describe('the consumer of a request', () => {
  const keys = parseConsumerKeys({ CONSUMER_API_KEYS: '{"search-team":"k1abc","ads":"k2def"}' });

  test('is the team of its API key, none without a key, unknown for another key', () => {
    expect(consumerOf({ requestContext: { identity: { apiKeyId: 'k2def' } } } as never, keys)).toBe('ads');
    expect(consumerOf({ requestContext: { identity: { apiKeyId: 'zzz' } } } as never, keys)).toBe('unknown');
    expect(consumerOf({ requestContext: { identity: {} } } as never, keys)).toBe('none');
    expect(consumerOf(undefined, keys)).toBe('none');
  });

  test('a malformed key map fails loudly, naming the variable', () => {
    expect(parseConsumerKeys({}).size).toBe(0);
    expect(() => parseConsumerKeys({ CONSUMER_API_KEYS: '[1]' })).toThrow('CONSUMER_API_KEYS must be an object of consumer name → API key id');
    expect(() => parseConsumerKeys({ CONSUMER_API_KEYS: '{"a":3}' })).toThrow('CONSUMER_API_KEYS.a: must be an API key id');
    expect(() => parseConsumerKeys({ CONSUMER_API_KEYS: '{' })).toThrow('CONSUMER_API_KEYS is not JSON');
  });
});

describe('streamed answers', () => {
  test('use the container\'s usage report when the stream carried one', () => {
    expect(streamedTokenUsage({ prompt_tokens: 12, completion_tokens: 40 }, 100, 38)).toEqual({ promptTokens: 12, completionTokens: 40, estimated: false });
  });
  test('otherwise count the streamed tokens and estimate the prompt, flagged', () => {
    expect(streamedTokenUsage(undefined, 100, 38)).toEqual({ promptTokens: 25, completionTokens: 38, estimated: true });
  });
});
