import { parsePolicySecret, PolicySecretError, withPolicySecrets, type SecretFetcher } from '../../lambda/gateway/policy-secrets';
import type { ProcessingResult } from '../../lambda/gateway/processing';
import { awsError, ok, startJsonStubServer, type JsonStubServer } from '../helpers/aws-json-stub-server';
import { apiEvent, captureStdout, chat, chatAnswer, model, sdkEnv, setEnv, type Handler } from './gateway-fixtures';
import { replies, startStubServer, type StubServer } from './sagemaker-stub-server';

const ARN = 'arn:aws:secretsmanager:us-east-1:310000000002:secret:inference-prod-chat-policy-AbCdEf';
const CANARY = 'Zq8vR2mT7kLw3Nx9Pc4Hs6Jd1Fg5Bh0y';

describe('parsePolicySecret: a secret\'s value, strictly', () => {
  test('canaryToken (the generated form), canaryTokens and bannedWords', () => {
    expect(parsePolicySecret(JSON.stringify({ canaryToken: CANARY, canaryTokens: ['cnry-2'], bannedWords: ['project-nightingale'] }), ARN))
      .toEqual({ canaryTokens: [CANARY, 'cnry-2'], bannedWords: ['project-nightingale'] });
    expect(parsePolicySecret('{}', ARN)).toEqual({ canaryTokens: [], bannedWords: [] });
  });

  test.each([
    ['not JSON', 'canary=abc', /not JSON/],
    ['an array', '["abc"]', /must be a JSON object/],
    ['an unknown key (a typo must not switch a check off)', '{"bannedWord": ["x"]}', /unknown keys "bannedWord"/],
    ['an empty word', '{"bannedWords": [""]}', /bannedWords must be an array of strings of 1–256/],
    ['a token that is not a string', '{"canaryToken": 42}', /canaryToken must be a string/],
  ])('refuses %s, naming the secret but never its content', (_what, text, message) => {
    expect(() => parsePolicySecret(text, ARN)).toThrow(message);
    expect(() => parsePolicySecret(text, ARN)).toThrow(PolicySecretError);
    try {
      parsePolicySecret(text, ARN);
    } catch (err) {
      expect((err as Error).message.startsWith(ARN)).toBe(true);
    }
  });
});

describe('withPolicySecrets: the values join the model\'s policy before it is parsed', () => {
  const config = { stage: 'prod', models: { chat: model('chat-ep', { policy: { preset: 'standard', bannedWords: { words: ['public-word'] } } }), embed: model('embed-ep') } };
  const reads: string[] = [];
  const fetch: SecretFetcher = async (arn) => {
    reads.push(arn);
    return JSON.stringify({ canaryToken: CANARY, bannedWords: ['project-nightingale'] });
  };

  test('tokens and words are appended to the policy\'s own; models without a secret are untouched', async () => {
    const merged = await withPolicySecrets(config, JSON.stringify({ chat: ARN }), fetch) as typeof config;
    expect(merged.models.chat.policy).toEqual({ preset: 'standard', canary: { tokens: [CANARY] }, bannedWords: { words: ['public-word', 'project-nightingale'] } });
    expect(merged.models.embed).toBe(config.models.embed);
    expect(config.models.chat.policy).toEqual({ preset: 'standard', bannedWords: { words: ['public-word'] } });
  });

  test('one read per distinct secret; nothing read without POLICY_SECRETS', async () => {
    reads.length = 0;
    await withPolicySecrets(config, JSON.stringify({ chat: ARN, embed: ARN }), fetch);
    expect(reads).toEqual([ARN]);
    expect(await withPolicySecrets(config, undefined, fetch)).toBe(config);
    expect(reads).toEqual([ARN]);
  });

  test('POLICY_SECRETS naming an unknown model or not an ARN is refused; a failed read names the secret', async () => {
    await expect(withPolicySecrets(config, JSON.stringify({ vision: ARN }), fetch)).rejects.toThrow(/POLICY_SECRETS\.vision: no model of that name/);
    await expect(withPolicySecrets(config, JSON.stringify({ chat: 'my-secret' }), fetch)).rejects.toThrow(/is not a Secrets Manager secret ARN/);
    const denied: SecretFetcher = async () => {
      throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    };
    await expect(withPolicySecrets(config, JSON.stringify({ chat: ARN }), denied)).rejects.toThrow(`${ARN}: the secret could not be read (AccessDeniedException: not authorized)`);
  });
});

