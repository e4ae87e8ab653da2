/**
 * The streaming WAL reader: XLogReadRecord / XLogFindNextRecord / XLogReaderValidatePageHeader
 * (access/transam/xlogreader.c) over bytes pushed in chunks of any size. Pages are
 * XLogPageHeaderData / XLogLongPageHeaderData (access/xlog_internal.h); records are XLogRecord
 * (access/xlogrecord.h), assembled across pages and segments into one reused buffer.
 *
 *   push(chunk) … next() → DecodedRecord | null ("need more bytes") … end()
 *
 * Positions are tracked as plain numbers (exact below 2^53 bytes of WAL); bigint LSNs are
 * built only for records and errors.
 */
import {
  MAXIMUM_ALIGNOF,
  RM_MAX_CUSTOM_ID,
  RM_MIN_CUSTOM_ID,
  RM_XLOG_ID,
  SizeOfXLogLongPHD,
  SizeOfXLogRecord,
  SizeOfXLogShortPHD,
  XLOG_BLCKSZ,
  XLOG_SWITCH,
  XLP_ALL_FLAGS,
  XLP_FIRST_IS_CONTRECORD,
  XLP_FIRST_IS_OVERWRITE_CONTRECORD,
  XLP_LONG_HEADER,
  XLR_INFO_MASK,
} from '../constants.js';
import { activeAccelerator, SCAN_BAD_CRC } from '../core/accelerator.js';
import { crc32cFinish, crc32cUpdate, walRecordCrc, wordsOfBuffer } from '../core/crc32c.js';
import { PgFormatError, type PgFormatErrorCode } from '../core/errors.js';
import { type Lsn, lsnFromHalves } from '../core/lsn.js';
import { DEFAULT_WAL_SEGMENT_SIZE, isValidWalSegSize, walFileName } from '../core/wal-file-names.js';
import type { PgVersionProfile } from '../profile.js';
import { decodeRecordBody, type WalRecord } from './decoded-record.js';
import { lsnText, type WalMessages, walMessages } from './wal-format.js';

export interface WalDecoderOptions {
  /**
   * Return records from the first one that starts at or after this LSN (XLogFindNextRecord:
   * continuation data at the start is skipped). Default: the LSN of the first input byte.
   */
  startLsn?: Lsn;
  /** LSN of the first byte pushed; must be page-aligned. Default: xlp_pageaddr of the first page. */
  inputLsn?: Lsn;
  /** WAL segment size; default: from the first long page header, else 16 MB. */
  segmentSize?: number;
  /** Timeline of the segments (used in file names in messages); default 1. */
  timeline?: number;
  /** pg_control's system identifier; long page headers must carry it when given. */
  systemIdentifier?: bigint;
  /** Verify each record's CRC-32C (default true). */
  verifyCrc?: boolean;
}

/** Why decoding stopped cleanly. */
export interface EndOfWal {
  /** 'invalid-record': the reader found no valid record here (xlogreader.c's message);
   *  'end-of-input': the input ended (at or inside the record at `lsn`). */
  readonly reason: 'invalid-record' | 'end-of-input';
  /** The LSN the message names (the record or page that failed, or where input ended). */
  readonly lsn: Lsn;
  readonly message: string;
  readonly code: PgFormatErrorCode | null;
  /** LSN of the last record returned (pg_waldump: "error in WAL record at <this>: …"). */
  readonly lastRecordLsn: Lsn | null;
  /** No record at or after startLsn was found (pg_waldump: "could not find a valid record after …"). */
  readonly beforeFirstRecord: boolean;
}

/** XLogFindNextRecord skipped bytes to reach the first record (pg_waldump's info line). */
export interface FirstRecordSkip {
  readonly requested: Lsn;
  readonly found: Lsn;
  readonly bytes: number;
  readonly message: string;
}

const S_INIT = 0;
const S_FIND = 1;
const S_RECORD = 2;
const S_ASSEMBLE = 3;
const S_FAILING = 4;
const S_DONE = 5;

const TWO_32 = 0x1_0000_0000;
/**
 * Records from this size have their CRC computed by the accelerator when one is installed:
 * per record the native call (~150 ns with the subarray) beats the TypeScript loop from about
 * 300 bytes on (measured per record: 256 B 193 vs 202 ns, 512 B 313 vs 206 ns; x86-64).
 */
const ACCELERATE_RECORDS_FROM_BYTES = 384;
const PAGE = XLOG_BLCKSZ;
/**
 * Pages per scanRecordCrcs call: 256 KB, ~2,000 typical records, so the ~300 ns call costs
 * nothing per record while a reader that stops early wastes at most that much checking.
 */
const SCAN_PAGES = 32;
/**
 * Positions are numbers: LSNs up to here (2^53 less 4 GiB of headroom for segment arithmetic)
 * are exact. Real clusters are far below it (2^53 bytes is 8 PiB of WAL); above it the
 * decoder refuses the input rather than compute with rounded positions.
 */
const MAX_TRACKED_LSN = 2 ** 53 - 2 ** 32;

