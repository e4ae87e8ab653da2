/**
 * A byte buffer for pg_waldump's text output: record lines are written as bytes (digits, hex,
 * cached prefixes) straight into one large Uint8Array that is handed to `flush` when full, so
 * the hot path builds no per-record strings besides the rmgr description itself. Strings are
 * written as UTF-8 (ASCII fast path).
 */

const encoder = new TextEncoder();

/** Host string writer: UTF-8 of `s` into `buf` at `pos`, returning the bytes written (Node: Buffer#utf8Write). */
export interface HostStringWriter {
  alloc(size: number): Uint8Array;
  write(buf: Uint8Array, s: string, pos: number): number;
}

export class TextSink {
  buf: Uint8Array;
  pos = 0;
  private readonly flushFn: (bytes: Uint8Array) => void;
  private readonly host: HostStringWriter | undefined;

  constructor(flushFn: (bytes: Uint8Array) => void, size = 1 << 20, host?: HostStringWriter) {
    this.host = host;
    this.buf = host !== undefined ? host.alloc(size) : new Uint8Array(size);
    this.flushFn = flushFn;
  }

  /** Room for `n` more bytes (flushing, or growing for one oversized item). */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = this.host !== undefined ? this.host.alloc(n * 2) : new Uint8Array(n * 2);
  }

  flush(): void {
    if (this.pos === 0) return;
    this.flushFn(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  byte(c: number): void {
    if (this.pos >= this.buf.length) this.flush();
    this.buf[this.pos++] = c;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
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

  private utf8(s: string): void {
    this.ensure(s.length * 3);
    const r = encoder.encodeInto(s, this.buf.subarray(this.pos));
    this.pos += r.written;
  }

  /** Unsigned decimal (< 2^53). */
  uint(n: number): void {
    this.ensure(20);
    if (n < 10) {
      this.buf[this.pos++] = 48 + n;
      return;
    }
    let digits = 0;
    for (let v = n; v >= 1; v = Math.floor(v / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    for (let v = n; v >= 1; v = Math.floor(v / 10)) this.buf[--p] = 48 + (v % 10);
  }

  /** Unsigned decimal right-aligned in `width` (printf "%*u"). */
  uintPad(n: number, width: number): void {
    this.ensure(20 + width);
    let digits = 1;
    for (let v = Math.floor(n / 10); v >= 1; v = Math.floor(v / 10)) digits++;
    for (let i = digits; i < width; i++) this.buf[this.pos++] = 32;
    let p = this.pos + digits;
    this.pos = p;
    let v = n;
    do {
      this.buf[--p] = 48 + (v % 10);
      v = Math.floor(v / 10);
    } while (v >= 1);
  }

  /** Upper-case hex of a u32, no padding ("%X"). */
  hex(n: number): void {
    this.ensure(8);
    let digits = 1;
    for (let v = n >>> 4; v !== 0; v >>>= 4) digits++;
    let p = this.pos + digits;
    this.pos = p;
    let v = n >>> 0;
    do {
      this.buf[--p] = HEX[v & 15] as number;
      v >>>= 4;
    } while (v !== 0);
  }

  /** Upper-case hex of a u32 zero-padded to 8 ("%08X"). */
  hex8(n: number): void {
    this.ensure(8);
    let v = n >>> 0;
    for (let p = this.pos + 7; p >= this.pos; p--) {
      this.buf[p] = HEX[v & 15] as number;
      v >>>= 4;
    }
    this.pos += 8;
  }
}

const HEX = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 65, 66, 67, 68, 69, 70]);

/** ASCII bytes of a constant string. */
export function asciiBytes(s: string): Uint8Array {
  return encoder.encode(s);
}
