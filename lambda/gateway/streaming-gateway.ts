import { randomUUID } from 'node:crypto';
import { consumerOf } from './consumers';
import { streamedTokenUsage } from './token-usage';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { OutputStreamCheck } from '../safety';
import { answerForInvokeError, circuitOpenAnswer } from './error-mapping';
import type { EndpointStream } from './endpoint-stream-client';
import { admitRequest, createGateway, emitRecord, fail, failWith, newRecord, type GatewayDeps } from './gateway';
import type { ModelConfig } from './gateway-config';
import type { ModelInvoker } from './model-invoker';
import { openAiError, toOpenAi } from './openai-shapes';
import { formatFor } from './payload-formats';
import { parseRequestBody, requestBodyBytes } from './request-parsing';
import type { JsonValue } from './strict-json';
import { relayStream, StreamStop } from './stream-relay';
import { streamFormatFor } from './stream-formats';

/** Where the answer goes: Lambda's response stream (streaming-handler.ts) or a test's. */
export interface ResponseSink {
  /** Sends the status and headers; called once, before any body. */
  start(statusCode: number, headers: Record<string, string>): void;
  write(chunk: string): void;
  /** Ends the body; resolves once it is flushed. */
  end(chunk?: string): Promise<void>;
  /** Called once if the client goes away before `end`. */
  onClientGone(listener: () => void): void;
}

export interface StreamingGatewayDeps extends GatewayDeps {
  readonly invokeStream: ModelInvoker<EndpointStream>;
}

export type StreamingGatewayHandler = (event: APIGatewayProxyEvent, sink: ResponseSink) => Promise<void>;

type Route = { readonly kind: 'native'; readonly model: string } | { readonly kind: 'openai'; readonly api: 'chat' | 'embeddings' };

const NATIVE_PATH = /^\/models\/([^/]+)\/invocations$/;

function routeOf(event: APIGatewayProxyEvent): Route | undefined {
  const resource = event?.resource ?? event?.path ?? '';
  if (resource === '/v1/chat/completions') return { kind: 'openai', api: 'chat' };
  if (resource === '/v1/embeddings') return { kind: 'openai', api: 'embeddings' };
  const model = event?.pathParameters?.model ?? NATIVE_PATH.exec(resource)?.[1];
  return model === undefined ? undefined : { kind: 'native', model };
}

/**
 * The streaming gateway, behind REST API integrations with response streaming: a streaming
 * model's `POST /models/{model}/invocations`, and the OpenAI-compatible `POST /v1/chat/completions`
 * and `/v1/embeddings`, where the body's `model` names the model. A request with `"stream": true`
 * for a streaming model is checked like any other, then answered from InvokeEndpointWithResponseStream
 * through the output checks' hold-back window; every other request takes the buffered path
 * (gateway.ts) and is written in one piece.
 */
