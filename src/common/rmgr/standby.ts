/**
 * The Standby resource manager (RM_STANDBY_ID 8; storage/standbydefs.h xl_standby_locks,
 * xl_running_xacts, xl_invalidations; storage/sinval.h SharedInvalidationMessage): typed bodies
 * and standbydesc.c's descriptions, including the invalidation-message text that xactdesc.c
 * shares. 16 prints "subxid overflowed" and the subxact list; 14/15 print "subxid ovf".
 */
import { RM_STANDBY_ID, XLOG_INVALIDATIONS, XLOG_RUNNING_XACTS, XLOG_STANDBY_LOCK } from '../constants.js';
import type { PgVersionProfile } from '../profile.js';
import type { DecodedRecord } from '../wal/record.js';
import { i32, needBytes, u8, u32 } from './desc-util.js';
import type { RmgrDescriptor } from './types.js';

const NAMES: Readonly<Record<number, string>> = {
  [XLOG_STANDBY_LOCK]: 'LOCK',
  [XLOG_RUNNING_XACTS]: 'RUNNING_XACTS',
  [XLOG_INVALIDATIONS]: 'INVALIDATIONS',
};

/** SharedInvalidationMessage ids (storage/sinval.h); >= 0 is a catcache id. */
export const SHAREDINVALCATALOG_ID = -1;
export const SHAREDINVALRELCACHE_ID = -2;
export const SHAREDINVALSMGR_ID = -3;
export const SHAREDINVALRELMAP_ID = -4;
export const SHAREDINVALSNAPSHOT_ID = -5;
/** sizeof(SharedInvalidationMessage). */
export const SizeOfSharedInvalidationMessage = 16;

/** One SharedInvalidationMessage, as far as the description needs it. */
export interface SharedInvalidationMessage {
  /** int8 id: catcache id (>= 0) or a SHAREDINVAL*_ID. */
  id: number;
  dbId: number;
  /** catId (catalog), relId (relcache, snapshot), hashValue (catcache), or 0. */
  objectId: number;
}

export function decodeInvalidationMessages(d: Uint8Array, offset: number, nmsgs: number, what: string): SharedInvalidationMessage[] {
  if (nmsgs < 0) nmsgs = 0;
  needBytes(d, offset + nmsgs * SizeOfSharedInvalidationMessage, what);
  const msgs: SharedInvalidationMessage[] = new Array(nmsgs);
  for (let i = 0; i < nmsgs; i++) {
    const o = offset + i * SizeOfSharedInvalidationMessage;
    const id = (u8(d, o) << 24) >> 24;
    msgs[i] = { id, dbId: u32(d, o + 4), objectId: u32(d, o + 8) };
  }
  return msgs;
}

/** standby_desc_invalidations: nothing when there are no messages. */
export function describeInvalidations(
  msgs: readonly SharedInvalidationMessage[],
  dbId: number,
  tsId: number,
  relcacheInitFileInval: boolean,
): string {
  if (msgs.length === 0) return '';
  let s = relcacheInitFileInval ? `; relcache init file inval dbid ${dbId} tsid ${tsId}` : '';
  s += '; inval msgs:';
  for (const m of msgs) {
    if (m.id >= 0) s += ` catcache ${m.id}`;
    else if (m.id === SHAREDINVALCATALOG_ID) s += ` catalog ${m.objectId}`;
    else if (m.id === SHAREDINVALRELCACHE_ID) s += ` relcache ${m.objectId}`;
    else if (m.id === SHAREDINVALSMGR_ID) s += ' smgr';
    else if (m.id === SHAREDINVALRELMAP_ID) s += ` relmap db ${m.dbId}`;
    else if (m.id === SHAREDINVALSNAPSHOT_ID) s += ` snapshot ${m.objectId}`;
    else s += ` unrecognized id ${m.id}`;
  }
  return s;
}

export interface XlStandbyLock {
  xid: number;
  dbOid: number;
  relOid: number;
}

export interface XlRunningXacts {
  xcnt: number;
  subxcnt: number;
  subxid_overflow: boolean;
  nextXid: number;
  oldestRunningXid: number;
  latestCompletedXid: number;
  /** xcnt top-level xids followed by subxcnt subxids. */
  xids: number[];
}

