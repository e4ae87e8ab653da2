/**
 * The Sequence resource manager (RM_SEQ_ID 15): the XLOG_SEQ_LOG record of commands/sequence.h
 * (xl_seq_rec: the relation, then the sequence's heap tuple with FormData_pg_sequence_data),
 * decoded into a typed body and described exactly as seq_desc / seq_identify
 * (rmgrdesc/seqdesc.c); the text is the same in 14, 15 and 16.
 */
import { RM_SEQ_ID, XLOG_SEQ_LOG } from '../constants.js';
import type { PgVersionProfile } from '../profile.js';
import type { DecodedRecord } from '../wal/record.js';
import { mainData, offsetsByMajor, offsetsFor, type RecordLabel } from './am-util.js';
import type { RmgrDescriptor } from './types.js';

/** Struct offsets (commands/sequence.h; HeapTupleHeaderData.t_hoff of access/htup_details.h). */
export const sequenceOffsets = offsetsByMajor(
  {
    FormData_pg_sequence_data: { last_value: 0, log_cnt: 8, is_called: 16 },
    HeapTupleHeaderData: { t_hoff: 22 },
  },
  { xl_seq_rec: { node: 0 } },
  { xl_seq_rec: { locator: 0 } },
);
/** sizeof(xl_seq_rec): the tuple follows the RelFileNode/RelFileLocator. */
const SIZE_OF_XL_SEQ_REC = 12;

export type SequenceBody =
  | {
      kind: 'log';
      spcOid: number;
      dbOid: number;
      relNumber: number;
      /** The logged sequence tuple (header and data), a view into the record. */
      tuple: Uint8Array;
      last_value: bigint;
      log_cnt: bigint;
      is_called: boolean;
    }
  | { kind: 'unknown'; info: number };

const LABEL: RecordLabel = { rmgr: 'Sequence', names: { [XLOG_SEQ_LOG]: 'LOG' } };

export function decodeSequenceRecord(record: DecodedRecord, profile: PgVersionProfile): SequenceBody {
  const info = record.info & 0xf0;
  if (info !== XLOG_SEQ_LOG) return { kind: 'unknown', info };
  const L = offsetsFor(profile, sequenceOffsets);
  const d = mainData(record, LABEL);
  const loc = L.xl_seq_rec!.locator ?? L.xl_seq_rec!.node!;
  const data = SIZE_OF_XL_SEQ_REC + d.u8(SIZE_OF_XL_SEQ_REC + L.HeapTupleHeaderData!.t_hoff!);
  const o = L.FormData_pg_sequence_data!;
  return {
    kind: 'log',
    spcOid: d.u32(loc),
    dbOid: d.u32(loc + 4),
    relNumber: d.u32(loc + 8),
    tuple: d.view(SIZE_OF_XL_SEQ_REC, d.length - SIZE_OF_XL_SEQ_REC),
    last_value: BigInt.asIntN(64, d.u64(data + o.last_value!)),
    log_cnt: BigInt.asIntN(64, d.u64(data + o.log_cnt!)),
    is_called: d.bool(data + o.is_called!),
  };
}

export const sequenceRmgr: RmgrDescriptor<SequenceBody> = {
  id: RM_SEQ_ID,
  name: 'Sequence',
  identify: (info) => ((info & 0xf0) === XLOG_SEQ_LOG ? 'LOG' : undefined),
  decode: decodeSequenceRecord,
  describe(record, profile) {
    const b = decodeSequenceRecord(record, profile);
    return b.kind === 'log' ? `rel ${b.spcOid}/${b.dbOid}/${b.relNumber}` : '';
  },
};
