/**
 * pg_waldump's text output (src/bin/pg_waldump/pg_waldump.c: XLogDumpDisplayRecord,
 * XLogDumpDisplayStats, XLogDumpStatsRow) for 14, 15 and 16, and the NDJSON form of
 * `pgffi waldump --json`. `formatRecordLine` builds a record's line as a string;
 * `writeRecordLine`, the CLI's path, writes the same bytes straight into a TextSink (digit
 * tables, constant text 8 bytes per store, the commonest descriptions from desc-bytes.ts).
 * Nothing here touches I/O.
 */
import { BKPBLOCK_FORK_MASK, BKPBLOCK_HAS_IMAGE, RM_LOGICALMSG_ID } from '../constants.js';
import { formatLsn, type Lsn } from '../core/lsn.js';
import type { PgVersionProfile } from '../profile.js';
import {
  blockRefText,
  type DescribeOptions,
  describe,
  fpiLength,
  recordType,
  recordTypeForInfo,
  rmgrIdIsValid,
  rmgrName,
  type WalStatsAccumulator,
} from '../rmgr/index.js';
import { decodeLogicalMsg, logicalMsgHead } from '../rmgr/logicalmsg.js';
import {
  BH_BIMG_INFO,
  BH_BIMG_LEN,
  BH_BLKNO,
  BH_DB_OID,
  BH_FORK_FLAGS,
  BH_HOLE_LENGTH,
  BH_HOLE_OFFSET,
  BH_ID,
  BH_REL_NUMBER,
  BH_SPC_OID,
  BLOCK_HEADER_SLOTS,
  BLOCK_HEADERS,
  compressionOf,
  loadBlockHeaders,
} from '../wal/decoded-record.js';
import type { DecodedRecord } from '../wal/record.js';
import { FAST_DESCRIPTION_ROOM, putFastDescription } from './desc-bytes.js';
import {
  type AsciiChunk,
  asciiChunk,
  asciiWord,
  DEC4S,
  digitTables,
  HEX4,
  putChunk,
  putHex,
  putUint,
  putUint6,
  putUint10,
  type TextSink,
} from './text-sink.js';

const FORKS = ['main', 'fsm', 'vm', 'init'];

const SPACES = '                              ';

function padStart(s: string, width: number): string {
  return s.length >= width ? s : SPACES.slice(0, width - s.length) + s;
}

function padEnd(s: string, width: number): string {
  return s.length >= width ? s : s + SPACES.slice(0, width - s.length);
}

/** "%X/%08X" (pg_waldump's record lines). */
export function lsnPadded(lsn: Lsn): string {
  const hi = Number(lsn >> 32n);
  const lo = Number(lsn & 0xffffffffn);
  const loText = lo.toString(16).toUpperCase();
  return `${hi.toString(16).toUpperCase()}/${loText.length >= 8 ? loText : '00000000'.slice(loText.length) + loText}`;
}

export interface RecordLineOptions {
  /** -b/--bkp-details. */
  readonly bkpDetails: boolean;
  readonly describe?: DescribeOptions;
}

/** One record as pg_waldump prints it, newline(s) included. */
export function formatRecordLine(record: DecodedRecord, profile: PgVersionProfile, options: RecordLineOptions): string {
  const fpi = fpiLength(record);
  const desc = options.describe === undefined ? describe(record, profile) : describe(record, profile, options.describe);
  return `rmgr: ${padEnd(rmgrName(record.rmid), 11)} len (rec/tot): ${padStart(String(record.totalLength - fpi), 6)}/${padStart(
    String(record.totalLength),
    6,
  )}, tx: ${padStart(String(record.xid), 10)}, lsn: ${lsnPadded(record.lsn)}, prev ${lsnPadded(record.prevLsn)}, desc: ${recordType(
    record,
    profile,
  )} ${desc}${blockRefText(record, profile, { detailed: options.bkpDetails, pretty: true })}`;
}

const TWO_32 = 0x1_0000_0000;

type NumberedRecord = DecodedRecord & { lsnNumber?: number; prevLsnNumber?: number; fpiLength?: number };

const prefixCache: (AsciiChunk | undefined)[] = [];