function beyondTracked(what: string, lsn: number): PgFormatError {
  return new PgFormatError('UNSUPPORTED', `${what} ${lsnText(lsn)} is beyond the LSNs this decoder tracks exactly (below 2^53)`, {
    lsn: BigInt(lsn),
  });
}

function u16(b: Uint8Array, i: number): number {
  return (b[i] as number) | ((b[i + 1] as number) << 8);
}
function u32(b: Uint8Array, i: number): number {
  return ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0;
}
function u64n(b: Uint8Array, i: number): number {
  return u32(b, i + 4) * TWO_32 + u32(b, i);
}

/** The exact u64 LSN (for messages: u64n rounds values from 2^53 up). */
function u64big(b: Uint8Array, i: number): bigint {
  return lsnFromHalves(u32(b, i + 4), u32(b, i));
}
/**
 * lsn % XLOG_BLCKSZ. `&` works on the value modulo 2^32 (ToInt32 is exact for integers below
 * 2^53), and XLOG_BLCKSZ divides 2^32, so the low bits are right for every tracked LSN.
 */
function pageOffset(lsn: number): number {
  return lsn & (PAGE - 1);
}
/** MAXALIGN(n) for integers below 2^53 (the same modulo argument as pageOffset). */
function maxAlign(n: number): number {
  return n + ((MAXIMUM_ALIGNOF - (n & (MAXIMUM_ALIGNOF - 1))) & (MAXIMUM_ALIGNOF - 1));
}

export class WalStreamDecoder {
  readonly profile: PgVersionProfile;
  /** Timeline used in file names of page-header messages; adapters update it per segment. */
  timeline: number;
  private readonly messages: WalMessages;
  private readonly verifyCrc: boolean;
  private readonly sysid: bigint | undefined;
  private segSize: number;
  private segSizeGiven: boolean;

  // Input queue.
  private chunks: (Uint8Array | undefined)[] = [];
  private ci = 0;
  private coff = 0;
  private avail = 0;
  private ended = false;
  /** LSN of the next unconsumed input byte; -1 until known. */
  private pos = -1;
  private inputLsn: number;

  private state = S_INIT;
  private startLsn: number;
  private findPage = 0;
  private nextRecPtr = 0;
  private prevRecPtr = 0;
  private randAccess = true;
  private returnedAny = false;

  // Current page (last validated header).
  private pageHdrLen = SizeOfXLogShortPHD;
  private pageInfo = 0;
  private pageRemLen = 0;
  private latestPagePtr = 0;
  private latestPageTLI = 0;
  private undecodable: number | null = null;

  // Record assembly.
  private asm = new Uint8Array(2 * PAGE);
  private asmRecPtr = 0;
  private asmTot = 0;
  private asmGot = 0;
  private asmGotHeader = false;
  private readonly hdr = new Uint8Array(SizeOfXLogLongPHD);
  private peekArr: Uint8Array = this.hdr;
  private peekOff = 0;

  /** Word view of the buffer whose records were CRC-checked last (walRecordCrc). */
  private wordsOf: Uint8Array | null = null;
  private words: Int32Array | null = null;

  // Record CRCs checked ahead by the accelerator's scanRecordCrcs (chunkCrcOk): pairs
  // (offset, length | SCAN_BAD_CRC) for the pages of scanChunk below scanEnd.
  private scanChunk: Uint8Array | null = null;
  private scanResults: Uint32Array = new Uint32Array(0);
  private scanNext = 0;
  private scanEnd = 0;
  /** Whole input chunks whose record CRCs were scanned before they were pushed (pushChecked). */
  private readonly scannedAhead = new WeakMap<Uint8Array, Uint32Array>();

  // Outcome.
  private failure: { code: PgFormatErrorCode; message: string; lsn: number } | null = null;
  private thrown: PgFormatError | null = null;
  private endInfo: EndOfWal | null = null;
  private skipInfo: FirstRecordSkip | null = null;
  private overwritten: number | null = null;

  constructor(profile: PgVersionProfile, options: WalDecoderOptions = {}) {
    this.profile = profile;
    this.messages = walMessages(profile.major);
    this.verifyCrc = options.verifyCrc ?? true;
    this.sysid = options.systemIdentifier;
    this.timeline = options.timeline ?? 1;
    this.segSizeGiven = options.segmentSize !== undefined;
    this.segSize = options.segmentSize ?? DEFAULT_WAL_SEGMENT_SIZE;
    if (!isValidWalSegSize(this.segSize)) {
      throw new PgFormatError('BAD_ARGUMENT', `invalid WAL segment size ${this.segSize}: must be a power of two between 1 MB and 1 GB`);
    }
    this.inputLsn = options.inputLsn === undefined ? -1 : Number(options.inputLsn);
    if (this.inputLsn >= 0 && this.inputLsn % PAGE !== 0) {
      throw new PgFormatError('BAD_ARGUMENT', `inputLsn ${lsnText(this.inputLsn)} is not at a WAL page boundary`);
    }
    this.startLsn = options.startLsn === undefined ? -1 : Number(options.startLsn);
    if (this.inputLsn > MAX_TRACKED_LSN) throw beyondTracked('inputLsn', this.inputLsn);
    if (this.startLsn > MAX_TRACKED_LSN) throw beyondTracked('startLsn', this.startLsn);
  }

