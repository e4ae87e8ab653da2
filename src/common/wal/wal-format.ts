/**
 * Byte offsets of the WAL headers the reader parses (access/xlog_internal.h XLogPageHeaderData
 * and XLogLongPageHeaderData, access/xlogrecord.h XLogRecord and the block/image/data
 * headers), identical in PostgreSQL 14, 15 and 16 (test/wal/layouts.test.ts checks them), and
 * the reader's messages as xlogreader.c words them in each version.
 *
 *  XLogPageHeaderData (24)            XLogLongPageHeaderData (40)     XLogRecord (24)
 *   0 xlp_magic     u16                 0 std (24 bytes)                0 xl_tot_len u32
 *   2 xlp_info      u16                24 xlp_sysid      u64            4 xl_xid     u32
 *   4 xlp_tli       u32                32 xlp_seg_size   u32            8 xl_prev    u64
 *   8 xlp_pageaddr  u64                36 xlp_xlog_blcksz u32          16 xl_info    u8
 *  16 xlp_rem_len   u32                                                17 xl_rmid    u8
 *  20 (padding)                                                        18 (padding 2)
 *                                                                      20 xl_crc     u32
 */
import { formatLsn } from '../core/lsn.js';
import type { PgMajor } from '../core/version.js';

export const XLP_MAGIC_OFFSET = 0;
export const XLP_INFO_OFFSET = 2;
export const XLP_TLI_OFFSET = 4;
export const XLP_PAGEADDR_OFFSET = 8;
export const XLP_REM_LEN_OFFSET = 16;
export const XLP_SYSID_OFFSET = 24;
export const XLP_SEG_SIZE_OFFSET = 32;
export const XLP_XLOG_BLCKSZ_OFFSET = 36;

export const XL_TOT_LEN_OFFSET = 0;
export const XL_XID_OFFSET = 4;
export const XL_PREV_OFFSET = 8;
export const XL_INFO_OFFSET = 16;
export const XL_RMID_OFFSET = 17;
export const XL_CRC_OFFSET = 20;

const TWO_32 = 0x1_0000_0000;

/** "%X/%X" of an LSN held as a number (exact below 2^53). */
export function lsnText(lsn: number | bigint): string {
  if (typeof lsn === 'bigint') return formatLsn(lsn);
  const hi = Math.floor(lsn / TWO_32);
  const lo = lsn - hi * TWO_32;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * The messages of xlogreader.c that differ between versions. 14/15 name the segment file
 * ("in log segment %s, offset %u"); 16 adds the LSN ("in WAL segment %s, LSN %X/%X, offset %u").
 */
export interface WalMessages {
  invalidRecordLength(lsn: number, got: number): string;
  invalidRecordOffset(lsn: number, expected: number, got: number): string;
  pageHeader(what: string, fileName: string, pageLsn: number, offset: number): string;
  invalidMagic(magic: number, fileName: string, pageLsn: number, offset: number): string;
  invalidInfoBits(info: number, fileName: string, pageLsn: number, offset: number): string;
  unexpectedPageaddr(pageaddr: number | bigint, fileName: string, pageLsn: number, offset: number): string;
  outOfSequenceTimeline(tli: number, after: number, fileName: string, pageLsn: number, offset: number): string;
  /** "BKPIMAGE_IS_COMPRESSED" (14) or "BKPIMAGE_COMPRESSED" (15+). */
  readonly compressedFlagName: string;
  /** Decompression failure while restoring a full-page image. */
  imageDecompress(lsn: number, blockId: number): string;
}

export function walMessages(major: PgMajor): WalMessages {
  const v16 = major >= 16;
  const pageHeader = (what: string, fileName: string, pageLsn: number, offset: number): string =>
    v16
      ? `${what} in WAL segment ${fileName}, LSN ${lsnText(pageLsn)}, offset ${offset}`
      : `${what} in log segment ${fileName}, offset ${offset}`;
  return {
    invalidRecordLength: (lsn, got) =>
      v16
        ? `invalid record length at ${lsnText(lsn)}: expected at least 24, got ${got}`
        : `invalid record length at ${lsnText(lsn)}: wanted 24, got ${got}`,
    invalidRecordOffset: (lsn, expected, got) =>
      v16
        ? `invalid record offset at ${lsnText(lsn)}: expected at least ${expected}, got ${got}`
        : `invalid record offset at ${lsnText(lsn)}`,
    pageHeader,
    invalidMagic: (magic, f, p, o) => pageHeader(`invalid magic number ${hex4(magic)}`, f, p, o),
    invalidInfoBits: (info, f, p, o) => pageHeader(`invalid info bits ${hex4(info)}`, f, p, o),
    unexpectedPageaddr: (addr, f, p, o) => pageHeader(`unexpected pageaddr ${lsnText(addr)}`, f, p, o),
    outOfSequenceTimeline: (tli, after, f, p, o) => pageHeader(`out-of-sequence timeline ID ${tli} (after ${after})`, f, p, o),
    compressedFlagName: major === 14 ? 'BKPIMAGE_IS_COMPRESSED' : 'BKPIMAGE_COMPRESSED',
    imageDecompress: (lsn, blockId) =>
      major === 14
        ? `invalid compressed image at ${lsnText(lsn)}, block ${blockId}`
        : `could not decompress image at ${lsnText(lsn)}, block ${blockId}`,
  };
}
