/**
 * The Heap resource manager (RM_HEAP_ID 10): records of access/heapam_xlog.h (xl_heap_insert,
 * xl_heap_delete, xl_heap_update, xl_heap_truncate, xl_heap_confirm, xl_heap_lock,
 * xl_heap_inplace), decoded into typed bodies and described exactly as heap_desc /
 * heap_identify (rmgrdesc/heapdesc.c) of the record's major version print them.
 */
import {
  RM_HEAP_ID,
  XLH_DELETE_CONTAINS_OLD_KEY,
  XLH_DELETE_CONTAINS_OLD_TUPLE,
  XLH_TRUNCATE_CASCADE,
  XLH_TRUNCATE_RESTART_SEQS,
  XLH_UPDATE_CONTAINS_OLD_KEY,
  XLH_UPDATE_CONTAINS_OLD_TUPLE,
  XLH_UPDATE_PREFIX_FROM_OLD,
  XLH_UPDATE_SUFFIX_FROM_OLD,
  XLHL_KEYS_UPDATED,
  XLHL_XMAX_EXCL_LOCK,
  XLHL_XMAX_IS_MULTI,
  XLHL_XMAX_KEYSHR_LOCK,
  XLHL_XMAX_LOCK_ONLY,
  XLOG_HEAP_CONFIRM,
  XLOG_HEAP_DELETE,
  XLOG_HEAP_HOT_UPDATE,
  XLOG_HEAP_INIT_PAGE,
  XLOG_HEAP_INPLACE,
  XLOG_HEAP_INSERT,
  XLOG_HEAP_LOCK,
  XLOG_HEAP_OPMASK,
  XLOG_HEAP_TRUNCATE,
  XLOG_HEAP_UPDATE,
} from '../constants.js';
import type { PgVersionProfile } from '../profile.js';
import type { DecodedRecord } from '../wal/record.js';
import { arrayDesc, blockData, hex2, mainData, offsetsByMajor, offsetsFor, type RecordLabel, type RecordPart } from './am-util.js';
import type { RmgrDescriptor } from './types.js';

/** SizeofHeapTupleHeader: offsetof(HeapTupleHeaderData, t_bits); WAL tuple data starts there. */
export const SizeofHeapTupleHeader = 23;

/** Record struct offsets per major version (access/heapam_xlog.h); 16 renamed xl_heap_lock.locking_xid to xmax. */
export const heapOffsets = offsetsByMajor(
  {
    xl_heap_header: { t_infomask2: 0, t_infomask: 2, t_hoff: 4 },
    xl_heap_insert: { offnum: 0, flags: 2 },
    xl_heap_delete: { xmax: 0, offnum: 4, infobits_set: 6, flags: 7 },
    xl_heap_update: { old_xmax: 0, old_offnum: 4, old_infobits_set: 6, flags: 7, new_xmax: 8, new_offnum: 12 },
    xl_heap_truncate: { dbId: 0, nrelids: 4, flags: 8, relids: 12 },
    xl_heap_confirm: { offnum: 0 },
    xl_heap_inplace: { offnum: 0 },
  },
  { xl_heap_lock: { locking_xid: 0, offnum: 4, infobits_set: 6, flags: 7 } },
  { xl_heap_lock: { xmax: 0, offnum: 4, infobits_set: 6, flags: 7 } },
);

/**
 * A heap tuple as WAL carries it: xl_heap_header (the header fields not recomputed at redo)
 * and the bytes that follow the fixed HeapTupleHeaderData — null bitmap, padding, then the
 * attribute data at `t_hoff - SizeofHeapTupleHeader`.
 */
