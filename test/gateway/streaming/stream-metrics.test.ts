import { emfLine, logLine, type RequestRecord } from '../../../lambda/gateway/observability';

const base: RequestRecord = {
  requestId: 'r1', stage: 'test', model: 'chat', consumer: 'none', status: 200, latencyMs: 900, blockedChecks: [], redactedChecks: [], findingCount: 0,
  attempts: 1, fallbackUsed: false, circuitOpen: false, outputAction: 'allow',
};

const metrics = (r: RequestRecord) => {
  const record = JSON.parse(emfLine(r, 0)) as Record<string, unknown> & { _aws: { CloudWatchMetrics: [{ Metrics: { Name: string; Unit: string }[] }] } };
  return Object.fromEntries(record._aws.CloudWatchMetrics[0].Metrics.map((m) => [m.Name, { value: record[m.Name], unit: m.Unit }]));
};

describe('stream metrics', () => {
  it('a complete stream records time to first token, tokens per second and duration, and no error', () => {
    const m = metrics({ ...base, stream: { end: 'complete', timeToFirstTokenMs: 120.5, tokens: 50, durationMs: 1000 } });
    expect(m.TimeToFirstToken).toEqual({ value: 120.5, unit: 'Milliseconds' });
    // Latency (the latency alarms' and SLO's SLI) is the wait for the first text, not the 900 ms stream.
    expect(m.Latency).toEqual({ value: 120.5, unit: 'Milliseconds' });
    expect(m.TokensPerSecond).toEqual({ value: 50, unit: 'Count/Second' });
    expect(m.StreamDuration).toEqual({ value: 1000, unit: 'Milliseconds' });
    expect(m.BlockedMidStream.value).toBe(0);
    expect(m.Errors.value).toBe(0);
  });

  it('a stream the checks ended counts as blocked mid-stream and as a blocked answer (the output-block rollback signal)', () => {
    const m = metrics({ ...base, outputAction: 'block', blockedChecks: ['pii'], stream: { end: 'blocked', tokens: 10, durationMs: 200 } });
    expect(m.BlockedMidStream.value).toBe(1);
    expect(m.OutputBlocked.value).toBe(1);
    expect(m.TimeToFirstToken).toBeUndefined();
  });

  it('a stream that failed after its 200 counts as an error, so the error-rate alarm sees it; a client leaving does not', () => {
    for (const end of ['stalled', 'interrupted', 'model_error']) {
      expect(metrics({ ...base, errorClass: 'Timeout', stream: { end, tokens: 3, durationMs: 100 } }).Errors.value).toBe(1);
      expect(JSON.parse(logLine({ ...base, stream: { end, tokens: 3, durationMs: 100 } }, 0)).level).toBe('ERROR');
    }
    expect(metrics({ ...base, stream: { end: 'client_gone', tokens: 3, durationMs: 100 } }).Errors.value).toBe(0);
    expect(metrics(base).StreamDuration).toBeUndefined();
  });
});
