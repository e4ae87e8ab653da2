/**
 * The Gin resource manager (RM_GIN_ID 13): records of access/ginxlog.h
 * (ginxlogCreatePostingTree, ginxlogInsert with ginxlogInsertEntry /
 * ginxlogRecompressDataLeaf / ginxlogInsertDataInternal in block 0, ginxlogSplit,
 * ginxlogVacuumDataLeafPage, ginxlogDeletePage, ginxlogUpdateMeta, ginxlogInsertListPage,
 * ginxlogDeleteListPages), decoded into typed bodies and described exactly as gin_desc /
 * gin_identify (rmgrdesc/gindesc.c); the text is the same in 14, 15 and 16.
 */

import {
  GIN_INSERT_ISDATA,
  GIN_INSERT_ISLEAF,
  GIN_SEGMENT_ADDITEMS,
  GIN_SEGMENT_DELETE,
  GIN_SEGMENT_INSERT,
  GIN_SEGMENT_REPLACE,
  GIN_SPLIT_ROOT,
  RM_GIN_ID,
  XLOG_GIN_CREATE_PTREE,
  XLOG_GIN_DELETE_LISTPAGE,
  XLOG_GIN_DELETE_PAGE,
  XLOG_GIN_INSERT,
  XLOG_GIN_INSERT_LISTPAGE,
  XLOG_GIN_SPLIT,
  XLOG_GIN_UPDATE_META_PAGE,
  XLOG_GIN_VACUUM_DATA_LEAF_PAGE,
  XLOG_GIN_VACUUM_PAGE,
} from '../constants.js';
import { GinMetaPageOffsets } from '../page/index-am.js';
import type { PgVersionProfile } from '../profile.js';
import type { DecodedRecord } from '../wal/record.js';
import {
  blockImageApply,
  hasBlockImage,
  mainData,
  offsetsByMajor,
  offsetsFor,
  type RecordLabel,
  type RecordPart,
  requireBlockData,
  tf,
} from './am-util.js';
import type { RmgrDescriptor } from './types.js';

/** Record struct offsets (access/ginxlog.h, access/ginblock.h); 16 renamed `node` to `locator`. */
export const ginOffsets = offsetsByMajor(
  {
    ginxlogCreatePostingTree: { size: 0 },
    ginxlogInsert: { flags: 0 },
    ginxlogInsertEntry: { offset: 0, isDelete: 2, tuple: 4 },
    ginxlogRecompressDataLeaf: { nactions: 0 },
    ginxlogInsertDataInternal: { offset: 0, newitem: 2 },
    ginxlogDeletePage: { parentOffset: 0, rightLink: 4, deleteXid: 8 },
    ginxlogInsertListPage: { rightlink: 0, ntuples: 4 },
    ginxlogDeleteListPages: { metadata: 0, ndeleted: 56 },
    GinMetaPageData: GinMetaPageOffsets, // the page decoder's table: one copy of these numbers
  },
  {
    ginxlogSplit: { node: 0, rrlink: 12, leftChildBlkno: 16, rightChildBlkno: 20, flags: 24 },
    ginxlogUpdateMeta: { node: 0, metadata: 16, prevTail: 72, newRightlink: 76, ntuples: 80 },
  },
  {
    ginxlogSplit: { locator: 0, rrlink: 12, leftChildBlkno: 16, rightChildBlkno: 20, flags: 24 },
    ginxlogUpdateMeta: { locator: 0, metadata: 16, prevTail: 72, newRightlink: 76, ntuples: 80 },
  },
);
/** offsetof(GinPostingList, bytes): ItemPointerData first + uint16 nbytes. */
const GIN_POSTING_LIST_HEADER = 8;
const ITEM_POINTER_SIZE = 6;

