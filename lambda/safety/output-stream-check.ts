import { rateOutput } from './pipeline';
import type { SafetyPolicy } from './policy';
import { type PlaceholderNumbers, redactWithMarks } from './redaction';
import { holdBackChars } from './stream-hold-back';
import type { CheckName, Finding, RatedFinding } from './types';

export interface OutputStreamCheckOptions {
  /**
   * Characters held back after the newest text, so a span is whole before any of it is released.
   * @default - sized by the policy's longest pattern (stream-hold-back.ts)
   */
  readonly holdBackChars?: number;
  /**
   * Check again only once this many characters beyond the window have arrived: fewer checks of the
   * window, at the cost of releasing text in slightly larger pieces.
   * @default 8
   */
  readonly releaseStep?: number;
}

/** What the stream may send now. `text` may be empty; once `block` is returned the stream is over. */
export type StreamRelease =
  | { readonly action: 'allow' | 'redact'; readonly text: string; readonly findings: readonly Finding[] }
  | { readonly action: 'block'; readonly text: ''; readonly findings: readonly Finding[]; readonly tooLarge: boolean };

/** A block finding this close to the newest text may still change with the next characters ("ass" → "assistant"). */
const BLOCK_LOOKAHEAD = 16;

/**
 * The output checks over a streamed answer. Text is released only once the checks have seen the
 * hold-back window after it: every span no longer than the window is whole when the first of it
 * would go out, a span that crosses the release point holds the release at its start (an open-ended
 * URL or key block is held until it ends), and the released text is redacted with the stream's
 * own placeholder numbers. The checks see the last window of released text as context, so
 * look-behind rules (an SSN's keyword, a word boundary) read as they would on the whole answer.
 * A blocking finding ends the stream before any of its span is released. Size is counted over
 * the whole answer. Offsets in findings are relative to the text checked in that round.
 */
export class OutputStreamCheck {
  readonly holdBack: number;
  private readonly step: number;
  private readonly contextChars: number;
  private readonly numbers: PlaceholderNumbers = new Map();
  private pending = '';
  private context = '';
  private chars = 0;
  private bytes = 0;
  private over = false;
  private readonly redacted = new Set<CheckName>();

  constructor(
    private readonly policy: SafetyPolicy,
    options: OutputStreamCheckOptions = {},
  ) {
    // Never under the block look-ahead: a block finding is decided only once BLOCK_LOOKAHEAD characters
    // follow it, so a shorter window would release it undecided, and later rounds no longer see it.
    this.holdBack = Math.max(BLOCK_LOOKAHEAD, Math.floor(options.holdBackChars ?? holdBackChars(policy)));
    this.step = Math.max(1, Math.floor(options.releaseStep ?? 8));
    // Look-behind of the checks: the phone and SSN rules read up to 48 characters before a value.
    this.contextChars = Math.max(this.holdBack, 64);
  }

  /** Checks that redacted something so far (for `Redacted_<check>`). */
  get redactedChecks(): readonly CheckName[] {
    return [...this.redacted].sort();
  }

  /** Characters of the answer received so far (the drift feature `OutputLength`). */
  get length(): number {
    return this.chars;
  }

  /** Adds the next piece of the answer and returns what may be sent now. */
  push(text: string): StreamRelease {
    if (this.over) return { action: 'block', text: '', findings: [], tooLarge: false };
    this.pending += text;
    this.chars += text.length;
    this.bytes += Buffer.byteLength(text, 'utf8');
    const size = this.policy.size.output;
    if (this.chars > size.maxChars || this.bytes > size.maxBytes) return this.block([{ check: 'size', type: 'OUTPUT_TOO_LARGE', start: 0, end: 0 }], true);
    if (this.pending.length < this.holdBack + this.step) return { action: 'allow', text: '', findings: [] };
    return this.release(false);
  }

  /** The answer is complete: checks and releases the rest. */
  end(): StreamRelease {
    if (this.over) return { action: 'block', text: '', findings: [], tooLarge: false };
    this.over = true;
    return this.pending === '' ? { action: 'allow', text: '', findings: [] } : this.release(true);
  }

  private release(final: boolean): StreamRelease {
    const ctx = this.context;
    const full = ctx + this.pending;
    const rated = rateOutput(full, this.policy);
    const settled = final ? full.length : full.length - BLOCK_LOOKAHEAD;
    const blocking = rated.filter((f) => f.action === 'block' && f.end > ctx.length && (f.end <= settled || f.check === 'internal'));
    if (blocking.length > 0) return this.block(blocking.map(plain), false);

    let r = final ? this.pending.length : this.pending.length - this.holdBack;
    // A span that crosses the release point holds it at the span's start; moving it may cross another.
    for (let moved = true; moved; ) {
      moved = false;
      for (const f of rated) {
        if (f.action === 'allow') continue;
        const s = f.start - ctx.length;
        const e = f.end - ctx.length;
        if (s < r && e > r) {
          // A span that began in released text holds everything after it (r = 0), and stops here.
          r = Math.max(0, s);
          moved = r > 0;
        }
      }
    }
    if (r > 0 && isHighSurrogate(this.pending.charCodeAt(r - 1))) r--;
    if (r <= 0) return { action: 'allow', text: '', findings: [] };

    const segment = this.pending.slice(0, r);
    const inSegment: RatedFinding[] = [];
    for (const f of rated) {
      if (f.action !== 'redact') continue;
      const start = Math.max(0, f.start - ctx.length);
      const end = Math.min(r, f.end - ctx.length);
      if (end > start) inSegment.push({ ...f, start, end });
    }
    const out = inSegment.length === 0 ? segment : redactWithMarks(segment, inSegment, this.numbers).text;
    for (const f of inSegment) this.redacted.add(f.check);
    let nextContext = (ctx + segment).slice(-this.contextChars);
    if (isLowSurrogate(nextContext.charCodeAt(0))) nextContext = nextContext.slice(1);
    this.context = nextContext;
    this.pending = this.pending.slice(r);
    return { action: inSegment.length === 0 ? 'allow' : 'redact', text: out, findings: inSegment.map(plain) };
  }

  private block(findings: Finding[], tooLarge: boolean): StreamRelease {
    this.over = true;
    this.pending = '';
    return { action: 'block', text: '', findings, tooLarge };
  }
}

function plain({ check, type, start, end }: RatedFinding | Finding): Finding {
  return { check, type, start, end };
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
