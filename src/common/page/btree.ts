/**
 * B-tree pages (access/nbtree.h, access/itup.h), identical in 14–16.
 *
 *   special space: BTPageOpaqueData { btpo_prev u32, btpo_next u32, btpo_level u32,
 *                                     btpo_flags u16, btpo_cycleid u16 }           (16 bytes)
 *   metapage (block 0, BTP_META): BTMetaPageData at 24 { btm_magic, btm_version, btm_root,
 *       btm_level, btm_fastroot, btm_fastlevel, btm_last_cleanup_num_delpages (u32 each),
 *       btm_last_cleanup_num_heap_tuples f64 @32, btm_allequalimage bool @40 }
 *   items: IndexTupleData { t_tid (6 bytes), t_info u16 (size:13 | AM bit | var | null) }
 *       posting list tuple: AM bit + BT_IS_POSTING in t_tid's offset; the list of heap TIDs
 *       starts at the offset stored in t_tid's block number. Pivot: AM bit without it.
 *
 * btMetap / btPageStats / btPageItems return pageinspect's bt_metap / bt_page_stats /
 * bt_page_items columns (contrib/pageinspect/btreefuncs.c).
 */

import {
  BT_IS_POSTING,
  BT_OFFSET_MASK,
  BT_PIVOT_HEAP_TID_ATTR,
  BTP_DELETED,
  BTP_HALF_DEAD,
  BTP_HAS_FULLXID,
  BTP_HAS_GARBAGE,
  BTP_INCOMPLETE_SPLIT,
  BTP_LEAF,
  BTP_META,
  BTP_ROOT,
  BTP_SPLIT_END,
  BTREE_MAGIC,
  INDEX_AM_RESERVED_BIT,
  INDEX_NULL_MASK,
  INDEX_SIZE_MASK,
  INDEX_VAR_MASK,
  P_HIKEY,
  P_NONE,
} from '../constants.js';
import { PgFormatError } from '../core/errors.js';
import {
  checkPageHeader,
  decodeItemIds,
  decodePageHeader,
  formatItemPointer,
  itemPointerBlock,
  LP_DEAD,
  maxAlign,
  type PageHeader,
  pageFreeSpace,
  readU16,
  readU32,
  toSpacedHex,
} from './page.js';

/** Shared constants (src/common/constants.ts, checked against the C headers). */
export {
  BT_IS_POSTING,
  BT_OFFSET_MASK,
  BT_PIVOT_HEAP_TID_ATTR,
  BTP_DELETED,
  BTP_HALF_DEAD,
  BTP_HAS_FULLXID,
  BTP_HAS_GARBAGE,
  BTP_INCOMPLETE_SPLIT,
  BTP_LEAF,
  BTP_META,
  BTP_ROOT,
  BTP_SPLIT_END,
  BTREE_MAGIC,
  INDEX_AM_RESERVED_BIT,
  INDEX_NULL_MASK,
  INDEX_SIZE_MASK,
  INDEX_VAR_MASK,
  P_HIKEY,
  P_NONE,
};

export const BTPageOpaqueOffsets = { btpo_prev: 0, btpo_next: 4, btpo_level: 8, btpo_flags: 12, btpo_cycleid: 14 } as const;
export const SizeOfBTPageOpaqueData = 16;
export const BTMetaPageOffsets = {
  btm_magic: 0,
  btm_version: 4,
  btm_root: 8,
  btm_level: 12,
  btm_fastroot: 16,
  btm_fastlevel: 20,
  btm_last_cleanup_num_delpages: 24,
  btm_last_cleanup_num_heap_tuples: 32,
  btm_allequalimage: 40,
} as const;

export const MAX_BT_CYCLE_ID = 0xff7f;

const PAGE_CONTENTS = 24;

export interface BTPageOpaque {
  btpo_prev: number;
  btpo_next: number;
  btpo_level: number;
  btpo_flags: number;
  btpo_cycleid: number;
}

export function decodeBTPageOpaque(page: Uint8Array, h: PageHeader, block?: number): BTPageOpaque {
  if (page.byteLength - h.pd_special !== SizeOfBTPageOpaqueData) {
    throw new PgFormatError(
      'BAD_PAGE',
      `input page is not a valid btree page${block === undefined ? '' : ` (block ${block})`}: special size ${page.byteLength - h.pd_special}, expected ${SizeOfBTPageOpaqueData}`,
      { offset: 16, ...(block === undefined ? {} : { block }) },
    );
  }
  const s = h.pd_special;
  return {
    btpo_prev: readU32(page, s),
    btpo_next: readU32(page, s + 4),
    btpo_level: readU32(page, s + 8),
    btpo_flags: readU16(page, s + 12),
    btpo_cycleid: readU16(page, s + 14),
  };
}

