/**
 * The CLOG resource manager (RM_CLOG_ID 3; access/clog.h CLOG_ZEROPAGE's int pageno,
 * xl_clog_truncate): typed bodies and clogdesc.c's descriptions (same text in 14–16).
 */
import { CLOG_TRUNCATE, CLOG_ZEROPAGE, RM_CLOG_ID } from '../constants.js';
import type { DecodedRecord } from '../wal/record.js';
import { i32, needBytes, u32 } from './desc-util.js';
import type { RmgrDescriptor } from './types.js';

export type ClogBody =
  | { type: 'ZEROPAGE'; pageno: number }
  | { type: 'TRUNCATE'; pageno: number; oldestXact: number; oldestXactDb: number }
  | { type: 'UNKNOWN' };

export function decodeClog(record: DecodedRecord): ClogBody {
  const d = record.mainData;
  switch (record.info & 0xf0) {
    case CLOG_ZEROPAGE:
      needBytes(d, 4, 'CLOG_ZEROPAGE');
      return { type: 'ZEROPAGE', pageno: i32(d, 0) };
    case CLOG_TRUNCATE:
      needBytes(d, 12, 'xl_clog_truncate');
      return { type: 'TRUNCATE', pageno: i32(d, 0), oldestXact: u32(d, 4), oldestXactDb: u32(d, 8) };
    default:
      return { type: 'UNKNOWN' };
  }
}

export function formatClog(body: ClogBody): string {
  if (body.type === 'ZEROPAGE') return `page ${body.pageno}`;
  if (body.type === 'TRUNCATE') return `page ${body.pageno}; oldestXact ${body.oldestXact}`;
  return '';
}

export const clogRmgr: RmgrDescriptor<ClogBody> = {
  id: RM_CLOG_ID,
  name: 'CLOG',
  identify: (info) => ((info & 0xf0) === CLOG_ZEROPAGE ? 'ZEROPAGE' : (info & 0xf0) === CLOG_TRUNCATE ? 'TRUNCATE' : undefined),
  decode: (record) => decodeClog(record),
  describe: (record) => formatClog(decodeClog(record)),
};
