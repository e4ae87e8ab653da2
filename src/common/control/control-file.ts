/**
 * pg_control: ControlFileData and its embedded CheckPoint (catalog/pg_control.h), stored in
 * `global/pg_control` as PG_CONTROL_FILE_SIZE (8192) bytes, zero-padded after the 296-byte
 * struct. The layout is identical in PostgreSQL 14, 15 and 16 (PG_CONTROL_VERSION 1300).
 *
 *   0 system_identifier u64   8 pg_control_version   12 catalog_version_no   16 state
 *  24 time i64               32 checkPoint          40 checkPointCopy (CheckPoint, 88 bytes)
 * 128 unloggedLSN           136 minRecoveryPoint   144 minRecoveryPointTLI
 * 152 backupStartPoint      160 backupEndPoint     168 backupEndRequired  172 wal_level
 * 176 wal_log_hints  180 MaxConnections 184 max_worker_processes 188 max_wal_senders
 * 192 max_prepared_xacts 196 max_locks_per_xact 200 track_commit_timestamp 204 maxAlign
 * 208 floatFormat f64  216 blcksz 220 relseg_size 224 xlog_blcksz 228 xlog_seg_size
 * 232 nameDataLen 236 indexMaxKeys 240 toast_max_chunk_size 244 loblksize 248 float8ByVal
 * 252 data_checksum_version  256 mock_authentication_nonce[32]  288 crc (CRC-32C of [0, 288))
 *
 * Compiler padding (20-23, 169-171, 177-179, 201-203, 249-251, 292-295 and inside CheckPoint)
 * is zero in files PostgreSQL writes; the encoder writes zeros there.
 */
import { MOCK_AUTH_NONCE_LEN, PG_CONTROL_FILE_SIZE } from '../constants.js';
import { CRC32C_INIT, crc32cFinish, crc32cUpdate } from '../core/crc32c.js';
import { hex, PgFormatError } from '../core/errors.js';
import type { Lsn } from '../core/lsn.js';
import { majorFromCatalogVersion, type PgMajor } from '../core/version.js';
import { offsetOf } from '../layout.js';
import type { PgVersionProfile } from '../profile.js';

/** PG_CONTROL_FILE_SIZE: bytes written to global/pg_control. */
/** PG_CONTROL_MAX_SAFE_SIZE: the struct must fit one disk sector. */
/** sizeof(ControlFileData) on x86-64 in 14, 15 and 16. */
export const SIZEOF_CONTROL_FILE_DATA = 296;
/** sizeof(CheckPoint). */
export const SIZEOF_CHECKPOINT = 88;
/** FLOATFORMAT_VALUE: the floatFormat field's expected content. */
export const PG_CONTROL_VERSION = 1300;

/** Offsets of ControlFileData fields (catalog/pg_control.h, x86-64), C names. */
export const ControlFileDataOffsets = {
  system_identifier: 0,
  pg_control_version: 8,
  catalog_version_no: 12,
  state: 16,
  time: 24,
  checkPoint: 32,
  checkPointCopy: 40,
  unloggedLSN: 128,
  minRecoveryPoint: 136,
  minRecoveryPointTLI: 144,
  backupStartPoint: 152,
  backupEndPoint: 160,
  backupEndRequired: 168,
  wal_level: 172,
  wal_log_hints: 176,
  MaxConnections: 180,
  max_worker_processes: 184,
  max_wal_senders: 188,
  max_prepared_xacts: 192,
  max_locks_per_xact: 196,
  track_commit_timestamp: 200,
  maxAlign: 204,
  floatFormat: 208,
  blcksz: 216,
  relseg_size: 220,
  xlog_blcksz: 224,
  xlog_seg_size: 228,
  nameDataLen: 232,
  indexMaxKeys: 236,
  toast_max_chunk_size: 240,
  loblksize: 244,
  float8ByVal: 248,
  data_checksum_version: 252,
  mock_authentication_nonce: 256,
  crc: 288,
} as const;

