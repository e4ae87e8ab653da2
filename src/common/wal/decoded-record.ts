/**
 * DecodeXLogRecord (access/transam/xlogreader.c): the block reference headers, origin,
 * top-level xid and main-data header that follow the fixed XLogRecord header
 * (access/xlogrecord.h), turned into a DecodedRecord whose payloads are zero-copy views of
 * the record bytes. Every cross-check xlogreader.c makes is made here, with its wording.
 */
import {
  BKPBLOCK_FORK_MASK,
  BKPBLOCK_HAS_DATA,
  BKPBLOCK_HAS_IMAGE,
  BKPBLOCK_SAME_REL,
  BKPBLOCK_WILL_INIT,
  BLCKSZ,
  SizeOfXLogRecord,
  XLR_BLOCK_ID_DATA_LONG,
  XLR_BLOCK_ID_DATA_SHORT,
  XLR_BLOCK_ID_ORIGIN,
  XLR_BLOCK_ID_TOPLEVEL_XID,
  XLR_MAX_BLOCK_ID,
} from '../constants.js';
import { PgFormatError } from '../core/errors.js';
import type { Lsn } from '../core/lsn.js';
import type { PgVersionProfile } from '../profile.js';
import type { BlockImage, BlockReference, DecodedRecord, ImageCompression } from './record.js';
import { lsnText, type WalMessages } from './wal-format.js';

const TWO_32 = 0x1_0000_0000;

/** One block reference; `data` is a view made on first access. */
export class WalBlockReference implements BlockReference {
  readonly id: number;
  readonly forkFlags: number;
  readonly spcOid: number;
  readonly dbOid: number;
  readonly relNumber: number;
  readonly blockNumber: number;
  readonly image: BlockImage | null;
  /** @internal */ readonly buf: Uint8Array;
  /** @internal */ readonly dataOffset: number;
  readonly dataLength: number;

  constructor(
    id: number,
    forkFlags: number,
    spcOid: number,
    dbOid: number,
    relNumber: number,
    blockNumber: number,
    image: BlockImage | null,
    buf: Uint8Array,
    dataOffset: number,
    dataLength: number,
  ) {
    this.id = id;
    this.forkFlags = forkFlags;
    this.spcOid = spcOid;
    this.dbOid = dbOid;
    this.relNumber = relNumber;
    this.blockNumber = blockNumber;
    this.image = image;
    this.buf = buf;
    this.dataOffset = dataOffset;
    this.dataLength = dataLength;
  }

  get fork(): number {
    return this.forkFlags & BKPBLOCK_FORK_MASK;
  }
  get hasImage(): boolean {
    return (this.forkFlags & BKPBLOCK_HAS_IMAGE) !== 0;
  }
  get hasData(): boolean {
    return (this.forkFlags & BKPBLOCK_HAS_DATA) !== 0;
  }
  get willInit(): boolean {
    return (this.forkFlags & BKPBLOCK_WILL_INIT) !== 0;
  }
  get sameRel(): boolean {
    return (this.forkFlags & BKPBLOCK_SAME_REL) !== 0;
  }
  get data(): Uint8Array {
    return this.buf.subarray(this.dataOffset, this.dataOffset + this.dataLength);
  }
}

/** A block's full-page image; `bytes` is a view made on first access (a subarray of a Node Buffer costs ~1 µs). */
export class WalBlockImage implements BlockImage {
  readonly bimgInfo: number;
  readonly length: number;
  readonly holeOffset: number;
  readonly holeLength: number;
  readonly compression: ImageCompression;
  readonly apply: boolean;
  /** @internal */ readonly buf: Uint8Array;
  /** @internal */ readonly offset: number;

  constructor(
    bimgInfo: number,
    length: number,
    holeOffset: number,
    holeLength: number,
    compression: ImageCompression,
    apply: boolean,
    buf: Uint8Array,
    offset: number,
  ) {
    this.bimgInfo = bimgInfo;
    this.length = length;
    this.holeOffset = holeOffset;
    this.holeLength = holeLength;
    this.compression = compression;
    this.apply = apply;
    this.buf = buf;
    this.offset = offset;
  }

