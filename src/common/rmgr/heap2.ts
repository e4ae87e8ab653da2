/**
 * The Heap2 resource manager (RM_HEAP2_ID 9): records of access/heapam_xlog.h (xl_heap_prune,
 * xl_heap_vacuum, xl_heap_freeze_page with xl_heap_freeze_tuple (14, 15) or
 * xl_heap_freeze_plan (16), xl_heap_visible, xl_heap_multi_insert, xl_heap_lock_updated,
 * xl_heap_new_cid, xl_heap_rewrite_mapping), decoded into typed bodies and described exactly as
 * heap2_desc / heap2_identify (rmgrdesc/heapdesc.c) of the record's major version.
 */
import {
  RM_HEAP2_ID,
  XLOG_HEAP_INIT_PAGE,
  XLOG_HEAP_OPMASK,
  XLOG_HEAP2_FREEZE_PAGE,
  XLOG_HEAP2_LOCK_UPDATED,
  XLOG_HEAP2_MULTI_INSERT,
  XLOG_HEAP2_NEW_CID,
  XLOG_HEAP2_PRUNE,
  XLOG_HEAP2_REWRITE,
  XLOG_HEAP2_VACUUM,
  XLOG_HEAP2_VISIBLE,
} from '../constants.js';
import type { PgVersionProfile } from '../profile.js';
import type { DecodedRecord } from '../wal/record.js';
import {
  arrayDesc,
  badRecord,
  blockData,
  hasBlockData,
  hex2,
  mainData,
  offsetsByMajor,
  offsetsFor,
  type RecordLabel,
  type RecordPart,
} from './am-util.js';
import { infobitsClassic, infobitsKeyed } from './heap.js';
import type { RmgrDescriptor } from './types.js';

/**
 * Record struct offsets per major version (access/heapam_xlog.h). 16 renamed
 * latestRemovedXid/cutoff_xid to snapshotConflictHorizon, added isCatalogRel to xl_heap_prune
 * and xl_heap_freeze_page, and replaced xl_heap_freeze_tuple by xl_heap_freeze_plan.
 */
export const heap2Offsets = offsetsByMajor(
  {
    xl_heap_vacuum: { nunused: 0 },
    xl_heap_multi_insert: { flags: 0, ntuples: 2, offsets: 4 },
    xl_multi_insert_tuple: { datalen: 0, t_infomask2: 2, t_infomask: 4, t_hoff: 6 },
    xl_heap_lock_updated: { xmax: 0, offnum: 4, infobits_set: 6, flags: 7 },
    xl_heap_new_cid: { top_xid: 0, cmin: 4, cmax: 8, combocid: 12, target_tid: 28 },
    xl_heap_rewrite_mapping: { mapped_xid: 0, mapped_db: 4, mapped_rel: 8, offset: 16, num_mappings: 24, start_lsn: 32 },
  },
  {
    xl_heap_prune: { latestRemovedXid: 0, nredirected: 4, ndead: 6 },
    xl_heap_freeze_page: { cutoff_xid: 0, ntuples: 4 },
    xl_heap_freeze_tuple: { xmax: 0, offset: 4, t_infomask2: 6, t_infomask: 8, frzflags: 10 },
    xl_heap_visible: { cutoff_xid: 0, flags: 4 },
    xl_heap_new_cid: { top_xid: 0, cmin: 4, cmax: 8, combocid: 12, target_node: 16, target_tid: 28 },
  },
  {
    xl_heap_prune: { snapshotConflictHorizon: 0, nredirected: 4, ndead: 6, isCatalogRel: 8 },
    xl_heap_freeze_page: { snapshotConflictHorizon: 0, nplans: 4, isCatalogRel: 6 },
    xl_heap_freeze_plan: { xmax: 0, t_infomask2: 4, t_infomask: 6, frzflags: 8, ntuples: 10 },
    xl_heap_visible: { snapshotConflictHorizon: 0, flags: 4 },
    xl_heap_new_cid: { top_xid: 0, cmin: 4, cmax: 8, combocid: 12, target_locator: 16, target_tid: 28 },
  },
);
/** sizeof(xl_heap_freeze_tuple) (14, 15) and sizeof(xl_heap_freeze_plan) (16). */
const FREEZE_ENTRY_SIZE = 12;

