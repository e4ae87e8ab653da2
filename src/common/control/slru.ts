/**
 * SLRU files (access/slru.h): segments of SLRU_PAGES_PER_SEGMENT (32) pages of BLCKSZ bytes,
 * named "%04X" by segment number, for
 *
 * - pg_xact (access/transam/clog.c): 2 status bits per transaction, 4 per byte, lowest xid in
 *   the low bits; TRANSACTION_STATUS_IN_PROGRESS 0, COMMITTED 1, ABORTED 2, SUB_COMMITTED 3.
 * - pg_commit_ts (commit_ts.c): 10-byte entries {TimestampTz time; RepOriginId nodeid},
 *   BLCKSZ / 10 = 819 per page, unaligned.
 * - pg_multixact/offsets (multixact.c): one MultiXactOffset (u32) per MultiXactId.
 * - pg_multixact/members: groups of 4 flag bytes (MultiXactStatus of each member) followed
 *   by 4 xids, 20 bytes per group, 409 groups (1636 members) per page; the tail of each
 *   page is unused.
 *
 * Functions read from and write into one segment file's bytes (which may be shorter than
 * 32 pages: a page beyond the end is reported, never read as zeros).
 */
import { PgFormatError } from '../core/errors.js';

export const SLRU_PAGES_PER_SEGMENT = 32;

/** SlruFileName: "%04X" of the segment number. */
export function slruSegmentFileName(segno: number): string {
  return segno.toString(16).toUpperCase().padStart(4, '0');
}

/** The segment number of an SLRU file name ("0000", "1A2B", "12345"), or null. */
export function parseSlruSegmentFileName(name: string): number | null {
  return /^[0-9A-F]{4,6}$/.test(name) ? Number.parseInt(name, 16) : null;
}

/** Where an SLRU entry lives: segment file, page, and byte offset inside the segment file. */
export interface SlruPosition {
  segment: number;
  pageno: number;
  /** Byte offset of the entry inside the segment file. */
  offset: number;
}

function position(pageno: number, offsetInPage: number, blcksz: number): SlruPosition {
  return {
    segment: Math.floor(pageno / SLRU_PAGES_PER_SEGMENT),
    pageno,
    offset: (pageno % SLRU_PAGES_PER_SEGMENT) * blcksz + offsetInPage,
  };
}

function need(segment: Uint8Array, offset: number, n: number, what: string, file: string): void {
  if (offset + n > segment.length) {
    throw new PgFormatError(
      'TRUNCATED',
      `could not access status of ${what}: Could not read from file "${file}" at offset ${offset - (offset % 8192)}: read too few bytes.`,
      { offset },
    );
  }
}

const u32 = (n: number, what: string): number => {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new PgFormatError('BAD_ARGUMENT', `${what} ${n} is not a 32-bit unsigned integer`);
  return n;
};

// ---- pg_xact (CLOG) ----

export const TRANSACTION_STATUS_IN_PROGRESS = 0x00;
export const TRANSACTION_STATUS_COMMITTED = 0x01;
export const TRANSACTION_STATUS_ABORTED = 0x02;
export const TRANSACTION_STATUS_SUB_COMMITTED = 0x03;
export const CLOG_BITS_PER_XACT = 2;
export const CLOG_XACTS_PER_BYTE = 4;

const CLOG_STATUS_NAMES = ['in progress', 'committed', 'aborted', 'sub-committed'] as const;
export type ClogStatusName = (typeof CLOG_STATUS_NAMES)[number];

/** "in progress", "committed", "aborted" (pg_xact_status's words) or "sub-committed". */
export function clogStatusName(status: number): ClogStatusName {
  return CLOG_STATUS_NAMES[status & 3]!;
}

export interface ClogPosition extends SlruPosition {
  /** Bit shift of the xid's two status bits inside the byte at `offset`. */
  shift: number;
}

/** TransactionIdToPage / TransactionIdToByte / TransactionIdToBIndex. */
export function clogPosition(xid: number, blcksz = 8192): ClogPosition {
  u32(xid, 'transaction ID');
  const perPage = blcksz * CLOG_XACTS_PER_BYTE;
  const p = position(Math.floor(xid / perPage), Math.floor((xid % perPage) / CLOG_XACTS_PER_BYTE), blcksz);
  return { ...p, shift: (xid % CLOG_XACTS_PER_BYTE) * CLOG_BITS_PER_XACT };
}

/** The 2-bit status of `xid` from the pg_xact segment file that holds it. */
export function getClogStatus(segment: Uint8Array, xid: number, blcksz = 8192): number {
  const p = clogPosition(xid, blcksz);
  need(segment, p.offset, 1, `transaction ${xid}`, `pg_xact/${slruSegmentFileName(p.segment)}`);
  return (segment[p.offset]! >> p.shift) & 3;
}

