/**
 * The relation mapper file, `global/pg_filenode.map` and `base/<db>/pg_filenode.map`
 * (RelMapFile in backend/utils/cache/relmapper.c): the relfilenumbers of mapped catalogs.
 *
 *   14, 15: magic i32 @0 (0x592717), num_mappings i32 @4, 62 × {mapoid, mapfilenode} @8,
 *           crc @504 (CRC-32C of [0, 504)), pad i32 @508 — 512 bytes
 *   16:     magic, num_mappings, 64 × {mapoid, mapfilenumber} @8, crc @520 — 524 bytes
 */
import { CRC32C_INIT, crc32cFinish, crc32cUpdate } from '../core/crc32c.js';
import { PgFormatError } from '../core/errors.js';
import type { PgMajor } from '../core/version.js';
import type { PgVersionProfile } from '../profile.js';

export const RELMAPPER_FILEMAGIC = 0x592717;
export const RELMAPPER_FILENAME = 'pg_filenode.map';

export interface RelMapGeometry {
  MAX_MAPPINGS: number;
  /** sizeof(RelMapFile). */
  size: number;
  /** offsetof(RelMapFile, crc). */
  crcOffset: number;
}

/** RelMapFile's shape per major version: 16 dropped the pad and raised MAX_MAPPINGS to 64. */
export function relMapGeometry(major: PgMajor): RelMapGeometry {
  return major >= 16 ? { MAX_MAPPINGS: 64, size: 524, crcOffset: 520 } : { MAX_MAPPINGS: 62, size: 512, crcOffset: 504 };
}

export interface RelMapping {
  mapoid: number;
  /** mapfilenode in 14/15, mapfilenumber in 16. */
  mapfilenumber: number;
}

export interface RelMapFile {
  magic: number;
  num_mappings: number;
  /** The num_mappings valid entries. */
  mappings: RelMapping[];
  crc: number;
  /** 14/15 only: the int32 pad after the CRC. */
  pad?: number;
}

export interface DecodedRelMapFile extends RelMapFile {
  computedCrc: number;
  crcOk: boolean;
  /** Which geometry the file was decoded with. */
  major: PgMajor;
  /** Bytes of the unused mapping slots (a copy), kept so encoding gives the same bytes. */
  unused: Uint8Array;
}

export interface RelMapDecodeOptions {
  /** Name used in error messages, as the server's (default "global/pg_filenode.map"). */
  path?: string;
  /** Throw on a CRC mismatch (default true); with false, `crcOk` says it. */
  verifyCrc?: boolean;
}

function majorOf(bytes: Uint8Array, profile: PgVersionProfile | { major: PgMajor } | undefined): PgMajor {
  if (profile !== undefined) return profile.major;
  if (bytes.length === 524) return 16;
  if (bytes.length === 512) return 15;
  throw new PgFormatError('BAD_LENGTH', `relation mapping file has ${bytes.length} bytes, expected 512 (PostgreSQL 14, 15) or 524 (16)`, {
    offset: 0,
  });
}

/** Decodes a pg_filenode.map; errors are worded as read_relmap_file's. */
export function decodeRelMapFile(
  bytes: Uint8Array,
  profile?: PgVersionProfile | { major: PgMajor },
  options: RelMapDecodeOptions = {},
): DecodedRelMapFile {
  const path = options.path ?? `global/${RELMAPPER_FILENAME}`;
  const major = majorOf(bytes, profile);
  const g = relMapGeometry(major);
  if (bytes.length < g.size) {
    throw new PgFormatError('TRUNCATED', `could not read file "${path}": read ${bytes.length} of ${g.size}`, { offset: bytes.length });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getInt32(0, true);
  const num = view.getInt32(4, true);
  if (magic !== RELMAPPER_FILEMAGIC || num < 0 || num > g.MAX_MAPPINGS) {
    throw new PgFormatError(
      magic !== RELMAPPER_FILEMAGIC ? 'BAD_MAGIC' : 'BAD_LENGTH',
      `relation mapping file "${path}" contains invalid data`,
      { offset: magic !== RELMAPPER_FILEMAGIC ? 0 : 4 },
    );
  }
  const crc = view.getUint32(g.crcOffset, true);
  const computedCrc = crc32cFinish(crc32cUpdate(CRC32C_INIT, bytes, 0, g.crcOffset));
  if (crc !== computedCrc && options.verifyCrc !== false) {
    throw new PgFormatError('CRC_MISMATCH', `relation mapping file "${path}" contains incorrect checksum`, { offset: g.crcOffset });
  }
  const mappings: RelMapping[] = [];
  for (let i = 0; i < num; i++) mappings.push({ mapoid: view.getUint32(8 + i * 8, true), mapfilenumber: view.getUint32(12 + i * 8, true) });
  const out: DecodedRelMapFile = {
    magic,
    num_mappings: num,
    mappings,
    crc,
    computedCrc,
    crcOk: crc === computedCrc,
    major,
    unused: bytes.slice(8 + num * 8, g.crcOffset),
  };
  if (major < 16) out.pad = view.getInt32(g.crcOffset + 4, true);
  return out;
}

export type RelMapFileInput = Pick<RelMapFile, 'mappings'> & {
  magic?: number;
  pad?: number;
  /** Unused-slot bytes to write after the mappings (default zeros). */
  unused?: Uint8Array;
};

/** Encodes a pg_filenode.map for the profile's major version (default 16), CRC computed. */
export function encodeRelMapFile(map: RelMapFileInput, profile?: PgVersionProfile | { major: PgMajor }): Uint8Array {
  const g = relMapGeometry(profile?.major ?? 16);
  if (map.mappings.length > g.MAX_MAPPINGS) {
    throw new PgFormatError('BAD_LENGTH', `ran out of space in relation map: ${map.mappings.length} mappings, at most ${g.MAX_MAPPINGS}`);
  }
  const out = new Uint8Array(g.size);
  const view = new DataView(out.buffer);
  view.setInt32(0, map.magic ?? RELMAPPER_FILEMAGIC, true);
  view.setInt32(4, map.mappings.length, true);
  map.mappings.forEach((m, i) => {
    view.setUint32(8 + i * 8, m.mapoid >>> 0, true);
    view.setUint32(12 + i * 8, m.mapfilenumber >>> 0, true);
  });
  const unusedStart = 8 + map.mappings.length * 8;
  if (map.unused !== undefined && map.unused.length === g.crcOffset - unusedStart) out.set(map.unused, unusedStart);
  view.setUint32(g.crcOffset, crc32cFinish(crc32cUpdate(CRC32C_INIT, out, 0, g.crcOffset)), true);
  if (g.size > g.crcOffset + 4) view.setInt32(g.crcOffset + 4, map.pad ?? 0, true);
  return out;
}