export type StandbyBody =
  | { type: 'LOCK'; locks: XlStandbyLock[] }
  | { type: 'RUNNING_XACTS'; running: XlRunningXacts }
  | {
      type: 'INVALIDATIONS';
      dbId: number;
      tsId: number;
      relcacheInitFileInval: boolean;
      msgs: SharedInvalidationMessage[];
    }
  | { type: 'UNKNOWN' };

export function decodeStandby(record: DecodedRecord): StandbyBody {
  const d = record.mainData;
  switch (record.info & 0xf0) {
    case XLOG_STANDBY_LOCK: {
      needBytes(d, 4, 'xl_standby_locks');
      const n = Math.max(0, i32(d, 0));
      needBytes(d, 4 + n * 12, 'xl_standby_locks');
      const locks: XlStandbyLock[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const o = 4 + i * 12;
        locks[i] = { xid: u32(d, o), dbOid: u32(d, o + 4), relOid: u32(d, o + 8) };
      }
      return { type: 'LOCK', locks };
    }
    case XLOG_RUNNING_XACTS: {
      needBytes(d, 24, 'xl_running_xacts');
      const xcnt = Math.max(0, i32(d, 0));
      const subxcnt = Math.max(0, i32(d, 4));
      needBytes(d, 24 + (xcnt + subxcnt) * 4, 'xl_running_xacts');
      const xids: number[] = new Array(xcnt + subxcnt);
      for (let i = 0; i < xcnt + subxcnt; i++) xids[i] = u32(d, 24 + i * 4);
      return {
        type: 'RUNNING_XACTS',
        running: {
          xcnt,
          subxcnt,
          subxid_overflow: u8(d, 8) !== 0,
          nextXid: u32(d, 12),
          oldestRunningXid: u32(d, 16),
          latestCompletedXid: u32(d, 20),
          xids,
        },
      };
    }
    case XLOG_INVALIDATIONS: {
      needBytes(d, 16, 'xl_invalidations');
      return {
        type: 'INVALIDATIONS',
        dbId: u32(d, 0),
        tsId: u32(d, 4),
        relcacheInitFileInval: u8(d, 8) !== 0,
        msgs: decodeInvalidationMessages(d, 16, i32(d, 12), 'xl_invalidations'),
      };
    }
    default:
      return { type: 'UNKNOWN' };
  }
}

export function formatStandby(body: StandbyBody, profile: PgVersionProfile): string {
  switch (body.type) {
    case 'LOCK': {
      let s = '';
      for (const l of body.locks) s += `xid ${l.xid} db ${l.dbOid} rel ${l.relOid} `;
      return s;
    }
    case 'RUNNING_XACTS': {
      const r = body.running;
      let s = `nextXid ${r.nextXid} latestCompletedXid ${r.latestCompletedXid} oldestRunningXid ${r.oldestRunningXid}`;
      if (r.xcnt > 0) {
        s += `; ${r.xcnt} xacts:`;
        for (let i = 0; i < r.xcnt; i++) s += ` ${r.xids[i]}`;
      }
      if (profile.major >= 16) {
        if (r.subxid_overflow) s += '; subxid overflowed';
        if (r.subxcnt > 0) {
          s += `; ${r.subxcnt} subxacts:`;
          for (let i = 0; i < r.subxcnt; i++) s += ` ${r.xids[r.xcnt + i]}`;
        }
      } else if (r.subxid_overflow) {
        s += '; subxid ovf';
      }
      return s;
    }
    case 'INVALIDATIONS':
      return describeInvalidations(body.msgs, body.dbId, body.tsId, body.relcacheInitFileInval);
    default:
      return '';
  }
}

export const standbyRmgr: RmgrDescriptor<StandbyBody> = {
  id: RM_STANDBY_ID,
  name: 'Standby',
  identify: (info) => NAMES[info & 0xf0],
  decode: (record) => decodeStandby(record),
  describe: (record, profile) => formatStandby(decodeStandby(record), profile),
};
