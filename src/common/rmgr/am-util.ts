/**
 * Shared helpers for the access-method rmgr decoders (heap, heap2, btree, hash, gin, gist,
 * sequence, spgist, brin, generic): bounds-checked little-endian field reads from a record's
 * main data or block data, block-reference lookups (XLogRecHasBlockData/-Image), and the
 * printf-style pieces the rmgrdesc functions use ("%g", "0x%02X", array_desc of
 * access/rmgrdesc_utils.c).
 */
import { PgFormatError } from '../core/errors.js';
import { formatLsn } from '../core/lsn.js';
import type { PgMajor } from '../core/version.js';
import { offsetOf } from '../layout.js';
import type { PgVersionProfile } from '../profile.js';
import type { BlockReference, DecodedRecord } from '../wal/record.js';

/** Field offsets of one C struct (bytes from the struct start), by C field name. */
export type FieldOffsets = Readonly<Record<string, number>>;
/** Field offsets of several record structs, by C struct name. */
export type StructOffsets = Readonly<Record<string, FieldOffsets>>;

/**
 * Builds the per-major table of record struct offsets from the layout shared by 14–16 and the
 * structs 16 changed (14 and 15 share every access-method record layout).
 */
export function offsetsByMajor(shared: StructOffsets, v14: StructOffsets, v16: StructOffsets): Readonly<Record<PgMajor, StructOffsets>> {
  const old = { ...shared, ...v14 };
  return { 14: old, 15: old, 16: { ...shared, ...v16 } };
}

const resolved = new WeakMap<object, WeakMap<object, StructOffsets>>();
let lastLayouts: object | null = null;
let lastTable: object | null = null;
let lastResolved: StructOffsets | null = null;

/**
 * The struct offsets a decoder uses for `profile`: taken from the profile's generated layouts
 * (src/vNN/gen) for every struct they contain, from the hand-kept `table` for the rest (a test
 * checks that both agree). Resolved once per profile and table.
 */
export function offsetsFor(profile: PgVersionProfile, table: Readonly<Record<PgMajor, StructOffsets>>): StructOffsets {
  if (lastLayouts === profile.layouts && lastTable === table) return lastResolved!;
  let byTable = resolved.get(profile.layouts);
  if (byTable === undefined) {
    byTable = new WeakMap();
    resolved.set(profile.layouts, byTable);
  }
  let out = byTable.get(table);
  if (out === undefined) {
    const fallback = table[profile.major];
    const merged: Record<string, FieldOffsets> = {};
    for (const [struct, fields] of Object.entries(fallback)) {
      const layout = profile.layouts[struct];
      if (layout === undefined) {
        merged[struct] = fields;
        continue;
      }
      const fromLayout: Record<string, number> = {};
      for (const field of Object.keys(fields)) fromLayout[field] = offsetOf(layout, field);
      merged[struct] = fromLayout;
    }
    out = merged;
    byTable.set(table, out);
  }
  lastLayouts = profile.layouts;
  lastTable = table;
  lastResolved = out;
  return out;
}

/** What error messages call a record: the rmgr name and its rm_identify names by info. */
export interface RecordLabel {
  readonly rmgr: string;
  readonly names: Readonly<Record<number, string>>;
}

/** The error every access-method decoder throws for a body that does not fit its record. */
export function badRecord(record: DecodedRecord, label: RecordLabel, detail: string): PgFormatError {
  const type = label.names[record.info & 0xf0] ?? 'UNKNOWN';
  return new PgFormatError('BAD_RECORD', `invalid ${label.rmgr} ${type} record at ${formatLsn(record.lsn)}: ${detail}`, {
    lsn: record.lsn,
  });
}

/**
 * A bounds-checked view of one part of a record (main data or one block's data). The reads
 * throw BAD_RECORD naming the record's LSN instead of reading past the part's end.
 */
export class RecordPart {
  readonly record: DecodedRecord;
  readonly label: RecordLabel;
  /** Block id of the part, or -1 for the main data (error messages only). */
  readonly blockId: number;
  /** The part is buf[base, base + length): reads index the record's buffer, no view is made. */
  private readonly buf: Uint8Array;
  private readonly base: number;
  readonly length: number;
  private sub: Uint8Array | null = null;

  /** `bytes` is the part itself, or (with `base` and `length`) the buffer it lies in. */
  constructor(record: DecodedRecord, bytes: Uint8Array, label: RecordLabel, blockId = -1, base = 0, length = bytes.length - base) {
    this.record = record;
    this.buf = bytes;
    this.base = base;
    this.length = length;
    this.label = label;
    this.blockId = blockId;
  }

  /** The part's bytes as a view (made on first use). */
  get bytes(): Uint8Array {
    if (this.sub === null) {
      this.sub = this.base === 0 && this.length === this.buf.length ? this.buf : this.buf.subarray(this.base, this.base + this.length);
    }
    return this.sub;
  }

  /** Throws unless bytes [off, off+n) exist. */
  need(off: number, n: number): void {
    if (off < 0 || n < 0 || off + n > this.length) {
      const part = this.blockId < 0 ? 'main data' : `block ${this.blockId} data`;
      throw badRecord(this.record, this.label, `${part} has ${this.length} bytes, need ${off + n} (field at offset ${off})`);
    }
  }

  u8(off: number): number {
    this.need(off, 1);
    return this.buf[this.base + off] as number;
  }

  i8(off: number): number {
    const v = this.u8(off);
    return v >= 0x80 ? v - 0x100 : v;
  }

  bool(off: number): boolean {
    return this.u8(off) !== 0;
  }

  u16(off: number): number {
    this.need(off, 2);
    const b = this.buf;
    const i = this.base + off;
    return (b[i] as number) | ((b[i + 1] as number) << 8);
  }

