/**
 * Heap pages (access/htup_details.h): HeapTupleHeaderData at each normal line pointer.
 *
 *   0 t_xmin u32   4 t_xmax u32   8 t_field3 (t_cid / t_xvac) u32   12 t_ctid (6 bytes)
 *  18 t_infomask2 u16   20 t_infomask u16   22 t_hoff u8   23 t_bits[] (null bitmap)
 *  [t_oid u32 just before t_hoff when HEAP_HASOID_OLD]   t_hoff: user data
 *
 * heapPageItems() returns heap_page_items()'s columns (contrib/pageinspect/heapfuncs.c);
 * infomaskFlags() returns heap_tuple_infomask_flags()'s raw_flags and combined_flags.
 */

import {
  HEAP_COMBOCID,
  HEAP_HASEXTERNAL,
  HEAP_HASNULL,
  HEAP_HASOID_OLD,
  HEAP_HASVARWIDTH,
  HEAP_HOT_UPDATED,
  HEAP_KEYS_UPDATED,
  HEAP_MOVED,
  HEAP_MOVED_IN,
  HEAP_MOVED_OFF,
  HEAP_NATTS_MASK,
  HEAP_ONLY_TUPLE,
  HEAP_UPDATED,
  HEAP_XMAX_COMMITTED,
  HEAP_XMAX_EXCL_LOCK,
  HEAP_XMAX_INVALID,
  HEAP_XMAX_IS_MULTI,
  HEAP_XMAX_KEYSHR_LOCK,
  HEAP_XMAX_LOCK_ONLY,
  HEAP_XMAX_SHR_LOCK,
  HEAP_XMIN_COMMITTED,
  HEAP_XMIN_FROZEN,
  HEAP_XMIN_INVALID,
  SizeofHeapTupleHeader,
} from '../constants.js';
import { PgFormatError } from '../core/errors.js';
import {
  checkPageHeader,
  decodeItemIds,
  decodePageHeader,
  formatItemPointer,
  LP_DEAD,
  LP_NORMAL,
  maxAlign,
  type PageHeader,
  readU16,
  readU32,
  toHex,
} from './page.js';

/** Shared constants (src/common/constants.ts, checked against the C headers). */
export {
  HEAP_COMBOCID,
  HEAP_HASEXTERNAL,
  HEAP_HASNULL,
  HEAP_HASOID_OLD,
  HEAP_HASVARWIDTH,
  HEAP_HOT_UPDATED,
  HEAP_KEYS_UPDATED,
  HEAP_MOVED,
  HEAP_MOVED_IN,
  HEAP_MOVED_OFF,
  HEAP_NATTS_MASK,
  HEAP_ONLY_TUPLE,
  HEAP_UPDATED,
  HEAP_XMAX_COMMITTED,
  HEAP_XMAX_EXCL_LOCK,
  HEAP_XMAX_INVALID,
  HEAP_XMAX_IS_MULTI,
  HEAP_XMAX_KEYSHR_LOCK,
  HEAP_XMAX_LOCK_ONLY,
  HEAP_XMAX_SHR_LOCK,
  HEAP_XMIN_COMMITTED,
  HEAP_XMIN_FROZEN,
  HEAP_XMIN_INVALID,
  SizeofHeapTupleHeader,
};

export const HeapTupleHeaderOffsets = {
  t_xmin: 0,
  t_xmax: 4,
  t_field3: 8,
  t_ctid: 12,
  t_infomask2: 18,
  t_infomask: 20,
  t_hoff: 22,
  t_bits: 23,
} as const;
export const MinHeapTupleSize = 24;

