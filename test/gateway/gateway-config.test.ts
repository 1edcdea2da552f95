import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GatewayConfigError, loadGatewayConfig, parseGatewayConfig } from '../../lambda/gateway/gateway-config';
import { setEnv } from './gateway-fixtures';

const chat = { endpointName: 'inference-prod-chat', format: 'openai-chat', timeoutMs: 20000, maxRequestBytes: 262144, policy: { preset: 'standard' } };

function problems(raw: unknown, checksOnly = false): readonly string[] {
  try {
    parseGatewayConfig(raw, { checksOnly });
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayConfigError);
    return (e as GatewayConfigError).problems;
  }
}

describe('gateway config', () => {
  it('parses the contract shape, with defaults and a parsed policy', () => {
    const c = parseGatewayConfig({
      stage: 'prod',
      models: {
        chat: { ...chat, fallbackEndpointName: 'inference-prod-chat-small' },
        embed: { ...chat, format: 'embeddings', inferenceComponentName: 'inference-prod-embed-ic', policy: { preset: 'strict', version: 'embed-v3' } },
        raw: { ...chat, format: 'raw', rawPaths: { request: ['prompt'], response: ['output.text'] }, circuitBreaker: { failureThreshold: 2 } },
      },
    });
    expect(c.stage).toBe('prod');
    const m = c.models.get('chat')!;
    expect(m).toMatchObject({ name: 'chat', endpointName: 'inference-prod-chat', fallbackEndpointName: 'inference-prod-chat-small', circuitBreaker: { failureThreshold: 5, cooldownMs: 10000 } });
    expect(m.policy.version).toBe('1:standard');
    expect(c.models.get('embed')!.policy.version).toBe('embed-v3');
    expect(c.models.get('raw')!.rawPaths).toEqual({ request: [['prompt']], response: [['output', 'text']] });
    expect(c.models.get('raw')!.circuitBreaker.failureThreshold).toBe(2);
  });

  it('collects every problem into one error that names the field and the fix', () => {
    const p = problems({
      stage: '',
      models: {
        'bad name!': chat,
        a: { ...chat, endpointName: 'has_underscore', format: 'grpc', timeoutMs: 0, maxRequestBytes: 7_000_000 },
        b: { ...chat, format: 'raw' },
        c: { ...chat, rawPaths: { request: ['x'], response: ['y'] }, policy: { preset: 'nope' } },
        d: { ...chat, fallbackEndpointName: 'inference-prod-chat' },
      },
    });
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^stage:/),
        expect.stringMatching(/^models\.bad name!: the model name/),
        expect.stringMatching(/^models\.a\.endpointName: "has_underscore"/),
        expect.stringMatching(/^models\.a\.format: "grpc" must be one of openai-chat, hf-text-generation, embeddings, raw/),
        expect.stringMatching(/^models\.a\.timeoutMs: 0 must be an integer/),
        expect.stringMatching(/^models\.a\.maxRequestBytes: 7000000 must be an integer from 1 to 6291456/),
        expect.stringMatching(/^models\.b\.rawPaths: the raw format needs/),
        expect.stringMatching(/^models\.c\.rawPaths: only the "raw" format/),
        expect.stringMatching(/^models\.c\.policy/),
        expect.stringMatching(/^models\.d\.fallbackEndpointName: must differ/),
      ]),
    );
    expect(problems([])).toEqual([expect.stringMatching(/JSON object/)]);
    expect(problems({ stage: 's', models: {} })).toEqual([expect.stringMatching(/at least one model/)]);
    expect(problems({ stage: 's', models: { r: { ...chat, format: 'raw', rawPaths: { request: ['a..b'], response: [] } } } })).toHaveLength(2);
  });

  it('accepts the checks-only shape of the processing handlers', () => {
    const checks = { stage: 's', models: { chat: { format: 'openai-chat', policy: { preset: 'standard' } } } };
    expect(problems(checks, true)).toEqual([]);
    expect(problems(checks, false)).toHaveLength(3);
  });

  it('loads from GATEWAY_CONFIG, else from GATEWAY_CONFIG_FILE relative to the bundle directory', () => {
    const json = JSON.stringify({ stage: 'x', models: { chat } });
    expect(loadGatewayConfig({ GATEWAY_CONFIG: json }, '/nowhere').stage).toBe('x');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-config-'));
    fs.writeFileSync(path.join(dir, 'gateway-config.json'), json);
    expect(loadGatewayConfig({ GATEWAY_CONFIG_FILE: 'gateway-config.json' }, dir).models.has('chat')).toBe(true);
    expect(() => loadGatewayConfig({ GATEWAY_CONFIG_FILE: 'missing.json' }, dir)).toThrow(/GATEWAY_CONFIG_FILE .*missing\.json.* could not be read/);
    expect(() => loadGatewayConfig({}, dir)).toThrow(/set GATEWAY_CONFIG/);
    expect(() => loadGatewayConfig({ GATEWAY_CONFIG: '{nope' }, dir)).toThrow(/GATEWAY_CONFIG is not valid JSON/);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('a misconfigured gateway', () => {
  it('answers 500 internal_error with a request id instead of failing to load, and logs the problem once', async () => {
    const restore = setEnv({ GATEWAY_CONFIG: JSON.stringify({ stage: 'x', models: { chat: { ...chat, format: 'grpc' } } }), GATEWAY_CONFIG_FILE: undefined });
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      let handler: typeof import('../../lambda/gateway/gateway-handler').handler | undefined;
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded with the bad environment
        handler = (require('../../lambda/gateway/gateway-handler') as typeof import('../../lambda/gateway/gateway-handler')).handler;
      });
      for (let i = 0; i < 2; i++) {
        const res = await handler!({ body: '{}', pathParameters: { model: 'chat' } } as never);
        expect(res.statusCode).toBe(500);
        expect(JSON.parse(res.body).error).toMatchObject({ code: 'internal_error', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      }
      expect(write).toHaveBeenCalledTimes(1);
      expect(String(write.mock.calls[0][0])).toContain('models.chat.format: \\"grpc\\" must be one of');
    } finally {
      write.mockRestore();
      restore();
    }
  });
});