  get bytes(): Uint8Array {
    return this.buf.subarray(this.offset, this.offset + this.length);
  }
}

const NO_BLOCKS: readonly BlockReference[] = Object.freeze([]);

/**
 * A decoded record. LSNs are also kept as numbers (`lsnNumber`, `endLsnNumber`: exact below
 * 2^53) so hot loops can avoid bigint; the bigint getters build their value on demand.
 *
 * Lifetime: the record reads its bytes lazily (`prevLsn`, `blocks` on first access, and the
 * views `raw`, `mainData`, block `data`, image `bytes`). They point into the input chunk when
 * the record lay inside one page of one chunk, otherwise into the decoder's reused assembly
 * buffer, which the next `next()` call may overwrite: use a record before asking for the next
 * one, or keep it with `detachRecord()` (one copy of `raw`).
 */
export class WalRecord implements DecodedRecord {
  readonly lsnNumber: number;
  readonly endLsnNumber: number;
  readonly xid: number;
  readonly rmid: number;
  readonly info: number;
  readonly totalLength: number;
  readonly crc: number;
  readonly origin: number;
  readonly toplevelXid: number;
  /** Number of block references (their headers are decoded and checked; objects are built on first access to `blocks`). */
  readonly blockCount: number;
  /** @internal */ readonly profile: PgVersionProfile;
  /** @internal */ readonly buf: Uint8Array;
  /** @internal */ readonly offset: number;
  readonly mainDataOffset: number;
  readonly mainDataLength: number;
  /** Sum of the block images' lengths (bimg_len; pg_waldump's XLogRecGetLen fpi_len), without building `blocks`. */
  readonly fpiLength: number;

  private materialized: readonly BlockReference[] | null = null;
  /** @internal Which parse of parseRecordHeaders this record came from (see lastParse). */
  readonly parseId: number = parseSerial;

  constructor(
    profile: PgVersionProfile,
    buf: Uint8Array,
    offset: number,
    lsn: number,
    endLsn: number,
    totalLength: number,
    origin: number,
    toplevelXid: number,
    blockCount: number,
    mainDataOffset: number,
    mainDataLength: number,
    fpiLength: number,
  ) {
    this.profile = profile;
    this.buf = buf;
    this.offset = offset;
    this.lsnNumber = lsn;
    this.endLsnNumber = endLsn;
    this.totalLength = totalLength;
    this.xid = u32(buf, offset + 4);
    this.info = buf[offset + 16] as number;
    this.rmid = buf[offset + 17] as number;
    this.crc = u32(buf, offset + 20);
    this.origin = origin;
    this.toplevelXid = toplevelXid;
    this.blockCount = blockCount;
    this.mainDataOffset = mainDataOffset;
    this.mainDataLength = mainDataLength;
    this.fpiLength = fpiLength;
  }

  /** Block references in id order (ids may have gaps). */
  get blocks(): readonly BlockReference[] {
    if (this.materialized === null) this.materialized = this.blockCount === 0 ? NO_BLOCKS : materializeBlocks(this);
    return this.materialized;
  }
  get lsn(): Lsn {
    return BigInt(this.lsnNumber);
  }
  get endLsn(): Lsn {
    return BigInt(this.endLsnNumber);
  }
  get prevLsn(): Lsn {
    return (BigInt(u32(this.buf, this.offset + 12)) << 32n) | BigInt(u32(this.buf, this.offset + 8));
  }
  /** xl_prev as a number (exact below 2^53). */
  get prevLsnNumber(): number {
    return u32(this.buf, this.offset + 12) * TWO_32 + u32(this.buf, this.offset + 8);
  }
  get mainData(): Uint8Array {
    return this.buf.subarray(this.mainDataOffset, this.mainDataOffset + this.mainDataLength);
  }
  get raw(): Uint8Array {
    return this.buf.subarray(this.offset, this.offset + this.totalLength);
  }
}

