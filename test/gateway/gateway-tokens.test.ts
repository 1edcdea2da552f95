import { apiEvent, captureStdout, chat, chatAnswer, emfOf, sdkEnv, setEnv, TEST_CONFIG, type Handler } from './gateway-fixtures';
import { replies, startStubServer, type StubServer } from './sagemaker-stub-server';

/**
 * Tokens and consumers, end to end through the handler source: the real SDK client against the
 * local SageMaker Runtime stub, the consumer named from the API key id API Gateway passes.
 */
describe('gateway: tokens per model and per consumer', () => {
  let server: StubServer;
  let handler: Handler;
  let restoreEnv: () => void;

  beforeAll(async () => {
    server = await startStubServer();
    restoreEnv = setEnv({
      ...sdkEnv(server.url), GATEWAY_CONFIG: JSON.stringify(TEST_CONFIG), GATEWAY_CONFIG_FILE: undefined,
      CONSUMER_API_KEYS: JSON.stringify({ 'search-team': 'key-search', ads: 'key-ads' }),
    });
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the environment is set
      handler = (require('../../lambda/gateway/gateway-handler') as typeof import('../../lambda/gateway/gateway-handler')).handler;
    });
  });
  afterAll(async () => {
    restoreEnv();
    await server.close();
  });

  const withKey = (apiKeyId: string | undefined, body: unknown) => {
    const event = apiEvent('chat', body);
    return { ...event, requestContext: { ...event.requestContext, identity: apiKeyId === undefined ? {} : { apiKeyId } } } as typeof event;
  };
  type Emf = Record<string, unknown> & { _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] } };
  const emfOfCall = async (event: ReturnType<typeof withKey>) => {
    const { result, lines } = await captureStdout(() => handler(event));
    expect(result.statusCode).toBe(200);
    return emfOf(lines)[0] as Emf;
  };

  test('the usage the model reports, under the consumer of the API key', async () => {
    server.on('chat-ep', () => replies.json({ ...chatAnswer('Fine, thanks.'), usage: { prompt_tokens: 17, completion_tokens: 4, total_tokens: 21 } }));
    const emf = await emfOfCall(withKey('key-ads', chat('How are you today?')));
    expect(emf).toMatchObject({ Consumer: 'ads', PromptTokens: 17, CompletionTokens: 4, TokensEstimated: 0, Requests: 1, Errors: 0 });
    expect(emf._aws.CloudWatchMetrics[1].Dimensions).toEqual([['Stage', 'Model', 'Consumer']]);
    expect(emf._aws.CloudWatchMetrics[1].Metrics.map((m) => m.Name)).toEqual(['Requests', 'Latency', 'Errors', 'PromptTokens', 'CompletionTokens']);
  });

  test('an estimate when the answer has no usage: ⌈characters ÷ 4⌉ of the checked texts', async () => {
    server.on('chat-ep', () => replies.json(chatAnswer('Fine, thanks.')));
    // 'How are you today?' is 18 characters → 5 tokens; 'Fine, thanks.' is 13 → 4.
    const emf = await emfOfCall(withKey('key-search', chat('How are you today?')));
    expect(emf).toMatchObject({ Consumer: 'search-team', InputLength: 18, OutputLength: 13, PromptTokens: 5, CompletionTokens: 4, TokensEstimated: 1 });
  });

  test('no key is "none", a key outside the config "unknown"', async () => {
    server.on('chat-ep', () => replies.json(chatAnswer('ok')));
    expect((await emfOfCall(withKey(undefined, chat('hi')))).Consumer).toBe('none');
    expect((await emfOfCall(withKey('key-other', chat('hi')))).Consumer).toBe('unknown');
  });
});
