/**
 * The Btree resource manager (RM_BTREE_ID 11): records of access/nbtxlog.h (xl_btree_insert,
 * xl_btree_split, xl_btree_dedup, xl_btree_vacuum, xl_btree_delete with xl_btree_update,
 * xl_btree_mark_page_halfdead, xl_btree_unlink_page, xl_btree_newroot, xl_btree_reuse_page,
 * xl_btree_metadata), decoded into typed bodies and described exactly as btree_desc /
 * btree_identify (rmgrdesc/nbtdesc.c) of the record's major version.
 */
import {
  RM_BTREE_ID,
  XLOG_BTREE_DEDUP,
  XLOG_BTREE_DELETE,
  XLOG_BTREE_INSERT_LEAF,
  XLOG_BTREE_INSERT_META,
  XLOG_BTREE_INSERT_POST,
  XLOG_BTREE_INSERT_UPPER,
  XLOG_BTREE_MARK_PAGE_HALFDEAD,
  XLOG_BTREE_META_CLEANUP,
  XLOG_BTREE_NEWROOT,
  XLOG_BTREE_REUSE_PAGE,
  XLOG_BTREE_SPLIT_L,
  XLOG_BTREE_SPLIT_R,
  XLOG_BTREE_UNLINK_PAGE,
  XLOG_BTREE_UNLINK_PAGE_META,
  XLOG_BTREE_VACUUM,
} from '../constants.js';
import type { PgVersionProfile } from '../profile.js';
import type { DecodedRecord } from '../wal/record.js';
import {
  arrayDesc,
  blockData,
  fullXidText,
  mainData,
  offsetsByMajor,
  offsetsFor,
  type RecordLabel,
  type RecordPart,
  requireBlockData,
} from './am-util.js';
import type { RmgrDescriptor } from './types.js';

/**
 * Record struct offsets per major version (access/nbtxlog.h). 16 renamed latestRemovedXid to
 * snapshotConflictHorizon and added isCatalogRel to xl_btree_delete and xl_btree_reuse_page.
 */
export const btreeOffsets = offsetsByMajor(
  {
    xl_btree_metadata: { version: 0, root: 4, level: 8, fastroot: 12, fastlevel: 16, last_cleanup_num_delpages: 20, allequalimage: 24 },
    xl_btree_insert: { offnum: 0 },
    xl_btree_split: { level: 0, firstrightoff: 4, newitemoff: 6, postingoff: 8 },
    xl_btree_dedup: { nintervals: 0 },
    xl_btree_vacuum: { ndeleted: 0, nupdated: 2 },
    xl_btree_update: { ndeletedtids: 0 },
    xl_btree_mark_page_halfdead: { poffset: 0, leafblk: 4, leftblk: 8, rightblk: 12, topparent: 16 },
    xl_btree_unlink_page: { leftsib: 0, rightsib: 4, level: 8, safexid: 16, leafleftsib: 24, leafrightsib: 28, leaftopparent: 32 },
    xl_btree_newroot: { rootblk: 0, level: 4 },
  },
  {
    xl_btree_delete: { latestRemovedXid: 0, ndeleted: 4, nupdated: 6 },
    xl_btree_reuse_page: { node: 0, block: 12, latestRemovedFullXid: 16 },
  },
  {
    xl_btree_delete: { snapshotConflictHorizon: 0, ndeleted: 4, nupdated: 6, isCatalogRel: 8 },
    xl_btree_reuse_page: { locator: 0, block: 12, snapshotConflictHorizon: 16, isCatalogRel: 24 },
  },
);

