/**
 * WAL file names (access/xlog_internal.h): segment files `TTTTTTTTXXXXXXXXYYYYYYYY`
 * (timeline, segno / segments-per-xlogid, segno % segments-per-xlogid), `.partial` segments,
 * `TTTTTTTT.history` timeline history files and `NAME.OOOOOOOO.backup` backup history files.
 */
import { PgFormatError } from './errors.js';
import type { Lsn } from './lsn.js';

export const DEFAULT_WAL_SEGMENT_SIZE = 16 * 1024 * 1024;
export const WAL_SEGMENT_SIZE_MIN = 1024 * 1024;
export const WAL_SEGMENT_SIZE_MAX = 1024 * 1024 * 1024;

/** IsValidWalSegSize: a power of two between 1 MB and 1 GB. */
export function isValidWalSegSize(size: number): boolean {
  return Number.isInteger(size) && size >= WAL_SEGMENT_SIZE_MIN && size <= WAL_SEGMENT_SIZE_MAX && (size & (size - 1)) === 0;
}

function checkSegSize(segSize: number): void {
  if (!isValidWalSegSize(segSize)) {
    throw new PgFormatError('BAD_ARGUMENT', `invalid WAL segment size ${segSize}: must be a power of two between 1 MB and 1 GB`);
  }
}

/** XLogSegmentsPerXLogId: 0x100000000 / segment size. */
export function segmentsPerXLogId(segSize: number): number {
  checkSegSize(segSize);
  return 0x1_0000_0000 / segSize;
}

const hex8 = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');

/** XLogFileName. */
export function walFileName(timeline: number, segno: bigint, segSize = DEFAULT_WAL_SEGMENT_SIZE): string {
  const per = BigInt(segmentsPerXLogId(segSize));
  return `${hex8(timeline)}${hex8(Number(segno / per))}${hex8(Number(segno % per))}`;
}

/** XLByteToSeg. */
export function lsnToSegmentNumber(lsn: Lsn, segSize = DEFAULT_WAL_SEGMENT_SIZE): bigint {
  checkSegSize(segSize);
  return lsn / BigInt(segSize);
}

/** XLogSegNoOffsetToRecPtr: the LSN of byte `offset` of segment `segno`. */
export function segmentStartLsn(segno: bigint, segSize = DEFAULT_WAL_SEGMENT_SIZE, offset = 0): Lsn {
  checkSegSize(segSize);
  return segno * BigInt(segSize) + BigInt(offset);
}

export type WalFileKind = 'segment' | 'partial' | 'history' | 'backup';

export interface ParsedWalFileName {
  kind: WalFileKind;
  timeline: number;
  /** Segment number (segment, partial and backup files). */
  segno?: bigint;
  /** Start offset within the segment (backup history files). */
  backupOffset?: number;
}

const SEGMENT = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})(\.partial)?$/;
const HISTORY = /^([0-9A-F]{8})\.history$/;
const BACKUP = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})\.([0-9A-F]{8})\.backup$/;

/** Parses a WAL directory entry name (IsXLogFileName & co.); null for anything else. */
export function parseWalFileName(name: string, segSize = DEFAULT_WAL_SEGMENT_SIZE): ParsedWalFileName | null {
  const per = BigInt(segmentsPerXLogId(segSize));
  let m = SEGMENT.exec(name);
  if (m !== null) {
    const log = BigInt(`0x${m[2]}`);
    const seg = BigInt(`0x${m[3]}`);
    if (seg >= per) return null;
    return { kind: m[4] === undefined ? 'segment' : 'partial', timeline: Number.parseInt(m[1]!, 16), segno: log * per + seg };
  }
  m = HISTORY.exec(name);
  if (m !== null) return { kind: 'history', timeline: Number.parseInt(m[1]!, 16) };
  m = BACKUP.exec(name);
  if (m !== null) {
    const log = BigInt(`0x${m[2]}`);
    const seg = BigInt(`0x${m[3]}`);
    if (seg >= per) return null;
    return {
      kind: 'backup',
      timeline: Number.parseInt(m[1]!, 16),
      segno: log * per + seg,
      backupOffset: Number.parseInt(m[4]!, 16),
    };
  }
  return null;
}

/** TLHistoryFileName. */
export function historyFileName(timeline: number): string {
  return `${hex8(timeline)}.history`;
}

/** BackupHistoryFileName. */
export function backupHistoryFileName(timeline: number, segno: bigint, startLsn: Lsn, segSize = DEFAULT_WAL_SEGMENT_SIZE): string {
  return `${walFileName(timeline, segno, segSize)}.${hex8(Number(startLsn % BigInt(segSize)))}.backup`;
}
