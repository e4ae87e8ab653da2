/**
 * A minimal WAL writer for crafted test cases (not an encoder: just enough to lay out
 * XLogPageHeaderData / XLogLongPageHeaderData pages and XLogRecords with a main-data header
 * and a correct CRC-32C, so edge cases can be built byte by byte).
 */
import { XLOG_BLCKSZ, XLP_FIRST_IS_CONTRECORD, XLP_FIRST_IS_OVERWRITE_CONTRECORD, XLP_LONG_HEADER } from '../../../src/common/constants.js';
import { CRC32C_INIT, crc32cFinish, crc32cUpdate } from '../../../src/common/core/crc32c.js';

export const SEG = 1024 * 1024;
const PAGE = XLOG_BLCKSZ;

export class WalBuilder {
  readonly magic: number;
  readonly base: number;
  bytes: Uint8Array;
  pos: number;
  prev = 0;
  private nextPageFlags = 0;

  constructor(magic: number, base = SEG, segments = 2) {
    this.magic = magic;
    this.base = base;
    this.bytes = new Uint8Array(SEG * segments);
    this.pos = base;
  }

  private put32(at: number, v: number): void {
    const o = at - this.base;
    this.bytes[o] = v & 0xff;
    this.bytes[o + 1] = (v >>> 8) & 0xff;
    this.bytes[o + 2] = (v >>> 16) & 0xff;
    this.bytes[o + 3] = (v >>> 24) & 0xff;
  }

  private pageHeader(remLen: number): void {
    const at = this.pos;
    const long = at % SEG === 0;
    const o = at - this.base;
    let info = long ? XLP_LONG_HEADER : 0;
    if (remLen > 0) info |= XLP_FIRST_IS_CONTRECORD;
    info |= this.nextPageFlags;
    this.nextPageFlags = 0;
    this.bytes[o] = this.magic & 0xff;
    this.bytes[o + 1] = this.magic >>> 8;
    this.bytes[o + 2] = info;
    this.put32(at + 4, 1);
    this.put32(at + 8, at % 0x1_0000_0000);
    this.put32(at + 12, Math.floor(at / 0x1_0000_0000));
    this.put32(at + 16, remLen);
    if (long) {
      this.put32(at + 24, 42);
      this.put32(at + 32, SEG);
      this.put32(at + 36, PAGE);
    }
    this.pos += long ? 40 : 24;
  }

  /** The bytes of a record with `mainLen` bytes of main data (value `fill`). */
  recordBytes(rmid: number, info: number, mainLen: number, fill = 0x61, xid = 0): Uint8Array {
    const hdr = mainLen <= 255 ? 2 : 5;
    const tot = 24 + (mainLen > 0 ? hdr : 0) + mainLen;
    const r = new Uint8Array(tot);
    const v = new DataView(r.buffer);
    v.setUint32(0, tot, true);
    v.setUint32(4, xid, true);
    v.setUint32(8, this.prev % 0x1_0000_0000, true);
    v.setUint32(12, Math.floor(this.prev / 0x1_0000_0000), true);
    r[16] = info;
    r[17] = rmid;
    if (mainLen > 0) {
      if (hdr === 2) {
        r[24] = 255;
        r[25] = mainLen;
      } else {
        r[24] = 254;
        v.setUint32(25, mainLen, true);
      }
      r.fill(fill, 24 + hdr);
    }
    const crc = crc32cFinish(crc32cUpdate(crc32cUpdate(CRC32C_INIT, r, 24, tot), r, 0, 20));
    v.setUint32(20, crc, true);
    return r;
  }

  /** Writes a record (or only its first `limit` bytes); returns its LSN. */
  write(rec: Uint8Array, limit = rec.length): number {
    let i = 0;
    let lsn = -1;
    while (i < limit) {
      if (this.pos % PAGE === 0) this.pageHeader(i === 0 ? 0 : rec.length - i);
      if (lsn < 0) lsn = this.pos;
      const n = Math.min((Math.floor(this.pos / PAGE) + 1) * PAGE - this.pos, limit - i);
      this.bytes.set(rec.subarray(i, i + n), this.pos - this.base);
      this.pos += n;
      i += n;
    }
    if (limit === rec.length) {
      this.pos = Math.ceil(this.pos / 8) * 8;
      this.prev = lsn;
    }
    return lsn;
  }

  add(rmid: number, info: number, mainLen: number, fill = 0x61): number {
    return this.write(this.recordBytes(rmid, info, mainLen, fill));
  }

  /** An XLOG_SWITCH record; the rest of the segment is skipped. */
  addSwitch(): number {
    const lsn = this.add(0, 0x40, 0);
    this.pos = Math.ceil(this.pos / SEG) * SEG;
    return lsn;
  }

  /** Main-data length that makes the next record end exactly `before` bytes short of the page end. */
  mainLenToPageEnd(before = 0): number {
    let room = (Math.floor(this.pos / PAGE) + 1) * PAGE - this.pos - before;
    if (this.pos % PAGE === 0) room = PAGE - (this.pos % SEG === 0 ? 40 : 24) - before;
    const len = room - 24 - (room - 26 <= 255 ? 2 : 5);
    return len;
  }

  /** The next page header carries XLP_FIRST_IS_OVERWRITE_CONTRECORD (and no CONTRECORD flag). */
  overwriteNextPage(): void {
    this.pos = Math.ceil(this.pos / PAGE) * PAGE;
    this.nextPageFlags = XLP_FIRST_IS_OVERWRITE_CONTRECORD;
  }
}

/** A record whose body (everything after the 24-byte header) is given as is; CRC computed. */
export function rawRecord(prev: number, rmid: number, info: number, body: number[]): Uint8Array {
  const tot = 24 + body.length;
  const r = new Uint8Array(tot);
  const v = new DataView(r.buffer);
  v.setUint32(0, tot, true);
  v.setUint32(8, prev % 0x1_0000_0000, true);
  v.setUint32(12, Math.floor(prev / 0x1_0000_0000), true);
  r[16] = info;
  r[17] = rmid;
  r.set(body, 24);
  v.setUint32(20, crc32cFinish(crc32cUpdate(crc32cUpdate(CRC32C_INIT, r, 24, tot), r, 0, 20)), true);
  return r;
}

/** Little-endian bytes of a u16 / u32, for body builders. */
export const le16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
export const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
