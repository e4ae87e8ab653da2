/**
 * The BRIN resource manager (RM_BRIN_ID 17): records of access/brin_xlog.h (xl_brin_createidx,
 * xl_brin_insert, xl_brin_update, xl_brin_samepage_update, xl_brin_revmap_extend,
 * xl_brin_desummarize), decoded into typed bodies and described exactly as brin_desc /
 * brin_identify (rmgrdesc/brindesc.c); the text is the same in 14, 15 and 16.
 */
import {
  RM_BRIN_ID,
  XLOG_BRIN_CREATE_INDEX,
  XLOG_BRIN_DESUMMARIZE,
  XLOG_BRIN_INIT_PAGE,
  XLOG_BRIN_INSERT,
  XLOG_BRIN_OPMASK,
  XLOG_BRIN_REVMAP_EXTEND,
  XLOG_BRIN_SAMEPAGE_UPDATE,
  XLOG_BRIN_UPDATE,
} from '../constants.js';
import type { PgVersionProfile } from '../profile.js';
import type { DecodedRecord } from '../wal/record.js';
import { mainData, offsetsByMajor, offsetsFor, type RecordLabel } from './am-util.js';
import type { RmgrDescriptor } from './types.js';

/** Record struct offsets (access/brin_xlog.h), the same in 14–16. */
export const brinOffsets = offsetsByMajor(
  {
    xl_brin_createidx: { pagesPerRange: 0, version: 4 },
    xl_brin_insert: { heapBlk: 0, pagesPerRange: 4, offnum: 8 },
    xl_brin_update: { oldOffnum: 0, insert: 4 },
    xl_brin_samepage_update: { offnum: 0 },
    xl_brin_revmap_extend: { targetBlk: 0 },
    xl_brin_desummarize: { pagesPerRange: 0, heapBlk: 4, regOffset: 8 },
  },
  {},
  {},
);

export type BrinBody =
  | { kind: 'create_index'; pagesPerRange: number; version: number }
  | { kind: 'insert'; init: boolean; heapBlk: number; pagesPerRange: number; offnum: number }
  | { kind: 'update'; init: boolean; oldOffnum: number; heapBlk: number; pagesPerRange: number; offnum: number }
  | { kind: 'samepage_update'; offnum: number }
  | { kind: 'revmap_extend'; targetBlk: number }
  | { kind: 'desummarize'; pagesPerRange: number; heapBlk: number; regOffset: number }
  | { kind: 'unknown'; info: number };

const IDENTIFY: Readonly<Record<number, string>> = {
  [XLOG_BRIN_CREATE_INDEX]: 'CREATE_INDEX',
  [XLOG_BRIN_INSERT]: 'INSERT',
  [XLOG_BRIN_INSERT | XLOG_BRIN_INIT_PAGE]: 'INSERT+INIT',
  [XLOG_BRIN_UPDATE]: 'UPDATE',
  [XLOG_BRIN_UPDATE | XLOG_BRIN_INIT_PAGE]: 'UPDATE+INIT',
  [XLOG_BRIN_SAMEPAGE_UPDATE]: 'SAMEPAGE_UPDATE',
  [XLOG_BRIN_REVMAP_EXTEND]: 'REVMAP_EXTEND',
  [XLOG_BRIN_DESUMMARIZE]: 'DESUMMARIZE',
};
const LABEL: RecordLabel = { rmgr: 'BRIN', names: IDENTIFY };

export function decodeBrinRecord(record: DecodedRecord, profile: PgVersionProfile): BrinBody {
  const info = record.info & 0xf0;
  const init = (info & XLOG_BRIN_INIT_PAGE) !== 0;
  const L = offsetsFor(profile, brinOffsets);
  const d = mainData(record, LABEL);
  switch (info & XLOG_BRIN_OPMASK) {
    case XLOG_BRIN_CREATE_INDEX: {
      const o = L.xl_brin_createidx!;
      return { kind: 'create_index', pagesPerRange: d.u32(o.pagesPerRange!), version: d.u16(o.version!) };
    }
    case XLOG_BRIN_INSERT: {
      const o = L.xl_brin_insert!;
      return { kind: 'insert', init, heapBlk: d.u32(o.heapBlk!), pagesPerRange: d.u32(o.pagesPerRange!), offnum: d.u16(o.offnum!) };
    }
    case XLOG_BRIN_UPDATE: {
      const o = L.xl_brin_update!;
      const ins = L.xl_brin_insert!;
      const base = o.insert!;
      return {
        kind: 'update',
        init,
        oldOffnum: d.u16(o.oldOffnum!),
        heapBlk: d.u32(base + ins.heapBlk!),
        pagesPerRange: d.u32(base + ins.pagesPerRange!),
        offnum: d.u16(base + ins.offnum!),
      };
    }
    case XLOG_BRIN_SAMEPAGE_UPDATE:
      return { kind: 'samepage_update', offnum: d.u16(L.xl_brin_samepage_update!.offnum!) };
    case XLOG_BRIN_REVMAP_EXTEND:
      return { kind: 'revmap_extend', targetBlk: d.u32(L.xl_brin_revmap_extend!.targetBlk!) };
    case XLOG_BRIN_DESUMMARIZE: {
      const o = L.xl_brin_desummarize!;
      return { kind: 'desummarize', pagesPerRange: d.u32(o.pagesPerRange!), heapBlk: d.u32(o.heapBlk!), regOffset: d.u16(o.regOffset!) };
    }
    default:
      return { kind: 'unknown', info };
  }
}

function describeBrin(b: BrinBody): string {
  switch (b.kind) {
    case 'create_index':
      return `v${b.version} pagesPerRange ${b.pagesPerRange}`;
    case 'insert':
      return `heapBlk ${b.heapBlk} pagesPerRange ${b.pagesPerRange} offnum ${b.offnum}`;
    case 'update':
      return `heapBlk ${b.heapBlk} pagesPerRange ${b.pagesPerRange} old offnum ${b.oldOffnum}, new offnum ${b.offnum}`;
    case 'samepage_update':
      return `offnum ${b.offnum}`;
    case 'revmap_extend':
      return `targetBlk ${b.targetBlk}`;
    case 'desummarize':
      return `pagesPerRange ${b.pagesPerRange}, heapBlk ${b.heapBlk}, page offset ${b.regOffset}`;
    case 'unknown':
      return '';
  }
}

export const brinRmgr: RmgrDescriptor<BrinBody> = {
  id: RM_BRIN_ID,
  name: 'BRIN',
  identify: (info) => IDENTIFY[info & 0xf0],
  decode: decodeBrinRecord,
  describe: (record, profile) => describeBrin(decodeBrinRecord(record, profile)),
};
