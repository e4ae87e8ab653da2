/**
 * The Gist resource manager (RM_GIST_ID 14): records of access/gistxlog.h
 * (gistxlogPageUpdate, gistxlogDelete, gistxlogPageReuse, gistxlogPageSplit,
 * gistxlogPageDelete), decoded into typed bodies and described exactly as gist_desc /
 * gist_identify (rmgrdesc/gistdesc.c) of the record's major version.
 */
import {
  RM_GIST_ID,
  XLOG_GIST_ASSIGN_LSN,
  XLOG_GIST_DELETE,
  XLOG_GIST_PAGE_DELETE,
  XLOG_GIST_PAGE_REUSE,
  XLOG_GIST_PAGE_SPLIT,
  XLOG_GIST_PAGE_UPDATE,
} from '../constants.js';
import type { PgVersionProfile } from '../profile.js';
import type { DecodedRecord } from '../wal/record.js';
import { blockData, fullXidText, mainData, offsetsByMajor, offsetsFor, type RecordLabel } from './am-util.js';
import type { RmgrDescriptor } from './types.js';

/**
 * Record struct offsets per major version (access/gistxlog.h). 16 renamed latestRemovedXid
 * (latestRemovedFullXid) to snapshotConflictHorizon, added isCatalogRel, and moved
 * gistxlogDelete's offsets from block 0's data into the main data.
 */
export const gistOffsets = offsetsByMajor(
  {
    gistxlogPageUpdate: { ntodelete: 0, ntoinsert: 2 },
    gistxlogPageSplit: { origrlink: 0, orignsn: 8, origleaf: 16, npage: 18, markfollowright: 20 },
    gistxlogPageDelete: { deleteXid: 0, downlinkOffset: 8 },
  },
  {
    gistxlogDelete: { latestRemovedXid: 0, ntodelete: 4 },
    gistxlogPageReuse: { node: 0, block: 12, latestRemovedFullXid: 16 },
  },
  {
    gistxlogDelete: { snapshotConflictHorizon: 0, ntodelete: 4, isCatalogRel: 6, offsets: 8 },
    gistxlogPageReuse: { locator: 0, block: 12, snapshotConflictHorizon: 16, isCatalogRel: 24 },
  },
);

export type GistBody =
  | { kind: 'page_update'; ntodelete: number; ntoinsert: number }
  | {
      kind: 'delete';
      /** latestRemovedXid before 16. */
      snapshotConflictHorizon: number;
      ntodelete: number;
      /** 16 only. */
      isCatalogRel?: boolean;
      /** Main data (16) or block 0's data (14, 15); null when absent. */
      offsets: number[] | null;
    }
  | {
      kind: 'page_reuse';
      spcOid: number;
      dbOid: number;
      relNumber: number;
      block: number;
      /** latestRemovedFullXid before 16. */
      snapshotConflictHorizon: bigint;
      /** 16 only. */
      isCatalogRel?: boolean;
    }
  | { kind: 'page_split'; origrlink: number; orignsn: bigint; origleaf: boolean; npage: number; markfollowright: boolean }
  | { kind: 'page_delete'; deleteXid: bigint; downlinkOffset: number }
  | { kind: 'assign_lsn' }
  | { kind: 'unknown'; info: number };

const IDENTIFY: Readonly<Record<number, string>> = {
  [XLOG_GIST_PAGE_UPDATE]: 'PAGE_UPDATE',
  [XLOG_GIST_DELETE]: 'DELETE',
  [XLOG_GIST_PAGE_REUSE]: 'PAGE_REUSE',
  [XLOG_GIST_PAGE_SPLIT]: 'PAGE_SPLIT',
  [XLOG_GIST_PAGE_DELETE]: 'PAGE_DELETE',
  [XLOG_GIST_ASSIGN_LSN]: 'ASSIGN_LSN',
};
const LABEL: RecordLabel = { rmgr: 'Gist', names: IDENTIFY };