export interface BtreeMetadata {
  version: number;
  root: number;
  level: number;
  fastroot: number;
  fastlevel: number;
  last_cleanup_num_delpages: number;
  allequalimage: boolean;
}
export interface BtreeInsert {
  kind: 'insert_leaf' | 'insert_upper' | 'insert_meta' | 'insert_post';
  offnum: number;
}
export interface BtreeSplit {
  kind: 'split_l' | 'split_r';
  level: number;
  firstrightoff: number;
  newitemoff: number;
  postingoff: number;
}
export interface BtreeDedup {
  kind: 'dedup';
  nintervals: number;
}
export interface BtreeUpdate {
  /** Offset of the posting-list tuple on the page. */
  offnum: number;
  /** Indexes of the deleted TIDs inside the posting list (xl_btree_update.ndeletedtids of them). */
  ptids: number[];
}
export interface BtreeVacuumOrDelete {
  kind: 'vacuum' | 'delete';
  /** delete only (latestRemovedXid before 16). */
  snapshotConflictHorizon?: number;
  /** delete in 16 only. */
  isCatalogRel?: boolean;
  ndeleted: number;
  nupdated: number;
  /** From block 0's data; null when the record carries none. */
  deleted: number[] | null;
  updates: BtreeUpdate[] | null;
}
export interface BtreeMarkPageHalfdead {
  kind: 'mark_page_halfdead';
  poffset: number;
  leafblk: number;
  leftblk: number;
  rightblk: number;
  topparent: number;
}
export interface BtreeUnlinkPage {
  kind: 'unlink_page' | 'unlink_page_meta';
  leftsib: number;
  rightsib: number;
  level: number;
  safexid: bigint;
  leafleftsib: number;
  leafrightsib: number;
  leaftopparent: number;
}
export interface BtreeNewroot {
  kind: 'newroot';
  rootblk: number;
  level: number;
}
export interface BtreeReusePage {
  kind: 'reuse_page';
  spcOid: number;
  dbOid: number;
  relNumber: number;
  block: number;
  /** latestRemovedFullXid before 16. */
  snapshotConflictHorizon: bigint;
  /** 16 only. */
  isCatalogRel?: boolean;
}
export interface BtreeMetaCleanup {
  kind: 'meta_cleanup';
  metadata: BtreeMetadata;
}
export interface BtreeUnknown {
  kind: 'unknown';
  info: number;
}
export type BtreeBody =
  | BtreeInsert
  | BtreeSplit
  | BtreeDedup
  | BtreeVacuumOrDelete
  | BtreeMarkPageHalfdead
  | BtreeUnlinkPage
  | BtreeNewroot
  | BtreeReusePage
  | BtreeMetaCleanup
  | BtreeUnknown;

const IDENTIFY: Readonly<Record<number, string>> = {
  [XLOG_BTREE_INSERT_LEAF]: 'INSERT_LEAF',
  [XLOG_BTREE_INSERT_UPPER]: 'INSERT_UPPER',
  [XLOG_BTREE_INSERT_META]: 'INSERT_META',
  [XLOG_BTREE_SPLIT_L]: 'SPLIT_L',
  [XLOG_BTREE_SPLIT_R]: 'SPLIT_R',
  [XLOG_BTREE_INSERT_POST]: 'INSERT_POST',
  [XLOG_BTREE_DEDUP]: 'DEDUP',
  [XLOG_BTREE_VACUUM]: 'VACUUM',
  [XLOG_BTREE_DELETE]: 'DELETE',
  [XLOG_BTREE_MARK_PAGE_HALFDEAD]: 'MARK_PAGE_HALFDEAD',
  [XLOG_BTREE_UNLINK_PAGE]: 'UNLINK_PAGE',
  [XLOG_BTREE_UNLINK_PAGE_META]: 'UNLINK_PAGE_META',
  [XLOG_BTREE_NEWROOT]: 'NEWROOT',
  [XLOG_BTREE_REUSE_PAGE]: 'REUSE_PAGE',
  [XLOG_BTREE_META_CLEANUP]: 'META_CLEANUP',
};
const LABEL: RecordLabel = { rmgr: 'Btree', names: IDENTIFY };

const INSERT_KINDS: Readonly<Record<number, BtreeInsert['kind']>> = {
  [XLOG_BTREE_INSERT_LEAF]: 'insert_leaf',
  [XLOG_BTREE_INSERT_UPPER]: 'insert_upper',
  [XLOG_BTREE_INSERT_META]: 'insert_meta',
  [XLOG_BTREE_INSERT_POST]: 'insert_post',
};

/** Block 0's data of VACUUM/DELETE: deleted offsets, updated offsets, then xl_btree_update items. */
function decodeDelVacuum(bd: RecordPart, ndeleted: number, nupdated: number, profile: PgVersionProfile) {
  const deleted = bd.u16Array(0, ndeleted);
  const updatedOffsets = bd.u16Array(ndeleted * 2, nupdated);
  const updates: BtreeUpdate[] = new Array(nupdated);
  const nd = offsetsFor(profile, btreeOffsets).xl_btree_update!.ndeletedtids!;
  let at = (ndeleted + nupdated) * 2;
  for (let i = 0; i < nupdated; i++) {
    const n = bd.u16(at + nd);
    updates[i] = { offnum: updatedOffsets[i] as number, ptids: bd.u16Array(at + 2, n) };
    at += 2 + n * 2;
  }
  return { deleted, updates };
}