/** "rmgr: NAME        len (rec/tot): " for rmgr `rmid`. */
function rmgrPrefix(rmid: number): AsciiChunk {
  let c = prefixCache[rmid];
  if (c === undefined) {
    c = asciiChunk(`rmgr: ${padEnd(rmgrName(rmid), 11)} len (rec/tot): `);
    prefixCache[rmid] = c;
  }
  return c;
}

/*
 * The constant pieces of record lines as bytes, built with the digit tables on the first line
 * written (`startLines`), not at import: a --stats run writes none.
 */
let W_TX = 0;
let W_LSN = 0;
let W_PREV = 0;
let W_DESC = 0;
let C_FORK: AsciiChunk;
let C_BLK: AsciiChunk;
let C_FPW: AsciiChunk;
let C_FPW_VERIFY: AsciiChunk;
let C_HOLE: AsciiChunk;
let C_LENGTH: AsciiChunk;
let C_SAVED: AsciiChunk;
let C_METHOD: AsciiChunk;
let FORK_CHUNKS: AsciiChunk[] = [];
/** ", blkref #N: rel " (short form) and "\tblkref #N: rel " (-b) for every block id. */
const BLKREF_SHORT: AsciiChunk[] = [];
const BLKREF_DETAILED: AsciiChunk[] = [];
let C_IMAGE: AsciiChunk[] = [];

function buildLineText(): void {
  digitTables();
  W_TX = asciiWord(', tx: ');
  W_LSN = asciiWord(', lsn: ');
  W_PREV = asciiWord(', prev ');
  W_DESC = asciiWord(', desc: ');
  C_FORK = asciiChunk(' fork ');
  C_BLK = asciiChunk(' blk ');
  C_FPW = asciiChunk(' FPW');
  C_FPW_VERIFY = asciiChunk(' FPW for WAL verification');
  C_HOLE = asciiChunk('; hole: offset: ');
  C_LENGTH = asciiChunk(', length: ');
  C_SAVED = asciiChunk(', compression saved: ');
  C_METHOD = asciiChunk(', method: ');
  FORK_CHUNKS = FORKS.map(asciiChunk);
  for (let id = 0; id <= 32; id++) {
    BLKREF_SHORT.push(asciiChunk(`, blkref #${id}: rel `));
    BLKREF_DETAILED.push(asciiChunk(`\tblkref #${id}: rel `));
  }
  C_IMAGE = [asciiChunk(' (FPW)'), asciiChunk(' (FPW for WAL verification)')];
}

let typeCacheProfile: PgVersionProfile | null = null;
let typeCache: (AsciiChunk | undefined)[] = [];

/** Before a line of `profile`: a fresh type cache when the profile changes (the first time, the line text too). */
function startLines(profile: PgVersionProfile): void {
  if (typeCacheProfile === null) buildLineText();
  typeCache = new Array(256 * 256);
  typeCacheProfile = profile;
}

/** "TYPE " as bytes, cached per (profile, rmid, xl_info); after startLines(profile). */
function typeChunk(record: DecodedRecord, profile: PgVersionProfile): AsciiChunk {
  const key = (record.rmid << 8) | record.info;
  let c = typeCache[key];
  if (c === undefined) {
    c = asciiChunk(`${recordType(record, profile)} `);
    typeCache[key] = c;
  }
  return c;
}

/**
 * "rmgr: ... desc: TYPE " up to the description, the common cases written inline (lengths and
 * xid below 10000, an LSN high half below 16): the first optimized version of this code is the
 * one a single pgffi waldump run mostly uses, and V8 does not always inline small helpers into
 * it by then.
 */
