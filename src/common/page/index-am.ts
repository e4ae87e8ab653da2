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
import { formatLsn, lsnFromHalves } from '../core/lsn.js';
import type { PageHeader } from './page.js';
import { readU16, readU32 } from './page.js';

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

export const HASHO_PAGE_ID = 0xff80;
export const GIST_PAGE_ID = 0xff81;
export const SPGIST_PAGE_ID = 0xff82;
export const BRIN_PAGETYPE_META = 0xf091;
export const BRIN_PAGETYPE_REVMAP = 0xf092;
export const BRIN_PAGETYPE_REGULAR = 0xf093;

export const LH_OVERFLOW_PAGE = 1 << 0;
export const LH_BUCKET_PAGE = 1 << 1;
export const LH_BITMAP_PAGE = 1 << 2;
export const LH_META_PAGE = 1 << 3;
export const LH_PAGE_TYPE = LH_OVERFLOW_PAGE | LH_BUCKET_PAGE | LH_BITMAP_PAGE | LH_META_PAGE;

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
  const n = Math.floor((page.byteLength - 24 - 8) / 6);
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const off = 24 + i * 6;
    out[i] = `(${((readU16(page, off) << 16) | readU16(page, off + 2)) >>> 0},${readU16(page, off + 4)})`;
  }
  return out;
}
