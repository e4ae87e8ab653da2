/**
 * The Database resource manager (RM_DBASE_ID 4; commands/dbcommands_xlog.h): 14 has
 * CREATE 0x00 (xl_dbase_create_rec) and DROP 0x10; 15 and 16 have CREATE_FILE_COPY 0x00,
 * CREATE_WAL_LOG 0x10 and DROP 0x20. Typed bodies and dbasedesc.c's descriptions.
 */
import { RM_DBASE_ID } from '../constants.js';
import type { PgVersionProfile } from '../profile.js';
import type { DecodedRecord } from '../wal/record.js';
import { i32, needBytes, u32 } from './desc-util.js';
import type { RmgrDescriptor } from './types.js';

export const XLOG_DBASE_CREATE_FILE_COPY = 0x00;
export const XLOG_DBASE_CREATE_WAL_LOG = 0x10;
export const XLOG_DBASE_DROP = 0x20;
/** 14's codes. */
export const XLOG_DBASE_CREATE_V14 = 0x00;
export const XLOG_DBASE_DROP_V14 = 0x10;

export type DbaseBody =
  | { type: 'CREATE' | 'CREATE_FILE_COPY'; db_id: number; tablespace_id: number; src_db_id: number; src_tablespace_id: number }
  | { type: 'CREATE_WAL_LOG'; db_id: number; tablespace_id: number }
  | { type: 'DROP'; db_id: number; tablespace_ids: number[] }
  | { type: 'UNKNOWN' };

function kind(info: number, profile: PgVersionProfile): string | undefined {
  const op = info & 0xf0;
  if (profile.major === 14) return op === XLOG_DBASE_CREATE_V14 ? 'CREATE' : op === XLOG_DBASE_DROP_V14 ? 'DROP' : undefined;
  if (op === XLOG_DBASE_CREATE_FILE_COPY) return 'CREATE_FILE_COPY';
  if (op === XLOG_DBASE_CREATE_WAL_LOG) return 'CREATE_WAL_LOG';
  if (op === XLOG_DBASE_DROP) return 'DROP';
  return undefined;
}

export function decodeDbase(record: DecodedRecord, profile: PgVersionProfile): DbaseBody {
  const d = record.mainData;
  const k = kind(record.info, profile);
  if (k === 'CREATE' || k === 'CREATE_FILE_COPY') {
    needBytes(d, 16, 'xl_dbase_create_file_copy_rec');
    return { type: k, db_id: u32(d, 0), tablespace_id: u32(d, 4), src_db_id: u32(d, 8), src_tablespace_id: u32(d, 12) };
  }
  if (k === 'CREATE_WAL_LOG') {
    needBytes(d, 8, 'xl_dbase_create_wal_log_rec');
    return { type: k, db_id: u32(d, 0), tablespace_id: u32(d, 4) };
  }
  if (k === 'DROP') {
    needBytes(d, 8, 'xl_dbase_drop_rec');
    const n = Math.max(0, i32(d, 4));
    needBytes(d, 8 + n * 4, 'xl_dbase_drop_rec');
    const ids: number[] = new Array(n);
    for (let i = 0; i < n; i++) ids[i] = u32(d, 8 + i * 4);
    return { type: 'DROP', db_id: u32(d, 0), tablespace_ids: ids };
  }
  return { type: 'UNKNOWN' };
}

export function formatDbase(body: DbaseBody): string {
  switch (body.type) {
    case 'CREATE':
    case 'CREATE_FILE_COPY':
      return `copy dir ${body.src_tablespace_id}/${body.src_db_id} to ${body.tablespace_id}/${body.db_id}`;
    case 'CREATE_WAL_LOG':
      return `create dir ${body.tablespace_id}/${body.db_id}`;
    case 'DROP': {
      let s = 'dir';
      for (const ts of body.tablespace_ids) s += ` ${ts}/${body.db_id}`;
      return s;
    }
    default:
      return '';
  }
}

export const dbaseRmgr: RmgrDescriptor<DbaseBody> = {
  id: RM_DBASE_ID,
  name: 'Database',
  identify: (info, profile) => kind(info, profile),
  decode: (record, profile) => decodeDbase(record, profile),
  describe: (record, profile) => formatDbase(decodeDbase(record, profile)),
};
