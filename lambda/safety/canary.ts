import { randomBytes } from 'node:crypto';
import type { Finding } from './types';
import type { MatchView } from './normalize';
import { originalSpan } from './normalize';
import { unitsToString } from './units';

/**
 * System-prompt leakage: the operator plants a random canary token in the system prompt;
 * if it ever appears in an answer, the prompt leaked. Matching runs on the folded view with
 * separators removed, so a model asked to "spell it with spaces" or in fullwidth still trips it.
 */
export function createCanaryToken(): string {
  return `canary-${randomBytes(8).toString('hex')}`;
}

/**
 * Scratch buffers reused across calls (the checks are synchronous): fresh typed arrays of six
 * bytes per character, zero-filled on every answer, were most of this check's cost on long text.
 */
let units = new Uint16Array(1024);
let indexBuf = new Int32Array(1024);

/** The view's letters and digits only (ASCII, so a one-byte string), with the view index of each. */
function squeeze(view: MatchView): { text: string; index: Int32Array } {
  const n = view.text.length;
  if (units.length < n) {
    units = new Uint16Array(Math.max(n, units.length * 2));
    indexBuf = new Int32Array(units.length);
  }
  let len = 0;
  for (let i = 0; i < n; i++) {
    const c = view.text.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) {
      units[len] = c;
      indexBuf[len++] = i;
    }
  }
  return { text: unitsToString(units, len, false), index: indexBuf };
}

function squeezeToken(token: string): string {
  return token.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function findCanaryLeaks(view: MatchView, tokens: readonly string[]): Finding[] {
  const wanted = tokens.map(squeezeToken).filter((t) => t.length >= 6);
  if (wanted.length === 0) return [];
  const squeezed = squeeze(view);
  const findings: Finding[] = [];
  for (const token of wanted) {
    for (let at = squeezed.text.indexOf(token); at >= 0; at = squeezed.text.indexOf(token, at + token.length)) {
      const span = originalSpan(view, squeezed.index[at], squeezed.index[at + token.length - 1] + 1);
      findings.push({ check: 'canary', type: 'CANARY_TOKEN', ...span });
    }
  }
  return findings;
}
