/**
 * The MultiXact resource manager (RM_MULTIXACT_ID 6; access/multixact.h xl_multixact_create,
 * xl_multixact_truncate, MultiXactMember): typed bodies and mxactdesc.c's descriptions (same
 * text in 14–16).
 */
import {
  RM_MULTIXACT_ID,
  XLOG_MULTIXACT_CREATE_ID,
  XLOG_MULTIXACT_TRUNCATE_ID,
  XLOG_MULTIXACT_ZERO_MEM_PAGE,
  XLOG_MULTIXACT_ZERO_OFF_PAGE,
} from '../constants.js';
import type { DecodedRecord } from '../wal/record.js';
import { i32, needBytes, u32 } from './desc-util.js';
import type { RmgrDescriptor } from './types.js';

const NAMES: Readonly<Record<number, string>> = {
  [XLOG_MULTIXACT_ZERO_OFF_PAGE]: 'ZERO_OFF_PAGE',
  [XLOG_MULTIXACT_ZERO_MEM_PAGE]: 'ZERO_MEM_PAGE',
  [XLOG_MULTIXACT_CREATE_ID]: 'CREATE_ID',
  [XLOG_MULTIXACT_TRUNCATE_ID]: 'TRUNCATE_ID',
};

/** MultiXactStatus names as out_member prints them. */
const STATUS = ['(keysh) ', '(sh) ', '(fornokeyupd) ', '(forupd) ', '(nokeyupd) ', '(upd) '];

export interface MultiXactMember {
  xid: number;
  status: number;
}

export type MultiXactBody =
  | { type: 'ZERO_OFF_PAGE' | 'ZERO_MEM_PAGE'; pageno: number }
  | { type: 'CREATE_ID'; mid: number; moff: number; members: MultiXactMember[] }
  | {
      type: 'TRUNCATE_ID';
      oldestMultiDB: number;
      startTruncOff: number;
      endTruncOff: number;
      startTruncMemb: number;
      endTruncMemb: number;
    }
  | { type: 'UNKNOWN' };

export function decodeMultiXact(record: DecodedRecord): MultiXactBody {
  const d = record.mainData;
  const op = record.info & 0xf0;
  switch (op) {
    case XLOG_MULTIXACT_ZERO_OFF_PAGE:
    case XLOG_MULTIXACT_ZERO_MEM_PAGE:
      needBytes(d, 4, 'multixact zero page');
      return { type: op === XLOG_MULTIXACT_ZERO_OFF_PAGE ? 'ZERO_OFF_PAGE' : 'ZERO_MEM_PAGE', pageno: i32(d, 0) };
    case XLOG_MULTIXACT_CREATE_ID: {
      needBytes(d, 12, 'xl_multixact_create');
      const n = Math.max(0, i32(d, 8));
      needBytes(d, 12 + n * 8, 'xl_multixact_create');
      const members: MultiXactMember[] = new Array(n);
      for (let i = 0; i < n; i++) members[i] = { xid: u32(d, 12 + i * 8), status: i32(d, 16 + i * 8) };
      return { type: 'CREATE_ID', mid: u32(d, 0), moff: u32(d, 4), members };
    }
    case XLOG_MULTIXACT_TRUNCATE_ID:
      needBytes(d, 20, 'xl_multixact_truncate');
      return {
        type: 'TRUNCATE_ID',
        oldestMultiDB: u32(d, 0),
        startTruncOff: u32(d, 4),
        endTruncOff: u32(d, 8),
        startTruncMemb: u32(d, 12),
        endTruncMemb: u32(d, 16),
      };
    default:
      return { type: 'UNKNOWN' };
  }
}

export function formatMultiXact(body: MultiXactBody): string {
  switch (body.type) {
    case 'ZERO_OFF_PAGE':
    case 'ZERO_MEM_PAGE':
      return String(body.pageno);
    case 'CREATE_ID': {
      let s = `${body.mid} offset ${body.moff} nmembers ${body.members.length}: `;
      for (const m of body.members) s += `${m.xid} ${STATUS[m.status] ?? '(unk) '}`;
      return s;
    }
    case 'TRUNCATE_ID':
      return `offsets [${body.startTruncOff}, ${body.endTruncOff}), members [${body.startTruncMemb}, ${body.endTruncMemb})`;
    default:
      return '';
  }
}

export const multixactRmgr: RmgrDescriptor<MultiXactBody> = {
  id: RM_MULTIXACT_ID,
  name: 'MultiXact',
  identify: (info) => NAMES[info & 0xf0],
  decode: (record) => decodeMultiXact(record),
  describe: (record) => formatMultiXact(decodeMultiXact(record)),
};
