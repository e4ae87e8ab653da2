/**
 * The Storage resource manager (RM_SMGR_ID 2; catalog/storage_xlog.h xl_smgr_create,
 * xl_smgr_truncate): typed bodies and smgrdesc.c's descriptions (same text in 14–16).
 */
import { RM_SMGR_ID, XLOG_SMGR_CREATE, XLOG_SMGR_TRUNCATE } from '../constants.js';
import type { PgVersionProfile } from '../profile.js';
import type { DecodedRecord } from '../wal/record.js';
import { i32, needBytes, relpathperm, u32 } from './desc-util.js';
import type { RmgrDescriptor } from './types.js';

export const SMGR_TRUNCATE_HEAP = 0x0001;
export const SMGR_TRUNCATE_VM = 0x0002;
export const SMGR_TRUNCATE_FSM = 0x0004;

export interface SmgrRel {
  spcOid: number;
  dbOid: number;
  relNumber: number;
}

export type SmgrBody =
  | { type: 'CREATE'; rlocator: SmgrRel; forkNum: number }
  | { type: 'TRUNCATE'; blkno: number; rlocator: SmgrRel; flags: number }
  | { type: 'UNKNOWN' };

export function decodeSmgr(record: DecodedRecord): SmgrBody {
  const d = record.mainData;
  switch (record.info & 0xf0) {
    case XLOG_SMGR_CREATE:
      needBytes(d, 16, 'xl_smgr_create');
      return { type: 'CREATE', rlocator: { spcOid: u32(d, 0), dbOid: u32(d, 4), relNumber: u32(d, 8) }, forkNum: i32(d, 12) };
    case XLOG_SMGR_TRUNCATE:
      needBytes(d, 20, 'xl_smgr_truncate');
      return {
        type: 'TRUNCATE',
        blkno: u32(d, 0),
        rlocator: { spcOid: u32(d, 4), dbOid: u32(d, 8), relNumber: u32(d, 12) },
        flags: i32(d, 16),
      };
    default:
      return { type: 'UNKNOWN' };
  }
}

export function formatSmgr(body: SmgrBody, profile: PgVersionProfile): string {
  switch (body.type) {
    case 'CREATE': {
      const r = body.rlocator;
      return relpathperm(r.spcOid, r.dbOid, r.relNumber, body.forkNum, profile);
    }
    case 'TRUNCATE': {
      const r = body.rlocator;
      return `${relpathperm(r.spcOid, r.dbOid, r.relNumber, 0, profile)} to ${body.blkno} blocks flags ${body.flags}`;
    }
    default:
      return '';
  }
}

export const smgrRmgr: RmgrDescriptor<SmgrBody> = {
  id: RM_SMGR_ID,
  name: 'Storage',
  identify: (info) => ((info & 0xf0) === XLOG_SMGR_CREATE ? 'CREATE' : (info & 0xf0) === XLOG_SMGR_TRUNCATE ? 'TRUNCATE' : undefined),
  decode: (record) => decodeSmgr(record),
  describe: (record, profile) => formatSmgr(decodeSmgr(record), profile),
};