/** Sets the status of `xid` in its pg_xact segment file's bytes (in place). */
export function setClogStatus(segment: Uint8Array, xid: number, status: number, blcksz = 8192): void {
  const p = clogPosition(xid, blcksz);
  need(segment, p.offset, 1, `transaction ${xid}`, `pg_xact/${slruSegmentFileName(p.segment)}`);
  segment[p.offset] = (segment[p.offset]! & ~(3 << p.shift)) | ((status & 3) << p.shift);
}

// ---- pg_commit_ts ----

export const SizeOfCommitTimestampEntry = 10;

/** COMMIT_TS_XACTS_PER_PAGE: BLCKSZ / 10. */
export function commitTsXactsPerPage(blcksz = 8192): number {
  return Math.floor(blcksz / SizeOfCommitTimestampEntry);
}

export interface CommitTimestampEntry {
  /** TimestampTz: microseconds since 2000-01-01 00:00 UTC; 0 when unknown. */
  time: bigint;
  /** RepOriginId; 0 (InvalidRepOriginId) for local commits. */
  nodeid: number;
}

/** TransactionIdToCTsPage / TransactionIdToCTsEntry. */
export function commitTsPosition(xid: number, blcksz = 8192): SlruPosition {
  u32(xid, 'transaction ID');
  const per = commitTsXactsPerPage(blcksz);
  return position(Math.floor(xid / per), (xid % per) * SizeOfCommitTimestampEntry, blcksz);
}

export function getCommitTsEntry(segment: Uint8Array, xid: number, blcksz = 8192): CommitTimestampEntry {
  const p = commitTsPosition(xid, blcksz);
  need(
    segment,
    p.offset,
    SizeOfCommitTimestampEntry,
    `commit timestamp of transaction ${xid}`,
    `pg_commit_ts/${slruSegmentFileName(p.segment)}`,
  );
  const view = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
  return { time: view.getBigInt64(p.offset, true), nodeid: view.getUint16(p.offset + 8, true) };
}

export function setCommitTsEntry(segment: Uint8Array, xid: number, entry: CommitTimestampEntry, blcksz = 8192): void {
  const p = commitTsPosition(xid, blcksz);
  need(
    segment,
    p.offset,
    SizeOfCommitTimestampEntry,
    `commit timestamp of transaction ${xid}`,
    `pg_commit_ts/${slruSegmentFileName(p.segment)}`,
  );
  const view = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
  view.setBigInt64(p.offset, BigInt.asIntN(64, entry.time), true);
  view.setUint16(p.offset + 8, entry.nodeid, true);
}

// ---- pg_multixact ----

/** MultiXactStatus (access/multixact.h). */
export const MultiXactStatus = {
  MultiXactStatusForKeyShare: 0,
  MultiXactStatusForShare: 1,
  MultiXactStatusForNoKeyUpdate: 2,
  MultiXactStatusForUpdate: 3,
  MultiXactStatusNoKeyUpdate: 4,
  MultiXactStatusUpdate: 5,
} as const;

const MXSTATUS_TEXT = ['keysh', 'sh', 'fornokeyupd', 'forupd', 'nokeyupd', 'upd'] as const;

/** mxstatus_to_string: the `mode` column of pg_get_multixact_members; "" for an unknown status. */
export function multiXactStatusText(status: number): string {
  return MXSTATUS_TEXT[status] ?? '';
}

export const MULTIXACT_FLAGBYTES_PER_GROUP = 4;
export const MULTIXACT_MEMBERS_PER_MEMBERGROUP = 4;
export const MULTIXACT_MEMBERGROUP_SIZE = 4 * MULTIXACT_MEMBERS_PER_MEMBERGROUP + MULTIXACT_FLAGBYTES_PER_GROUP;

/** MultiXactIdToOffsetPage / MultiXactIdToOffsetEntry. */
export function multiXactOffsetPosition(multi: number, blcksz = 8192): SlruPosition {
  u32(multi, 'MultiXactId');
  const per = blcksz / 4;
  return position(Math.floor(multi / per), (multi % per) * 4, blcksz);
}

export function getMultiXactOffset(segment: Uint8Array, multi: number, blcksz = 8192): number {
  const p = multiXactOffsetPosition(multi, blcksz);
  need(segment, p.offset, 4, `MultiXactId ${multi}`, `pg_multixact/offsets/${slruSegmentFileName(p.segment)}`);
  return new DataView(segment.buffer, segment.byteOffset, segment.byteLength).getUint32(p.offset, true);
}

export function setMultiXactOffset(segment: Uint8Array, multi: number, offset: number, blcksz = 8192): void {
  const p = multiXactOffsetPosition(multi, blcksz);
  need(segment, p.offset, 4, `MultiXactId ${multi}`, `pg_multixact/offsets/${slruSegmentFileName(p.segment)}`);
  new DataView(segment.buffer, segment.byteOffset, segment.byteLength).setUint32(p.offset, u32(offset, 'MultiXactOffset'), true);
}

