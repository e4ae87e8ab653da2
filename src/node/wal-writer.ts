/**
 * A durable WAL appender over a directory of segment files (access/transam/xlog.c's
 * XLogWrite / XLogFileInit / issue_xlog_fsync, on the page layout of src/common/wal-encode):
 *
 * - New segment files are created zero-filled through a temporary file, fsynced and renamed
 *   into place (like XLogFileInit), so a segment is either absent or full-size and zeroed.
 * - `append` only lays records into pages in memory; `flush` writes every touched page (the
 *   partial last page included, re-written whole as the server does) in LSN order with
 *   positioned writes, fsyncs each segment written, and only then reports the records durable.
 * - A kill leaves the prefix of a flush on disk: a torn record fails its CRC (or its length or
 *   prev-link check) and is followed by zeros, which the reader takes as the end of WAL.
 * - `open` on an existing directory finds the end of valid WAL with the decoder, zeroes
 *   everything after it in its segment and removes later segments (durably) before appending
 *   there, so no torn bytes from an earlier life can follow new records.
 * - One writer per directory: a lock file (src/node/file-lock.ts) is held while open.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PgFormatError } from '../common/core/errors.js';
import type { Lsn } from '../common/core/lsn.js';
import { DEFAULT_WAL_SEGMENT_SIZE, parseWalFileName, walFileName } from '../common/core/wal-file-names.js';
import type { PgVersionProfile } from '../common/profile.js';
import { detachRecord, type EndOfWal, type WalRecord, WalStreamDecoder } from '../common/wal/index.js';
import type { AppendedRecord, RecordInput } from '../common/wal-encode/index.js';
import { WalEncoder } from '../common/wal-encode/wal-encoder.js';
import { atomicWriteFileStreaming, fsyncDirectory, removeStaleTempFiles } from './atomic-write.js';
import { FileLock } from './file-lock.js';

export interface WalWriterOptions {
  readonly profile: PgVersionProfile;
  readonly systemIdentifier: bigint;
  readonly timeline?: number;
  readonly segmentSize?: number;
  /** For an empty directory: where WAL starts (default: the start of segment 1). */
  readonly startLsn?: Lsn;
  /** For an empty directory: xl_prev of the first record (default 0). */
  readonly prevLsn?: Lsn;
  /** fsync files and directories (default true). */
  readonly sync?: boolean;
}

export interface WalScan {
  /** Segment numbers present for the timeline, ascending. */
  readonly segments: readonly bigint[];
  /** Where valid WAL ends (null when there are no segments). */
  readonly end: WalScanEnd | null;
  /** The last valid record (a detached copy), or null. */
  readonly lastRecord: WalRecord | null;
  readonly recordCount: number;
}

/**
 * The decoder's end of WAL, or a torn record header: a record header that fails validation
 * (length, rmid, prev-link) with only zeros from its 24th byte on through the next two pages.
 * A kill can cut a write inside a header at a 4 kB boundary of the page cache; the decoder
 * reports that as corruption (non-zero bytes at the failure point), xlogreader.c in crash
 * recovery as the end of WAL, which is what a writer recovering its own tail needs.
 */
export interface WalScanEnd extends EndOfWal {
  readonly tornHeader: boolean;
}

