import { OutputStreamCheck, type StreamRelease } from '../safety';
import { ModelStreamFailure } from './endpoint-stream-client';
import type { ErrorCode } from './error-mapping';
import { SseParser } from './sse';
import type { StreamFormat, StreamWriter, Usage } from './stream-formats';

/** How a stream ended. */
export type StreamEnd = 'complete' | 'blocked' | 'stalled' | 'deadline' | 'client_gone' | 'model_error' | 'interrupted' | 'unsupported' | 'too_large' | 'malformed';

export interface StreamRelayOptions {
  /** The container's bytes (SageMaker PayloadPart events); the iterator throws when the stream fails. */
  readonly parts: AsyncIterable<Uint8Array>;
  readonly format: StreamFormat;
  readonly writer: StreamWriter;
  readonly check: OutputStreamCheck;
  /** Writes to the client. */
  readonly send: (chunk: string) => void;
  /** Aborts the model call: the relay aborts it on a stall, the deadline or a block; the handler when the client leaves. */
  readonly abort: AbortController;
  /** No model output for this long ends the stream. */
  readonly stallMs: number;
  /** Time left for the whole stream. */
  readonly remainingMs: number;
  readonly now: () => number;
  readonly requestId: string;
}

export interface StreamOutcome {
  readonly end: StreamEnd;
  /** From the relay's start to the first checked text sent; undefined when none was. */
  readonly firstTextMs?: number;
  /** Model events that carried text: the container's tokens (TGI and vLLM send one per event). */
  readonly tokens: number;
  readonly durationMs: number;
  readonly blockedChecks: readonly string[];
  readonly redactedChecks: readonly string[];
  readonly outputLength: number;
  /** The container's usage report, passed on to OpenAI clients that asked for it. */
  readonly usage?: Usage;
}

/** Why the relay aborted the model call; `client_gone` comes from the handler. */
export class StreamStop extends Error {
  constructor(readonly end: 'stalled' | 'deadline' | 'client_gone' | 'blocked' | 'ended') {
    super(`stream stopped: ${end}`);
    this.name = 'StreamStop';
  }
}

/** An SSE line longer than this without its end is not a model's token stream. */
const MAX_PENDING_LINE = 1 << 20;

const TERMINAL: Readonly<Record<Exclude<StreamEnd, 'complete' | 'client_gone'>, { code: ErrorCode; message: string }>> = {
  blocked: { code: 'blocked_by_policy', message: "the rest of the model's answer was blocked by the safety policy" },
  stalled: { code: 'timeout', message: 'the model stopped sending tokens' },
  deadline: { code: 'timeout', message: 'the answer took longer than its latency budget' },
  model_error: { code: 'model_error', message: 'the model reported an error during the answer' },
  interrupted: { code: 'model_error', message: "the model's answer was cut off" },
  unsupported: { code: 'model_error', message: 'the model streamed content the gateway cannot check piece by piece (tool calls, reasoning or several choices); ask without "stream"' },
  too_large: { code: 'model_error', message: "the model's answer is longer than the safety policy allows" },
  malformed: { code: 'model_error', message: 'the model answer is not in the expected format' },
};

/**
 * Relays one started stream: decodes the container's bytes (a chunk may end inside a character
 * or an SSE line), reads its events, passes the text through the output checks' hold-back
 * window, and sends the released text in the client's format. Every failure after the first byte
 * ends with the format's terminal error event (the HTTP status is already sent, and a stream is
 * never retried); a block sends nothing of the blocked span. Never throws.
 */