export interface MultiXactMemberPosition extends SlruPosition {
  /** Byte offset of the member's flag (status) byte in the segment file. */
  flagOffset: number;
  /** Byte offset of the member's xid in the segment file. */
  xidOffset: number;
}

/** MXOffsetToMemberPage / MXOffsetToFlagsOffset / MXOffsetToMemberOffset. */
export function multiXactMemberPosition(offset: number, blcksz = 8192): MultiXactMemberPosition {
  u32(offset, 'MultiXactOffset');
  const groupsPerPage = Math.floor(blcksz / MULTIXACT_MEMBERGROUP_SIZE);
  const perPage = groupsPerPage * MULTIXACT_MEMBERS_PER_MEMBERGROUP;
  const pageno = Math.floor(offset / perPage);
  const group = Math.floor(offset / MULTIXACT_MEMBERS_PER_MEMBERGROUP) % groupsPerPage;
  const groupOffset = group * MULTIXACT_MEMBERGROUP_SIZE;
  const member = offset % MULTIXACT_MEMBERS_PER_MEMBERGROUP;
  const p = position(pageno, groupOffset, blcksz);
  return { ...p, flagOffset: p.offset + member, xidOffset: p.offset + MULTIXACT_FLAGBYTES_PER_GROUP + member * 4 };
}

export interface MultiXactMember {
  xid: number;
  /** MultiXactStatus. */
  status: number;
}

export function getMultiXactMember(segment: Uint8Array, offset: number, blcksz = 8192): MultiXactMember {
  const p = multiXactMemberPosition(offset, blcksz);
  need(segment, p.xidOffset, 4, `MultiXactOffset ${offset}`, `pg_multixact/members/${slruSegmentFileName(p.segment)}`);
  return {
    xid: new DataView(segment.buffer, segment.byteOffset, segment.byteLength).getUint32(p.xidOffset, true),
    status: segment[p.flagOffset]!,
  };
}

export function setMultiXactMember(segment: Uint8Array, offset: number, member: MultiXactMember, blcksz = 8192): void {
  const p = multiXactMemberPosition(offset, blcksz);
  need(segment, p.xidOffset, 4, `MultiXactOffset ${offset}`, `pg_multixact/members/${slruSegmentFileName(p.segment)}`);
  new DataView(segment.buffer, segment.byteOffset, segment.byteLength).setUint32(p.xidOffset, u32(member.xid, 'transaction ID'), true);
  segment[p.flagOffset] = member.status & 0xff;
}

/** Loads an SLRU segment file by number (e.g. from disk); undefined when it does not exist. */
export type SlruSegmentLoader = (segno: number) => Uint8Array | undefined;

/**
 * GetMultiXactIdMembers for one multixact: its starting offset from pg_multixact/offsets,
 * its length from the next multixact's offset (or `nextMultiOffset` from pg_control for
 * the newest one), then each member from pg_multixact/members. Offsets wrap at 2^32 and
 * skip 0, as the server's do.
 */
export function readMultiXactMembers(
  offsets: SlruSegmentLoader,
  members: SlruSegmentLoader,
  multi: number,
  next: { nextMulti: number; nextMultiOffset: number },
  blcksz = 8192,
): MultiXactMember[] {
  const load = (loader: SlruSegmentLoader, segno: number, dir: string): Uint8Array => {
    const seg = loader(segno);
    if (seg === undefined) {
      throw new PgFormatError(
        'TRUNCATED',
        `could not access status of MultiXactId ${multi}: Could not open file "pg_multixact/${dir}/${slruSegmentFileName(segno)}": No such file or directory.`,
      );
    }
    return seg;
  };
  const start = getMultiXactOffset(load(offsets, multiXactOffsetPosition(multi, blcksz).segment, 'offsets'), multi, blcksz);
  if (start === 0) throw new PgFormatError('BAD_RECORD', `MultiXactId ${multi} has invalid offset 0`);
  let nextMultiId = (multi + 1) >>> 0;
  if (nextMultiId === 0) nextMultiId = 1;
  let end: number;
  if (nextMultiId === next.nextMulti) end = next.nextMultiOffset;
  else end = getMultiXactOffset(load(offsets, multiXactOffsetPosition(nextMultiId, blcksz).segment, 'offsets'), nextMultiId, blcksz);
  const length = (end - start) >>> 0;
  if (length > 65536 * 4) throw new PgFormatError('BAD_LENGTH', `MultiXactId ${multi} has implausible length ${length}`);
  const out: MultiXactMember[] = [];
  let cached = -1;
  let seg: Uint8Array = new Uint8Array(0);
  for (let i = 0, off = start; i < length; i++, off = (off + 1) >>> 0) {
    const segno = multiXactMemberPosition(off, blcksz).segment;
    if (segno !== cached) {
      seg = load(members, segno, 'members');
      cached = segno;
    }
    const m = getMultiXactMember(seg, off, blcksz);
    if (m.xid === 0) continue; // an offset 0 member is skipped (wraparound), as GetMultiXactIdMembers does
    out.push(m);
  }
  return out;
}
