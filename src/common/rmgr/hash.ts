/**
 * The Hash resource manager (RM_HASH_ID 12): records of access/hash_xlog.h
 * (xl_hash_init_meta_page, xl_hash_init_bitmap_page, xl_hash_insert, xl_hash_add_ovfl_page,
 * xl_hash_split_allocate_page, xl_hash_split_complete, xl_hash_move_page_contents,
 * xl_hash_squeeze_page, xl_hash_delete, xl_hash_update_meta_page, xl_hash_vacuum_one_page),
 * decoded into typed bodies and described exactly as hash_desc / hash_identify
 * (rmgrdesc/hashdesc.c) of the record's major version.
 */
import {
  RM_HASH_ID,
  XLH_SPLIT_META_UPDATE_MASKS,
  XLH_SPLIT_META_UPDATE_SPLITPOINT,
  XLOG_HASH_ADD_OVFL_PAGE,
  XLOG_HASH_DELETE,
  XLOG_HASH_INIT_BITMAP_PAGE,
  XLOG_HASH_INIT_META_PAGE,
  XLOG_HASH_INSERT,
  XLOG_HASH_MOVE_PAGE_CONTENTS,
  XLOG_HASH_SPLIT_ALLOCATE_PAGE,
  XLOG_HASH_SPLIT_CLEANUP,
  XLOG_HASH_SPLIT_COMPLETE,
  XLOG_HASH_SPLIT_PAGE,
  XLOG_HASH_SQUEEZE_PAGE,
  XLOG_HASH_UPDATE_META_PAGE,
  XLOG_HASH_VACUUM_ONE_PAGE,
} from '../constants.js';
import type { PgVersionProfile } from '../profile.js';
import type { DecodedRecord } from '../wal/record.js';
import { formatG, mainData, offsetsByMajor, offsetsFor, type RecordLabel, tf } from './am-util.js';
import type { RmgrDescriptor } from './types.js';

/**
 * Record struct offsets per major version (access/hash_xlog.h). 16 turned
 * xl_hash_vacuum_one_page.ntuples from int into uint16, renamed latestRemovedXid to
 * snapshotConflictHorizon and added isCatalogRel.
 */
export const hashOffsets = offsetsByMajor(
  {
    xl_hash_insert: { offnum: 0 },
    xl_hash_add_ovfl_page: { bmsize: 0, bmpage_found: 2 },
    xl_hash_split_allocate_page: { new_bucket: 0, old_bucket_flag: 4, new_bucket_flag: 6, flags: 8 },
    xl_hash_split_complete: { old_bucket_flag: 0, new_bucket_flag: 2 },
    xl_hash_move_page_contents: { ntups: 0, is_prim_bucket_same_wrt: 2 },
    xl_hash_squeeze_page: { prevblkno: 0, nextblkno: 4, ntups: 8, is_prim_bucket_same_wrt: 10, is_prev_bucket_same_wrt: 11 },
    xl_hash_delete: { clear_dead_marking: 0, is_primary_bucket_page: 1 },
    xl_hash_update_meta_page: { ntuples: 0 },
    xl_hash_init_meta_page: { num_tuples: 0, procid: 8, ffactor: 12 },
    xl_hash_init_bitmap_page: { bmsize: 0 },
  },
  { xl_hash_vacuum_one_page: { latestRemovedXid: 0, ntuples: 4 } },
  { xl_hash_vacuum_one_page: { snapshotConflictHorizon: 0, ntuples: 4, isCatalogRel: 6, offsets: 8 } },
);

export type HashBody =
  | { kind: 'init_meta_page'; num_tuples: number; procid: number; ffactor: number }
  | { kind: 'init_bitmap_page'; bmsize: number }
  | { kind: 'insert'; offnum: number }
  | { kind: 'add_ovfl_page'; bmsize: number; bmpage_found: boolean }
  | { kind: 'split_allocate_page'; new_bucket: number; old_bucket_flag: number; new_bucket_flag: number; flags: number }
  | { kind: 'split_page' }
  | { kind: 'split_complete'; old_bucket_flag: number; new_bucket_flag: number }
  | { kind: 'move_page_contents'; ntups: number; is_prim_bucket_same_wrt: boolean }
  | {
      kind: 'squeeze_page';
      prevblkno: number;
      nextblkno: number;
      ntups: number;
      is_prim_bucket_same_wrt: boolean;
      is_prev_bucket_same_wrt: boolean;
    }
  | { kind: 'delete'; clear_dead_marking: boolean; is_primary_bucket_page: boolean }
  | { kind: 'split_cleanup' }
  | { kind: 'update_meta_page'; ntuples: number }
  | {
      kind: 'vacuum_one_page';
      /** latestRemovedXid before 16. */
      snapshotConflictHorizon: number;
      ntuples: number;
      /** 16 only. */
      isCatalogRel?: boolean;
    }
  | { kind: 'unknown'; info: number };

