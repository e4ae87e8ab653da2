/**
 * The Transaction resource manager (RM_XACT_ID 1; access/xact.h xl_xact_commit, xl_xact_abort,
 * xl_xact_prepare, xl_xact_assignment, xl_xact_invals): typed bodies (ParseCommitRecord /
 * ParseAbortRecord / ParsePrepareRecord) and xactdesc.c's descriptions per major version:
 * dropped stats exist from 15 (xl_xact_prepare grew ncommitstats/nabortstats), abort and
 * prepare print the replication origin from 15, and commit prints "apply_feedback" from 15.
 * (16.0–16.x sources for a while dropped the prepare stats counts in ParsePrepareRecord; the
 * releases we check against, 16.14/16.15, print them, and so do we.)
 */
import {
  RM_XACT_ID,
  XLOG_XACT_ABORT,
  XLOG_XACT_ABORT_PREPARED,
  XLOG_XACT_ASSIGNMENT,
  XLOG_XACT_COMMIT,
  XLOG_XACT_COMMIT_PREPARED,
  XLOG_XACT_HAS_INFO,
  XLOG_XACT_INVALIDATIONS,
  XLOG_XACT_OPMASK,
  XLOG_XACT_PREPARE,
} from '../constants.js';
import type { PgVersionProfile } from '../profile.js';
import type { DecodedRecord } from '../wal/record.js';
import {
  cstringAt,
  DEFAULT_DESCRIBE_OPTIONS,
  type DescribeOptions,
  i32,
  i64,
  lsnText,
  needBytes,
  relpathperm,
  timestamptzToStr,
  u8,
  u16,
  u32,
  u64,
} from './desc-util.js';
import { decodeInvalidationMessages, describeInvalidations, type SharedInvalidationMessage } from './standby.js';
import type { RmgrDescriptor } from './types.js';

export const XACT_XINFO_HAS_DBINFO = 1 << 0;
export const XACT_XINFO_HAS_SUBXACTS = 1 << 1;
export const XACT_XINFO_HAS_RELFILENODES = 1 << 2;
export const XACT_XINFO_HAS_INVALS = 1 << 3;
export const XACT_XINFO_HAS_TWOPHASE = 1 << 4;
export const XACT_XINFO_HAS_ORIGIN = 1 << 5;
export const XACT_XINFO_HAS_AE_LOCKS = 1 << 6;
export const XACT_XINFO_HAS_GID = 1 << 7;
/** 15+. */
export const XACT_XINFO_HAS_DROPPED_STATS = 1 << 8;
export const XACT_COMPLETION_APPLY_FEEDBACK = 1 << 29;
export const XACT_COMPLETION_UPDATE_RELCACHE_FILE = 1 << 30;
export const XACT_COMPLETION_FORCE_SYNC_COMMIT = 2 ** 31;

const NAMES: Readonly<Record<number, string>> = {
  [XLOG_XACT_COMMIT]: 'COMMIT',
  [XLOG_XACT_PREPARE]: 'PREPARE',
  [XLOG_XACT_ABORT]: 'ABORT',
  [XLOG_XACT_COMMIT_PREPARED]: 'COMMIT_PREPARED',
  [XLOG_XACT_ABORT_PREPARED]: 'ABORT_PREPARED',
  [XLOG_XACT_ASSIGNMENT]: 'ASSIGNMENT',
  [XLOG_XACT_INVALIDATIONS]: 'INVALIDATION',
};

export interface RelFileLocatorValue {
  spcOid: number;
  dbOid: number;
  relNumber: number;
}

/** xl_xact_stats_item (15+). */
export interface XactStatsItem {
  kind: number;
  dboid: number;
  objoid: number;
}

/** xl_xact_parsed_commit / xl_xact_parsed_abort. */
export interface XactParsedCompletion {
  xact_time: bigint;
  xinfo: number;
  dbId: number;
  tsId: number;
  subxacts: number[];
  rels: RelFileLocatorValue[];
  stats: XactStatsItem[];
  msgs: SharedInvalidationMessage[];
  twophase_xid: number;
  twophase_gid: string;
  origin_lsn: bigint;
  origin_timestamp: bigint;
}

/** xl_xact_parsed_prepare. */
export interface XactParsedPrepare {
  xid: number;
  database: number;
  prepared_at: bigint;
  owner: number;
  initfileinval: boolean;
  gid: string;
  subxacts: number[];
  commitRels: RelFileLocatorValue[];
  abortRels: RelFileLocatorValue[];
  commitStats: XactStatsItem[];
  abortStats: XactStatsItem[];
  msgs: SharedInvalidationMessage[];
  origin_lsn: bigint;
  origin_timestamp: bigint;
}

