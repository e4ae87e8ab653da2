/**
 * The generic slotted page (storage/bufpage.h, storage/itemid.h), identical in 14–16:
 *
 *   0  pd_lsn (PageXLogRecPtr: xlogid u32, xrecoff u32 — high half first)
 *   8  pd_checksum u16   10 pd_flags u16   12 pd_lower u16   14 pd_upper u16
 *  16  pd_special u16    18 pd_pagesize_version u16          20 pd_prune_xid u32
 *  24  pd_linp[]: ItemIdData, a 32-bit word: lp_off:15 | lp_flags:2 | lp_len:15 (LSB first)
 *      ... free space ... tuples (from pd_upper) ... special space (from pd_special)
 */
import {
  LP_DEAD,
  LP_NORMAL,
  LP_REDIRECT,
  LP_UNUSED,
  MAXIMUM_ALIGNOF,
  PD_ALL_VISIBLE,
  PD_HAS_FREE_LINES,
  PD_PAGE_FULL,
  PD_VALID_FLAG_BITS,
  PG_PAGE_LAYOUT_VERSION,
  SizeOfPageHeaderData,
} from '../constants.js';
import { PgFormatError } from '../core/errors.js';
import { formatLsn, type Lsn, lsnFromHalves } from '../core/lsn.js';
import { pageIsAllZero } from './checksum.js';

/** Shared constants (src/common/constants.ts, checked against the C headers). */
export {
  LP_DEAD,
  LP_NORMAL,
  LP_REDIRECT,
  LP_UNUSED,
  MAXIMUM_ALIGNOF,
  PD_ALL_VISIBLE,
  PD_HAS_FREE_LINES,
  PD_PAGE_FULL,
  PD_VALID_FLAG_BITS,
  PG_PAGE_LAYOUT_VERSION,
  SizeOfPageHeaderData,
};
export const sizeofItemIdData = 4;

export const LP_FLAG_NAMES = ['LP_UNUSED', 'LP_NORMAL', 'LP_REDIRECT', 'LP_DEAD'] as const;

/** Byte offsets in PageHeaderData (checked against the generated layout in test/page). */
export const PageHeaderOffsets = {
  pd_lsn: 0,
  pd_checksum: 8,
  pd_flags: 10,
  pd_lower: 12,
  pd_upper: 14,
  pd_special: 16,
  pd_pagesize_version: 18,
  pd_prune_xid: 20,
  pd_linp: 24,
} as const;

export function maxAlign(n: number): number {
  return (n + MAXIMUM_ALIGNOF - 1) & ~(MAXIMUM_ALIGNOF - 1);
}

export interface PageHeader {
  pd_lsn: Lsn;
  pd_checksum: number;
  pd_flags: number;
  pd_lower: number;
  pd_upper: number;
  pd_special: number;
  pd_pagesize_version: number;
  pd_prune_xid: number;
}

/** page_header()'s columns (pageinspect), with numbers unsigned and the LSN as text. */
export interface PageHeaderColumns {
  lsn: string;
  checksum: number;
  flags: number;
  lower: number;
  upper: number;
  special: number;
  pagesize: number;
  version: number;
  pruneXid: number;
}

/** pd_flags as names (PD_HAS_FREE_LINES, PD_PAGE_FULL, PD_ALL_VISIBLE, plus unknown bits as hex). */
export function pageFlagNames(flags: number): string[] {
  const names: string[] = [];
  if (flags & PD_HAS_FREE_LINES) names.push('PD_HAS_FREE_LINES');
  if (flags & PD_PAGE_FULL) names.push('PD_PAGE_FULL');
  if (flags & PD_ALL_VISIBLE) names.push('PD_ALL_VISIBLE');
  if (flags & ~PD_VALID_FLAG_BITS) names.push(`0x${(flags & ~PD_VALID_FLAG_BITS).toString(16).toUpperCase()}`);
  return names;
}

