/**
 * Lays records into WAL pages and segments the way XLogInsertRecord / CopyXLogRecordToWAL and
 * AdvanceXLInsertBuffer (access/transam/xlog.c) do: every page starts with
 * XLogPageHeaderData (XLogLongPageHeaderData with xlp_sysid, xlp_seg_size and xlp_xlog_blcksz
 * on a segment's first page, access/xlog_internal.h); a record continued from the previous
 * page sets XLP_FIRST_IS_CONTRECORD and xlp_rem_len; records start MAXALIGNed; XLOG_SWITCH
 * consumes the rest of its segment, which stays zero (the server zeroes even the page headers
 * there); XLP_FIRST_IS_OVERWRITE_CONTRECORD marks a page where an unfinished record was
 * abandoned (CreateOverwriteContrecordRecord).
 *
 *   const enc = new WalEncoder({ profile, systemIdentifier, startLsn });
 *   enc.append({ rmid, info, mainData });   // → { lsn, endLsn, ... }
 *   enc.takePages();                        // pages touched since the last call
 */
import {
  MAXIMUM_ALIGNOF,
  RM_XLOG_ID,
  SizeOfXLogLongPHD,
  SizeOfXLogShortPHD,
  XLOG_OVERWRITE_CONTRECORD,
  XLOG_SWITCH,
  XLP_BKP_REMOVABLE,
  XLP_FIRST_IS_CONTRECORD,
  XLP_FIRST_IS_OVERWRITE_CONTRECORD,
  XLP_LONG_HEADER,
} from '../constants.js';
import { PgFormatError } from '../core/errors.js';
import type { Lsn } from '../core/lsn.js';
import { DEFAULT_WAL_SEGMENT_SIZE, isValidWalSegSize } from '../core/wal-file-names.js';
import type { PgVersionProfile } from '../profile.js';
import { lsnText } from '../wal/wal-format.js';
import { type AssembledRecord, assembleRecord, finishRecord, type RecordInput } from './record-encoder.js';

export interface WalEncoderOptions {
  readonly profile: PgVersionProfile;
  /** xlp_sysid of long page headers (pg_control's system_identifier). */
  readonly systemIdentifier: bigint;
  /** Where the first record goes (or its page, when on a page boundary). */
  readonly startLsn: Lsn;
  /** xl_prev of the first record (default 0). */
  readonly prevLsn?: Lsn;
  readonly timeline?: number;
  readonly segmentSize?: number;
  /**
   * The page's bytes before `startLsn` when it is not on a page boundary (the existing page
   * being extended). Without it, a fresh header is written and the bytes before are zero.
   */
  readonly pagePrefix?: Uint8Array;
  /** Set XLP_BKP_REMOVABLE on new pages, as a server outside a backup does (default false, as pg_resetwal). */
  readonly bkpRemovable?: boolean;
}

/** One WAL page: its LSN and BLCKSZ bytes (a copy, safe to keep). */
export interface WalPage {
  readonly lsn: Lsn;
  readonly bytes: Uint8Array;
}

/** Where a record went. */
export interface AppendedRecord {
  readonly lsn: Lsn;
  /** EndRecPtr: the MAXALIGNed end, or the next segment's start after XLOG_SWITCH. */
  readonly endLsn: Lsn;
  readonly prevLsn: Lsn;
  readonly totalLength: number;
  readonly crc: number;
  /** The record bytes as written. */
  readonly bytes: Uint8Array;
  readonly assembled: AssembledRecord | null;
}

const TWO_32 = 0x1_0000_0000;

function maxAlign(n: number): number {
  return Math.ceil(n / MAXIMUM_ALIGNOF) * MAXIMUM_ALIGNOF;
}

export class WalEncoder {
  readonly profile: PgVersionProfile;
  readonly timeline: number;
  readonly segmentSize: number;
  readonly systemIdentifier: bigint;
  private readonly pageSize: number;
  private readonly bkpRemovable: boolean;
  /** Next byte to write. */
  private pos: number;
  private prev: number;
  private cur: Uint8Array;
  private curLsn: number;
  private curDirty = false;
  private done: WalPage[] = [];
  private overwriteNext = false;