export type XactBody =
  | { type: 'COMMIT' | 'COMMIT_PREPARED'; parsed: XactParsedCompletion; origin: number }
  | { type: 'ABORT' | 'ABORT_PREPARED'; parsed: XactParsedCompletion; origin: number }
  | { type: 'PREPARE'; parsed: XactParsedPrepare; origin: number }
  | { type: 'ASSIGNMENT'; xtop: number; xsub: number[] }
  | { type: 'INVALIDATION'; msgs: SharedInvalidationMessage[] }
  | { type: 'UNKNOWN' };

function count(d: Uint8Array, o: number, size: number, what: string): number {
  needBytes(d, o + 4, what);
  const n = Math.max(0, i32(d, o));
  needBytes(d, o + 4 + n * size, what);
  return n;
}

function xidArray(d: Uint8Array, o: number, n: number): number[] {
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = u32(d, o + i * 4);
  return out;
}

function relArray(d: Uint8Array, o: number, n: number): RelFileLocatorValue[] {
  const out: RelFileLocatorValue[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = o + i * 12;
    out[i] = { spcOid: u32(d, p), dbOid: u32(d, p + 4), relNumber: u32(d, p + 8) };
  }
  return out;
}

function statsArray(d: Uint8Array, o: number, n: number): XactStatsItem[] {
  const out: XactStatsItem[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = o + i * 12;
    out[i] = { kind: i32(d, p), dboid: u32(d, p + 4), objoid: u32(d, p + 8) };
  }
  return out;
}

/** ParseCommitRecord / ParseAbortRecord (abort records carry no invalidations). */
export function parseXactCompletion(info: number, d: Uint8Array, profile: PgVersionProfile, isCommit: boolean): XactParsedCompletion {
  needBytes(d, 8, isCommit ? 'xl_xact_commit' : 'xl_xact_abort');
  const what = isCommit ? 'xl_xact_commit' : 'xl_xact_abort';
  const p: XactParsedCompletion = {
    xact_time: i64(d, 0),
    xinfo: 0,
    dbId: 0,
    tsId: 0,
    subxacts: [],
    rels: [],
    stats: [],
    msgs: [],
    twophase_xid: 0,
    twophase_gid: '',
    origin_lsn: 0n,
    origin_timestamp: 0n,
  };
  let o = 8;
  if (info & XLOG_XACT_HAS_INFO) {
    needBytes(d, o + 4, what);
    p.xinfo = u32(d, o);
    o += 4;
  }
  const x = p.xinfo;
  if (x & XACT_XINFO_HAS_DBINFO) {
    needBytes(d, o + 8, what);
    p.dbId = u32(d, o);
    p.tsId = u32(d, o + 4);
    o += 8;
  }
  if (x & XACT_XINFO_HAS_SUBXACTS) {
    const n = count(d, o, 4, what);
    p.subxacts = xidArray(d, o + 4, n);
    o += 4 + n * 4;
  }
  if (x & XACT_XINFO_HAS_RELFILENODES) {
    const n = count(d, o, 12, what);
    p.rels = relArray(d, o + 4, n);
    o += 4 + n * 12;
  }
  if (profile.major >= 15 && x & XACT_XINFO_HAS_DROPPED_STATS) {
    const n = count(d, o, 12, what);
    p.stats = statsArray(d, o + 4, n);
    o += 4 + n * 12;
  }
  if (isCommit && x & XACT_XINFO_HAS_INVALS) {
    const n = count(d, o, 16, what);
    p.msgs = decodeInvalidationMessages(d, o + 4, n, what);
    o += 4 + n * 16;
  }
  if (x & XACT_XINFO_HAS_TWOPHASE) {
    needBytes(d, o + 4, what);
    p.twophase_xid = u32(d, o);
    o += 4;
    if (x & XACT_XINFO_HAS_GID) {
      let end = o;
      while (end < d.length && d[end] !== 0) end++;
      p.twophase_gid = cstringAt(d, o, end - o);
      o = end + 1;
    }
  }
  if (x & XACT_XINFO_HAS_ORIGIN) {
    needBytes(d, o + 16, what);
    p.origin_lsn = u64(d, o);
    p.origin_timestamp = i64(d, o + 8);
  }
  return p;
}