  u32(off: number): number {
    this.need(off, 4);
    const b = this.buf;
    const i = this.base + off;
    return ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0;
  }

  i32(off: number): number {
    return this.u32(off) | 0;
  }

  /** A 64-bit value as bigint (FullTransactionId, GistNSN, int64). */
  u64(off: number): bigint {
    return (BigInt(this.u32(off + 4)) << 32n) | BigInt(this.u32(off));
  }

  f64(off: number): number {
    this.need(off, 8);
    return new DataView(this.buf.buffer, this.buf.byteOffset + this.base + off, 8).getFloat64(0, true);
  }

  /** `count` uint16 values starting at `off` (OffsetNumber arrays). */
  u16Array(off: number, count: number): number[] {
    this.need(off, count * 2);
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) out[i] = this.u16(off + 2 * i);
    return out;
  }

  /** `count` uint32 values starting at `off` (Oid arrays). */
  u32Array(off: number, count: number): number[] {
    this.need(off, count * 4);
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) out[i] = this.u32(off + 4 * i);
    return out;
  }

  /** A zero-copy view of [off, off+n). */
  view(off: number, n: number): Uint8Array {
    this.need(off, n);
    return this.buf.subarray(this.base + off, this.base + off + n);
  }
}

/** The main data of `record` as a checked part. */
export function mainData(record: DecodedRecord, label: RecordLabel): RecordPart {
  // WalRecord: the part indexes the record's buffer (no subarray per record).
  const r = record as DecodedRecord & { buf?: Uint8Array; mainDataOffset?: number; mainDataLength?: number };
  if (r.buf !== undefined && r.mainDataOffset !== undefined && r.mainDataLength !== undefined) {
    return new RecordPart(record, r.buf, label, -1, r.mainDataOffset, r.mainDataLength);
  }
  return new RecordPart(record, record.mainData, label);
}

/** Block reference `id` of `record`, or undefined when the record has none. */
export function blockRef(record: DecodedRecord, id: number): BlockReference | undefined {
  for (const b of record.blocks) if (b.id === id) return b;
  return undefined;
}

/** XLogRecHasBlockData: block `id` exists and carries data. */
export function hasBlockData(record: DecodedRecord, id: number): boolean {
  const b = blockRef(record, id);
  return b?.hasData === true;
}

/** XLogRecHasBlockImage. */
export function hasBlockImage(record: DecodedRecord, id: number): boolean {
  const b = blockRef(record, id);
  return b?.hasImage === true;
}

/** XLogRecBlockImageApply. */
export function blockImageApply(record: DecodedRecord, id: number): boolean {
  const b = blockRef(record, id);
  return b?.image?.apply ?? false;
}

/** The data of block `id` as a checked part, or null when the block is absent or has no data. */
export function blockData(record: DecodedRecord, id: number, label: RecordLabel): RecordPart | null {
  const b = blockRef(record, id);
  if (b === undefined || !b.hasData) return null;
  const w = b as BlockReference & { buf?: Uint8Array; dataOffset?: number; dataLength?: number };
  if (w.buf !== undefined && w.dataOffset !== undefined && w.dataLength !== undefined) {
    return new RecordPart(record, w.buf, label, id, w.dataOffset, w.dataLength);
  }
  return new RecordPart(record, b.data, label, id);
}

/** Like blockData, but the data must be there. */
export function requireBlockData(record: DecodedRecord, id: number, label: RecordLabel): RecordPart {
  const part = blockData(record, id, label);
  if (part === null) throw badRecord(record, label, `block ${id} data is missing`);
  return part;
}

/** "0x%02X". */
export function hex2(v: number): string {
  return `0x${v.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** 'T' or 'F', as the rmgrdesc functions print booleans. */
export function tf(v: boolean): string {
  return v ? 'T' : 'F';
}

/** array_desc (rmgrdesc_utils.c, 16): " [a, b, c]" or " []". */
export function arrayDesc<T>(items: readonly T[], elem: (item: T) => string = String): string {
  if (items.length === 0) return ' []';
  let s = ' [';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) s += ', ';
    s += elem(items[i] as T);
  }
  return `${s}]`;
}

/** An epoch:xid pair of a FullTransactionId, as "%u:%u". */
export function fullXidText(fxid: bigint): string {
  return `${fxid >> 32n}:${fxid & 0xffff_ffffn}`;
}

/**
 * printf "%g" (precision 6) as PostgreSQL's snprintf prints a double (it hands finite values to
 * the C library, which rounds exact ties to even; JavaScript's toExponential rounds them up).
 */
export function formatG(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const sign = x < 0 ? '-' : '';
  const a = Math.abs(x);
  const short = a.toExponential(5);
  let digits = short.slice(0, 1) + short.slice(2, 7);
  let exponent = Number(short.slice(short.indexOf('e') + 1));
  const full = a.toExponential(99);
  const fullDigits = full.slice(0, 1) + full.slice(2, full.indexOf('e'));
  if (fullDigits[6] === '5' && /^0*$/.test(fullDigits.slice(7)) && Number(fullDigits[5]) % 2 === 0) {
    digits = fullDigits.slice(0, 6);
    exponent = Number(full.slice(full.indexOf('e') + 1));
  }
  if (exponent < -4 || exponent >= 6) {
    const mantissa = stripZeros(`${digits[0]}.${digits.slice(1)}`);
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed =
    exponent >= 0 ? `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}` : `0.${'0'.repeat(-exponent - 1)}${digits}`;
  return sign + stripZeros(fixed);
}

function stripZeros(s: string): string {
  if (!s.includes('.')) return s;
  let end = s.length;
  while (s[end - 1] === '0') end--;
  if (s[end - 1] === '.') end--;
  return s.slice(0, end);
}