export interface HeapRewrite {
  kind: 'rewrite';
  mapped_xid: number;
  mapped_db: number;
  mapped_rel: number;
  offset: bigint;
  num_mappings: number;
  start_lsn: bigint;
}
export interface HeapPrune {
  kind: 'prune';
  /** latestRemovedXid before 16. */
  snapshotConflictHorizon: number;
  nredirected: number;
  ndead: number;
  /** 16 only. */
  isCatalogRel?: boolean;
  /** From block 0's data; null when the record carries none (a full-page image replaced it). */
  redirected: Array<[from: number, to: number]> | null;
  nowdead: number[] | null;
  nowunused: number[] | null;
}
export interface HeapVacuum {
  kind: 'vacuum';
  nunused: number;
  /** From block 0's data, or null. */
  nowunused: number[] | null;
}
export interface HeapFreezeTuple {
  xmax: number;
  offset: number;
  t_infomask2: number;
  t_infomask: number;
  frzflags: number;
}
export interface HeapFreezePlan {
  xmax: number;
  t_infomask2: number;
  t_infomask: number;
  frzflags: number;
  ntuples: number;
  offsets: number[];
}
export interface HeapFreezePage {
  kind: 'freeze_page';
  /** cutoff_xid before 16. */
  snapshotConflictHorizon: number;
  /** 14, 15: one xl_heap_freeze_tuple per tuple; 16: freeze plans sharing offset arrays. */
  format: 'tuples' | 'plans';
  /** ntuples (14, 15) or nplans (16). */
  count: number;
  /** 16 only. */
  isCatalogRel?: boolean;
  /** 14, 15: block 0's xl_heap_freeze_tuple array, or null when the block has no data. */
  tuples: HeapFreezeTuple[] | null;
  /** 16: block 0's xl_heap_freeze_plan array with each plan's offsets, or null. */
  plans: HeapFreezePlan[] | null;
}
export interface HeapVisible {
  kind: 'visible';
  /** cutoff_xid before 16. */
  snapshotConflictHorizon: number;
  flags: number;
}
/** One tuple of a MULTI_INSERT (xl_multi_insert_tuple and its data). */
export interface HeapMultiInsertTuple {
  /** Line pointer the tuple goes to (offsets[i], or i + 1 on an initialized page). */
  offnum: number;
  t_infomask2: number;
  t_infomask: number;
  t_hoff: number;
  /** Bytes after the fixed tuple header (bitmap, padding, attributes), a view into the record. */
  data: Uint8Array;
}
export interface HeapMultiInsert {
  kind: 'multi_insert';
  init: boolean;
  flags: number;
  ntuples: number;
  /** Offsets from the main data; null for +INIT records, which omit them. */
  offsets: number[] | null;
  /** The tuples from block 0's data; null when a full-page image replaced it. */
  tuples: HeapMultiInsertTuple[] | null;
}
export interface HeapLockUpdated {
  kind: 'lock_updated';
  xmax: number;
  offnum: number;
  infobits_set: number;
  flags: number;
}
export interface HeapNewCid {
  kind: 'new_cid';
  top_xid: number;
  cmin: number;
  cmax: number;
  combocid: number;
  spcOid: number;
  dbOid: number;
  relNumber: number;
  blockNumber: number;
  offsetNumber: number;
}
export type Heap2Body =
  | HeapRewrite
  | HeapPrune
  | HeapVacuum
  | HeapFreezePage
  | HeapVisible
  | HeapMultiInsert
  | HeapLockUpdated
  | HeapNewCid;