function maxalign(n: number): number {
  // Arithmetic, not `& ~7`: counts from the record can make n exceed 32 bits.
  return Math.ceil(n / 8) * 8;
}

/** ParsePrepareRecord: xl_xact_prepare is 64 bytes in 14 and 72 from 15 (stats counts). */
export function parsePrepare(d: Uint8Array, profile: PgVersionProfile): XactParsedPrepare {
  const v15 = profile.major >= 15;
  const size = v15 ? 72 : 64;
  needBytes(d, size, 'xl_xact_prepare');
  const nsubxacts = Math.max(0, i32(d, 28));
  const ncommitrels = Math.max(0, i32(d, 32));
  const nabortrels = Math.max(0, i32(d, 36));
  const ncommitstats = v15 ? Math.max(0, i32(d, 40)) : 0;
  const nabortstats = v15 ? Math.max(0, i32(d, 44)) : 0;
  const ninvalmsgs = Math.max(0, i32(d, v15 ? 48 : 40));
  const initfileinval = u8(d, v15 ? 52 : 44) !== 0;
  const gidlen = u16(d, v15 ? 54 : 46);
  const originAt = v15 ? 56 : 48;
  let o = size;
  needBytes(d, o + maxalign(gidlen), 'xl_xact_prepare');
  const gid = cstringAt(d, o, gidlen);
  o += maxalign(gidlen);
  needBytes(d, o + maxalign(nsubxacts * 4), 'xl_xact_prepare');
  const subxacts = xidArray(d, o, nsubxacts);
  o += maxalign(nsubxacts * 4);
  needBytes(d, o + maxalign(ncommitrels * 12), 'xl_xact_prepare');
  const commitRels = relArray(d, o, ncommitrels);
  o += maxalign(ncommitrels * 12);
  needBytes(d, o + maxalign(nabortrels * 12), 'xl_xact_prepare');
  const abortRels = relArray(d, o, nabortrels);
  o += maxalign(nabortrels * 12);
  needBytes(d, o + maxalign(ncommitstats * 12), 'xl_xact_prepare');
  const commitStats = statsArray(d, o, ncommitstats);
  o += maxalign(ncommitstats * 12);
  needBytes(d, o + maxalign(nabortstats * 12), 'xl_xact_prepare');
  const abortStats = statsArray(d, o, nabortstats);
  o += maxalign(nabortstats * 12);
  const msgs = decodeInvalidationMessages(d, o, ninvalmsgs, 'xl_xact_prepare');
  return {
    xid: u32(d, 8),
    database: u32(d, 12),
    prepared_at: i64(d, 16),
    owner: u32(d, 24),
    initfileinval,
    gid,
    subxacts,
    commitRels,
    abortRels,
    commitStats,
    abortStats,
    msgs,
    origin_lsn: u64(d, originAt),
    origin_timestamp: i64(d, originAt + 8),
  };
}

export function decodeXact(record: DecodedRecord, profile: PgVersionProfile): XactBody {
  const d = record.mainData;
  const info = record.info;
  switch (info & XLOG_XACT_OPMASK) {
    case XLOG_XACT_COMMIT:
      return { type: 'COMMIT', parsed: parseXactCompletion(info, d, profile, true), origin: record.origin };
    case XLOG_XACT_COMMIT_PREPARED:
      return { type: 'COMMIT_PREPARED', parsed: parseXactCompletion(info, d, profile, true), origin: record.origin };
    case XLOG_XACT_ABORT:
      return { type: 'ABORT', parsed: parseXactCompletion(info, d, profile, false), origin: record.origin };
    case XLOG_XACT_ABORT_PREPARED:
      return { type: 'ABORT_PREPARED', parsed: parseXactCompletion(info, d, profile, false), origin: record.origin };
    case XLOG_XACT_PREPARE:
      return { type: 'PREPARE', parsed: parsePrepare(d, profile), origin: record.origin };
    case XLOG_XACT_ASSIGNMENT: {
      needBytes(d, 8, 'xl_xact_assignment');
      const n = Math.max(0, i32(d, 4));
      needBytes(d, 8 + n * 4, 'xl_xact_assignment');
      return { type: 'ASSIGNMENT', xtop: u32(d, 0), xsub: xidArray(d, 8, n) };
    }
    case XLOG_XACT_INVALIDATIONS: {
      const n = count(d, 0, 16, 'xl_xact_invals');
      return { type: 'INVALIDATION', msgs: decodeInvalidationMessages(d, 4, n, 'xl_xact_invals') };
    }
    default:
      return { type: 'UNKNOWN' };
  }
}

