import { emfLine, logLine, type RequestRecord } from '../../lambda/gateway/observability';
import { ERROR_CLASSES, errorMetric, METRIC_NAMESPACE } from '../../lambda/gateway/metric-names';

const base: RequestRecord = {
  requestId: 'r1',
  stage: 'prod',
  model: 'chat',
  consumer: 'search-team',
  status: 200,
  latencyMs: 12.34567,
  modelLatencyMs: 10,
  inputLength: 100,
  outputLength: 50,
  blockedChecks: [],
  redactedChecks: ['pii', 'secrets'],
  findingCount: 3,
  endpoint: 'ep',
  variant: 'AllTraffic',
  policyVersion: '1:standard',
  attempts: 1,
  fallbackUsed: false,
  circuitOpen: false,
};

type Emf = Record<string, unknown> & { _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } };

describe('EMF record and log line', () => {
  it('writes the contract: namespace, one dimension set, every metric a top-level number with its unit', () => {
    const r = JSON.parse(emfLine(base, 1700000000000)) as Emf;
    const d = r._aws.CloudWatchMetrics[0];
    expect(r._aws.Timestamp).toBe(1700000000000);
    expect(d.Namespace).toBe(METRIC_NAMESPACE);
    expect(d.Dimensions).toEqual([['Stage', 'Model']]);
    expect(Object.fromEntries(d.Metrics.map((m) => [m.Name, m.Unit]))).toEqual({
      Requests: 'Count',
      Latency: 'Milliseconds',
      ModelLatency: 'Milliseconds',
      InputLength: 'Count',
      OutputLength: 'Count',
      Blocked: 'Count',
      Redacted: 'Count',
      Errors: 'Count',
      ClientErrors: 'Count',
      Redacted_pii: 'Count',
      Redacted_secrets: 'Count',
      CircuitOpen: 'Count',
      FallbackUsed: 'Count',
    });
    expect(r).toMatchObject({ Stage: 'prod', Model: 'chat', Requests: 1, Latency: 12.346, Redacted: 1, Blocked: 0, requestId: 'r1', variant: 'AllTraffic', policyVersion: '1:standard', endpoint: 'ep' });
  });

  it('omits model latency and output length when the model was not called, and counts errors by class', () => {
    const r = JSON.parse(emfLine({ ...base, status: 503, errorClass: 'CircuitOpen', modelLatencyMs: undefined, outputLength: undefined, variant: undefined, redactedChecks: [], circuitOpen: true }, 1)) as Emf;
    const names = r._aws.CloudWatchMetrics[0].Metrics.map((m) => m.Name);
    expect(names).not.toContain('ModelLatency');
    expect(names).not.toContain('OutputLength');
    expect(r).toMatchObject({ Errors: 1, ClientErrors: 0, Error_CircuitOpen: 1, CircuitOpen: 1 });
    expect('variant' in r).toBe(false);
    const blocked = JSON.parse(emfLine({ ...base, status: 422, blockedChecks: ['injection'], redactedChecks: [] }, 1)) as Emf;
    expect(blocked).toMatchObject({ Blocked: 1, Blocked_injection: 1, ClientErrors: 0, Errors: 0 });
    const client = JSON.parse(emfLine({ ...base, status: 413, errorClass: 'PayloadTooLarge' }, 1)) as Emf;
    expect(client).toMatchObject({ ClientErrors: 1, Errors: 0, Error_PayloadTooLarge: 1 });
    expect(ERROR_CLASSES.map(errorMetric)).toContain('Error_ModelNotReady');
  });

  it('writes tokens when the model answered, and a second directive per consumer for its SLIs and tokens', () => {
    const r = JSON.parse(emfLine({ ...base, promptTokens: 120, completionTokens: 30, tokensEstimated: false }, 1)) as Emf;
    const [main, perConsumer] = r._aws.CloudWatchMetrics;
    expect(main.Dimensions).toEqual([['Stage', 'Model']]);
    expect(main.Metrics.map((m) => m.Name)).toEqual(expect.arrayContaining(['PromptTokens', 'CompletionTokens', 'TokensEstimated']));
    expect(perConsumer).toEqual({
      Namespace: METRIC_NAMESPACE,
      Dimensions: [['Stage', 'Model', 'Consumer']],
      Metrics: [
        { Name: 'Requests', Unit: 'Count' }, { Name: 'Latency', Unit: 'Milliseconds' }, { Name: 'Errors', Unit: 'Count' },
        { Name: 'PromptTokens', Unit: 'Count' }, { Name: 'CompletionTokens', Unit: 'Count' },
      ],
    });
    expect(r).toMatchObject({ Consumer: 'search-team', PromptTokens: 120, CompletionTokens: 30, TokensEstimated: 0, Requests: 1, Errors: 0 });
    // No answer, no tokens: the consumer directive still carries the request and its error.
    const failed = JSON.parse(emfLine({ ...base, status: 504, errorClass: 'Timeout' }, 1)) as Emf;
    expect(failed._aws.CloudWatchMetrics[0].Metrics.map((m) => m.Name)).not.toContain('PromptTokens');
    expect(failed._aws.CloudWatchMetrics[1].Metrics.map((m) => m.Name)).toEqual(['Requests', 'Latency', 'Errors']);
    expect(failed).toMatchObject({ Errors: 1, Consumer: 'search-team' });
  });

  it('logs one JSON line with ids, timings, names and counts', () => {
    const l = JSON.parse(logLine({ ...base, status: 502, errorClass: 'ModelError' }, 0));
    expect(l).toMatchObject({ level: 'ERROR', message: 'request', requestId: 'r1', model: 'chat', status: 502, errorClass: 'ModelError', latencyMs: 12.346, modelLatencyMs: 10, redactedChecks: ['pii', 'secrets'], inputLength: 100 });
  });
});
