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
import { lz4DecompressBlock, pglzDecompress } from '../wal/full-page-image.js';
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

export const TOAST_PGLZ_COMPRESSION_ID = 0;
export const TOAST_LZ4_COMPRESSION_ID = 1;

/**
 * The payload of an inline varlena, decompressing a compressed one into a new array
 * (varattrib_4b.va_compressed: va_tcinfo = raw size (30 bits) | method (2 bits), then pglz or
 * lz4 data, decoded with the WAL reader's decompressors). Null for an external TOAST pointer,
 * whose value lives in the TOAST relation.
 */
export function detoastInlineCopy(v: Uint8Array): Uint8Array | null {
  const kind = varlenaKind(v);
  if (kind !== 'compressed') return kind === 'external' ? null : varlenaPayload(v);
  if (v.length < 8) throw new PgFormatError('BAD_LENGTH', `compressed varlena of ${v.length} bytes, expected at least 8`);
  const tcinfo = (v[4]! | (v[5]! << 8) | (v[6]! << 16) | (v[7]! << 24)) >>> 0;
  const rawsize = tcinfo & 0x3fffffff;
  const method = tcinfo >>> 30;
  const src = v.subarray(8);
  // neither pglz nor lz4 expands one input byte to more than 255 output bytes
  if (rawsize > src.length * 255) {
    throw new PgFormatError('BAD_LENGTH', `compressed data is corrupted: raw size ${rawsize} from ${src.length} compressed bytes`);
  }
  const out = new Uint8Array(rawsize);
  let ok: boolean;
  if (method === TOAST_PGLZ_COMPRESSION_ID) ok = pglzDecompress(src, out);
  else if (method === TOAST_LZ4_COMPRESSION_ID) ok = lz4DecompressBlock(src, out);
  else throw new PgFormatError('UNSUPPORTED', `invalid compression method id ${method}`);
  if (!ok) throw new PgFormatError('BAD_IMAGE', `compressed ${method === 0 ? 'pglz' : 'lz4'} data is corrupt`);
  return out;
}

const USECS_PER_DAY = 86400000000n;
/** DT_NOBEGIN / DT_NOEND (datatype/timestamp.h): timestamp '-infinity' / 'infinity'. */
const DT_NOBEGIN = -0x8000000000000000n;
const DT_NOEND = 0x7fffffffffffffffn;
/** DATEVAL_NOBEGIN / DATEVAL_NOEND: date '-infinity' / 'infinity'. */
const DATEVAL_NOBEGIN = -0x80000000;
const DATEVAL_NOEND = 0x7fffffff;

/**
 * "YYYY-MM-DD" of a day count from 2000-01-01 in the proleptic Gregorian calendar, for any
 * day count (no JS Date, whose range is smaller than PostgreSQL's). Years outside 0..9999 are
 * written as ISO 8601 extended years ("+275760", "-004713"; year 0 is 1 BC), like toISOString.
 */
