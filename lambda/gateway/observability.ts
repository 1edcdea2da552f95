import { type EmfDirective, type EmfMetric, renderEmfRecord } from './emf';
import {
  blockedMetric,
  CONSUMER_DIMENSION_SETS,
  CONSUMER_METRICS,
  DIMENSION_CONSUMER,
  DIMENSION_MODEL,
  DIMENSION_SETS,
  DIMENSION_STAGE,
  errorMetric,
  METRIC_NAMESPACE,
  METRIC_UNITS,
  MetricName,
  redactedMetric,
  type ErrorClass,
} from './metric-names';

/** Everything known about one request once it is answered; no prompt or model text. */
export interface RequestRecord {
  readonly requestId: string;
  readonly stage: string;
  readonly model: string;
  /** The consumer (team) of the request's API key, `none` without a key, `unknown` for a key not in the config. */
  readonly consumer: string;
  readonly status: number;
  readonly errorClass?: ErrorClass;
  readonly latencyMs: number;
  /** Undefined when the model was not called. */
  readonly modelLatencyMs?: number;
  readonly inputLength?: number;
  readonly outputLength?: number;
  readonly inputAction?: string;
  readonly outputAction?: string;
  readonly blockedChecks: readonly string[];
  readonly redactedChecks: readonly string[];
  readonly findingCount: number;
  readonly endpoint?: string;
  readonly variant?: string;
  readonly policyVersion?: string;
  readonly attempts: number;
  readonly fallbackUsed: boolean;
  readonly circuitOpen: boolean;
  /** Tokens of the answer, when the model answered (reported by the model, or estimated: token-usage.ts). */
  readonly promptTokens?: number;
  readonly completionTokens?: number;
  readonly tokensEstimated?: boolean;
  /** Only for internal errors: the error's class name, never its message (it may quote input). */
  readonly internalErrorName?: string;
  /** Only for streamed answers (status 200 once the stream started; how it ended is `end`). */
  readonly stream?: StreamRecord;
}

export interface StreamRecord {
  /** complete, blocked, stalled, deadline, client_gone, model_error, interrupted, unsupported, too_large, malformed. */
  readonly end: string;
  readonly timeToFirstTokenMs?: number;
  readonly tokens: number;
  readonly durationMs: number;
}

/** The EMF record of the metric contract (lambda/gateway/metric-names.ts). */
export function emfLine(r: RequestRecord, timestamp: number): string {
  const m: EmfMetric[] = [];
  const count = (name: string, value: number) => m.push({ name, unit: 'Count', value });
  count(MetricName.REQUESTS, 1);
  // A stream's latency is its wait for the first text: the whole stream (minutes for a long answer)
  // is StreamDuration, and would make every long answer "slow" to the latency alarms and SLO.
  m.push({ name: MetricName.LATENCY, unit: METRIC_UNITS.Latency, value: round(r.stream?.timeToFirstTokenMs ?? r.latencyMs) });
  if (r.modelLatencyMs !== undefined) m.push({ name: MetricName.MODEL_LATENCY, unit: METRIC_UNITS.ModelLatency, value: round(r.modelLatencyMs) });
  if (r.inputLength !== undefined) count(MetricName.INPUT_LENGTH, r.inputLength);
  if (r.outputLength !== undefined) count(MetricName.OUTPUT_LENGTH, r.outputLength);
  count(MetricName.BLOCKED, r.blockedChecks.length > 0 || r.status === 422 ? 1 : 0);
  count(MetricName.REDACTED, r.redactedChecks.length > 0 ? 1 : 0);
  // Only for requests whose answer was checked, so its Average is the share of answers blocked.
  if (r.outputAction !== undefined) count(MetricName.OUTPUT_BLOCKED, r.outputAction === 'block' ? 1 : 0);
  // A stream that failed after its 200 went out is an error too: the error-rate rollback alarm must see it.
  count(MetricName.ERRORS, r.status >= 500 || streamFailed(r) ? 1 : 0);
  count(MetricName.CLIENT_ERRORS, r.status >= 400 && r.status < 500 && r.status !== 422 ? 1 : 0);
  for (const c of r.blockedChecks) count(blockedMetric(c), 1);
  for (const c of r.redactedChecks) count(redactedMetric(c), 1);
  if (r.errorClass !== undefined) count(errorMetric(r.errorClass), 1);
  count(MetricName.CIRCUIT_OPEN, r.circuitOpen ? 1 : 0);
  count(MetricName.FALLBACK_USED, r.fallbackUsed ? 1 : 0);
  if (r.promptTokens !== undefined && r.completionTokens !== undefined) {
    count(MetricName.PROMPT_TOKENS, r.promptTokens);
    count(MetricName.COMPLETION_TOKENS, r.completionTokens);
    count(MetricName.TOKENS_ESTIMATED, r.tokensEstimated ? 1 : 0);
  }
  if (r.stream !== undefined) {
    const s = r.stream;
    if (s.timeToFirstTokenMs !== undefined) m.push({ name: MetricName.TIME_TO_FIRST_TOKEN, unit: METRIC_UNITS.TimeToFirstToken, value: round(s.timeToFirstTokenMs) });
    m.push({ name: MetricName.STREAM_DURATION, unit: METRIC_UNITS.StreamDuration, value: round(s.durationMs) });
    if (s.durationMs > 0 && s.tokens > 0) m.push({ name: MetricName.TOKENS_PER_SECOND, unit: METRIC_UNITS.TokensPerSecond, value: round((s.tokens * 1000) / s.durationMs) });
    count(MetricName.BLOCKED_MID_STREAM, s.end === 'blocked' ? 1 : 0);
  }
  return renderEmfRecord(
    METRIC_NAMESPACE,
    DIMENSION_SETS,
    { [DIMENSION_STAGE]: r.stage, [DIMENSION_MODEL]: r.model, [DIMENSION_CONSUMER]: r.consumer },
    m,
    { requestId: r.requestId, variant: r.variant, policyVersion: r.policyVersion, endpoint: r.endpoint },
    timestamp,
    CONSUMER_DIRECTIVES,
  );
}

/** The per-consumer view of a few metrics; one constant, so its serialised directives are cached (emf.ts). */
const CONSUMER_DIRECTIVES: readonly EmfDirective[] = [{ dimensionSets: CONSUMER_DIMENSION_SETS, metricNames: CONSUMER_METRICS }];

/** The structured log line: ids, status, timings, check names, counts and lengths. */
export function logLine(r: RequestRecord, timestamp: number): string {
  return JSON.stringify({
    level: r.status >= 500 || streamFailed(r) ? 'ERROR' : r.status >= 400 ? 'WARN' : 'INFO',
    message: 'request',
    timestamp: new Date(timestamp).toISOString(),
    service: 'safety-gateway',
    ...r,
    latencyMs: round(r.latencyMs),
    modelLatencyMs: r.modelLatencyMs === undefined ? undefined : round(r.modelLatencyMs),
  });
}

/** How a stream ends when the model or the gateway failed it (not a block, not the client leaving). */
const STREAM_FAILURES = new Set(['stalled', 'deadline', 'model_error', 'interrupted', 'unsupported', 'too_large', 'malformed']);

function streamFailed(r: RequestRecord): boolean {
  return r.stream !== undefined && STREAM_FAILURES.has(r.stream.end);
}

export type RecordSink = (record: RequestRecord) => void;

/** Writes both lines straight to stdout: Lambda's console prefix would break EMF parsing. */
export const stdoutSink: RecordSink = (record) => {
  const now = Date.now();
  process.stdout.write(`${emfLine(record, now)}\n${logLine(record, now)}\n`);
};

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
