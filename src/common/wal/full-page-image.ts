/**
 * Full-page images of WAL block references (access/xlogrecord.h XLogRecordBlockImageHeader;
 * RestoreBlockImage in access/transam/xlogreader.c): decompression (pglz as
 * common/pg_lzcompress.c, lz4 raw blocks, zstd frames) and re-insertion of the zeroed hole.
 */
import { PgFormatError } from '../core/errors.js';
import type { Lsn } from '../core/lsn.js';
import type { PgVersionProfile } from '../profile.js';
import type { BlockReference } from './record.js';
import { lsnText, walMessages } from './wal-format.js';
import { zstdDecompressInto } from './zstd.js';

/**
 * pglz_decompress with check_complete: decodes `src` into exactly `dest.length` bytes.
 * Returns false on corrupt input or when the output is not exactly filled by exactly `src`.
 * Control bytes are read least-significant bit first; a 1 bit is a 2–3 byte back-reference
 * tag (length (b0 & 0x0f) + 3, 18 adds a third byte; offset ((b0 & 0xf0) << 4) | b1).
 */
export function pglzDecompress(src: Uint8Array, dest: Uint8Array): boolean {
  const srcEnd = src.length;
  const destEnd = dest.length;
  let sp = 0;
  let dp = 0;
  while (sp < srcEnd && dp < destEnd) {
    let ctrl = src[sp++] as number;
    for (let bit = 0; bit < 8 && sp < srcEnd && dp < destEnd; bit++) {
      if ((ctrl & 1) !== 0) {
        if (sp + 2 > srcEnd) return false;
        const b0 = src[sp] as number;
        let len = (b0 & 0x0f) + 3;
        const off = ((b0 & 0xf0) << 4) | (src[sp + 1] as number);
        sp += 2;
        if (len === 18) {
          if (sp >= srcEnd) return false;
          len += src[sp++] as number;
        }
        if (off === 0 || off > dp) return false;
        if (len > destEnd - dp) len = destEnd - dp;
        for (let from = dp - off, stop = dp + len; dp < stop; ) dest[dp++] = dest[from++] as number;
      } else {
        dest[dp++] = src[sp++] as number;
      }
      ctrl >>= 1;
    }
  }
  return dp === destEnd && sp === srcEnd;
}

/** LZ4 raw block (no frame) into exactly `dest.length` bytes; false on any inconsistency. */
export function lz4DecompressBlock(src: Uint8Array, dest: Uint8Array): boolean {
  const srcEnd = src.length;
  const destEnd = dest.length;
  let ip = 0;
  let op = 0;
  for (;;) {
    if (ip >= srcEnd) return false;
    const token = src[ip++] as number;
    let litLen = token >>> 4;
    if (litLen === 15) {
      let b: number;
      do {
        if (ip >= srcEnd) return false;
        b = src[ip++] as number;
        litLen += b;
      } while (b === 255);
    }
    if (litLen > srcEnd - ip || litLen > destEnd - op) return false;
    dest.set(src.subarray(ip, ip + litLen), op);
    ip += litLen;
    op += litLen;
    if (ip === srcEnd) break;
    if (ip + 2 > srcEnd) return false;
    const offset = (src[ip] as number) | ((src[ip + 1] as number) << 8);
    ip += 2;
    if (offset === 0 || offset > op) return false;
    let matchLen = token & 0x0f;
    if (matchLen === 15) {
      let b: number;
      do {
        if (ip >= srcEnd) return false;
        b = src[ip++] as number;
        matchLen += b;
      } while (b === 255);
    }
    matchLen += 4;
    if (matchLen > destEnd - op) return false;
    for (let from = op - offset, stop = op + matchLen; op < stop; ) dest[op++] = dest[from++] as number;
  }
  return op === destEnd;
}

/** One zstd frame into exactly `dest.length` bytes (bounded decoder, ./zstd.ts); false on any failure. */
export function zstdDecompressFrame(src: Uint8Array, dest: Uint8Array): boolean {
  try {
    zstdDecompressInto(src, dest);
    return true;
  } catch {
    return false;
  }
}

/**
 * RestoreBlockImage: the BLCKSZ-byte page of a block reference's full-page image, hole
 * re-inserted as zeroes. `recordLsn` is used in messages. Throws PgFormatError('BAD_IMAGE').
 */
export function restoreFullPageImage(profile: PgVersionProfile, block: BlockReference, recordLsn: Lsn = 0n): Uint8Array {
  const lsn = Number(recordLsn);
  const image = block.image;
  const BLCKSZ = profile.BLCKSZ;
  const bad = (message: string): PgFormatError => new PgFormatError('BAD_IMAGE', message, { lsn: recordLsn });
  if (image === null) throw bad(`could not restore image at ${lsnText(lsn)} with invalid state, block ${block.id}`);
  const holeOffset = image.holeOffset;
  const holeLength = image.holeLength;
  if (holeLength > BLCKSZ || holeOffset > BLCKSZ - holeLength) {
    throw bad(walMessages(profile.major).imageDecompress(lsn, block.id));
  }
  const rawSize = BLCKSZ - holeLength;
  let data = image.bytes;
  if (image.compression !== 'none') {
    const out = new Uint8Array(rawSize);
    let ok: boolean;
    if (image.compression === 'pglz') ok = pglzDecompress(image.bytes, out);
    else if (image.compression === 'lz4') ok = lz4DecompressBlock(image.bytes, out);
    else ok = zstdDecompressFrame(image.bytes, out);
    if (!ok) throw bad(walMessages(profile.major).imageDecompress(lsn, block.id));
    data = out;
  } else if (data.length !== rawSize) {
    throw bad(walMessages(profile.major).imageDecompress(lsn, block.id));
  }
  const page = new Uint8Array(BLCKSZ);
  if (holeLength === 0) {
    page.set(data.subarray(0, BLCKSZ));
  } else {
    page.set(data.subarray(0, holeOffset), 0);
    page.set(data.subarray(holeOffset, rawSize), holeOffset + holeLength);
  }
  return page;
}
