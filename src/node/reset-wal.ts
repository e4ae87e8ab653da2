/**
 * pg_resetwal -l for a stopped data directory (src/bin/pg_resetwal/pg_resetwal.c), crash-safe:
 * the new WAL segment (src/common/wal-encode/reset-wal.ts) is written atomically first, then
 * pg_control is replaced atomically under its lock file (the commit point), and only then are
 * the old segments and archive_status files removed. A crash before the pg_control rename
 * leaves the old cluster intact (plus one unused future segment); after it, the new state.
 */
import { chownSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DBState, decodeControlFileStrict } from '../common/control/control-file.js';
import { PgFormatError } from '../common/core/errors.js';
import type { Lsn } from '../common/core/lsn.js';
import { parseWalFileName } from '../common/core/wal-file-names.js';
import type { PgVersionProfile } from '../common/profile.js';
import { buildResetWal, firstSegmentAtOrAfter, type ResetWal } from '../common/wal-encode/reset-wal.js';
import { atomicWriteFile, fsyncDirectory } from './atomic-write.js';
import { withFileLock } from './file-lock.js';

export interface ResetWalDirectoryOptions {
  /** The new WAL starts at the first segment at or after this LSN (or later, past existing WAL). */
  minLsn?: Lsn;
  /** New timeline (pg_resetwal -l with a higher TLI). */
  timeline?: number;
  /** Proceed although pg_control says the cluster was not shut down cleanly (pg_resetwal -f). */
  force?: boolean;
  /** pg_time_t for ControlFileData.time and CheckPoint.time (default now). */
  time?: bigint;
  /** pg_time_t for CheckPoint.time only (default: `time`). */
  checkpointTime?: bigint;
  /** fsync files and directories (default true). */
  sync?: boolean;
}

export interface ResetWalResult extends ResetWal {
  /** Old WAL files removed from pg_wal. */
  readonly removed: readonly string[];
}

/** When running as root, give `path` the owner of `like` (the server must be able to open it). */
function matchOwner(path: string, like: string): void {
  if (process.getuid?.() !== 0) return;
  const st = statSync(like);
  chownSync(path, st.uid, st.gid);
}

/** Resets the WAL of the stopped cluster in `dataDir` (see the file comment). */
export function resetWalDirectory(dataDir: string, profile: PgVersionProfile, options: ResetWalDirectoryOptions = {}): ResetWalResult {
  const sync = options.sync ?? true;
  if (existsSync(join(dataDir, 'postmaster.pid'))) {
    throw new Error(`lock file "postmaster.pid" exists in "${dataDir}": is a server running? If not, delete the lock file and try again.`);
  }
  const controlPath = join(dataDir, 'global', 'pg_control');
  const walDir = join(dataDir, 'pg_wal');
  return withFileLock(controlPath, () => {
    const control = decodeControlFileStrict(readFileSync(controlPath), profile);
    if (control.state !== DBState.DB_SHUTDOWNED && control.state !== DBState.DB_SHUTDOWNED_IN_RECOVERY && options.force !== true) {
      throw new PgFormatError(
        'BAD_ARGUMENT',
        'The database server was not shut down cleanly. Resetting the write-ahead log might cause data to be lost. Use force to proceed anyway.',
      );
    }
    const segSize = control.xlog_seg_size;
    // FindEndOfXLOG: past the checkpoint's redo segment and every existing segment.
    let segno = control.checkPointCopy.redo / BigInt(segSize);
    const oldFiles: string[] = [];
    for (const name of readdirSync(walDir)) {
      const parsed = parseWalFileName(name, segSize);
      if (parsed === null || (parsed.kind !== 'segment' && parsed.kind !== 'partial')) continue;
      oldFiles.push(name);
      if (parsed.segno !== undefined && parsed.segno > segno) segno = parsed.segno;
    }
    segno += 1n;
    if (options.minLsn !== undefined) {
      const wanted = firstSegmentAtOrAfter(options.minLsn, segSize);
      if (wanted > segno) segno = wanted;
    }
    const reset = buildResetWal({
      control,
      profile,
      segno,
      ...(options.timeline === undefined ? {} : { timeline: options.timeline }),
      ...(options.time === undefined ? {} : { time: options.time }),
      ...(options.checkpointTime === undefined ? {} : { checkpointTime: options.checkpointTime }),
    });
    const segPath = join(walDir, reset.fileName);
    atomicWriteFile(segPath, reset.segment, { sync });
    matchOwner(segPath, walDir);
    atomicWriteFile(controlPath, reset.controlFile, { sync });
    matchOwner(controlPath, walDir);
    const removed: string[] = [];
    for (const name of oldFiles) {
      if (name === reset.fileName) continue;
      rmSync(join(walDir, name), { force: true });
      removed.push(name);
    }
    const status = join(walDir, 'archive_status');
    if (existsSync(status)) {
      for (const name of readdirSync(status)) rmSync(join(status, name), { force: true });
      if (sync) fsyncDirectory(status);
    }
    if (sync) fsyncDirectory(walDir);
    return { ...reset, removed };
  });
}