  constructor(options: WalEncoderOptions) {
    this.profile = options.profile;
    this.timeline = options.timeline ?? 1;
    this.segmentSize = options.segmentSize ?? DEFAULT_WAL_SEGMENT_SIZE;
    this.systemIdentifier = options.systemIdentifier;
    this.pageSize = options.profile.XLOG_BLCKSZ;
    this.bkpRemovable = options.bkpRemovable ?? false;
    if (!isValidWalSegSize(this.segmentSize)) {
      throw new PgFormatError('BAD_ARGUMENT', `invalid WAL segment size ${this.segmentSize}: must be a power of two between 1 MB and 1 GB`);
    }
    const start = Number(options.startLsn);
    if (!Number.isSafeInteger(start) || start < 0 || start % MAXIMUM_ALIGNOF !== 0) {
      throw new PgFormatError('BAD_ARGUMENT', `start LSN ${lsnText(start)} is not MAXALIGNed`);
    }
    this.prev = Number(options.prevLsn ?? 0n);
    this.cur = new Uint8Array(this.pageSize);
    const inPage = start % this.pageSize;
    this.curLsn = start - inPage;
    this.pos = start;
    if (inPage !== 0) {
      const hdr = this.headerSize(this.curLsn);
      if (inPage < hdr) throw new PgFormatError('BAD_ARGUMENT', `start LSN ${lsnText(start)} is inside a page header`);
      if (options.pagePrefix !== undefined) {
        if (options.pagePrefix.length < inPage) {
          throw new PgFormatError('BAD_ARGUMENT', `pagePrefix has ${options.pagePrefix.length} bytes, need ${inPage}`);
        }
        this.cur.set(options.pagePrefix.subarray(0, inPage));
      } else {
        this.writePageHeader(this.curLsn, 0, 0);
      }
      this.curDirty = true;
    }
  }

  /** The LSN where the next byte goes (a record appended now starts here, or after a page header). */
  get insertLsn(): Lsn {
    return BigInt(this.pos);
  }

  /** xl_prev of the next record: the last complete record's LSN. */
  get prevLsn(): Lsn {
    return BigInt(this.prev);
  }

  private headerSize(pageLsn: number): number {
    return pageLsn % this.segmentSize === 0 ? SizeOfXLogLongPHD : SizeOfXLogShortPHD;
  }

  private writePageHeader(pageLsn: number, info: number, remLen: number): void {
    const b = this.cur;
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const long = pageLsn % this.segmentSize === 0;
    let flags = info;
    if (long) flags |= XLP_LONG_HEADER;
    if (this.bkpRemovable) flags |= XLP_BKP_REMOVABLE;
    v.setUint16(0, this.profile.XLOG_PAGE_MAGIC, true);
    v.setUint16(2, flags, true);
    v.setUint32(4, this.timeline >>> 0, true);
    v.setUint32(8, pageLsn % TWO_32, true);
    v.setUint32(12, Math.floor(pageLsn / TWO_32), true);
    v.setUint32(16, remLen >>> 0, true);
    if (long) {
      v.setBigUint64(24, BigInt.asUintN(64, this.systemIdentifier), true);
      v.setUint32(32, this.segmentSize, true);
      v.setUint32(36, this.pageSize, true);
    }
  }

  /** Closes the current page (if it holds anything) and starts the page at `pos`. */
  private startPage(remLen: number): void {
    this.closePage();
    this.curLsn = this.pos;
    let info = remLen > 0 ? XLP_FIRST_IS_CONTRECORD : 0;
    if (this.overwriteNext) {
      info |= XLP_FIRST_IS_OVERWRITE_CONTRECORD;
      this.overwriteNext = false;
    }
    this.writePageHeader(this.pos, info, remLen);
    this.curDirty = true;
    this.pos += this.headerSize(this.pos);
  }

  private closePage(): void {
    if (this.curDirty) {
      this.done.push({ lsn: BigInt(this.curLsn), bytes: this.cur });
      this.cur = new Uint8Array(this.pageSize);
      this.curDirty = false;
    } else {
      this.cur.fill(0);
    }
  }

  /** Copies record bytes from `pos`, inserting page headers; stops early after `limit` bytes. */
  private put(rec: Uint8Array, limit = rec.length): void {
    let off = 0;
    while (off < limit) {
      if (this.pos % this.pageSize === 0) this.startPage(off > 0 ? rec.length - off : 0);
      const inPage = this.pos % this.pageSize;
      const n = Math.min(this.pageSize - inPage, limit - off);
      this.cur.set(rec.subarray(off, off + n), inPage);
      this.curDirty = true;
      this.pos += n;
      off += n;
    }
  }

  private begin(): number {
    if (this.pos % this.pageSize === 0) this.startPage(0);
    return this.pos;
  }

