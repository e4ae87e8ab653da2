/**
 * The ReplicationOrigin resource manager (RM_REPLORIGIN_ID 19; replication/origin.h
 * xl_replorigin_set, xl_replorigin_drop): typed bodies and replorigindesc.c's descriptions.
 * Like PostgreSQL, rm_identify compares the whole xl_info (XLR_INFO_MASK bits included).
 */
import { RM_REPLORIGIN_ID, XLOG_REPLORIGIN_DROP, XLOG_REPLORIGIN_SET } from '../constants.js';
import type { DecodedRecord } from '../wal/record.js';
import { lsnText, needBytes, u8, u16, u64 } from './desc-util.js';
import type { RmgrDescriptor } from './types.js';

export type ReplOriginBody =
  | { type: 'SET'; remote_lsn: bigint; node_id: number; force: boolean }
  | { type: 'DROP'; node_id: number }
  | { type: 'UNKNOWN' };

export function decodeReplOrigin(record: DecodedRecord): ReplOriginBody {
  const d = record.mainData;
  switch (record.info & 0xf0) {
    case XLOG_REPLORIGIN_SET:
      needBytes(d, 11, 'xl_replorigin_set');
      return { type: 'SET', remote_lsn: u64(d, 0), node_id: u16(d, 8), force: u8(d, 10) !== 0 };
    case XLOG_REPLORIGIN_DROP:
      needBytes(d, 2, 'xl_replorigin_drop');
      return { type: 'DROP', node_id: u16(d, 0) };
    default:
      return { type: 'UNKNOWN' };
  }
}

export function formatReplOrigin(body: ReplOriginBody): string {
  if (body.type === 'SET') return `set ${body.node_id}; lsn ${lsnText(body.remote_lsn)}; force: ${body.force ? 1 : 0}`;
  if (body.type === 'DROP') return `drop ${body.node_id}`;
  return '';
}

export const replOriginRmgr: RmgrDescriptor<ReplOriginBody> = {
  id: RM_REPLORIGIN_ID,
  name: 'ReplicationOrigin',
  identify: (info) => (info === XLOG_REPLORIGIN_SET ? 'SET' : info === XLOG_REPLORIGIN_DROP ? 'DROP' : undefined),
  decode: (record) => decodeReplOrigin(record),
  describe: (record) => formatReplOrigin(decodeReplOrigin(record)),
};