/**
 * The handlers with the real Secrets Manager client against a local server speaking its JSON
 * protocol, and the real SageMaker Runtime client against the SageMaker stub.
 */
describe('the handlers read their policy secret once per container, with the real SDK client', () => {
  let secrets: JsonStubServer;
  let sagemaker: StubServer;
  let restoreEnv: () => void;
  const load = <T>(module: string): T => {
    let loaded: T | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the environment is set
      loaded = require(module) as T;
    });
    return loaded!;
  };

  beforeAll(async () => {
    [secrets, sagemaker] = await Promise.all([startJsonStubServer(), startStubServer()]);
    restoreEnv = setEnv({
      ...sdkEnv(sagemaker.url),
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      GATEWAY_CONFIG: JSON.stringify({ stage: 'prod', models: { chat: model('chat-ep') } }),
      GATEWAY_CONFIG_FILE: undefined,
      POLICY_SECRETS: JSON.stringify({ chat: ARN }),
    });
  });
  afterAll(async () => {
    restoreEnv();
    await Promise.all([secrets.close(), sagemaker.close()]);
  });

  test('a model answer leaking the canary token from the secret is blocked; the secret is read once for many requests', async () => {
    secrets.on('GetSecretValue', (input) => ok({ ARN: input.SecretId, Name: 'inference-prod-chat-policy', SecretString: JSON.stringify({ canaryToken: CANARY }), VersionId: 'v1' }));
    const handler = load<{ handler: Handler }>('../../lambda/gateway/gateway-handler').handler;
    sagemaker.on('chat-ep', () => replies.json(chatAnswer(`My instructions begin with ${CANARY}.`)));
    const leak = await captureStdout(() => handler(apiEvent('chat', chat('Summarize our refund policy.'))));
    expect(leak.result.statusCode).toBe(422);
    expect(JSON.parse(leak.result.body).error.checks).toEqual(['canary']);
    expect(JSON.stringify(leak.lines)).not.toContain(CANARY);
    sagemaker.on('chat-ep', () => replies.json(chatAnswer('Hello.')));
    for (let i = 0; i < 3; i++) expect((await captureStdout(() => handler(apiEvent('chat', chat('Hi'))))).result.statusCode).toBe(200);
    expect(secrets.callsOf('GetSecretValue')).toEqual([{ SecretId: ARN }]);
    expect(JSON.stringify(sagemaker.received.map((r) => r.body))).not.toContain(CANARY);
  });

  test('an unreadable secret fails closed (500 internal_error, logged with the ARN only), and the next request retries', async () => {
    secrets.calls.length = 0;
    secrets.on('GetSecretValue', () => awsError('AccessDeniedException', 'not authorized to perform secretsmanager:GetSecretValue'));
    const handler = load<{ handler: Handler }>('../../lambda/gateway/gateway-handler').handler;
    sagemaker.on('chat-ep', () => replies.json(chatAnswer('Hello.')));
    const denied = await captureStdout(() => handler(apiEvent('chat', chat('Hi'))));
    expect(denied.result.statusCode).toBe(500);
    expect(JSON.parse(denied.result.body).error.code).toBe('internal_error');
    expect(denied.lines.find((l) => l.level === 'ERROR')).toMatchObject({ message: 'policy secret unavailable; retried on the next request', problem: expect.stringContaining(ARN) });
    secrets.on('GetSecretValue', () => ok({ ARN, SecretString: JSON.stringify({ canaryToken: CANARY }) }));
    expect((await captureStdout(() => handler(apiEvent('chat', chat('Hi'))))).result.statusCode).toBe(200);
    expect(secrets.callsOf('GetSecretValue')).toHaveLength(2);
  });

  test('the standalone post-processing check blocks the canary from the secret too', async () => {
    secrets.on('GetSecretValue', () => ok({ ARN, SecretString: JSON.stringify({ canaryToken: CANARY, bannedWords: ['nightingale'] }) }));
    const handler = load<{ handler: (e: unknown) => Promise<ProcessingResult> }>('../../lambda/gateway/post-processing-handler').handler;
    const { result } = await captureStdout(() => handler({ model: 'chat', text: `leaked ${CANARY}` }));
    expect(result).toMatchObject({ action: 'block', checks: ['canary'] });
    const words = await captureStdout(() => handler({ model: 'chat', text: 'about project nightingale' }));
    expect(words.result).toMatchObject({ action: 'block', checks: ['banned_words'] });
  });
});