function putHead(
  v: DataView,
  p: number,
  prefix: AsciiChunk,
  recLen: number,
  totLen: number,
  xid: number,
  lsn: number,
  prev: number,
  type: AsciiChunk,
): number {
  const pw = prefix.words;
  for (let i = 0; i < pw.length; i++) v.setFloat64(p + 8 * i, pw[i] as number, true);
  p += prefix.length;
  if (recLen < 10000) {
    v.setUint16(p, 0x2020, true);
    v.setUint32(p + 2, DEC4S[recLen] as number, true);
    p += 6;
  } else {
    p = putUint6(v, p, recLen);
  }
  v.setUint8(p++, 47);
  if (totLen < 10000) {
    v.setUint16(p, 0x2020, true);
    v.setUint32(p + 2, DEC4S[totLen] as number, true);
    p += 6;
  } else {
    p = putUint6(v, p, totLen);
  }
  v.setFloat64(p, W_TX, true);
  p += 6;
  if (xid < 10000) {
    v.setUint32(p, 0x20202020, true);
    v.setUint16(p + 4, 0x2020, true);
    v.setUint32(p + 6, DEC4S[xid] as number, true);
    p += 10;
  } else {
    p = putUint10(v, p, xid);
  }
  v.setFloat64(p, W_LSN, true);
  p += 7;
  let hi = Math.floor(lsn / TWO_32);
  let lo = lsn - hi * TWO_32;
  if (hi < 16) v.setUint8(p++, (HEX4[hi] as number) >>> 24);
  else p = putHex(v, p, hi);
  v.setUint8(p, 47);
  v.setUint32(p + 1, HEX4[lo >>> 16] as number, true);
  v.setUint32(p + 5, HEX4[lo & 0xffff] as number, true);
  v.setFloat64(p + 9, W_PREV, true);
  p += 16;
  hi = Math.floor(prev / TWO_32);
  lo = prev - hi * TWO_32;
  if (hi < 16) v.setUint8(p++, (HEX4[hi] as number) >>> 24);
  else p = putHex(v, p, hi);
  v.setUint8(p, 47);
  v.setUint32(p + 1, HEX4[lo >>> 16] as number, true);
  v.setUint32(p + 5, HEX4[lo & 0xffff] as number, true);
  v.setFloat64(p + 9, W_DESC, true);
  p += 17;
  const tw = type.words;
  for (let i = 0; i < tw.length; i++) v.setFloat64(p + 8 * i, tw[i] as number, true);
  return p + type.length;
}

/** "S/D/R[ fork F] blk B" of the block at `q` in `h` (the fork only when `alwaysFork` or not main). */
function putBlockTarget(v: DataView, p: number, h: Readonly<Float64Array>, q: number, alwaysFork: boolean): number {
  p = putUint(v, p, h[q + BH_SPC_OID] as number);
  v.setUint8(p++, 47);
  p = putUint(v, p, h[q + BH_DB_OID] as number);
  v.setUint8(p++, 47);
  p = putUint(v, p, h[q + BH_REL_NUMBER] as number);
  const fork = (h[q + BH_FORK_FLAGS] as number) & BKPBLOCK_FORK_MASK;
  if (alwaysFork || fork !== 0) {
    p = putChunk(v, p, C_FORK);
    const f = FORK_CHUNKS[fork];
    p = f !== undefined ? putChunk(v, p, f) : putUint(v, p, fork);
  }
  p = putChunk(v, p, C_BLK);
  return putUint(v, p, h[q + BH_BLKNO] as number);
}

/** How a block's image shows: 0 none, 1 applied at replay, 2 for WAL verification only. */
function imageKind(headers: Readonly<Float64Array>, q: number, apply: number): number {
  const bimgInfo = headers[q + BH_BIMG_INFO] as number;
  if (((headers[q + BH_FORK_FLAGS] as number) & BKPBLOCK_HAS_IMAGE) === 0 || bimgInfo < 0) return 0;
  return (bimgInfo & apply) !== 0 ? 1 : 2;
}

/** pg_waldump's short block references (", blkref #N: rel S/D/R[ fork F] blk B[ FPW…]"), then the newline. */
function writeShortBlocks(sink: TextSink, record: DecodedRecord, profile: PgVersionProfile): void {
  const count = loadBlockHeaders(record);
  const h = BLOCK_HEADERS;
  const apply = profile.bkpImage.APPLY;
  sink.ensure(2 + count * 128);
  const v = sink.view;
  let p = sink.pos;
  for (let q = 0; q < count * BLOCK_HEADER_SLOTS; q += BLOCK_HEADER_SLOTS) {
    const id = h[q + BH_ID] as number;
    p = putChunk(v, p, BLKREF_SHORT[id] ?? asciiChunk(`, blkref #${id}: rel `));
    p = putBlockTarget(v, p, h, q, false);
    const image = imageKind(h, q, apply);
    if (image !== 0) p = putChunk(v, p, image === 1 ? C_FPW : C_FPW_VERIFY);
  }
  v.setUint8(p++, 10);
  sink.pos = p;
}

