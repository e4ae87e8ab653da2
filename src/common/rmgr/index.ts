/**
 * The resource-manager registry (access/rmgrlist.h; pg_waldump's rmgrdesc.c): the descriptor for
 * an rmgr id, rm_identify with PostgreSQL's "UNKNOWN (%x)" fallback, rm_desc, the block
 * reference text of XLogRecGetBlockRefInfo (pg_waldump's short and -b forms, pg_walinspect's
 * block_ref column; 14's pg_waldump printed the same text itself), and the statistics of
 * XLogRecStoreStats (pg_waldump --stats).
 */
import { RM_MAX_BUILTIN_ID, RM_MIN_CUSTOM_ID, RM_XACT_ID } from '../constants.js';
import { PgFormatError } from '../core/errors.js';
import type { PgVersionProfile } from '../profile.js';
import type { DecodedRecord } from '../wal/record.js';
import { brinRmgr } from './brin.js';
import { btreeRmgr } from './btree.js';
import { clogRmgr } from './clog.js';
import { commitTsRmgr } from './committs.js';
import { customRmgr } from './custom.js';
import { dbaseRmgr } from './dbase.js';
import { DEFAULT_DESCRIBE_OPTIONS, type DescribeOptions } from './desc-util.js';
import { genericRmgr } from './generic.js';
import { ginRmgr } from './gin.js';
import { gistRmgr } from './gist.js';
import { hashRmgr } from './hash.js';
import { heapRmgr } from './heap.js';
import { heap2Rmgr } from './heap2.js';
import { logicalMsgRmgr } from './logicalmsg.js';
import { multixactRmgr } from './multixact.js';
import { relmapRmgr } from './relmap.js';
import { replOriginRmgr } from './replorigin.js';
import { sequenceRmgr } from './sequence.js';
import { smgrRmgr } from './smgr.js';
import { spgistRmgr } from './spgist.js';
import { standbyRmgr } from './standby.js';
import { tblspcRmgr } from './tblspc.js';
import type { RmgrDescriptor } from './types.js';
import { xactRmgr } from './xact.js';
import { xlogRmgr } from './xlog.js';

export type { DescribeOptions, TimestampStyle } from './desc-util.js';
export { timestamptzToStr } from './desc-util.js';
export type { RmgrDescriptor } from './types.js';

/** A descriptor that can print timestamps in a chosen style (XLOG, Transaction). */
interface TimestampedDescriptor extends RmgrDescriptor {
  describeWith(record: DecodedRecord, profile: PgVersionProfile, options: DescribeOptions): string;
}

/** Builtin rmgrs by id (rmgrlist.h order; ids are the same in 14–16). */
export const BUILTIN_RMGRS: readonly RmgrDescriptor[] = [
  xlogRmgr,
  xactRmgr,
  smgrRmgr,
  clogRmgr,
  dbaseRmgr,
  tblspcRmgr,
  multixactRmgr,
  relmapRmgr,
  standbyRmgr,
  heap2Rmgr,
  heapRmgr,
  btreeRmgr,
  hashRmgr,
  ginRmgr,
  gistRmgr,
  sequenceRmgr,
  spgistRmgr,
  brinRmgr,
  commitTsRmgr,
  replOriginRmgr,
  genericRmgr,
  logicalMsgRmgr,
] as RmgrDescriptor[];

/** The rmgrs this module implements itself (the others belong to the access-method descriptors). */
export const CORE_RMGR_IDS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 18, 19, 21];

/** RmgrIdIsValid for the profile's version: builtin ids, and custom ids from 15. */
export function rmgrIdIsValid(id: number, profile: PgVersionProfile): boolean {
  return (id >= 0 && id <= RM_MAX_BUILTIN_ID) || (profile.customRmgrs && id >= RM_MIN_CUSTOM_ID && id <= 255);
}

/** The descriptor of rmgr `id`: builtin 0–21, or the generic "custom###" one for 128–255. */
export function rmgrFor(id: number): RmgrDescriptor | undefined {
  if (id >= 0 && id <= RM_MAX_BUILTIN_ID) return BUILTIN_RMGRS[id];
  if (id >= RM_MIN_CUSTOM_ID && id <= 255) return customRmgr(id);
  return undefined;
}

/** rm_name, or "custom###". */
export function rmgrName(id: number): string {
  return rmgrFor(id)?.name ?? `custom${String(id).padStart(3, '0')}`;
}

