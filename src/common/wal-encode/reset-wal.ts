/**
 * A fresh WAL start, as pg_resetwal's RewriteControlFile + WriteEmptyXLOG
 * (src/bin/pg_resetwal/pg_resetwal.c) make it, and as Neon's generate_wal_segment does for a
 * compute node: one segment whose first page has a long header (xlp_pageaddr = segment start,
 * xlp_sysid, xlp_seg_size, xlp_xlog_blcksz) followed by an XLOG_CHECKPOINT_SHUTDOWN record
 * (main data = the CheckPoint struct of catalog/pg_control.h, xl_prev 0) at segment start +
 * SizeOfXLogLongPHD, the rest zero; and a pg_control whose checkPoint and checkPointCopy.redo
 * point at that record, state DB_SHUTDOWNED, recovery/backup fields cleared and the
 * max_* settings at pg_resetwal's defaults (the server resets them at startup).
 */
import { RM_XLOG_ID, SizeOfXLogLongPHD, XLOG_CHECKPOINT_SHUTDOWN } from '../constants.js';
import {
  type CheckPoint,
  CheckPointOffsets,
  type ControlFileData,
  type ControlFileInput,
  DBState,
  encodeControlFile,
  SIZEOF_CHECKPOINT,
  WalLevel,
} from '../control/control-file.js';
import { PgFormatError } from '../core/errors.js';
import type { Lsn } from '../core/lsn.js';
import { isValidWalSegSize, walFileName } from '../core/wal-file-names.js';
import type { PgVersionProfile } from '../profile.js';
import { type AppendedRecord, WalEncoder } from './wal-encoder.js';

/** The CheckPoint struct as stored in a checkpoint record's main data (88 bytes, padding zero). */
export function encodeCheckPoint(cp: CheckPoint): Uint8Array {
  const out = new Uint8Array(SIZEOF_CHECKPOINT);
  const v = new DataView(out.buffer);
  const O = CheckPointOffsets;
  v.setBigUint64(O.redo, BigInt.asUintN(64, cp.redo), true);
  v.setUint32(O.ThisTimeLineID, cp.ThisTimeLineID >>> 0, true);
  v.setUint32(O.PrevTimeLineID, cp.PrevTimeLineID >>> 0, true);
  v.setUint8(O.fullPageWrites, cp.fullPageWrites ? 1 : 0);
  v.setBigUint64(O.nextXid, BigInt.asUintN(64, cp.nextXid), true);
  v.setUint32(O.nextOid, cp.nextOid >>> 0, true);
  v.setUint32(O.nextMulti, cp.nextMulti >>> 0, true);
  v.setUint32(O.nextMultiOffset, cp.nextMultiOffset >>> 0, true);
  v.setUint32(O.oldestXid, cp.oldestXid >>> 0, true);
  v.setUint32(O.oldestXidDB, cp.oldestXidDB >>> 0, true);
  v.setUint32(O.oldestMulti, cp.oldestMulti >>> 0, true);
  v.setUint32(O.oldestMultiDB, cp.oldestMultiDB >>> 0, true);
  v.setBigInt64(O.time, BigInt.asIntN(64, cp.time), true);
  v.setUint32(O.oldestCommitTsXid, cp.oldestCommitTsXid >>> 0, true);
  v.setUint32(O.newestCommitTsXid, cp.newestCommitTsXid >>> 0, true);
  v.setUint32(O.oldestActiveXid, cp.oldestActiveXid >>> 0, true);
  return out;
}

export interface ResetWalOptions {
  /** The current pg_control (decoded). */
  readonly control: ControlFileData;
  readonly profile: PgVersionProfile;
  /** The new WAL starts in this segment (pg_resetwal -l); must be past the old WAL. */
  readonly segno: bigint;
  /** New timeline (default: the checkpoint's; a higher one also becomes PrevTimeLineID, as pg_resetwal -l does). */
  readonly timeline?: number;
  /** pg_time_t for ControlFileData.time and CheckPoint.time (default: now). */
  readonly time?: bigint;
  /** pg_time_t for CheckPoint.time only (default: `time`; pg_resetwal reads the clock twice). */
  readonly checkpointTime?: bigint;
}