/**
 * -b: a newline, then each block reference on its own tab-indented line: "\tblkref #N: rel
 * S/D/R fork F blk B[ (FPW[ for WAL verification]); hole: offset: O, length: L[, compression
 * saved: S[, method: M]]]".
 */
function writeDetailedBlocks(sink: TextSink, record: DecodedRecord, profile: PgVersionProfile): void {
  const count = loadBlockHeaders(record);
  const h = BLOCK_HEADERS;
  const apply = profile.bkpImage.APPLY;
  sink.ensure(2 + count * 200);
  let v = sink.view;
  let p = sink.pos;
  v.setUint8(p++, 10);
  for (let q = 0; q < count * BLOCK_HEADER_SLOTS; q += BLOCK_HEADER_SLOTS) {
    const id = h[q + BH_ID] as number;
    p = putChunk(v, p, BLKREF_DETAILED[id] ?? asciiChunk(`\tblkref #${id}: rel `));
    p = putBlockTarget(v, p, h, q, true);
    const image = imageKind(h, q, apply);
    if (image !== 0) {
      const holeLength = h[q + BH_HOLE_LENGTH] as number;
      p = putChunk(v, p, C_IMAGE[image - 1]!);
      p = putChunk(v, p, C_HOLE);
      p = putUint(v, p, h[q + BH_HOLE_OFFSET] as number);
      p = putChunk(v, p, C_LENGTH);
      p = putUint(v, p, holeLength);
      const compression = compressionOf(profile, h[q + BH_BIMG_INFO] as number);
      if (compression !== 'none') {
        p = putChunk(v, p, C_SAVED);
        const saved = profile.BLCKSZ - holeLength - (h[q + BH_BIMG_LEN] as number);
        if (saved < 0) {
          v.setUint8(p++, 45);
          p = putUint(v, p, -saved);
        } else {
          p = putUint(v, p, saved);
        }
        if (profile.major >= 15) {
          p = putChunk(v, p, C_METHOD);
          sink.pos = p;
          sink.str(compression);
          v = sink.view;
          p = sink.pos;
        }
      }
    }
    v.setUint8(p++, 10);
  }
  sink.pos = p;
}

/**
 * formatRecordLine written as bytes into `sink` (the fast path of `pgffi waldump`): the same
 * text, byte for byte, for both the short and the -b form.
 */
export function writeRecordLine(sink: TextSink, record: DecodedRecord, profile: PgVersionProfile, options: RecordLineOptions): void {
  const r = record as NumberedRecord;
  const fpi = r.fpiLength ?? fpiLength(record);
  const lsn = r.lsnNumber ?? Number(record.lsn);
  const prev = r.prevLsnNumber ?? Number(record.prevLsn);
  if (profile !== typeCacheProfile) startLines(profile);
  sink.ensure(200 + FAST_DESCRIPTION_ROOM);
  const v = sink.view;
  const total = record.totalLength;
  const p = putHead(v, sink.pos, rmgrPrefix(record.rmid), total - fpi, total, record.xid, lsn, prev, typeChunk(record, profile));
  const q = putFastDescription(v, p, record, profile);
  if (q >= 0) {
    sink.pos = q;
  } else if (record.rmid === RM_LOGICALMSG_ID && writeLogicalMessage(sink, p, record)) {
    // Written.
  } else {
    const desc = options.describe === undefined ? describe(record, profile) : describe(record, profile, options.describe);
    sink.pos = p;
    sink.str(desc);
  }
  if (options.bkpDetails) writeDetailedBlocks(sink, record, profile);
  else writeShortBlocks(sink, record, profile);
}

/**
 * A LogicalMessage MESSAGE description at `p`, its payload written as hex bytes: payloads run
 * to megabytes, which through describe()'s string cost ~4% of a dump of WAL with a few large
 * messages. False, with nothing written, for another xl_info (describe() says it); a record too
 * short for its sizes fails in decodeLogicalMsg as in describe().
 */