function decodeMetadata(p: RecordPart, profile: PgVersionProfile, base: number): BtreeMetadata {
  const o = offsetsFor(profile, btreeOffsets).xl_btree_metadata!;
  return {
    version: p.u32(base + o.version!),
    root: p.u32(base + o.root!),
    level: p.u32(base + o.level!),
    fastroot: p.u32(base + o.fastroot!),
    fastlevel: p.u32(base + o.fastlevel!),
    last_cleanup_num_delpages: p.u32(base + o.last_cleanup_num_delpages!),
    allequalimage: p.bool(base + o.allequalimage!),
  };
}

export function decodeBtreeRecord(record: DecodedRecord, profile: PgVersionProfile): BtreeBody {
  const info = record.info & 0xf0;
  const L = offsetsFor(profile, btreeOffsets);
  const what = LABEL;
  const d = mainData(record, what);
  switch (info) {
    case XLOG_BTREE_INSERT_LEAF:
    case XLOG_BTREE_INSERT_UPPER:
    case XLOG_BTREE_INSERT_META:
    case XLOG_BTREE_INSERT_POST:
      return { kind: INSERT_KINDS[info]!, offnum: d.u16(L.xl_btree_insert!.offnum!) };
    case XLOG_BTREE_SPLIT_L:
    case XLOG_BTREE_SPLIT_R: {
      const o = L.xl_btree_split!;
      return {
        kind: info === XLOG_BTREE_SPLIT_L ? 'split_l' : 'split_r',
        level: d.u32(o.level!),
        firstrightoff: d.u16(o.firstrightoff!),
        newitemoff: d.u16(o.newitemoff!),
        postingoff: d.u16(o.postingoff!),
      };
    }
    case XLOG_BTREE_DEDUP:
      return { kind: 'dedup', nintervals: d.u16(L.xl_btree_dedup!.nintervals!) };
    case XLOG_BTREE_VACUUM:
    case XLOG_BTREE_DELETE: {
      const isDelete = info === XLOG_BTREE_DELETE;
      const o = isDelete ? L.xl_btree_delete! : L.xl_btree_vacuum!;
      const ndeleted = d.u16(o.ndeleted!);
      const nupdated = d.u16(o.nupdated!);
      const body: BtreeVacuumOrDelete = { kind: isDelete ? 'delete' : 'vacuum', ndeleted, nupdated, deleted: null, updates: null };
      if (isDelete) body.snapshotConflictHorizon = d.u32(o.snapshotConflictHorizon ?? o.latestRemovedXid!);
      if (o.isCatalogRel !== undefined) body.isCatalogRel = d.bool(o.isCatalogRel);
      const bd = blockData(record, 0, what);
      if (bd !== null) {
        const { deleted, updates } = decodeDelVacuum(bd, ndeleted, nupdated, profile);
        body.deleted = deleted;
        body.updates = updates;
      }
      return body;
    }
    case XLOG_BTREE_MARK_PAGE_HALFDEAD: {
      const o = L.xl_btree_mark_page_halfdead!;
      return {
        kind: 'mark_page_halfdead',
        poffset: d.u16(o.poffset!),
        leafblk: d.u32(o.leafblk!),
        leftblk: d.u32(o.leftblk!),
        rightblk: d.u32(o.rightblk!),
        topparent: d.u32(o.topparent!),
      };
    }
    case XLOG_BTREE_UNLINK_PAGE:
    case XLOG_BTREE_UNLINK_PAGE_META: {
      const o = L.xl_btree_unlink_page!;
      return {
        kind: info === XLOG_BTREE_UNLINK_PAGE ? 'unlink_page' : 'unlink_page_meta',
        leftsib: d.u32(o.leftsib!),
        rightsib: d.u32(o.rightsib!),
        level: d.u32(o.level!),
        safexid: d.u64(o.safexid!),
        leafleftsib: d.u32(o.leafleftsib!),
        leafrightsib: d.u32(o.leafrightsib!),
        leaftopparent: d.u32(o.leaftopparent!),
      };
    }
    case XLOG_BTREE_NEWROOT: {
      const o = L.xl_btree_newroot!;
      return { kind: 'newroot', rootblk: d.u32(o.rootblk!), level: d.u32(o.level!) };
    }
    case XLOG_BTREE_REUSE_PAGE: {
      const o = L.xl_btree_reuse_page!;
      const loc = o.locator ?? o.node!;
      const body: BtreeReusePage = {
        kind: 'reuse_page',
        spcOid: d.u32(loc),
        dbOid: d.u32(loc + 4),
        relNumber: d.u32(loc + 8),
        block: d.u32(o.block!),
        snapshotConflictHorizon: d.u64(o.snapshotConflictHorizon ?? o.latestRemovedFullXid!),
      };
      if (o.isCatalogRel !== undefined) body.isCatalogRel = d.bool(o.isCatalogRel);
      return body;
    }
    case XLOG_BTREE_META_CLEANUP:
      return { kind: 'meta_cleanup', metadata: decodeMetadata(requireBlockData(record, 0, what), profile, 0) };
    default:
      return { kind: 'unknown', info };
  }
}