export interface XlHeapTuple {
  t_infomask2: number;
  t_infomask: number;
  t_hoff: number;
  /** A view into the record. */
  data: Uint8Array;
}
export interface HeapInsert {
  kind: 'insert';
  /** XLOG_HEAP_INIT_PAGE: the page is initialized first. */
  init: boolean;
  offnum: number;
  flags: number;
  /** The new tuple from block 0's data; null when a full-page image replaced the data. */
  tuple: XlHeapTuple | null;
}
export interface HeapDelete {
  kind: 'delete';
  xmax: number;
  offnum: number;
  infobits_set: number;
  flags: number;
  /** The old tuple or its replica-identity key (XLH_DELETE_CONTAINS_OLD_*), or null. */
  oldTuple: XlHeapTuple | null;
}
export interface HeapUpdate {
  kind: 'update' | 'hot_update';
  init: boolean;
  old_xmax: number;
  old_offnum: number;
  old_infobits_set: number;
  flags: number;
  new_xmax: number;
  new_offnum: number;
  /** Bytes of the new tuple's data shared with the old one and left out (XLH_UPDATE_PREFIX/SUFFIX_FROM_OLD). */
  prefixlen: number;
  suffixlen: number;
  /** The new tuple (without the prefix/suffix) from block 0's data; null when a full-page image replaced it. */
  newTuple: XlHeapTuple | null;
  /** The old tuple or its replica-identity key (XLH_UPDATE_CONTAINS_OLD_*), or null. */
  oldTuple: XlHeapTuple | null;
}
export interface HeapTruncate {
  kind: 'truncate';
  dbId: number;
  nrelids: number;
  flags: number;
  relids: number[];
}
export interface HeapConfirm {
  kind: 'confirm';
  offnum: number;
}
export interface HeapLock {
  kind: 'lock';
  /** xl_heap_lock.xmax (locking_xid before 16); may be a MultiXactId. */
  xmax: number;
  offnum: number;
  infobits_set: number;
  flags: number;
}
export interface HeapInplace {
  kind: 'inplace';
  offnum: number;
}
export type HeapBody = HeapInsert | HeapDelete | HeapUpdate | HeapTruncate | HeapConfirm | HeapLock | HeapInplace;

const IDENTIFY: Readonly<Record<number, string>> = {
  [XLOG_HEAP_INSERT]: 'INSERT',
  [XLOG_HEAP_INSERT | XLOG_HEAP_INIT_PAGE]: 'INSERT+INIT',
  [XLOG_HEAP_DELETE]: 'DELETE',
  [XLOG_HEAP_UPDATE]: 'UPDATE',
  [XLOG_HEAP_UPDATE | XLOG_HEAP_INIT_PAGE]: 'UPDATE+INIT',
  [XLOG_HEAP_HOT_UPDATE]: 'HOT_UPDATE',
  [XLOG_HEAP_HOT_UPDATE | XLOG_HEAP_INIT_PAGE]: 'HOT_UPDATE+INIT',
  [XLOG_HEAP_TRUNCATE]: 'TRUNCATE',
  [XLOG_HEAP_CONFIRM]: 'HEAP_CONFIRM',
  [XLOG_HEAP_LOCK]: 'LOCK',
  [XLOG_HEAP_INPLACE]: 'INPLACE',
};
const LABEL: RecordLabel = { rmgr: 'Heap', names: IDENTIFY };

/** An xl_heap_header at `at` followed by tuple data up to `end`. */
export function readXlHeapTuple(p: RecordPart, at: number, end: number, profile: PgVersionProfile): XlHeapTuple {
  const h = offsetsFor(profile, heapOffsets).xl_heap_header!;
  const size = h.t_hoff! + 1;
  return {
    t_infomask2: p.u16(at + h.t_infomask2!),
    t_infomask: p.u16(at + h.t_infomask!),
    t_hoff: p.u8(at + h.t_hoff!),
    data: p.view(at + size, end - at - size),
  };
}

