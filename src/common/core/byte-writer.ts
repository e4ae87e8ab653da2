/**
 * A little-endian writer into a growable buffer (or a fixed one), the encoding counterpart of
 * ByteReader. `finish()` returns a view of the bytes written; `toBytes()` copies.
 */
import { PgFormatError } from './errors.js';

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private readonly fixed: boolean;
  pos = 0;

  constructor(capacityOrBuffer: number | Uint8Array = 256) {
    if (typeof capacityOrBuffer === 'number') {
      this.buf = new Uint8Array(capacityOrBuffer);
      this.fixed = false;
    } else {
      this.buf = capacityOrBuffer;
      this.fixed = true;
    }
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  private ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    if (this.fixed) {
      throw new PgFormatError('BAD_LENGTH', `writer overflow: need ${need} bytes, buffer has ${this.buf.length}`, {
        offset: this.pos,
      });
    }
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.ensure(1);
    this.view.setUint8(this.pos, v);
    this.pos += 1;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
    return this;
  }

  i16(v: number): this {
    this.ensure(2);
    this.view.setInt16(this.pos, v, true);
    this.pos += 2;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
    return this;
  }

  i32(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
    return this;
  }

  u64(v: bigint): this {
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, v), true);
    this.pos += 8;
    return this;
  }

  i64(v: bigint): this {
    this.ensure(8);
    this.view.setBigInt64(this.pos, BigInt.asIntN(64, v), true);
    this.pos += 8;
    return this;
  }

  f64(v: number): this {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** Pads with zeros to the next multiple of `align`. */
  align(align: number): this {
    const target = Math.ceil(this.pos / align) * align;
    return this.zeros(target - this.pos);
  }

  /** A view of what was written (no copy). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** A fresh copy of what was written. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
