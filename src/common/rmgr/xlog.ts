/**
 * The XLOG resource manager (RM_XLOG_ID 0; catalog/pg_control.h CheckPoint, access/xlog_internal.h
 * xl_parameter_change, xl_restore_point, xl_end_of_recovery, xl_overwrite_contrecord): typed bodies
 * and xlogdesc.c's descriptions, identical in 14, 15 and 16.
 */

import {
  RM_XLOG_ID,
  XLOG_BACKUP_END,
  XLOG_CHECKPOINT_ONLINE,
  XLOG_CHECKPOINT_SHUTDOWN,
  XLOG_END_OF_RECOVERY,
  XLOG_FPI,
  XLOG_FPI_FOR_HINT,
  XLOG_FPW_CHANGE,
  XLOG_NEXTOID,
  XLOG_NOOP,
  XLOG_OVERWRITE_CONTRECORD,
  XLOG_PARAMETER_CHANGE,
  XLOG_RESTORE_POINT,
  XLOG_SWITCH,
} from '../constants.js';
import { type CheckPoint, decodeCheckPoint } from '../control/control-file.js';
import type { PgVersionProfile } from '../profile.js';
import type { DecodedRecord } from '../wal/record.js';
import {
  cstringAt,
  DEFAULT_DESCRIBE_OPTIONS,
  type DescribeOptions,
  i32,
  i64,
  lsnText,
  needBytes,
  timestamptzToStr,
  u8,
  u32,
  u64,
} from './desc-util.js';
import type { RmgrDescriptor } from './types.js';

const NAMES: Readonly<Record<number, string>> = {
  [XLOG_CHECKPOINT_SHUTDOWN]: 'CHECKPOINT_SHUTDOWN',
  [XLOG_CHECKPOINT_ONLINE]: 'CHECKPOINT_ONLINE',
  [XLOG_NOOP]: 'NOOP',
  [XLOG_NEXTOID]: 'NEXTOID',
  [XLOG_SWITCH]: 'SWITCH',
  [XLOG_BACKUP_END]: 'BACKUP_END',
  [XLOG_PARAMETER_CHANGE]: 'PARAMETER_CHANGE',
  [XLOG_RESTORE_POINT]: 'RESTORE_POINT',
  [XLOG_FPW_CHANGE]: 'FPW_CHANGE',
  [XLOG_END_OF_RECOVERY]: 'END_OF_RECOVERY',
  [XLOG_OVERWRITE_CONTRECORD]: 'OVERWRITE_CONTRECORD',
  [XLOG_FPI]: 'FPI',
  [XLOG_FPI_FOR_HINT]: 'FPI_FOR_HINT',
};

export type { CheckPoint };

export interface XlParameterChange {
  MaxConnections: number;
  max_worker_processes: number;
  max_wal_senders: number;
  max_prepared_xacts: number;
  max_locks_per_xact: number;
  wal_level: number;
  wal_log_hints: boolean;
  track_commit_timestamp: boolean;
}

export type XlogBody =
  | { type: 'CHECKPOINT_SHUTDOWN' | 'CHECKPOINT_ONLINE'; checkpoint: CheckPoint }
  | { type: 'NEXTOID'; nextOid: number }
  | { type: 'RESTORE_POINT'; rp_time: bigint; rp_name: string }
  | { type: 'BACKUP_END'; startpoint: bigint }
  | { type: 'PARAMETER_CHANGE'; params: XlParameterChange }
  | { type: 'FPW_CHANGE'; fpw: boolean }
  | { type: 'END_OF_RECOVERY'; end_time: bigint; ThisTimeLineID: number; PrevTimeLineID: number }
  | { type: 'OVERWRITE_CONTRECORD'; overwritten_lsn: bigint; overwrite_time: bigint }
  | { type: 'NOOP' | 'SWITCH' | 'FPI' | 'FPI_FOR_HINT' | 'UNKNOWN' };

function decodeCheckPointRecord(d: Uint8Array): CheckPoint {
  needBytes(d, 88, 'CheckPoint');
  return decodeCheckPoint(new DataView(d.buffer, d.byteOffset, d.byteLength), 0);
}