  /** Appends a record built from `input`. */
  append(input: RecordInput): AppendedRecord {
    const assembled = assembleRecord(this.profile, input);
    return this.appendAssembled(assembled.bytes, assembled);
  }

  /** Appends an already assembled record body (xl_prev and xl_crc are (re)computed). */
  appendRaw(record: Uint8Array): AppendedRecord {
    return this.appendAssembled(record, null);
  }

  private appendAssembled(bytes: Uint8Array, assembled: AssembledRecord | null): AppendedRecord {
    const lsn = this.begin();
    const prev = this.prev;
    const crc = finishRecord(bytes, BigInt(prev));
    this.put(bytes);
    let end = maxAlign(this.pos);
    const isSwitch = bytes[17] === RM_XLOG_ID && ((bytes[16] as number) & 0xf0) === XLOG_SWITCH;
    if (isSwitch && end % this.segmentSize !== 0) end = Math.ceil(end / this.segmentSize) * this.segmentSize;
    if (end > this.pos && Math.floor((end - 1) / this.pageSize) !== Math.floor((this.pos - 1) / this.pageSize)) {
      // The padding (or the switched-away rest of the segment) runs past this page.
      this.closePage();
    }
    this.pos = end;
    this.prev = lsn;
    return { lsn: BigInt(lsn), endLsn: BigInt(end), prevLsn: BigInt(prev), totalLength: bytes.length, crc, bytes, assembled };
  }

  /**
   * XLOG_SWITCH: a header-only record, after which the rest of the segment is unused (zero).
   * At a segment's very start the server writes nothing; so does this (returns null).
   */
  appendSwitch(): AppendedRecord | null {
    if (this.pos % this.segmentSize === 0) return null;
    return this.append({ rmid: RM_XLOG_ID, info: XLOG_SWITCH });
  }

  /**
   * Writes the start of a record that does not fit on the current page and abandons it at the
   * page end (what a crash between two page writes leaves). The next page is flagged
   * XLP_FIRST_IS_OVERWRITE_CONTRECORD; append an XLOG_OVERWRITE_CONTRECORD record next
   * (`overwriteContrecordRecord`). Returns the abandoned record's LSN.
   */
  appendAborted(input: RecordInput): Lsn {
    const assembled = assembleRecord(this.profile, input);
    const lsn = this.begin();
    const room = this.pageSize - (lsn % this.pageSize);
    if (assembled.bytes.length <= room) {
      throw new PgFormatError('BAD_ARGUMENT', `a record of ${assembled.bytes.length} bytes fits the ${room} bytes left on the page`);
    }
    finishRecord(assembled.bytes, BigInt(this.prev));
    this.put(assembled.bytes, room);
    this.overwriteNext = true;
    return BigInt(lsn);
  }

  /** Pages written since the last call (the current, partial page included as a copy). */
  takePages(): WalPage[] {
    const out = this.done;
    this.done = [];
    if (this.curDirty && this.pos % this.pageSize !== 0) {
      out.push({ lsn: BigInt(this.curLsn), bytes: this.cur.slice() });
    } else if (this.curDirty) {
      this.closePage();
      out.push(...this.done);
      this.done = [];
    }
    return out;
  }
}

/** xl_overwrite_contrecord (access/xlog_internal.h): the record CreateOverwriteContrecordRecord writes. */
export function overwriteContrecordRecord(overwrittenLsn: Lsn, overwriteTime: bigint): RecordInput {
  const data = new Uint8Array(16);
  const v = new DataView(data.buffer);
  v.setBigUint64(0, BigInt.asUintN(64, overwrittenLsn), true);
  v.setBigInt64(8, BigInt.asIntN(64, overwriteTime), true);
  return { rmid: RM_XLOG_ID, info: XLOG_OVERWRITE_CONTRECORD, mainData: data };
}

/**
 * Places pages into zero-filled segment buffers: segment number → segmentSize bytes. Pages of
 * the same LSN overwrite earlier ones (later writes of a partial page win).
 */
export function pagesToSegments(pages: readonly WalPage[], segmentSize: number): Map<bigint, Uint8Array> {
  const segs = new Map<bigint, Uint8Array>();
  const size = BigInt(segmentSize);
  for (const p of pages) {
    const segno = p.lsn / size;
    let seg = segs.get(segno);
    if (seg === undefined) {
      seg = new Uint8Array(segmentSize);
      segs.set(segno, seg);
    }
    seg.set(p.bytes, Number(p.lsn % size));
  }
  return segs;
}
