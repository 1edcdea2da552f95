/**
 * Strings made from UTF-16 code units in reused buffers. A string assembled from many short
 * pieces (the text between a hundred thousand removed characters) as slices and a join is a new
 * string object per piece (V8 copies slices shorter than 13 units); TextBuilder copies short
 * pieces into one buffer instead.
 */

let latin1Buf = Buffer.alloc(1024);

/**
 * Most views are ASCII after folding: built as a one-byte string, half the memory of the
 * UTF-16 decode and several times faster to make. `Uint8Array#set` narrows each unit natively
 * (every unit is at most 0xFF here) and Buffer's latin1 decoding is ISO-8859-1, byte = unit.
 */
function decodeLatin1(units: Uint16Array, len: number): string {
  if (len === 0) return '';
  if (latin1Buf.length < len) latin1Buf = Buffer.alloc(Math.max(len, latin1Buf.length * 2));
  latin1Buf.set(units.subarray(0, len));
  return latin1Buf.toString('latin1', 0, len);
}

/** units[0, len) as a string; `wide`: some unit is above 0xFF (else the cheaper one-byte string is made). */
export function unitsToString(units: Uint16Array, len: number, wide: boolean): string {
  return wide ? decodeUtf16(units, len) : decodeLatin1(units, len);
}

/**
 * Buffer's UCS-2 decoding copies the units as they are: 4–6× faster than a UTF-16 TextDecoder,
 * which also validates, and a lone surrogate stays itself instead of becoming U+FFFD.
 */
function decodeUtf16(units: Uint16Array, len: number): string {
  if (len === 0) return '';
  return Buffer.from(units.buffer, units.byteOffset, len * 2).toString('ucs2');
}

/** Ranges at least this long are kept as slices (V8 makes them without copying). */
const LONG_RANGE = 32;

/**
 * A string built from ranges of other strings. Long ranges are sliced and joined as usual;
 * short ones are copied into a reused buffer that becomes one string when a long range (or the
 * end) comes: a text with a removed character every few letters makes a few strings, not one per
 * piece, and ordinary text costs what slice-and-join costs.
 */
export class TextBuilder {
  private parts: string[] = [];
  private units = new Uint16Array(256);
  private pending = 0;
  private wide = false;
  private len = 0;

  /** Units appended so far. */
  get length(): number {
    return this.len;
  }

  reset(): void {
    this.parts = [];
    this.pending = 0;
    this.wide = false;
    this.len = 0;
  }

  appendRange(text: string, from: number, to: number): void {
    if (to <= from) return;
    this.len += to - from;
    if (to - from >= LONG_RANGE) {
      this.flush();
      this.parts.push(text.slice(from, to));
      return;
    }
    this.ensure(this.pending + to - from);
    const units = this.units;
    let n = this.pending;
    let or = 0;
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      or |= c;
      units[n++] = c;
    }
    this.pending = n;
    if (or > 0xff) this.wide = true;
  }

  append(text: string): void {
    this.appendRange(text, 0, text.length);
  }

  /** `[type_n]` (placeholders.ts), written unit by unit: no string per placeholder. */
  appendPlaceholder(type: string, n: number): void {
    this.appendUnit(0x5b); // [
    this.appendRange(type, 0, type.length);
    this.appendUnit(0x5f); // _
    let digits = 1;
    for (let p = 10; p <= n; p *= 10) digits++;
    this.ensure(this.pending + digits);
    for (let k = digits - 1, rest = n; k >= 0; k--, rest = Math.floor(rest / 10)) this.units[this.pending + k] = 0x30 + (rest % 10);
    this.pending += digits;
    this.len += digits;
    this.appendUnit(0x5d); // ]
  }

  appendSpaces(count: number): void {
    this.ensure(this.pending + count);
    this.units.fill(0x20, this.pending, this.pending + count);
    this.pending += count;
    this.len += count;
  }

  build(): string {
    this.flush();
    const out = this.parts.length === 1 ? this.parts[0] : this.parts.join('');
    this.parts = [];
    return out;
  }

  private flush(): void {
    if (this.pending === 0) return;
    this.parts.push(unitsToString(this.units, this.pending, this.wide));
    this.pending = 0;
    this.wide = false;
  }

  /** One unit at most 0xFF (the builder's `wide` stays as it is). */
  private appendUnit(unit: number): void {
    this.ensure(this.pending + 1);
    this.units[this.pending++] = unit;
    this.len++;
  }

  private ensure(needed: number): void {
    if (needed <= this.units.length) return;
    const bigger = new Uint16Array(Math.max(needed, this.units.length * 2));
    bigger.set(this.units.subarray(0, this.pending));
    this.units = bigger;
  }
}
