/**
 * Server-sent events (WHATWG HTML, "Parsing an event stream"), read incrementally: lines end in
 * CRLF, LF or CR; `data:` lines (one optional space after the colon) are joined with newlines;
 * a blank line dispatches the event; `:` lines are comments. Text must be decoded already (a
 * chunk split inside a character is the decoder's concern); a chunk split inside a line or
 * between CR and LF is handled here.
 */
export interface SseEvent {
  readonly event?: string;
  readonly data: string;
}

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event: string | undefined;
  private lastWasCr = false;

  /** Feeds text; returns the events it completed. */
  push(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    let s = this.buffer + text;
    this.buffer = '';
    let i = 0;
    if (this.lastWasCr && s.charCodeAt(0) === 0x0a) i = 1;
    this.lastWasCr = false;
    for (;;) {
      let end = i;
      while (end < s.length && s.charCodeAt(end) !== 0x0a && s.charCodeAt(end) !== 0x0d) end++;
      if (end === s.length) break;
      this.line(s.slice(i, end), events);
      if (s.charCodeAt(end) === 0x0d) {
        if (end + 1 === s.length) {
          this.lastWasCr = true;
          i = end + 1;
          break;
        }
        if (s.charCodeAt(end + 1) === 0x0a) end++;
      }
      i = end + 1;
    }
    s = s.slice(i);
    this.buffer = s;
    return events;
  }

  /** Characters of an unfinished line held back (a bound on what a peer can make us buffer). */
  get buffered(): number {
    return this.buffer.length;
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.data.length > 0) events.push(this.event === undefined ? { data: this.data.join('\n') } : { event: this.event, data: this.data.join('\n') });
      this.data = [];
      this.event = undefined;
      return;
    }
    if (line.charCodeAt(0) === 0x3a) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
  }
}

/** One event with a JSON (or `[DONE]`) payload, as OpenAI and TGI write them. */
export function sseData(data: string, compact = false): string {
  return compact ? `data:${data}\n\n` : `data: ${data}\n\n`;
}
