/**
 * The SPGist resource manager (RM_SPGIST_ID 16): records of access/spgxlog.h (spgxlogAddLeaf,
 * spgxlogMoveLeafs, spgxlogAddNode, spgxlogSplitTuple, spgxlogPickSplit, spgxlogVacuumLeaf,
 * spgxlogVacuumRoot, spgxlogVacuumRedirect, each with spgxlogState where present), decoded
 * into typed bodies and described exactly as spg_desc / spg_identify (rmgrdesc/spgdesc.c) of
 * the record's major version.
 */
import {
  RM_SPGIST_ID,
  XLOG_SPGIST_ADD_LEAF,
  XLOG_SPGIST_ADD_NODE,
  XLOG_SPGIST_MOVE_LEAFS,
  XLOG_SPGIST_PICKSPLIT,
  XLOG_SPGIST_SPLIT_TUPLE,
  XLOG_SPGIST_VACUUM_LEAF,
  XLOG_SPGIST_VACUUM_REDIRECT,
  XLOG_SPGIST_VACUUM_ROOT,
} from '../constants.js';
import type { PgVersionProfile } from '../profile.js';
import type { DecodedRecord } from '../wal/record.js';
import { mainData, offsetsByMajor, offsetsFor, type RecordLabel, type RecordPart } from './am-util.js';
import type { RmgrDescriptor } from './types.js';

/**
 * Record struct offsets per major version (access/spgxlog.h). 16 renamed
 * spgxlogVacuumRedirect.newestRedirectXid to snapshotConflictHorizon and added isCatalogRel.
 */
export const spgistOffsets = offsetsByMajor(
  {
    spgxlogState: { myXid: 0, isBuild: 4 },
    spgxlogAddLeaf: { newPage: 0, storesNulls: 1, offnumLeaf: 2, offnumHeadLeaf: 4, offnumParent: 6, nodeI: 8 },
    spgxlogMoveLeafs: { nMoves: 0, newPage: 2, replaceDead: 3, storesNulls: 4, offnumParent: 6, nodeI: 8, stateSrc: 12, offsets: 20 },
    spgxlogAddNode: { offnum: 0, offnumNew: 2, newPage: 4, parentBlk: 5, offnumParent: 6, nodeI: 8, stateSrc: 12 },
    spgxlogSplitTuple: { offnumPrefix: 0, offnumPostfix: 2, newPage: 4, postfixBlkSame: 5 },
    spgxlogPickSplit: {
      isRootSplit: 0,
      nDelete: 2,
      nInsert: 4,
      initSrc: 6,
      initDest: 7,
      offnumInner: 8,
      initInner: 10,
      storesNulls: 11,
      innerIsParent: 12,
      offnumParent: 14,
      nodeI: 16,
      stateSrc: 20,
      offsets: 28,
    },
    spgxlogVacuumLeaf: { nDead: 0, nPlaceholder: 2, nMove: 4, nChain: 6, stateSrc: 8, offsets: 16 },
    spgxlogVacuumRoot: { nDelete: 0, stateSrc: 4, offsets: 12 },
  },
  { spgxlogVacuumRedirect: { nToPlaceholder: 0, firstPlaceholder: 2, newestRedirectXid: 4, offsets: 8 } },
  { spgxlogVacuumRedirect: { nToPlaceholder: 0, firstPlaceholder: 2, snapshotConflictHorizon: 4, isCatalogRel: 8, offsets: 10 } },
);

export interface SpgState {
  myXid: number;
  isBuild: boolean;
}
export type SpgistBody =
  | {
      kind: 'add_leaf';
      newPage: boolean;
      storesNulls: boolean;
      offnumLeaf: number;
      offnumHeadLeaf: number;
      offnumParent: number;
      nodeI: number;
    }
  | {
      kind: 'move_leafs';
      nMoves: number;
      newPage: boolean;
      replaceDead: boolean;
      storesNulls: boolean;
      offnumParent: number;
      nodeI: number;
      stateSrc: SpgState;
    }
  | {
      kind: 'add_node';
      offnum: number;
      offnumNew: number;
      newPage: boolean;
      parentBlk: number;
      offnumParent: number;
      nodeI: number;
      stateSrc: SpgState;
    }
  | { kind: 'split_tuple'; offnumPrefix: number; offnumPostfix: number; newPage: boolean; postfixBlkSame: boolean }
  | {
      kind: 'picksplit';
      isRootSplit: boolean;
      nDelete: number;
      nInsert: number;
      initSrc: boolean;
      initDest: boolean;
      offnumInner: number;
      initInner: boolean;
      storesNulls: boolean;
      innerIsParent: boolean;
      offnumParent: number;
      nodeI: number;
      stateSrc: SpgState;
    }
  | { kind: 'vacuum_leaf'; nDead: number; nPlaceholder: number; nMove: number; nChain: number; stateSrc: SpgState }
  | { kind: 'vacuum_root'; nDelete: number; stateSrc: SpgState }
  | {
      kind: 'vacuum_redirect';
      nToPlaceholder: number;
      firstPlaceholder: number;
      /** newestRedirectXid before 16. */
      snapshotConflictHorizon: number;
      /** 16 only. */
      isCatalogRel?: boolean;
    }
  | { kind: 'unknown'; info: number };