export function createStreamingGateway(deps: StreamingGatewayDeps): StreamingGatewayHandler {
  const buffered = createGateway(deps);
  const consumers = deps.consumers ?? new Map<string, string>();
  const maxBytes = Math.max(...[...deps.config.models.values()].map((m) => m.maxRequestBytes));

  return async function handle(event, sink) {
    const requestId = event?.requestContext?.requestId || randomUUID();
    const route = routeOf(event);
    if (route?.kind === 'openai') return openAiRoute(route.api, event, sink, requestId);
    const model = route === undefined ? undefined : deps.config.models.get(route.model);
    if (model?.streaming === true) {
      const parsed = parseRequestBody(event, model.maxRequestBytes);
      if (parsed.ok && isObject(parsed.payload) && parsed.payload.stream === true) return stream(model, event, parsed.payload, sink, requestId, false);
    }
    return write(sink, await buffered(withModel(event, route?.kind === 'native' ? route.model : '')));
  };

  async function openAiRoute(api: 'chat' | 'embeddings', event: APIGatewayProxyEvent, sink: ResponseSink, requestId: string): Promise<void> {
    const started = deps.now();
    // A refusal before the request reaches a path of its own is counted and logged like any other answer.
    const refuse = (status: number, code: string, message: string, model?: ModelConfig) => {
      const rec = newRecord(requestId, deps.config.stage, model, consumerOf(event, consumers));
      rec.status = status;
      rec.errorClass = status === 413 ? 'PayloadTooLarge' : status === 404 ? 'NotFound' : 'InvalidRequest';
      if (model !== undefined) rec.circuitOpen = deps.invokeModel.circuitOpen(model);
      rec.latencyMs = deps.now() - started;
      emitRecord(deps.sink, rec);
      return write(sink, { statusCode: status, headers: { 'content-type': 'application/json', 'x-request-id': requestId }, body: openAiError(status, code, message, requestId) });
    };
    const parsed = parseRequestBody(event, maxBytes);
    if (!parsed.ok) return refuse(parsed.reason === 'too_large' ? 413 : 400, parsed.reason === 'too_large' ? 'payload_too_large' : 'invalid_request', parsed.message);
    if (!isObject(parsed.payload)) return refuse(400, 'invalid_request', 'the body must be a JSON object');
    const { model: name, ...payload } = parsed.payload;
    if (typeof name !== 'string') return refuse(400, 'invalid_request', 'model: is required; name one of the models served here');
    const wanted = api === 'chat' ? 'openai-chat' : 'embeddings';
    const model = deps.config.models.get(name);
    if (model === undefined) return refuse(404, 'model_not_found', `no model named "${name.slice(0, 64)}" is served here`);
    // The body was parsed under the largest limit of any model: now this model's own.
    if (requestBodyBytes(event) > model.maxRequestBytes) return refuse(413, 'payload_too_large', `the body is larger than this model's limit of ${model.maxRequestBytes} bytes`, model);
    if (model.format !== wanted) return refuse(400, 'invalid_request', `model: "${name}" speaks ${model.format}; /v1/${api === 'chat' ? 'chat/completions' : 'embeddings'} serves ${wanted} models`, model);
    // The gateway chose the model; the container is not asked to match a name it does not know.
    const body = JSON.stringify(payload);
    if (payload.stream === true) {
      if (!model.streaming) return refuse(400, 'invalid_request', `stream: model "${name}" does not stream; leave "stream" out or set it to false`, model);
      return stream(model, event, payload, sink, requestId, true);
    }
    const result = await buffered(withModel({ ...event, body, isBase64Encoded: false }, name));
    return write(sink, toOpenAi(result, name, api));
  }

  async function stream(model: ModelConfig, event: APIGatewayProxyEvent, payload: JsonValue, sink: ResponseSink, requestId: string, openAi: boolean): Promise<void> {
    const started = deps.now();
    const rec = newRecord(requestId, deps.config.stage, model, consumerOf(event, consumers));
    const abort = new AbortController();
    sink.onClientGone(() => abort.abort(new StreamStop('client_gone')));
    try {
      const answerError = (result: APIGatewayProxyResult) => write(sink, openAi ? toOpenAi(result, model.name, 'chat') : result);
      const admitted = admitRequest(model, formatFor(model), event, rec, payload);
      if (!admitted.ok) return await answerError(admitted.result);
      const format = streamFormatFor(model.format)!;
      const outcome = await deps.invokeStream(model, JSON.stringify(format.request(admitted.value)), requestId, { budgetMs: model.timeToFirstTokenMs, signal: abort.signal });
      rec.attempts = outcome.report.attempts;
      rec.fallbackUsed = outcome.report.fallbackUsed;
      rec.circuitOpen = outcome.report.primaryCircuitOpen;
      rec.endpoint = outcome.endpoint;
      if (!outcome.ok) {
        const a = outcome.errorClass === 'CircuitOpen' ? circuitOpenAnswer(outcome.retryAfterMs) : answerForInvokeError(outcome.errorClass, outcome.retryAfterMs);
        return await answerError(failWith(rec, a));
      }
      rec.variant = outcome.answer.variant;
      rec.status = 200;
      const headers: Record<string, string> = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': requestId, 'x-safety-action': 'checked-in-stream' };
      if (outcome.answer.variant !== undefined) headers['x-invoked-variant'] = outcome.answer.variant;
      sink.start(200, headers);
      const relayStarted = deps.now();
      const relayed = await relayStream({
        parts: outcome.answer.parts,
        format,
        writer: format.writer({ requestId, model: model.name, created: Math.floor(Date.now() / 1000) }),
        check: new OutputStreamCheck(model.policy, { holdBackChars: model.holdBackChars }),
        send: (chunk) => sink.write(chunk),
        abort,
        stallMs: model.stallTimeoutMs,
        remainingMs: model.streamTimeoutMs - (relayStarted - started),
        now: deps.now,
        requestId,
      });
      rec.modelLatencyMs = outcome.report.modelMs + relayed.durationMs;
      rec.outputLength = relayed.outputLength;
      rec.outputAction = relayed.end === 'blocked' ? 'block' : relayed.redactedChecks.length > 0 ? 'redact' : 'allow';
      if (relayed.blockedChecks.length > 0) rec.blockedChecks = [...new Set([...rec.blockedChecks, ...relayed.blockedChecks])];
      if (relayed.redactedChecks.length > 0) rec.redactedChecks = [...new Set([...rec.redactedChecks, ...relayed.redactedChecks])];
      const endClass = ({ stalled: 'Timeout', deadline: 'Timeout', interrupted: 'ResponseInterrupted', model_error: 'ModelError', malformed: 'MalformedResponse', unsupported: 'MalformedResponse', too_large: 'ResponseTooLarge' } as const)[relayed.end as 'stalled'];
      if (endClass !== undefined) rec.errorClass = endClass;
      if (relayed.end === 'stalled' || relayed.end === 'interrupted') deps.invokeStream.streamFailed(model, outcome.endpoint, relayed.end === 'stalled' ? 'Timeout' : 'ResponseInterrupted');
      const usage = streamedTokenUsage(relayed.usage, rec.inputLength ?? 0, relayed.tokens);
      rec.promptTokens = usage.promptTokens;
      rec.completionTokens = usage.completionTokens;
      rec.tokensEstimated = usage.estimated;
      rec.stream = {
        end: relayed.end,
        timeToFirstTokenMs: relayed.firstTextMs === undefined ? undefined : relayStarted - started + relayed.firstTextMs,
        tokens: relayed.tokens,
        durationMs: relayed.durationMs,
      };
      await sink.end();
    } catch (err) {
      if (abort.signal.aborted && rec.status === 0) {
        // The client left before the stream started: no one to answer (nginx's 499 in the record).
        rec.status = 499;
      } else if (rec.status === 0) {
        rec.internalErrorName = err instanceof Error ? err.name : typeof err;
        await write(sink, fail(rec, 500, 'internal_error', 'the gateway failed; the request id identifies the log entry', 'Internal')).catch(() => undefined);
      }
    } finally {
      rec.latencyMs = deps.now() - started;
      emitRecord(deps.sink, rec);
    }
  }
}

function withModel(event: APIGatewayProxyEvent, model: string): APIGatewayProxyEvent {
  return { ...event, pathParameters: { ...(event?.pathParameters ?? {}), model } };
}

async function write(sink: ResponseSink, result: APIGatewayProxyResult): Promise<void> {
  sink.start(result.statusCode, (result.headers ?? {}) as Record<string, string>);
  await sink.end(result.body);
}

function isObject(v: unknown): v is Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
