/**
 * A byte buffer for pg_waldump's text output: record lines are written as bytes straight into
 * one large Uint8Array that is handed to `flush` when full, so the hot path builds no
 * per-record strings besides the rmgr description itself. Digits, hex and constant text go in
 * 2 or 4 bytes at a time through a DataView (tables of 4-character groups), which costs a
 * fraction of a byte-at-a-time loop. Strings are written as UTF-8 (ASCII fast path).
 *
 * Writers take and return the write position `p`; callers reserve room first with `ensure`.
 * Several writers store a whole 32-bit word and advance by fewer bytes, so they may touch up
 * to 7 bytes past the position they return (inside the reserved room, overwritten later).
 */
import { putHexSpaced } from '../rmgr/desc-util.js';

const encoder = new TextEncoder();

/** Host string writer: UTF-8 of `s` into `buf` at `pos`, returning the bytes written (Node: Buffer#utf8Write). */
export interface HostStringWriter {
  alloc(size: number): Uint8Array;
  write(buf: Uint8Array, s: string, pos: number): number;
}

/** Bytes every `ensure` keeps free beyond the request, for the word-wide writers' spill. */
const SLACK = 8;

export class TextSink {
  buf: Uint8Array;
  /** A DataView over `buf` (replaced with it). */
  view: DataView;
  pos = 0;
  private readonly flushFn: (bytes: Uint8Array) => void;
  private readonly host: HostStringWriter | undefined;

  constructor(flushFn: (bytes: Uint8Array) => void, size = 1 << 20, host?: HostStringWriter) {
    this.host = host;
    this.buf = host !== undefined ? host.alloc(size) : new Uint8Array(size);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.flushFn = flushFn;
  }

  /** Room for `n` more bytes (flushing, or growing for one oversized item). */
  ensure(n: number): void {
    if (this.pos + n + SLACK <= this.buf.length) return;
    this.flush();
    if (n + SLACK > this.buf.length) {
      const size = (n + SLACK) * 2;
      this.buf = this.host !== undefined ? this.host.alloc(size) : new Uint8Array(size);
      this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    }
  }