export interface GinMetaPage {
  head: number;
  tail: number;
  tailFreeSize: number;
  nPendingPages: number;
  nPendingHeapTuples: bigint;
  nTotalPages: number;
  nEntryPages: number;
  nDataPages: number;
  nEntries: bigint;
  ginVersion: number;
}
/** One action of a ginxlogRecompressDataLeaf. */
export interface GinSegmentAction {
  segno: number;
  /** GIN_SEGMENT_* (an unknown value ends the list, as in gin_desc). */
  action: number;
  /** Items added (GIN_SEGMENT_ADDITEMS). */
  nitems: number;
}
/** A ginxlogRecompressDataLeaf: its action count and the actions (cut after an unknown one). */
export interface GinRecompress {
  nactions: number;
  actions: GinSegmentAction[];
}
/** 'apply' / 'verify' when block 0 is a full-page image (BKPIMAGE_APPLY or not), else null. */
export type GinImage = 'apply' | 'verify' | null;

export type GinBody =
  | { kind: 'create_ptree'; size: number }
  | {
      kind: 'insert';
      flags: number;
      /** Non-leaf inserts: the children whose split this insert completes. */
      leftChildBlkno: number | null;
      rightChildBlkno: number | null;
      image: GinImage;
      /** Entry-tree insert (block 0 data): ginxlogInsertEntry. */
      entry: { offset: number; isDelete: boolean } | null;
      /** Data-leaf insert: the recompression actions. */
      segments: GinRecompress | null;
      /** Data-internal insert: the new PostingItem. */
      pitem: { offset: number; childBlkno: number; keyBlock: number; keyOffset: number } | null;
    }
  | {
      kind: 'split';
      spcOid: number;
      dbOid: number;
      relNumber: number;
      rrlink: number;
      leftChildBlkno: number;
      rightChildBlkno: number;
      flags: number;
    }
  | { kind: 'vacuum_page' }
  | { kind: 'vacuum_data_leaf_page'; image: GinImage; segments: GinRecompress | null }
  | { kind: 'delete_page'; parentOffset: number; rightLink: number; deleteXid: number }
  | {
      kind: 'update_meta_page';
      spcOid: number;
      dbOid: number;
      relNumber: number;
      metadata: GinMetaPage;
      prevTail: number;
      newRightlink: number;
      ntuples: number;
    }
  | { kind: 'insert_listpage'; rightlink: number; ntuples: number }
  | { kind: 'delete_listpage'; metadata: GinMetaPage; ndeleted: number }
  | { kind: 'unknown'; info: number };

const IDENTIFY: Readonly<Record<number, string>> = {
  [XLOG_GIN_CREATE_PTREE]: 'CREATE_PTREE',
  [XLOG_GIN_INSERT]: 'INSERT',
  [XLOG_GIN_SPLIT]: 'SPLIT',
  [XLOG_GIN_VACUUM_PAGE]: 'VACUUM_PAGE',
  [XLOG_GIN_VACUUM_DATA_LEAF_PAGE]: 'VACUUM_DATA_LEAF_PAGE',
  [XLOG_GIN_DELETE_PAGE]: 'DELETE_PAGE',
  [XLOG_GIN_UPDATE_META_PAGE]: 'UPDATE_META_PAGE',
  [XLOG_GIN_INSERT_LISTPAGE]: 'INSERT_LISTPAGE',
  [XLOG_GIN_DELETE_LISTPAGE]: 'DELETE_LISTPAGE',
};
const LABEL: RecordLabel = { rmgr: 'Gin', names: IDENTIFY };

/** BlockIdData (bi_hi, bi_lo) as a BlockNumber. */
function blockId(p: RecordPart, off: number): number {
  return ((p.u16(off) << 16) | p.u16(off + 2)) >>> 0;
}

function imageOf(record: DecodedRecord): GinImage {
  if (!hasBlockImage(record, 0)) return null;
  return blockImageApply(record, 0) ? 'apply' : 'verify';
}