function u16(b: Uint8Array, i: number): number {
  return (b[i] as number) | ((b[i + 1] as number) << 8);
}

function u32(b: Uint8Array, i: number): number {
  return ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0;
}

/**
 * Parsed block headers of the record being decoded, 11 numbers per block (id, fork_flags,
 * spcOid, dbOid, relNumber, blkno, data_len, bimg_len, hole_offset, hole_length, bimg_info or
 * -1): reused by every call (decoding is synchronous), read back before the call returns.
 * Float64Array because relation OIDs and block numbers are unsigned 32-bit.
 */
const PENDING = new Float64Array((XLR_MAX_BLOCK_ID + 1) * 11);

/** Numbers per block in BLOCK_HEADERS (loadBlockHeaders), and the slot of each field. */
export const BLOCK_HEADER_SLOTS = 11;
export const BH_ID = 0;
export const BH_FORK_FLAGS = 1;
export const BH_SPC_OID = 2;
export const BH_DB_OID = 3;
export const BH_REL_NUMBER = 4;
export const BH_BLKNO = 5;
export const BH_DATA_LEN = 6;
export const BH_BIMG_LEN = 7;
export const BH_HOLE_OFFSET = 8;
export const BH_HOLE_LENGTH = 9;
/** bimg_info, or -1 when the block has no image. */
export const BH_BIMG_INFO = 10;

/**
 * Where loadBlockHeaders puts a record's block headers (the parser's own array: valid until
 * the next loadBlockHeaders, block objects built, or record decoded).
 */
export const BLOCK_HEADERS: Readonly<Float64Array> = PENDING;

/**
 * Puts the block headers of `record` in BLOCK_HEADERS, BLOCK_HEADER_SLOTS numbers per block in
 * id order, without building block objects, and returns how many blocks it has: for code that
 * formats each record as the decoder returns it (pgffi waldump's text spent a third of its
 * allocations on block objects). The record decoded last has them there already; another
 * WalRecord's are parsed again, any other record's copied from its blocks.
 */
export function loadBlockHeaders(record: DecodedRecord): number {
  if (record instanceof WalRecord) {
    parsedPayloadStart(record);
    return record.blockCount;
  }
  // PENDING holds no record's parse any more.
  pendingSerial = 0;
  const blocks = record.blocks;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i] as BlockReference;
    const img = b.image;
    const q = i * BLOCK_HEADER_SLOTS;
    PENDING[q + BH_ID] = b.id;
    PENDING[q + BH_FORK_FLAGS] = b.forkFlags;
    PENDING[q + BH_SPC_OID] = b.spcOid;
    PENDING[q + BH_DB_OID] = b.dbOid;
    PENDING[q + BH_REL_NUMBER] = b.relNumber;
    PENDING[q + BH_BLKNO] = b.blockNumber;
    PENDING[q + BH_DATA_LEN] = b.data.length;
    PENDING[q + BH_BIMG_LEN] = img?.length ?? 0;
    PENDING[q + BH_HOLE_OFFSET] = img?.holeOffset ?? 0;
    PENDING[q + BH_HOLE_LENGTH] = img?.holeLength ?? 0;
    PENDING[q + BH_BIMG_INFO] = img === null ? -1 : img.bimgInfo;
  }
  return blocks.length;
}

function recordError(lsn: number, message: string): PgFormatError {
  return new PgFormatError('BAD_RECORD', message, { lsn: BigInt(lsn) });
}

function shortData(lsn: number, errorLsn: number): PgFormatError {
  return new PgFormatError('BAD_LENGTH', `record with invalid length at ${lsnText(errorLsn)}`, { lsn: BigInt(lsn) });
}

