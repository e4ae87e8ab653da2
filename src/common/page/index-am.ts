/**
 * Special-space ("opaque") data of the other index access methods, identical in 14–16:
 *
 *   hash  (access/hash.h)      HashPageOpaqueData { hasho_prevblkno u32, hasho_nextblkno u32,
 *                              hasho_bucket u32, hasho_flag u16, hasho_page_id u16 = 0xFF80 }
 *   GiST  (access/gist.h)      GISTPageOpaqueData { nsn (PageXLogRecPtr), rightlink u32,
 *                              flags u16, gist_page_id u16 = 0xFF81 }
 *   SP-GiST (access/spgist_private.h) SpGistPageOpaqueData { flags u16, nRedirection u16,
 *                              nPlaceholder u16, spgist_page_id u16 = 0xFF82 }
 *   GIN   (access/ginblock.h)  GinPageOpaqueData { rightlink u32, maxoff u16, flags u16 }
 *   BRIN  (access/brin_page.h) BrinSpecialSpace { vector[]: ..., flags u16, type u16 }
 *                              type 0xF091 meta, 0xF092 revmap, 0xF093 regular
 */

import {
  BRIN_PAGETYPE_META,
  BRIN_PAGETYPE_REGULAR,
  BRIN_PAGETYPE_REVMAP,
  GIST_PAGE_ID,
  HASH_MAX_BITMAPS,
  HASH_MAX_SPLITPOINTS,
  HASHO_PAGE_ID,
  LH_BITMAP_PAGE,
  LH_BUCKET_PAGE,
  LH_META_PAGE,
  LH_OVERFLOW_PAGE,
  LH_PAGE_TYPE,
  SPGIST_PAGE_ID,
} from '../constants.js';
import { PgFormatError } from '../core/errors.js';
import { formatLsn, lsnFromHalves } from '../core/lsn.js';
import { decodeItemIds, formatItemPointer, type ItemId, type PageHeader, pageFreeSpace, readU16, readU32, toHex } from './page.js';

/** Shared constants (src/common/constants.ts, checked against the C headers). */
export {
  BRIN_PAGETYPE_META,
  BRIN_PAGETYPE_REGULAR,
  BRIN_PAGETYPE_REVMAP,
  GIST_PAGE_ID,
  HASH_MAX_BITMAPS,
  HASH_MAX_SPLITPOINTS,
  HASHO_PAGE_ID,
  LH_BITMAP_PAGE,
  LH_BUCKET_PAGE,
  LH_META_PAGE,
  LH_OVERFLOW_PAGE,
  LH_PAGE_TYPE,
  SPGIST_PAGE_ID,
};

/** Field offsets inside each special space / metapage (checked against the generated layouts in test/page). */
export const HashPageOpaqueOffsets = {
  hasho_prevblkno: 0,
  hasho_nextblkno: 4,
  hasho_bucket: 8,
  hasho_flag: 12,
  hasho_page_id: 14,
} as const;
export const GISTPageOpaqueOffsets = { nsn: 0, rightlink: 8, flags: 12, gist_page_id: 14 } as const;
export const SpGistPageOpaqueOffsets = { flags: 0, nRedirection: 2, nPlaceholder: 4, spgist_page_id: 6 } as const;
export const GinPageOpaqueOffsets = { rightlink: 0, maxoff: 4, flags: 6 } as const;
export const BrinMetaPageOffsets = { brinMagic: 0, brinVersion: 4, pagesPerRange: 8, lastRevmapPage: 12 } as const;
/** PageGetContents(): MAXALIGN(SizeOfPageHeaderData). */
const CONTENTS = 24;

export interface HashPageOpaque {
  hashoPrevblkno: number;
  hashoNextblkno: number;
  hashoBucket: number;
  hashoFlag: number;
  hashoPageId: number;
  /** hash_page_type(): unused, metapage, bucket, overflow, bitmap. */
  pageType: 'unused' | 'metapage' | 'bucket' | 'overflow' | 'bitmap';
}

