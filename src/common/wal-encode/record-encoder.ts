/**
 * XLogRecordAssemble (access/transam/xloginsert.c) for records given as plain values: the
 * XLogRecord header (access/xlogrecord.h), XLogRecordBlockHeader per block reference with its
 * XLogRecordBlockImageHeader / XLogRecordBlockCompressHeader, RelFileNode (RelFileLocator in
 * 16) unless BKPBLOCK_SAME_REL, the block number, then XLR_BLOCK_ID_ORIGIN,
 * XLR_BLOCK_ID_TOPLEVEL_XID and the main-data header; payload = each block's image then its
 * data, main data last; xl_crc = CRC-32C over the payload and headers, then over the first 20
 * bytes of XLogRecord.
 *
 * Full-page images are built as the server builds them: the hole is pd_lower..pd_upper of a
 * standard page (24 ≤ pd_lower < pd_upper ≤ BLCKSZ), pglz compression is kept only when it
 * saves more than the compress header it needs (XLogCompressBackupBlock), and the bimg_info
 * bits come from the version profile (14 and 15+ differ).
 */
import {
  BKPBLOCK_HAS_DATA,
  BKPBLOCK_HAS_IMAGE,
  BKPBLOCK_SAME_REL,
  BKPBLOCK_WILL_INIT,
  RM_MAX_CUSTOM_ID,
  RM_MIN_CUSTOM_ID,
  SizeOfPageHeaderData,
  SizeOfXLogRecord,
  XLogRecordMaxSize,
  XLR_BLOCK_ID_DATA_LONG,
  XLR_BLOCK_ID_DATA_SHORT,
  XLR_BLOCK_ID_ORIGIN,
  XLR_BLOCK_ID_TOPLEVEL_XID,
  XLR_MAX_BLOCK_ID,
} from '../constants.js';
import { CRC32C_INIT, crc32cFinish, crc32cUpdate } from '../core/crc32c.js';
import { PgFormatError } from '../core/errors.js';
import type { PgVersionProfile } from '../profile.js';
import { pglzCompress } from './pglz-compress.js';

/** A page to store as a full-page image; the encoder picks the hole and compression. */
export interface PageImageInput {
  /** The BLCKSZ-byte page. */
  readonly page: Uint8Array;
  /**
   * 'standard' (default): hole = pd_lower..pd_upper when valid (REGBUF_STANDARD);
   * 'none': keep the whole page; or an explicit hole (its bytes are dropped, replay zeroes them).
   */
  readonly hole?: 'standard' | 'none' | { readonly offset: number; readonly length: number };
  /** 'none' (default) or 'pglz' (kept only when it pays, like the server). */
  readonly compression?: 'none' | 'pglz';
  /** BKPIMAGE_APPLY (default true). */
  readonly apply?: boolean;
}

/** An image stored exactly as given (e.g. lz4/zstd made elsewhere, or deliberately odd bytes). */
export interface StoredImageInput {
  readonly stored: Uint8Array;
  /** bimg_info as stored (the profile's bit meanings). */
  readonly bimgInfo: number;
  readonly holeOffset: number;
  /** Written as XLogRecordBlockCompressHeader when the image is compressed and has a hole. */
  readonly holeLength: number;
}

export type ImageInput = PageImageInput | StoredImageInput;

export interface BlockInput {
  /** Block id 0..XLR_MAX_BLOCK_ID, strictly increasing within a record. */
  readonly id: number;
  /** Fork number (default 0, main). */
  readonly fork?: number;
  readonly spcOid: number;
  readonly dbOid: number;
  readonly relNumber: number;
  readonly blockNumber: number;
  readonly willInit?: boolean;
  /**
   * BKPBLOCK_SAME_REL. Default: set when the previous block names the same relation (as
   * XLogRecordAssemble does). true demands it (error if not the same), false never sets it.
   */
  readonly sameRel?: boolean;
  /** Block data (at most 65535 bytes); HAS_DATA is set when non-empty. */
  readonly data?: Uint8Array;
  readonly image?: ImageInput;
}