function isoDate(daysFrom2000: number): string {
  // days-from-civil inverse (H. Hinnant), on days since 0000-03-01
  const z = daysFrom2000 + 730425;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const y = year >= 0 && year <= 9999 ? String(year).padStart(4, '0') : `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}`;
  return `${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
const USECS_PER_SEC = 1000000n;
const USECS_PER_MINUTE = 60n * USECS_PER_SEC;
const USECS_PER_HOUR = 60n * USECS_PER_MINUTE;

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

function dv(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function need(bytes: Uint8Array, n: number, what: string): void {
  if (bytes.length < n) throw new PgFormatError('TRUNCATED', `${what} value: expected ${n} bytes, got ${bytes.length}`);
}

/**
 * numeric_out() of a numeric's payload (utils/adt/numeric.c): NumericShort (header with sign,
 * display scale and weight) or NumericLong (sign + dscale, then weight), then base-10000 digits.
 */
export function numericText(p: Uint8Array): string {
  need(p, 2, 'numeric');
  const d = dv(p);
  const header = d.getUint16(0, true);
  let sign: 'pos' | 'neg';
  let dscale: number;
  let weight: number;
  let digitsAt: number;
  if ((header & 0xc000) === 0xc000) {
    if (header === 0xc000) return 'NaN';
    if (header === 0xd000) return 'Infinity';
    if (header === 0xf000) return '-Infinity';
    throw new PgFormatError('BAD_HEADER', `invalid numeric special value 0x${header.toString(16)}`);
  }
  if ((header & 0xc000) === 0x8000) {
    sign = header & 0x2000 ? 'neg' : 'pos';
    dscale = (header & 0x1f80) >> 7;
    weight = header & 0x0040 ? ~0x3f | (header & 0x3f) : header & 0x3f;
    digitsAt = 2;
  } else {
    need(p, 4, 'numeric');
    sign = (header & 0xc000) === 0x4000 ? 'neg' : 'pos';
    dscale = header & 0x3fff;
    weight = d.getInt16(2, true);
    digitsAt = 4;
  }
  const ndigits = (p.length - digitsAt) >> 1;
  const digit = (i: number): number => (i >= 0 && i < ndigits ? d.getInt16(digitsAt + i * 2, true) : 0);
  let s = sign === 'neg' ? '-' : '';
  if (weight < 0) s += '0';
  else {
    for (let i = 0; i <= weight; i++) s += i === 0 ? String(digit(i)) : String(digit(i)).padStart(4, '0');
  }
  if (dscale > 0) {
    let frac = '';
    for (let i = weight + 1; frac.length < dscale; i++) frac += String(digit(i)).padStart(4, '0');
    s += `.${frac.slice(0, dscale)}`;
  }
  return s;
}

function pad2(n: bigint): string {
  return n.toString().padStart(2, '0');
}

/** Seconds and fraction as AppendSeconds(fillzeros) prints them: "05" or "05.5". */
function secondsText(us: bigint): string {
  const sec = us / USECS_PER_SEC;
  const frac = us % USECS_PER_SEC;
  if (frac === 0n) return pad2(sec);
  return `${pad2(sec)}.${frac.toString().padStart(6, '0').replace(/0+$/, '')}`;
}

/** time_out(): "HH:MM:SS[.ffffff]". */
export function timeText(us: bigint): string {
  const h = us / USECS_PER_HOUR;
  const m = (us % USECS_PER_HOUR) / USECS_PER_MINUTE;
  return `${pad2(h)}:${pad2(m)}:${secondsText(us % USECS_PER_MINUTE)}`;
}

/** interval_out() in the default IntervalStyle postgres: "1 year 2 mons 3 days 04:05:06". */
export function intervalText(time: bigint, day: number, month: number): string {
  let s = '';
  let isZero = true;
  let isBefore = false;
  const part = (value: number, units: string): void => {
    if (value === 0) return;
    s += `${isZero ? '' : ' '}${isBefore && value > 0 ? '+' : ''}${value} ${units}${value !== 1 ? 's' : ''}`;
    isBefore = value < 0;
    isZero = false;
  };
  part(Math.trunc(month / 12), 'year');
  part(month % 12, 'mon');
  part(day, 'day');
  if (isZero || time !== 0n) {
    const minus = time < 0n;
    const t = minus ? -time : time;
    const hour = t / USECS_PER_HOUR;
    const min = (t % USECS_PER_HOUR) / USECS_PER_MINUTE;
    s += `${isZero ? '' : ' '}${minus ? '-' : isBefore ? '+' : ''}${pad2(hour)}:${pad2(min)}:${secondsText(t % USECS_PER_MINUTE)}`;
  }
  return s;
}

const JB_CMASK = 0x0fffffff;
const JB_FSCALAR = 0x10000000;
const JB_FOBJECT = 0x20000000;
const JB_FARRAY = 0x40000000;
const JENTRY_OFFLENMASK = 0x0fffffff;
const JENTRY_TYPEMASK = 0x70000000;
const JENTRY_HAS_OFF = 0x80000000;
const JENTRY_ISSTRING = 0x00000000;
const JENTRY_ISNUMERIC = 0x10000000;
const JENTRY_ISBOOL_FALSE = 0x20000000;
const JENTRY_ISBOOL_TRUE = 0x30000000;
const JENTRY_ISNULL = 0x40000000;
const JENTRY_ISCONTAINER = 0x50000000;

/** True when a decimal has at most 15 significant digits (so a double holds it exactly as written). */
function exactInDouble(text: string): boolean {
  if (!/^-?\d+(\.\d+)?$/.test(text)) return false;
  const digits = text
    .replace(/^-/, '')
    .replace(/\.?0+$/, (m) => (m.startsWith('.') || text.includes('.') ? '' : m))
    .replace('.', '')
    .replace(/^0+/, '');
  return digits.length <= 15;
}

function jsonbContainer(c: Uint8Array, depth: number): unknown {
  if (depth > 1000) throw new PgFormatError('BAD_LENGTH', 'jsonb nesting too deep');
  need(c, 4, 'jsonb');
  const d = dv(c);
  const header = d.getUint32(0, true);
  const count = header & JB_CMASK;
  const isObject = (header & JB_FOBJECT) !== 0;
  const nentries = isObject ? count * 2 : count;
  const base = 4 + nentries * 4;
  if (base > c.length) throw new PgFormatError('TRUNCATED', `jsonb container: ${nentries} entries need ${base} bytes, got ${c.length}`);
  const values: unknown[] = new Array(nentries);
  let end = 0;
  for (let i = 0; i < nentries; i++) {
    const je = d.getUint32(4 + i * 4, true);
    const start = end;
    end = je & JENTRY_HAS_OFF ? je & JENTRY_OFFLENMASK : start + (je & JENTRY_OFFLENMASK);
    if (end < start || base + end > c.length)
      throw new PgFormatError('BAD_LENGTH', `jsonb entry ${i} at [${start}, ${end}) outside the container`);
    const type = (je & JENTRY_TYPEMASK) >>> 0;
    const aligned = (start + 3) & ~3;
    switch (type) {
      case JENTRY_ISSTRING:
        values[i] = utf8.decode(c.subarray(base + start, base + end));
        break;
      case JENTRY_ISNUMERIC: {
        const num = c.subarray(base + Math.min(aligned, end), base + end);
        const text = numericText(varlenaPayload(num) ?? num);
        values[i] = exactInDouble(text) ? Number(text) : text;
        break;
      }
      case JENTRY_ISBOOL_FALSE:
        values[i] = false;
        break;
      case JENTRY_ISBOOL_TRUE:
        values[i] = true;
        break;
      case JENTRY_ISNULL:
        values[i] = null;
        break;
      case JENTRY_ISCONTAINER:
        values[i] = jsonbContainer(c.subarray(base + Math.min(aligned, end), base + end), depth + 1);
        break;
      default:
        throw new PgFormatError('BAD_HEADER', `invalid jsonb entry type 0x${type.toString(16)}`);
    }
  }
  if (isObject) {
    const obj: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) obj[values[i] as string] = values[count + i];
    return obj;
  }
  if (header & JB_FSCALAR) return values[0];
  if (!(header & JB_FARRAY)) throw new PgFormatError('BAD_HEADER', `invalid jsonb container header 0x${header.toString(16)}`);
  return values;
}

/** A jsonb payload (JsonbContainer, utils/jsonb.h) as a JavaScript value; numbers that do not fit a double stay strings. */
export function jsonbValue(payload: Uint8Array): unknown {
  return jsonbContainer(payload, 0);
}

/**
 * Decodes one attribute's bytes (as tupleDataSplit returns them) for common builtin types.
 * Varlenas compressed inline are decompressed; `undefined` for a type it does not know and for
 * external TOAST pointers (their value is in the TOAST relation).
 */
export function decodeDatum(bytes: Uint8Array, typname: string): unknown {
  const d = dv(bytes);
  switch (typname) {
    case 'bool':
      need(bytes, 1, typname);
      return bytes[0] !== 0;
    case 'int2':
      need(bytes, 2, typname);
      return d.getInt16(0, true);
    case 'int4':
      need(bytes, 4, typname);
      return d.getInt32(0, true);
    case 'oid':
    case 'xid':
    case 'cid':
      need(bytes, 4, typname);
      return d.getUint32(0, true);
    case 'int8':
      need(bytes, 8, typname);
      return d.getBigInt64(0, true);
    case 'float4':
      need(bytes, 4, typname);
      return d.getFloat32(0, true);
    case 'float8':
      need(bytes, 8, typname);
      return d.getFloat64(0, true);
    case 'name':
      return utf8.decode(bytes.subarray(0, bytes.indexOf(0) < 0 ? bytes.length : bytes.indexOf(0)));
    case 'date': {
      need(bytes, 4, typname);
      const days = d.getInt32(0, true);
      if (days === DATEVAL_NOBEGIN) return '-infinity';
      if (days === DATEVAL_NOEND) return 'infinity';
      return isoDate(days);
    }
    case 'timestamp':
    case 'timestamptz': {
      need(bytes, 8, typname);
      const us = d.getBigInt64(0, true);
      if (us === DT_NOBEGIN) return '-infinity';
      if (us === DT_NOEND) return 'infinity';
      const days = us / USECS_PER_DAY - (us % USECS_PER_DAY < 0n ? 1n : 0n);
      const time = us - days * USECS_PER_DAY;
      const frac = (time % USECS_PER_SEC).toString().padStart(6, '0');
      return `${isoDate(Number(days))}T${timeText(time - (time % USECS_PER_SEC))}.${frac}${typname === 'timestamptz' ? 'Z' : ''}`;
    }
    case 'time':
      need(bytes, 8, typname);
      return timeText(d.getBigInt64(0, true));
    case 'interval':
      need(bytes, 16, typname);
      return intervalText(d.getBigInt64(0, true), d.getInt32(8, true), d.getInt32(12, true));
    case 'uuid': {
      need(bytes, 16, typname);
      const h = Array.from(bytes.subarray(0, 16), hex2).join('');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'json': {
      const p = detoastInlineCopy(bytes);
      return p === null ? undefined : utf8.decode(p);
    }
    case 'bytea': {
      const p = detoastInlineCopy(bytes);
      return p === null ? undefined : Array.from(p, hex2).join('');
    }
    case 'numeric': {
      const p = detoastInlineCopy(bytes);
      return p === null ? undefined : numericText(p);
    }
    case 'jsonb': {
      const p = detoastInlineCopy(bytes);
      return p === null ? undefined : jsonbValue(p);
    }
    default:
      return undefined;
  }
}

/** One chunk of a TOAST relation (pg_toast_NNN: chunk_id oid, chunk_seq int4, chunk_data bytea). */
export interface ToastChunk {
  chunkId: number;
  chunkSeq: number;
  /** chunk_data's payload (varlena header stripped). */
  data: Uint8Array;
}

const TOAST_CHUNK_ATTRIBUTES: readonly AttributeDescriptor[] = [
  { attlen: 4, attalign: 'i' },
  { attlen: 4, attalign: 'i' },
  { attlen: -1, attalign: 'i' },
];

/**
 * The chunks stored in heap pages of a TOAST relation, by chunk_id (normal line pointers only;
 * `tuples(page)` yields each stored tuple's data, infomask, infomask2 and null bitmap).
 */
export function collectToastChunks(
  tuples: Iterable<{ data: Uint8Array; t_infomask: number; t_infomask2: number; t_bits: Uint8Array | null }>,
): Map<number, ToastChunk[]> {
  const byId = new Map<number, ToastChunk[]>();
  for (const t of tuples) {
    const [id, seq, data] = tupleDataSplit(t.data, TOAST_CHUNK_ATTRIBUTES, t.t_infomask, t.t_infomask2, t.t_bits);
    if (id === null || id === undefined || seq === null || seq === undefined || data === null || data === undefined) continue;
    const payload = varlenaPayload(data);
    if (payload === null) throw new PgFormatError('BAD_PAGE', 'TOAST chunk_data is itself compressed or external');
    const chunkId = new DataView(id.buffer, id.byteOffset, 4).getUint32(0, true);
    const chunk = { chunkId, chunkSeq: new DataView(seq.buffer, seq.byteOffset, 4).getInt32(0, true), data: payload };
    const list = byId.get(chunkId);
    if (list === undefined) byId.set(chunkId, [chunk]);
    else list.push(chunk);
  }
  return byId;
}

/**
 * toast_fetch_datum + detoast: the value an on-disk TOAST pointer stands for, reassembled from
 * its chunks (in chunk_seq order, each checked) and decompressed when stored compressed
 * (va_extinfo's size < va_rawsize - VARHDRSZ). Returns the payload without a varlena header.
 */
export function detoastExternalCopy(pointer: Uint8Array, chunks: ReadonlyMap<number, readonly ToastChunk[]>): Uint8Array {
  const p = decodeToastPointer(pointer);
  const list = [...(chunks.get(p.valueid) ?? [])].sort((a, b) => a.chunkSeq - b.chunkSeq);
  if (list.length === 0)
    throw new PgFormatError('BAD_RECORD', `missing chunk number 0 for toast value ${p.valueid} in pg_toast_${p.toastrelid}`);
  const out = new Uint8Array(p.extsize);
  let filled = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if (c.chunkSeq !== i)
      throw new PgFormatError('BAD_RECORD', `missing chunk number ${i} for toast value ${p.valueid} in pg_toast_${p.toastrelid}`);
    if (filled + c.data.length > out.length) {
      throw new PgFormatError(
        'BAD_LENGTH',
        `unexpected chunk size ${c.data.length} in chunk ${i} for toast value ${p.valueid} in pg_toast_${p.toastrelid}`,
      );
    }
    out.set(c.data, filled);
    filled += c.data.length;
  }
  if (filled !== out.length) {
    throw new PgFormatError(
      'BAD_LENGTH',
      `toast value ${p.valueid} in pg_toast_${p.toastrelid}: chunks hold ${filled} bytes, expected ${out.length}`,
    );
  }
  if (p.extsize >= p.rawsize - 4) return out;
  // compressed: the chunks hold va_tcinfo + compressed data; give it a 4-byte compressed header
  const withHeader = new Uint8Array(out.length + 4);
  new DataView(withHeader.buffer).setUint32(0, ((out.length + 4) << 2) | 2, true);
  withHeader.set(out, 4);
  return detoastInlineCopy(withHeader)!;
}