function delVacuumDesc(b: BtreeVacuumOrDelete): string {
  if (b.deleted === null || b.updates === null) return '';
  let s = `, deleted:${arrayDesc(b.deleted)}, updated: [`;
  for (let i = 0; i < b.updates.length; i++) {
    const u = b.updates[i]!;
    if (i > 0) s += ', ';
    s += `{ off: ${u.offnum}, nptids: ${u.ptids.length}, ptids: [${u.ptids.join(', ')}] }`;
  }
  return `${s}]`;
}

function describeClassic(b: BtreeBody): string {
  switch (b.kind) {
    case 'insert_leaf':
    case 'insert_upper':
    case 'insert_meta':
    case 'insert_post':
      return `off ${b.offnum}`;
    case 'split_l':
    case 'split_r':
      return `level ${b.level}, firstrightoff ${b.firstrightoff}, newitemoff ${b.newitemoff}, postingoff ${b.postingoff}`;
    case 'dedup':
      return `nintervals ${b.nintervals}`;
    case 'vacuum':
      return `ndeleted ${b.ndeleted}; nupdated ${b.nupdated}`;
    case 'delete':
      return `latestRemovedXid ${b.snapshotConflictHorizon}; ndeleted ${b.ndeleted}; nupdated ${b.nupdated}`;
    case 'mark_page_halfdead':
      return `topparent ${b.topparent}; leaf ${b.leafblk}; left ${b.leftblk}; right ${b.rightblk}`;
    case 'unlink_page':
    case 'unlink_page_meta':
      return `left ${b.leftsib}; right ${b.rightsib}; level ${b.level}; safexid ${fullXidText(b.safexid)}; leafleft ${b.leafleftsib}; leafright ${b.leafrightsib}; leaftopparent ${b.leaftopparent}`;
    case 'newroot':
      return `lev ${b.level}`;
    case 'reuse_page':
      return `rel ${b.spcOid}/${b.dbOid}/${b.relNumber}; latestRemovedXid ${fullXidText(b.snapshotConflictHorizon)}`;
    case 'meta_cleanup':
      return `last_cleanup_num_delpages ${b.metadata.last_cleanup_num_delpages}`;
    case 'unknown':
      return '';
  }
}

function describeKeyed(b: BtreeBody): string {
  switch (b.kind) {
    case 'insert_leaf':
    case 'insert_upper':
    case 'insert_meta':
    case 'insert_post':
      return `off: ${b.offnum}`;
    case 'split_l':
    case 'split_r':
      return `level: ${b.level}, firstrightoff: ${b.firstrightoff}, newitemoff: ${b.newitemoff}, postingoff: ${b.postingoff}`;
    case 'dedup':
      return `nintervals: ${b.nintervals}`;
    case 'vacuum':
      return `ndeleted: ${b.ndeleted}, nupdated: ${b.nupdated}${delVacuumDesc(b)}`;
    case 'delete':
      return `snapshotConflictHorizon: ${b.snapshotConflictHorizon}, ndeleted: ${b.ndeleted}, nupdated: ${b.nupdated}${delVacuumDesc(b)}`;
    case 'mark_page_halfdead':
      return `topparent: ${b.topparent}, leaf: ${b.leafblk}, left: ${b.leftblk}, right: ${b.rightblk}`;
    case 'unlink_page':
    case 'unlink_page_meta':
      return `left: ${b.leftsib}, right: ${b.rightsib}, level: ${b.level}, safexid: ${fullXidText(b.safexid)}, leafleft: ${b.leafleftsib}, leafright: ${b.leafrightsib}, leaftopparent: ${b.leaftopparent}`;
    case 'newroot':
      return `level: ${b.level}`;
    case 'reuse_page':
      return `rel: ${b.spcOid}/${b.dbOid}/${b.relNumber}, snapshotConflictHorizon: ${fullXidText(b.snapshotConflictHorizon)}`;
    case 'meta_cleanup':
      return `last_cleanup_num_delpages: ${b.metadata.last_cleanup_num_delpages}`;
    case 'unknown':
      return '';
  }
}

export const btreeRmgr: RmgrDescriptor<BtreeBody> = {
  id: RM_BTREE_ID,
  name: 'Btree',
  identify: (info) => IDENTIFY[info & 0xf0],
  decode: decodeBtreeRecord,
  describe(record, profile) {
    const body = decodeBtreeRecord(record, profile);
    return profile.major >= 16 ? describeKeyed(body) : describeClassic(body);
  },
};
