/**
 * One page, whatever it is: the kind detected from the fork and the special space (see
 * index-am.ts for the special-space layouts), and pageinspect's view of it — page_header,
 * the items, stats and metapage columns of the matching pageinspect functions, with field
 * names in camelCase. This is what `pgffi pageinspect --json` prints per block.
 */
import { BTP_META, type BtMetap, type BtPageItem, type BtPageStats, btMetap, btPageItems, btPageStats } from './btree.js';
import { pageChecksum } from './checksum.js';
import { decodeFsmPage, decodeVmPage, fsmPageContents, type VmBits } from './fsm-vm.js';
import { type HeapPageItem, heapPageItems } from './heap.js';
import {
  BRIN_PAGETYPE_META,
  BRIN_PAGETYPE_REGULAR,
  BRIN_PAGETYPE_REVMAP,
  type BrinPageItem,
  brinMetapageInfo,
  brinPageItemsRaw,
  brinPageType,
  brinRevmapData,
  decodeHashOpaque,
  decodeSpGistOpaque,
  GIST_PAGE_ID,
  type GinLeafpageItem,
  type GistPageItem,
  ginLeafpageItems,
  ginMetapageInfo,
  ginPageOpaqueInfo,
  gistPageItemsBytea,
  gistPageOpaqueInfo,
  HASHO_PAGE_ID,
  type HashPageItem,
  hashMetapageInfo,
  hashPageItems,
  hashPageStats,
  SPGIST_PAGE_ID,
  type SpGistPageItem,
  spgistPageItems,
} from './index-am.js';
import { checkPageHeader, decodePageHeader, type PageHeader, type PageHeaderColumns, pageHeaderColumns, readU16, readU32 } from './page.js';

export type PageKind =
  | 'heap'
  | 'sequence'
  | 'btree-meta'
  | 'btree'
  | 'hash'
  | 'gin'
  | 'gist'
  | 'spgist'
  | 'brin'
  | 'fsm'
  | 'vm'
  | 'new'
  | 'unknown';

/** sequence_magic (commands/sequence.c): the special space of a sequence's one page. */
export const SEQ_MAGIC = 0x1717;

export type ForkName = 'main' | 'fsm' | 'vm' | 'init';

/** The kind of page, from its fork and special space (header already decoded). */
export function detectPageKind(page: Uint8Array, h: PageHeader, fork: ForkName = 'main'): PageKind {
  if (h.pd_upper === 0) return 'new';
  if (fork === 'fsm') return 'fsm';
  if (fork === 'vm') return 'vm';
  const special = page.byteLength - h.pd_special;
  if (special === 0) return 'heap';
  const last = readU16(page, page.byteLength - 2);
  if (special === 16) {
    if (last === HASHO_PAGE_ID) return 'hash';
    if (last === GIST_PAGE_ID) return 'gist';
    return readU16(page, h.pd_special + 12) & BTP_META ? 'btree-meta' : 'btree';
  }
  if (special === 8) {
    if (last === SPGIST_PAGE_ID) return 'spgist';
    if (readU32(page, h.pd_special) === SEQ_MAGIC) return 'sequence';
    if (last === BRIN_PAGETYPE_META || last === BRIN_PAGETYPE_REVMAP || last === BRIN_PAGETYPE_REGULAR) return 'brin';
    return 'gin';
  }
  return 'unknown';
}

export interface PageReport {
  block: number;
  fork: ForkName;
  kind: PageKind;
  header: PageHeaderColumns;
  /** page_checksum(page, block); null for a new page. */
  pageChecksum: number | null;
  items?:
    | HeapPageItem[]
    | BtPageItem[]
    | HashPageItem[]
    | GinLeafpageItem[]
    | GistPageItem[]
    | BrinPageItem[]
    | SpGistPageItem[]
    | VmBits[]
    | string[];
  stats?: BtPageStats | Record<string, unknown>;
  meta?: BtMetap | Record<string, unknown>;
  /** fsm_page_contents() text for FSM pages. */
  contents?: string;
}

/** Decodes one page as pageinspect would show it; throws PgFormatError for a malformed page. */
export function inspectPage(page: Uint8Array, block: number, fork: ForkName = 'main'): PageReport {
  const h = decodePageHeader(page, block);
  checkPageHeader(page, h, block);
  const kind = detectPageKind(page, h, fork);
  const report: PageReport = {
    block,
    fork,
    kind,
    header: pageHeaderColumns(h),
    pageChecksum: kind === 'new' ? null : pageChecksum(page, block),
  };
  switch (kind) {
    case 'heap':
    case 'sequence':
      report.items = heapPageItems(page, block, h);
      break;
    case 'btree-meta':
      report.meta = btMetap(page, block);
      break;
    case 'btree':
      report.stats = btPageStats(page, block);
      report.items = btPageItems(page, block);
      break;
    case 'hash': {
      const o = decodeHashOpaque(page, h);
      if (o.pageType === 'bucket' || o.pageType === 'overflow') {
        report.stats = { ...hashPageStats(page, h, block) };
        report.items = hashPageItems(page, h, block);
      } else {
        report.stats = { ...o };
        if (o.pageType === 'metapage') report.meta = { ...hashMetapageInfo(page, h, block) };
      }
      break;
    }
    case 'gin': {
      const info = ginPageOpaqueInfo(page, h);
      report.stats = { ...info };
      if (info.flags.includes('meta')) report.meta = { ...ginMetapageInfo(page, h, block) };
      else if (info.flags.includes('data') && info.flags.includes('leaf') && info.flags.includes('compressed')) {
        report.items = ginLeafpageItems(page, h, block);
      }
      break;
    }
    case 'gist':
      report.stats = { ...gistPageOpaqueInfo(page, h) };
      report.items = gistPageItemsBytea(page, h, block);
      break;
    case 'spgist':
      report.stats = { ...decodeSpGistOpaque(page, h) };
      report.items = spgistPageItems(page, h, block);
      break;
    case 'brin': {
      const type = brinPageType(page);
      report.stats = { type };
      if (type === 'meta') report.meta = { ...brinMetapageInfo(page) };
      else if (type === 'revmap') report.items = brinRevmapData(page);
      else if (type === 'regular') report.items = brinPageItemsRaw(page, h, block);
      break;
    }
    case 'fsm': {
      const fsm = decodeFsmPage(page);
      report.contents = fsmPageContents(page);
      report.stats = { fpNextSlot: fsm.fpNextSlot };
      break;
    }
    case 'vm':
      report.items = decodeVmPage(page, block);
      break;
    default:
      break;
  }
  return report;
}