const IDENTIFY: Readonly<Record<number, string>> = {
  [XLOG_SPGIST_ADD_LEAF]: 'ADD_LEAF',
  [XLOG_SPGIST_MOVE_LEAFS]: 'MOVE_LEAFS',
  [XLOG_SPGIST_ADD_NODE]: 'ADD_NODE',
  [XLOG_SPGIST_SPLIT_TUPLE]: 'SPLIT_TUPLE',
  [XLOG_SPGIST_PICKSPLIT]: 'PICKSPLIT',
  [XLOG_SPGIST_VACUUM_LEAF]: 'VACUUM_LEAF',
  [XLOG_SPGIST_VACUUM_ROOT]: 'VACUUM_ROOT',
  [XLOG_SPGIST_VACUUM_REDIRECT]: 'VACUUM_REDIRECT',
};
const LABEL: RecordLabel = { rmgr: 'SPGist', names: IDENTIFY };

export function decodeSpgistRecord(record: DecodedRecord, profile: PgVersionProfile): SpgistBody {
  const info = record.info & 0xf0;
  const L = offsetsFor(profile, spgistOffsets);
  const d = mainData(record, LABEL);
  const st = L.spgxlogState!;
  const state = (p: RecordPart, at: number): SpgState => ({ myXid: p.u32(at + st.myXid!), isBuild: p.bool(at + st.isBuild!) });
  switch (info) {
    case XLOG_SPGIST_ADD_LEAF: {
      const o = L.spgxlogAddLeaf!;
      return {
        kind: 'add_leaf',
        newPage: d.bool(o.newPage!),
        storesNulls: d.bool(o.storesNulls!),
        offnumLeaf: d.u16(o.offnumLeaf!),
        offnumHeadLeaf: d.u16(o.offnumHeadLeaf!),
        offnumParent: d.u16(o.offnumParent!),
        nodeI: d.u16(o.nodeI!),
      };
    }
    case XLOG_SPGIST_MOVE_LEAFS: {
      const o = L.spgxlogMoveLeafs!;
      return {
        kind: 'move_leafs',
        nMoves: d.u16(o.nMoves!),
        newPage: d.bool(o.newPage!),
        replaceDead: d.bool(o.replaceDead!),
        storesNulls: d.bool(o.storesNulls!),
        offnumParent: d.u16(o.offnumParent!),
        nodeI: d.u16(o.nodeI!),
        stateSrc: state(d, o.stateSrc!),
      };
    }
    case XLOG_SPGIST_ADD_NODE: {
      const o = L.spgxlogAddNode!;
      return {
        kind: 'add_node',
        offnum: d.u16(o.offnum!),
        offnumNew: d.u16(o.offnumNew!),
        newPage: d.bool(o.newPage!),
        parentBlk: d.i8(o.parentBlk!),
        offnumParent: d.u16(o.offnumParent!),
        nodeI: d.u16(o.nodeI!),
        stateSrc: state(d, o.stateSrc!),
      };
    }
    case XLOG_SPGIST_SPLIT_TUPLE: {
      const o = L.spgxlogSplitTuple!;
      return {
        kind: 'split_tuple',
        offnumPrefix: d.u16(o.offnumPrefix!),
        offnumPostfix: d.u16(o.offnumPostfix!),
        newPage: d.bool(o.newPage!),
        postfixBlkSame: d.bool(o.postfixBlkSame!),
      };
    }
    case XLOG_SPGIST_PICKSPLIT: {
      const o = L.spgxlogPickSplit!;
      return {
        kind: 'picksplit',
        isRootSplit: d.bool(o.isRootSplit!),
        nDelete: d.u16(o.nDelete!),
        nInsert: d.u16(o.nInsert!),
        initSrc: d.bool(o.initSrc!),
        initDest: d.bool(o.initDest!),
        offnumInner: d.u16(o.offnumInner!),
        initInner: d.bool(o.initInner!),
        storesNulls: d.bool(o.storesNulls!),
        innerIsParent: d.bool(o.innerIsParent!),
        offnumParent: d.u16(o.offnumParent!),
        nodeI: d.u16(o.nodeI!),
        stateSrc: state(d, o.stateSrc!),
      };
    }
    case XLOG_SPGIST_VACUUM_LEAF: {
      const o = L.spgxlogVacuumLeaf!;
      return {
        kind: 'vacuum_leaf',
        nDead: d.u16(o.nDead!),
        nPlaceholder: d.u16(o.nPlaceholder!),
        nMove: d.u16(o.nMove!),
        nChain: d.u16(o.nChain!),
        stateSrc: state(d, o.stateSrc!),
      };
    }
    case XLOG_SPGIST_VACUUM_ROOT: {
      const o = L.spgxlogVacuumRoot!;
      return { kind: 'vacuum_root', nDelete: d.u16(o.nDelete!), stateSrc: state(d, o.stateSrc!) };
    }
    case XLOG_SPGIST_VACUUM_REDIRECT: {
      const o = L.spgxlogVacuumRedirect!;
      const body: SpgistBody = {
        kind: 'vacuum_redirect',
        nToPlaceholder: d.u16(o.nToPlaceholder!),
        firstPlaceholder: d.u16(o.firstPlaceholder!),
        snapshotConflictHorizon: d.u32(o.snapshotConflictHorizon ?? o.newestRedirectXid!),
      };
      if (o.isCatalogRel !== undefined) body.isCatalogRel = d.bool(o.isCatalogRel);
      return body;
    }
    default:
      return { kind: 'unknown', info };
  }
}