const IDENTIFY: Readonly<Record<number, string>> = {
  [XLOG_HEAP2_PRUNE]: 'PRUNE',
  [XLOG_HEAP2_VACUUM]: 'VACUUM',
  [XLOG_HEAP2_FREEZE_PAGE]: 'FREEZE_PAGE',
  [XLOG_HEAP2_VISIBLE]: 'VISIBLE',
  [XLOG_HEAP2_MULTI_INSERT]: 'MULTI_INSERT',
  [XLOG_HEAP2_MULTI_INSERT | XLOG_HEAP_INIT_PAGE]: 'MULTI_INSERT+INIT',
  [XLOG_HEAP2_LOCK_UPDATED]: 'LOCK_UPDATED',
  [XLOG_HEAP2_NEW_CID]: 'NEW_CID',
  [XLOG_HEAP2_REWRITE]: 'REWRITE',
};
const LABEL: RecordLabel = { rmgr: 'Heap2', names: IDENTIFY };

function decodePrune(record: DecodedRecord, profile: PgVersionProfile, d: RecordPart, what: RecordLabel): HeapPrune {
  const o = offsetsFor(profile, heap2Offsets).xl_heap_prune!;
  const nredirected = d.u16(o.nredirected!);
  const ndead = d.u16(o.ndead!);
  const body: HeapPrune = {
    kind: 'prune',
    snapshotConflictHorizon: d.u32(o.snapshotConflictHorizon ?? o.latestRemovedXid!),
    nredirected,
    ndead,
    redirected: null,
    nowdead: null,
    nowunused: null,
  };
  if (o.isCatalogRel !== undefined) body.isCatalogRel = d.bool(o.isCatalogRel);
  const bd = blockData(record, 0, what);
  if (bd !== null) {
    const fixed = (nredirected * 2 + ndead) * 2;
    if (fixed > bd.length || bd.length % 2 !== 0) {
      throw badRecord(
        record,
        what,
        `block 0 data has ${bd.length} bytes, not ${nredirected} redirected and ${ndead} dead offsets plus unused ones`,
      );
    }
    const pairs = bd.u16Array(0, nredirected * 2);
    body.redirected = new Array(nredirected);
    for (let i = 0; i < nredirected; i++) body.redirected[i] = [pairs[2 * i] as number, pairs[2 * i + 1] as number];
    body.nowdead = bd.u16Array(nredirected * 4, ndead);
    body.nowunused = bd.u16Array(fixed, (bd.length - fixed) / 2);
  }
  return body;
}

function decodeFreeze(record: DecodedRecord, profile: PgVersionProfile, d: RecordPart, what: RecordLabel): HeapFreezePage {
  const L = offsetsFor(profile, heap2Offsets);
  const o = L.xl_heap_freeze_page!;
  const bd = blockData(record, 0, what);
  if (o.nplans === undefined) {
    const count = d.u16(o.ntuples!);
    let tuples: HeapFreezeTuple[] | null = null;
    if (bd !== null) {
      const t = L.xl_heap_freeze_tuple!;
      bd.need(0, count * FREEZE_ENTRY_SIZE);
      tuples = new Array(count);
      for (let i = 0; i < count; i++) {
        const at = i * FREEZE_ENTRY_SIZE;
        tuples[i] = {
          xmax: bd.u32(at + t.xmax!),
          offset: bd.u16(at + t.offset!),
          t_infomask2: bd.u16(at + t.t_infomask2!),
          t_infomask: bd.u16(at + t.t_infomask!),
          frzflags: bd.u8(at + t.frzflags!),
        };
      }
    }
    return { kind: 'freeze_page', snapshotConflictHorizon: d.u32(o.cutoff_xid!), format: 'tuples', count, tuples, plans: null };
  }
  const count = d.u16(o.nplans);
  let plans: HeapFreezePlan[] | null = null;
  if (bd !== null) {
    const p = L.xl_heap_freeze_plan!;
    bd.need(0, count * FREEZE_ENTRY_SIZE);
    plans = new Array(count);
    let next = count * FREEZE_ENTRY_SIZE;
    for (let i = 0; i < count; i++) {
      const at = i * FREEZE_ENTRY_SIZE;
      const ntuples = bd.u16(at + p.ntuples!);
      plans[i] = {
        xmax: bd.u32(at + p.xmax!),
        t_infomask2: bd.u16(at + p.t_infomask2!),
        t_infomask: bd.u16(at + p.t_infomask!),
        frzflags: bd.u8(at + p.frzflags!),
        ntuples,
        offsets: bd.u16Array(next, ntuples),
      };
      next += ntuples * 2;
    }
  }
  return {
    kind: 'freeze_page',
    snapshotConflictHorizon: d.u32(o.snapshotConflictHorizon!),
    format: 'plans',
    count,
    isCatalogRel: d.bool(o.isCatalogRel!),
    tuples: null,
    plans,
  };
}

