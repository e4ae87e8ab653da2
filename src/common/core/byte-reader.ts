/**
 * A bounds-checked little-endian reader over a DataView built from the input's own
 * byteOffset/byteLength, so payloads come back as zero-copy `subarray` views. Every read past
 * the end throws PgFormatError('TRUNCATED') naming the offset — never a RangeError.
 */
import { PgFormatError } from './errors.js';

export class ByteReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Absolute offset of bytes[0] in the caller's coordinate system (for error messages). */
  readonly base: number;
  pos: number;

  constructor(bytes: Uint8Array, pos = 0, base = 0) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
    this.base = base;
  }

  get length(): number {
    return this.bytes.length;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** Throws unless `n` more bytes are available at the current position. */
  need(n: number, what = 'data'): void {
    if (n < 0 || this.pos + n > this.bytes.length) {
      throw new PgFormatError(
        'TRUNCATED',
        `${what}: expected ${n} bytes at offset ${this.base + this.pos}, got ${Math.max(0, this.bytes.length - this.pos)}`,
        { offset: this.base + this.pos },
      );
    }
  }

  skip(n: number, what = 'data'): void {
    this.need(n, what);
    this.pos += n;
  }

  u8(what = 'uint8'): number {
    this.need(1, what);
    return this.bytes[this.pos++] as number;
  }

  i8(what = 'int8'): number {
    this.need(1, what);
    return this.view.getInt8(this.pos++);
  }

  u16(what = 'uint16'): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  i16(what = 'int16'): number {
    this.need(2, what);
    const v = this.view.getInt16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(what = 'uint32'): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32(what = 'int32'): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(what = 'uint64'): bigint {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  i64(what = 'int64'): bigint {
    this.need(8, what);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  f64(what = 'float8'): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  f32(what = 'float4'): number {
    this.need(4, what);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  bool(what = 'bool'): boolean {
    return this.u8(what) !== 0;
  }

  /** A zero-copy view of the next `n` bytes. */
  bytesView(n: number, what = 'data'): Uint8Array {
    this.need(n, what);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A NUL-terminated string of at most `max` bytes (the NUL is consumed). */
  cstring(max = this.remaining, what = 'string'): string {
    const end = Math.min(this.bytes.length, this.pos + max);
    let i = this.pos;
    while (i < end && this.bytes[i] !== 0) i++;
    if (i >= end) {
      throw new PgFormatError('TRUNCATED', `${what}: no terminating NUL within ${max} bytes at offset ${this.base + this.pos}`, {
        offset: this.base + this.pos,
      });
    }
    const s = utf8.decode(this.bytes.subarray(this.pos, i));
    this.pos = i + 1;
    return s;
  }

  /** Moves to the next multiple of `align` (relative to offset 0 of the buffer). */
  align(align: number): void {
    this.pos = Math.ceil(this.pos / align) * align;
  }
}

export const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A fixed-width NameData/char[] field: bytes up to the first NUL. */
export function decodeFixedString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return utf8.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}
