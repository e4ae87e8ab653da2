/**
 * A decoded WAL record (access/xlogreader.h DecodedXLogRecord, access/xlogrecord.h): the
 * fixed XLogRecord header, its block references, and zero-copy views of block data and main
 * data. This is the contract between the WAL decoder (common/wal/decoder) and everything that
 * interprets records (rmgr body decoders, descriptions, waldump, the explorer).
 */
import type { Lsn } from '../core/lsn.js';

export type ImageCompression = 'none' | 'pglz' | 'lz4' | 'zstd';

export interface BlockImage {
  /** bimg_info as stored (version-specific bit meanings). */
  readonly bimgInfo: number;
  /** Stored image length (compressed length when compressed). */
  readonly length: number;
  readonly holeOffset: number;
  readonly holeLength: number;
  readonly compression: ImageCompression;
  /** BKPIMAGE_APPLY: replay restores the page from the image. */
  readonly apply: boolean;
  /** Zero-copy view of the stored (possibly compressed) image bytes. */
  readonly bytes: Uint8Array;
}

export interface BlockReference {
  /** Block id 0..XLR_MAX_BLOCK_ID. */
  readonly id: number;
  /** fork_flags byte as stored. */
  readonly forkFlags: number;
  /** Fork number (0 main, 1 fsm, 2 vm, 3 init). */
  readonly fork: number;
  readonly hasImage: boolean;
  readonly hasData: boolean;
  readonly willInit: boolean;
  readonly sameRel: boolean;
  readonly spcOid: number;
  readonly dbOid: number;
  readonly relNumber: number;
  readonly blockNumber: number;
  /** Zero-copy view of the block's data (empty when !hasData). */
  readonly data: Uint8Array;
  readonly image: BlockImage | null;
}

export interface DecodedRecord {
  /** LSN of the record's first byte (ReadRecPtr). */
  readonly lsn: Lsn;
  /** LSN just past the record (EndRecPtr): MAXALIGNed end, or the next segment after XLOG_SWITCH. */
  readonly endLsn: Lsn;
  /** xl_prev. */
  readonly prevLsn: Lsn;
  readonly xid: number;
  readonly rmid: number;
  /** xl_info, including the XLR_INFO_MASK bits. */
  readonly info: number;
  readonly totalLength: number;
  readonly crc: number;
  /** XLR_BLOCK_ID_ORIGIN value, or 0 (InvalidRepOriginId). */
  readonly origin: number;
  /** XLR_BLOCK_ID_TOPLEVEL_XID value, or 0 (InvalidTransactionId). */
  readonly toplevelXid: number;
  /** Blocks in id order (ids may have gaps; see `maxBlockId`). */
  readonly blocks: readonly BlockReference[];
  /** Zero-copy view of the main data. */
  readonly mainData: Uint8Array;
  /**
   * The whole record (header + body) contiguous; a view into the input when the record did
   * not cross a page boundary, otherwise an assembled copy.
   */
  readonly raw: Uint8Array;
}