export interface ResetWal {
  /** Segment file name (TLI + segno). */
  readonly fileName: string;
  readonly segno: bigint;
  /** The whole segment (xlog_seg_size bytes). */
  readonly segment: Uint8Array;
  /** LSN of the shutdown checkpoint record (= checkPoint = redo). */
  readonly checkpointLsn: Lsn;
  /** Where the server will insert its first record. */
  readonly endLsn: Lsn;
  readonly checkpointRecord: AppendedRecord;
  /** The new pg_control (PG_CONTROL_FILE_SIZE bytes, CRC set). */
  readonly controlFile: Uint8Array;
  /** The values encoded into controlFile. */
  readonly controlData: ControlFileInput;
}

/** The first segment at or after `lsn` (a segment start, or the one after the segment holding it). */
export function firstSegmentAtOrAfter(lsn: Lsn, segmentSize: number): bigint {
  const size = BigInt(segmentSize);
  return (lsn + size - 1n) / size;
}

/** Builds the new segment and pg_control of a WAL reset (see the file comment). */
export function buildResetWal(options: ResetWalOptions): ResetWal {
  const { control, profile } = options;
  const segSize = control.xlog_seg_size;
  if (!isValidWalSegSize(segSize)) {
    throw new PgFormatError('BAD_ARGUMENT', `pg_control has an invalid WAL segment size ${segSize}`);
  }
  if (control.xlog_blcksz !== profile.XLOG_BLCKSZ) {
    throw new PgFormatError('BAD_ARGUMENT', `pg_control has XLOG_BLCKSZ ${control.xlog_blcksz}, expected ${profile.XLOG_BLCKSZ}`);
  }
  if (options.segno <= 0n) throw new PgFormatError('BAD_ARGUMENT', `invalid segment number ${options.segno}`);
  const time = options.time ?? BigInt(Math.floor(Date.now() / 1000));
  const redo = options.segno * BigInt(segSize) + BigInt(SizeOfXLogLongPHD);
  const old = control.checkPointCopy;
  let tli = old.ThisTimeLineID;
  let prevTli = old.PrevTimeLineID;
  if (options.timeline !== undefined && options.timeline !== tli) {
    if (options.timeline < 1) throw new PgFormatError('BAD_ARGUMENT', `invalid timeline ${options.timeline}`);
    tli = options.timeline;
    prevTli = options.timeline;
  }
  const checkPoint: CheckPoint = { ...old, redo, ThisTimeLineID: tli, PrevTimeLineID: prevTli, time: options.checkpointTime ?? time };
  const enc = new WalEncoder({
    profile,
    systemIdentifier: control.system_identifier,
    startLsn: options.segno * BigInt(segSize),
    timeline: tli,
    segmentSize: segSize,
  });
  const rec = enc.append({ rmid: RM_XLOG_ID, info: XLOG_CHECKPOINT_SHUTDOWN, mainData: encodeCheckPoint(checkPoint) });
  if (rec.lsn !== redo) throw new PgFormatError('BAD_ARGUMENT', 'internal: checkpoint record is not at the segment start');
  const segment = new Uint8Array(segSize);
  for (const p of enc.takePages()) segment.set(p.bytes, Number(p.lsn - options.segno * BigInt(segSize)));
  const controlData: ControlFileInput = {
    ...control,
    state: DBState.DB_SHUTDOWNED,
    time,
    checkPoint: redo,
    checkPointCopy: checkPoint,
    minRecoveryPoint: 0n,
    minRecoveryPointTLI: 0,
    backupStartPoint: 0n,
    backupEndPoint: 0n,
    backupEndRequired: false,
    wal_level: WalLevel.WAL_LEVEL_MINIMAL,
    wal_log_hints: false,
    track_commit_timestamp: false,
    MaxConnections: 100,
    max_wal_senders: 10,
    max_worker_processes: 8,
    max_prepared_xacts: 0,
    max_locks_per_xact: 64,
  };
  delete (controlData as { crc?: number }).crc;
  return {
    fileName: walFileName(tli, options.segno, segSize),
    segno: options.segno,
    segment,
    checkpointLsn: redo,
    endLsn: rec.endLsn,
    checkpointRecord: rec,
    controlFile: encodeControlFile(controlData, profile),
    controlData,
  };
}