/** rm_identify(xl_info) with pg_waldump/pg_walinspect's "UNKNOWN (%x)" fallback. */
export function recordType(record: Pick<DecodedRecord, 'rmid' | 'info'>, profile: PgVersionProfile): string {
  const id = rmgrFor(record.rmid)?.identify(record.info, profile);
  return id ?? `UNKNOWN (${(record.info & 0xf0).toString(16)})`;
}

/** rm_identify for --stats=record rows: identify(recid << 4), "UNKNOWN (%x)" when NULL. */
export function recordTypeForInfo(rmid: number, info: number, profile: PgVersionProfile): string {
  const id = rmgrFor(rmid)?.identify(info, profile);
  return id ?? `UNKNOWN (${info.toString(16)})`;
}

/** rm_desc: the record's description as the record's major version prints it. */
export function describe(record: DecodedRecord, profile: PgVersionProfile, options: DescribeOptions = DEFAULT_DESCRIBE_OPTIONS): string {
  const rmgr = rmgrFor(record.rmid);
  if (rmgr === undefined) return '';
  if (options !== DEFAULT_DESCRIBE_OPTIONS && 'describeWith' in rmgr) {
    return (rmgr as TimestampedDescriptor).describeWith(record, profile, options);
  }
  return rmgr.describe(record, profile);
}

/** The typed body of a record (decoded main data and block data), or undefined for unknown rmgrs. */
export function decodeBody(record: DecodedRecord, profile: PgVersionProfile): unknown {
  return rmgrFor(record.rmid)?.decode(record, profile);
}

const FORKS = ['main', 'fsm', 'vm', 'init'];

function forkName(fork: number): string {
  return FORKS[fork] ?? String(fork);
}

export interface BlockRefTextOptions {
  /** The -b form (pg_walinspect's block_ref column when not pretty). */
  readonly detailed: boolean;
  /** pg_waldump's layout: -b puts each block on its own "\t" line; the short form ends with "\n". */
  readonly pretty?: boolean;
}

/**
 * XLogRecGetBlockRefInfo: pg_waldump's ", blkref #N: rel S/D/R [fork F ]blk B[ FPW]" (short),
 * its -b lines, or pg_walinspect's block_ref text (detailed, not pretty).
 */
export function blockRefText(record: DecodedRecord, profile: PgVersionProfile, options: BlockRefTextOptions): string {
  const pretty = options.pretty ?? false;
  let s = options.detailed && pretty ? '\n' : '';
  const blocks = record.blocks;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    if (options.detailed) {
      if (pretty) s += '\t';
      else if (b.id > 0) s += ' ';
      s += `blkref #${b.id}: rel ${b.spcOid}/${b.dbOid}/${b.relNumber} fork ${forkName(b.fork)} blk ${b.blockNumber}`;
      const img = b.image;
      if (b.hasImage && img !== null) {
        const verify = img.apply ? '' : ' for WAL verification';
        if (img.compression !== 'none') {
          const saved = profile.BLCKSZ - img.holeLength - img.length;
          s += ` (FPW${verify}); hole: offset: ${img.holeOffset}, length: ${img.holeLength}, compression saved: ${saved}`;
          if (profile.major >= 15) s += `, method: ${img.compression}`;
        } else {
          s += ` (FPW${verify}); hole: offset: ${img.holeOffset}, length: ${img.holeLength}`;
        }
      }
      if (pretty) s += '\n';
    } else {
      s +=
        b.fork !== 0
          ? `, blkref #${b.id}: rel ${b.spcOid}/${b.dbOid}/${b.relNumber} fork ${forkName(b.fork)} blk ${b.blockNumber}`
          : `, blkref #${b.id}: rel ${b.spcOid}/${b.dbOid}/${b.relNumber} blk ${b.blockNumber}`;
      if (b.hasImage && b.image !== null) s += b.image.apply ? ' FPW' : ' FPW for WAL verification';
    }
  }
  if (!options.detailed && pretty) s += '\n';
  return s;
}

/** Sum of the stored image lengths (XLogRecGetLen's fpi_len). */
export function fpiLength(record: DecodedRecord): number {
  let n = 0;
  for (const b of record.blocks) if (b.hasImage && b.image !== null) n += b.image.length;
  return n;
}

