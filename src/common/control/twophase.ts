/**
 * Two-phase state files, `pg_twophase/XXXXXXXX` (backend/access/transam/twophase.c; the
 * header is xl_xact_prepare from access/xact.h, which is also the body of a PREPARE WAL
 * record). A file is a chain of MAXALIGN(8)-padded items, then a CRC-32C of all before it:
 *
 *   TwoPhaseFileHeader   14: 64 bytes; 15, 16: 72 (adds ncommitstats, nabortstats @40, @44)
 *     magic @0 (0x57F94534) total_len @4 xid @8 database @12 prepared_at i64 @16 owner @24
 *     nsubxacts @28 ncommitrels @32 nabortrels @36 [ncommitstats @40 nabortstats @44]
 *     ninvalmsgs @40|48 initfileinval bool @44|52 gidlen u16 @46|54 origin_lsn @48|56
 *     origin_timestamp @56|64
 *   gid (gidlen bytes incl. NUL), subxact xids, commit rels and abort rels (12-byte
 *   RelFileLocator), [commit and abort stats (12-byte xl_xact_stats_item)], invalidation
 *   messages (16 bytes each), then TwoPhaseRecordOnDisk {len u32, rmid u8, pad, info u16}
 *   + data records up to TWOPHASE_RM_END_ID, then the CRC (total_len includes it).
 *
 * The server leaves whatever its memory held in the alignment padding; the decoder keeps
 * those bytes (`padding`) so that encode(decode(x)) is x.
 */
import { CRC32C_INIT, crc32cFinish, crc32cUpdate } from '../core/crc32c.js';
import { PgFormatError } from '../core/errors.js';
import type { Lsn } from '../core/lsn.js';
import type { RelFileLocator } from '../core/relation-path.js';
import type { PgMajor } from '../core/version.js';
import type { PgVersionProfile } from '../profile.js';

export const TWOPHASE_MAGIC = 0x57f94534;
export const TWOPHASE_DIR = 'pg_twophase';
export const TWOPHASE_RM_END_ID = 0;
export const TWOPHASE_RM_LOCK_ID = 1;
export const TWOPHASE_RM_PGSTAT_ID = 2;
export const TWOPHASE_RM_MULTIXACT_ID = 3;
export const TWOPHASE_RM_PREDICATELOCK_ID = 4;
/** MaxAllocSize: the largest file ReadTwoPhaseFile accepts. */
export const MaxAllocSize = 0x3fffffff;

const MAXALIGN = (n: number): number => (n + 7) & ~7;