/** Offsets of CheckPoint fields, relative to the start of the CheckPoint struct. */
export const CheckPointOffsets = {
  redo: 0,
  ThisTimeLineID: 8,
  PrevTimeLineID: 12,
  fullPageWrites: 16,
  nextXid: 24,
  nextOid: 32,
  nextMulti: 36,
  nextMultiOffset: 40,
  oldestXid: 44,
  oldestXidDB: 48,
  oldestMulti: 52,
  oldestMultiDB: 56,
  time: 64,
  oldestCommitTsXid: 72,
  newestCommitTsXid: 76,
  oldestActiveXid: 80,
} as const;

/** DBState (catalog/pg_control.h). */
export const DBState = {
  DB_STARTUP: 0,
  DB_SHUTDOWNED: 1,
  DB_SHUTDOWNED_IN_RECOVERY: 2,
  DB_SHUTDOWNING: 3,
  DB_IN_CRASH_RECOVERY: 4,
  DB_IN_ARCHIVE_RECOVERY: 5,
  DB_IN_PRODUCTION: 6,
} as const;
export type DBStateName = keyof typeof DBState;

/** WalLevel (access/xlog.h). */
export const WalLevel = { WAL_LEVEL_MINIMAL: 0, WAL_LEVEL_REPLICA: 1, WAL_LEVEL_LOGICAL: 2 } as const;
export type WalLevelName = keyof typeof WalLevel;

const DB_STATE_NAMES: readonly DBStateName[] = Object.keys(DBState) as DBStateName[];
const WAL_LEVEL_NAMES: readonly WalLevelName[] = Object.keys(WalLevel) as WalLevelName[];

/** The C enum name of a DBState value, or undefined for a value outside the enum. */
export function dbStateName(state: number): DBStateName | undefined {
  return DB_STATE_NAMES[state];
}

/** The C enum name of a WalLevel value, or undefined for a value outside the enum. */
export function walLevelName(level: number): WalLevelName | undefined {
  return WAL_LEVEL_NAMES[level];
}

/** CheckPoint (catalog/pg_control.h). */
export interface CheckPoint {
  redo: Lsn;
  ThisTimeLineID: number;
  PrevTimeLineID: number;
  fullPageWrites: boolean;
  /** FullTransactionId: epoch << 32 | xid. */
  nextXid: bigint;
  nextOid: number;
  nextMulti: number;
  nextMultiOffset: number;
  oldestXid: number;
  oldestXidDB: number;
  oldestMulti: number;
  oldestMultiDB: number;
  /** pg_time_t: seconds since the Unix epoch. */
  time: bigint;
  oldestCommitTsXid: number;
  newestCommitTsXid: number;
  oldestActiveXid: number;
}

/** ControlFileData (catalog/pg_control.h), plus what the decoder found out about it. */
export interface ControlFileData {
  system_identifier: bigint;
  pg_control_version: number;
  catalog_version_no: number;
  /** DBState value; `dbStateName(state)` names it. */
  state: number;
  /** pg_time_t of the last pg_control update. */
  time: bigint;
  checkPoint: Lsn;
  checkPointCopy: CheckPoint;
  unloggedLSN: Lsn;
  minRecoveryPoint: Lsn;
  minRecoveryPointTLI: number;
  backupStartPoint: Lsn;
  backupEndPoint: Lsn;
  backupEndRequired: boolean;
  /** WalLevel value (int); `walLevelName(wal_level)` names it. */
  wal_level: number;
  wal_log_hints: boolean;
  MaxConnections: number;
  max_worker_processes: number;
  max_wal_senders: number;
  max_prepared_xacts: number;
  max_locks_per_xact: number;
  track_commit_timestamp: boolean;
  maxAlign: number;
  floatFormat: number;
  blcksz: number;
  relseg_size: number;
  xlog_blcksz: number;
  xlog_seg_size: number;
  nameDataLen: number;
  indexMaxKeys: number;
  toast_max_chunk_size: number;
  loblksize: number;
  float8ByVal: boolean;
  data_checksum_version: number;
  /** 32 bytes (a copy). */
  mock_authentication_nonce: Uint8Array;
  /** The CRC stored in the file. */
  crc: number;
}