export function decodeHeapRecord(record: DecodedRecord, profile: PgVersionProfile): HeapBody {
  const info = record.info & 0xf0;
  const op = info & XLOG_HEAP_OPMASK;
  const init = (info & XLOG_HEAP_INIT_PAGE) !== 0;
  const L = offsetsFor(profile, heapOffsets);
  const d = mainData(record, LABEL);
  switch (op) {
    case XLOG_HEAP_INSERT: {
      const o = L.xl_heap_insert!;
      const bd = blockData(record, 0, LABEL);
      return {
        kind: 'insert',
        init,
        offnum: d.u16(o.offnum!),
        flags: d.u8(o.flags!),
        tuple: bd === null ? null : readXlHeapTuple(bd, 0, bd.length, profile),
      };
    }
    case XLOG_HEAP_DELETE: {
      const o = L.xl_heap_delete!;
      const flags = d.u8(o.flags!);
      const hasOld = (flags & (XLH_DELETE_CONTAINS_OLD_TUPLE | XLH_DELETE_CONTAINS_OLD_KEY)) !== 0;
      const size = o.flags! + 1;
      return {
        kind: 'delete',
        xmax: d.u32(o.xmax!),
        offnum: d.u16(o.offnum!),
        infobits_set: d.u8(o.infobits_set!),
        flags,
        oldTuple: hasOld ? readXlHeapTuple(d, size, d.length, profile) : null,
      };
    }
    case XLOG_HEAP_UPDATE:
    case XLOG_HEAP_HOT_UPDATE: {
      const o = L.xl_heap_update!;
      const flags = d.u8(o.flags!);
      const size = o.new_offnum! + 2;
      const body: HeapUpdate = {
        kind: op === XLOG_HEAP_UPDATE ? 'update' : 'hot_update',
        init,
        old_xmax: d.u32(o.old_xmax!),
        old_offnum: d.u16(o.old_offnum!),
        old_infobits_set: d.u8(o.old_infobits_set!),
        flags,
        new_xmax: d.u32(o.new_xmax!),
        new_offnum: d.u16(o.new_offnum!),
        prefixlen: 0,
        suffixlen: 0,
        newTuple: null,
        oldTuple:
          (flags & (XLH_UPDATE_CONTAINS_OLD_TUPLE | XLH_UPDATE_CONTAINS_OLD_KEY)) !== 0
            ? readXlHeapTuple(d, size, d.length, profile)
            : null,
      };
      const bd = blockData(record, 0, LABEL);
      if (bd !== null) {
        let at = 0;
        if (flags & XLH_UPDATE_PREFIX_FROM_OLD) {
          body.prefixlen = bd.u16(at);
          at += 2;
        }
        if (flags & XLH_UPDATE_SUFFIX_FROM_OLD) {
          body.suffixlen = bd.u16(at);
          at += 2;
        }
        body.newTuple = readXlHeapTuple(bd, at, bd.length, profile);
      }
      return body;
    }
    case XLOG_HEAP_TRUNCATE: {
      const o = L.xl_heap_truncate!;
      const nrelids = d.u32(o.nrelids!);
      return { kind: 'truncate', dbId: d.u32(o.dbId!), nrelids, flags: d.u8(o.flags!), relids: d.u32Array(o.relids!, nrelids) };
    }
    case XLOG_HEAP_CONFIRM:
      return { kind: 'confirm', offnum: d.u16(L.xl_heap_confirm!.offnum!) };
    case XLOG_HEAP_LOCK: {
      const o = L.xl_heap_lock!;
      return {
        kind: 'lock',
        xmax: d.u32(o.xmax ?? o.locking_xid!),
        offnum: d.u16(o.offnum!),
        infobits_set: d.u8(o.infobits_set!),
        flags: d.u8(o.flags!),
      };
    }
    default:
      return { kind: 'inplace', offnum: d.u16(L.xl_heap_inplace!.offnum!) };
  }
}

/** out_infobits (14, 15): each set bit as "NAME " (note the trailing blank). */
export function infobitsClassic(bits: number): string {
  let s = '';
  if (bits & XLHL_XMAX_IS_MULTI) s += 'IS_MULTI ';
  if (bits & XLHL_XMAX_LOCK_ONLY) s += 'LOCK_ONLY ';
  if (bits & XLHL_XMAX_EXCL_LOCK) s += 'EXCL_LOCK ';
  if (bits & XLHL_XMAX_KEYSHR_LOCK) s += 'KEYSHR_LOCK ';
  if (bits & XLHL_KEYS_UPDATED) s += 'KEYS_UPDATED ';
  return s;
}