/** WAL segment files of `timeline` in `dir`, ascending (none when `dir` does not exist). */
export function listSegments(dir: string, timeline: number, segmentSize: number): bigint[] {
  const out: bigint[] = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = parseWalFileName(name, segmentSize);
    if (p !== null && p.kind === 'segment' && p.timeline === timeline && p.segno !== undefined) out.push(p.segno);
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Decodes the contiguous run of segments from the first one, calling `onRecord` for each valid
 * record (views are valid during the call only), and reports where valid WAL ends.
 */
export function scanWalDirectory(
  dir: string,
  profile: PgVersionProfile,
  options: { systemIdentifier?: bigint; timeline?: number; segmentSize?: number; onRecord?: (r: WalRecord) => void } = {},
): WalScan {
  const timeline = options.timeline ?? 1;
  const segSize = options.segmentSize ?? DEFAULT_WAL_SEGMENT_SIZE;
  const segments = listSegments(dir, timeline, segSize);
  if (segments.length === 0) return { segments, end: null, lastRecord: null, recordCount: 0 };
  const d = new WalStreamDecoder(profile, {
    segmentSize: segSize,
    timeline,
    inputLsn: (segments[0] as bigint) * BigInt(segSize),
    ...(options.systemIdentifier === undefined ? {} : { systemIdentifier: options.systemIdentifier }),
  });
  let last: WalRecord | null = null;
  let count = 0;
  let torn: WalScanEnd | null = null;
  const take = (): void => {
    try {
      for (let r = d.next(); r !== null; r = d.next()) {
        count++;
        options.onRecord?.(r);
        // Copy before the next next(): the decoder may reuse the buffer the record lives in.
        last = detachRecord(profile, r);
      }
    } catch (e) {
      if (!(e instanceof PgFormatError) || e.lsn === undefined || !zeroAfterHeader(dir, timeline, segSize, e.lsn, profile.XLOG_BLCKSZ))
        throw e;
      const lastLsn: Lsn | null = last === null ? null : (last as WalRecord).lsn;
      torn = {
        reason: 'invalid-record',
        lsn: e.lsn,
        message: e.message,
        code: e.code,
        lastRecordLsn: lastLsn,
        beforeFirstRecord: last === null,
        tornHeader: true,
      };
    }
  };
  const chunk = new Uint8Array(Math.min(segSize, 1 << 20));
  for (let i = 0; i < segments.length && !d.done && torn === null; i++) {
    const segno = segments[i] as bigint;
    if (i > 0 && segno !== (segments[i - 1] as bigint) + 1n) break;
    const fd = openSync(join(dir, walFileName(timeline, segno, segSize)), 'r');
    try {
      for (let off = 0; off < segSize && !d.done && torn === null; ) {
        const n = readSync(fd, chunk, 0, chunk.length, off);
        if (n <= 0) break;
        d.push(chunk.slice(0, n));
        take();
        off += n;
      }
    } finally {
      closeSync(fd);
    }
  }
  if (torn === null) {
    d.end();
    take();
  }
  const endInfo = d.endOfWal;
  const end: WalScanEnd | null = torn ?? (endInfo === null ? null : { ...endInfo, tornHeader: false });
  return { segments, end, lastRecord: last, recordCount: count };
}

/** Bytes [lsn + 24, end of the page after next) of the WAL in `dir` are all zero (absent segments count as zero). */
function zeroAfterHeader(dir: string, timeline: number, segSize: number, lsn: Lsn, pageSize: number): boolean {
  const from = Number(lsn) + 24;
  const to = (Math.floor(Number(lsn) / pageSize) + 3) * pageSize;
  const buf = new Uint8Array(pageSize);
  for (let pos = from; pos < to; ) {
    const segno = BigInt(Math.floor(pos / segSize));
    const path = join(dir, walFileName(timeline, segno, segSize));
    const segEnd = (Number(segno) + 1) * segSize;
    const n = Math.min(buf.length, to - pos, segEnd - pos);
    if (existsSync(path)) {
      const fd = openSync(path, 'r');
      try {
        const got = readSync(fd, buf, 0, n, pos % segSize);
        for (let i = 0; i < got; i++) if (buf[i] !== 0) return false;
      } finally {
        closeSync(fd);
      }
    }
    pos += n;
  }
  return true;
}

const ZEROS = new Uint8Array(1 << 20);

export class WalWriter {
  readonly dir: string;
  readonly profile: PgVersionProfile;
  readonly timeline: number;
  readonly segmentSize: number;
  /** What `open` found (null for a fresh directory). */
  readonly recovered: WalScan | null;
  private readonly sync: boolean;
  private readonly enc: WalEncoder;
  private readonly lock: FileLock;
  private readonly fds = new Map<bigint, number>();
  private flushed: Lsn;
  private pendingEnd: Lsn;
  private closed = false;

  private constructor(dir: string, options: WalWriterOptions, lock: FileLock, enc: WalEncoder, recovered: WalScan | null) {
    this.dir = dir;
    this.profile = options.profile;
    this.timeline = options.timeline ?? 1;
    this.segmentSize = options.segmentSize ?? DEFAULT_WAL_SEGMENT_SIZE;
    this.sync = options.sync ?? true;
    this.lock = lock;
    this.enc = enc;
    this.recovered = recovered;
    this.flushed = enc.insertLsn;
    this.pendingEnd = enc.insertLsn;
  }

  /** Opens (creating if needed) the WAL directory `dir` for appending; see the file comment. */
  static open(dir: string, options: WalWriterOptions): WalWriter {
    mkdirSync(dir, { recursive: true });
    const lock = FileLock.acquire(join(dir, 'wal'));
    try {
      removeStaleTempFiles(dir);
      const timeline = options.timeline ?? 1;
      const segSize = options.segmentSize ?? DEFAULT_WAL_SEGMENT_SIZE;
      const sync = options.sync ?? true;
      const scan = scanWalDirectory(dir, options.profile, { systemIdentifier: options.systemIdentifier, timeline, segmentSize: segSize });
      let startLsn = options.startLsn ?? BigInt(segSize);
      let prevLsn = options.prevLsn ?? 0n;
      let pagePrefix: Uint8Array | undefined;
      let recovered: WalScan | null = null;
      if (scan.segments.length > 0) {
        recovered = scan;
        const first = (scan.segments[0] as bigint) * BigInt(segSize);
        if (scan.lastRecord !== null) {
          startLsn = scan.lastRecord.endLsn;
          prevLsn = scan.lastRecord.lsn;
        } else {
          startLsn = first;
        }
        const keepSeg = startLsn / BigInt(segSize);
        const inSeg = Number(startLsn % BigInt(segSize));
        const pageSize = options.profile.XLOG_BLCKSZ;
        const path = join(dir, walFileName(timeline, keepSeg, segSize));
        if (existsSync(path) && inSeg > 0) {
          const fd = openSync(path, 'r+');
          try {
            const pageStart = inSeg - (inSeg % pageSize);
            if (inSeg % pageSize !== 0) {
              pagePrefix = new Uint8Array(inSeg - pageStart);
              readSync(fd, pagePrefix, 0, pagePrefix.length, pageStart);
            }
            for (let off = inSeg; off < segSize; ) {
              const n = Math.min(ZEROS.length, segSize - off);
              off += writeSync(fd, ZEROS, 0, n, off);
            }
            if (sync) fsyncSync(fd);
          } finally {
            closeSync(fd);
          }
        } else if (existsSync(path)) {
          rmSync(path);
        }
        for (const s of scan.segments) if (s > keepSeg) rmSync(join(dir, walFileName(timeline, s, segSize)));
        if (sync) fsyncDirectory(dir);
      }
      const enc = new WalEncoder({
        profile: options.profile,
        systemIdentifier: options.systemIdentifier,
        startLsn,
        prevLsn,
        timeline,
        segmentSize: segSize,
        ...(pagePrefix === undefined ? {} : { pagePrefix }),
      });
      return new WalWriter(dir, options, lock, enc, recovered);
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /** LSN up to which appended records are durable. */
  get flushedLsn(): Lsn {
    return this.flushed;
  }

  /** Where the next record goes. */
  get insertLsn(): Lsn {
    return this.enc.insertLsn;
  }

  /** Lays a record into the in-memory pages; durable only after `flush()`. */
  append(record: RecordInput): AppendedRecord {
    this.checkOpen();
    const r = this.enc.append(record);
    this.pendingEnd = r.endLsn;
    return r;
  }

  /** XLOG_SWITCH (null at a segment start, where the server writes none). */
  appendSwitch(): AppendedRecord | null {
    this.checkOpen();
    const r = this.enc.appendSwitch();
    if (r !== null) this.pendingEnd = r.endLsn;
    return r;
  }

  private checkOpen(): void {
    if (this.closed) throw new PgFormatError('BAD_ARGUMENT', 'WAL writer is closed');
  }

  private segmentFd(segno: bigint): number {
    let fd = this.fds.get(segno);
    if (fd !== undefined) return fd;
    const path = join(this.dir, walFileName(this.timeline, segno, this.segmentSize));
    if (!existsSync(path)) {
      atomicWriteFileStreaming(
        path,
        (put) => {
          for (let off = 0; off < this.segmentSize; off += ZEROS.length)
            put(ZEROS.subarray(0, Math.min(ZEROS.length, this.segmentSize - off)));
        },
        { sync: this.sync },
      );
    }
    fd = openSync(path, 'r+');
    this.fds.set(segno, fd);
    return fd;
  }

  /** Writes every page touched since the last flush, fsyncs, and returns the durable LSN. */
  flush(): Lsn {
    this.checkOpen();
    const pages = this.enc.takePages();
    const seg = BigInt(this.segmentSize);
    const touched: number[] = [];
    for (const p of pages) {
      const segno = p.lsn / seg;
      const fd = this.segmentFd(segno);
      const off = Number(p.lsn % seg);
      for (let done = 0; done < p.bytes.length; ) done += writeSync(fd, p.bytes, done, p.bytes.length - done, off + done);
      if (!touched.includes(fd)) touched.push(fd);
    }
    if (this.sync) for (const fd of touched) fsyncSync(fd);
    // Keep only the newest segment's descriptor open.
    const newest = pages.length > 0 ? (pages.at(-1)?.lsn as bigint) / seg : -1n;
    for (const [s, fd] of this.fds) {
      if (s !== newest) {
        closeSync(fd);
        this.fds.delete(s);
      }
    }
    this.flushed = this.pendingEnd;
    return this.flushed;
  }

  /** Closes files and releases the directory lock (unflushed records are dropped). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
    this.lock.release();
  }
}
