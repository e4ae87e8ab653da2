/**
 * The RelMap resource manager (RM_RELMAP_ID 7; utils/relmapper.h xl_relmap_update): typed body
 * and relmapdesc.c's description (same text in 14–16).
 */
import { RM_RELMAP_ID, XLOG_RELMAP_UPDATE } from '../constants.js';
import type { DecodedRecord } from '../wal/record.js';
import { i32, needBytes, u32 } from './desc-util.js';
import type { RmgrDescriptor } from './types.js';

export type RelmapBody = { type: 'UPDATE'; dbid: number; tsid: number; nbytes: number; data: Uint8Array } | { type: 'UNKNOWN' };

export function decodeRelmap(record: DecodedRecord): RelmapBody {
  const d = record.mainData;
  if ((record.info & 0xf0) !== XLOG_RELMAP_UPDATE) return { type: 'UNKNOWN' };
  needBytes(d, 12, 'xl_relmap_update');
  const nbytes = i32(d, 8);
  return { type: 'UPDATE', dbid: u32(d, 0), tsid: u32(d, 4), nbytes, data: d.subarray(12, 12 + Math.max(0, nbytes)) };
}

export function formatRelmap(body: RelmapBody): string {
  if (body.type !== 'UPDATE') return '';
  return `database ${body.dbid} tablespace ${body.tsid} size ${body.nbytes}`;
}

export const relmapRmgr: RmgrDescriptor<RelmapBody> = {
  id: RM_RELMAP_ID,
  name: 'RelMap',
  identify: (info) => ((info & 0xf0) === XLOG_RELMAP_UPDATE ? 'UPDATE' : undefined),
  decode: (record) => decodeRelmap(record),
  describe: (record) => formatRelmap(decodeRelmap(record)),
};