export interface RecordInput {
  readonly rmid: number;
  /** xl_info: the rmgr's high nibble plus XLR_SPECIAL_REL_UPDATE / XLR_CHECK_CONSISTENCY. */
  readonly info: number;
  readonly xid?: number;
  readonly blocks?: readonly BlockInput[];
  readonly mainData?: Uint8Array;
  /** Replication origin; 0 (InvalidRepOriginId, default) writes none. */
  readonly origin?: number;
  /** Top-level xid of a subtransaction; 0 (default) writes none. */
  readonly toplevelXid?: number;
}

/** The image a block will carry, resolved: what the decoder will see. */
export interface EncodedImage {
  readonly bimgInfo: number;
  readonly holeOffset: number;
  readonly holeLength: number;
  readonly compression: 'none' | 'pglz' | 'lz4' | 'zstd';
  readonly apply: boolean;
  readonly stored: Uint8Array;
}

function u16(b: Uint8Array, i: number): number {
  return (b[i] as number) | ((b[i + 1] as number) << 8);
}

function bad(message: string): PgFormatError {
  return new PgFormatError('BAD_ARGUMENT', message);
}

/** The hole XLogRecordAssemble uses for a standard page: [offset, length], or [0, 0]. */
export function standardPageHole(page: Uint8Array, blcksz = 8192): [number, number] {
  if (page.length < SizeOfPageHeaderData) return [0, 0];
  const lower = u16(page, 12);
  const upper = u16(page, 14);
  if (lower >= SizeOfPageHeaderData && upper > lower && upper <= blcksz) return [lower, upper - lower];
  return [0, 0];
}

function isStored(image: ImageInput): image is StoredImageInput {
  return (image as StoredImageInput).stored !== undefined;
}

/** Builds the stored form of a block image (hole elimination, optional pglz) for `profile`. */
export function encodeBlockImage(profile: PgVersionProfile, image: ImageInput): EncodedImage {
  const bits = profile.bkpImage;
  const BLCKSZ = profile.BLCKSZ;
  if (isStored(image)) {
    const info = image.bimgInfo;
    const compression =
      (info & bits.COMPRESS_PGLZ) !== 0
        ? 'pglz'
        : bits.COMPRESS_LZ4 !== 0 && (info & bits.COMPRESS_LZ4) !== 0
          ? 'lz4'
          : bits.COMPRESS_ZSTD !== 0 && (info & bits.COMPRESS_ZSTD) !== 0
            ? 'zstd'
            : 'none';
    if (image.stored.length > 0xffff) throw bad(`block image length ${image.stored.length} does not fit in uint16`);
    return {
      bimgInfo: info,
      holeOffset: image.holeOffset,
      holeLength: image.holeLength,
      compression,
      apply: (info & bits.APPLY) !== 0,
      stored: image.stored,
    };
  }
  const page = image.page;
  if (page.length !== BLCKSZ) throw bad(`block image must be ${BLCKSZ} bytes, got ${page.length}`);
  let holeOffset = 0;
  let holeLength = 0;
  const hole = image.hole ?? 'standard';
  if (hole === 'standard') {
    [holeOffset, holeLength] = standardPageHole(page, BLCKSZ);
  } else if (hole !== 'none') {
    holeOffset = hole.offset;
    holeLength = hole.length;
    if (holeLength < 0 || holeOffset < 0 || holeOffset + holeLength > BLCKSZ || (holeLength > 0 && holeOffset === 0)) {
      throw bad(`invalid hole offset ${holeOffset} length ${holeLength}`);
    }
    if (holeLength === 0) holeOffset = 0;
  }
  const apply = image.apply ?? true;
  let source: Uint8Array;
  if (holeLength === 0) {
    source = page;
  } else {
    source = new Uint8Array(BLCKSZ - holeLength);
    source.set(page.subarray(0, holeOffset), 0);
    source.set(page.subarray(holeOffset + holeLength), holeOffset);
  }
  let bimgInfo = (holeLength === 0 ? 0 : bits.HAS_HOLE) | (apply ? bits.APPLY : 0);
  let compression: EncodedImage['compression'] = 'none';
  let stored = source;
  if ((image.compression ?? 'none') === 'pglz') {
    const compressed = pglzCompress(source);
    const extra = holeLength !== 0 ? 2 : 0;
    if (compressed !== null && compressed.length + extra < source.length) {
      stored = compressed;
      compression = 'pglz';
      bimgInfo |= bits.COMPRESS_PGLZ;
    }
  }
  return { bimgInfo, holeOffset, holeLength, compression, apply, stored };
}