export function decodeHashOpaque(page: Uint8Array, h: PageHeader): HashPageOpaque {
  const s = h.pd_special;
  const flag = readU16(page, s + HashPageOpaqueOffsets.hasho_flag);
  const t = flag & LH_PAGE_TYPE;
  const pageType =
    t === LH_META_PAGE
      ? 'metapage'
      : t === LH_BUCKET_PAGE
        ? 'bucket'
        : t === LH_OVERFLOW_PAGE
          ? 'overflow'
          : t === LH_BITMAP_PAGE
            ? 'bitmap'
            : 'unused';
  return {
    hashoPrevblkno: readU32(page, s + HashPageOpaqueOffsets.hasho_prevblkno),
    hashoNextblkno: readU32(page, s + HashPageOpaqueOffsets.hasho_nextblkno),
    hashoBucket: readU32(page, s + HashPageOpaqueOffsets.hasho_bucket),
    hashoFlag: flag,
    hashoPageId: readU16(page, s + HashPageOpaqueOffsets.hasho_page_id),
    pageType,
  };
}

const GIST_FLAGS: readonly [number, string][] = [
  [1, 'leaf'],
  [2, 'deleted'],
  [4, 'tuples_deleted'],
  [8, 'follow_right'],
  [16, 'has_garbage'],
];

function flagNames(flags: number, table: readonly [number, string][]): string[] {
  const out: string[] = [];
  let known = 0;
  for (const [bit, name] of table) {
    known |= bit;
    if (flags & bit) out.push(name);
  }
  if (flags & ~known) out.push(`0x${(flags & ~known).toString(16).padStart(4, '0')}`);
  return out;
}

/** gist_page_opaque_info()'s columns. */
export interface GistPageOpaqueInfo {
  lsn: string;
  nsn: string;
  rightlink: number;
  flags: string[];
}

export function gistPageOpaqueInfo(page: Uint8Array, h: PageHeader): GistPageOpaqueInfo {
  const s = h.pd_special;
  return {
    lsn: formatLsn(h.pd_lsn),
    nsn: formatLsn(lsnFromHalves(readU32(page, s + GISTPageOpaqueOffsets.nsn), readU32(page, s + GISTPageOpaqueOffsets.nsn + 4))),
    rightlink: readU32(page, s + GISTPageOpaqueOffsets.rightlink),
    flags: flagNames(readU16(page, s + GISTPageOpaqueOffsets.flags), GIST_FLAGS),
  };
}

const GIN_FLAGS: readonly [number, string][] = [
  [1, 'data'],
  [2, 'leaf'],
  [4, 'deleted'],
  [8, 'meta'],
  [16, 'list'],
  [32, 'list_full'],
  [64, 'incomplete_split'],
  [128, 'compressed'],
];

/** gin_page_opaque_info()'s columns. */
export interface GinPageOpaqueInfo {
  rightlink: number;
  maxoff: number;
  flags: string[];
}

export function ginPageOpaqueInfo(page: Uint8Array, h: PageHeader): GinPageOpaqueInfo {
  const s = h.pd_special;
  return {
    rightlink: readU32(page, s + GinPageOpaqueOffsets.rightlink),
    maxoff: readU16(page, s + GinPageOpaqueOffsets.maxoff),
    flags: flagNames(readU16(page, s + GinPageOpaqueOffsets.flags), GIN_FLAGS),
  };
}

export interface SpGistPageOpaque {
  flags: number;
  nRedirection: number;
  nPlaceholder: number;
  spgistPageId: number;
}

export function decodeSpGistOpaque(page: Uint8Array, h: PageHeader): SpGistPageOpaque {
  const s = h.pd_special;
  return {
    flags: readU16(page, s + SpGistPageOpaqueOffsets.flags),
    nRedirection: readU16(page, s + SpGistPageOpaqueOffsets.nRedirection),
    nPlaceholder: readU16(page, s + SpGistPageOpaqueOffsets.nPlaceholder),
    spgistPageId: readU16(page, s + SpGistPageOpaqueOffsets.spgist_page_id),
  };
}