/** infobits_desc (16): "key: [IS_MULTI, LOCK_ONLY]". */
export function infobitsKeyed(bits: number, key: string): string {
  const names: string[] = [];
  if (bits & XLHL_XMAX_IS_MULTI) names.push('IS_MULTI');
  if (bits & XLHL_XMAX_LOCK_ONLY) names.push('LOCK_ONLY');
  if (bits & XLHL_XMAX_EXCL_LOCK) names.push('EXCL_LOCK');
  if (bits & XLHL_XMAX_KEYSHR_LOCK) names.push('KEYSHR_LOCK');
  if (bits & XLHL_KEYS_UPDATED) names.push('KEYS_UPDATED');
  return `${key}: [${names.join(', ')}]`;
}

function describeClassic(b: HeapBody): string {
  switch (b.kind) {
    case 'insert':
      return `off ${b.offnum} flags ${hex2(b.flags)}`;
    case 'delete':
      return `off ${b.offnum} flags ${hex2(b.flags)} ${infobitsClassic(b.infobits_set)}`;
    case 'update':
    case 'hot_update':
      return `off ${b.old_offnum} xmax ${b.old_xmax} flags ${hex2(b.flags)} ${infobitsClassic(b.old_infobits_set)}; new off ${b.new_offnum} xmax ${b.new_xmax}`;
    case 'truncate': {
      let s = '';
      if (b.flags & XLH_TRUNCATE_CASCADE) s += 'cascade ';
      if (b.flags & XLH_TRUNCATE_RESTART_SEQS) s += 'restart_seqs ';
      s += `nrelids ${b.nrelids} relids`;
      for (const r of b.relids) s += ` ${r}`;
      return s;
    }
    case 'confirm':
    case 'inplace':
      return `off ${b.offnum}`;
    case 'lock':
      return `off ${b.offnum}: xid ${b.xmax}: flags ${hex2(b.flags)} ${infobitsClassic(b.infobits_set)}`;
  }
}

function describeKeyed(b: HeapBody): string {
  switch (b.kind) {
    case 'insert':
      return `off: ${b.offnum}, flags: ${hex2(b.flags)}`;
    case 'delete':
    case 'lock':
      return `xmax: ${b.xmax}, off: ${b.offnum}, ${infobitsKeyed(b.infobits_set, 'infobits')}, flags: ${hex2(b.flags)}`;
    case 'update':
    case 'hot_update':
      return `old_xmax: ${b.old_xmax}, old_off: ${b.old_offnum}, ${infobitsKeyed(b.old_infobits_set, 'old_infobits')}, flags: ${hex2(b.flags)}, new_xmax: ${b.new_xmax}, new_off: ${b.new_offnum}`;
    case 'truncate': {
      const names: string[] = [];
      if (b.flags & XLH_TRUNCATE_CASCADE) names.push('CASCADE');
      if (b.flags & XLH_TRUNCATE_RESTART_SEQS) names.push('RESTART_SEQS');
      return `flags: [${names.join(', ')}], nrelids: ${b.nrelids}, relids:${arrayDesc(b.relids)}`;
    }
    case 'confirm':
    case 'inplace':
      return `off: ${b.offnum}`;
  }
}

export const heapRmgr: RmgrDescriptor<HeapBody> = {
  id: RM_HEAP_ID,
  name: 'Heap',
  identify: (info) => IDENTIFY[info & 0xf0],
  decode: decodeHeapRecord,
  describe(record, profile) {
    const body = decodeHeapRecord(record, profile);
    return profile.major >= 16 ? describeKeyed(body) : describeClassic(body);
  },
};