/** The actions of a ginxlogRecompressDataLeaf starting at `base`. */
function decodeRecompress(p: RecordPart, base: number): GinRecompress {
  const nactions = p.u16(base);
  const actions: GinSegmentAction[] = [];
  let at = base + 2;
  for (let i = 0; i < nactions; i++) {
    const segno = p.u8(at);
    const action = p.u8(at + 1);
    at += 2;
    let nitems = 0;
    if (action === GIN_SEGMENT_INSERT || action === GIN_SEGMENT_REPLACE) {
      const size = GIN_POSTING_LIST_HEADER + p.u16(at + ITEM_POINTER_SIZE);
      at += size + (size & 1);
    } else if (action === GIN_SEGMENT_ADDITEMS) {
      nitems = p.u16(at);
      at += 2 + nitems * ITEM_POINTER_SIZE;
    }
    actions.push({ segno, action, nitems });
    if (action < GIN_SEGMENT_DELETE || action > GIN_SEGMENT_ADDITEMS) break;
  }
  return { nactions, actions };
}

function decodeMeta(p: RecordPart, base: number, profile: PgVersionProfile): GinMetaPage {
  const o = offsetsFor(profile, ginOffsets).GinMetaPageData!;
  return {
    head: p.u32(base + o.head!),
    tail: p.u32(base + o.tail!),
    tailFreeSize: p.u32(base + o.tailFreeSize!),
    nPendingPages: p.u32(base + o.nPendingPages!),
    nPendingHeapTuples: BigInt.asIntN(64, p.u64(base + o.nPendingHeapTuples!)),
    nTotalPages: p.u32(base + o.nTotalPages!),
    nEntryPages: p.u32(base + o.nEntryPages!),
    nDataPages: p.u32(base + o.nDataPages!),
    nEntries: BigInt.asIntN(64, p.u64(base + o.nEntries!)),
    ginVersion: p.i32(base + o.ginVersion!),
  };
}

export function decodeGinRecord(record: DecodedRecord, profile: PgVersionProfile): GinBody {
  const info = record.info & 0xf0;
  const L = offsetsFor(profile, ginOffsets);
  const what = LABEL;
  const d = mainData(record, what);
  switch (info) {
    case XLOG_GIN_CREATE_PTREE:
      return { kind: 'create_ptree', size: d.u32(L.ginxlogCreatePostingTree!.size!) };
    case XLOG_GIN_INSERT: {
      const flags = d.u16(L.ginxlogInsert!.flags!);
      const isLeaf = (flags & GIN_INSERT_ISLEAF) !== 0;
      const isData = (flags & GIN_INSERT_ISDATA) !== 0;
      const image = imageOf(record);
      const body: Extract<GinBody, { kind: 'insert' }> = {
        kind: 'insert',
        flags,
        leftChildBlkno: isLeaf ? null : blockId(d, 2),
        rightChildBlkno: isLeaf ? null : blockId(d, 6),
        image,
        entry: null,
        segments: null,
        pitem: null,
      };
      if (image === null) {
        const bd = requireBlockData(record, 0, what);
        if (!isData) {
          const o = L.ginxlogInsertEntry!;
          body.entry = { offset: bd.u16(o.offset!), isDelete: bd.bool(o.isDelete!) };
        } else if (isLeaf) {
          body.segments = decodeRecompress(bd, 0);
        } else {
          const o = L.ginxlogInsertDataInternal!;
          const item = o.newitem!;
          body.pitem = {
            offset: bd.u16(o.offset!),
            childBlkno: blockId(bd, item),
            keyBlock: blockId(bd, item + 4),
            keyOffset: bd.u16(item + 8),
          };
        }
      }
      return body;
    }
    case XLOG_GIN_SPLIT: {
      const o = L.ginxlogSplit!;
      const loc = o.locator ?? o.node!;
      return {
        kind: 'split',
        spcOid: d.u32(loc),
        dbOid: d.u32(loc + 4),
        relNumber: d.u32(loc + 8),
        rrlink: d.u32(o.rrlink!),
        leftChildBlkno: d.u32(o.leftChildBlkno!),
        rightChildBlkno: d.u32(o.rightChildBlkno!),
        flags: d.u16(o.flags!),
      };
    }
    case XLOG_GIN_VACUUM_PAGE:
      return { kind: 'vacuum_page' };
    case XLOG_GIN_VACUUM_DATA_LEAF_PAGE: {
      const image = imageOf(record);
      return {
        kind: 'vacuum_data_leaf_page',
        image,
        segments: image === null ? decodeRecompress(requireBlockData(record, 0, what), 0) : null,
      };
    }
    case XLOG_GIN_DELETE_PAGE: {
      const o = L.ginxlogDeletePage!;
      return { kind: 'delete_page', parentOffset: d.u16(o.parentOffset!), rightLink: d.u32(o.rightLink!), deleteXid: d.u32(o.deleteXid!) };
    }
    case XLOG_GIN_UPDATE_META_PAGE: {
      const o = L.ginxlogUpdateMeta!;
      const loc = o.locator ?? o.node!;
      return {
        kind: 'update_meta_page',
        spcOid: d.u32(loc),
        dbOid: d.u32(loc + 4),
        relNumber: d.u32(loc + 8),
        metadata: decodeMeta(d, o.metadata!, profile),
        prevTail: d.u32(o.prevTail!),
        newRightlink: d.u32(o.newRightlink!),
        ntuples: d.i32(o.ntuples!),
      };
    }
    case XLOG_GIN_INSERT_LISTPAGE: {
      const o = L.ginxlogInsertListPage!;
      return { kind: 'insert_listpage', rightlink: d.u32(o.rightlink!), ntuples: d.i32(o.ntuples!) };
    }
    case XLOG_GIN_DELETE_LISTPAGE: {
      const o = L.ginxlogDeleteListPages!;
      return { kind: 'delete_listpage', metadata: decodeMeta(d, o.metadata!, profile), ndeleted: d.i32(o.ndeleted!) };
    }
    default:
      return { kind: 'unknown', info };
  }
}

