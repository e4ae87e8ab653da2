/**
 * Parallel `pgffi waldump`: the requested range of WAL segments (access/xlog_internal.h's
 * XLogSegNo) is cut into parts of whole segments that worker threads (worker.ts) decode and
 * format at the same time; the main thread writes their output in LSN order and merges their
 * --stats counters (WalStatsAccumulator.merge).
 *
 * A part's worker starts mid-stream (XLogFindNextRecord), where it cannot check its first
 * record's xl_prev, so the seams are verified here: part k+1's first record must be the one
 * that part k's worker decoded right after its last record, as the sequential reader would,
 * xl_prev checked. Part k's worker has then also validated the page header where part k+1's
 * decoder starts (the segment's first page: latest page address and timeline are the same in
 * both decoders from there on), so from that record on part k+1's decoder is in the sequential
 * decoder's state, and a part that ends the dump (end of WAL, an invalid record, a missing or
 * short file) ends it as the sequential loop would. Anything unexpected — a seam that does not
 * match, a worker that fails — hands over to the sequential loop of ../commands/waldump.ts,
 * which re-reads from the start and prints only what was not printed yet: output, error line
 * and exit code are those of the sequential path in every case.
 *
 * Environment: POSTGRES_FFI_WALDUMP_WORKERS=0 (sequential) or N (N workers, any input size);
 * for tests, POSTGRES_FFI_WALDUMP_PART_SEGMENTS=N (segments per part),
 * POSTGRES_FFI_WALDUMP_TRACE=FILE (appends one JSON line per run: workers, parts, how it
 * ended) and POSTGRES_FFI_WALDUMP_TEST_FAULT=PART[:N] (treats the Nth message of that part, or
 * its last if it has fewer, as a broken seam, to exercise the hand-over).
 */
import { existsSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { walFileName } from '../../common/core/wal-file-names.js';
import type { PgVersionProfile } from '../../common/profile.js';
import { WalStatsAccumulator } from '../../common/rmgr/index.js';
import { formatStats, statsJson } from '../../common/waldump/format.js';
import { type Config, Fatal, lsnText, type Out, type Resume, SegmentBuffers, type SegmentInfo } from '../commands/waldump.js';
import { envCount, trace } from './env.js';
import {
  type ChunkMessage,
  type DoneMessage,
  decodePart,
  freeBuffers,
  type PartRequest,
  type RecycleMessage,
  type WorkerMessage,
  type WorkerSetup,
} from './part.js';

export interface ParallelDump {
  cfg: Config;
  profile: PgVersionProfile;
  info: SegmentInfo;
  start: bigint;
  end: bigint;
  timeline: number;
  out: Out;
  zone: string;
}

/** Parts hold at least this much WAL (whole segments). */
const PART_BYTES = 16 * 1024 * 1024;
/**
 * Below these amounts of WAL one thread is faster. A second thread costs ~0.1 s of start-up
 * (modules) and ~0.2 s of not yet optimised code (each thread's JIT warms up on its own), and
 * every part a decoder start and a read into the next segment. Measured on 2 cores (best of 5,
 * bench/waldump.ts's PG15 corpus), one thread vs two: text 0.68 vs 0.86 s at 128 MB, 3.27 vs
 * 2.40 s at 1 GB; --stats 0.36 vs 0.53 s and 1.26 vs 1.07 s: even at ~280 MB and ~550 MB.
 * With the single thread's read-ahead (../commands/waldump.ts), text: 0.39 vs 0.61 s at 107 MB,
 * 1.79 vs 1.60 s and 2.58 vs 2.13 s at 1 GB (two corpora); plain --stats goes to the native
 * pass, not here.
 */
const MIN_TEXT_BYTES = 320 * 1024 * 1024;
const MIN_STATS_BYTES = 640 * 1024 * 1024;
/** Larger segments make parts whose text would be held in memory whole: not parallel unless forced. */
const MAX_AUTO_SEGMENT_SIZE = 64 * 1024 * 1024;
const MAX_WORKERS = 8;

interface Plan {
  workers: number;
  parts: PartRequest[];
}

/**
 * CPUs idle right now: the idle share of all CPU time over 30 ms (the kernel's counters, as
 * os.cpus() reports them) times the number of CPUs. The load average would lag by a minute.
 */
async function idleCores(): Promise<number> {
  const sample = (): { idle: number; total: number } => {
    let idle = 0;
    let total = 0;
    for (const c of cpus()) {
      idle += c.times.idle;
      total += c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
    }
    return { idle, total };
  };
  const a = sample();
  await new Promise((resolve) => setTimeout(resolve, 30));
  const b = sample();
  const total = b.total - a.total;
  return total > 0 ? ((b.idle - a.idle) / total) * Math.min(cpus().length, availableParallelism()) : 0;
}

async function plan(d: ParallelDump): Promise<Plan | null> {
  const forced = envCount('POSTGRES_FFI_WALDUMP_WORKERS');
  if (forced === 0) return null;
  const { cfg, info, start, end, timeline } = d;
  // -n with --stats stops counting inside a part: only the sequential loop knows where.
  if (cfg.stats && cfg.limit > 0) return null;
  const segSize = info.segSize;
  const seg = BigInt(segSize);
  const firstSeg = start / seg;
  let lastSeg: bigint;
  if (end !== 0n) {
    if (end <= start) return null;
    lastSeg = (end - 1n) / seg;
  } else {
    // Up to end of WAL: the segments present from the first one on.
    lastSeg = firstSeg;
    while (existsSync(join(info.dir, walFileName(timeline, lastSeg + 1n, segSize)))) lastSeg++;
  }
  if (lastSeg > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  const minSegs = Math.max(1, Math.ceil(PART_BYTES / segSize));
  const segments = Number(lastSeg - firstSeg) + 1;
  let workers: number;
  if (forced !== null) workers = forced;
  else {
    const bytes = Number((end !== 0n ? end : (lastSeg + 1n) * seg) - start);
    const worth = !cfg.stats && !cfg.quiet ? MIN_TEXT_BYTES : MIN_STATS_BYTES;
    if (segments < 2 * minSegs || bytes < worth || segSize > MAX_AUTO_SEGMENT_SIZE) return null;
    // The main thread decodes parts too: one worker per other idle core (on a busy machine
    // threads only add overhead).
    workers = Math.min(Math.round(await idleCores()) - 1, MAX_WORKERS);
    if (workers < 1) return null;
  }
  // About eight parts per thread, so that the threads finish close together, but parts of at
  // most four times the minimum: each part costs a decoder start and a read into the next
  // segment, and a part's text waits in memory while the parts before it are written.
  const partSegs = Math.max(
    1,
    envCount('POSTGRES_FFI_WALDUMP_PART_SEGMENTS') ?? Math.min(4 * minSegs, Math.max(minSegs, Math.ceil(segments / ((workers + 1) * 8)))),
  );
  const nParts = Math.ceil(segments / partSegs);
  workers = Math.min(workers, nParts - 1);
  const parts: PartRequest[] = [];
  for (let i = 0; i < nParts; i++) {
    const first = Number(firstSeg) + i * partSegs;
    parts.push({
      type: 'part',
      index: i,
      firstSeg: first,
      startLsn: i === 0 ? start : BigInt(first) * seg,
      boundary: i === nParts - 1 ? null : BigInt(first + partSegs) * seg,
    });
  }
  return { workers, parts };
}

/** The worker module: compiled worker.js, or worker.ts through tsx-worker.mjs when running from sources. */
function workerEntry(): { url: URL; tsEntry: string | null } | null {
  const js = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js, tsEntry: null };
  const ts = new URL('./worker.ts', import.meta.url);
  if (existsSync(fileURLToPath(ts))) return { url: new URL('./tsx-worker.mjs', import.meta.url), tsEntry: ts.href };
  return null;
}

/** How the parallel pass ended. */
type Ending =
  | { kind: 'return'; code: number }
  | { kind: 'fatal'; message: string }
  | { kind: 'crash'; message: string }
  | { kind: 'sequential' };

interface PartState {
  queue: WorkerMessage[];
  started: boolean;
  worker: Worker | null;
}

/**
 * Runs the dump on worker threads when that pays (or is forced), else — and whenever a seam
 * cannot be verified — through `sequential` (the single-thread loop, resuming after what was
 * printed). Returns the exit code; throws Fatal as the sequential loop does.
 */
export async function dumpParallel(d: ParallelDump, sequential: (resume: Resume | null) => Promise<number>): Promise<number> {
  const p = await plan(d);
  const entry = p === null ? null : workerEntry();
  if (p === null || entry === null) {
    trace({ sequential: true });
    return sequential(null);
  }
  const { cfg, out, profile } = d;
  const buffered = cfg.stats || cfg.quiet;
  const limit = Math.max(cfg.limit, 0);
  const setup: WorkerSetup & { tsEntry: string | null } = {
    dir: d.info.dir,
    segSize: d.info.segSize,
    major: d.info.major,
    timeline: d.timeline,
    start: d.start,
    end: d.end,
    cfg,
    zone: d.zone,
    tsEntry: entry.tsEntry,
  };
  const parts: PartState[] = p.parts.map(() => ({ queue: [], started: false, worker: null }));
  const workers: Worker[] = [];
  /** Parts sent to each worker and not done yet (two each, so that none waits for the next). */
  const outstanding = new Map<Worker, number>();
  const stats = new WalStatsAccumulator();
  /** Output held back until the end (--stats, -q: only the "first record is after" line). */
  const held: Uint8Array[] = [];
  let cur = 0;
  let next = 0;
  const window = p.workers + 3;
  let expectedFirst: bigint | null = null;
  let shown = 0;
  let printedThrough: bigint | null = null;
  let anyPrinted = false;
  let finish!: (e: Ending) => void;
  const ended = new Promise<Ending>((resolve) => {
    finish = resolve;
  });
  let finished = false;
  /** Resumes the main thread's own decoding loop when a part becomes available (or the pass ends). */
  let wakeLocal: (() => void) | null = null;
  const end = (e: Ending): void => {
    if (finished) return;
    finished = true;
    finish(e);
    if (wakeLocal !== null) wakeLocal();
  };

  const assign = (): void => {
    for (const [w, n] of outstanding) {
      if (n >= 2 || next >= p.parts.length || next >= cur + window) continue;
      outstanding.set(w, n + 1);
      parts[next]!.worker = w;
      w.postMessage(p.parts[next]!);
      next++;
    }
    if (wakeLocal !== null && next < p.parts.length && next < cur + window) {
      const wake = wakeLocal;
      wakeLocal = null;
      wake();
    }
  };

  const fault = /^(\d+)(?::(\d+))?$/.exec(process.env.POSTGRES_FFI_WALDUMP_TEST_FAULT ?? '');
  let messageNo = 0;
  /** Chunks of the current part written. */
  let written = 0;

  /** Processes the current part's messages in order; false once the pass has ended. */
  const handle = (m: WorkerMessage): boolean => {
    if (fault !== null && cur === Number(fault[1]) && (messageNo++ === Number(fault[2] ?? 0) || m.type === 'done')) {
      end({ kind: 'sequential' });
      return false;
    }
    if (!parts[cur]!.started) {
      parts[cur]!.started = true;
      if (cur > 0 && m.firstLsn !== expectedFirst) {
        end({ kind: 'sequential' });
        return false;
      }
    }
    if (m.type === 'chunk') return chunk(m);
    return done(m);
  };

  const chunk = (m: ChunkMessage): boolean => {
    const bytes = new Uint8Array(m.bytes, 0, m.length);
    if (buffered) {
      held.push(bytes);
      return true;
    }
    if (limit > 0 && shown + m.shown >= limit) {
      const stop = m.ends![limit - shown - 1]! - m.offset;
      out.writeBytes(bytes.subarray(0, stop));
      end({ kind: 'return', code: 0 });
      return false;
    }
    out.writeBytes(bytes);
    written++;
    const owner = parts[cur]!.worker;
    if (owner === null) freeBuffers.push(m.bytes);
    else {
      const recycle: RecycleMessage = { type: 'recycle', bytes: m.bytes };
      owner.postMessage(recycle);
    }
    anyPrinted = true;
    shown += m.shown;
    if (m.lastLsn !== null) printedThrough = m.lastLsn;
    return true;
  };

  const writeHeld = (): void => {
    for (const b of held) out.writeBytes(b);
    held.length = 0;
  };

  const done = (m: DoneMessage): boolean => {
    if (m.stats !== null) {
      const part = new WalStatsAccumulator();
      part.count = m.stats.count;
      part.endLsnNumber = m.stats.endLsnNumber;
      part.rmgr.set(m.stats.rmgr);
      part.records.set(m.stats.records);
      stats.merge(part);
    }
    if (cur === 0 && m.firstLsn !== null) stats.startLsn = m.firstLsn;
    if (buffered) {
      shown += m.shown;
      if (limit > 0 && shown >= limit) {
        writeHeld();
        end({ kind: 'return', code: 0 });
        return false;
      }
    }
    const o = m.outcome;
    if (o.kind === 'boundary') {
      expectedFirst = o.nextLsn;
      cur++;
      messageNo = 0;
      written = 0;
      return true;
    }
    if (buffered) writeHeld();
    if (o.kind === 'fatal' || o.kind === 'crash') {
      end(o);
      return false;
    }
    if (o.kind === 'error') {
      printStats();
      end({ kind: 'fatal', message: o.message });
      return false;
    }
    // The dump ends in this part, as the sequential loop's end-of-WAL handling says.
    const eow = o.eow;
    if (cur === 0 && m.firstLsn === null && eow?.beforeFirstRecord) {
      end({ kind: 'fatal', message: `could not find a valid record after ${lsnText(d.start)}` });
      return false;
    }
    printStats();
    if (eow !== null && eow.reason === 'invalid-record') {
      end({ kind: 'fatal', message: `error in WAL record at ${lsnText(eow.lastRecordLsn ?? d.start)}: ${eow.message}` });
    } else {
      end({ kind: 'return', code: 0 });
    }
    return false;
  };

  const printStats = (): void => {
    if (!cfg.stats || cfg.quiet) return;
    if (cfg.json) out.write(`${JSON.stringify(statsJson(stats, profile, cfg.statsPerRecord))}\n`);
    else out.write(formatStats(stats, profile, cfg.statsPerRecord));
  };

  const pump = (): void => {
    while (!finished && cur < parts.length) {
      const m = parts[cur]!.queue.shift();
      if (m === undefined) break;
      if (!handle(m)) return;
    }
    if (!finished && cur >= parts.length) end({ kind: 'sequential' });
    if (!finished) assign();
  };

  // pg_waldump on SIGINT: stop, print the statistics so far, exit 0.
  const onSigint = (): void => {
    if (finished) return;
    if (buffered) writeHeld();
    printStats();
    end({ kind: 'return', code: 0 });
  };
  // The main thread decodes whichever part is next whenever it is free (it has the modules
  // loaded already); between its parts it writes what the workers sent.
  const local = async (): Promise<void> => {
    const buffers = new SegmentBuffers();
    while (!finished) {
      if (next < p.parts.length && next < cur + window) {
        const k = next++;
        await decodePart(
          setup,
          profile,
          buffers,
          p.parts[k]!,
          (m) => parts[m.index]!.queue.push(m),
          () => finished,
        );
        pump();
        await new Promise((resolve) => setImmediate(resolve));
      } else {
        await new Promise<void>((resolve) => {
          wakeLocal = resolve;
        });
      }
    }
  };

  process.on('SIGINT', onSigint);
  let localDone: Promise<void> = Promise.resolve();
  try {
    for (let i = 0; i < p.workers; i++) {
      const w = new Worker(entry.url, { workerData: setup });
      workers.push(w);
      w.on('message', (m: WorkerMessage | { type: 'ready' }) => {
        if (finished) return;
        if (m.type === 'ready') {
          outstanding.set(w, 0);
          assign();
          return;
        }
        if (m.type === 'done') outstanding.set(w, outstanding.get(w)! - 1);
        parts[m.index]!.queue.push(m);
        pump();
      });
      // A thread that cannot run (or dies) leaves the rest to the sequential loop.
      w.on('error', () => end({ kind: 'sequential' }));
      w.on('exit', () => end({ kind: 'sequential' }));
    }
    localDone = local().catch((err: unknown) => end({ kind: 'crash', message: String(err) }));
    const e = await ended;
    trace({ workers: p.workers, parts: p.parts.length, ending: e.kind, part: cur, written });
    if (e.kind === 'return') return e.code;
    if (e.kind === 'fatal') throw new Fatal(e.message);
    if (e.kind === 'crash') throw new Error(e.message);
  } finally {
    process.off('SIGINT', onSigint);
    await Promise.all(workers.map((w) => w.terminate()));
    await localDone;
  }
  // Sequential from the start: --stats and -q printed nothing yet; text resumes after what was printed.
  return sequential(buffered ? null : { skipThrough: printedThrough, skipLinePrinted: anyPrinted, shown });
}