/** The compression method bimg_info names, in `profile`'s bits. */
export function compressionOf(profile: PgVersionProfile, bimgInfo: number): ImageCompression {
  const bits = profile.bkpImage;
  if ((bimgInfo & bits.COMPRESS_PGLZ) !== 0) return 'pglz';
  if (bits.COMPRESS_LZ4 !== 0 && (bimgInfo & bits.COMPRESS_LZ4) !== 0) return 'lz4';
  if (bits.COMPRESS_ZSTD !== 0 && (bimgInfo & bits.COMPRESS_ZSTD) !== 0) return 'zstd';
  return 'none';
}

/** Outputs of parseRecordHeaders (decoding is synchronous; read right after the call). */
let parsedCount = 0;
/**
 * Serial number of the last complete parseRecordHeaders call whose outputs PENDING still holds
 * (0: none), and that parse's payload start: materializing the blocks of the record just
 * decoded (the usual case) reuses the parse instead of walking the headers again.
 */
let parseSerial = 0;
let pendingSerial = 0;
let pendingPayloadStart = 0;
let parsedOrigin = 0;
let parsedToplevelXid = 0;
let parsedMainDataLength = 0;
let parsedFpiLength = 0;

/**
 * Walks and checks the headers after the fixed XLogRecord header (block headers into
 * PENDING, origin, top-level xid, main-data header); returns the payload's start offset.
 */