/** brin_page_type(): meta, revmap, regular, or "unknown (%02x)". */
export function brinPageType(page: Uint8Array): string {
  const t = readU16(page, page.byteLength - 2);
  if (t === BRIN_PAGETYPE_META) return 'meta';
  if (t === BRIN_PAGETYPE_REVMAP) return 'revmap';
  if (t === BRIN_PAGETYPE_REGULAR) return 'regular';
  return `unknown (${t.toString(16).padStart(2, '0')})`;
}

/** brin_metapage_info()'s columns (BrinMetaPageData at 24: magic, version, pagesPerRange, lastRevmapPage). */
export interface BrinMetapageInfo {
  magic: string;
  version: number;
  pagesperrange: number;
  lastrevmappage: number;
}

export function brinMetapageInfo(page: Uint8Array): BrinMetapageInfo {
  return {
    magic: `0x${readU32(page, CONTENTS + BrinMetaPageOffsets.brinMagic)
      .toString(16)
      .toUpperCase()
      .padStart(8, '0')}`,
    version: readU32(page, CONTENTS + BrinMetaPageOffsets.brinVersion),
    pagesperrange: readU32(page, CONTENTS + BrinMetaPageOffsets.pagesPerRange),
    lastrevmappage: readU32(page, CONTENTS + BrinMetaPageOffsets.lastRevmapPage),
  };
}