export interface DecodedControlFile extends ControlFileData {
  /** The DBState name of `state` ("DB_IN_PRODUCTION", ...), undefined outside the enum. */
  stateName: DBStateName | undefined;
  /** The WalLevel name of `wal_level` ("WAL_LEVEL_REPLICA", ...), undefined outside the enum. */
  walLevelName: WalLevelName | undefined;
  /** CRC-32C of bytes [0, 288) as computed now. */
  computedCrc: number;
  crcOk: boolean;
  /** Whether pg_control_version looks byte-swapped (pg_controldata's "possible byte ordering mismatch"). */
  byteOrderMismatch: boolean;
  /** The major version catalog_version_no belongs to, if it is 14, 15 or 16. */
  major: PgMajor | undefined;
  /** Length of the file that was decoded (8192 for files PostgreSQL writes). */
  fileSize: number;
  /** Bytes after the struct (a copy); all zeros in files PostgreSQL writes. */
  trailing: Uint8Array;
}

/** An encoder input: every ControlFileData field; CRC and padding are computed. */
export type ControlFileInput = Omit<ControlFileData, 'crc'> & {
  /** Bytes after the struct; default: zeros up to PG_CONTROL_FILE_SIZE. */
  trailing?: Uint8Array;
};

/** Checks that a generated ControlFileData/CheckPoint layout agrees with the named offsets above. */
const checkedProfiles = new WeakSet<PgVersionProfile>();

function checkProfileLayout(profile: PgVersionProfile | undefined): void {
  if (profile === undefined || checkedProfiles.has(profile)) return;
  const cf = profile.layouts.ControlFileData;
  if (cf !== undefined) {
    for (const [name, off] of Object.entries(ControlFileDataOffsets)) {
      if (offsetOf(cf, name) !== off) {
        throw new PgFormatError(
          'UNSUPPORTED',
          `ControlFileData.${name} is at offset ${offsetOf(cf, name)} in PostgreSQL ${profile.major}, expected ${off}`,
        );
      }
    }
  }
  const cp = profile.layouts.CheckPoint;
  if (cp !== undefined) {
    for (const [name, off] of Object.entries(CheckPointOffsets)) {
      if (offsetOf(cp, name) !== off) {
        throw new PgFormatError(
          'UNSUPPORTED',
          `CheckPoint.${name} is at offset ${offsetOf(cp, name)} in PostgreSQL ${profile.major}, expected ${off}`,
        );
      }
    }
  }
  checkedProfiles.add(profile);
}

/** CRC-32C of ControlFileData up to its crc field, as PostgreSQL computes it. */
export function controlFileCrc(bytes: Uint8Array): number {
  if (bytes.length < ControlFileDataOffsets.crc) {
    throw new PgFormatError('TRUNCATED', `pg_control: expected at least ${ControlFileDataOffsets.crc} bytes, got ${bytes.length}`, {
      offset: 0,
    });
  }
  return crc32cFinish(crc32cUpdate(CRC32C_INIT, bytes, 0, ControlFileDataOffsets.crc));
}

/** CheckPoint at `base` (the caller has checked that 88 bytes are there): pg_control's copy and XLOG checkpoint records. */
export function decodeCheckPoint(view: DataView, base: number): CheckPoint {
  const O = CheckPointOffsets;
  return {
    redo: view.getBigUint64(base + O.redo, true),
    ThisTimeLineID: view.getUint32(base + O.ThisTimeLineID, true),
    PrevTimeLineID: view.getUint32(base + O.PrevTimeLineID, true),
    fullPageWrites: view.getUint8(base + O.fullPageWrites) !== 0,
    nextXid: view.getBigUint64(base + O.nextXid, true),
    nextOid: view.getUint32(base + O.nextOid, true),
    nextMulti: view.getUint32(base + O.nextMulti, true),
    nextMultiOffset: view.getUint32(base + O.nextMultiOffset, true),
    oldestXid: view.getUint32(base + O.oldestXid, true),
    oldestXidDB: view.getUint32(base + O.oldestXidDB, true),
    oldestMulti: view.getUint32(base + O.oldestMulti, true),
    oldestMultiDB: view.getUint32(base + O.oldestMultiDB, true),
    time: view.getBigInt64(base + O.time, true),
    oldestCommitTsXid: view.getUint32(base + O.oldestCommitTsXid, true),
    newestCommitTsXid: view.getUint32(base + O.newestCommitTsXid, true),
    oldestActiveXid: view.getUint32(base + O.oldestActiveXid, true),
  };
}

