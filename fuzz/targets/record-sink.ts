/**
 * Everything a reader does with one decoded WAL record: rm_identify, rm_desc (both timestamp
 * styles), the typed body, block-reference text, pg_waldump's line and JSON, statistics, and
 * full-page-image restoration. Fuzz targets push every record they obtain through here, and
 * split records into fields for structure-aware mutation (access/xlogrecord.h).
 */

import type { PgVersionProfile } from '../../src/common/profile.js';
import { blockRefText, decodeBody, describe, fpiLength, recordType, WalStatsAccumulator } from '../../src/common/rmgr/index.js';
import { restoreFullPageImage } from '../../src/common/wal/full-page-image.js';
import type { DecodedRecord } from '../../src/common/wal/record.js';
import { formatRecordLine, recordJson } from '../../src/common/waldump/format.js';
import { ContractViolation } from '../contract.js';
import type { Field } from '../mutate.js';
import { readU16, readU32 } from '../mutate.js';

const SERVER_STYLE = { timestampStyle: 'server', timeZone: 'UTC' } as const;

/** Exercises every consumer of a record; returns a short digest for chunking comparisons. */
export function consumeRecord(record: DecodedRecord, profile: PgVersionProfile, stats?: WalStatsAccumulator): string {
  const type = recordType(record, profile);
  const desc = describe(record, profile);
  describe(record, profile, SERVER_STYLE);
  decodeBody(record, profile);
  blockRefText(record, profile, { detailed: false });
  blockRefText(record, profile, { detailed: true, pretty: true });
  formatRecordLine(record, profile, { bkpDetails: true });
  JSON.stringify(recordJson(record, profile));
  fpiLength(record);
  (stats ?? new WalStatsAccumulator()).add(record);
  for (const b of record.blocks) {
    if (b.image === null) continue;
    const page = restoreFullPageImage(profile, b, record.lsn);
    if (page.length !== profile.BLCKSZ) throw new ContractViolation(`restored image has ${page.length} bytes, not BLCKSZ`);
  }
  return `${record.lsn}:${record.totalLength}:${type}:${desc.length}`;
}

/** Where a record's fields are (offsets relative to the record's first byte). */
export interface RecordFields {
  header: Field[];
  /** Block-header fields: fork_flags, data_length, bimg_len, hole_offset, bimg_info, hole_length, blkno. */
  blockHeaders: Field[];
  /** Offset of the main-data length field (1 or 4 bytes) and the main data's [start, end). */
  mainLenField: Field | null;
  mainData: [number, number];
  /** Each block's payload (image + data) ranges. */
  payloads: [number, number][];
}

const XLR_BLOCK_ID_DATA_SHORT = 255;
const XLR_BLOCK_ID_DATA_LONG = 254;
const XLR_BLOCK_ID_ORIGIN = 253;
const XLR_BLOCK_ID_TOPLEVEL_XID = 252;
const BKPBLOCK_HAS_IMAGE = 0x10;
const BKPBLOCK_SAME_REL = 0x80;

/** Parses the layout of a well-formed record (raw bytes); null when it does not parse. */
export function recordFields(raw: Uint8Array, compressMask: number, hasHoleBit: number): RecordFields | null {
  const total = raw.length;
  const header: Field[] = [
    { off: 0, size: 4, hints: [total - 1, total + 1, 24, 23] },
    { off: 4, size: 4 },
    { off: 8, size: 4 },
    { off: 16, size: 1 },
    { off: 17, size: 1, hints: [0, 21, 22, 127, 128, 255] },
  ];
  const blockHeaders: Field[] = [];
  const lens: { image: number; data: number }[] = [];
  let p = 24;
  let mainLenField: Field | null = null;
  let mainLen = 0;
  while (p < total) {
    const id = raw[p] as number;
    if (id === XLR_BLOCK_ID_DATA_SHORT) {
      mainLenField = { off: p + 1, size: 1 };
      mainLen = raw[p + 1] ?? 0;
      p += 2;
      break;
    }
    if (id === XLR_BLOCK_ID_DATA_LONG) {
      mainLenField = { off: p + 1, size: 4 };
      mainLen = readU32(raw, p + 1);
      p += 5;
      break;
    }
    if (id === XLR_BLOCK_ID_ORIGIN) {
      p += 3;
      continue;
    }
    if (id === XLR_BLOCK_ID_TOPLEVEL_XID) {
      p += 5;
      continue;
    }
    if (id > 32) return null;
    blockHeaders.push({ off: p, size: 1, hints: [id + 1, 32, 33, 251] });
    const flags = raw[p + 1] ?? 0;
    const dataLen = readU16(raw, p + 2);
    blockHeaders.push({ off: p + 1, size: 1 }, { off: p + 2, size: 2, hints: [dataLen + 1, dataLen - 1, 0] });
    p += 4;
    let imageLen = 0;
    if ((flags & BKPBLOCK_HAS_IMAGE) !== 0) {
      imageLen = readU16(raw, p);
      const info = raw[p + 4] ?? 0;
      blockHeaders.push(
        { off: p, size: 2, hints: [imageLen + 1, imageLen - 1, 8192, 8193] },
        { off: p + 2, size: 2, hints: [0, 8192, 8191, 24] },
        { off: p + 4, size: 1, hints: [0x01, 0x02, 0x04, 0x08, 0x10, 0x07, 0x1f] },
      );
      p += 5;
      if ((info & compressMask) !== 0 && (info & hasHoleBit) !== 0) {
        blockHeaders.push({ off: p, size: 2, hints: [0, 8192, 8192 - imageLen, 8193 - imageLen] });
        p += 2;
      }
    }
    if ((flags & BKPBLOCK_SAME_REL) === 0) p += 12;
    blockHeaders.push({ off: p, size: 4 });
    p += 4;
    lens.push({ image: imageLen, data: dataLen });
  }
  const payloads: [number, number][] = [];
  for (const l of lens) {
    payloads.push([p, p + l.image + l.data]);
    p += l.image + l.data;
  }
  if (p + mainLen !== total) return null;
  return { header, blockHeaders, mainLenField, mainData: [p, total], payloads };
}
