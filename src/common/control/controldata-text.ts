/**
 * pg_controldata's output (src/bin/pg_controldata/pg_controldata.c, identical in 14, 15 and
 * 16 in the C locale) and a JSON form of the same facts, from a decoded pg_control
 * (catalog/pg_control.h).
 */
import { MOCK_AUTH_NONCE_LEN } from '../constants.js';
import { formatLsn } from '../core/lsn.js';
import type { DecodedControlFile } from './control-file.js';

const DB_STATE_TEXT = [
  'starting up',
  'shut down',
  'shut down in recovery',
  'shutting down',
  'in crash recovery',
  'in archive recovery',
  'in production',
] as const;

const WAL_LEVEL_TEXT = ['minimal', 'replica', 'logical'] as const;

/** dbState() of pg_controldata. */
export function dbStateText(state: number): string {
  return DB_STATE_TEXT[state] ?? 'unrecognized status code';
}

/** wal_level_str() of pg_controldata. */
export function walLevelText(level: number): string {
  return WAL_LEVEL_TEXT[level] ?? 'unrecognized wal_level';
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
/** The range of a JS Date, in seconds. */
const MAX_DATE_SECONDS = 8_640_000_000_000n;
/** 400 Gregorian years: calendar and weekdays repeat, and so do the POSIX rules a zone uses far from today. */
const GREGORIAN_CYCLE_SECONDS = 146_097n * 86_400n;
const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;

export type TimeZoneMode = 'local' | 'UTC';

/**
 * strftime("%c") of the C locale ("%a %b %e %H:%M:%S %Y") for a pg_time_t, in the local time
 * zone of this JS runtime (TZ) or in UTC; "???" where glibc's localtime() fails (the year
 * does not fit tm_year). Times beyond a JS Date's range are moved by whole 400-year cycles
 * into it, and the year moved back.
 */
export function formatPgTime(seconds: bigint, zone: TimeZoneMode = 'local'): string {
  let cycles = 0n;
  const margin = MAX_DATE_SECONDS - GREGORIAN_CYCLE_SECONDS;
  if (seconds > margin) cycles = (seconds - margin) / GREGORIAN_CYCLE_SECONDS + 1n;
  else if (seconds < -margin) cycles = -((-seconds - margin) / GREGORIAN_CYCLE_SECONDS + 1n);
  const d = new Date(Number(seconds - cycles * GREGORIAN_CYCLE_SECONDS) * 1000);
  const utc = zone === 'UTC';
  const year = BigInt(utc ? d.getUTCFullYear() : d.getFullYear()) + cycles * 400n;
  if (year - 1900n < INT_MIN || year - 1900n > INT_MAX) return '???';
  const month = utc ? d.getUTCMonth() : d.getMonth();
  const day = utc ? d.getUTCDate() : d.getDate();
  const wday = utc ? d.getUTCDay() : d.getDay();
  const h = utc ? d.getUTCHours() : d.getHours();
  const m = utc ? d.getUTCMinutes() : d.getMinutes();
  const s = utc ? d.getUTCSeconds() : d.getSeconds();
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[wday]} ${MONTHS[month]} ${String(day).padStart(2, ' ')} ${two(h)}:${two(m)}:${two(s)} ${year}`;
}

/** IsValidWalSegSize of a (signed, as pg_controldata reads it) segment size. */
function validSegSize(size: number): boolean {
  return size >= 1024 * 1024 && size <= 1024 * 1024 * 1024 && (size & (size - 1)) === 0;
}

const hex8 = (n: bigint): string => n.toString(16).toUpperCase().padStart(8, '0');

/** "Latest checkpoint's REDO WAL file": XLogFileName of redo, or "???" for a segment size <= 0. */
export function redoWalFileName(control: DecodedControlFile): string {
  const segSize = control.xlog_seg_size | 0;
  if (segSize <= 0) return '???';
  const size = BigInt(segSize);
  const segno = control.checkPointCopy.redo / size;
  const perId = 0x1_0000_0000n / size;
  if (perId === 0n) return '???';
  const tli = BigInt(control.checkPointCopy.ThisTimeLineID);
  return `${hex8(tli)}${hex8((segno / perId) & 0xffff_ffffn)}${hex8((segno % perId) & 0xffff_ffffn)}`;
}

function nonceHex(nonce: Uint8Array): string {
  let s = '';
  for (let i = 0; i < MOCK_AUTH_NONCE_LEN; i++) s += (nonce[i] ?? 0).toString(16).padStart(2, '0');
  return s;
}

const onOff = (b: boolean): string => (b ? 'on' : 'off');

/** The lines pg_controldata writes to stderr (its pg_log_warning), without the program-name prefix. */
export function controlDataStderrWarnings(control: DecodedControlFile): string[] {
  if (!control.byteOrderMismatch) return [];
  return [
    'possible byte ordering mismatch\n' +
      'The byte ordering used to store the pg_control file might not match the one\n' +
      'used by this program.  In that case the results below would be incorrect, and\n' +
      'the PostgreSQL installation would be incompatible with this data directory.',
  ];
}

/** pg_controldata's standard output for this control file, byte for byte (C locale). */
export function formatControlData(control: DecodedControlFile, zone: TimeZoneMode = 'local'): string {
  const out: string[] = [];
  if (!control.crcOk) {
    out.push(
      'WARNING: Calculated CRC checksum does not match value stored in file.\n' +
        'Either the file is corrupt, or it has a different layout than this program\n' +
        'is expecting.  The results below are untrustworthy.\n\n',
    );
  }
  const segSize = control.xlog_seg_size | 0;
  if (!validSegSize(segSize)) {
    out.push('WARNING: invalid WAL segment size\n');
    out.push(
      `The WAL segment size stored in the file, ${segSize} ${segSize === 1 ? 'byte' : 'bytes'}, is not a power of two\n` +
        'between 1 MB and 1 GB.  The file is corrupt and the results below are\n' +
        'untrustworthy.\n\n',
    );
  }
  const cp = control.checkPointCopy;
  const line = (label: string, value: string | number | bigint): void => {
    out.push(`${label}${value}\n`);
  };
  line('pg_control version number:            ', control.pg_control_version);
  line('Catalog version number:               ', control.catalog_version_no);
  line('Database system identifier:           ', control.system_identifier);
  line('Database cluster state:               ', dbStateText(control.state));
  line('pg_control last modified:             ', formatPgTime(control.time, zone));
  line('Latest checkpoint location:           ', formatLsn(control.checkPoint));
  line("Latest checkpoint's REDO location:    ", formatLsn(cp.redo));
  line("Latest checkpoint's REDO WAL file:    ", redoWalFileName(control));
  line("Latest checkpoint's TimeLineID:       ", cp.ThisTimeLineID);
  line("Latest checkpoint's PrevTimeLineID:   ", cp.PrevTimeLineID);
  line("Latest checkpoint's full_page_writes: ", onOff(cp.fullPageWrites));
  line("Latest checkpoint's NextXID:          ", `${cp.nextXid >> 32n}:${cp.nextXid & 0xffff_ffffn}`);
  line("Latest checkpoint's NextOID:          ", cp.nextOid);
  line("Latest checkpoint's NextMultiXactId:  ", cp.nextMulti);
  line("Latest checkpoint's NextMultiOffset:  ", cp.nextMultiOffset);
  line("Latest checkpoint's oldestXID:        ", cp.oldestXid);
  line("Latest checkpoint's oldestXID's DB:   ", cp.oldestXidDB);
  line("Latest checkpoint's oldestActiveXID:  ", cp.oldestActiveXid);
  line("Latest checkpoint's oldestMultiXid:   ", cp.oldestMulti);
  line("Latest checkpoint's oldestMulti's DB: ", cp.oldestMultiDB);
  line("Latest checkpoint's oldestCommitTsXid:", cp.oldestCommitTsXid);
  line("Latest checkpoint's newestCommitTsXid:", cp.newestCommitTsXid);
  line('Time of latest checkpoint:            ', formatPgTime(cp.time, zone));
  line('Fake LSN counter for unlogged rels:   ', formatLsn(control.unloggedLSN));
  line('Minimum recovery ending location:     ', formatLsn(control.minRecoveryPoint));
  line("Min recovery ending loc's timeline:   ", control.minRecoveryPointTLI);
  line('Backup start location:                ', formatLsn(control.backupStartPoint));
  line('Backup end location:                  ', formatLsn(control.backupEndPoint));
  line('End-of-backup record required:        ', control.backupEndRequired ? 'yes' : 'no');
  line('wal_level setting:                    ', walLevelText(control.wal_level));
  line('wal_log_hints setting:                ', onOff(control.wal_log_hints));
  line('max_connections setting:              ', control.MaxConnections);
  line('max_worker_processes setting:         ', control.max_worker_processes);
  line('max_wal_senders setting:              ', control.max_wal_senders);
  line('max_prepared_xacts setting:           ', control.max_prepared_xacts);
  line('max_locks_per_xact setting:           ', control.max_locks_per_xact);
  line('track_commit_timestamp setting:       ', onOff(control.track_commit_timestamp));
  line('Maximum data alignment:               ', control.maxAlign);
  line('Database block size:                  ', control.blcksz);
  line('Blocks per segment of large relation: ', control.relseg_size);
  line('WAL block size:                       ', control.xlog_blcksz);
  line('Bytes per WAL segment:                ', control.xlog_seg_size);
  line('Maximum length of identifiers:        ', control.nameDataLen);
  line('Maximum columns in an index:          ', control.indexMaxKeys);
  line('Maximum size of a TOAST chunk:        ', control.toast_max_chunk_size);
  line('Size of a large-object chunk:         ', control.loblksize);
  line('Date/time type storage:               ', '64-bit integers');
  line('Float8 argument passing:              ', control.float8ByVal ? 'by value' : 'by reference');
  line('Data page checksum version:           ', control.data_checksum_version);
  line('Mock authentication nonce:            ', nonceHex(control.mock_authentication_nonce));
  return out.join('');
}

/** ISO 8601 UTC text of a pg_time_t, or null outside the range of a JS Date. */
function isoTime(seconds: bigint): string | null {
  if (seconds > MAX_DATE_SECONDS || seconds < -MAX_DATE_SECONDS) return null;
  return new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The JSON form of `pgffi controldata --json`. Names are the camelCase of the columns of
 * pg_control_system(), pg_control_checkpoint(), pg_control_init() and pg_control_recovery()
 * where such a column exists, else of pg_controldata's label. LSNs are "X/X" text, 64-bit
 * integers are decimal text, times are ISO 8601 UTC text.
 */
export interface ControlDataJson {
  pgControlVersion: number;
  catalogVersionNo: number;
  systemIdentifier: string;
  databaseClusterState: string;
  pgControlLastModified: string | null;
  checkpointLsn: string;
  redoLsn: string;
  redoWalFile: string;
  timelineId: number;
  prevTimelineId: number;
  fullPageWrites: boolean;
  nextXid: string;
  nextOid: number;
  nextMultixactId: number;
  nextMultiOffset: number;
  oldestXid: number;
  oldestXidDbid: number;
  oldestActiveXid: number;
  oldestMultiXid: number;
  oldestMultiDbid: number;
  oldestCommitTsXid: number;
  newestCommitTsXid: number;
  checkpointTime: string | null;
  unloggedLsn: string;
  minRecoveryEndLsn: string;
  minRecoveryEndTimeline: number;
  backupStartLsn: string;
  backupEndLsn: string;
  endOfBackupRecordRequired: boolean;
  walLevel: string;
  walLogHints: boolean;
  maxConnections: number;
  maxWorkerProcesses: number;
  maxWalSenders: number;
  maxPreparedXacts: number;
  maxLocksPerXact: number;
  trackCommitTimestamp: boolean;
  maxDataAlignment: number;
  databaseBlockSize: number;
  blocksPerSegment: number;
  walBlockSize: number;
  bytesPerWalSegment: number;
  maxIdentifierLength: number;
  maxIndexColumns: number;
  maxToastChunkSize: number;
  largeObjectChunkSize: number;
  dateTimeTypeStorage: string;
  float8PassByValue: boolean;
  dataPageChecksumVersion: number;
  mockAuthenticationNonce: string;
  crcOk: boolean;
  storedCrc: number;
  computedCrc: number;
}

export function controlDataJson(control: DecodedControlFile): ControlDataJson {
  const cp = control.checkPointCopy;
  return {
    pgControlVersion: control.pg_control_version,
    catalogVersionNo: control.catalog_version_no,
    systemIdentifier: control.system_identifier.toString(),
    databaseClusterState: dbStateText(control.state),
    pgControlLastModified: isoTime(control.time),
    checkpointLsn: formatLsn(control.checkPoint),
    redoLsn: formatLsn(cp.redo),
    redoWalFile: redoWalFileName(control),
    timelineId: cp.ThisTimeLineID,
    prevTimelineId: cp.PrevTimeLineID,
    fullPageWrites: cp.fullPageWrites,
    nextXid: `${cp.nextXid >> 32n}:${cp.nextXid & 0xffff_ffffn}`,
    nextOid: cp.nextOid,
    nextMultixactId: cp.nextMulti,
    nextMultiOffset: cp.nextMultiOffset,
    oldestXid: cp.oldestXid,
    oldestXidDbid: cp.oldestXidDB,
    oldestActiveXid: cp.oldestActiveXid,
    oldestMultiXid: cp.oldestMulti,
    oldestMultiDbid: cp.oldestMultiDB,
    oldestCommitTsXid: cp.oldestCommitTsXid,
    newestCommitTsXid: cp.newestCommitTsXid,
    checkpointTime: isoTime(cp.time),
    unloggedLsn: formatLsn(control.unloggedLSN),
    minRecoveryEndLsn: formatLsn(control.minRecoveryPoint),
    minRecoveryEndTimeline: control.minRecoveryPointTLI,
    backupStartLsn: formatLsn(control.backupStartPoint),
    backupEndLsn: formatLsn(control.backupEndPoint),
    endOfBackupRecordRequired: control.backupEndRequired,
    walLevel: walLevelText(control.wal_level),
    walLogHints: control.wal_log_hints,
    maxConnections: control.MaxConnections,
    maxWorkerProcesses: control.max_worker_processes,
    maxWalSenders: control.max_wal_senders,
    maxPreparedXacts: control.max_prepared_xacts,
    maxLocksPerXact: control.max_locks_per_xact,
    trackCommitTimestamp: control.track_commit_timestamp,
    maxDataAlignment: control.maxAlign,
    databaseBlockSize: control.blcksz,
    blocksPerSegment: control.relseg_size,
    walBlockSize: control.xlog_blcksz,
    bytesPerWalSegment: control.xlog_seg_size,
    maxIdentifierLength: control.nameDataLen,
    maxIndexColumns: control.indexMaxKeys,
    maxToastChunkSize: control.toast_max_chunk_size,
    largeObjectChunkSize: control.loblksize,
    dateTimeTypeStorage: '64-bit integers',
    float8PassByValue: control.float8ByVal,
    dataPageChecksumVersion: control.data_checksum_version,
    mockAuthenticationNonce: nonceHex(control.mock_authentication_nonce),
    crcOk: control.crcOk,
    storedCrc: control.crc,
    computedCrc: control.computedCrc,
  };
}