/** One row of counters (access/xlogstats.h XLogRecStats). */
export interface WalStatsRow {
  count: number;
  recLen: number;
  fpiLen: number;
}

/**
 * XLogStats and XLogRecStoreStats: per-rmgr and per-record-type counts and sizes. Record types
 * are the high four bits of xl_info, except Transaction whose HAS_INFO bit is masked out.
 */
export class WalStatsAccumulator {
  count = 0;
  /** First record's LSN (stats.startptr). */
  startLsn = 0n;
  /** The last counted record's end (stats.endptr), as a number (exact below 2^53). */
  endLsnNumber = 0;
  /** Flat arrays: rmgr r at [r], record type (r, t) at [r * 16 + t]; [count, rec, fpi] interleaved. */
  readonly rmgr = new Float64Array(256 * 3);
  readonly records = new Float64Array(256 * 16 * 3);

  add(record: DecodedRecord): void {
    // WalRecord knows its image lengths without building block objects.
    let fpi = (record as DecodedRecord & { fpiLength?: number }).fpiLength;
    if (fpi === undefined) {
      fpi = 0;
      const blocks = record.blocks;
      for (let i = 0; i < blocks.length; i++) {
        const img = blocks[i]!.image;
        if (img !== null) fpi += img.length;
      }
    }
    this.addCounts(record.rmid, record.info, record.totalLength - fpi, fpi);
    const r = record as DecodedRecord & { endLsnNumber?: number };
    this.endLsnNumber = r.endLsnNumber ?? Number(record.endLsn);
  }

  /** The last counted record's end (stats.endptr); 0 before any record. */
  get endLsn(): bigint {
    return BigInt(this.endLsnNumber);
  }

  addCounts(rmid: number, info: number, recLen: number, fpiLen: number): void {
    this.count++;
    const r = rmid * 3;
    this.rmgr[r] = (this.rmgr[r] as number) + 1;
    this.rmgr[r + 1] = (this.rmgr[r + 1] as number) + recLen;
    this.rmgr[r + 2] = (this.rmgr[r + 2] as number) + fpiLen;
    let recid = info >> 4;
    if (rmid === RM_XACT_ID) recid &= 0x07;
    const t = (rmid * 16 + recid) * 3;
    this.records[t] = (this.records[t] as number) + 1;
    this.records[t + 1] = (this.records[t + 1] as number) + recLen;
    this.records[t + 2] = (this.records[t + 2] as number) + fpiLen;
  }

  /**
   * Adds the counts of `other`, an accumulator of the records that follow this one's (a later
   * part of the same WAL): afterwards this one holds the statistics of both parts in order.
   */
  merge(other: WalStatsAccumulator): void {
    this.count += other.count;
    for (let i = 0; i < this.rmgr.length; i++) this.rmgr[i] = (this.rmgr[i] as number) + (other.rmgr[i] as number);
    for (let i = 0; i < this.records.length; i++) this.records[i] = (this.records[i] as number) + (other.records[i] as number);
    if (other.count > 0) this.endLsnNumber = other.endLsnNumber;
  }

  /**
   * Adds `count` records given as a record-type table laid out as `records` (count, rec_len,
   * fpi_len per (rmid, recid)), which follow the records counted so far and end at `endLsnNumber`.
   */
  addTable(table: Float64Array, count: number, endLsnNumber: number): void {
    if (table.length !== this.records.length)
      throw new PgFormatError('BAD_ARGUMENT', `stats table of ${table.length} entries, expected ${this.records.length}`);
    this.count += count;
    for (let t = 0; t < table.length; t++) {
      const v = table[t] as number;
      if (v === 0) continue;
      this.records[t] = (this.records[t] as number) + v;
      const r = Math.floor(t / 48) * 3 + (t % 3);
      this.rmgr[r] = (this.rmgr[r] as number) + v;
    }
    if (count > 0) this.endLsnNumber = endLsnNumber;
  }

  rmgrRow(rmid: number): WalStatsRow {
    const r = rmid * 3;
    return { count: this.rmgr[r] as number, recLen: this.rmgr[r + 1] as number, fpiLen: this.rmgr[r + 2] as number };
  }

  recordRow(rmid: number, recid: number): WalStatsRow {
    const t = (rmid * 16 + recid) * 3;
    return { count: this.records[t] as number, recLen: this.records[t + 1] as number, fpiLen: this.records[t + 2] as number };
  }
}
