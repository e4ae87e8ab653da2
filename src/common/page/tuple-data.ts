/**
 * Splitting a heap tuple's data into attributes (pageinspect's tuple_data_split, itself a
 * simplified nocachegetattr() from access/common/heaptuple.c) and decoding common builtin types.
 *
 * varlena headers (varatt.h / postgres.h), little-endian:
 *   first byte 0x01           external TOAST pointer: tag byte, then varatt_external (tag 18)
 *   first byte xxxxxxx1       1-byte header, length = byte >> 1 (header included)
 *   first 4 bytes ...xxxxxx00 4-byte header, length = word >> 2; ...10 = compressed inline
 */

import { utf8 } from '../core/byte-reader.js';
import { PgFormatError } from '../core/errors.js';
import { HEAP_HASNULL, HEAP_NATTS_MASK } from './heap.js';

export type AttAlign = 'c' | 's' | 'i' | 'd';

/** The pg_attribute fields the split needs (attlen, attalign) plus an optional type name for decoding. */
export interface AttributeDescriptor {
  attname?: string;
  attlen: number;
  attalign: AttAlign;
  /** Type name as in pg_type.typname (int4, text, timestamptz, ...), for decodeDatum. */
  typname?: string;
}

export const VARTAG_INDIRECT = 1;
export const VARTAG_EXPANDED_RO = 2;
export const VARTAG_EXPANDED_RW = 3;
export const VARTAG_ONDISK = 18;

function alignOf(a: AttAlign): number {
  return a === 'c' ? 1 : a === 's' ? 2 : a === 'i' ? 4 : 8;
}

function alignUp(off: number, a: AttAlign): number {
  const n = alignOf(a);
  return (off + n - 1) & ~(n - 1);
}

/** VARSIZE_ANY of the varlena at `off`, or throws like tuple_data_split. */
export function varsizeAny(data: Uint8Array, off: number, attnum: number): number {
  if (off >= data.length) throw new PgFormatError('BAD_PAGE', 'unexpected end of tuple data', { offset: off });
  const b = data[off]!;
  if (b === 0x01) {
    if (off + 1 >= data.length) throw new PgFormatError('BAD_PAGE', 'unexpected end of tuple data', { offset: off });
    const tag = data[off + 1]!;
    if (tag === VARTAG_ONDISK) return 2 + 16;
    if (tag === VARTAG_INDIRECT || tag === VARTAG_EXPANDED_RO || tag === VARTAG_EXPANDED_RW) return 2 + 8;
    throw new PgFormatError('BAD_PAGE', `first byte of varlena attribute is incorrect for attribute ${attnum}`, { offset: off });
  }
  if (b & 1) return b >>> 1;
  if (off + 4 > data.length) throw new PgFormatError('BAD_PAGE', 'unexpected end of tuple data', { offset: off });
  return ((data[off]! | (data[off + 1]! << 8) | (data[off + 2]! << 16) | (data[off + 3]! << 24)) >>> 2) & 0x3fffffff;
}

/**
 * tuple_data_split(): each attribute's raw bytes (varlena headers included) or null. `bits` is
 * the null bitmap (or null without HEAP_HASNULL). Errors use pageinspect's messages.
 */
export function tupleDataSplit(
  data: Uint8Array,
  attributes: readonly AttributeDescriptor[],
  t_infomask: number,
  t_infomask2: number,
  bits: Uint8Array | null,
): (Uint8Array | null)[] {
  const natts = t_infomask2 & HEAP_NATTS_MASK;
  if (attributes.length < natts) {
    throw new PgFormatError('BAD_PAGE', 'number of attributes in tuple header is greater than number of attributes in tuple descriptor');
  }
  const hasNull = (t_infomask & HEAP_HASNULL) !== 0;
  if (hasNull && (bits === null || bits.length * 8 < natts)) throw new PgFormatError('BAD_PAGE', 't_bits string must not be NULL');
  const out: (Uint8Array | null)[] = [];
  let off = 0;
  for (let i = 0; i < attributes.length; i++) {
    const attr = attributes[i]!;
    const isNull = i >= natts || (hasNull && ((bits![i >>> 3]! >>> (i & 7)) & 1) === 0);
    if (isNull) {
      out.push(null);
      continue;
    }
    let len: number;
    if (attr.attlen === -1) {
      if (off < data.length && data[off] === 0) off = alignUp(off, attr.attalign);
      else if (off >= data.length) off = alignUp(off, attr.attalign);
      len = varsizeAny(data, off, i);
    } else if (attr.attlen === -2) {
      off = alignUp(off, attr.attalign);
      const nul = data.indexOf(0, off);
      if (nul < 0) throw new PgFormatError('BAD_PAGE', 'unexpected end of tuple data', { offset: off });
      len = nul - off + 1;
    } else {
      off = alignUp(off, attr.attalign);
      len = attr.attlen;
    }
    if (data.length < off + len) throw new PgFormatError('BAD_PAGE', 'unexpected end of tuple data', { offset: off });
    out.push(data.subarray(off, off + len));
    off += len;
  }
  if (data.length !== off) throw new PgFormatError('BAD_PAGE', 'end of tuple reached without looking at all its data', { offset: off });
  return out;
}