function u16(page: Uint8Array, off: number): number {
  return page[off]! | (page[off + 1]! << 8);
}

function u32(page: Uint8Array, off: number): number {
  return (page[off]! | (page[off + 1]! << 8) | (page[off + 2]! << 16) | (page[off + 3]! << 24)) >>> 0;
}

export { u16 as readU16, u32 as readU32 };

/** Page header fields, without validation (see `checkPageHeader`). */
export function decodePageHeader(page: Uint8Array, block?: number): PageHeader {
  if (page.byteLength < SizeOfPageHeaderData) {
    throw new PgFormatError(
      'TRUNCATED',
      `input page too small (${page.byteLength} bytes)`,
      block === undefined ? { offset: 0 } : { block, offset: 0 },
    );
  }
  return {
    pd_lsn: lsnFromHalves(u32(page, 0), u32(page, 4)),
    pd_checksum: u16(page, 8),
    pd_flags: u16(page, 10),
    pd_lower: u16(page, 12),
    pd_upper: u16(page, 14),
    pd_special: u16(page, 16),
    pd_pagesize_version: u16(page, 18),
    pd_prune_xid: u32(page, 20),
  };
}

export function pageHeaderColumns(h: PageHeader): PageHeaderColumns {
  return {
    lsn: formatLsn(h.pd_lsn),
    checksum: h.pd_checksum,
    flags: h.pd_flags,
    lower: h.pd_lower,
    upper: h.pd_upper,
    special: h.pd_special,
    pagesize: h.pd_pagesize_version & 0xff00,
    version: h.pd_pagesize_version & 0x00ff,
    pruneXid: h.pd_prune_xid,
  };
}

/** PageIsNew(): pd_upper == 0. */
export function isNewPage(h: PageHeader): boolean {
  return h.pd_upper === 0;
}

function where(block: number | undefined, offset: number): { block?: number; offset: number } {
  return block === undefined ? { offset } : { block, offset };
}

function blockText(block: number | undefined): string {
  return block === undefined ? 'page' : `page in block ${block}`;
}

/**
 * PageHeaderIsValid() (bufpage.c PageIsVerified) plus the page size and layout version: throws
 * PgFormatError 'BAD_PAGE' naming the block and the field's offset. A new page must be all
 * zeros. pd_lower is not required to end a line pointer array: GIN data pages use it to mark
 * the end of their posting lists.
 */
export function checkPageHeader(page: Uint8Array, h: PageHeader, block?: number): void {
  const size = page.byteLength;
  if (h.pd_upper === 0) {
    if (!pageIsAllZero(page)) {
      throw new PgFormatError('BAD_PAGE', `invalid ${blockText(block)}: pd_upper=0 but the page is not all zeros`, where(block, 14));
    }
    return;
  }
  const pagesize = h.pd_pagesize_version & 0xff00;
  const version = h.pd_pagesize_version & 0xff;
  if (pagesize !== size) {
    throw new PgFormatError('BAD_PAGE', `invalid ${blockText(block)}: page size=${pagesize}, expected ${size}`, where(block, 18));
  }
  if (version !== PG_PAGE_LAYOUT_VERSION) {
    throw new PgFormatError(
      'BAD_PAGE',
      `invalid ${blockText(block)}: layout version=${version}, expected ${PG_PAGE_LAYOUT_VERSION}`,
      where(block, 18),
    );
  }
  if ((h.pd_flags & ~PD_VALID_FLAG_BITS) !== 0) {
    throw new PgFormatError(
      'BAD_PAGE',
      `invalid ${blockText(block)}: pd_flags=0x${h.pd_flags.toString(16).toUpperCase()}, expected bits within 0x7`,
      where(block, 10),
    );
  }
  if (h.pd_lower > h.pd_upper) {
    throw new PgFormatError(
      'BAD_PAGE',
      `invalid ${blockText(block)}: pd_lower=${h.pd_lower}, expected <= pd_upper=${h.pd_upper}`,
      where(block, 12),
    );
  }
  if (h.pd_upper > h.pd_special) {
    throw new PgFormatError(
      'BAD_PAGE',
      `invalid ${blockText(block)}: pd_upper=${h.pd_upper}, expected <= pd_special=${h.pd_special}`,
      where(block, 14),
    );
  }
  if (h.pd_special > size || h.pd_special !== maxAlign(h.pd_special)) {
    throw new PgFormatError(
      'BAD_PAGE',
      `invalid ${blockText(block)}: pd_special=${h.pd_special}, expected a MAXALIGNed offset <= ${size}`,
      where(block, 16),
    );
  }
}

