/**
 * `pgffi waldump --stats` through the native module's scanWalStats (native/src/walstats.rs).
 *
 * The TypeScript reader reads the first record (finding it, printing any "first record is
 * after" line); the native pass then counts the records that follow straight from the segment
 * files, on several threads, up to the first thing it does not accept in full (it accepts only
 * what the TypeScript decoder accepts, often less). The reader resumes at the last record
 * counted, so the end of the run — the end LSN, the end of WAL, any error and its message — is
 * the TypeScript reader's, as without the native module.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { XLP_ALL_FLAGS, XLP_FIRST_IS_OVERWRITE_CONTRECORD } from '../../common/constants.js';
import { walFileName } from '../../common/core/wal-file-names.js';
import type { PgVersionProfile } from '../../common/profile.js';
import type { WalStatsAccumulator } from '../../common/rmgr/index.js';
import { nativeBinding } from '../../node/native.js';
import { envCount, trace } from './env.js';

/** Segments per native call: between calls the event loop runs (SIGINT stops a run). */
const SEGMENTS_PER_CALL = 128;

export interface NativeStatsRun {
  readonly profile: PgVersionProfile;
  /** Directory and timeline of the segment files, and the segment size. */
  readonly dir: string;
  readonly timeline: number;
  readonly segSize: number;
  /** No byte at or after this LSN is read (0n: none). */
  readonly end: bigint;
}

/**
 * Counts, into `stats`, the records after the one at `prevLsn` (its reader going next to
 * `nextLsn`, having read pages of timeline `pageTimeline`). Returns the LSN of the last record
 * counted, where the reader resumes (that record itself is already counted), or null if the
 * native pass counted nothing. `stopped` is polled between calls.
 */
export type NativeStatsCounter = (
  prevLsn: number,
  nextLsn: number,
  pageTimeline: number,
  stats: WalStatsAccumulator,
  stopped: () => boolean,
) => Promise<bigint | null>;

/** The counter, or null when the native module (or its scanWalStats) is not there. */
export function nativeStatsCounter(run: NativeStatsRun): NativeStatsCounter | null {
  const scan = nativeBinding?.scanWalStats;
  if (scan === undefined) return null;
  const { profile, dir, timeline, segSize } = run;
  const seg = BigInt(segSize);
  const endNumber = Number(run.end);
  const lastSegno = run.end === 0n ? null : (run.end - 1n) / seg;
  const workers = envCount('POSTGRES_FFI_WALDUMP_WORKERS');
  const threads = workers === null ? availableParallelism() : workers + 1;
  const bits = profile.bkpImage;
  const fixed = {
    segmentSize: segSize,
    endLsn: endNumber,
    pageMagic: profile.XLOG_PAGE_MAGIC,
    maxBuiltinRmid: profile.RM_MAX_BUILTIN_ID,
    allowedPageFlags: XLP_ALL_FLAGS & ~XLP_FIRST_IS_OVERWRITE_CONTRECORD,
    bkpHasHole: bits.HAS_HOLE,
    bkpCompressMask: bits.COMPRESS_PGLZ | bits.COMPRESS_LZ4 | bits.COMPRESS_ZSTD,
    threads,
  };
  return async (prevLsn, nextLsn, pageTimeline, stats, stopped) => {
    let prev = prevLsn;
    let next = nextLsn;
    let counted = false;
    for (;;) {
      const firstSegno = BigInt(Math.floor(next / segSize));
      if (lastSegno !== null && firstSegno > lastSegno) break;
      const paths: string[] = [];
      for (let s = firstSegno; paths.length < SEGMENTS_PER_CALL && (lastSegno === null || s <= lastSegno); s++) {
        paths.push(join(dir, walFileName(timeline, s, segSize)));
      }
      const r = scan({ ...fixed, paths, firstSegno: Number(firstSegno), prevLsn: prev, nextLsn: next, timeline: pageTimeline });
      trace({ native: r.records, stop: r.stop, segments: paths.length, threads });
      if (r.records === 0) break;
      stats.addTable(r.counts, r.records, r.nextLsn);
      counted = true;
      prev = r.lastLsn;
      next = r.nextLsn;
      if (r.stop !== 'files') break;
      await new Promise((resolve) => setImmediate(resolve));
      if (stopped()) break;
    }
    return counted ? BigInt(prev) : null;
  };
}