/** A record's body laid out, before the header (xl_prev) is known. */
export interface AssembledRecord {
  /** The whole record; bytes 8..16 (xl_prev) and 20..24 (xl_crc) are filled by `finishRecord`. */
  readonly bytes: Uint8Array;
  /** The images as the decoder will report them, by block position. */
  readonly images: readonly (EncodedImage | null)[];
  /** BKPBLOCK_SAME_REL as written, by block position. */
  readonly sameRel: readonly boolean[];
}

/** XLogRecordAssemble: lays out `input` (xl_prev and xl_crc still zero). */
export function assembleRecord(profile: PgVersionProfile, input: RecordInput): AssembledRecord {
  const rmid = input.rmid;
  if (!Number.isInteger(rmid) || rmid < 0 || rmid > 255) throw bad(`invalid resource manager ID ${rmid}`);
  if (!(rmid <= profile.RM_MAX_BUILTIN_ID || (profile.customRmgrs && rmid >= RM_MIN_CUSTOM_ID && rmid <= RM_MAX_CUSTOM_ID))) {
    throw bad(`invalid resource manager ID ${rmid} for PostgreSQL ${profile.major}`);
  }
  if (!Number.isInteger(input.info) || input.info < 0 || input.info > 255) throw bad(`invalid xl_info ${input.info}`);
  const blocks = input.blocks ?? [];
  const images: (EncodedImage | null)[] = [];
  const sameRels: boolean[] = [];
  // Header part and payload parts, in order.
  let headerLen = 0;
  let payloadLen = 0;
  let lastId = -1;
  let prev: BlockInput | null = null;
  for (const b of blocks) {
    if (!Number.isInteger(b.id) || b.id < 0 || b.id > XLR_MAX_BLOCK_ID) throw bad(`invalid block_id ${b.id}`);
    if (b.id <= lastId) throw bad(`out-of-order block_id ${b.id}`);
    lastId = b.id;
    const fork = b.fork ?? 0;
    if (!Number.isInteger(fork) || fork < 0 || fork > 15) throw bad(`invalid fork number ${fork}`);
    const dataLen = b.data?.length ?? 0;
    if (dataLen > 0xffff) throw bad(`block data length ${dataLen} does not fit in uint16`);
    const image = b.image === undefined ? null : encodeBlockImage(profile, b.image);
    images.push(image);
    const same = prev !== null && prev.spcOid === b.spcOid && prev.dbOid === b.dbOid && prev.relNumber === b.relNumber;
    if (b.sameRel === true && !same)
      throw bad(`BKPBLOCK_SAME_REL requested for block ${b.id} but the previous block names another relation`);
    const sameRel = b.sameRel ?? same;
    sameRels.push(sameRel);
    headerLen += 4;
    if (image !== null) {
      headerLen += 5;
      if (image.compression !== 'none' && (image.bimgInfo & profile.bkpImage.HAS_HOLE) !== 0) headerLen += 2;
      payloadLen += image.stored.length;
    }
    if (!sameRel) headerLen += 12;
    headerLen += 4;
    payloadLen += dataLen;
    prev = b;
  }
  const origin = input.origin ?? 0;
  const topXid = input.toplevelXid ?? 0;
  if (origin !== 0) headerLen += 3;
  if (topXid !== 0) headerLen += 5;
  const mainLen = input.mainData?.length ?? 0;
  if (mainLen > 0) headerLen += mainLen > 255 ? 5 : 2;
  payloadLen += mainLen;
  const total = SizeOfXLogRecord + headerLen + payloadLen;
  if (total > XLogRecordMaxSize) throw bad(`record length ${total} exceeds XLogRecordMaxSize`);

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, total, true);
  view.setUint32(4, (input.xid ?? 0) >>> 0, true);
  out[16] = input.info;
  out[17] = rmid;
  let h = SizeOfXLogRecord;
  let p = SizeOfXLogRecord + headerLen;
  blocks.forEach((b, i) => {
    const image = images[i] as EncodedImage | null;
    const data = b.data ?? new Uint8Array(0);
    let flags = b.fork ?? 0;
    if (image !== null) flags |= BKPBLOCK_HAS_IMAGE;
    if (data.length > 0) flags |= BKPBLOCK_HAS_DATA;
    if (b.willInit === true) flags |= BKPBLOCK_WILL_INIT;
    if (sameRels[i] === true) flags |= BKPBLOCK_SAME_REL;
    out[h] = b.id;
    out[h + 1] = flags;
    view.setUint16(h + 2, data.length, true);
    h += 4;
    if (image !== null) {
      view.setUint16(h, image.stored.length, true);
      view.setUint16(h + 2, image.holeOffset, true);
      out[h + 4] = image.bimgInfo;
      h += 5;
      if (image.compression !== 'none' && (image.bimgInfo & profile.bkpImage.HAS_HOLE) !== 0) {
        view.setUint16(h, image.holeLength, true);
        h += 2;
      }
      out.set(image.stored, p);
      p += image.stored.length;
    }
    if (sameRels[i] !== true) {
      view.setUint32(h, b.spcOid >>> 0, true);
      view.setUint32(h + 4, b.dbOid >>> 0, true);
      view.setUint32(h + 8, b.relNumber >>> 0, true);
      h += 12;
    }
    view.setUint32(h, b.blockNumber >>> 0, true);
    h += 4;
    out.set(data, p);
    p += data.length;
  });
  if (origin !== 0) {
    out[h] = XLR_BLOCK_ID_ORIGIN;
    view.setUint16(h + 1, origin, true);
    h += 3;
  }
  if (topXid !== 0) {
    out[h] = XLR_BLOCK_ID_TOPLEVEL_XID;
    view.setUint32(h + 1, topXid >>> 0, true);
    h += 5;
  }
  if (mainLen > 0) {
    if (mainLen > 255) {
      out[h] = XLR_BLOCK_ID_DATA_LONG;
      view.setUint32(h + 1, mainLen, true);
      h += 5;
    } else {
      out[h] = XLR_BLOCK_ID_DATA_SHORT;
      out[h + 1] = mainLen;
      h += 2;
    }
    out.set(input.mainData as Uint8Array, p);
  }
  return { bytes: out, images, sameRel: sameRels };
}