/** What a varlena attribute holds. */
export type VarlenaKind = 'short' | 'long' | 'compressed' | 'external';

export interface ToastPointer {
  /** va_rawsize: original size including header. */
  rawsize: number;
  /** va_extinfo: external size (low 30 bits) and compression method (high 2 bits). */
  extsize: number;
  compressionMethod: number;
  valueid: number;
  toastrelid: number;
}

export function varlenaKind(v: Uint8Array): VarlenaKind {
  const b = v[0]!;
  if (b === 0x01) return 'external';
  if (b & 1) return 'short';
  return (b & 3) === 2 ? 'compressed' : 'long';
}

/** The varatt_external of an on-disk TOAST pointer. */
export function decodeToastPointer(v: Uint8Array): ToastPointer {
  if (v.length < 18 || v[0] !== 0x01 || v[1] !== VARTAG_ONDISK) throw new PgFormatError('BAD_ARGUMENT', 'not an on-disk TOAST pointer');
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  const extinfo = dv.getUint32(6, true);
  return {
    rawsize: dv.getInt32(2, true),
    extsize: extinfo & 0x3fffffff,
    compressionMethod: extinfo >>> 30,
    valueid: dv.getUint32(10, true),
    toastrelid: dv.getUint32(14, true),
  };
}

/** The payload of an uncompressed inline varlena (header stripped), or null for external/compressed. */
export function varlenaPayload(v: Uint8Array): Uint8Array | null {
  const kind = varlenaKind(v);
  if (kind === 'short') return v.subarray(1);
  if (kind === 'long') return v.subarray(4);
  return null;
}

const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

/**
 * Decodes one attribute's bytes for common builtin types. Returns `undefined` for a type it does
 * not know, and for external or compressed varlenas (their value is not in the tuple).
 */
export function decodeDatum(bytes: Uint8Array, typname: string): unknown {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n: number): void => {
    if (bytes.length < n) throw new PgFormatError('TRUNCATED', `${typname} value: expected ${n} bytes, got ${bytes.length}`);
  };
  switch (typname) {
    case 'bool':
      need(1);
      return bytes[0] !== 0;
    case 'int2':
      need(2);
      return dv.getInt16(0, true);
    case 'int4':
      need(4);
      return dv.getInt32(0, true);
    case 'oid':
    case 'xid':
    case 'cid':
      need(4);
      return dv.getUint32(0, true);
    case 'int8':
      need(8);
      return dv.getBigInt64(0, true);
    case 'float4':
      need(4);
      return dv.getFloat32(0, true);
    case 'float8':
      need(8);
      return dv.getFloat64(0, true);
    case 'name':
      return utf8.decode(bytes.subarray(0, bytes.indexOf(0) < 0 ? bytes.length : bytes.indexOf(0)));
    case 'date': {
      need(4);
      const days = dv.getInt32(0, true);
      return new Date(POSTGRES_EPOCH_MS + days * 86400000).toISOString().slice(0, 10);
    }
    case 'timestamp':
    case 'timestamptz': {
      need(8);
      const us = dv.getBigInt64(0, true);
      const ms = Number(us / 1000n);
      const rest = Number(((us % 1000n) + 1000n) % 1000n);
      const iso = new Date(POSTGRES_EPOCH_MS + ms).toISOString();
      return `${iso.slice(0, 23)}${rest.toString().padStart(3, '0')}${typname === 'timestamptz' ? 'Z' : ''}`;
    }
    case 'time': {
      need(8);
      return dv.getBigInt64(0, true);
    }
    case 'uuid': {
      need(16);
      const h = Array.from(bytes.subarray(0, 16), hex2).join('');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    case 'text':
    case 'varchar':
    case 'bpchar': {
      const p = varlenaPayload(bytes);
      return p === null ? undefined : utf8.decode(p);
    }
    case 'bytea': {
      const p = varlenaPayload(bytes);
      return p === null ? undefined : Array.from(p, hex2).join('');
    }
    default:
      return undefined;
  }
}
