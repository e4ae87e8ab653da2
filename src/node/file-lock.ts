/**
 * An advisory lock file that serialises writers of one target (pg_control, a WAL directory),
 * after PostgreSQL's CreateLockFile (utils/init/miscinit.c, postmaster.pid): the lock is a
 * file created exclusively, holding the owner's pid; a lock whose pid no longer runs is stale
 * and is removed, then creation is retried.
 *
 * - The lock file appears with its full content or not at all: the content is written to a
 *   temporary file that is then hard-linked to the lock name (link(2) fails with EEXIST when
 *   the lock exists, like open(O_CREAT|O_EXCL)), so a crash never leaves an empty lock.
 * - Its name starts with "pgsql_tmp" so pg_checksums, base backups and our own scans skip it;
 *   it is NOT removed by removeStaleTempFiles (different prefix).
 * - Stale detection is by pid liveness on this host (kill(pid, 0): ESRCH = gone). Before
 *   removing a stale lock its content is read again and must still be the stale owner's token
 *   (pid + random nonce), so a lock freshly taken by another process is not removed; a race
 *   remains only between two processes breaking the same stale lock within microseconds.
 * - Locks are per host: a pid on another machine sharing the file system cannot be checked.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type AtomicWriteOptions, atomicWriteFile, fsyncDirectory } from './atomic-write.js';

/** Prefix of lock files (starts with PG_TEMP_FILE_PREFIX "pgsql_tmp"). */
export const LOCK_FILE_PREFIX = 'pgsql_tmp.pgffi-lock.';

export interface FileLockOptions {
  /** Give up after this many milliseconds (default 30 000). */
  timeoutMs?: number;
  /** Poll interval while the lock is held by a live process (default 2 ms, doubling up to 50). */
  pollMs?: number;
}

/** The lock file guarding `target` (same directory). */
export function lockPathFor(target: string): string {
  return join(dirname(target), `${LOCK_FILE_PREFIX}${basename(target)}`);
}

/** Whether a process with this pid exists on this host. */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readLock(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Lock files this process holds (a second acquire in the same process is an error, not a wait). */
const heldHere = new Set<string>();

/** A held lock; release it with `release()` (idempotent). */
export class FileLock {
  readonly path: string;
  readonly token: string;
  private held = true;

  private constructor(path: string, token: string) {
    this.path = path;
    this.token = token;
  }

  /** Takes the lock on `target`, waiting while a live process holds it and breaking stale locks. */
  static acquire(target: string, options: FileLockOptions = {}): FileLock {
    const path = lockPathFor(target);
    if (heldHere.has(path)) throw new Error(`lock file "${path}" is already held by this process`);
    const token = `${process.pid}\n${randomBytes(8).toString('hex')}\n`;
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, token);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    let poll = options.pollMs ?? 2;
    try {
      for (;;) {
        try {
          linkSync(temp, path);
          fsyncDirectory(dirname(path));
          heldHere.add(path);
          return new FileLock(path, token);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
        const content = readLock(path);
        if (content === null) continue;
        const pid = Number.parseInt(content, 10);
        if (!processAlive(pid) || pid === process.pid) {
          // Stale (or ours from an earlier life of this pid): remove it if it is still that lock.
          if (readLock(path) === content) rmSync(path, { force: true });
          continue;
        }
        if (Date.now() > deadline) {
          throw new Error(`could not acquire lock file "${path}": held by process ${pid}`);
        }
        sleepSync(poll);
        poll = Math.min(poll * 2, 50);
      }
    } finally {
      rmSync(temp, { force: true });
    }
  }

  /** Whether the lock file still holds our token. */
  stillHeld(): boolean {
    return this.held && readLock(this.path) === this.token;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    heldHere.delete(this.path);
    if (readLock(this.path) === this.token) rmSync(this.path, { force: true });
  }
}

/** Runs `fn` while holding the lock on `target`. */
export function withFileLock<T>(target: string, fn: () => T, options: FileLockOptions = {}): T {
  const lock = FileLock.acquire(target, options);
  try {
    return fn();
  } finally {
    lock.release();
  }
}

/**
 * Read-modify-write of a whole file under its lock: `update` gets the current bytes (null when
 * absent) and returns the new bytes, which replace the file atomically and durably (temp file,
 * fsync, rename, directory fsync). Concurrent callers on the same target are serialised.
 */
export function updateFileAtomically(
  target: string,
  update: (current: Uint8Array | null) => Uint8Array,
  options: AtomicWriteOptions & FileLockOptions = {},
): Uint8Array {
  return withFileLock(
    target,
    () => {
      let current: Uint8Array | null = null;
      try {
        current = readFileSync(target);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      const next = update(current);
      atomicWriteFile(target, next, options);
      return next;
    },
    options,
  );
}
