/**
 * Verifying the data page checksums of relation segment files (storage/checksum_impl.h as
 * pg_checksums' scan_file() applies it): block numbers are segment × RELSEG_SIZE + index,
 * new pages (pd_upper == 0) are skipped, a trailing partial page is an error. Files are read
 * in large chunks into one reused buffer; a pool of worker threads checks many files at once
 * and hands results back in order. When the native accelerator is installed (node/native.ts),
 * each chunk goes to its batch page scan; otherwise the pure-TS checksum runs.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { activeAccelerator } from '../common/core/accelerator.js';
import { checksumBlockWords, finishChecksum, PD_CHECKSUM_OFFSET } from '../common/page/checksum.js';

const BLCKSZ = 8192;
const RELSEG_SIZE = 131072;
/** 512 KiB per read: the checksum then reads pages the kernel just copied while they are still in L2. */
const CHUNK_PAGES = 64;

export interface BadChecksum {
  /** Block index within the segment file (what pg_checksums prints). */
  block: number;
  calculated: number;
  stored: number;
}

export interface FileChecksumResult {
  /** Blocks read (new pages included). */
  blocks: number;
  bad: BadChecksum[];
  /** pg_checksums' fatal message for this file (open or read failure, partial page), if any. */
  error?: string;
}

function errnoText(e: unknown): string {
  const code = (e as { code?: string }).code;
  const texts: Record<string, string> = { ENOENT: 'No such file or directory', EACCES: 'Permission denied', EISDIR: 'Is a directory' };
  return (code !== undefined ? texts[code] : undefined) ?? (e instanceof Error ? e.message : String(e));
}

let sharedBuf: Uint8Array | null = null;

/** Checks every page of one segment file; never throws for file problems (see `error`). */
export function checksumFile(path: string, segmentno: number): FileChecksumResult {
  sharedBuf ??= new Uint8Array(BLCKSZ * CHUNK_PAGES);
  const buf = sharedBuf;
  const words = new Int32Array(buf.buffer, buf.byteOffset, buf.byteLength >>> 2);
  const result: FileChecksumResult = { blocks: 0, bad: [] };
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    result.error = `could not open file "${path}": ${errnoText(e)}`;
    return result;
  }
  const base = segmentno * RELSEG_SIZE;
  try {
    let pos = 0;
    for (;;) {
      let got = 0;
      while (got < buf.byteLength) {
        let r: number;
        try {
          r = readSync(fd, buf, got, buf.byteLength - got, pos + got);
        } catch (e) {
          result.error = `could not read block ${result.blocks + Math.floor(got / BLCKSZ)} in file "${path}": ${errnoText(e)}`;
          return result;
        }
        if (r === 0) break;
        got += r;
      }
      const pages = Math.floor(got / BLCKSZ);
      const accelerator = activeAccelerator();
      if (accelerator !== null && pages > 0) {
        for (const m of accelerator.scanPages(buf.subarray(0, pages * BLCKSZ), base + result.blocks)) {
          result.bad.push({ block: m.block - base, calculated: m.computed, stored: m.stored });
        }
        result.blocks += pages;
      } else {
        for (let p = 0; p < pages; p++) {
          const blockno = result.blocks++;
          const off = p * BLCKSZ;
          if ((buf[off + 14]! | buf[off + 15]!) === 0) continue;
          const csum = finishChecksum(checksumBlockWords(words, off >>> 2, BLCKSZ >>> 2), (blockno + base) >>> 0);
          const stored = buf[off + PD_CHECKSUM_OFFSET]! | (buf[off + PD_CHECKSUM_OFFSET + 1]! << 8);
          if (csum !== stored) result.bad.push({ block: blockno, calculated: csum, stored });
        }
      }
      if (got % BLCKSZ !== 0) {
        result.error = `could not read block ${result.blocks} in file "${path}": read ${got % BLCKSZ} of ${BLCKSZ}`;
        return result;
      }
      if (got < buf.byteLength) return result;
      pos += got;
    }
  } finally {
    closeSync(fd);
  }
}

export interface ChecksumJob {
  path: string;
  segmentno: number;
  /** File size, to decide whether threads are worth starting. */
  size: number;
}

/** The compiled worker module, or null when running from TypeScript sources (tsx cannot load it in a thread). */
function workerUrl(): URL | null {
  const js = new URL('./relation-checksum-worker.js', import.meta.url);
  return existsSync(fileURLToPath(js)) ? js : null;
}

/**
 * Threads used for `totalBytes` of files: PGFFI_THREADS if set; else none below 64 MiB
 * (starting them costs more) or when running from sources; else one per idle CPU (CPUs less
 * the 1-minute load average), up to 4, and none unless at least 2 are idle — on a busy machine
 * threads only add overhead.
 */
export function checksumThreads(totalBytes: number): number {
  const env = globalThis.process?.env?.PGFFI_THREADS;
  if (env !== undefined && /^\d+$/.test(env)) return workerUrl() === null ? 0 : Number(env);
  if (totalBytes < 64 * 1024 * 1024 || workerUrl() === null) return 0;
  const idle = Math.floor(availableParallelism() - (loadavg()[0] ?? 0));
  return idle >= 2 ? Math.min(4, idle) : 0;
}

/**
 * Checks `jobs`, calling `onResult(index, result)` in job order (results that finish early
 * wait for the ones before them). Uses `threads` worker threads, or the calling thread if 0.
 */
export async function checksumFiles(
  jobs: readonly ChecksumJob[],
  threads: number,
  onResult: (index: number, result: FileChecksumResult) => void,
): Promise<void> {
  if (threads <= 1 || jobs.length < 2) {
    for (let i = 0; i < jobs.length; i++) onResult(i, checksumFile(jobs[i]!.path, jobs[i]!.segmentno));
    return;
  }
  const results = new Map<number, FileChecksumResult>();
  let next = 0;
  let emitted = 0;
  const flush = (): void => {
    while (results.has(emitted)) {
      const r = results.get(emitted)!;
      results.delete(emitted);
      onResult(emitted++, r);
    }
  };
  const url = workerUrl();
  if (url === null) {
    for (let i = 0; i < jobs.length; i++) onResult(i, checksumFile(jobs[i]!.path, jobs[i]!.segmentno));
    return;
  }
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      const feed = (w: Worker): void => {
        if (next >= jobs.length) {
          if (running === 0) resolve();
          return;
        }
        const index = next++;
        running++;
        w.postMessage({ index, path: jobs[index]!.path, segmentno: jobs[index]!.segmentno });
      };
      for (let t = 0; t < Math.min(threads, jobs.length); t++) {
        const w = new Worker(url);
        workers.push(w);
        w.on('message', (m: { index: number; result: FileChecksumResult }) => {
          running--;
          results.set(m.index, m.result);
          try {
            flush();
          } catch (e) {
            reject(e);
            return;
          }
          feed(w);
          if (next >= jobs.length && running === 0) resolve();
        });
        w.on('error', reject);
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  flush();
}
