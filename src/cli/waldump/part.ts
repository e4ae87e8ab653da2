/**
 * One part of parallel `pgffi waldump` (parallel.ts): a run of whole segments
 * (access/xlog_internal.h's XLogSegNo) decoded as the sequential dump loop of
 * ../commands/waldump.ts would, on a worker thread (worker.ts) or on the main thread. Posts what
 * it printed (byte chunks, each ending between records), its --stats counters and how the part
 * ended.
 *
 * A part's decoder starts at the part's first segment like XLogFindNextRecord (the continuation
 * of a record begun in the previous segment is skipped by the page header's xlp_rem_len) and
 * owns the records whose start LSN lies in the part; it reads on into the next part to finish
 * the last one and to decode — with a checked xl_prev — the next part's first record, whose
 * LSN the main thread compares with what the next part's decoder found.
 */
import { PgFormatError } from '../../common/core/errors.js';
import type { PgMajor } from '../../common/core/version.js';
import type { PgVersionProfile } from '../../common/profile.js';
import { WalStatsAccumulator } from '../../common/rmgr/index.js';
import type { WalRecord } from '../../common/wal/decoded-record.js';
import { WalStreamDecoder } from '../../common/wal/stream-decoder.js';
import { recordJson, writeRecordLine } from '../../common/waldump/format.js';
import { type HostStringWriter, TextSink } from '../../common/waldump/text-sink.js';
import {
  type Config,
  Fatal,
  feedSegment,
  hasFpw,
  lsnText,
  matchesRelationBlock,
  NODE_STRINGS,
  readerErrorLine,
  type SegmentBuffers,
} from '../commands/waldump.js';

/** Everything needed to decode any part (a worker's workerData). */
export interface WorkerSetup {
  dir: string;
  segSize: number;
  major: PgMajor;
  timeline: number;
  start: bigint;
  end: bigint;
  cfg: Config;
  zone: string;
}

/** One part: segments from `firstSeg`, records that start before `boundary` (null: no limit). */
export interface PartRequest {
  type: 'part';
  index: number;
  firstSeg: number;
  startLsn: bigint;
  boundary: bigint | null;
}

/** State after a part's record so far, sent with each chunk and with the part's end. */
interface PartProgress {
  index: number;
  /** LSN of the first record this part's decoder returned (may lie past the boundary). */
  firstLsn: bigint | null;
  /** LSN of the last record of the part read so far (shown or filtered out). */
  lastLsn: bigint | null;
}

/** Output of a part: bytes in output order, with the records shown in them. */
export interface ChunkMessage extends PartProgress {
  type: 'chunk';
  /**
   * The output is the first `length` bytes. Shared memory: posting it copies nothing and
   * detaches nothing (a detached ArrayBuffer would cost the thread V8's fast typed-array and
   * DataView access from then on: its "array buffer detaching" protector).
   */
  bytes: SharedArrayBuffer;
  length: number;
  /** Part-relative byte offset of the chunk's first byte. */
  offset: number;
  shown: number;
  /** With -n: part-relative end offset of each record shown in this chunk. */
  ends: Float64Array | null;
}

/** How a part ended. */
export type PartOutcome =
  /** The first record at or past the boundary was decoded (its xl_prev checked). */
  | { kind: 'boundary'; nextLsn: bigint }
  /** The decoder ended cleanly (endOfWal, as the sequential loop reads it). */
  | {
      kind: 'end';
      eow: { reason: string; message: string; lastRecordLsn: bigint | null; beforeFirstRecord: boolean } | null;
    }
  /** A reader error: the sequential loop prints the statistics, then this message (pg_fatal). */
  | { kind: 'error'; message: string }
  /** pg_fatal at once: the sequential loop throws Fatal(message) here. */
  | { kind: 'fatal'; message: string }
  /** Not a WAL problem (a bug): the sequential path would throw. */
  | { kind: 'crash'; message: string };

export interface DoneMessage extends PartProgress {
  type: 'done';
  outcome: PartOutcome;
  shown: number;
  stats: { count: number; endLsnNumber: number; rmgr: Float64Array; records: Float64Array } | null;
}

export type WorkerMessage = ChunkMessage | DoneMessage;

/** A chunk's buffer handed back once written, for the worker's next chunks. */
export interface RecycleMessage {
  type: 'recycle';
  bytes: SharedArrayBuffer;
}

/** A chunk is posted once this much output is pending (the sink holds twice as much). */
const CHUNK_BYTES = 1 << 20;