const IDENTIFY: Readonly<Record<number, string>> = {
  [XLOG_HASH_INIT_META_PAGE]: 'INIT_META_PAGE',
  [XLOG_HASH_INIT_BITMAP_PAGE]: 'INIT_BITMAP_PAGE',
  [XLOG_HASH_INSERT]: 'INSERT',
  [XLOG_HASH_ADD_OVFL_PAGE]: 'ADD_OVFL_PAGE',
  [XLOG_HASH_SPLIT_ALLOCATE_PAGE]: 'SPLIT_ALLOCATE_PAGE',
  [XLOG_HASH_SPLIT_PAGE]: 'SPLIT_PAGE',
  [XLOG_HASH_SPLIT_COMPLETE]: 'SPLIT_COMPLETE',
  [XLOG_HASH_MOVE_PAGE_CONTENTS]: 'MOVE_PAGE_CONTENTS',
  [XLOG_HASH_SQUEEZE_PAGE]: 'SQUEEZE_PAGE',
  [XLOG_HASH_DELETE]: 'DELETE',
  [XLOG_HASH_SPLIT_CLEANUP]: 'SPLIT_CLEANUP',
  [XLOG_HASH_UPDATE_META_PAGE]: 'UPDATE_META_PAGE',
  [XLOG_HASH_VACUUM_ONE_PAGE]: 'VACUUM_ONE_PAGE',
};
const LABEL: RecordLabel = { rmgr: 'Hash', names: IDENTIFY };

export function decodeHashRecord(record: DecodedRecord, profile: PgVersionProfile): HashBody {
  const info = record.info & 0xf0;
  const L = offsetsFor(profile, hashOffsets);
  const d = mainData(record, LABEL);
  switch (info) {
    case XLOG_HASH_INIT_META_PAGE: {
      const o = L.xl_hash_init_meta_page!;
      return { kind: 'init_meta_page', num_tuples: d.f64(o.num_tuples!), procid: d.u32(o.procid!), ffactor: d.u16(o.ffactor!) };
    }
    case XLOG_HASH_INIT_BITMAP_PAGE:
      return { kind: 'init_bitmap_page', bmsize: d.u16(L.xl_hash_init_bitmap_page!.bmsize!) };
    case XLOG_HASH_INSERT:
      return { kind: 'insert', offnum: d.u16(L.xl_hash_insert!.offnum!) };
    case XLOG_HASH_ADD_OVFL_PAGE: {
      const o = L.xl_hash_add_ovfl_page!;
      return { kind: 'add_ovfl_page', bmsize: d.u16(o.bmsize!), bmpage_found: d.bool(o.bmpage_found!) };
    }
    case XLOG_HASH_SPLIT_ALLOCATE_PAGE: {
      const o = L.xl_hash_split_allocate_page!;
      return {
        kind: 'split_allocate_page',
        new_bucket: d.u32(o.new_bucket!),
        old_bucket_flag: d.u16(o.old_bucket_flag!),
        new_bucket_flag: d.u16(o.new_bucket_flag!),
        flags: d.u8(o.flags!),
      };
    }
    case XLOG_HASH_SPLIT_PAGE:
      return { kind: 'split_page' };
    case XLOG_HASH_SPLIT_COMPLETE: {
      const o = L.xl_hash_split_complete!;
      return { kind: 'split_complete', old_bucket_flag: d.u16(o.old_bucket_flag!), new_bucket_flag: d.u16(o.new_bucket_flag!) };
    }
    case XLOG_HASH_MOVE_PAGE_CONTENTS: {
      const o = L.xl_hash_move_page_contents!;
      return { kind: 'move_page_contents', ntups: d.u16(o.ntups!), is_prim_bucket_same_wrt: d.bool(o.is_prim_bucket_same_wrt!) };
    }
    case XLOG_HASH_SQUEEZE_PAGE: {
      const o = L.xl_hash_squeeze_page!;
      return {
        kind: 'squeeze_page',
        prevblkno: d.u32(o.prevblkno!),
        nextblkno: d.u32(o.nextblkno!),
        ntups: d.u16(o.ntups!),
        is_prim_bucket_same_wrt: d.bool(o.is_prim_bucket_same_wrt!),
        is_prev_bucket_same_wrt: d.bool(o.is_prev_bucket_same_wrt!),
      };
    }
    case XLOG_HASH_DELETE: {
      const o = L.xl_hash_delete!;
      return {
        kind: 'delete',
        clear_dead_marking: d.bool(o.clear_dead_marking!),
        is_primary_bucket_page: d.bool(o.is_primary_bucket_page!),
      };
    }
    case XLOG_HASH_SPLIT_CLEANUP:
      return { kind: 'split_cleanup' };
    case XLOG_HASH_UPDATE_META_PAGE:
      return { kind: 'update_meta_page', ntuples: d.f64(L.xl_hash_update_meta_page!.ntuples!) };
    case XLOG_HASH_VACUUM_ONE_PAGE: {
      const o = L.xl_hash_vacuum_one_page!;
      if (o.isCatalogRel === undefined) {
        return { kind: 'vacuum_one_page', snapshotConflictHorizon: d.u32(o.latestRemovedXid!), ntuples: d.i32(o.ntuples!) };
      }
      return {
        kind: 'vacuum_one_page',
        snapshotConflictHorizon: d.u32(o.snapshotConflictHorizon!),
        ntuples: d.u16(o.ntuples!),
        isCatalogRel: d.bool(o.isCatalogRel),
      };
    }
    default:
      return { kind: 'unknown', info };
  }
}