  /** Queues bytes; they are not copied (records may be views of them). */
  push(chunk: Uint8Array): void {
    if (this.ended) throw new PgFormatError('BAD_ARGUMENT', 'push() after end()');
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.avail += chunk.length;
  }

  /**
   * push() of a chunk whose whole pages' record CRCs were checked already, e.g. on another
   * thread while earlier input was decoded: `crcScan` must be the accelerator's
   * scanRecordCrcs(chunk, 0, pages) for exactly these bytes. It is used as the decoder's own
   * scans are: a record counts as checked only if the scan found exactly it (same offset and
   * length); every other record is checked here.
   */
  pushChecked(chunk: Uint8Array, crcScan: Uint32Array): void {
    this.push(chunk);
    this.scannedAhead.set(chunk, crcScan);
  }

  /**
   * True while bytes of `buffer` are still queued (not yet consumed). Once false, a caller
   * that has finished with the records returned so far may refill and push it again.
   */
  holds(buffer: ArrayBufferLike): boolean {
    for (let i = this.ci; i < this.chunks.length; i++) if (this.chunks[i]?.buffer === buffer) return true;
    return false;
  }

  /**
   * The input goes on at `lsn`: the bytes from the end of what was pushed up to `lsn` will
   * never come (a segment file shorter than a segment: pg_waldump reads only the pages it
   * needs). Returns true if decoding does not need them — having consumed all input, it is
   * skipping to a record at or after `lsn`, as after XLOG_SWITCH — and then takes the next
   * push() as the bytes at `lsn`; false if it needs them (the caller then ends the input).
   */
  skipInput(lsn: Lsn): boolean {
    const at = Number(lsn);
    if (this.ended || this.state !== S_RECORD || this.avail !== 0 || at < this.pos || this.nextRecPtr < at) return false;
    this.pos = at;
    return true;
  }

  /** No more input will come: what cannot be completed ends decoding. */
  end(): void {
    this.ended = true;
  }

  /** Set once decoding stopped cleanly (invalid record at the tail, or end of input). */
  get endOfWal(): EndOfWal | null {
    return this.endInfo;
  }

  /** Set when the first record was found after skipping bytes (XLogFindNextRecord). */
  get firstRecordSkip(): FirstRecordSkip | null {
    return this.skipInfo;
  }

  /** The segment size in use (from the first long page header unless given). */
  get segmentSize(): number {
    return this.segSize;
  }

  /** The record that passed its CRC check but did not decode (decoding then stopped), if any. */
  get undecodableRecordLsn(): Lsn | null {
    return this.undecodable === null ? null : BigInt(this.undecodable);
  }

  /** xlp_tli of the last page header read (xlogreader's latestPageTLI; 0 before any). */
  get pageTimeline(): number {
    return this.latestPageTLI;
  }

  /** LSN of a record abandoned at an XLP_FIRST_IS_OVERWRITE_CONTRECORD page, if any. */
  get overwrittenRecordLsn(): Lsn | null {
    return this.overwritten === null ? null : BigInt(this.overwritten);
  }

  /** True once next() will return no more records. */
  get done(): boolean {
    return this.state === S_DONE;
  }

  /** Iterates the records available now (stops when more input is needed or decoding ended). */
  *[Symbol.iterator](): Iterator<WalRecord> {
    for (let r = this.next(); r !== null; r = this.next()) yield r;
  }

  /**
   * The next record, or null when more input is needed (or decoding has ended: see `done`).
   * The record is valid until the following `next()` call (see WalRecord's lifetime note).
   */
  next(): WalRecord | null {
    for (;;) {
      switch (this.state) {
        case S_INIT:
          if (!this.init()) return null;
          break;
        case S_FIND:
          if (!this.find()) return null;
          break;
        case S_RECORD: {
          const r = this.readRecord();
          if (r === WAIT) return null;
          if (r !== AGAIN && this.deliver(r)) return r;
          break;
        }
        case S_ASSEMBLE: {
          const r = this.assemble();
          if (r === WAIT) return null;
          if (r !== AGAIN && this.deliver(r)) return r;
          break;
        }
        case S_FAILING:
          if (!this.classifyFailure()) return null;
          break;
        default:
          if (this.thrown !== null) throw this.thrown;
          return null;
      }
    }
  }

  private deliver(r: WalRecord): boolean {
    this.prevRecPtr = r.lsnNumber;
    this.randAccess = false;
    if (r.lsnNumber < this.startLsn) return false;
    if (!this.returnedAny) {
      this.returnedAny = true;
      if (r.lsnNumber !== this.startLsn && this.startLsn % this.segSize !== 0) {
        const bytes = r.lsnNumber - this.startLsn;
        this.skipInfo = {
          requested: BigInt(this.startLsn),
          found: r.lsn,
          bytes,
          message: `first record is after ${lsnText(this.startLsn)}, at ${lsnText(r.lsnNumber)}, skipping over ${bytes} byte${bytes === 1 ? '' : 's'}`,
        };
      }
    }
    return true;
  }