function writeLogicalMessage(sink: TextSink, p: number, record: DecodedRecord): boolean {
  const body = decodeLogicalMsg(record);
  if (body.type !== 'MESSAGE') return false;
  sink.pos = p;
  sink.str(logicalMsgHead(body));
  sink.hexSpaced(body.message);
  return true;
}

/**
 * printf("%.02f") of a double: like toFixed(2) except on exact binary ties (x = k/8 with k odd),
 * where glibc rounds half to even and toFixed rounds up.
 */
export function fixed2(x: number): string {
  const eighths = x * 8;
  if (x >= 0 && Number.isInteger(eighths) && eighths % 2 === 1) {
    const lo = Math.floor(x * 100);
    const n = lo % 2 === 0 ? lo : lo + 1;
    return `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
  }
  return x.toFixed(2);
}

function pct(n: number, total: number): number {
  return total !== 0 ? (100 * n) / total : 0;
}

/** XLogDumpStatsRow. */
function statsRow(
  name: string,
  n: number,
  tn: number,
  rec: number,
  trec: number,
  fpi: number,
  tfpi: number,
  tot: number,
  ttot: number,
): string {
  return `${padEnd(name, 27)} ${padStart(String(n), 20)} (${padStart(fixed2(pct(n, tn)), 6)}) ${padStart(String(rec), 20)} (${padStart(
    fixed2(pct(rec, trec)),
    6,
  )}) ${padStart(String(fpi), 20)} (${padStart(fixed2(pct(fpi, tfpi)), 6)}) ${padStart(String(tot), 20)} (${padStart(
    fixed2(pct(tot, ttot)),
    6,
  )})\n`;
}

function rmgrIds(profile: PgVersionProfile): number[] {
  const ids: number[] = [];
  for (let i = 0; i <= 255; i++) if (rmgrIdIsValid(i, profile)) ids.push(i);
  return ids;
}

/**
 * XLogDumpDisplayStats: the --stats / --stats=record table. 15+ starts with "WAL statistics
 * between X and Y:" and prints nothing when no record was counted; 14 always prints the table.
 */
export function formatStats(stats: WalStatsAccumulator, profile: PgVersionProfile, perRecord: boolean): string {
  if (profile.major >= 15 && stats.endLsn === 0n) return '';
  const ids = rmgrIds(profile);
  let totalCount = 0;
  let totalRec = 0;
  let totalFpi = 0;
  for (const ri of ids) {
    const r = stats.rmgrRow(ri);
    totalCount += r.count;
    totalRec += r.recLen;
    totalFpi += r.fpiLen;
  }
  const totalLen = totalRec + totalFpi;
  let out = '';
  if (profile.major >= 15) out += `WAL statistics between ${formatLsn(stats.startLsn)} and ${formatLsn(stats.endLsn)}:\n`;
  out += `${padEnd('Type', 27)} ${padStart('N', 20)} ${padStart('(%)', 8)} ${padStart('Record size', 20)} ${padStart('(%)', 8)} ${padStart(
    'FPI size',
    20,
  )} ${padStart('(%)', 8)} ${padStart('Combined size', 20)} ${padStart('(%)', 8)}\n`;
  out += `${padEnd('----', 27)} ${padStart('-', 20)} ${padStart('---', 8)} ${padStart('-----------', 20)} ${padStart('---', 8)} ${padStart(
    '--------',
    20,
  )} ${padStart('---', 8)} ${padStart('-------------', 20)} ${padStart('---', 8)}\n`;
  for (const ri of ids) {
    if (!perRecord) {
      const r = stats.rmgrRow(ri);
      if (ri >= 128 && r.count === 0) continue;
      out += statsRow(rmgrName(ri), r.count, totalCount, r.recLen, totalRec, r.fpiLen, totalFpi, r.recLen + r.fpiLen, totalLen);
    } else {
      for (let rj = 0; rj < 16; rj++) {
        const r = stats.recordRow(ri, rj);
        if (r.count === 0) continue;
        const name = `${rmgrName(ri)}/${recordTypeForInfo(ri, rj << 4, profile)}`;
        out += statsRow(name, r.count, totalCount, r.recLen, totalRec, r.fpiLen, totalFpi, r.recLen + r.fpiLen, totalLen);
      }
    }
  }
  out += `${padEnd('', 27)} ${padStart('--------', 20)} ${padStart('', 8)} ${padStart('--------', 20)} ${padStart('', 8)} ${padStart(
    '--------',
    20,
  )} ${padStart('', 8)} ${padStart('--------', 20)}\n`;
  const recPct = totalLen !== 0 ? (100 * totalRec) / totalLen : 0;
  const fpiPct = totalLen !== 0 ? (100 * totalFpi) / totalLen : 0;
  out += `${padEnd('Total', 27)} ${padStart(String(stats.count), 20)} ${padEnd('', 9)}${padStart(String(totalRec), 20)} ${padEnd(
    `[${fixed2(recPct)}%]`,
    9,
  )}${padStart(String(totalFpi), 20)} ${padEnd(`[${fixed2(fpiPct)}%]`, 9)}${padStart(String(totalLen), 20)} ${padEnd('[100%]', 6)}\n`;
  return out;
}

/** One record of `pgffi waldump --json` (pg_walinspect's column set, camelCase, plus blocks). */
export function recordJson(record: DecodedRecord, profile: PgVersionProfile, options?: DescribeOptions): Record<string, unknown> {
  return {
    startLsn: formatLsn(record.lsn),
    endLsn: formatLsn(record.endLsn),
    prevLsn: formatLsn(record.prevLsn),
    xid: record.xid,
    resourceManager: rmgrName(record.rmid),
    recordType: recordType(record, profile),
    recordLength: record.totalLength,
    mainDataLength: record.mainData.length,
    fpiLength: fpiLength(record),
    description: options === undefined ? describe(record, profile) : describe(record, profile, options),
    blockRef: blockRefText(record, profile, { detailed: true }),
    blocks: record.blocks.map((b) => ({
      id: b.id,
      spcOid: b.spcOid,
      dbOid: b.dbOid,
      relNumber: b.relNumber,
      fork: FORKS[b.fork] ?? String(b.fork),
      block: b.blockNumber,
      hasImage: b.hasImage,
      applyImage: b.image?.apply ?? false,
      compression: b.image?.compression ?? null,
      holeOffset: b.image?.holeOffset ?? 0,
      holeLength: b.image?.holeLength ?? 0,
      dataLength: b.data.length,
    })),
  };
}

/** `--stats --json`: the same numbers as the table, as one object. */
export function statsJson(stats: WalStatsAccumulator, profile: PgVersionProfile, perRecord: boolean): Record<string, unknown> {
  const rows: Record<string, unknown>[] = [];
  for (const ri of rmgrIds(profile)) {
    if (!perRecord) {
      const r = stats.rmgrRow(ri);
      if (ri >= 128 && r.count === 0) continue;
      rows.push({
        resourceManager: rmgrName(ri),
        count: r.count,
        recordSize: r.recLen,
        fpiSize: r.fpiLen,
        combinedSize: r.recLen + r.fpiLen,
      });
    } else {
      for (let rj = 0; rj < 16; rj++) {
        const r = stats.recordRow(ri, rj);
        if (r.count === 0) continue;
        rows.push({
          resourceManager: rmgrName(ri),
          recordType: recordTypeForInfo(ri, rj << 4, profile),
          count: r.count,
          recordSize: r.recLen,
          fpiSize: r.fpiLen,
          combinedSize: r.recLen + r.fpiLen,
        });
      }
    }
  }
  let recordSize = 0;
  let fpiSize = 0;
  for (const ri of rmgrIds(profile)) {
    const r = stats.rmgrRow(ri);
    recordSize += r.recLen;
    fpiSize += r.fpiLen;
  }
  return {
    startLsn: formatLsn(stats.startLsn),
    endLsn: formatLsn(stats.endLsn),
    count: stats.count,
    recordSize,
    fpiSize,
    combinedSize: recordSize + fpiSize,
    rows,
  };
}
