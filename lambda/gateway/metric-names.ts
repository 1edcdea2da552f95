/**
 * The gateway's CloudWatch contract: the SafetyGateway construct's alarms and dashboards read
 * exactly these names, so they live in one file that both sides import.
 */
export const METRIC_NAMESPACE = 'CdkInferencePlatform/Gateway';

/** One dimension set per record: every metric is per stage and per model. */
export const DIMENSION_STAGE = 'Stage';
export const DIMENSION_MODEL = 'Model';
export const DIMENSION_SETS: readonly (readonly string[])[] = [[DIMENSION_STAGE, DIMENSION_MODEL]];
/** The consumer (API key's team, `none`, `unknown`): a second directive for the metrics of per-team SLIs and chargeback. */
export const DIMENSION_CONSUMER = 'Consumer';
export const CONSUMER_DIMENSION_SETS: readonly (readonly string[])[] = [[DIMENSION_STAGE, DIMENSION_MODEL, DIMENSION_CONSUMER]];

export const MetricName = {
  REQUESTS: 'Requests',
  /** Milliseconds from the request to the answer; for a streamed answer, to its first text (the SLO's latency SLI). */
  LATENCY: 'Latency',
  MODEL_LATENCY: 'ModelLatency',
  INPUT_LENGTH: 'InputLength',
  OUTPUT_LENGTH: 'OutputLength',
  BLOCKED: 'Blocked',
  REDACTED: 'Redacted',
  /** 0/1 per answered request: the output checks blocked the model's answer (a rollback signal). */
  OUTPUT_BLOCKED: 'OutputBlocked',
  ERRORS: 'Errors',
  CLIENT_ERRORS: 'ClientErrors',
  CIRCUIT_OPEN: 'CircuitOpen',
  FALLBACK_USED: 'FallbackUsed',
  /** Prompt tokens of an answered request (the model's count, or an estimate: token-usage.ts). */
  PROMPT_TOKENS: 'PromptTokens',
  /** Completion tokens of an answered request. */
  COMPLETION_TOKENS: 'CompletionTokens',
  /** 0/1 per answered request: a token count is an estimate (its Average is the share estimated). */
  TOKENS_ESTIMATED: 'TokensEstimated',
  /** Streamed answers: from the request's arrival to the first checked text sent to the client. */
  TIME_TO_FIRST_TOKEN: 'TimeToFirstToken',
  /** Streamed answers: the container's tokens per second of stream. */
  TOKENS_PER_SECOND: 'TokensPerSecond',
  /** Streamed answers: from the stream's start to its last event. */
  STREAM_DURATION: 'StreamDuration',
  /** 0/1 per streamed answer: the output checks ended the stream mid-answer (a rollback signal). */
  BLOCKED_MID_STREAM: 'BlockedMidStream',
} as const;

export type MetricNameValue = (typeof MetricName)[keyof typeof MetricName];

/** The metrics also written per consumer: its SLIs (Requests, Errors, Latency) and its tokens. */
export const CONSUMER_METRICS: readonly MetricNameValue[] = ['Requests', 'Errors', 'Latency', 'PromptTokens', 'CompletionTokens'];

export type MetricUnit = 'Count' | 'Milliseconds' | 'Count/Second';

export const METRIC_UNITS = {
  Requests: 'Count',
  Latency: 'Milliseconds',
  ModelLatency: 'Milliseconds',
  InputLength: 'Count',
  OutputLength: 'Count',
  Blocked: 'Count',
  Redacted: 'Count',
  OutputBlocked: 'Count',
  Errors: 'Count',
  ClientErrors: 'Count',
  CircuitOpen: 'Count',
  FallbackUsed: 'Count',
  PromptTokens: 'Count',
  CompletionTokens: 'Count',
  TokensEstimated: 'Count',
  TimeToFirstToken: 'Milliseconds',
  TokensPerSecond: 'Count/Second',
  StreamDuration: 'Milliseconds',
  BlockedMidStream: 'Count',
} as const satisfies Readonly<Record<MetricNameValue, MetricUnit>>;

/** `Blocked_<check>`: requests a check blocked, e.g. `Blocked_injection`. Unit Count. */
export const blockedMetric = (check: string): string => `Blocked_${check}`;
/** `Redacted_<check>`: requests in which a check redacted text. Unit Count. */
export const redactedMetric = (check: string): string => `Redacted_${check}`;
/** `Error_<class>`: requests that ended in an error of that class. Unit Count. */
export const errorMetric = (errorClass: ErrorClass): string => `Error_${errorClass}`;

export const ERROR_CLASSES = [
  'ModelError',
  'Throttled',
  'ModelNotReady',
  'Timeout',
  'CircuitOpen',
  'Upstream5xx',
  'ConnectionError',
  'MalformedResponse',
  'ResponseTooLarge',
  'ResponseInterrupted',
  'InvalidRequest',
  'PayloadTooLarge',
  // Beyond the list: an unknown model (404) and a gateway bug (500) are counted too.
  'NotFound',
  'Internal',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** Record properties (searchable in Logs Insights, not dimensions). */
export const PROPERTY_NAMES = ['requestId', 'variant', 'policyVersion', 'endpoint'] as const;