/** brin_revmap_data(): the TIDs of a revmap page (REVMAP_PAGE_MAXITEMS ItemPointerData from 24). */
export function brinRevmapData(page: Uint8Array): string[] {
  if (page.byteLength < CONTENTS + 8) {
    throw new PgFormatError('TRUNCATED', `BRIN revmap page: expected at least ${CONTENTS + 8} bytes, got ${page.byteLength}`, {
      offset: 0,
    });
  }
  const n = Math.floor((page.byteLength - CONTENTS - 8) / 6);
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const off = 24 + i * 6;
    out[i] = `(${((readU16(page, off) << 16) | readU16(page, off + 2)) >>> 0},${readU16(page, off + 4)})`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Items and metapages (contrib/pageinspect/hashfuncs.c, ginfuncs.c, gistfuncs.c)

/** Offsets in HashMetaPageData (at PageGetContents). */
export const HashMetaPageOffsets = {
  hashm_magic: 0,
  hashm_version: 4,
  hashm_ntuples: 8,
  hashm_ffactor: 16,
  hashm_bsize: 18,
  hashm_bmsize: 20,
  hashm_bmshift: 22,
  hashm_maxbucket: 24,
  hashm_highmask: 28,
  hashm_lowmask: 32,
  hashm_ovflpoint: 36,
  hashm_firstfree: 40,
  hashm_nmaps: 44,
  hashm_procid: 48,
  hashm_spares: 52,
  hashm_mapp: 444,
} as const;

/** Offsets in GinMetaPageData (at PageGetContents). */
export const GinMetaPageOffsets = {
  head: 0,
  tail: 4,
  tailFreeSize: 8,
  nPendingPages: 12,
  nPendingHeapTuples: 16,
  nTotalPages: 24,
  nEntryPages: 28,
  nDataPages: 32,
  nEntries: 40,
  ginVersion: 48,
} as const;

const GIN_DATA = 0x01;
const GIN_LEAF = 0x02;
const GIN_META = 0x08;
const GIN_COMPRESSED = 0x80;
const LP_DEAD = 3;

function failPage(message: string, block: number | undefined, offset: number): PgFormatError {
  return new PgFormatError('BAD_PAGE', block === undefined ? message : `${message} (block ${block})`, {
    offset,
    ...(block === undefined ? {} : { block }),
  });
}

function needBytes(page: Uint8Array, n: number, what: string): void {
  if (page.byteLength < n) throw new PgFormatError('TRUNCATED', `${what}: expected ${n} bytes, got ${page.byteLength}`, { offset: 0 });
}

function lineItems(page: Uint8Array, h: PageHeader, block: number | undefined): ItemId[] {
  return decodeItemIds(page, h, block);
}

/** The bytes of an index tuple at a line pointer, after checking its size (IndexTupleSize). */
function indexTupleSize(page: Uint8Array, id: ItemId, block: number | undefined): number {
  if (id.lp_len < 8)
    throw failPage(`invalid index tuple at offset number ${id.lp}: lp_len=${id.lp_len}, expected at least 8`, block, id.lp_off);
  const size = readU16(page, id.lp_off + 6) & 0x1fff;
  if (size < 8 || size > id.lp_len) {
    throw failPage(
      `invalid index tuple at offset number ${id.lp}: tuple size ${size}, expected between 8 and lp_len=${id.lp_len}`,
      block,
      id.lp_off,
    );
  }
  return size;
}

/** hash_page_stats()'s columns (bucket and overflow pages). */
export interface HashPageStats {
  liveItems: number;
  deadItems: number;
  pageSize: number;
  freeSize: number;
  hashoPrevblkno: number;
  hashoNextblkno: number;
  hashoBucket: number;
  hashoFlag: number;
  hashoPageId: number;
}

export function hashPageStats(page: Uint8Array, h: PageHeader, block?: number): HashPageStats {
  const o = decodeHashOpaque(page, h);
  if (o.pageType !== 'bucket' && o.pageType !== 'overflow')
    throw failPage('page is not a hash bucket or overflow page', block, h.pd_special + 12);
  let live = 0;
  let dead = 0;
  for (const id of lineItems(page, h, block)) {
    if (id.lp_flags === LP_DEAD) dead++;
    else live++;
  }
  return {
    liveItems: live,
    deadItems: dead,
    pageSize: h.pd_pagesize_version & 0xff00,
    freeSize: pageFreeSpace(h),
    hashoPrevblkno: o.hashoPrevblkno,
    hashoNextblkno: o.hashoNextblkno,
    hashoBucket: o.hashoBucket,
    hashoFlag: o.hashoFlag,
    hashoPageId: o.hashoPageId,
  };
}

/** hash_page_items()'s columns: the stored hash code of each index tuple. */
export interface HashPageItem {
  itemoffset: number;
  ctid: string;
  data: number;
}

export function hashPageItems(page: Uint8Array, h: PageHeader, block?: number): HashPageItem[] {
  const o = decodeHashOpaque(page, h);
  if (o.pageType !== 'bucket' && o.pageType !== 'overflow')
    throw failPage('page is not a hash bucket or overflow page', block, h.pd_special + 12);
  return lineItems(page, h, block).map((id) => {
    const size = indexTupleSize(page, id, block);
    const dataOff = readU16(page, id.lp_off + 6) & 0x8000 ? 16 : 8;
    if (dataOff + 4 > size) throw failPage(`invalid hash index tuple at offset number ${id.lp}: tuple size ${size}`, block, id.lp_off);
    return { itemoffset: id.lp, ctid: formatItemPointer(page, id.lp_off), data: readU32(page, id.lp_off + dataOff) };
  });
}

/** hash_metapage_info()'s columns. */
export interface HashMetapageInfo {
  magic: number;
  version: number;
  ntuples: number;
  ffactor: number;
  bsize: number;
  bmsize: number;
  bmshift: number;
  maxbucket: number;
  highmask: number;
  lowmask: number;
  ovflpoint: number;
  firstfree: number;
  nmaps: number;
  procid: number;
  spares: number[];
  mapp: number[];
}

export function hashMetapageInfo(page: Uint8Array, h: PageHeader, block?: number): HashMetapageInfo {
  if (decodeHashOpaque(page, h).pageType !== 'metapage') throw failPage('page is not a hash meta page', block, h.pd_special + 12);
  const m = CONTENTS;
  const M = HashMetaPageOffsets;
  needBytes(page, m + M.hashm_mapp + HASH_MAX_BITMAPS * 4, 'hash metapage');
  const dv = new DataView(page.buffer, page.byteOffset, page.byteLength);
  const spares: number[] = new Array(HASH_MAX_SPLITPOINTS);
  for (let i = 0; i < HASH_MAX_SPLITPOINTS; i++) spares[i] = readU32(page, m + M.hashm_spares + i * 4);
  const mapp: number[] = new Array(HASH_MAX_BITMAPS);
  for (let i = 0; i < HASH_MAX_BITMAPS; i++) mapp[i] = readU32(page, m + M.hashm_mapp + i * 4);
  return {
    magic: readU32(page, m + M.hashm_magic),
    version: readU32(page, m + M.hashm_version),
    ntuples: dv.getFloat64(m + M.hashm_ntuples, true),
    ffactor: readU16(page, m + M.hashm_ffactor),
    bsize: readU16(page, m + M.hashm_bsize),
    bmsize: readU16(page, m + M.hashm_bmsize),
    bmshift: readU16(page, m + M.hashm_bmshift),
    maxbucket: readU32(page, m + M.hashm_maxbucket),
    highmask: readU32(page, m + M.hashm_highmask),
    lowmask: readU32(page, m + M.hashm_lowmask),
    ovflpoint: readU32(page, m + M.hashm_ovflpoint),
    firstfree: readU32(page, m + M.hashm_firstfree),
    nmaps: readU32(page, m + M.hashm_nmaps),
    procid: readU32(page, m + M.hashm_procid),
    spares,
    mapp,
  };
}

/** gin_metapage_info()'s columns. */
export interface GinMetapageInfo {
  pendingHead: number;
  pendingTail: number;
  tailFreeSize: number;
  nPendingPages: number;
  nPendingTuples: number;
  nTotalPages: number;
  nEntryPages: number;
  nDataPages: number;
  nEntries: number;
  version: number;
}

export function ginMetapageInfo(page: Uint8Array, h: PageHeader, block?: number): GinMetapageInfo {
  if (!(readU16(page, h.pd_special + GinPageOpaqueOffsets.flags) & GIN_META))
    throw failPage('input page is not a GIN metapage', block, h.pd_special + 6);
  const m = CONTENTS;
  const M = GinMetaPageOffsets;
  needBytes(page, m + M.ginVersion + 4, 'GIN metapage');
  const dv = new DataView(page.buffer, page.byteOffset, page.byteLength);
  return {
    pendingHead: readU32(page, m + M.head),
    pendingTail: readU32(page, m + M.tail),
    tailFreeSize: readU32(page, m + M.tailFreeSize),
    nPendingPages: readU32(page, m + M.nPendingPages),
    nPendingTuples: Number(dv.getBigInt64(m + M.nPendingHeapTuples, true)),
    nTotalPages: readU32(page, m + M.nTotalPages),
    nEntryPages: readU32(page, m + M.nEntryPages),
    nDataPages: readU32(page, m + M.nDataPages),
    nEntries: Number(dv.getBigInt64(m + M.nEntries, true)),
    version: dv.getInt32(m + M.ginVersion, true),
  };
}

/** gin_leafpage_items()'s columns: one row per compressed posting list segment. */
export interface GinLeafpageItem {
  firstTid: string;
  nbytes: number;
  tids: string[];
}

/**
 * Compressed posting lists of a GIN data leaf page (access/ginpostinglist.c): each segment is
 * GinPostingList { first ItemPointerData, nbytes u16, varbyte deltas } padded to SHORTALIGN;
 * TIDs are uint64 (block << 11 | offset), deltas 7 bits per byte, high bit = continuation.
 */
export function ginLeafpageItems(page: Uint8Array, h: PageHeader, block?: number): GinLeafpageItem[] {
  const flags = readU16(page, h.pd_special + GinPageOpaqueOffsets.flags);
  if ((flags & (GIN_DATA | GIN_LEAF | GIN_COMPRESSED)) !== (GIN_DATA | GIN_LEAF | GIN_COMPRESSED)) {
    throw failPage('input page is not a compressed GIN data leaf page', block, h.pd_special + 6);
  }
  const start = CONTENTS + 8;
  const end = h.pd_lower;
  if (end < start || end > h.pd_special) throw failPage(`invalid GIN leaf page: pd_lower=${h.pd_lower}`, block, 12);
  const items: GinLeafpageItem[] = [];
  let p = start;
  while (p < end) {
    if (p + 8 > end) throw failPage(`truncated GIN posting list at offset ${p}`, block, p);
    const nbytes = readU16(page, p + 6);
    const dataEnd = p + 8 + nbytes;
    if (dataEnd > end) throw failPage(`GIN posting list at offset ${p} with ${nbytes} bytes extends past pd_lower=${end}`, block, p);
    const blk = ((readU16(page, p) << 16) | readU16(page, p + 2)) >>> 0;
    const off = readU16(page, p + 4);
    const tids = [`(${blk},${off})`];
    let val = BigInt(blk) * 2048n + BigInt(off);
    let q = p + 8;
    while (q < dataEnd) {
      let delta = 0n;
      let shift = 0n;
      for (let k = 0; ; k++) {
        if (q >= dataEnd) throw failPage(`truncated varbyte item in GIN posting list at offset ${p}`, block, q);
        const b = page[q++]!;
        if (k === 6) {
          delta |= BigInt(b) << shift;
          break;
        }
        delta |= BigInt(b & 0x7f) << shift;
        shift += 7n;
        if (!(b & 0x80)) break;
      }
      val += delta;
      tids.push(`(${val >> 11n},${val & 2047n})`);
    }
    items.push({ firstTid: tids[0]!, nbytes, tids });
    p += 8 + ((nbytes + 1) & ~1);
  }
  return items;
}

/** gist_page_items_bytea()'s columns: key_data is the whole index tuple, as lowercase hex. */
export interface GistPageItem {
  itemoffset: number;
  ctid: string;
  itemlen: number;
  dead: boolean;
  keyData: string;
}

export function gistPageItemsBytea(page: Uint8Array, h: PageHeader, block?: number): GistPageItem[] {
  if (page.byteLength - h.pd_special !== 16 || readU16(page, page.byteLength - 2) !== GIST_PAGE_ID) {
    throw failPage('input page is not a valid GiST page', block, h.pd_special);
  }
  return lineItems(page, h, block).map((id) => {
    const size = indexTupleSize(page, id, block);
    return {
      itemoffset: id.lp,
      ctid: formatItemPointer(page, id.lp_off),
      itemlen: size,
      dead: id.lp_flags === LP_DEAD,
      keyData: toHex(page.subarray(id.lp_off, id.lp_off + size)),
    };
  });
}

/** BRIN tuple headers of a regular page (BrinTuple in access/brin_tuple.h: bt_blkno u32, bt_info u8). */
export interface BrinPageItem {
  itemoffset: number;
  blknum: number;
  placeholder: boolean;
  empty: boolean;
  hasnulls: boolean;
  /** Offset of the values inside the tuple (bt_info & BRIN_OFFSET_MASK). */
  dataOffset: number;
  /** The whole tuple, lowercase hex (values need the opclass to be shown as brin_page_items does). */
  data: string;
}

export function brinPageItemsRaw(page: Uint8Array, h: PageHeader, block?: number): BrinPageItem[] {
  if (brinPageType(page) !== 'regular') throw failPage('page is not a BRIN page of type "regular"', block, page.byteLength - 2);
  const items: BrinPageItem[] = [];
  for (const id of lineItems(page, h, block)) {
    if (id.lp_flags !== 1 || id.lp_len === 0) continue;
    if (id.lp_len < 5)
      throw failPage(`invalid BRIN tuple at offset number ${id.lp}: lp_len=${id.lp_len}, expected at least 5`, block, id.lp_off);
    const info = page[id.lp_off + 4]!;
    items.push({
      itemoffset: id.lp,
      blknum: readU32(page, id.lp_off),
      placeholder: (info & 0x40) !== 0,
      empty: (info & 0x20) !== 0,
      hasnulls: (info & 0x80) !== 0,
      dataOffset: info & 0x1f,
      data: toHex(page.subarray(id.lp_off, id.lp_off + id.lp_len)),
    });
  }
  return items;
}

export const SPGIST_TUPSTATE_NAMES = ['live', 'redirect', 'dead', 'placeholder'] as const;

/**
 * SP-GiST tuples (access/spgist_private.h): on leaf pages SpGistLeafTupleData { tupstate:2,
 * size:30; t_info (nextOffset:14, hasnullmask); heapPtr }, on inner pages SpGistInnerTupleData
 * { tupstate:2, allTheSame:1, nNodes:13, prefixSize:16; size u16 }; redirect and dead tuples
 * (SpGistDeadTupleData) carry a pointer and an xid. pageinspect has no SP-GiST functions.
 */
export interface SpGistPageItem {
  itemoffset: number;
  tupstate: (typeof SPGIST_TUPSTATE_NAMES)[number];
  size: number;
  /** Leaf tuples: the next tuple in the chain and the heap TID. */
  nextOffset?: number;
  heapPtr?: string;
  /** Inner tuples. */
  allTheSame?: boolean;
  nNodes?: number;
  prefixSize?: number;
  /** Redirect/dead tuples: where the tuple moved, and the xid that made it so. */
  pointer?: string;
  xid?: number;
}

export function spgistPageItems(page: Uint8Array, h: PageHeader, block?: number): SpGistPageItem[] {
  const o = decodeSpGistOpaque(page, h);
  if (o.flags & 1) return [];
  const leaf = (o.flags & 4) !== 0;
  const items: SpGistPageItem[] = [];
  for (const id of lineItems(page, h, block)) {
    if (id.lp_len === 0) continue;
    if (id.lp_len < 8) throw failPage(`invalid SP-GiST tuple at offset number ${id.lp}: lp_len=${id.lp_len}`, block, id.lp_off);
    const w = readU32(page, id.lp_off);
    const tupstate = SPGIST_TUPSTATE_NAMES[w & 3]!;
    if (tupstate !== 'live') {
      if (id.lp_len < 16)
        throw failPage(`invalid SP-GiST ${tupstate} tuple at offset number ${id.lp}: lp_len=${id.lp_len}`, block, id.lp_off);
      items.push({
        itemoffset: id.lp,
        tupstate,
        size: w >>> 2,
        pointer: formatItemPointer(page, id.lp_off + 6),
        xid: readU32(page, id.lp_off + 12),
      });
    } else if (leaf) {
      if (id.lp_len < 12) throw failPage(`invalid SP-GiST leaf tuple at offset number ${id.lp}: lp_len=${id.lp_len}`, block, id.lp_off);
      items.push({
        itemoffset: id.lp,
        tupstate,
        size: w >>> 2,
        nextOffset: readU16(page, id.lp_off + 4) & 0x3fff,
        heapPtr: formatItemPointer(page, id.lp_off + 6),
      });
    } else {
      items.push({
        itemoffset: id.lp,
        tupstate,
        size: readU16(page, id.lp_off + 4),
        allTheSame: ((w >>> 2) & 1) !== 0,
        nNodes: (w >>> 3) & 0x1fff,
        prefixSize: w >>> 16,
      });
    }
  }
  return items;
}