export async function relayStream(o: StreamRelayOptions): Promise<StreamOutcome> {
  const started = o.now();
  const decoder = new TextDecoder('utf-8');
  const sse = new SseParser();
  let firstTextMs: number | undefined;
  let tokens = 0;
  let finishReason: string | undefined;
  let usage: Usage | undefined;
  let done = false;
  let released = '';
  const blockedChecks = new Set<string>();

  const stop = (why: StreamStop['end']) => {
    if (!o.abort.signal.aborted) o.abort.abort(new StreamStop(why));
  };
  let stallTimer = setTimeout(() => stop('stalled'), o.stallMs);
  const deadlineTimer = setTimeout(() => stop('deadline'), Math.max(1, o.remainingMs));

  const emit = (r: StreamRelease): StreamEnd | undefined => {
    if (r.action === 'block') {
      for (const f of r.findings) blockedChecks.add(f.check);
      return r.tooLarge ? 'too_large' : 'blocked';
    }
    if (r.text !== '') {
      firstTextMs ??= o.now() - started;
      released += r.text;
      o.send(o.writer.text(r.text));
    }
    return undefined;
  };

  const onEvents = (text: string): StreamEnd | undefined => {
    for (const ev of sse.push(text)) {
      const m = o.format.parse(ev.data);
      if (m.kind === 'done') {
        done = true;
        continue;
      }
      if (m.kind === 'error') return 'model_error';
      if (m.kind === 'unsupported') return 'unsupported';
      if (m.usage !== undefined) usage = m.usage;
      if (m.finishReason !== undefined) finishReason = m.finishReason;
      if (m.text !== '') {
        tokens++;
        const end = emit(o.check.push(m.text));
        if (end !== undefined) return end;
      }
    }
    return sse.buffered > MAX_PENDING_LINE ? 'malformed' : undefined;
  };

  let end: StreamEnd;
  try {
    o.send(o.writer.start());
    end = await (async (): Promise<StreamEnd> => {
      for await (const bytes of o.parts) {
        clearTimeout(stallTimer);
        stallTimer = setTimeout(() => stop('stalled'), o.stallMs);
        const stopped = onEvents(decoder.decode(bytes, { stream: true }));
        if (stopped !== undefined) return stopped;
      }
      if (o.abort.signal.aborted) return stopReason(o.abort.signal);
      // The stream closed: what is left of a character or an event without its blank line is read as if ended.
      const tail = onEvents(`${decoder.decode()}\n\n`);
      if (tail !== undefined) return tail;
      if (!done && finishReason === undefined) return 'interrupted';
      return emit(o.check.end()) ?? 'complete';
    })();
  } catch (err) {
    end = o.abort.signal.aborted ? stopReason(o.abort.signal) : isModelStreamError(err) ? 'model_error' : 'interrupted';
  } finally {
    clearTimeout(stallTimer);
    clearTimeout(deadlineTimer);
  }
  if (end !== 'complete' && end !== 'client_gone') {
    // Ends the model call too: nothing more of it will be sent.
    stop(end === 'stalled' || end === 'deadline' || end === 'blocked' ? end : 'ended');
    const t = TERMINAL[end];
    safeSend(o, o.writer.error(t.code, t.message, o.requestId, end === 'blocked'));
  } else if (end === 'complete') {
    safeSend(o, o.writer.finish(finishReason, usage, released, tokens));
  }
  return {
    end,
    firstTextMs,
    tokens,
    durationMs: o.now() - started,
    blockedChecks: [...blockedChecks].sort(),
    redactedChecks: o.check.redactedChecks,
    outputLength: o.check.length,
    usage,
  };
}

/** The model's or SageMaker's own report inside the stream, thrown by the SDK as a modeled error, or our wrapper of one. */
function isModelStreamError(err: unknown): boolean {
  const name = (err as { name?: unknown } | undefined)?.name;
  return err instanceof ModelStreamFailure || name === 'ModelStreamError' || name === 'InternalStreamFailure';
}

function stopReason(signal: AbortSignal): StreamEnd {
  const why = signal.reason instanceof StreamStop ? signal.reason.end : 'client_gone';
  return why === 'ended' ? 'interrupted' : why;
}

function safeSend(o: StreamRelayOptions, chunk: string): void {
  try {
    o.send(chunk);
  } catch {
    // The client is gone; the outcome already says how the stream ended.
  }
}