function relations(label: string, rels: readonly RelFileLocatorValue[], profile: PgVersionProfile): string {
  if (rels.length === 0) return '';
  let s = `; ${label}:`;
  for (const r of rels) s += ` ${relpathperm(r.spcOid, r.dbOid, r.relNumber, 0, profile)}`;
  return s;
}

function subxactList(xids: readonly number[]): string {
  if (xids.length === 0) return '';
  return `; subxacts: ${xids.join(' ')}`;
}

function droppedStats(label: string, items: readonly XactStatsItem[]): string {
  if (items.length === 0) return '';
  let s = `; ${label}dropped stats:`;
  for (const it of items) s += ` ${it.kind}/${it.dboid}/${it.objoid}`;
  return s;
}

function originText(origin: number, lsn: bigint, ts: bigint, options: DescribeOptions): string {
  return `; origin: node ${origin}, lsn ${lsnText(lsn)}, at ${timestamptzToStr(ts, options)}`;
}

export function formatXact(body: XactBody, profile: PgVersionProfile, options: DescribeOptions = DEFAULT_DESCRIBE_OPTIONS): string {
  switch (body.type) {
    case 'COMMIT':
    case 'COMMIT_PREPARED': {
      const p = body.parsed;
      let s = p.twophase_xid !== 0 ? `${p.twophase_xid}: ` : '';
      s += timestamptzToStr(p.xact_time, options);
      s += relations('rels', p.rels, profile);
      s += subxactList(p.subxacts);
      if (profile.major >= 15) s += droppedStats('', p.stats);
      s += describeInvalidations(p.msgs, p.dbId, p.tsId, (p.xinfo & XACT_COMPLETION_UPDATE_RELCACHE_FILE) !== 0);
      if (profile.major >= 15 && p.xinfo & XACT_COMPLETION_APPLY_FEEDBACK) s += '; apply_feedback';
      if (p.xinfo & XACT_COMPLETION_FORCE_SYNC_COMMIT) s += '; sync';
      if (p.xinfo & XACT_XINFO_HAS_ORIGIN) s += originText(body.origin, p.origin_lsn, p.origin_timestamp, options);
      return s;
    }
    case 'ABORT':
    case 'ABORT_PREPARED': {
      const p = body.parsed;
      let s = p.twophase_xid !== 0 ? `${p.twophase_xid}: ` : '';
      s += timestamptzToStr(p.xact_time, options);
      s += relations('rels', p.rels, profile);
      s += subxactList(p.subxacts);
      if (profile.major >= 15) {
        if (p.xinfo & XACT_XINFO_HAS_ORIGIN) s += originText(body.origin, p.origin_lsn, p.origin_timestamp, options);
        s += droppedStats('', p.stats);
      }
      return s;
    }
    case 'PREPARE': {
      const p = body.parsed;
      let s = `gid ${p.gid}: ${timestamptzToStr(p.prepared_at, options)}`;
      s += relations('rels(commit)', p.commitRels, profile);
      s += relations('rels(abort)', p.abortRels, profile);
      if (profile.major >= 15) {
        s += droppedStats('commit ', p.commitStats);
        s += droppedStats('abort ', p.abortStats);
      }
      s += subxactList(p.subxacts);
      s += describeInvalidations(p.msgs, p.database, 0, p.initfileinval);
      if (profile.major >= 15 && body.origin !== 0) s += originText(body.origin, p.origin_lsn, p.origin_timestamp, options);
      return s;
    }
    case 'ASSIGNMENT':
      return `xtop ${body.xtop}: subxacts:${body.xsub.length > 0 ? ` ${body.xsub.join(' ')}` : ''}`;
    case 'INVALIDATION':
      return describeInvalidations(body.msgs, 0, 0, false);
    default:
      return '';
  }
}

export const xactRmgr: RmgrDescriptor<XactBody> & {
  describeWith(record: DecodedRecord, profile: PgVersionProfile, options: DescribeOptions): string;
} = {
  id: RM_XACT_ID,
  name: 'Transaction',
  identify: (info) => NAMES[info & XLOG_XACT_OPMASK],
  decode: (record, profile) => decodeXact(record, profile),
  describe: (record, profile) => formatXact(decodeXact(record, profile), profile),
  describeWith: (record, profile, options) => formatXact(decodeXact(record, profile), profile, options),
};