  flush(): void {
    if (this.pos === 0) return;
    this.flushFn(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  /** A string as UTF-8. */
  str(s: string): void {
    const n = s.length;
    // Short strings: a JS loop beats the host call's fixed cost.
    if (this.host !== undefined && n > 48) {
      this.ensure(n * 3);
      this.pos += this.host.write(this.buf, s, this.pos);
      return;
    }
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = p;
        this.utf8(s.slice(i));
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** `bytes` as "%02X" pairs separated by blanks (pg_waldump's LogicalMessage payload: megabytes of it). */
  hexSpaced(bytes: Uint8Array): void {
    this.ensure(bytes.length * 3);
    this.pos = putHexSpaced(this.buf, this.pos, bytes);
  }

  private utf8(s: string): void {
    this.ensure(s.length * 3);
    const r = encoder.encodeInto(s, this.buf.subarray(this.pos));
    this.pos += r.written;
  }
}

/** ASCII bytes of a constant string. */
export function asciiBytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/**
 * A constant ASCII text packed 8 bytes to a float64 (a Float64Array over the bytes), written 8
 * bytes at a time with DataView#setFloat64: half the stores of 32-bit words. The bit patterns
 * are never NaN (a NaN needs 0xF0 bits in byte 6, above every ASCII code), so the values load
 * and store unchanged.
 */
export interface AsciiChunk {
  readonly words: Float64Array;
  readonly length: number;
}

export function asciiChunk(s: string): AsciiChunk {
  const words = new Float64Array((s.length + 7) >> 3);
  const bytes = new Uint8Array(words.buffer);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x7f) throw new Error(`asciiChunk: not ASCII: ${JSON.stringify(s)}`);
    bytes[i] = c;
  }
  return { words, length: s.length };
}

/** Up to 8 ASCII characters as one float64 for `v.setFloat64(p, word, true)` (see AsciiChunk). */
export function asciiWord(s: string): number {
  if (s.length > 8) throw new Error(`asciiWord: longer than 8: ${JSON.stringify(s)}`);
  return asciiChunk(s).words[0] ?? 0;
}

/** Writes `c` (spilling up to 7 bytes past its end). */
export function putChunk(v: DataView, p: number, c: AsciiChunk): number {
  const w = c.words;
  for (let i = 0; i < w.length; i++) v.setFloat64(p + 8 * i, w[i] as number, true);
  return p + c.length;
}

const HEX_DIGITS = '0123456789ABCDEF';

/**
 * "0000".."9999" packed (see DEC4), with `pad` (a character code) for the leading zeros of
 * numbers below 1000: digit loops instead of String(n), small integers only (cheap while the
 * code is still interpreted, as it is at start-up).
 */
function decimalTable(pad: number): Uint32Array {
  const t = new Uint32Array(10000);
  let n = 0;
  for (let a = 0; a < 10; a++) {
    const ca = a > 0 ? 48 + a : pad;
    for (let b = 0; b < 10; b++) {
      const cb = a + b > 0 ? 48 + b : pad;
      for (let c = 0; c < 10; c++) {
        const head = ca | (cb << 8) | ((a + b + c > 0 ? 48 + c : pad) << 16);
        for (let d = 48; d < 58; d++) t[n++] = head | (d << 24);
      }
    }
  }
  return t;
}

/**
 * "0000".."FFFF" packed (see HEX4), written as 16-bit halves of two hex digits each: whole
 * 32-bit values above 2^30 would be heap numbers while the loop is interpreted.
 */
function hexTable(): Uint32Array {
  const t = new Uint32Array(65536);
  const halves = new Uint16Array(t.buffer);
  // Index of a value's low half inside its pair of halves (host byte order).
  const low = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
  const pairs = new Uint16Array(256);
  for (let n = 0; n < 256; n++) pairs[n] = HEX_DIGITS.charCodeAt(n >>> 4) | (HEX_DIGITS.charCodeAt(n & 15) << 8);
  let i = 0;
  for (let hi = 0; hi < 256; hi++) {
    const h = pairs[hi] as number;
    for (let lo = 0; lo < 256; lo++) {
      halves[i + low] = h;
      halves[i + 1 - low] = pairs[lo] as number;
      i += 2;
    }
  }
  return t;
}

const NO_TABLE: Uint32Array = new Uint32Array(0);

/**
 * 4 ASCII characters packed little-endian (first character in the low byte), for
 * `v.setUint32(p, T[n], true)`: DEC4[n] "0042" and DEC4S[n] "  42" for n < 10000, HEX4[n]
 * "00AF" for n < 65536 (320 KB). Empty until `digitTables()` builds them (~3 ms at start-up,
 * which a --stats run never needs): the writers below, and every reader of these bindings,
 * expect their caller to have called it (format.ts and desc-bytes.ts do before their first line).
 */
export let DEC4 = NO_TABLE;
export let DEC4S = NO_TABLE;
export let HEX4 = NO_TABLE;

/** Builds DEC4, DEC4S and HEX4 on the first call. */
export function digitTables(): void {
  if (HEX4 !== NO_TABLE) return;
  DEC4 = decimalTable(48);
  DEC4S = decimalTable(32);
  HEX4 = hexTable();
}

/*
 * The writers below keep their common case (a value below 10000, or one hex digit) to a few
 * bytecodes so that V8 inlines them into their callers; larger values take an out-of-line
 * function.
 */

/** Unsigned decimal ("%u", n < 2^53; spills up to 3 bytes). */
export function putUint(v: DataView, p: number, n: number): number {
  if (n < 10000) {
    const d = n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : 4;
    v.setUint32(p, (DEC4[n] as number) >>> (32 - 8 * d), true);
    return p + d;
  }
  return putUintWide(v, p, n);
}

function putUintWide(v: DataView, p: number, n: number): number {
  if (n < 100000000) {
    const hi = Math.floor(n / 10000);
    p = putUint(v, p, hi);
    v.setUint32(p, DEC4[n - hi * 10000] as number, true);
    return p + 4;
  }
  const top = Math.floor(n / 100000000);
  const rest = n - top * 100000000;
  const mid = Math.floor(rest / 10000);
  p = top < 10000 ? putUint(v, p, top) : putUintWide(v, p, top);
  v.setUint32(p, DEC4[mid] as number, true);
  v.setUint32(p + 4, DEC4[rest - mid * 10000] as number, true);
  return p + 8;
}

/** Spaces, then `n` right-aligned in `width` characters ("%*u"). */
function putUintPadWide(v: DataView, p: number, n: number, width: number): number {
  let digits = 1;
  for (let x = 10; x <= n; x *= 10) digits++;
  for (let i = digits; i < width; i++) v.setUint8(p++, 32);
  return putUint(v, p, n);
}

/** "%6u". */
export function putUint6(v: DataView, p: number, n: number): number {
  if (n < 10000) {
    v.setUint16(p, 0x2020, true);
    v.setUint32(p + 2, DEC4S[n] as number, true);
    return p + 6;
  }
  return putUintPadWide(v, p, n, 6);
}

/** "%10u". */
export function putUint10(v: DataView, p: number, n: number): number {
  if (n < 10000) {
    v.setUint32(p, 0x20202020, true);
    v.setUint16(p + 4, 0x2020, true);
    v.setUint32(p + 6, DEC4S[n] as number, true);
    return p + 10;
  }
  return putUintPadWide(v, p, n, 10);
}

/** "%X" of a u32 (spills up to 3 bytes). */
export function putHex(v: DataView, p: number, n: number): number {
  if (n < 0x10) {
    v.setUint8(p, HEX_DIGITS.charCodeAt(n));
    return p + 1;
  }
  return putHexWide(v, p, n);
}

function putHexWide(v: DataView, p: number, n: number): number {
  if (n < 0x10000) {
    const d = n < 0x10 ? 1 : n < 0x100 ? 2 : n < 0x1000 ? 3 : 4;
    v.setUint32(p, (HEX4[n] as number) >>> (32 - 8 * d), true);
    return p + d;
  }
  p = putHexWide(v, p, n >>> 16);
  v.setUint32(p, HEX4[n & 0xffff] as number, true);
  return p + 4;
}

/** "%08X" of a u32. */
export function putHex8(v: DataView, p: number, n: number): number {
  v.setUint32(p, HEX4[n >>> 16] as number, true);
  v.setUint32(p + 4, HEX4[n & 0xffff] as number, true);
  return p + 8;
}

/** "0x%02X" of a byte. */
export function putHex2(v: DataView, p: number, n: number): number {
  v.setUint16(p, 0x7830, true);
  v.setUint16(p + 2, (HEX4[n & 0xff] as number) >>> 16, true);
  return p + 4;
}