function parseRecordHeaders(
  profile: PgVersionProfile,
  messages: WalMessages,
  buf: Uint8Array,
  offset: number,
  totalLength: number,
  lsn: number,
  errorLsn: number,
): number {
  let ptr = offset + SizeOfXLogRecord;
  const end = offset + totalLength;
  let datatotal = 0;
  let origin = 0;
  let toplevelXid = 0;
  let mainDataLength = 0;
  let maxBlockId = -1;
  let fpiLength = 0;
  // Per block, parsed headers; offsets resolved once the payload start is known.
  let nPending = 0;
  const pending = PENDING;
  let spc = 0;
  let db = 0;
  let rel = 0;
  let haveRel = false;

  while (end - ptr > datatotal) {
    if (end - ptr < 1) throw shortData(lsn, errorLsn);
    const blockId = buf[ptr] as number;
    ptr++;
    if (blockId === XLR_BLOCK_ID_DATA_SHORT) {
      if (end - ptr < 1) throw shortData(lsn, errorLsn);
      mainDataLength = buf[ptr] as number;
      ptr++;
      datatotal += mainDataLength;
      break;
    }
    if (blockId === XLR_BLOCK_ID_DATA_LONG) {
      if (end - ptr < 4) throw shortData(lsn, errorLsn);
      mainDataLength = u32(buf, ptr);
      ptr += 4;
      datatotal += mainDataLength;
      break;
    }
    if (blockId === XLR_BLOCK_ID_ORIGIN) {
      if (end - ptr < 2) throw shortData(lsn, errorLsn);
      origin = u16(buf, ptr);
      ptr += 2;
      continue;
    }
    if (blockId === XLR_BLOCK_ID_TOPLEVEL_XID) {
      if (end - ptr < 4) throw shortData(lsn, errorLsn);
      toplevelXid = u32(buf, ptr);
      ptr += 4;
      continue;
    }
    if (blockId > XLR_MAX_BLOCK_ID) throw recordError(lsn, `invalid block_id ${blockId} at ${lsnText(errorLsn)}`);
    if (blockId <= maxBlockId) throw recordError(lsn, `out-of-order block_id ${blockId} at ${lsnText(errorLsn)}`);
    maxBlockId = blockId;
    if (end - ptr < 3) throw shortData(lsn, errorLsn);
    const forkFlags = buf[ptr] as number;
    const dataLen = u16(buf, ptr + 1);
    ptr += 3;
    const hasData = (forkFlags & BKPBLOCK_HAS_DATA) !== 0;
    if (hasData && dataLen === 0) throw recordError(lsn, `BKPBLOCK_HAS_DATA set, but no data included at ${lsnText(errorLsn)}`);
    if (!hasData && dataLen !== 0)
      throw recordError(lsn, `BKPBLOCK_HAS_DATA not set, but data length is ${dataLen} at ${lsnText(errorLsn)}`);
    datatotal += dataLen;
    let bimgLen = 0;
    let holeOffset = 0;
    let holeLength = 0;
    let bimgInfo = -1;
    if ((forkFlags & BKPBLOCK_HAS_IMAGE) !== 0) {
      if (end - ptr < 5) throw shortData(lsn, errorLsn);
      bimgLen = u16(buf, ptr);
      holeOffset = u16(buf, ptr + 2);
      bimgInfo = buf[ptr + 4] as number;
      const bits = profile.bkpImage;
      const compressMask = bits.COMPRESS_PGLZ | bits.COMPRESS_LZ4 | bits.COMPRESS_ZSTD;
      ptr += 5;
      const compressed = (bimgInfo & compressMask) !== 0;
      const hasHole = (bimgInfo & bits.HAS_HOLE) !== 0;
      if (compressed) {
        if (hasHole) {
          if (end - ptr < 2) throw shortData(lsn, errorLsn);
          holeLength = u16(buf, ptr);
          ptr += 2;
        }
      } else {
        holeLength = BLCKSZ - bimgLen;
      }
      datatotal += bimgLen;
      fpiLength += bimgLen;
      if (hasHole && (holeOffset === 0 || holeLength === 0 || bimgLen === BLCKSZ)) {
        throw recordError(
          lsn,
          `BKPIMAGE_HAS_HOLE set, but hole offset ${holeOffset} length ${holeLength} block image length ${bimgLen} at ${lsnText(errorLsn)}`,
        );
      }
      if (!hasHole && (holeOffset !== 0 || holeLength !== 0)) {
        throw recordError(lsn, `BKPIMAGE_HAS_HOLE not set, but hole offset ${holeOffset} length ${holeLength} at ${lsnText(errorLsn)}`);
      }
      if (compressed && bimgLen === BLCKSZ) {
        throw recordError(lsn, `${messages.compressedFlagName} set, but block image length ${bimgLen} at ${lsnText(errorLsn)}`);
      }
      if (!hasHole && !compressed && bimgLen !== BLCKSZ) {
        // xlogreader.c prints data_len here, not bimg_len.
        const flagName = messages.compressedFlagName;
        throw recordError(
          lsn,
          `neither BKPIMAGE_HAS_HOLE nor ${flagName} set, but block image length is ${dataLen} at ${lsnText(errorLsn)}`,
        );
      }
    }
    if ((forkFlags & BKPBLOCK_SAME_REL) === 0) {
      if (end - ptr < 12) throw shortData(lsn, errorLsn);
      spc = u32(buf, ptr);
      db = u32(buf, ptr + 4);
      rel = u32(buf, ptr + 8);
      haveRel = true;
      ptr += 12;
    } else if (!haveRel) {
      throw recordError(lsn, `BKPBLOCK_SAME_REL set but no previous rel at ${lsnText(errorLsn)}`);
    }
    if (end - ptr < 4) throw shortData(lsn, errorLsn);
    const blkno = u32(buf, ptr);
    ptr += 4;
    const q = nPending * 11;
    pending[q] = blockId;
    pending[q + 1] = forkFlags;
    pending[q + 2] = spc;
    pending[q + 3] = db;
    pending[q + 4] = rel;
    pending[q + 5] = blkno;
    pending[q + 6] = dataLen;
    pending[q + 7] = bimgLen;
    pending[q + 8] = holeOffset;
    pending[q + 9] = holeLength;
    pending[q + 10] = bimgInfo;
    nPending++;
  }
  if (end - ptr !== datatotal) throw shortData(lsn, errorLsn);
  parsedCount = nPending;
  parsedOrigin = origin;
  parsedToplevelXid = toplevelXid;
  parsedMainDataLength = mainDataLength;
  parsedFpiLength = fpiLength;
  return ptr;
}