/**
 * Decodes pg_control. Like pg_controldata, it needs only sizeof(ControlFileData) bytes, and
 * a CRC mismatch or a byte-swapped version is reported (`crcOk`, `byteOrderMismatch`), not
 * thrown; a short file throws PgFormatError('TRUNCATED') worded like pg_controldata
 * ("read N of 296").
 */
export function decodeControlFile(bytes: Uint8Array, profile?: PgVersionProfile): DecodedControlFile {
  checkProfileLayout(profile);
  if (bytes.length < SIZEOF_CONTROL_FILE_DATA) {
    throw new PgFormatError('TRUNCATED', `could not read file "global/pg_control": read ${bytes.length} of ${SIZEOF_CONTROL_FILE_DATA}`, {
      offset: bytes.length,
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const O = ControlFileDataOffsets;
  const u32 = (off: number): number => view.getUint32(off, true);
  const i32 = (off: number): number => view.getInt32(off, true);
  const u64 = (off: number): bigint => view.getBigUint64(off, true);
  const bool = (off: number): boolean => view.getUint8(off) !== 0;
  const pg_control_version = u32(O.pg_control_version);
  const catalog_version_no = u32(O.catalog_version_no);
  const crc = u32(O.crc);
  const computedCrc = controlFileCrc(bytes);
  return {
    system_identifier: u64(O.system_identifier),
    pg_control_version,
    catalog_version_no,
    state: u32(O.state),
    time: view.getBigInt64(O.time, true),
    checkPoint: u64(O.checkPoint),
    checkPointCopy: decodeCheckPoint(view, O.checkPointCopy),
    unloggedLSN: u64(O.unloggedLSN),
    minRecoveryPoint: u64(O.minRecoveryPoint),
    minRecoveryPointTLI: u32(O.minRecoveryPointTLI),
    backupStartPoint: u64(O.backupStartPoint),
    backupEndPoint: u64(O.backupEndPoint),
    backupEndRequired: bool(O.backupEndRequired),
    wal_level: i32(O.wal_level),
    wal_log_hints: bool(O.wal_log_hints),
    MaxConnections: i32(O.MaxConnections),
    max_worker_processes: i32(O.max_worker_processes),
    max_wal_senders: i32(O.max_wal_senders),
    max_prepared_xacts: i32(O.max_prepared_xacts),
    max_locks_per_xact: i32(O.max_locks_per_xact),
    track_commit_timestamp: bool(O.track_commit_timestamp),
    maxAlign: u32(O.maxAlign),
    floatFormat: view.getFloat64(O.floatFormat, true),
    blcksz: u32(O.blcksz),
    relseg_size: u32(O.relseg_size),
    xlog_blcksz: u32(O.xlog_blcksz),
    xlog_seg_size: u32(O.xlog_seg_size),
    nameDataLen: u32(O.nameDataLen),
    indexMaxKeys: u32(O.indexMaxKeys),
    toast_max_chunk_size: u32(O.toast_max_chunk_size),
    loblksize: u32(O.loblksize),
    float8ByVal: bool(O.float8ByVal),
    data_checksum_version: u32(O.data_checksum_version),
    mock_authentication_nonce: bytes.slice(O.mock_authentication_nonce, O.mock_authentication_nonce + MOCK_AUTH_NONCE_LEN),
    crc,
    stateName: dbStateName(view.getUint32(O.state, true)),
    walLevelName: walLevelName(view.getInt32(O.wal_level, true)),
    computedCrc,
    crcOk: crc === computedCrc,
    byteOrderMismatch: pg_control_version % 65536 === 0 && pg_control_version / 65536 !== 0,
    major: majorFromCatalogVersion(catalog_version_no),
    fileSize: bytes.length,
    trailing: bytes.slice(SIZEOF_CONTROL_FILE_DATA),
  };
}

/**
 * Like `decodeControlFile`, but throws unless the file is one a server would start with:
 * CRC, byte order and PG_CONTROL_VERSION (and, with a profile, CATALOG_VERSION_NO) checked,
 * with the backend's wording (ReadControlFile in xlog.c).
 */
export function decodeControlFileStrict(bytes: Uint8Array, profile?: PgVersionProfile): DecodedControlFile {
  const c = decodeControlFile(bytes, profile);
  if (c.pg_control_version !== PG_CONTROL_VERSION && c.byteOrderMismatch) {
    throw new PgFormatError(
      'BAD_MAGIC',
      `database files are incompatible with server: The database cluster was initialized with PG_CONTROL_VERSION ${c.pg_control_version} (0x${hex(c.pg_control_version)}), but the server was compiled with PG_CONTROL_VERSION ${PG_CONTROL_VERSION} (0x${hex(PG_CONTROL_VERSION)}). This could be a problem of mismatched byte ordering.`,
      { offset: ControlFileDataOffsets.pg_control_version },
    );
  }
  if (c.pg_control_version !== PG_CONTROL_VERSION) {
    throw new PgFormatError(
      'BAD_VERSION',
      `database files are incompatible with server: The database cluster was initialized with PG_CONTROL_VERSION ${c.pg_control_version}, but the server was compiled with PG_CONTROL_VERSION ${PG_CONTROL_VERSION}.`,
      { offset: ControlFileDataOffsets.pg_control_version },
    );
  }
  if (!c.crcOk) {
    throw new PgFormatError('CRC_MISMATCH', `incorrect checksum in control file: crc=${hex(c.crc)}, expected ${hex(c.computedCrc)}`, {
      offset: ControlFileDataOffsets.crc,
    });
  }
  if (profile !== undefined && c.catalog_version_no !== profile.CATALOG_VERSION_NO) {
    throw new PgFormatError(
      'BAD_VERSION',
      `database files are incompatible with server: The database cluster was initialized with CATALOG_VERSION_NO ${c.catalog_version_no}, but the server was compiled with CATALOG_VERSION_NO ${profile.CATALOG_VERSION_NO}.`,
      { offset: ControlFileDataOffsets.catalog_version_no },
    );
  }
  return c;
}

function encodeCheckPoint(view: DataView, base: number, cp: CheckPoint): void {
  const O = CheckPointOffsets;
  view.setBigUint64(base + O.redo, BigInt.asUintN(64, cp.redo), true);
  view.setUint32(base + O.ThisTimeLineID, cp.ThisTimeLineID >>> 0, true);
  view.setUint32(base + O.PrevTimeLineID, cp.PrevTimeLineID >>> 0, true);
  view.setUint8(base + O.fullPageWrites, cp.fullPageWrites ? 1 : 0);
  view.setBigUint64(base + O.nextXid, BigInt.asUintN(64, cp.nextXid), true);
  view.setUint32(base + O.nextOid, cp.nextOid >>> 0, true);
  view.setUint32(base + O.nextMulti, cp.nextMulti >>> 0, true);
  view.setUint32(base + O.nextMultiOffset, cp.nextMultiOffset >>> 0, true);
  view.setUint32(base + O.oldestXid, cp.oldestXid >>> 0, true);
  view.setUint32(base + O.oldestXidDB, cp.oldestXidDB >>> 0, true);
  view.setUint32(base + O.oldestMulti, cp.oldestMulti >>> 0, true);
  view.setUint32(base + O.oldestMultiDB, cp.oldestMultiDB >>> 0, true);
  view.setBigInt64(base + O.time, BigInt.asIntN(64, cp.time), true);
  view.setUint32(base + O.oldestCommitTsXid, cp.oldestCommitTsXid >>> 0, true);
  view.setUint32(base + O.newestCommitTsXid, cp.newestCommitTsXid >>> 0, true);
  view.setUint32(base + O.oldestActiveXid, cp.oldestActiveXid >>> 0, true);
}

/**
 * Encodes pg_control: the struct, its CRC-32C recomputed, then `trailing` (default: zeros to
 * PG_CONTROL_FILE_SIZE). `encodeControlFile(decodeControlFile(b))` returns `b` byte for byte.
 */
export function encodeControlFile(control: ControlFileInput, profile?: PgVersionProfile): Uint8Array {
  checkProfileLayout(profile);
  if (control.mock_authentication_nonce.length !== MOCK_AUTH_NONCE_LEN) {
    throw new PgFormatError(
      'BAD_LENGTH',
      `mock_authentication_nonce: expected ${MOCK_AUTH_NONCE_LEN} bytes, got ${control.mock_authentication_nonce.length}`,
    );
  }
  const trailing = control.trailing ?? new Uint8Array(PG_CONTROL_FILE_SIZE - SIZEOF_CONTROL_FILE_DATA);
  const out = new Uint8Array(SIZEOF_CONTROL_FILE_DATA + trailing.length);
  const view = new DataView(out.buffer);
  const O = ControlFileDataOffsets;
  const u32 = (off: number, v: number): void => view.setUint32(off, v >>> 0, true);
  const i32 = (off: number, v: number): void => view.setInt32(off, v | 0, true);
  const u64 = (off: number, v: bigint): void => view.setBigUint64(off, BigInt.asUintN(64, v), true);
  const bool = (off: number, v: boolean): void => view.setUint8(off, v ? 1 : 0);
  u64(O.system_identifier, control.system_identifier);
  u32(O.pg_control_version, control.pg_control_version);
  u32(O.catalog_version_no, control.catalog_version_no);
  u32(O.state, control.state);
  view.setBigInt64(O.time, BigInt.asIntN(64, control.time), true);
  u64(O.checkPoint, control.checkPoint);
  encodeCheckPoint(view, O.checkPointCopy, control.checkPointCopy);
  u64(O.unloggedLSN, control.unloggedLSN);
  u64(O.minRecoveryPoint, control.minRecoveryPoint);
  u32(O.minRecoveryPointTLI, control.minRecoveryPointTLI);
  u64(O.backupStartPoint, control.backupStartPoint);
  u64(O.backupEndPoint, control.backupEndPoint);
  bool(O.backupEndRequired, control.backupEndRequired);
  i32(O.wal_level, control.wal_level);
  bool(O.wal_log_hints, control.wal_log_hints);
  i32(O.MaxConnections, control.MaxConnections);
  i32(O.max_worker_processes, control.max_worker_processes);
  i32(O.max_wal_senders, control.max_wal_senders);
  i32(O.max_prepared_xacts, control.max_prepared_xacts);
  i32(O.max_locks_per_xact, control.max_locks_per_xact);
  bool(O.track_commit_timestamp, control.track_commit_timestamp);
  u32(O.maxAlign, control.maxAlign);
  view.setFloat64(O.floatFormat, control.floatFormat, true);
  u32(O.blcksz, control.blcksz);
  u32(O.relseg_size, control.relseg_size);
  u32(O.xlog_blcksz, control.xlog_blcksz);
  u32(O.xlog_seg_size, control.xlog_seg_size);
  u32(O.nameDataLen, control.nameDataLen);
  u32(O.indexMaxKeys, control.indexMaxKeys);
  u32(O.toast_max_chunk_size, control.toast_max_chunk_size);
  u32(O.loblksize, control.loblksize);
  bool(O.float8ByVal, control.float8ByVal);
  u32(O.data_checksum_version, control.data_checksum_version);
  out.set(control.mock_authentication_nonce, O.mock_authentication_nonce);
  u32(O.crc, controlFileCrc(out));
  out.set(trailing, SIZEOF_CONTROL_FILE_DATA);
  return out;
}