const INFOMASK_NAMES: readonly [number, string][] = [
  [HEAP_HASNULL, 'HEAP_HASNULL'],
  [HEAP_HASVARWIDTH, 'HEAP_HASVARWIDTH'],
  [HEAP_HASEXTERNAL, 'HEAP_HASEXTERNAL'],
  [HEAP_HASOID_OLD, 'HEAP_HASOID_OLD'],
  [HEAP_XMAX_KEYSHR_LOCK, 'HEAP_XMAX_KEYSHR_LOCK'],
  [HEAP_COMBOCID, 'HEAP_COMBOCID'],
  [HEAP_XMAX_EXCL_LOCK, 'HEAP_XMAX_EXCL_LOCK'],
  [HEAP_XMAX_LOCK_ONLY, 'HEAP_XMAX_LOCK_ONLY'],
  [HEAP_XMIN_COMMITTED, 'HEAP_XMIN_COMMITTED'],
  [HEAP_XMIN_INVALID, 'HEAP_XMIN_INVALID'],
  [HEAP_XMAX_COMMITTED, 'HEAP_XMAX_COMMITTED'],
  [HEAP_XMAX_INVALID, 'HEAP_XMAX_INVALID'],
  [HEAP_XMAX_IS_MULTI, 'HEAP_XMAX_IS_MULTI'],
  [HEAP_UPDATED, 'HEAP_UPDATED'],
  [HEAP_MOVED_OFF, 'HEAP_MOVED_OFF'],
  [HEAP_MOVED_IN, 'HEAP_MOVED_IN'],
];
const INFOMASK2_NAMES: readonly [number, string][] = [
  [HEAP_KEYS_UPDATED, 'HEAP_KEYS_UPDATED'],
  [HEAP_HOT_UPDATED, 'HEAP_HOT_UPDATED'],
  [HEAP_ONLY_TUPLE, 'HEAP_ONLY_TUPLE'],
];
const COMBINED_NAMES: readonly [number, string][] = [
  [HEAP_XMAX_SHR_LOCK, 'HEAP_XMAX_SHR_LOCK'],
  [HEAP_XMIN_FROZEN, 'HEAP_XMIN_FROZEN'],
  [HEAP_MOVED, 'HEAP_MOVED'],
];

/** heap_tuple_infomask_flags(t_infomask, t_infomask2): raw_flags and combined_flags, in pageinspect's order. */
export function infomaskFlags(t_infomask: number, t_infomask2: number): { rawFlags: string[]; combinedFlags: string[] } {
  const rawFlags: string[] = [];
  for (const [bit, name] of INFOMASK_NAMES) if (t_infomask & bit) rawFlags.push(name);
  for (const [bit, name] of INFOMASK2_NAMES) if (t_infomask2 & bit) rawFlags.push(name);
  const combinedFlags: string[] = [];
  for (const [mask, name] of COMBINED_NAMES) if ((t_infomask & mask) === mask) combinedFlags.push(name);
  return { rawFlags, combinedFlags };
}

/** BITMAPLEN(natts). */
export function bitmapLen(natts: number): number {
  return (natts + 7) >>> 3;
}

/** bits_to_text(): the null bitmap as '0'/'1' characters, BITMAPLEN(natts) * 8 of them. */
export function tBitsText(page: Uint8Array, off: number, natts: number): string {
  const n = bitmapLen(natts) * 8;
  let s = '';
  for (let i = 0; i < n; i++) s += page[off + (i >>> 3)]! & (1 << (i & 7)) ? '1' : '0';
  return s;
}

/** One row of heap_page_items(). Tuple columns are null where pageinspect shows NULL. */
export interface HeapPageItem {
  lp: number;
  lpOff: number;
  lpFlags: number;
  lpLen: number;
  tXmin: number | null;
  tXmax: number | null;
  tField3: number | null;
  tCtid: string | null;
  tInfomask2: number | null;
  tInfomask: number | null;
  tHoff: number | null;
  tBits: string | null;
  tOid: number | null;
  /** Tuple data from t_hoff to lp_len, lowercase hex. */
  tData: string | null;
}

/** A decoded heap tuple: header fields and a zero-copy view of its data. */
export interface HeapTuple {
  lp: number;
  t_xmin: number;
  t_xmax: number;
  t_field3: number;
  t_ctid: string;
  t_infomask2: number;
  t_infomask: number;
  t_hoff: number;
  natts: number;
  /** Null bitmap bytes (BITMAPLEN(natts)) or null without HEAP_HASNULL. */
  t_bits: Uint8Array | null;
  t_oid: number | null;
  /** Bytes from t_hoff to lp_len. */
  data: Uint8Array;
}

function emptyItem(lp: number, lpOff: number, lpFlags: number, lpLen: number): HeapPageItem {
  return {
    lp,
    lpOff,
    lpFlags,
    lpLen,
    tXmin: null,
    tXmax: null,
    tField3: null,
    tCtid: null,
    tInfomask2: null,
    tInfomask: null,
    tHoff: null,
    tBits: null,
    tOid: null,
    tData: null,
  };
}

/**
 * heap_page_items() over a page: every line pointer; the tuple columns for stored tuples. Checks
 * the page header and line pointers first (PgFormatError BAD_PAGE naming block and offset).
 */