/**
 * Decodes the record at `buf[offset, offset + totalLength)` whose fixed header has already
 * been validated (and CRC-checked). `errorLsn` is the LSN xlogreader.c names in decode errors:
 * the record itself on 14 and 15, the previously returned record on 16 (its DecodeXLogRecord
 * reports state->ReadRecPtr before it advances; checked against pg_waldump 14/15/16).
 */
export function decodeRecordBody(
  profile: PgVersionProfile,
  messages: WalMessages,
  buf: Uint8Array,
  offset: number,
  totalLength: number,
  lsn: number,
  endLsn: number,
  errorLsn: number,
): WalRecord {
  pendingSerial = 0;
  const payloadStart = parseRecordHeaders(profile, messages, buf, offset, totalLength, lsn, errorLsn);
  parseSerial++;
  pendingSerial = parseSerial;
  pendingPayloadStart = payloadStart;
  // The payload (each block's image then its data, in id order; main data last) fills the
  // rest of the record exactly: parseRecordHeaders checked the lengths add up.
  return new WalRecord(
    profile,
    buf,
    offset,
    lsn,
    endLsn,
    totalLength,
    parsedOrigin,
    parsedToplevelXid,
    parsedCount,
    offset + totalLength - parsedMainDataLength,
    parsedMainDataLength,
    parsedFpiLength,
  );
}

/**
 * Makes PENDING hold the parse of `r` (the record decoded last has it already; another one's
 * headers are parsed again) and returns its payload start.
 */
function parsedPayloadStart(r: WalRecord): number {
  if (r.parseId !== pendingSerial) {
    pendingSerial = 0;
    pendingPayloadStart = parseRecordHeaders(r.profile, NO_MESSAGES, r.buf, r.offset, r.totalLength, r.lsnNumber, r.lsnNumber);
    pendingSerial = r.parseId;
  }
  return pendingPayloadStart;
}

/** Builds the BlockReference objects of a decoded (already checked) record. */
function materializeBlocks(r: WalRecord): BlockReference[] {
  const profile = r.profile;
  const buf = r.buf;
  const bits = profile.bkpImage;
  let p = parsedPayloadStart(r);
  const pending = PENDING;
  // The first block goes in an array literal (allocated at its size; most records have one).
  let blocks: BlockReference[] | null = null;
  for (let i = 0; i < parsedCount * 11; i += 11) {
    const bimgInfo = pending[i + 10] as number;
    let image: BlockImage | null = null;
    if (bimgInfo >= 0) {
      const len = pending[i + 7] as number;
      image = new WalBlockImage(
        bimgInfo,
        len,
        pending[i + 8] as number,
        pending[i + 9] as number,
        compressionOf(profile, bimgInfo),
        (bimgInfo & bits.APPLY) !== 0,
        buf,
        p,
      );
      p += len;
    }
    const dataLen = pending[i + 6] as number;
    const block = new WalBlockReference(
      pending[i] as number,
      pending[i + 1] as number,
      pending[i + 2] as number,
      pending[i + 3] as number,
      pending[i + 4] as number,
      pending[i + 5] as number,
      image,
      buf,
      p,
      dataLen,
    );
    if (blocks === null) blocks = [block];
    else blocks.push(block);
    p += dataLen;
  }
  return blocks ?? [];
}

/** A copy of `record` whose views own their bytes (outlives the decoder's buffers). */
export function detachRecord(profile: PgVersionProfile, record: DecodedRecord): WalRecord {
  const raw = record.raw.slice();
  const lsn = Number(record.lsn);
  return decodeRecordBody(profile, NO_MESSAGES, raw, 0, raw.length, lsn, Number(record.endLsn), lsn);
}

const NO_MESSAGES: WalMessages = {
  invalidRecordLength: () => '',
  invalidRecordOffset: () => '',
  pageHeader: () => '',
  invalidMagic: () => '',
  invalidInfoBits: () => '',
  unexpectedPageaddr: () => '',
  outOfSequenceTimeline: () => '',
  compressedFlagName: 'BKPIMAGE_COMPRESSED',
  imageDecompress: () => '',
};