export function decodeHeap2Record(record: DecodedRecord, profile: PgVersionProfile): Heap2Body {
  const info = record.info & 0xf0;
  const L = offsetsFor(profile, heap2Offsets);
  const what = LABEL;
  const d = mainData(record, what);
  switch (info & XLOG_HEAP_OPMASK) {
    case XLOG_HEAP2_REWRITE: {
      const o = L.xl_heap_rewrite_mapping!;
      return {
        kind: 'rewrite',
        mapped_xid: d.u32(o.mapped_xid!),
        mapped_db: d.u32(o.mapped_db!),
        mapped_rel: d.u32(o.mapped_rel!),
        offset: BigInt.asIntN(64, d.u64(o.offset!)),
        num_mappings: d.u32(o.num_mappings!),
        start_lsn: d.u64(o.start_lsn!),
      };
    }
    case XLOG_HEAP2_PRUNE:
      return decodePrune(record, profile, d, what);
    case XLOG_HEAP2_VACUUM: {
      const nunused = d.u16(L.xl_heap_vacuum!.nunused!);
      const bd = blockData(record, 0, what);
      return { kind: 'vacuum', nunused, nowunused: bd === null ? null : bd.u16Array(0, nunused) };
    }
    case XLOG_HEAP2_FREEZE_PAGE:
      return decodeFreeze(record, profile, d, what);
    case XLOG_HEAP2_VISIBLE: {
      const o = L.xl_heap_visible!;
      return { kind: 'visible', snapshotConflictHorizon: d.u32(o.snapshotConflictHorizon ?? o.cutoff_xid!), flags: d.u8(o.flags!) };
    }
    case XLOG_HEAP2_MULTI_INSERT: {
      const o = L.xl_heap_multi_insert!;
      const init = (info & XLOG_HEAP_INIT_PAGE) !== 0;
      const ntuples = d.u16(o.ntuples!);
      const offsets = init ? null : d.u16Array(o.offsets!, ntuples);
      const bd = blockData(record, 0, what);
      let tuples: HeapMultiInsertTuple[] | null = null;
      if (bd !== null) {
        const t = L.xl_multi_insert_tuple!;
        const size = t.t_hoff! + 1;
        tuples = [];
        let at = 0;
        for (let i = 0; i < ntuples; i++) {
          at += at & 1;
          const datalen = bd.u16(at + t.datalen!);
          tuples.push({
            offnum: offsets === null ? i + 1 : (offsets[i] as number),
            t_infomask2: bd.u16(at + t.t_infomask2!),
            t_infomask: bd.u16(at + t.t_infomask!),
            t_hoff: bd.u8(at + t.t_hoff!),
            data: bd.view(at + size, datalen),
          });
          at += size + datalen;
        }
      }
      return { kind: 'multi_insert', init, flags: d.u8(o.flags!), ntuples, offsets, tuples };
    }
    case XLOG_HEAP2_LOCK_UPDATED: {
      const o = L.xl_heap_lock_updated!;
      return {
        kind: 'lock_updated',
        xmax: d.u32(o.xmax!),
        offnum: d.u16(o.offnum!),
        infobits_set: d.u8(o.infobits_set!),
        flags: d.u8(o.flags!),
      };
    }
    default: {
      const o = L.xl_heap_new_cid!;
      const loc = o.target_locator ?? o.target_node!;
      const tid = o.target_tid!;
      return {
        kind: 'new_cid',
        top_xid: d.u32(o.top_xid!),
        cmin: d.u32(o.cmin!),
        cmax: d.u32(o.cmax!),
        combocid: d.u32(o.combocid!),
        spcOid: d.u32(loc),
        dbOid: d.u32(loc + 4),
        relNumber: d.u32(loc + 8),
        blockNumber: ((d.u16(tid) << 16) | d.u16(tid + 2)) >>> 0,
        offsetNumber: d.u16(tid + 4),
      };
    }
  }
}