function describe(b: HashBody, profile: PgVersionProfile): string {
  switch (b.kind) {
    case 'init_meta_page':
      return `num_tuples ${formatG(b.num_tuples)}, fillfactor ${b.ffactor}`;
    case 'init_bitmap_page':
      return `bmsize ${b.bmsize}`;
    case 'insert':
      return `off ${b.offnum}`;
    case 'add_ovfl_page':
      return `bmsize ${b.bmsize}, bmpage_found ${tf(b.bmpage_found)}`;
    case 'split_allocate_page':
      return `new_bucket ${b.new_bucket}, meta_page_masks_updated ${tf((b.flags & XLH_SPLIT_META_UPDATE_MASKS) !== 0)}, issplitpoint_changed ${tf((b.flags & XLH_SPLIT_META_UPDATE_SPLITPOINT) !== 0)}`;
    case 'split_complete':
      return `old_bucket_flag ${b.old_bucket_flag}, new_bucket_flag ${b.new_bucket_flag}`;
    case 'move_page_contents':
      return `ntups ${b.ntups}, is_primary ${tf(b.is_prim_bucket_same_wrt)}`;
    case 'squeeze_page':
      return `prevblkno ${b.prevblkno}, nextblkno ${b.nextblkno}, ntups ${b.ntups}, is_primary ${tf(b.is_prim_bucket_same_wrt)}`;
    case 'delete':
      return `clear_dead_marking ${tf(b.clear_dead_marking)}, is_primary ${tf(b.is_primary_bucket_page)}`;
    case 'update_meta_page':
      return `ntuples ${formatG(b.ntuples)}`;
    case 'vacuum_one_page':
      return `ntuples ${b.ntuples}, ${profile.major >= 16 ? 'snapshotConflictHorizon' : 'latestRemovedXid'} ${b.snapshotConflictHorizon}`;
    default:
      return '';
  }
}

export const hashRmgr: RmgrDescriptor<HashBody> = {
  id: RM_HASH_ID,
  name: 'Hash',
  identify: (info) => IDENTIFY[info & 0xf0],
  decode: decodeHashRecord,
  describe: (record, profile) => describe(decodeHashRecord(record, profile), profile),
};
