/**
 * Which PostgreSQL major version wrote these bytes: from a WAL page header's XLOG_PAGE_MAGIC
 * (access/xlog_internal.h) or from pg_control's pg_control_version + catalog_version_no
 * (catalog/pg_control.h, catalog/catversion.h). Data pages carry no version (layout version 4
 * in all three), so they cannot be told apart.
 */
import { hex, PgFormatError } from './errors.js';

export type PgMajor = 14 | 15 | 16;
export const SUPPORTED_MAJORS: readonly PgMajor[] = [14, 15, 16];

/** Facts per major version, used for detection only; each version folder keeps its own constants. */
export const VERSION_FACTS: Readonly<Record<PgMajor, { XLOG_PAGE_MAGIC: number; PG_CONTROL_VERSION: number; CATALOG_VERSION_NO: number }>> =
  {
    14: { XLOG_PAGE_MAGIC: 0xd10d, PG_CONTROL_VERSION: 1300, CATALOG_VERSION_NO: 202107181 },
    15: { XLOG_PAGE_MAGIC: 0xd110, PG_CONTROL_VERSION: 1300, CATALOG_VERSION_NO: 202209061 },
    16: { XLOG_PAGE_MAGIC: 0xd113, PG_CONTROL_VERSION: 1300, CATALOG_VERSION_NO: 202307071 },
  };

/** Other releases' magics, so an unsupported file gets a precise error rather than "bad magic". */
const OTHER_WAL_MAGICS: Readonly<Record<number, number>> = { 53505: 12, 53510: 13, 53526: 17, 53528: 18 };

export type DetectedKind = 'wal' | 'control';

export interface DetectedVersion {
  major: PgMajor;
  kind: DetectedKind;
}

export function majorFromWalMagic(magic: number): PgMajor | undefined {
  for (const major of SUPPORTED_MAJORS) if (VERSION_FACTS[major].XLOG_PAGE_MAGIC === magic) return major;
  return undefined;
}

/**
 * catalog_version_no values of released majors are fixed; development snapshots lie between
 * two releases' values and are attributed to the release that follows them.
 */
export function majorFromCatalogVersion(catversion: number): PgMajor | undefined {
  let previousRelease = PG13_CATALOG_VERSION_NO;
  for (const major of SUPPORTED_MAJORS) {
    const release = VERSION_FACTS[major].CATALOG_VERSION_NO;
    if (catversion > previousRelease && catversion <= release) return major;
    previousRelease = release;
  }
  return undefined;
}

const PG13_CATALOG_VERSION_NO = 202007201;

const PG_CONTROL_FIELDS_END = 16; // system_identifier u64, pg_control_version u32, catalog_version_no u32

/**
 * Detects the major version from the first bytes of a WAL segment (or any WAL page) or of
 * a pg_control file. Throws PgFormatError('BAD_VERSION'/'BAD_MAGIC'/'TRUNCATED') otherwise.
 */
export function detectVersion(bytes: Uint8Array): DetectedVersion {
  if (bytes.length < 2) {
    throw new PgFormatError('TRUNCATED', `cannot detect version: expected at least 2 bytes, got ${bytes.length}`, { offset: 0 });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint16(0, true);
  const walMajor = majorFromWalMagic(magic);
  if (walMajor !== undefined) return { major: walMajor, kind: 'wal' };
  const other = OTHER_WAL_MAGICS[magic];
  if (other !== undefined) {
    throw new PgFormatError(
      'BAD_VERSION',
      `WAL magic ${hex(magic, 4)} belongs to PostgreSQL ${other}, which is not supported (14, 15, 16 are)`,
      {
        offset: 0,
      },
    );
  }
  if (bytes.length >= PG_CONTROL_FIELDS_END) {
    const controlVersion = view.getUint32(8, true);
    if (controlVersion === 1300) {
      const catversion = view.getUint32(12, true);
      const major = majorFromCatalogVersion(catversion);
      if (major !== undefined) return { major, kind: 'control' };
      throw new PgFormatError('BAD_VERSION', `pg_control catalog version ${catversion} is not from PostgreSQL 14, 15 or 16`, {
        offset: 12,
      });
    }
    if (controlVersion % 65536 === 0 && controlVersion / 65536 !== 0) {
      throw new PgFormatError(
        'BAD_MAGIC',
        `pg_control version ${controlVersion} (0x${hex(controlVersion)}) looks byte-swapped: possible byte ordering mismatch`,
        {
          offset: 8,
        },
      );
    }
  }
  throw new PgFormatError(
    'BAD_MAGIC',
    `not a WAL page or pg_control file of PostgreSQL 14-16: magic ${hex(magic, 4)}${bytes.length >= 16 ? `, pg_control_version ${view.getUint32(8, true)}` : ''}`,
    { offset: 0 },
  );
}