/** bt_metap()'s columns. */
export interface BtMetap {
  magic: number;
  version: number;
  root: number;
  level: number;
  fastroot: number;
  fastlevel: number;
  lastCleanupNumDelpages: number;
  lastCleanupNumTuples: number;
  allequalimage: boolean;
}

export function btMetap(page: Uint8Array, block?: number): BtMetap {
  const h = decodePageHeader(page, block);
  checkPageHeader(page, h, block);
  const opaque = decodeBTPageOpaque(page, h, block);
  if (!(opaque.btpo_flags & BTP_META)) {
    throw new PgFormatError('BAD_PAGE', `block ${block ?? 0} is not a meta page`, {
      offset: h.pd_special + 12,
      ...(block === undefined ? {} : { block }),
    });
  }
  const m = PAGE_CONTENTS;
  if (page.byteLength < m + 41)
    throw new PgFormatError('TRUNCATED', `btree metapage: expected ${m + 41} bytes, got ${page.byteLength}`, { offset: 0 });
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  const magic = readU32(page, m);
  if (magic !== BTREE_MAGIC) {
    throw new PgFormatError('BAD_MAGIC', `index is not a btree: btm_magic=0x${magic.toString(16).toUpperCase()}, expected 0x53162`, {
      offset: m,
      ...(block === undefined ? {} : { block }),
    });
  }
  const version = readU32(page, m + 4);
  // Versions before 3 have no cleanup fields; pageinspect shows 0 and -1 for them.
  const hasCleanup = version >= 3;
  return {
    magic,
    version,
    root: readU32(page, m + 8),
    level: readU32(page, m + 12),
    fastroot: readU32(page, m + 16),
    fastlevel: readU32(page, m + 20),
    lastCleanupNumDelpages: hasCleanup ? readU32(page, m + 24) : 0,
    lastCleanupNumTuples: hasCleanup ? view.getFloat64(m + 32, true) : -1,
    allequalimage: version >= 4 ? page[m + 40] !== 0 : false,
  };
}

/** bt_page_stats()'s columns. */
export interface BtPageStats {
  blkno: number;
  type: 'l' | 'i' | 'r' | 'e' | 'd' | 'D';
  liveItems: number;
  deadItems: number;
  avgItemSize: number;
  pageSize: number;
  freeSize: number;
  btpoPrev: number;
  btpoNext: number;
  btpoLevel: number;
  btpoFlags: number;
}

function btPageType(o: BTPageOpaque): BtPageStats['type'] {
  if (o.btpo_flags & BTP_DELETED) return o.btpo_flags & BTP_LEAF || !(o.btpo_flags & BTP_HAS_FULLXID) ? 'd' : 'D';
  if (o.btpo_flags & (BTP_DELETED | BTP_HALF_DEAD)) return 'e';
  if (o.btpo_flags & BTP_LEAF) return 'l';
  if (o.btpo_flags & BTP_ROOT) return 'r';
  return 'i';
}

function notMeta(page: Uint8Array, block: number | undefined): { h: PageHeader; opaque: BTPageOpaque } {
  const h = decodePageHeader(page, block);
  checkPageHeader(page, h, block);
  const opaque = decodeBTPageOpaque(page, h, block);
  if (opaque.btpo_flags & BTP_META) {
    throw new PgFormatError('BAD_PAGE', `block ${block ?? 0} is a meta page`, {
      offset: h.pd_special + 12,
      ...(block === undefined ? {} : { block }),
    });
  }
  return { h, opaque };
}

export function btPageStats(page: Uint8Array, block: number): BtPageStats {
  const { h, opaque } = notMeta(page, block);
  const ids = decodeItemIds(page, h, block);
  let live = 0;
  let dead = 0;
  let itemSize = 0;
  for (const id of ids) {
    itemSize += readU16(page, id.lp_off + 6) & INDEX_SIZE_MASK;
    if (id.lp_flags === LP_DEAD) dead++;
    else live++;
  }
  return {
    blkno: block,
    type: btPageType(opaque),
    liveItems: live,
    deadItems: dead,
    avgItemSize: live + dead > 0 ? Math.floor(itemSize / (live + dead)) : 0,
    pageSize: h.pd_pagesize_version & 0xff00,
    freeSize: pageFreeSpace(h),
    btpoPrev: opaque.btpo_prev,
    btpoNext: opaque.btpo_next,
    btpoLevel: opaque.btpo_level,
    btpoFlags: opaque.btpo_flags,
  };
}