export function decodeGistRecord(record: DecodedRecord, profile: PgVersionProfile): GistBody {
  const info = record.info & 0xf0;
  const L = offsetsFor(profile, gistOffsets);
  const what = LABEL;
  const d = mainData(record, what);
  switch (info) {
    case XLOG_GIST_PAGE_UPDATE: {
      const o = L.gistxlogPageUpdate!;
      return { kind: 'page_update', ntodelete: d.u16(o.ntodelete!), ntoinsert: d.u16(o.ntoinsert!) };
    }
    case XLOG_GIST_DELETE: {
      const o = L.gistxlogDelete!;
      const ntodelete = d.u16(o.ntodelete!);
      if (o.isCatalogRel === undefined) {
        const bd = blockData(record, 0, what);
        return {
          kind: 'delete',
          snapshotConflictHorizon: d.u32(o.latestRemovedXid!),
          ntodelete,
          offsets: bd === null ? null : bd.u16Array(0, ntodelete),
        };
      }
      return {
        kind: 'delete',
        snapshotConflictHorizon: d.u32(o.snapshotConflictHorizon!),
        ntodelete,
        isCatalogRel: d.bool(o.isCatalogRel),
        offsets: d.u16Array(o.offsets!, ntodelete),
      };
    }
    case XLOG_GIST_PAGE_REUSE: {
      const o = L.gistxlogPageReuse!;
      const loc = o.locator ?? o.node!;
      const body: GistBody = {
        kind: 'page_reuse',
        spcOid: d.u32(loc),
        dbOid: d.u32(loc + 4),
        relNumber: d.u32(loc + 8),
        block: d.u32(o.block!),
        snapshotConflictHorizon: d.u64(o.snapshotConflictHorizon ?? o.latestRemovedFullXid!),
      };
      if (o.isCatalogRel !== undefined) body.isCatalogRel = d.bool(o.isCatalogRel);
      return body;
    }
    case XLOG_GIST_PAGE_SPLIT: {
      const o = L.gistxlogPageSplit!;
      return {
        kind: 'page_split',
        origrlink: d.u32(o.origrlink!),
        orignsn: d.u64(o.orignsn!),
        origleaf: d.bool(o.origleaf!),
        npage: d.u16(o.npage!),
        markfollowright: d.bool(o.markfollowright!),
      };
    }
    case XLOG_GIST_PAGE_DELETE: {
      const o = L.gistxlogPageDelete!;
      return { kind: 'page_delete', deleteXid: d.u64(o.deleteXid!), downlinkOffset: d.u16(o.downlinkOffset!) };
    }
    case XLOG_GIST_ASSIGN_LSN:
      return { kind: 'assign_lsn' };
    default:
      return { kind: 'unknown', info };
  }
}

function describeGist(b: GistBody, profile: PgVersionProfile): string {
  const horizon = profile.major >= 16 ? 'snapshotConflictHorizon' : 'latestRemovedXid';
  switch (b.kind) {
    case 'page_reuse':
      return `rel ${b.spcOid}/${b.dbOid}/${b.relNumber}; blk ${b.block}; ${horizon} ${fullXidText(b.snapshotConflictHorizon)}`;
    case 'delete':
      return `delete: ${horizon} ${b.snapshotConflictHorizon}, nitems: ${b.ntodelete}`;
    case 'page_split':
      return `page_split: splits to ${b.npage} pages`;
    case 'page_delete':
      return `deleteXid ${fullXidText(b.deleteXid)}; downlink ${b.downlinkOffset}`;
    default:
      return '';
  }
}

export const gistRmgr: RmgrDescriptor<GistBody> = {
  id: RM_GIST_ID,
  name: 'Gist',
  identify: (info) => IDENTIFY[info & 0xf0],
  decode: decodeGistRecord,
  describe: (record, profile) => describeGist(decodeGistRecord(record, profile), profile),
};
