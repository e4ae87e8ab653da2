/**
 * Crash-safe whole-file replacement (what durable_rename() in PostgreSQL's fd.c does for the
 * server): write a temporary file in the same directory, fsync it, rename it over the target,
 * fsync the directory. A crash at any point leaves either the old file or the new one, plus at
 * most a stray temporary file that `removeStaleTempFiles` cleans up.
 */
import { closeSync, fchownSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Prefix of our temporary files; starts with "pgsql_tmp" so pg_checksums and basebackups skip them. */
export const ATOMIC_TEMP_PREFIX = 'pgsql_tmp_pgffi_';

export interface AtomicWriteOptions {
  /** fsync the file and its directory (default true). False is for tests and `--no-sync`. */
  sync?: boolean;
  /** File mode of a new file; an existing target's mode is kept. */
  mode?: number;
}

/** The temporary name used for `path` (same directory). */
export function atomicTempPath(path: string): string {
  return join(dirname(path), `${ATOMIC_TEMP_PREFIX}${basename(path)}.${process.pid}`);
}

/** fsync a directory (no-op where the platform cannot open directories). */
export function fsyncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on directories; durability is then the file system's
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `path` with the bytes produced by `write`, which is called with a `put(chunk)`
 * function and may call it any number of times (so gigabyte files stream through). On an error
 * the temporary file is removed and the target is untouched.
 */
export function atomicWriteFileStreaming(
  path: string,
  write: (put: (chunk: Uint8Array) => void) => void,
  options: AtomicWriteOptions = {},
): void {
  const sync = options.sync ?? true;
  let mode = options.mode ?? 0o600;
  let owner: { uid: number; gid: number } | null = null;
  try {
    const st = statSync(path);
    mode = st.mode & 0o7777;
    owner = { uid: st.uid, gid: st.gid };
  } catch {
    // new file: keep the requested mode
  }
  const temp = atomicTempPath(path);
  const fd = openSync(temp, 'w', mode);
  let ok = false;
  try {
    // keep the owner (a root-run tool must not leave files the server's user cannot open)
    if (owner !== null && process.getuid?.() === 0) fchownSync(fd, owner.uid, owner.gid);
    write((chunk) => {
      let done = 0;
      while (done < chunk.byteLength) done += writeSync(fd, chunk, done, chunk.byteLength - done);
    });
    if (sync) fsyncSync(fd);
    ok = true;
  } finally {
    closeSync(fd);
    if (!ok) rmSync(temp, { force: true });
  }
  renameSync(temp, path);
  if (sync) fsyncDirectory(dirname(path));
}

/** Replaces `path` with `bytes` atomically and durably. */
export function atomicWriteFile(path: string, bytes: Uint8Array, options: AtomicWriteOptions = {}): void {
  atomicWriteFileStreaming(path, (put) => put(bytes), options);
}

/** Removes temporary files a crashed atomic write left in `dir`; returns their names. */
export function removeStaleTempFiles(dir: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith(ATOMIC_TEMP_PREFIX)) {
      rmSync(join(dir, name), { force: true });
      removed.push(name);
    }
  }
  return removed;
}
