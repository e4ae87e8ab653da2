/**
 * The Tablespace resource manager (RM_TBLSPC_ID 5; commands/tablespace.h xl_tblspc_create_rec,
 * xl_tblspc_drop_rec): typed bodies and tblspcdesc.c's descriptions (same text in 14–16).
 */
import { RM_TBLSPC_ID, XLOG_TBLSPC_CREATE, XLOG_TBLSPC_DROP } from '../constants.js';
import type { DecodedRecord } from '../wal/record.js';
import { cstringAt, needBytes, u32 } from './desc-util.js';
import type { RmgrDescriptor } from './types.js';

export type TblspcBody = { type: 'CREATE'; ts_id: number; ts_path: string } | { type: 'DROP'; ts_id: number } | { type: 'UNKNOWN' };

export function decodeTblspc(record: DecodedRecord): TblspcBody {
  const d = record.mainData;
  switch (record.info & 0xf0) {
    case XLOG_TBLSPC_CREATE:
      needBytes(d, 5, 'xl_tblspc_create_rec');
      return { type: 'CREATE', ts_id: u32(d, 0), ts_path: cstringAt(d, 4) };
    case XLOG_TBLSPC_DROP:
      needBytes(d, 4, 'xl_tblspc_drop_rec');
      return { type: 'DROP', ts_id: u32(d, 0) };
    default:
      return { type: 'UNKNOWN' };
  }
}

export function formatTblspc(body: TblspcBody): string {
  if (body.type === 'CREATE') return `${body.ts_id} "${body.ts_path}"`;
  if (body.type === 'DROP') return String(body.ts_id);
  return '';
}

export const tblspcRmgr: RmgrDescriptor<TblspcBody> = {
  id: RM_TBLSPC_ID,
  name: 'Tablespace',
  identify: (info) => ((info & 0xf0) === XLOG_TBLSPC_CREATE ? 'CREATE' : (info & 0xf0) === XLOG_TBLSPC_DROP ? 'DROP' : undefined),
  decode: (record) => decodeTblspc(record),
  describe: (record) => formatTblspc(decodeTblspc(record)),
};