function describeClassic(b: Heap2Body): string {
  switch (b.kind) {
    case 'prune':
      return `latestRemovedXid ${b.snapshotConflictHorizon} nredirected ${b.nredirected} ndead ${b.ndead}`;
    case 'vacuum':
      return `nunused ${b.nunused}`;
    case 'freeze_page':
      return `cutoff xid ${b.snapshotConflictHorizon} ntuples ${b.count}`;
    case 'visible':
      return `cutoff xid ${b.snapshotConflictHorizon} flags ${hex2(b.flags)}`;
    case 'multi_insert':
      return `${b.ntuples} tuples flags ${hex2(b.flags)}`;
    case 'lock_updated':
      return `off ${b.offnum}: xmax ${b.xmax}: flags ${hex2(b.flags)} ${infobitsClassic(b.infobits_set)}`;
    case 'new_cid':
      return `rel ${b.spcOid}/${b.dbOid}/${b.relNumber}; tid ${b.blockNumber}/${b.offsetNumber}; cmin: ${b.cmin}, cmax: ${b.cmax}, combo: ${b.combocid}`;
    case 'rewrite':
      return '';
  }
}

function describeKeyed(b: Heap2Body, record: DecodedRecord): string {
  switch (b.kind) {
    case 'prune': {
      let s = `snapshotConflictHorizon: ${b.snapshotConflictHorizon}, nredirected: ${b.nredirected}, ndead: ${b.ndead}`;
      if (b.redirected !== null && b.nowdead !== null && b.nowunused !== null) {
        s += `, nunused: ${b.nowunused.length}, redirected:${arrayDesc(b.redirected, ([f, t]) => `${f}->${t}`)}`;
        s += `, dead:${arrayDesc(b.nowdead)}, unused:${arrayDesc(b.nowunused)}`;
      }
      return s;
    }
    case 'vacuum':
      return `nunused: ${b.nunused}${b.nowunused === null ? '' : `, unused:${arrayDesc(b.nowunused)}`}`;
    case 'freeze_page': {
      let s = `snapshotConflictHorizon: ${b.snapshotConflictHorizon}, nplans: ${b.count}`;
      if (b.plans !== null) {
        s += `, plans:${arrayDesc(
          b.plans,
          (p) =>
            `{ xmax: ${p.xmax}, infomask: ${p.t_infomask}, infomask2: ${p.t_infomask2}, ntuples: ${p.ntuples}, offsets:${arrayDesc(p.offsets)} }`,
        )}`;
      }
      return s;
    }
    case 'visible':
      return `snapshotConflictHorizon: ${b.snapshotConflictHorizon}, flags: ${hex2(b.flags)}`;
    case 'multi_insert': {
      const s = `ntuples: ${b.ntuples}, flags: ${hex2(b.flags)}`;
      return b.offsets !== null && hasBlockData(record, 0) ? `${s}, offsets:${arrayDesc(b.offsets)}` : s;
    }
    case 'lock_updated':
      return `xmax: ${b.xmax}, off: ${b.offnum}, ${infobitsKeyed(b.infobits_set, 'infobits')}, flags: ${hex2(b.flags)}`;
    case 'new_cid':
      return `rel: ${b.spcOid}/${b.dbOid}/${b.relNumber}, tid: ${b.blockNumber}/${b.offsetNumber}, cmin: ${b.cmin}, cmax: ${b.cmax}, combo: ${b.combocid}`;
    case 'rewrite':
      return '';
  }
}

export const heap2Rmgr: RmgrDescriptor<Heap2Body> = {
  id: RM_HEAP2_ID,
  name: 'Heap2',
  identify: (info) => IDENTIFY[info & 0xf0],
  decode: decodeHeap2Record,
  describe(record, profile) {
    const body = decodeHeap2Record(record, profile);
    return profile.major >= 16 ? describeKeyed(body, record) : describeClassic(body);
  },
};