export function heapPageItems(page: Uint8Array, block?: number, header?: PageHeader): HeapPageItem[] {
  const h = header ?? decodePageHeader(page, block);
  checkPageHeader(page, h, block);
  const ids = decodeItemIds(page, h, block);
  const items: HeapPageItem[] = [];
  for (const id of ids) {
    const item = emptyItem(id.lp, id.lp_off, id.lp_flags, id.lp_len);
    items.push(item);
    const hasStorage = id.lp_len !== 0 && (id.lp_flags === LP_NORMAL || id.lp_flags === LP_DEAD);
    if (!hasStorage || id.lp_len < MinHeapTupleSize || id.lp_off !== maxAlign(id.lp_off) || id.lp_off + id.lp_len > page.byteLength)
      continue;
    const t = id.lp_off;
    const hoff = page[t + 22]!;
    item.tXmin = readU32(page, t);
    item.tXmax = readU32(page, t + 4);
    item.tField3 = readU32(page, t + 8);
    item.tCtid = formatItemPointer(page, t + 12);
    item.tInfomask2 = readU16(page, t + 18);
    item.tInfomask = readU16(page, t + 20);
    item.tHoff = hoff;
    if (hoff > id.lp_len) {
      throw new PgFormatError(
        'BAD_PAGE',
        `invalid tuple at line pointer ${id.lp}${block === undefined ? '' : ` in block ${block}`}: t_hoff=${hoff}, expected <= lp_len=${id.lp_len}`,
        block === undefined ? { offset: t + 22 } : { block, offset: t + 22 },
      );
    }
    item.tData = toHex(page.subarray(t + hoff, t + id.lp_len));
    if (hoff >= SizeofHeapTupleHeader && hoff === maxAlign(hoff)) {
      const natts = item.tInfomask2 & HEAP_NATTS_MASK;
      if (item.tInfomask & HEAP_HASNULL) {
        if (SizeofHeapTupleHeader + bitmapLen(natts) > hoff) {
          throw new PgFormatError(
            'BAD_PAGE',
            `invalid tuple at line pointer ${id.lp}${block === undefined ? '' : ` in block ${block}`}: null bitmap of ${natts} attributes does not fit before t_hoff=${hoff}`,
            block === undefined ? { offset: t + 22 } : { block, offset: t + 22 },
          );
        }
        item.tBits = tBitsText(page, t + SizeofHeapTupleHeader, natts);
      }
      if (item.tInfomask & HEAP_HASOID_OLD) item.tOid = readU32(page, t + hoff - 4);
    }
  }
  return items;
}

/** The stored heap tuple at line pointer `lp` (1-based), or null if the line pointer has no tuple. */
export function heapTupleAt(page: Uint8Array, lp: number, block?: number): HeapTuple | null {
  const h = decodePageHeader(page, block);
  checkPageHeader(page, h, block);
  const ids = decodeItemIds(page, h, block);
  const id = ids[lp - 1];
  if (id === undefined || id.lp_flags !== LP_NORMAL || id.lp_len < MinHeapTupleSize) return null;
  const t = id.lp_off;
  const hoff = page[t + 22]!;
  const infomask2 = readU16(page, t + 18);
  const infomask = readU16(page, t + 20);
  const natts = infomask2 & HEAP_NATTS_MASK;
  if (
    hoff > id.lp_len ||
    hoff < SizeofHeapTupleHeader ||
    ((infomask & HEAP_HASNULL) !== 0 && SizeofHeapTupleHeader + bitmapLen(natts) > hoff)
  ) {
    throw new PgFormatError(
      'BAD_PAGE',
      `invalid tuple at line pointer ${lp}${block === undefined ? '' : ` in block ${block}`}: t_hoff=${hoff}`,
      {
        offset: t + 22,
        ...(block === undefined ? {} : { block }),
      },
    );
  }
  return {
    lp,
    t_xmin: readU32(page, t),
    t_xmax: readU32(page, t + 4),
    t_field3: readU32(page, t + 8),
    t_ctid: formatItemPointer(page, t + 12),
    t_infomask2: infomask2,
    t_infomask: infomask,
    t_hoff: hoff,
    natts,
    t_bits: infomask & HEAP_HASNULL ? page.subarray(t + SizeofHeapTupleHeader, t + SizeofHeapTupleHeader + bitmapLen(natts)) : null,
    t_oid: infomask & HEAP_HASOID_OLD ? readU32(page, t + hoff - 4) : null,
    data: page.subarray(t + hoff, t + id.lp_len),
  };
}
