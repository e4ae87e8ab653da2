/**
 * The CommitTs resource manager (RM_COMMIT_TS_ID 18; access/commit_ts.h COMMIT_TS_ZEROPAGE's int
 * pageno, xl_commit_ts_truncate): typed bodies and committsdesc.c's descriptions. Like
 * PostgreSQL, rm_identify compares the whole xl_info (XLR_INFO_MASK bits included).
 */
import { COMMIT_TS_TRUNCATE, COMMIT_TS_ZEROPAGE, RM_COMMIT_TS_ID } from '../constants.js';
import type { DecodedRecord } from '../wal/record.js';
import { i32, needBytes, u32 } from './desc-util.js';
import type { RmgrDescriptor } from './types.js';

export type CommitTsBody =
  | { type: 'ZEROPAGE'; pageno: number }
  | { type: 'TRUNCATE'; pageno: number; oldestXid: number }
  | { type: 'UNKNOWN' };

export function decodeCommitTs(record: DecodedRecord): CommitTsBody {
  const d = record.mainData;
  switch (record.info & 0xf0) {
    case COMMIT_TS_ZEROPAGE:
      needBytes(d, 4, 'COMMIT_TS_ZEROPAGE');
      return { type: 'ZEROPAGE', pageno: i32(d, 0) };
    case COMMIT_TS_TRUNCATE:
      needBytes(d, 8, 'xl_commit_ts_truncate');
      return { type: 'TRUNCATE', pageno: i32(d, 0), oldestXid: u32(d, 4) };
    default:
      return { type: 'UNKNOWN' };
  }
}

export function formatCommitTs(body: CommitTsBody): string {
  if (body.type === 'ZEROPAGE') return String(body.pageno);
  if (body.type === 'TRUNCATE') return `pageno ${body.pageno}, oldestXid ${body.oldestXid}`;
  return '';
}

export const commitTsRmgr: RmgrDescriptor<CommitTsBody> = {
  id: RM_COMMIT_TS_ID,
  name: 'CommitTs',
  identify: (info) => (info === COMMIT_TS_ZEROPAGE ? 'ZEROPAGE' : info === COMMIT_TS_TRUNCATE ? 'TRUNCATE' : undefined),
  decode: (record) => decodeCommitTs(record),
  describe: (record) => formatCommitTs(decodeCommitTs(record)),
};