/** TwoPhaseFilePath's file name: "%08X" of the xid. */
export function twoPhaseFileName(xid: number): string {
  return (xid >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** xl_xact_stats_item (15+): a statistics object to drop. */
export interface XactStatsItem {
  kind: number;
  dboid: number;
  objoid: number;
}

export interface TwoPhaseRecord {
  /** TwoPhaseRmgrId: 1 lock, 2 pgstat, 3 multixact, 4 predicate lock (0 ends the list). */
  rmid: number;
  info: number;
  data: Uint8Array;
}

export interface TwoPhaseFile {
  magic: number;
  total_len: number;
  xid: number;
  database: number;
  /** TimestampTz: microseconds since 2000-01-01 UTC. */
  prepared_at: bigint;
  owner: number;
  initfileinval: boolean;
  gidlen: number;
  origin_lsn: Lsn;
  origin_timestamp: bigint;
  gid: string;
  subxacts: number[];
  commitRels: RelFileLocator[];
  abortRels: RelFileLocator[];
  /** 15+ (always empty for 14). */
  commitStats: XactStatsItem[];
  abortStats: XactStatsItem[];
  /** SharedInvalidationMessage, 16 bytes each (copies). */
  invalMsgs: Uint8Array[];
  /** The 2PC records, without the end sentinel. */
  records: TwoPhaseRecord[];
  crc: number;
}

export interface DecodedTwoPhaseFile extends TwoPhaseFile {
  computedCrc: number;
  crcOk: boolean;
  major: PgMajor;
  /** Every alignment-padding byte, in file order (a copy). */
  padding: Uint8Array;
}

export interface TwoPhaseDecodeOptions {
  /** Name used in messages, as the server's (default "pg_twophase/<xid>"). */
  path?: string;
  /** Throw on a CRC mismatch (default true). */
  verifyCrc?: boolean;
}

/** Offsets of TwoPhaseFileHeader (xl_xact_prepare) fields per major version, C names. */
export function twoPhaseHeaderOffsets(major: PgMajor): Readonly<Record<string, number>> {
  const s = major >= 15 ? 8 : 0;
  return {
    magic: 0,
    total_len: 4,
    xid: 8,
    database: 12,
    prepared_at: 16,
    owner: 24,
    nsubxacts: 28,
    ncommitrels: 32,
    nabortrels: 36,
    ...(major >= 15 ? { ncommitstats: 40, nabortstats: 44 } : {}),
    ninvalmsgs: 40 + s,
    initfileinval: 44 + s,
    gidlen: 46 + s,
    origin_lsn: 48 + s,
    origin_timestamp: 56 + s,
  };
}

interface HeaderShape {
  size: number;
  stats: boolean;
}

function headerShape(major: PgMajor): HeaderShape {
  return major >= 15 ? { size: 72, stats: true } : { size: 64, stats: false };
}

/** Decodes a two-phase state file with ReadTwoPhaseFile's checks and wording. */
export function decodeTwoPhaseFile(
  bytes: Uint8Array,
  profile: PgVersionProfile | { major: PgMajor },
  options: TwoPhaseDecodeOptions = {},
): DecodedTwoPhaseFile {
  const major = profile.major;
  const shape = headerShape(major);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = bytes.length;
  const path = options.path ?? `${TWOPHASE_DIR}/${size >= 12 ? twoPhaseFileName(view.getUint32(8, true)) : '?'}`;
  if (size < MAXALIGN(shape.size) + MAXALIGN(8) + 4 || size > MaxAllocSize) {
    throw new PgFormatError('BAD_LENGTH', `incorrect size of file "${path}": ${size} ${size === 1 ? 'byte' : 'bytes'}`, { offset: 0 });
  }
  const crcOffset = size - 4;
  if (crcOffset !== MAXALIGN(crcOffset)) {
    throw new PgFormatError('BAD_LENGTH', `incorrect alignment of CRC offset for file "${path}"`, { offset: crcOffset });
  }
  const magic = view.getUint32(0, true);
  if (magic !== TWOPHASE_MAGIC) throw new PgFormatError('BAD_MAGIC', `invalid magic number stored in file "${path}"`, { offset: 0 });
  const total_len = view.getUint32(4, true);
  if (total_len !== size) throw new PgFormatError('BAD_LENGTH', `invalid size stored in file "${path}"`, { offset: 4 });
  const crc = view.getUint32(crcOffset, true);
  const computedCrc = crc32cFinish(crc32cUpdate(CRC32C_INIT, bytes, 0, crcOffset));
  if (crc !== computedCrc && options.verifyCrc !== false) {
    throw new PgFormatError('CRC_MISMATCH', `calculated CRC checksum does not match value stored in file "${path}"`, { offset: crcOffset });
  }
  const s = shape.stats ? 8 : 0;
  const count = (off: number, what: string): number => {
    const n = view.getInt32(off, true);
    if (n < 0 || n > size) throw new PgFormatError('BAD_LENGTH', `corrupted two-phase state file "${path}": ${what} ${n}`, { offset: off });
    return n;
  };
  const nsubxacts = count(28, 'nsubxacts');
  const ncommitrels = count(32, 'ncommitrels');
  const nabortrels = count(36, 'nabortrels');
  const ncommitstats = shape.stats ? count(40, 'ncommitstats') : 0;
  const nabortstats = shape.stats ? count(44, 'nabortstats') : 0;
  const ninvalmsgs = count(40 + s, 'ninvalmsgs');
  const gidlen = view.getUint16(46 + s, true);

  const padding: number[] = [];
  padding.push(bytes[45 + s]!);
  let pos = shape.size;
  const take = (len: number, what: string): number => {
    const start = pos;
    const end = start + MAXALIGN(len);
    if (end > crcOffset) {
      throw new PgFormatError(
        'TRUNCATED',
        `corrupted two-phase state file "${path}": ${what} needs ${len} bytes at offset ${start}, file has ${crcOffset}`,
        {
          offset: start,
        },
      );
    }
    for (let i = start + len; i < end; i++) padding.push(bytes[i]!);
    pos = end;
    return start;
  };
  const gidStart = take(gidlen, 'gid');
  const gidBytes = bytes.subarray(gidStart, gidStart + gidlen);
  const nul = gidBytes.indexOf(0);
  const gid = new TextDecoder().decode(nul < 0 ? gidBytes : gidBytes.subarray(0, nul));
  const u32s = (n: number, what: string): number[] => {
    const at = take(n * 4, what);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(view.getUint32(at + i * 4, true));
    return out;
  };
  const triples = (n: number, what: string): [number, number, number][] => {
    const v = u32s(n * 3, what);
    const out: [number, number, number][] = [];
    for (let i = 0; i < n; i++) out.push([v[i * 3]!, v[i * 3 + 1]!, v[i * 3 + 2]!]);
    return out;
  };
  const subxacts = u32s(nsubxacts, 'subxacts');
  const rel = ([spcOid, dbOid, relNumber]: [number, number, number]): RelFileLocator => ({ spcOid, dbOid, relNumber });
  const stat = ([kind, dboid, objoid]: [number, number, number]): XactStatsItem => ({ kind: kind | 0, dboid, objoid });
  const commitRels = triples(ncommitrels, 'commit rels').map(rel);
  const abortRels = triples(nabortrels, 'abort rels').map(rel);
  const commitStats = triples(ncommitstats, 'commit stats').map(stat);
  const abortStats = triples(nabortstats, 'abort stats').map(stat);
  const invalAt = take(ninvalmsgs * 16, 'invalidation messages');
  const invalMsgs: Uint8Array[] = [];
  for (let i = 0; i < ninvalmsgs; i++) invalMsgs.push(bytes.slice(invalAt + i * 16, invalAt + i * 16 + 16));
  const records: TwoPhaseRecord[] = [];
  for (;;) {
    const at = take(8, 'record header');
    const len = view.getUint32(at, true);
    const rmid = bytes[at + 4]!;
    padding.push(bytes[at + 5]!);
    const info = view.getUint16(at + 6, true);
    if (rmid === TWOPHASE_RM_END_ID) break;
    if (len > crcOffset)
      throw new PgFormatError('BAD_LENGTH', `corrupted two-phase state file "${path}": record length ${len}`, { offset: at });
    const d = take(len, 'record data');
    records.push({ rmid, info, data: bytes.slice(d, d + len) });
  }
  if (pos !== crcOffset) {
    throw new PgFormatError('BAD_LENGTH', `corrupted two-phase state file "${path}": ${crcOffset - pos} bytes after the end record`, {
      offset: pos,
    });
  }
  return {
    magic,
    total_len,
    xid: view.getUint32(8, true),
    database: view.getUint32(12, true),
    prepared_at: view.getBigInt64(16, true),
    owner: view.getUint32(24, true),
    initfileinval: bytes[44 + s] !== 0,
    gidlen,
    origin_lsn: view.getBigUint64(48 + s, true),
    origin_timestamp: view.getBigInt64(56 + s, true),
    gid,
    subxacts,
    commitRels,
    abortRels,
    commitStats,
    abortStats,
    invalMsgs,
    records,
    crc,
    computedCrc,
    crcOk: crc === computedCrc,
    major,
    padding: new Uint8Array(padding),
  };
}

export type TwoPhaseFileInput = Omit<TwoPhaseFile, 'magic' | 'total_len' | 'crc' | 'gidlen'> & {
  /** Default: byte length of gid + 1 (the NUL). */
  gidlen?: number;
  /** Alignment padding in file order; used only if it has exactly the needed length, else zeros. */
  padding?: Uint8Array;
};

/** Encodes a two-phase state file (total_len and CRC computed) as StartPrepare/EndPrepare lay it out. */
export function encodeTwoPhaseFile(file: TwoPhaseFileInput, profile: PgVersionProfile | { major: PgMajor }): Uint8Array {
  const shape = headerShape(profile.major);
  if (!shape.stats && (file.commitStats.length > 0 || file.abortStats.length > 0)) {
    throw new PgFormatError('UNSUPPORTED', 'PostgreSQL 14 two-phase files have no dropped-stats items');
  }
  const gidUtf8 = new TextEncoder().encode(file.gid);
  const gidlen = file.gidlen ?? gidUtf8.length + 1;
  if (gidlen < gidUtf8.length + 1 || gidlen > 0xffff)
    throw new PgFormatError('BAD_LENGTH', `gidlen ${gidlen} does not fit gid "${file.gid}"`);
  const itemLens = [
    gidlen,
    file.subxacts.length * 4,
    file.commitRels.length * 12,
    file.abortRels.length * 12,
    ...(shape.stats ? [file.commitStats.length * 12, file.abortStats.length * 12] : []),
    file.invalMsgs.length * 16,
  ];
  let total = shape.size;
  let padCount = 1;
  for (const l of itemLens) {
    total += MAXALIGN(l);
    padCount += MAXALIGN(l) - l;
  }
  for (const r of file.records) {
    total += 8 + MAXALIGN(r.data.length);
    padCount += 1 + MAXALIGN(r.data.length) - r.data.length;
  }
  total += 8 + 4;
  padCount += 1;
  const pad = file.padding !== undefined && file.padding.length === padCount ? file.padding : new Uint8Array(padCount);
  let padPos = 0;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const s = shape.stats ? 8 : 0;
  view.setUint32(0, TWOPHASE_MAGIC, true);
  view.setUint32(4, total, true);
  view.setUint32(8, file.xid >>> 0, true);
  view.setUint32(12, file.database >>> 0, true);
  view.setBigInt64(16, BigInt.asIntN(64, file.prepared_at), true);
  view.setUint32(24, file.owner >>> 0, true);
  view.setInt32(28, file.subxacts.length, true);
  view.setInt32(32, file.commitRels.length, true);
  view.setInt32(36, file.abortRels.length, true);
  if (shape.stats) {
    view.setInt32(40, file.commitStats.length, true);
    view.setInt32(44, file.abortStats.length, true);
  }
  view.setInt32(40 + s, file.invalMsgs.length, true);
  out[44 + s] = file.initfileinval ? 1 : 0;
  out[45 + s] = pad[padPos++]!;
  view.setUint16(46 + s, gidlen, true);
  view.setBigUint64(48 + s, BigInt.asUintN(64, file.origin_lsn), true);
  view.setBigInt64(56 + s, BigInt.asIntN(64, file.origin_timestamp), true);
  let pos = shape.size;
  const finish = (len: number): void => {
    const end = pos + MAXALIGN(len);
    for (let i = pos + len; i < end; i++) out[i] = pad[padPos++]!;
    pos = end;
  };
  out.set(gidUtf8, pos);
  finish(gidlen);
  const putU32s = (vals: number[]): void => {
    for (let i = 0; i < vals.length; i++) view.setUint32(pos + i * 4, vals[i]! >>> 0, true);
    finish(vals.length * 4);
  };
  putU32s(file.subxacts);
  putU32s(file.commitRels.flatMap((r) => [r.spcOid, r.dbOid, r.relNumber]));
  putU32s(file.abortRels.flatMap((r) => [r.spcOid, r.dbOid, r.relNumber]));
  if (shape.stats) {
    putU32s(file.commitStats.flatMap((r) => [r.kind, r.dboid, r.objoid]));
    putU32s(file.abortStats.flatMap((r) => [r.kind, r.dboid, r.objoid]));
  }
  file.invalMsgs.forEach((m, i) => {
    if (m.length !== 16) throw new PgFormatError('BAD_LENGTH', `invalidation message: expected 16 bytes, got ${m.length}`);
    out.set(m, pos + i * 16);
  });
  finish(file.invalMsgs.length * 16);
  const putRecord = (rmid: number, info: number, data: Uint8Array): void => {
    view.setUint32(pos, data.length, true);
    out[pos + 4] = rmid;
    out[pos + 5] = pad[padPos++]!;
    view.setUint16(pos + 6, info, true);
    pos += 8;
    out.set(data, pos);
    finish(data.length);
  };
  for (const r of file.records) putRecord(r.rmid, r.info, r.data);
  putRecord(TWOPHASE_RM_END_ID, 0, new Uint8Array(0));
  view.setUint32(pos, crc32cFinish(crc32cUpdate(CRC32C_INIT, out, 0, pos)), true);
  return out;
}
