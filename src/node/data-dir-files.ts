/**
 * File-system adapters for the non-relation files of a data directory (global/pg_control,
 * pg_xact, pg_commit_ts, pg_multixact, pg_filenode.map, pg_twophase, pg_replslot, PG_VERSION):
 * they find and read the files; the formats are decoded by src/common/control. The one writer,
 * `writeControlFile`, replaces pg_control atomically and durably (src/node/atomic-write.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ControlFileInput, type DecodedControlFile, decodeControlFile, encodeControlFile } from '../common/control/control-file.js';
import { type DecodedRelMapFile, decodeRelMapFile, RELMAPPER_FILENAME } from '../common/control/relmapper.js';
import { type DecodedReplicationSlot, decodeReplicationSlot } from '../common/control/replslot.js';
import {
  type CommitTimestampEntry,
  clogPosition,
  commitTsPosition,
  getClogStatus,
  getCommitTsEntry,
  type MultiXactMember,
  readMultiXactMembers,
  type SlruSegmentLoader,
  slruSegmentFileName,
} from '../common/control/slru.js';
import { decodePgVersionFile } from '../common/control/text-files.js';
import { type DecodedTwoPhaseFile, decodeTwoPhaseFile, TWOPHASE_DIR } from '../common/control/twophase.js';
import { PgFormatError } from '../common/core/errors.js';
import type { PgMajor } from '../common/core/version.js';
import type { PgVersionProfile } from '../common/profile.js';
import { type AtomicWriteOptions, atomicWriteFile } from './atomic-write.js';

const bytesOf = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

/** global/pg_control, decoded (CRC reported in `crcOk`, not thrown). */
export function readControlFile(dataDir: string, profile?: PgVersionProfile): DecodedControlFile {
  return decodeControlFile(bytesOf(join(dataDir, 'global', 'pg_control')), profile);
}

/** Replaces global/pg_control with `control` (CRC recomputed): temp file, fsync, rename, fsync dir. */
export function writeControlFile(dataDir: string, control: ControlFileInput, options: AtomicWriteOptions = {}): void {
  atomicWriteFile(join(dataDir, 'global', 'pg_control'), encodeControlFile(control), options);
}

/** The major version in PG_VERSION. */
export function readPgVersion(dataDir: string): PgMajor {
  const major = decodePgVersionFile(readFileSync(join(dataDir, 'PG_VERSION')), join(dataDir, 'PG_VERSION'));
  if (major !== 14 && major !== 15 && major !== 16)
    throw new PgFormatError('BAD_VERSION', `data directory is of PostgreSQL ${major}, not 14, 15 or 16`);
  return major;
}

/** Loads SLRU segment files of `dir` (e.g. "pg_xact") on demand, caching each once read. */
export function slruLoader(dataDir: string, dir: string): SlruSegmentLoader {
  const cache = new Map<number, Uint8Array | undefined>();
  return (segno) => {
    if (!cache.has(segno)) {
      const p = join(dataDir, dir, slruSegmentFileName(segno));
      cache.set(segno, existsSync(p) ? bytesOf(p) : undefined);
    }
    return cache.get(segno);
  };
}

function segmentOrThrow(load: SlruSegmentLoader, segno: number, dir: string, what: string): Uint8Array {
  const seg = load(segno);
  if (seg === undefined) {
    throw new PgFormatError(
      'TRUNCATED',
      `could not access status of ${what}: Could not open file "${dir}/${slruSegmentFileName(segno)}": No such file or directory.`,
    );
  }
  return seg;
}

/** The pg_xact status (0 in progress, 1 committed, 2 aborted, 3 sub-committed) of `xid`. */
export function readXactStatus(dataDir: string, xid: number, load = slruLoader(dataDir, 'pg_xact')): number {
  return getClogStatus(segmentOrThrow(load, clogPosition(xid).segment, 'pg_xact', `transaction ${xid}`), xid);
}

/** The pg_commit_ts entry of `xid`. */
export function readCommitTimestamp(dataDir: string, xid: number, load = slruLoader(dataDir, 'pg_commit_ts')): CommitTimestampEntry {
  return getCommitTsEntry(
    segmentOrThrow(load, commitTsPosition(xid).segment, 'pg_commit_ts', `commit timestamp of transaction ${xid}`),
    xid,
  );
}

/** The members of a multixact; the newest one's length comes from pg_control (nextMulti, nextMultiOffset). */
export function readMultiXactMembersAt(dataDir: string, multi: number, control = readControlFile(dataDir)): MultiXactMember[] {
  return readMultiXactMembers(
    slruLoader(dataDir, 'pg_multixact/offsets'),
    slruLoader(dataDir, 'pg_multixact/members'),
    multi,
    control.checkPointCopy,
  );
}

/** global/pg_filenode.map, or base/<dbOid>/pg_filenode.map. */
export function readRelMap(dataDir: string, profile: PgVersionProfile | { major: PgMajor }, dbOid?: number): DecodedRelMapFile {
  const rel = dbOid === undefined ? `global/${RELMAPPER_FILENAME}` : `base/${dbOid}/${RELMAPPER_FILENAME}`;
  return decodeRelMapFile(bytesOf(join(dataDir, rel)), profile, { path: rel });
}

/** Every pg_twophase/XXXXXXXX file, decoded (CRC-checked). */
export function readTwoPhaseFiles(dataDir: string, profile: PgVersionProfile | { major: PgMajor }): DecodedTwoPhaseFile[] {
  const dir = join(dataDir, TWOPHASE_DIR);
  return readdirSync(dir)
    .filter((n) => /^[0-9A-F]{8}$/.test(n))
    .sort()
    .map((n) => decodeTwoPhaseFile(bytesOf(join(dir, n)), profile, { path: `${TWOPHASE_DIR}/${n}` }));
}

/** Every pg_replslot/<name>/state, decoded (checksum-checked). */
export function readReplicationSlots(dataDir: string): DecodedReplicationSlot[] {
  const dir = join(dataDir, 'pg_replslot');
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'state')))
    .map((e) => e.name)
    .sort()
    .map((n) => decodeReplicationSlot(bytesOf(join(dir, n, 'state')), { path: `pg_replslot/${n}/state` }));
}