function describeSpgist(b: SpgistBody, profile: PgVersionProfile): string {
  switch (b.kind) {
    case 'add_leaf': {
      let s = `off: ${b.offnumLeaf}, headoff: ${b.offnumHeadLeaf}, parentoff: ${b.offnumParent}, nodeI: ${b.nodeI}`;
      if (b.newPage) s += ' (newpage)';
      if (b.storesNulls) s += ' (nulls)';
      return s;
    }
    case 'move_leafs': {
      let s = `nmoves: ${b.nMoves}, parentoff: ${b.offnumParent}, nodeI: ${b.nodeI}`;
      if (b.newPage) s += ' (newpage)';
      if (b.replaceDead) s += ' (replacedead)';
      if (b.storesNulls) s += ' (nulls)';
      return s;
    }
    case 'add_node': {
      const s = `off: ${b.offnum}, newoff: ${b.offnumNew}, parentBlk: ${b.parentBlk}, parentoff: ${b.offnumParent}, nodeI: ${b.nodeI}`;
      return b.newPage ? `${s} (newpage)` : s;
    }
    case 'split_tuple': {
      let s = `prefixoff: ${b.offnumPrefix}, postfixoff: ${b.offnumPostfix}`;
      if (b.newPage) s += ' (newpage)';
      if (b.postfixBlkSame) s += ' (same)';
      return s;
    }
    case 'picksplit': {
      let s = `ndelete: ${b.nDelete}, ninsert: ${b.nInsert}, inneroff: ${b.offnumInner}, parentoff: ${b.offnumParent}, nodeI: ${b.nodeI}`;
      if (b.innerIsParent) s += ' (innerIsParent)';
      if (b.storesNulls) s += ' (nulls)';
      if (b.isRootSplit) s += ' (isRootSplit)';
      return s;
    }
    case 'vacuum_leaf':
      return `ndead: ${b.nDead}, nplaceholder: ${b.nPlaceholder}, nmove: ${b.nMove}, nchain: ${b.nChain}`;
    case 'vacuum_root':
      return `ndelete: ${b.nDelete}`;
    case 'vacuum_redirect':
      return `ntoplaceholder: ${b.nToPlaceholder}, firstplaceholder: ${b.firstPlaceholder}, ${profile.major >= 16 ? 'snapshotConflictHorizon' : 'newestredirectxid'}: ${b.snapshotConflictHorizon}`;
    case 'unknown':
      return '';
  }
}

export const spgistRmgr: RmgrDescriptor<SpgistBody> = {
  id: RM_SPGIST_ID,
  name: 'SPGist',
  identify: (info) => IDENTIFY[info & 0xf0],
  decode: decodeSpgistRecord,
  describe: (record, profile) => describeSpgist(decodeSpgistRecord(record, profile), profile),
};