function imageDesc(image: 'apply' | 'verify'): string {
  return image === 'apply' ? ' (full page image)' : ' (full page image, for WAL verification)';
}

function recompressDesc(r: GinRecompress): string {
  let s = ` ${r.nactions} segments:`;
  for (const a of r.actions) {
    switch (a.action) {
      case GIN_SEGMENT_ADDITEMS:
        s += ` ${a.segno} (add ${a.nitems} items)`;
        break;
      case GIN_SEGMENT_DELETE:
        s += ` ${a.segno} (delete)`;
        break;
      case GIN_SEGMENT_INSERT:
        s += ` ${a.segno} (insert)`;
        break;
      case GIN_SEGMENT_REPLACE:
        s += ` ${a.segno} (replace)`;
        break;
      default:
        s += ` ${a.segno} unknown action ${a.action} ???`;
    }
  }
  return s;
}

function describeGin(b: GinBody): string {
  switch (b.kind) {
    case 'insert': {
      let s = `isdata: ${tf((b.flags & GIN_INSERT_ISDATA) !== 0)} isleaf: ${tf((b.flags & GIN_INSERT_ISLEAF) !== 0)}`;
      if (b.leftChildBlkno !== null) s += ` children: ${b.leftChildBlkno}/${b.rightChildBlkno}`;
      if (b.image !== null) s += imageDesc(b.image);
      else if (b.entry !== null) s += ` isdelete: ${tf(b.entry.isDelete)}`;
      else if (b.segments !== null) s += recompressDesc(b.segments);
      else if (b.pitem !== null) s += ` pitem: ${b.pitem.childBlkno}-${b.pitem.keyBlock}/${b.pitem.keyOffset}`;
      return s;
    }
    case 'split':
      return `isrootsplit: ${tf((b.flags & GIN_SPLIT_ROOT) !== 0)} isdata: ${tf((b.flags & GIN_INSERT_ISDATA) !== 0)} isleaf: ${tf((b.flags & GIN_INSERT_ISLEAF) !== 0)}`;
    case 'vacuum_data_leaf_page':
      if (b.image !== null) return imageDesc(b.image);
      return b.segments === null ? '' : recompressDesc(b.segments);
    case 'delete_listpage':
      return `ndeleted: ${b.ndeleted}`;
    default:
      return '';
  }
}

export const ginRmgr: RmgrDescriptor<GinBody> = {
  id: RM_GIN_ID,
  name: 'Gin',
  identify: (info) => IDENTIFY[info & 0xf0],
  decode: decodeGinRecord,
  describe: (record, profile) => describeGin(decodeGinRecord(record, profile)),
};