/** Chunk buffers back from the main thread (this thread's own pool): reusing them saves fresh pages per chunk. */
export const freeBuffers: SharedArrayBuffer[] = [];

function chunkBuffer(size: number): SharedArrayBuffer {
  for (let i = freeBuffers.length - 1; i >= 0; i--) {
    const b = freeBuffers[i]!;
    if (b.byteLength >= size) {
      freeBuffers.splice(i, 1);
      return b;
    }
  }
  return new SharedArrayBuffer(Math.max(size, 2 * CHUNK_BYTES));
}

/** TextSink buffers in shared memory from the chunk pool, written with Buffer's UTF-8 writer. */
const SAB_STRINGS: HostStringWriter = {
  alloc: (size) => Buffer.from(chunkBuffer(size), 0, size),
  write: NODE_STRINGS.write,
};

/** Where a part's messages go (nothing is transferred: see ChunkMessage.bytes). */
export type PostPart = (message: WorkerMessage) => void;

/**
 * Decodes part `req`, posting its chunks and finally its DoneMessage. `stop` is asked before
 * each segment is read (the main thread gives up a part once the dump has ended).
 */
export async function decodePart(
  setup: WorkerSetup,
  profile: PgVersionProfile,
  buffers: SegmentBuffers,
  req: PartRequest,
  postPart: PostPart,
  stop: () => boolean = () => false,
): Promise<void> {
  const { cfg, segSize, start, end, timeline } = setup;
  const seg = BigInt(segSize);
  const source = new WalStreamDecoder(profile, {
    startLsn: req.startLsn,
    inputLsn: BigInt(req.firstSeg) * seg,
    segmentSize: segSize,
    timeline,
  });
  // LSNs as numbers in the loop (no bigint per record); -1: none yet.
  let firstLsn = -1;
  let lastLsn = -1;
  const progress = (): PartProgress => ({
    index: req.index,
    firstLsn: firstLsn < 0 ? null : BigInt(firstLsn),
    lastLsn: lastLsn < 0 ? null : BigInt(lastLsn),
  });
  // The sink flushes into `pending` (possibly in the middle of a record's text: a long
  // description); chunks are posted only between records, so that each one ends with whole
  // records and the main thread may hand over to the sequential loop after any of them.
  let posted = 0;
  let flushed = 0;
  const pending: Uint8Array[] = [];
  let shownInChunk = 0;
  let shown = 0;
  const limit = cfg.limit > 0;
  let ends: number[] = [];
  const sink = new TextSink(
    (bytes) => {
      if (swap) {
        // Hand the filled buffer over as it is and give the sink a fresh one from the pool.
        pending.push(bytes);
        const next = SAB_STRINGS.alloc(2 * CHUNK_BYTES);
        sink.buf = next;
        sink.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
      } else {
        const copy = new Uint8Array(chunkBuffer(bytes.length), 0, bytes.length);
        copy.set(bytes);
        pending.push(copy);
      }
      flushed += bytes.length;
    },
    2 * CHUNK_BYTES,
    SAB_STRINGS,
  );
  // The sink's buffers live in shared memory, so a full one can be posted without a copy (~0.2 s
  // per GB of text) by swapping in a fresh buffer: `buf` and `view` are all the state TextSink
  // keeps about its buffer. Should it keep more, copy instead.
  const swap = Object.keys(sink).sort().join() === 'buf,flushFn,host,pos,view';
  const post = (): void => {
    sink.flush();
    if (pending.length === 0) return;
    let bytes = pending[0]!;
    if (pending.length > 1) {
      bytes = new Uint8Array(chunkBuffer(flushed - posted), 0, flushed - posted);
      let o = 0;
      for (const b of pending) {
        bytes.set(b, o);
        o += b.length;
        freeBuffers.push(b.buffer as SharedArrayBuffer);
      }
    }
    pending.length = 0;
    const msg: ChunkMessage = {
      type: 'chunk',
      ...progress(),
      bytes: bytes.buffer as SharedArrayBuffer,
      length: bytes.length,
      offset: posted,
      shown: shownInChunk,
      ends: limit ? Float64Array.from(ends) : null,
    };
    postPart(msg);
    posted = flushed;
    shownInChunk = 0;
    ends = [];
  };
  const stats = cfg.stats && !cfg.quiet ? new WalStatsAccumulator() : null;
  const rmgrs = cfg.rmgrs === null ? null : new Set(profile.major === 14 ? cfg.rmgrs.slice(-1) : cfg.rmgrs);
  const extended = cfg.relation !== null || cfg.block !== null || cfg.fork !== null;
  const describeOptions = { timestampStyle: 'waldump', timeZone: setup.zone } as const;
  const jsonDescribe = { timestampStyle: 'server', timeZone: setup.zone } as const;
  const lineOptions =
    setup.zone === 'UTC' || setup.zone === 'Etc/UTC'
      ? { bkpDetails: cfg.bkpDetails }
      : { bkpDetails: cfg.bkpDetails, describe: describeOptions };
  const text = !cfg.quiet && !cfg.stats;
  const boundary = req.boundary === null ? Number.POSITIVE_INFINITY : Number(req.boundary);
  let segno = BigInt(req.firstSeg);
  let ended = false;
  let shortRead: string | null = null;
  let outcome: PartOutcome;
  try {
    for (;;) {
      let record: WalRecord | null;
      try {
        record = source.next();
      } catch (e) {
        if (!(e instanceof PgFormatError)) throw e;
        outcome = { kind: 'error', message: readerErrorLine(profile, source, lastLsn < 0 ? start : BigInt(lastLsn), e) };
        break;
      }
      if (record === null) {
        if (source.done || ended) {
          const eow = source.endOfWal;
          if (shortRead !== null && (eow === null || eow.reason === 'end-of-input')) {
            outcome = { kind: 'fatal', message: shortRead };
            break;
          }
          outcome = {
            kind: 'end',
            eow:
              eow === null
                ? null
                : { reason: eow.reason, message: eow.message, lastRecordLsn: eow.lastRecordLsn, beforeFirstRecord: eow.beforeFirstRecord },
          };
          break;
        }
        // Once per segment the thread's event loop runs: chunk buffers come back, and on the
        // main thread the workers' output is written meanwhile.
        await new Promise((resolve) => setImmediate(resolve));
        if (stop()) {
          outcome = { kind: 'crash', message: 'abandoned' };
          break;
        }
        try {
          const fed = await feedSegment(source, setup.dir, timeline, segno, segSize, end, buffers);
          if (fed === 'fed') segno++;
          else {
            // (readTo comes only with a read limit, which parts do not use.)
            ended = true;
            if (typeof fed === 'object' && 'shortRead' in fed) shortRead = fed.shortRead;
          }
        } catch (e) {
          if (e instanceof Fatal || e instanceof PgFormatError) {
            outcome = { kind: 'fatal', message: e.message };
            break;
          }
          throw e;
        }
        continue;
      }
      if (firstLsn < 0) {
        firstLsn = record.lsnNumber;
        const skip = source.firstRecordSkip;
        if (req.index === 0 && skip !== null && start % seg !== 0n) {
          sink.str(
            `first record is after ${lsnText(skip.requested)}, at ${lsnText(skip.found)}, skipping over ${skip.bytes} byte${skip.bytes === 1 ? '' : 's'}\n`,
          );
        }
      }
      if (record.lsnNumber >= boundary) {
        outcome = { kind: 'boundary', nextLsn: record.lsn };
        break;
      }
      lastLsn = record.lsnNumber;
      if (rmgrs !== null && !rmgrs.has(record.rmid)) continue;
      if (cfg.xid !== null && cfg.xid !== record.xid) continue;
      if (extended && !matchesRelationBlock(record, cfg)) continue;
      if (cfg.fpw && !hasFpw(record)) continue;
      if (stats !== null) stats.add(record);
      else if (text) {
        if (cfg.json) sink.str(`${JSON.stringify(recordJson(record, profile, jsonDescribe))}\n`);
        else writeRecordLine(sink, record, profile, lineOptions);
      }
      shown++;
      shownInChunk++;
      if (limit) ends.push(flushed + sink.pos);
      if (sink.pos >= CHUNK_BYTES || pending.length > 0) post();
    }
  } catch (e) {
    // The sequential loop turns a PgFormatError raised anywhere into pg_fatal.
    outcome = e instanceof PgFormatError ? { kind: 'fatal', message: e.message } : { kind: 'crash', message: String(e) };
  }
  post();
  // The sink's last buffer is empty now: back to the pool.
  freeBuffers.push(sink.buf.buffer as SharedArrayBuffer);
  const done: DoneMessage = {
    type: 'done',
    ...progress(),
    outcome,
    shown,
    stats:
      stats === null || stats.count === 0
        ? null
        : { count: stats.count, endLsnNumber: stats.endLsnNumber, rmgr: stats.rmgr, records: stats.records },
  };
  postPart(done);
}
