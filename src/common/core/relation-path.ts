/**
 * Relation file paths (common/relpath.c): `global/<rel>`, `base/<db>/<rel>`,
 * `pg_tblspc/<spc>/PG_<major>_<catversion>/<db>/<rel>`, with `_fsm`, `_vm`, `_init` fork
 * suffixes and `.N` segment numbers for relations over RELSEG_SIZE blocks.
 */
import { PgFormatError } from './errors.js';

export const GLOBALTABLESPACE_OID = 1664;
export const DEFAULTTABLESPACE_OID = 1663;
export const RELSEG_SIZE = 131072; // blocks per segment file (1 GB of 8 kB pages)

export const ForkNumber = { MAIN: 0, FSM: 1, VISIBILITYMAP: 2, INIT: 3 } as const;
export type ForkNumber = (typeof ForkNumber)[keyof typeof ForkNumber];
/** forkNames[] in common/relpath.c. */
export const FORK_NAMES = ['main', 'fsm', 'vm', 'init'] as const;

export interface RelFileLocator {
  spcOid: number;
  dbOid: number;
  relNumber: number;
}

export function forkSuffix(fork: number): string {
  if (fork === 0) return '';
  const name = FORK_NAMES[fork];
  if (name === undefined) throw new PgFormatError('BAD_ARGUMENT', `invalid fork number ${fork}`);
  return `_${name}`;
}

/** TABLESPACE_VERSION_DIRECTORY: "PG_16_202307071". */
export function tablespaceVersionDirectory(major: number, catalogVersion: number): string {
  return `PG_${major}_${catalogVersion}`;
}

/** GetRelationPath: the path of a relation fork's segment file, relative to the data directory. */
export function relationPath(
  rel: RelFileLocator,
  fork = 0,
  segment = 0,
  tablespaceDir?: { major: number; catalogVersion: number },
): string {
  let base: string;
  if (rel.spcOid === GLOBALTABLESPACE_OID) base = `global/${rel.relNumber}`;
  else if (rel.spcOid === DEFAULTTABLESPACE_OID) base = `base/${rel.dbOid}/${rel.relNumber}`;
  else {
    if (tablespaceDir === undefined) {
      throw new PgFormatError('BAD_ARGUMENT', `tablespace ${rel.spcOid} needs the major and catalog version for its path`);
    }
    base = `pg_tblspc/${rel.spcOid}/${tablespaceVersionDirectory(tablespaceDir.major, tablespaceDir.catalogVersion)}/${rel.dbOid}/${rel.relNumber}`;
  }
  return `${base}${forkSuffix(fork)}${segment > 0 ? `.${segment}` : ''}`;
}

export interface ParsedRelationFileName {
  relNumber: number;
  fork: ForkNumber;
  segment: number;
}

const REL_FILE = /^(\d+)(?:_(fsm|vm|init))?(?:\.(\d+))?$/;

/** Parses a relation file name "16384", "16384_fsm", "16384.2", "16384_vm.1" (as pg_checksums does). */
export function parseRelationFileName(name: string): ParsedRelationFileName | null {
  const m = REL_FILE.exec(name);
  if (m === null) return null;
  const relNumber = Number(m[1]);
  if (relNumber > 0xffffffff) return null;
  const fork = (m[2] === undefined ? 0 : FORK_NAMES.indexOf(m[2] as (typeof FORK_NAMES)[number])) as ForkNumber;
  const segment = m[3] === undefined ? 0 : Number(m[3]);
  return { relNumber, fork, segment };
}

/** Absolute block number within the fork of block `index` of segment file `segment`. */
export function absoluteBlockNumber(segment: number, index: number): number {
  return segment * RELSEG_SIZE + index;
}