  // ---- input queue ----

  /** Consumes n queued bytes (n = 0: just drops the current chunk if it is used up). */
  private consume(n: number): void {
    this.pos += n;
    this.avail -= n;
    while (this.ci < this.chunks.length) {
      const c = this.chunks[this.ci] as Uint8Array;
      const left = c.length - this.coff;
      if (n < left) {
        this.coff += n;
        return;
      }
      n -= left;
      this.chunks[this.ci] = undefined;
      this.ci++;
      this.coff = 0;
    }
    if (this.ci > 64 && this.ci * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.ci);
      this.ci = 0;
    }
  }

  /** Copies n queued bytes (without consuming) to dest[destOff…]. Caller ensures avail ≥ n. */
  private copyOut(dest: Uint8Array, destOff: number, n: number): void {
    let i = this.ci;
    let off = this.coff;
    while (n > 0) {
      const c = this.chunks[i] as Uint8Array;
      const take = Math.min(n, c.length - off);
      dest.set(take === c.length && off === 0 ? c : c.subarray(off, off + take), destOff);
      destOff += take;
      n -= take;
      i++;
      off = 0;
    }
  }

  /** Makes n bytes at pos addressable as peekArr[peekOff…]; false if not yet available. */
  private peek(n: number, scratch: Uint8Array): boolean {
    if (this.avail < n) return false;
    const c = this.chunks[this.ci] as Uint8Array;
    if (c.length - this.coff >= n) {
      this.peekArr = c;
      this.peekOff = this.coff;
      return true;
    }
    this.copyOut(scratch, 0, n);
    this.peekArr = scratch;
    this.peekOff = 0;
    return true;
  }

  /** Discards input up to `lsn`; false while bytes are still missing. */
  private skipTo(lsn: number): boolean {
    const n = lsn - this.pos;
    if (n <= 0) return true;
    if (this.avail >= n) {
      this.consume(n);
      return true;
    }
    if (this.avail > 0) this.consume(this.avail);
    return false;
  }

  private ensureAsm(size: number): void {
    if (this.asm.length >= size) return;
    let cap = this.asm.length;
    while (cap < size) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.asm.subarray(0, this.asmGot));
    this.asm = next;
  }

  // ---- outcomes ----

  /** Input is exhausted while more is needed. */
  private waitOrEnd(lsn: number, inside: boolean): typeof WAIT {
    if (this.ended) {
      this.state = S_DONE;
      this.endInfo = {
        reason: 'end-of-input',
        lsn: BigInt(Math.max(lsn, 0)),
        message: inside ? `end of input inside the record at ${lsnText(lsn)}` : `end of input at ${lsnText(Math.max(lsn, 0))}`,
        code: null,
        lastRecordLsn: this.returnedAny ? BigInt(this.prevRecPtr) : null,
        beforeFirstRecord: !this.returnedAny,
      };
    }
    return WAIT;
  }

  private fail(code: PgFormatErrorCode, message: string, lsn: number): typeof AGAIN {
    this.failure = { code, message, lsn };
    this.state = S_FAILING;
    return AGAIN;
  }

  /**
   * A reader failure is the end of WAL when nothing that looks like WAL follows it: the rest
   * of its page is zero and the next two pages are zero, absent, or not valid pages at their
   * address (recycled segments). Otherwise it is corruption and is thrown.
   */
  private classifyFailure(): boolean {
    const f = this.failure as { code: PgFormatErrorCode; message: string; lsn: number };
    const from = this.pos;
    const firstPage = Math.ceil(from / PAGE) * PAGE;
    const want = firstPage + 2 * PAGE - from;
    if (this.avail < want && !this.ended) return false;
    const n = Math.min(want, this.avail);
    const bytes = new Uint8Array(n);
    this.copyOut(bytes, 0, n);
    const more = looksLikeMoreWal(bytes, from, firstPage, this.profile.XLOG_PAGE_MAGIC);
    this.state = S_DONE;
    if (more) {
      this.thrown = new PgFormatError(f.code, f.message, { lsn: BigInt(f.lsn) });
      throw this.thrown;
    }
    this.endInfo = {
      reason: 'invalid-record',
      lsn: BigInt(f.lsn),
      message: f.message,
      code: f.code,
      lastRecordLsn: this.returnedAny ? BigInt(this.prevRecPtr) : null,
      beforeFirstRecord: !this.returnedAny,
    };
    return true;
  }

  // ---- pages ----

  private fileName(pageLsn: number): string {
    return walFileName(this.timeline, BigInt(Math.floor(pageLsn / this.segSize)), this.segSize);
  }

  /**
   * XLogReaderValidatePageHeader on the header at peekArr[peekOff…] for page `pageLsn`.
   * Returns the failure message (and code) or null, updating the page state on success.
   */
  private validatePageHeader(b: Uint8Array, o: number, pageLsn: number): boolean {
    const m = this.messages;
    const segOff = pageLsn % this.segSize;
    const magic = u16(b, o);
    if (magic !== this.profile.XLOG_PAGE_MAGIC) {
      this.fail('BAD_MAGIC', m.invalidMagic(magic, this.fileName(pageLsn), pageLsn, segOff), pageLsn);
      return false;
    }
    const info = u16(b, o + 2);
    if ((info & ~XLP_ALL_FLAGS) !== 0) {
      this.fail('BAD_HEADER', m.invalidInfoBits(info, this.fileName(pageLsn), pageLsn, segOff), pageLsn);
      return false;
    }
    if ((info & XLP_LONG_HEADER) !== 0) {
      const sysid = (BigInt(u32(b, o + 28)) << 32n) | BigInt(u32(b, o + 24));
      if (this.sysid !== undefined && this.sysid !== 0n && sysid !== this.sysid) {
        this.fail(
          'BAD_HEADER',
          `WAL file is from different database system: WAL file database system identifier is ${sysid}, pg_control database system identifier is ${this.sysid}`,
          pageLsn,
        );
        return false;
      }
      if (u32(b, o + 32) !== this.segSize) {
        this.fail('BAD_HEADER', 'WAL file is from different database system: incorrect segment size in page header', pageLsn);
        return false;
      }
      if (u32(b, o + 36) !== XLOG_BLCKSZ) {
        this.fail('BAD_HEADER', 'WAL file is from different database system: incorrect XLOG_BLCKSZ in page header', pageLsn);
        return false;
      }
    } else if (segOff === 0) {
      this.fail('BAD_HEADER', m.invalidInfoBits(info, this.fileName(pageLsn), pageLsn, segOff), pageLsn);
      return false;
    }
    const pageaddr = u64n(b, o + 8);
    if (pageaddr !== pageLsn) {
      this.fail('BAD_HEADER', m.unexpectedPageaddr(u64big(b, o + 8), this.fileName(pageLsn), pageLsn, segOff), pageLsn);
      return false;
    }
    const tli = u32(b, o + 4);
    if (pageLsn > this.latestPagePtr && tli < this.latestPageTLI) {
      this.fail('BAD_HEADER', m.outOfSequenceTimeline(tli, this.latestPageTLI, this.fileName(pageLsn), pageLsn, segOff), pageLsn);
      return false;
    }
    this.latestPagePtr = pageLsn;
    this.latestPageTLI = tli;
    this.pageInfo = info;
    this.pageHdrLen = (info & XLP_LONG_HEADER) !== 0 ? SizeOfXLogLongPHD : SizeOfXLogShortPHD;
    this.pageRemLen = u32(b, o + 16);
    return true;
  }

  /** Reads and validates the page header at pos (page-aligned). true: consumed; false: wait or failed (see state). */
  private readPageHeader(): boolean | typeof WAIT {
    const pageLsn = this.pos;
    if (!this.peek(SizeOfXLogShortPHD, this.hdr)) return WAIT;
    if ((u16(this.peekArr, this.peekOff + 2) & XLP_LONG_HEADER) !== 0 && u16(this.peekArr, this.peekOff) === this.profile.XLOG_PAGE_MAGIC) {
      if (!this.peek(SizeOfXLogLongPHD, this.hdr)) return WAIT;
    }
    if (!this.validatePageHeader(this.peekArr, this.peekOff, pageLsn)) return false;
    this.consume(this.pageHdrLen);
    return true;
  }

  // ---- states ----

  private init(): boolean {
    if (!this.peek(SizeOfXLogShortPHD, this.hdr)) {
      this.waitOrEnd(this.inputLsn, false);
      return false;
    }
    let b = this.peekArr;
    let o = this.peekOff;
    const magic = u16(b, o);
    if (this.inputLsn < 0) {
      if (magic !== this.profile.XLOG_PAGE_MAGIC) {
        const hex = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
        this.state = S_DONE;
        this.thrown = new PgFormatError(
          'BAD_MAGIC',
          `invalid magic number ${hex(magic)} in the first WAL page, expected ${hex(this.profile.XLOG_PAGE_MAGIC)} (PostgreSQL ${this.profile.major})`,
          { offset: 0 },
        );
        throw this.thrown;
      }
      this.inputLsn = u64n(b, o + 8);
      if (this.inputLsn > MAX_TRACKED_LSN) {
        this.state = S_DONE;
        this.thrown = beyondTracked('first page address', this.inputLsn);
        throw this.thrown;
      }
      if (this.inputLsn % PAGE !== 0) {
        this.state = S_DONE;
        this.thrown = new PgFormatError('BAD_HEADER', `first WAL page has a misaligned pageaddr ${lsnText(this.inputLsn)}`, { offset: 8 });
        throw this.thrown;
      }
    }
    if (magic === this.profile.XLOG_PAGE_MAGIC && (u16(b, o + 2) & XLP_LONG_HEADER) !== 0) {
      if (!this.peek(SizeOfXLogLongPHD, this.hdr)) {
        this.waitOrEnd(this.inputLsn, false);
        return false;
      }
      b = this.peekArr;
      o = this.peekOff;
      if (!this.segSizeGiven) {
        const size = u32(b, o + 32);
        if (!isValidWalSegSize(size)) {
          this.state = S_DONE;
          this.thrown = new PgFormatError(
            'BAD_HEADER',
            `WAL segment size must be a power of two between 1 MB and 1 GB, but the WAL file "${walFileName(this.timeline, BigInt(Math.floor(this.inputLsn / DEFAULT_WAL_SEGMENT_SIZE)))}" header specifies ${size} byte${size === 1 ? '' : 's'}`,
            { offset: 32 },
          );
          throw this.thrown;
        }
        this.segSize = size;
      }
    }
    this.pos = this.inputLsn;
    if (this.startLsn < 0) this.startLsn = this.inputLsn;
    if (this.startLsn < this.inputLsn) {
      this.state = S_DONE;
      this.thrown = new PgFormatError(
        'BAD_ARGUMENT',
        `start LSN ${lsnText(this.startLsn)} is before the input's first byte ${lsnText(this.inputLsn)}`,
      );
      throw this.thrown;
    }
    this.findPage = this.startLsn - (this.startLsn % PAGE);
    // Like ReadPageInternal, validate the first page read even when the search starts later in it.
    if (!this.validatePageHeader(b, o, this.inputLsn)) return true;
    this.state = S_FIND;
    return true;
  }

  /** XLogFindNextRecord: skip continuation data to the first record boundary at or after findPage. */
  private find(): boolean {
    for (;;) {
      if (!this.skipTo(this.findPage)) {
        this.waitOrEnd(this.findPage, false);
        return false;
      }
      const r = this.readPageHeader();
      if (r === WAIT) {
        this.waitOrEnd(this.findPage, false);
        return false;
      }
      if (!r) return true;
      if ((this.pageInfo & XLP_FIRST_IS_CONTRECORD) !== 0) {
        if (maxAlign(this.pageRemLen) >= PAGE - this.pageHdrLen) {
          this.findPage += PAGE;
          continue;
        }
        this.nextRecPtr = this.findPage + this.pageHdrLen + maxAlign(this.pageRemLen);
      } else {
        this.nextRecPtr = this.findPage + this.pageHdrLen;
      }
      this.randAccess = true;
      this.state = S_RECORD;
      return true;
    }
  }

  /** ValidXLogRecordHeader on the 24 bytes at b[o…]; false after recording the failure. */
  private validRecordHeader(b: Uint8Array, o: number, recPtr: number): boolean {
    const totLen = u32(b, o);
    if (totLen < SizeOfXLogRecord) {
      this.fail('BAD_LENGTH', this.messages.invalidRecordLength(recPtr, totLen), recPtr);
      return false;
    }
    const rmid = b[o + 17] as number;
    if (!this.validRmid(rmid)) {
      this.fail('BAD_RECORD', `invalid resource manager ID ${rmid} at ${lsnText(recPtr)}`, recPtr);
      return false;
    }
    const prev = u64n(b, o + 8);
    if (!this.validPrevLink(prev, recPtr)) {
      this.fail('BAD_RECORD', `record with incorrect prev-link ${lsnText(u64big(b, o + 8))} at ${lsnText(recPtr)}`, recPtr);
      return false;
    }
    return true;
  }

  /** xl_rmid names a builtin resource manager, or a custom one where the version has them. */
  private validRmid(rmid: number): boolean {
    return rmid <= this.profile.RM_MAX_BUILTIN_ID || (this.profile.customRmgrs && rmid >= RM_MIN_CUSTOM_ID && rmid <= RM_MAX_CUSTOM_ID);
  }

  /** xl_prev is the previous record (or, after random access, at least before this one). */
  private validPrevLink(prev: number, recPtr: number): boolean {
    return this.randAccess ? prev < recPtr : prev === this.prevRecPtr;
  }

  /** The end of reading a record: its CRC verdict, then the next record's position, then the body. */
  private finishRecord(crcOk: boolean, b: Uint8Array, o: number, totLen: number, recPtr: number, endPos: number): WalRecord | typeof AGAIN {
    if (!crcOk) return this.fail('CRC_MISMATCH', `incorrect resource manager data checksum in record at ${lsnText(recPtr)}`, recPtr);
    const next = this.nextAfter(endPos, b, o);
    this.nextRecPtr = next;
    return this.decode(b, o, totLen, recPtr, next);
  }

  /**
   * xl_crc over [24, tot_len) then [0, 20). The data of long records goes to the accelerator
   * when one is installed (one call; the 20 header bytes continue in TypeScript).
   */
  private crcOk(b: Uint8Array, o: number, totLen: number): boolean {
    if (!this.verifyCrc) return true;
    const accelerator = totLen >= ACCELERATE_RECORDS_FROM_BYTES ? activeAccelerator() : null;
    if (accelerator !== null) {
      const state = (accelerator.crc32c(b.subarray(o + SizeOfXLogRecord, o + totLen), 0) ^ 0xffffffff) | 0;
      return crc32cFinish(crc32cUpdate(state, b, o, o + 20)) === u32(b, o + 20);
    }
    if (this.wordsOf !== b) {
      this.wordsOf = b;
      this.words = wordsOfBuffer(b);
    }
    return walRecordCrc(b, this.words, o, totLen) === u32(b, o + 20);
  }

  /**
   * crcOk for a record lying in input chunk `c` at `o`. With an accelerator that scans, the
   * records of the next SCAN_PAGES whole pages of the chunk are checked in one native call
   * ahead of the reader, and a record is taken as checked only if the scan found exactly it
   * (same chunk, offset and length, hence the same bytes). Anything else falls back to crcOk.
   */
  private chunkCrcOk(c: Uint8Array, o: number, totLen: number, offInPage: number): boolean {
    if (!this.verifyCrc) return true;
    const ahead = this.scanChunk !== c ? this.scannedAhead.get(c) : undefined;
    if (ahead !== undefined) {
      this.scanResults = ahead;
      this.scanChunk = c;
      this.scanEnd = c.length - (c.length % PAGE);
      this.scanNext = 0;
    } else if (this.scanChunk !== c || o >= this.scanEnd) {
      const scan = activeAccelerator()?.scanRecordCrcs;
      const pageStart = o - offInPage;
      if (scan === undefined || pageStart < 0 || pageStart + PAGE > c.length || c.length > 0xffffffff) return this.crcOk(c, o, totLen);
      const pages = Math.min(SCAN_PAGES, Math.floor((c.length - pageStart) / PAGE));
      this.scanResults = scan(c, pageStart, pages);
      this.scanChunk = c;
      this.scanEnd = pageStart + pages * PAGE;
      this.scanNext = 0;
    }
    const r = this.scanResults;
    let k = this.scanNext;
    while (k < r.length && (r[k] as number) < o) k += 2;
    if (k < r.length && r[k] === o && ((r[k + 1] as number) & ~SCAN_BAD_CRC) === totLen) {
      this.scanNext = k + 2;
      return ((r[k + 1] as number) & SCAN_BAD_CRC) === 0;
    }
    this.scanNext = k;
    return this.crcOk(c, o, totLen);
  }

  private nextAfter(endPos: number, b: Uint8Array, o: number): number {
    let next = maxAlign(endPos);
    if (b[o + 17] === RM_XLOG_ID && ((b[o + 16] as number) & ~XLR_INFO_MASK) === XLOG_SWITCH) {
      next = Math.ceil(next / this.segSize) * this.segSize;
    }
    return next;
  }

  private readRecord(): WalRecord | typeof WAIT | typeof AGAIN {
    let recPtr = this.nextRecPtr;
    // Fast path, the usual case: the whole record lies in the current page (whose header was
    // read) and in the current input chunk. Same checks, in the same order, as below.
    const fastOffInPage = pageOffset(recPtr);
    const fastSkip = recPtr - this.pos;
    if (
      fastOffInPage >= this.pageHdrLen &&
      fastOffInPage <= PAGE - SizeOfXLogRecord &&
      fastSkip >= 0 &&
      !((this.pageInfo & XLP_FIRST_IS_CONTRECORD) !== 0 && fastOffInPage === this.pageHdrLen)
    ) {
      const c = this.chunks[this.ci];
      const o = this.coff + fastSkip;
      if (c !== undefined && o + SizeOfXLogRecord <= c.length) {
        const totLen = u32(c, o);
        if (totLen >= SizeOfXLogRecord && fastOffInPage + totLen <= PAGE && o + totLen <= c.length) {
          this.pos = recPtr;
          this.avail -= fastSkip;
          this.coff = o;
          // validRecordHeader's checks through its small predicates (it is too large to be
          // inlined, and this runs per record); a failure goes through it for the message.
          if (!this.validRmid(c[o + 17] as number) || !this.validPrevLink(u64n(c, o + 8), recPtr)) {
            this.validRecordHeader(c, o, recPtr);
            return AGAIN;
          }
          this.pos += totLen;
          this.avail -= totLen;
          this.coff += totLen;
          if (this.coff === c.length) this.consume(0);
          return this.finishRecord(this.chunkCrcOk(c, o, totLen, fastOffInPage), c, o, totLen, recPtr, recPtr + totLen);
        }
      }
    }
    if (!this.skipTo(this.nextRecPtr)) return this.waitOrEnd(this.nextRecPtr, false);
    if (pageOffset(recPtr) === 0) {
      const r = this.readPageHeader();
      if (r === WAIT) return this.waitOrEnd(recPtr, false);
      if (!r) return AGAIN;
      recPtr += this.pageHdrLen;
      this.nextRecPtr = recPtr;
    } else if (pageOffset(recPtr) < this.pageHdrLen) {
      return this.fail('BAD_RECORD', this.messages.invalidRecordOffset(recPtr, this.pageHdrLen, pageOffset(recPtr)), recPtr);
    }
    const offInPage = pageOffset(recPtr);
    if ((this.pageInfo & XLP_FIRST_IS_CONTRECORD) !== 0 && offInPage === this.pageHdrLen) {
      return this.fail('BAD_RECORD', `contrecord is requested by ${lsnText(recPtr)}`, recPtr);
    }
    const headerOnPage = offInPage <= PAGE - SizeOfXLogRecord;
    if (!this.peek(headerOnPage ? SizeOfXLogRecord : 4, this.hdr)) return this.waitOrEnd(recPtr, true);
    let b = this.peekArr;
    let o = this.peekOff;
    const totLen = u32(b, o);
    if (headerOnPage) {
      if (!this.validRecordHeader(b, o, recPtr)) return AGAIN;
    } else if (totLen < SizeOfXLogRecord) {
      return this.fail('BAD_LENGTH', this.messages.invalidRecordLength(recPtr, totLen), recPtr);
    }
    if (offInPage + totLen > PAGE) {
      this.asmRecPtr = recPtr;
      this.asmTot = totLen;
      this.asmGot = 0;
      this.asmGotHeader = headerOnPage;
      this.state = S_ASSEMBLE;
      return AGAIN;
    }
    const c = this.chunks[this.ci] as Uint8Array;
    if (c.length - this.coff >= totLen) {
      b = c;
      o = this.coff;
    } else if (this.avail >= totLen) {
      this.asmGot = 0;
      this.ensureAsm(totLen);
      this.copyOut(this.asm, 0, totLen);
      b = this.asm;
      o = 0;
    } else {
      return this.waitOrEnd(recPtr, true);
    }
    this.consume(totLen);
    const crcOk = b === c ? this.chunkCrcOk(c, o, totLen, offInPage) : this.crcOk(b, o, totLen);
    return this.finishRecord(crcOk, b, o, totLen, recPtr, recPtr + totLen);
  }

  private assemble(): WalRecord | typeof WAIT | typeof AGAIN {
    const recPtr = this.asmRecPtr;
    const totLen = this.asmTot;
    for (;;) {
      if (pageOffset(this.pos) === 0) {
        // At a page boundary inside the record: the next page must continue it.
        const r = this.readPageHeader();
        if (r === WAIT) return this.waitOrEnd(recPtr, true);
        if (!r) return AGAIN;
        if ((this.pageInfo & XLP_FIRST_IS_OVERWRITE_CONTRECORD) !== 0) {
          // The rest of this record was never written; a new record starts on this page.
          this.overwritten = recPtr;
          this.nextRecPtr = this.pos;
          this.state = S_RECORD;
          return AGAIN;
        }
        if ((this.pageInfo & XLP_FIRST_IS_CONTRECORD) === 0) {
          return this.fail('BAD_RECORD', `there is no contrecord flag at ${lsnText(recPtr)}`, recPtr);
        }
        if (this.pageRemLen === 0 || totLen !== this.pageRemLen + this.asmGot) {
          return this.fail(
            'BAD_RECORD',
            `invalid contrecord length ${this.pageRemLen} (expected ${totLen - this.asmGot}) at ${lsnText(recPtr)}`,
            recPtr,
          );
        }
      }
      const pageEnd = (Math.floor(this.pos / PAGE) + 1) * PAGE;
      const want = Math.min(pageEnd - this.pos, totLen - this.asmGot);
      const n = Math.min(want, this.avail);
      if (n > 0) {
        this.ensureAsm(this.asmGot + n);
        this.copyOut(this.asm, this.asmGot, n);
        this.consume(n);
        this.asmGot += n;
      }
      if (n < want) return this.waitOrEnd(recPtr, true);
      if (!this.asmGotHeader && this.asmGot >= SizeOfXLogRecord) {
        if (!this.validRecordHeader(this.asm, 0, recPtr)) return AGAIN;
        this.asmGotHeader = true;
      }
      if (this.asmGot === totLen) break;
    }
    this.state = S_RECORD;
    return this.finishRecord(this.crcOk(this.asm, 0, totLen), this.asm, 0, totLen, recPtr, this.pos);
  }

  private decode(b: Uint8Array, o: number, totLen: number, recPtr: number, next: number): WalRecord {
    const errorLsn = this.profile.major === 16 ? (this.randAccess ? 0 : this.prevRecPtr) : recPtr;
    try {
      return decodeRecordBody(this.profile, this.messages, b, o, totLen, recPtr, next, errorLsn);
    } catch (e) {
      // A CRC-valid record that does not decode is corruption, never the end of WAL.
      this.undecodable = recPtr;
      this.state = S_DONE;
      this.thrown = e as PgFormatError;
      throw e;
    }
  }
}

const WAIT: unique symbol = Symbol('wait');
const AGAIN: unique symbol = Symbol('again');

function looksLikeMoreWal(bytes: Uint8Array, from: number, firstPage: number, magic: number): boolean {
  const n = bytes.length;
  for (let i = 0; i < n && from + i < firstPage; i++) if (bytes[i] !== 0) return true;
  for (let page = firstPage; page < firstPage + 2 * PAGE; page += PAGE) {
    const o = page - from;
    if (o + SizeOfXLogShortPHD > n) break;
    if (u16(bytes, o) !== magic || u64n(bytes, o + 8) !== page) continue;
    if (u32(bytes, o + 16) !== 0) return true;
    const hdrLen = (u16(bytes, o + 2) & XLP_LONG_HEADER) !== 0 ? SizeOfXLogLongPHD : SizeOfXLogShortPHD;
    const stop = Math.min(o + PAGE, n);
    for (let i = o + hdrLen; i < stop; i++) if (bytes[i] !== 0) return true;
  }
  return false;
}