export function decodeXlog(record: DecodedRecord): XlogBody {
  const info = record.info & 0xf0;
  const d = record.mainData;
  switch (info) {
    case XLOG_CHECKPOINT_SHUTDOWN:
      return { type: 'CHECKPOINT_SHUTDOWN', checkpoint: decodeCheckPointRecord(d) };
    case XLOG_CHECKPOINT_ONLINE:
      return { type: 'CHECKPOINT_ONLINE', checkpoint: decodeCheckPointRecord(d) };
    case XLOG_NEXTOID:
      needBytes(d, 4, 'XLOG_NEXTOID');
      return { type: 'NEXTOID', nextOid: u32(d, 0) };
    case XLOG_RESTORE_POINT:
      needBytes(d, 8, 'xl_restore_point');
      return { type: 'RESTORE_POINT', rp_time: i64(d, 0), rp_name: cstringAt(d, 8, 64) };
    case XLOG_BACKUP_END:
      needBytes(d, 8, 'XLOG_BACKUP_END');
      return { type: 'BACKUP_END', startpoint: u64(d, 0) };
    case XLOG_PARAMETER_CHANGE:
      needBytes(d, 26, 'xl_parameter_change');
      return {
        type: 'PARAMETER_CHANGE',
        params: {
          MaxConnections: i32(d, 0),
          max_worker_processes: i32(d, 4),
          max_wal_senders: i32(d, 8),
          max_prepared_xacts: i32(d, 12),
          max_locks_per_xact: i32(d, 16),
          wal_level: i32(d, 20),
          wal_log_hints: u8(d, 24) !== 0,
          track_commit_timestamp: u8(d, 25) !== 0,
        },
      };
    case XLOG_FPW_CHANGE:
      needBytes(d, 1, 'XLOG_FPW_CHANGE');
      return { type: 'FPW_CHANGE', fpw: u8(d, 0) !== 0 };
    case XLOG_END_OF_RECOVERY:
      needBytes(d, 16, 'xl_end_of_recovery');
      return { type: 'END_OF_RECOVERY', end_time: i64(d, 0), ThisTimeLineID: u32(d, 8), PrevTimeLineID: u32(d, 12) };
    case XLOG_OVERWRITE_CONTRECORD:
      needBytes(d, 16, 'xl_overwrite_contrecord');
      return { type: 'OVERWRITE_CONTRECORD', overwritten_lsn: u64(d, 0), overwrite_time: i64(d, 8) };
    case XLOG_NOOP:
      return { type: 'NOOP' };
    case XLOG_SWITCH:
      return { type: 'SWITCH' };
    case XLOG_FPI:
      return { type: 'FPI' };
    case XLOG_FPI_FOR_HINT:
      return { type: 'FPI_FOR_HINT' };
    default:
      return { type: 'UNKNOWN' };
  }
}

/** wal_level_options: the first entry whose value matches (deprecated aliases come after). */
function walLevelName(level: number): string {
  if (level === 0) return 'minimal';
  if (level === 1) return 'replica';
  if (level === 2) return 'logical';
  return '?';
}

export function formatXlog(body: XlogBody, options: DescribeOptions = DEFAULT_DESCRIBE_OPTIONS): string {
  switch (body.type) {
    case 'CHECKPOINT_SHUTDOWN':
    case 'CHECKPOINT_ONLINE': {
      const c = body.checkpoint;
      return (
        `redo ${lsnText(c.redo)}; tli ${c.ThisTimeLineID}; prev tli ${c.PrevTimeLineID}; fpw ${c.fullPageWrites ? 'true' : 'false'}; ` +
        `xid ${c.nextXid >> 32n}:${c.nextXid & 0xffffffffn}; oid ${c.nextOid}; multi ${c.nextMulti}; offset ${c.nextMultiOffset}; ` +
        `oldest xid ${c.oldestXid} in DB ${c.oldestXidDB}; oldest multi ${c.oldestMulti} in DB ${c.oldestMultiDB}; ` +
        `oldest/newest commit timestamp xid: ${c.oldestCommitTsXid}/${c.newestCommitTsXid}; ` +
        `oldest running xid ${c.oldestActiveXid}; ${body.type === 'CHECKPOINT_SHUTDOWN' ? 'shutdown' : 'online'}`
      );
    }
    case 'NEXTOID':
      return String(body.nextOid);
    case 'RESTORE_POINT':
      return body.rp_name;
    case 'BACKUP_END':
      return lsnText(body.startpoint);
    case 'PARAMETER_CHANGE': {
      const p = body.params;
      return (
        `max_connections=${p.MaxConnections} max_worker_processes=${p.max_worker_processes} ` +
        `max_wal_senders=${p.max_wal_senders} max_prepared_xacts=${p.max_prepared_xacts} ` +
        `max_locks_per_xact=${p.max_locks_per_xact} wal_level=${walLevelName(p.wal_level)} ` +
        `wal_log_hints=${p.wal_log_hints ? 'on' : 'off'} track_commit_timestamp=${p.track_commit_timestamp ? 'on' : 'off'}`
      );
    }
    case 'FPW_CHANGE':
      return body.fpw ? 'true' : 'false';
    case 'END_OF_RECOVERY':
      return `tli ${body.ThisTimeLineID}; prev tli ${body.PrevTimeLineID}; time ${timestamptzToStr(body.end_time, options)}`;
    case 'OVERWRITE_CONTRECORD':
      return `lsn ${lsnText(body.overwritten_lsn)}; time ${timestamptzToStr(body.overwrite_time, options)}`;
    default:
      return '';
  }
}

export const xlogRmgr: RmgrDescriptor<XlogBody> & {
  describeWith(record: DecodedRecord, profile: PgVersionProfile, options: DescribeOptions): string;
} = {
  id: RM_XLOG_ID,
  name: 'XLOG',
  identify: (info) => NAMES[info & 0xf0],
  decode: (record) => decodeXlog(record),
  describe: (record) => formatXlog(decodeXlog(record)),
  describeWith: (record, _profile, options) => formatXlog(decodeXlog(record), options),
};