/** PageGetMaxOffsetNumber(): number of line pointers. */
export function maxOffsetNumber(h: PageHeader): number {
  return h.pd_lower <= SizeOfPageHeaderData ? 0 : (h.pd_lower - SizeOfPageHeaderData) >>> 2;
}

export interface ItemId {
  /** Offset number, 1-based. */
  lp: number;
  lp_off: number;
  lp_flags: number;
  lp_len: number;
}

/** The raw ItemIdData word of line pointer `lp` (1-based). */
export function itemIdWord(page: Uint8Array, lp: number): number {
  return u32(page, SizeOfPageHeaderData + (lp - 1) * sizeofItemIdData);
}

export function decodeItemId(page: Uint8Array, lp: number): ItemId {
  const w = itemIdWord(page, lp);
  return { lp, lp_off: w & 0x7fff, lp_flags: (w >>> 15) & 3, lp_len: w >>> 17 };
}

/** ItemIdHasStorage(): lp_len != 0. */
export function itemIdHasStorage(id: ItemId): boolean {
  return id.lp_len !== 0;
}

/**
 * Line pointers of a validated page; throws BAD_PAGE for one whose storage reaches past
 * pd_special or starts inside the line pointer array.
 */
export function decodeItemIds(page: Uint8Array, h: PageHeader, block?: number): ItemId[] {
  const n = maxOffsetNumber(h);
  const ids: ItemId[] = new Array(n);
  for (let lp = 1; lp <= n; lp++) {
    const id = decodeItemId(page, lp);
    if (id.lp_len !== 0 && (id.lp_flags === LP_NORMAL || id.lp_flags === LP_DEAD)) {
      if (id.lp_off < h.pd_lower || id.lp_off + id.lp_len > h.pd_special) {
        throw new PgFormatError(
          'BAD_PAGE',
          `invalid line pointer ${lp} in ${blockText(block)}: lp_off=${id.lp_off}, lp_len=${id.lp_len}, expected storage within [${h.pd_lower}, ${h.pd_special})`,
          where(block, SizeOfPageHeaderData + (lp - 1) * sizeofItemIdData),
        );
      }
    }
    ids[lp - 1] = id;
  }
  return ids;
}

/** "(block,offset)" as the tid type prints an ItemPointerData at `off` (bi_hi, bi_lo, ip_posid). */
export function formatItemPointer(page: Uint8Array, off: number): string {
  return `(${itemPointerBlock(page, off)},${u16(page, off + 4)})`;
}

export function itemPointerBlock(page: Uint8Array, off: number): number {
  return ((u16(page, off) << 16) | u16(page, off + 2)) >>> 0;
}

/** Lowercase hex of bytes (bytea output without "\x"). */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Hex bytes separated by spaces, as bt_page_items / gist show `data`. */
export function toSpacedHex(bytes: Uint8Array): string {
  const parts: string[] = new Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = HEX[bytes[i]!]!;
  return parts.join(' ');
}

/** PageGetFreeSpace(). */
export function pageFreeSpace(h: PageHeader): number {
  const space = h.pd_upper - h.pd_lower;
  return space < sizeofItemIdData ? 0 : space - sizeofItemIdData;
}

/** Size of the special space. */
export function specialSize(page: Uint8Array, h: PageHeader): number {
  return page.byteLength - h.pd_special;
}