/** bt_page_items()'s columns. */
export interface BtPageItem {
  itemoffset: number;
  ctid: string;
  itemlen: number;
  nulls: boolean;
  vars: boolean;
  /** Key bytes as hex pairs separated by spaces. */
  data: string;
  dead: boolean | null;
  htid: string | null;
  tids: string[] | null;
}

export function btPageItems(page: Uint8Array, block?: number): BtPageItem[] {
  const { h, opaque } = notMeta(page, block);
  const ids = decodeItemIds(page, h, block);
  const leaf = (opaque.btpo_flags & BTP_LEAF) !== 0;
  const rightmost = opaque.btpo_next === P_NONE;
  const items: BtPageItem[] = [];
  for (const id of ids) {
    const t = id.lp_off;
    const fail = (what: string): never => {
      throw new PgFormatError(
        'BAD_PAGE',
        `invalid index tuple at offset number ${id.lp}${block === undefined ? '' : ` in block ${block}`}: ${what}`,
        {
          offset: t,
          ...(block === undefined ? {} : { block }),
        },
      );
    };
    if (id.lp_len < 8) fail(`lp_len=${id.lp_len}, expected at least 8`);
    const info = readU16(page, t + 6);
    const size = info & INDEX_SIZE_MASK;
    if (size > id.lp_len || size < 8) fail(`tuple size ${size}, expected between 8 and lp_len=${id.lp_len}`);
    const posid = readU16(page, t + 4);
    const amBit = (info & INDEX_AM_RESERVED_BIT) !== 0;
    const isPosting = amBit && (posid & BT_IS_POSTING) !== 0;
    const isPivot = amBit && (posid & BT_IS_POSTING) === 0;
    const dataOff = info & INDEX_NULL_MASK ? maxAlign(8 + 4) : maxAlign(8);
    let dlen = size - dataOff;
    let postingOff = 0;
    let nposting = 0;
    if (isPosting) {
      postingOff = itemPointerBlock(page, t);
      nposting = posid & BT_OFFSET_MASK;
      if (postingOff + nposting * 6 > size || postingOff < dataOff)
        fail(`posting list at ${postingOff} with ${nposting} TIDs exceeds the tuple size ${size}`);
      dlen -= size - postingOff;
    } else if (isPivot && (posid & BT_PIVOT_HEAP_TID_ATTR) !== 0) dlen -= maxAlign(6);
    if (dlen < 0) fail(`invalid tuple length ${dlen}`);
    const pivot = !leaf || (!rightmost && id.lp === P_HIKEY);
    let htid: string | null = null;
    if (isPivot) {
      if (posid & BT_PIVOT_HEAP_TID_ATTR) htid = formatItemPointer(page, t + size - 6);
    } else if (isPosting) htid = formatItemPointer(page, t + postingOff);
    else htid = formatItemPointer(page, t);
    if (pivot && !isPivot) htid = null;
    let tids: string[] | null = null;
    if (isPosting) {
      tids = new Array(nposting);
      for (let i = 0; i < nposting; i++) tids[i] = formatItemPointer(page, t + postingOff + i * 6);
    }
    items.push({
      itemoffset: id.lp,
      ctid: formatItemPointer(page, t),
      itemlen: size,
      nulls: (info & INDEX_NULL_MASK) !== 0,
      vars: (info & INDEX_VAR_MASK) !== 0,
      data: toSpacedHex(page.subarray(t + dataOff, t + dataOff + dlen)),
      dead: pivot ? null : id.lp_flags === LP_DEAD,
      htid,
      tids,
    });
  }
  return items;
}

/** True when the page's special space looks like a btree page (size 16 and a plausible cycle id). */
export function looksLikeBtree(page: Uint8Array, h: PageHeader): boolean {
  if (page.byteLength - h.pd_special !== SizeOfBTPageOpaqueData) return false;
  return readU16(page, h.pd_special + 14) <= MAX_BT_CYCLE_ID;
}
