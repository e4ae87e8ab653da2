/**
 * The header offsets the WAL reader uses (src/common/wal/wal-format.ts and the SizeOf*
 * constants) equal the layouts codegen read from each version's headers
 * (profile.layouts: XLogPageHeaderData, XLogLongPageHeaderData, XLogRecord, block headers).
 */
import { describe, expect, it } from 'vitest';
import * as C from '../../src/common/constants.js';
import { offsetOf, type StructLayout } from '../../src/common/layout.js';
import * as F from '../../src/common/wal/wal-format.js';
import { profileFor } from '../../src/index.js';

const fieldEnd = (layout: StructLayout, name: string): number => {
  const f = layout.fields.find((x) => x.name === name);
  if (f === undefined) throw new Error(`${layout.name} has no ${name}`);
  return f.offset + f.size;
};

describe.each([14, 15, 16] as const)('WAL header offsets, PostgreSQL %i', (major) => {
  const L = profileFor(major).layouts;
  const get = (name: string): StructLayout => {
    const l = L[name];
    if (l === undefined) throw new Error(`no generated layout ${name}`);
    return l;
  };

  it('page headers', () => {
    const short = get('XLogPageHeaderData');
    const long = get('XLogLongPageHeaderData');
    expect([F.XLP_MAGIC_OFFSET, F.XLP_INFO_OFFSET, F.XLP_TLI_OFFSET, F.XLP_PAGEADDR_OFFSET, F.XLP_REM_LEN_OFFSET]).toEqual(
      ['xlp_magic', 'xlp_info', 'xlp_tli', 'xlp_pageaddr', 'xlp_rem_len'].map((f) => offsetOf(short, f)),
    );
    expect([F.XLP_SYSID_OFFSET, F.XLP_SEG_SIZE_OFFSET, F.XLP_XLOG_BLCKSZ_OFFSET]).toEqual(
      ['xlp_sysid', 'xlp_seg_size', 'xlp_xlog_blcksz'].map((f) => offsetOf(long, f)),
    );
    expect(C.SizeOfXLogShortPHD).toBe(short.size); // MAXALIGN(sizeof(XLogPageHeaderData))
    expect(C.SizeOfXLogLongPHD).toBe(long.size);
  });

  it('XLogRecord', () => {
    const rec = get('XLogRecord');
    expect([F.XL_TOT_LEN_OFFSET, F.XL_XID_OFFSET, F.XL_PREV_OFFSET, F.XL_INFO_OFFSET, F.XL_RMID_OFFSET, F.XL_CRC_OFFSET]).toEqual(
      ['xl_tot_len', 'xl_xid', 'xl_prev', 'xl_info', 'xl_rmid', 'xl_crc'].map((f) => offsetOf(rec, f)),
    );
    expect(C.SizeOfXLogRecord).toBe(fieldEnd(rec, 'xl_crc')); // offsetof(XLogRecord, xl_crc) + sizeof(pg_crc32c)
  });

  it('block, image, compress and data headers (stored unpadded)', () => {
    expect(C.SizeOfXLogRecordBlockHeader).toBe(fieldEnd(get('XLogRecordBlockHeader'), 'data_length'));
    expect(C.SizeOfXLogRecordBlockImageHeader).toBe(fieldEnd(get('XLogRecordBlockImageHeader'), 'bimg_info'));
    expect(C.SizeOfXLogRecordBlockCompressHeader).toBe(get('XLogRecordBlockCompressHeader').size);
    expect(C.SizeOfXLogRecordDataHeaderShort).toBe(get('XLogRecordDataHeaderShort').size);
    expect(C.SizeOfXLogRecordDataHeaderLong).toBe(1 + 4); // sizeof(uint8) + sizeof(uint32), unaligned
    expect(offsetOf(get('XLogRecordBlockImageHeader'), 'hole_offset')).toBe(2);
    const rel = L.RelFileLocator ?? L.RelFileNode;
    expect(rel?.size).toBe(12);
  });
});
