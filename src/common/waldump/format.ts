/**
 * pg_waldump's text output (src/bin/pg_waldump/pg_waldump.c: XLogDumpDisplayRecord,
 * XLogDumpDisplayStats, XLogDumpStatsRow) for 14, 15 and 16, and the NDJSON form of
 * `pgffi waldump --json`. Record lines are built with plain concatenation and handed to the
 * caller's buffered writer; nothing here touches I/O.
 */
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
import type { DecodedRecord } from '../wal/record.js';
import { asciiBytes, type TextSink } from './text-sink.js';

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

type NumberedRecord = DecodedRecord & { lsnNumber?: number; prevLsnNumber?: number };

/** The record's LSN as a number: WalRecord keeps it (lsnNumber); otherwise from the bigint. */
function lsnNumber(record: NumberedRecord): number {
  return record.lsnNumber ?? Number(record.lsn);
}

function prevLsnNumber(record: NumberedRecord): number {
  return record.prevLsnNumber ?? Number(record.prevLsn);
}

const prefixCache = new Map<number, Uint8Array>();

function rmgrPrefix(rmid: number): Uint8Array {
  let p = prefixCache.get(rmid);
  if (p === undefined) {
    p = asciiBytes(`rmgr: ${padEnd(rmgrName(rmid), 11)} len (rec/tot): `);
    prefixCache.set(rmid, p);
  }
  return p;
}

const B_TX = asciiBytes(', tx: ');
const B_LSN = asciiBytes(', lsn: ');
const B_PREV = asciiBytes(', prev ');
const B_DESC = asciiBytes(', desc: ');
const B_BLKREF = asciiBytes(', blkref #');
const B_REL = asciiBytes(': rel ');
const B_FORK = asciiBytes(' fork ');
const B_BLK = asciiBytes(' blk ');
const B_FPW = asciiBytes(' FPW');
const B_FPW_VERIFY = asciiBytes(' FPW for WAL verification');
const FORK_BYTES = ['main', 'fsm', 'vm', 'init'].map(asciiBytes);

function putBytes(buf: Uint8Array, p: number, b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) buf[p++] = b[i] as number;
  return p;
}

/** Unsigned 32-bit decimal. */
function putUint(buf: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    buf[p++] = 48 + n;
    return p;
  }
  let digits = 0;
  for (let v = n; v !== 0; v = (v / 10) >>> 0) digits++;
  let q = p + digits;
  for (let v = n; v !== 0; v = (v / 10) >>> 0) buf[--q] = 48 + (v % 10);
  return p + digits;
}

/** Unsigned 32-bit decimal right-aligned in `width` ("%6u"). */
function putUintPad(buf: Uint8Array, p: number, n: number, width: number): number {
  let digits = 1;
  for (let v = (n / 10) >>> 0; v !== 0; v = (v / 10) >>> 0) digits++;
  for (let i = digits; i < width; i++) buf[p++] = 32;
  let q = p + digits;
  let v = n;
  do {
    buf[--q] = 48 + (v % 10);
    v = (v / 10) >>> 0;
  } while (v !== 0);
  return p + digits;
}

const HEXB = asciiBytes('0123456789ABCDEF');

function putHex(buf: Uint8Array, p: number, n: number): number {
  let digits = 1;
  for (let v = n >>> 4; v !== 0; v >>>= 4) digits++;
  let q = p + digits;
  let v = n >>> 0;
  do {
    buf[--q] = HEXB[v & 15] as number;
    v >>>= 4;
  } while (v !== 0);
  return p + digits;
}

function putHex8(buf: Uint8Array, p: number, n: number): number {
  let v = n >>> 0;
  for (let q = p + 7; q >= p; q--) {
    buf[q] = HEXB[v & 15] as number;
    v >>>= 4;
  }
  return p + 8;
}

const typeCache = new WeakMap<PgVersionProfile, (Uint8Array | undefined)[]>();

/** "TYPE " as bytes, cached per (profile, rmid, xl_info). */
function typeBytes(record: DecodedRecord, profile: PgVersionProfile): Uint8Array {
  let cache = typeCache.get(profile);
  if (cache === undefined) {
    cache = new Array(256 * 256);
    typeCache.set(profile, cache);
  }
  const key = (record.rmid << 8) | record.info;
  let b = cache[key];
  if (b === undefined) {
    b = asciiBytes(`${recordType(record, profile)} `);
    cache[key] = b;
  }
  return b;
}

/** formatRecordLine written as bytes into `sink` (the fast path of `pgffi waldump`). */
export function writeRecordLine(sink: TextSink, record: DecodedRecord, profile: PgVersionProfile, options: RecordLineOptions): void {
  const blocks = record.blocks;
  let fpi = 0;
  for (let i = 0; i < blocks.length; i++) {
    const img = blocks[i]!.image;
    if (img !== null) fpi += img.length;
  }
  const lsn = lsnNumber(record);
  const prev = prevLsnNumber(record);
  const desc = options.describe === undefined ? describe(record, profile) : describe(record, profile, options.describe);
  sink.ensure(160 + blocks.length * 96);
  const buf = sink.buf;
  let p = putBytes(buf, sink.pos, rmgrPrefix(record.rmid));
  p = putUintPad(buf, p, record.totalLength - fpi, 6);
  buf[p++] = 47;
  p = putUintPad(buf, p, record.totalLength, 6);
  p = putBytes(buf, p, B_TX);
  p = putUintPad(buf, p, record.xid, 10);
  p = putBytes(buf, p, B_LSN);
  p = putHex(buf, p, Math.floor(lsn / TWO_32));
  buf[p++] = 47;
  p = putHex8(buf, p, lsn % TWO_32);
  p = putBytes(buf, p, B_PREV);
  p = putHex(buf, p, Math.floor(prev / TWO_32));
  buf[p++] = 47;
  p = putHex8(buf, p, prev % TWO_32);
  p = putBytes(buf, p, B_DESC);
  p = putBytes(buf, p, typeBytes(record, profile));
  sink.pos = p;
  sink.str(desc);
  if (options.bkpDetails) {
    sink.str(blockRefText(record, profile, { detailed: true, pretty: true }));
    return;
  }
  sink.ensure(1 + blocks.length * 96);
  const out = sink.buf;
  p = sink.pos;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    p = putBytes(out, p, B_BLKREF);
    p = putUint(out, p, b.id);
    p = putBytes(out, p, B_REL);
    p = putUint(out, p, b.spcOid);
    out[p++] = 47;
    p = putUint(out, p, b.dbOid);
    out[p++] = 47;
    p = putUint(out, p, b.relNumber);
    if (b.fork !== 0) {
      p = putBytes(out, p, B_FORK);
      const f = FORK_BYTES[b.fork];
      p = f !== undefined ? putBytes(out, p, f) : putUint(out, p, b.fork);
    }
    p = putBytes(out, p, B_BLK);
    p = putUint(out, p, b.blockNumber);
    if (b.image !== null) p = putBytes(out, p, b.image.apply ? B_FPW : B_FPW_VERIFY);
  }
  out[p++] = 10;
  sink.pos = p;
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

const FORKS = ['main', 'fsm', 'vm', 'init'];

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