/** Sets xl_prev and computes xl_crc of an assembled record (in place); returns the CRC. */
export function finishRecord(record: Uint8Array, prevLsn: bigint): number {
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  view.setBigUint64(8, BigInt.asUintN(64, prevLsn), true);
  let c = crc32cUpdate(CRC32C_INIT, record, SizeOfXLogRecord, record.length);
  c = crc32cUpdate(c, record, 0, 20);
  const crc = crc32cFinish(c);
  view.setUint32(20, crc, true);
  return crc;
}

/** A complete record (header, body, CRC) for `input` with xl_prev = `prevLsn`. */
export function encodeRecord(profile: PgVersionProfile, input: RecordInput, prevLsn: bigint): Uint8Array {
  const { bytes } = assembleRecord(profile, input);
  finishRecord(bytes, prevLsn);
  return bytes;
}

/** The xl_tot_len of a record with no blocks, origin or top-level xid and `mainLen` bytes of main data. */
export function totalLengthForMainData(mainLen: number): number {
  return SizeOfXLogRecord + (mainLen === 0 ? 0 : mainLen > 255 ? 5 : 2) + mainLen;
}

/**
 * The main-data length giving a record with no blocks a total length of exactly `total`, or
 * -1 when no length does (27..281 and 285.. are reachable, plus 24 with no data).
 */
export function mainDataLengthForTotal(total: number): number {
  if (total === SizeOfXLogRecord) return 0;
  const short = total - SizeOfXLogRecord - 2;
  if (short >= 1 && short <= 255) return short;
  const long = total - SizeOfXLogRecord - 5;
  if (long > 255) return long;
  return -1;
}
