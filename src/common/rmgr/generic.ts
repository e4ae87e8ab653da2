/**
 * The Generic resource manager (RM_GENERIC_ID 20, access/generic_xlog.h): page deltas written
 * by GenericXLogFinish (used by contrib/bloom and other extensions). Each registered block's
 * data is a run of fragments {OffsetNumber offset, OffsetNumber length, bytes}. The typed body
 * decodes the fragments of every block; the description is generic_desc
 * (rmgrdesc/genericdesc.c), which walks the same fragment format in the main data (generic
 * records carry none, so the text is normally empty), the same in 14, 15 and 16.
 */
import { RM_GENERIC_ID } from '../constants.js';
import type { DecodedRecord } from '../wal/record.js';
import { type RecordLabel, RecordPart } from './am-util.js';
import type { RmgrDescriptor } from './types.js';

const LABEL: RecordLabel = { rmgr: 'Generic', names: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [i << 4, 'Generic'])) };

export interface GenericFragment {
  offset: number;
  length: number;
  /** The bytes written at `offset`, a view into the record. */
  data: Uint8Array;
}
export interface GenericBlockDelta {
  blockId: number;
  /** Null when the block is a full-page image or carries no delta. */
  fragments: GenericFragment[] | null;
}
export interface GenericBody {
  kind: 'generic';
  blocks: GenericBlockDelta[];
  /** Fragments in the main data (what generic_desc prints; normally none). */
  mainFragments: GenericFragment[];
}

function decodeFragments(p: RecordPart): GenericFragment[] {
  const out: GenericFragment[] = [];
  let at = 0;
  while (at < p.length) {
    const offset = p.u16(at);
    const length = p.u16(at + 2);
    out.push({ offset, length, data: p.view(at + 4, length) });
    at += 4 + length;
  }
  return out;
}

export function decodeGenericRecord(record: DecodedRecord): GenericBody {
  const blocks: GenericBlockDelta[] = [];
  for (const b of record.blocks) {
    blocks.push({
      blockId: b.id,
      fragments: b.hasData ? decodeFragments(new RecordPart(record, b.data, LABEL, b.id)) : null,
    });
  }
  return { kind: 'generic', blocks, mainFragments: decodeFragments(new RecordPart(record, record.mainData, LABEL)) };
}

/** generic_desc: "offset %u, length %u" per main-data fragment, joined by "; ". */
function describeGeneric(record: DecodedRecord): string {
  const p = new RecordPart(record, record.mainData, LABEL);
  let s = '';
  let at = 0;
  while (at < p.length) {
    const offset = p.u16(at);
    const length = p.u16(at + 2);
    at += 4 + length;
    s += at < p.length ? `offset ${offset}, length ${length}; ` : `offset ${offset}, length ${length}`;
  }
  return s;
}

export const genericRmgr: RmgrDescriptor<GenericBody> = {
  id: RM_GENERIC_ID,
  name: 'Generic',
  identify: () => 'Generic',
  decode: decodeGenericRecord,
  describe: describeGeneric,
};
