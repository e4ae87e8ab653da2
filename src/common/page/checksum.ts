/**
 * The data page checksum (storage/checksum_impl.h, identical in PostgreSQL 14–16): an FNV-1a
 * derived hash over the page read as BLCKSZ/4 little-endian uint32 words laid out as rows of
 * N_SUMS = 32 columns, pd_checksum counted as zero, two extra rounds of zeros, the 32 partial
 * sums XOR-folded, XORed with the block number, reduced to (x % 65535) + 1.
 *
 *   words:  row 0:  w[0]  w[1]  w[2]*  ... w[31]      * low 16 bits = pd_checksum, taken as 0
 *           row 1:  w[32] w[33] w[34]  ... w[63]
 *           ...     sums[j] = mix(sums[j], w[row*32 + j])
 *
 * This pure-TS version is the reference; the optional native module must agree with it. It
 * reads the page through an Int32Array word view (one per buffer, not per page) and keeps the
 * lanes in local variables (8 at a time), with Math.imul for the 32-bit multiply.
 */
import { hex, PgFormatError } from '../core/errors.js';

/** N_SUMS: number of parallel partial sums. */
export const N_SUMS = 32;
/** FNV_PRIME: prime multiplier of FNV-1a. */
export const FNV_PRIME = 16777619;
/** Byte offset of PageHeaderData.pd_checksum (uint16). */
export const PD_CHECKSUM_OFFSET = 8;
/** Byte offset of PageHeaderData.pd_upper (uint16); PageIsNew() is pd_upper == 0. */
const PD_UPPER_OFFSET = 14;

/** checksumBaseOffsets[N_SUMS] from checksum_impl.h. */
export const checksumBaseOffsets: readonly number[] = [
  0x5b1f36e9, 0xb8525960, 0x02ab50aa, 0x1de66d2a, 0x79ff467a, 0x9bb9f8a3, 0x217e7cd2, 0x83e13d2c, 0xf8d4474f, 0xe39eb970, 0x42c6ae16,
  0x993216fa, 0x7b093b5d, 0x98daff3c, 0xf718902a, 0x0b1c9cdb, 0xe58f764b, 0x187636bc, 0x5d7b3bb1, 0xe73de7de, 0x92bec979, 0xcca6c0b2,
  0x304a0979, 0x85aa43d4, 0x783125bb, 0x6ca8eaa2, 0xe407eac6, 0x4b5cfc3e, 0x9fbf8c76, 0x15ca20be, 0xf2ca9fd3, 0x959bd756,
];

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Scratch words for a page that is not 4-byte aligned in its buffer (or a big-endian host). */
let scratch = new Int32Array(2048);

/** Two rounds of CHECKSUM_COMP(sum, 0). */
function mixZeros(s: number): number {
  s = Math.imul(s, FNV_PRIME) ^ (s >>> 17);
  return Math.imul(s, FNV_PRIME) ^ (s >>> 17);
}

/**
 * pg_checksum_block over `nwords` words of `w` starting at word `base` (nwords a multiple of 32),
 * with the low half of word base+2 (pd_checksum) taken as zero. Returns the folded uint32.
 *
 * The 32 lanes are independent, so they run as four passes of 8 lanes over the page (which
 * stays in L1): 8 sums fit in registers, where 32 would spill (~40% faster in V8).
 */
export function checksumBlockWords(w: Int32Array, base: number, nwords: number): number {
  const end = base + nwords;
  let result = 0;
  let t: number;
  // lanes 0..7
  {
    let s0 = 0x5b1f36e9 | 0;
    let s1 = 0xb8525960 | 0;
    let s2 = 0x02ab50aa | 0;
    let s3 = 0x1de66d2a | 0;
    let s4 = 0x79ff467a | 0;
    let s5 = 0x9bb9f8a3 | 0;
    let s6 = 0x217e7cd2 | 0;
    let s7 = 0x83e13d2c | 0;
    // row 0, with pd_checksum (low half of word 2) counted as zero
    t = s0 ^ w[base + 0]!;
    s0 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
    t = s1 ^ w[base + 1]!;
    s1 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
    t = s2 ^ (w[base + 2]! & 0xffff0000);
    s2 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
    t = s3 ^ w[base + 3]!;
    s3 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
    t = s4 ^ w[base + 4]!;
    s4 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
    t = s5 ^ w[base + 5]!;
    s5 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
    t = s6 ^ w[base + 6]!;
    s6 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
    t = s7 ^ w[base + 7]!;
    s7 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
    for (let i = base + 32 + 0; i < end; i += 32) {
      t = s0 ^ w[i + 0]!;
      s0 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s1 ^ w[i + 1]!;
      s1 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s2 ^ w[i + 2]!;
      s2 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s3 ^ w[i + 3]!;
      s3 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s4 ^ w[i + 4]!;
      s4 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s5 ^ w[i + 5]!;
      s5 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s6 ^ w[i + 6]!;
      s6 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s7 ^ w[i + 7]!;
      s7 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
    }
    result ^= mixZeros(s0) ^ mixZeros(s1) ^ mixZeros(s2) ^ mixZeros(s3) ^ mixZeros(s4) ^ mixZeros(s5) ^ mixZeros(s6) ^ mixZeros(s7);
  }
  // lanes 8..15
  {
    let s0 = 0xf8d4474f | 0;
    let s1 = 0xe39eb970 | 0;
    let s2 = 0x42c6ae16 | 0;
    let s3 = 0x993216fa | 0;
    let s4 = 0x7b093b5d | 0;
    let s5 = 0x98daff3c | 0;
    let s6 = 0xf718902a | 0;
    let s7 = 0x0b1c9cdb | 0;
    for (let i = base + 8; i < end; i += 32) {
      t = s0 ^ w[i + 0]!;
      s0 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s1 ^ w[i + 1]!;
      s1 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s2 ^ w[i + 2]!;
      s2 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s3 ^ w[i + 3]!;
      s3 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s4 ^ w[i + 4]!;
      s4 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s5 ^ w[i + 5]!;
      s5 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s6 ^ w[i + 6]!;
      s6 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s7 ^ w[i + 7]!;
      s7 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
    }
    result ^= mixZeros(s0) ^ mixZeros(s1) ^ mixZeros(s2) ^ mixZeros(s3) ^ mixZeros(s4) ^ mixZeros(s5) ^ mixZeros(s6) ^ mixZeros(s7);
  }
  // lanes 16..23
  {
    let s0 = 0xe58f764b | 0;
    let s1 = 0x187636bc | 0;
    let s2 = 0x5d7b3bb1 | 0;
    let s3 = 0xe73de7de | 0;
    let s4 = 0x92bec979 | 0;
    let s5 = 0xcca6c0b2 | 0;
    let s6 = 0x304a0979 | 0;
    let s7 = 0x85aa43d4 | 0;
    for (let i = base + 16; i < end; i += 32) {
      t = s0 ^ w[i + 0]!;
      s0 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s1 ^ w[i + 1]!;
      s1 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s2 ^ w[i + 2]!;
      s2 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s3 ^ w[i + 3]!;
      s3 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s4 ^ w[i + 4]!;
      s4 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s5 ^ w[i + 5]!;
      s5 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s6 ^ w[i + 6]!;
      s6 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s7 ^ w[i + 7]!;
      s7 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
    }
    result ^= mixZeros(s0) ^ mixZeros(s1) ^ mixZeros(s2) ^ mixZeros(s3) ^ mixZeros(s4) ^ mixZeros(s5) ^ mixZeros(s6) ^ mixZeros(s7);
  }
  // lanes 24..31
  {
    let s0 = 0x783125bb | 0;
    let s1 = 0x6ca8eaa2 | 0;
    let s2 = 0xe407eac6 | 0;
    let s3 = 0x4b5cfc3e | 0;
    let s4 = 0x9fbf8c76 | 0;
    let s5 = 0x15ca20be | 0;
    let s6 = 0xf2ca9fd3 | 0;
    let s7 = 0x959bd756 | 0;
    for (let i = base + 24; i < end; i += 32) {
      t = s0 ^ w[i + 0]!;
      s0 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s1 ^ w[i + 1]!;
      s1 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s2 ^ w[i + 2]!;
      s2 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s3 ^ w[i + 3]!;
      s3 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s4 ^ w[i + 4]!;
      s4 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s5 ^ w[i + 5]!;
      s5 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s6 ^ w[i + 6]!;
      s6 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
      t = s7 ^ w[i + 7]!;
      s7 = Math.imul(t, FNV_PRIME) ^ (t >>> 17);
    }
    result ^= mixZeros(s0) ^ mixZeros(s1) ^ mixZeros(s2) ^ mixZeros(s3) ^ mixZeros(s4) ^ mixZeros(s5) ^ mixZeros(s6) ^ mixZeros(s7);
  }
  return result >>> 0;
}

/** The final step of pg_checksum_page: mix in the block number, reduce to 1..65535. */
export function finishChecksum(block: number, blkno: number): number {
  return (((block ^ blkno) >>> 0) % 65535) + 1;
}

function checkPageLength(length: number): void {
  if (length === 0 || length % (4 * N_SUMS) !== 0) {
    throw new PgFormatError('BAD_LENGTH', `page size ${length} is not a positive multiple of ${4 * N_SUMS} bytes`);
  }
}

function checkBlockNumber(blkno: number): void {
  if (!Number.isInteger(blkno) || blkno < 0 || blkno > 0xffffffff) {
    throw new PgFormatError('BAD_ARGUMENT', `invalid block number ${blkno}`);
  }
}

/** Word views of whole buffers, so per-page calls on one big buffer do not allocate. */
const bufferWords = new WeakMap<ArrayBufferLike, Int32Array>();

/**
 * A word view holding `bytes` at word index `base` (zero-copy when 4-byte aligned on a
 * little-endian host, else via scratch with base 0).
 */
function wordsOf(bytes: Uint8Array): { words: Int32Array; base: number } {
  if (LITTLE_ENDIAN_HOST && (bytes.byteOffset & 3) === 0) {
    let words = bufferWords.get(bytes.buffer);
    if (words === undefined) {
      words = new Int32Array(bytes.buffer, 0, bytes.buffer.byteLength >>> 2);
      bufferWords.set(bytes.buffer, words);
    }
    return { words, base: bytes.byteOffset >>> 2 };
  }
  const n = bytes.byteLength >>> 2;
  if (scratch.length < n) scratch = new Int32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) scratch[i] = view.getInt32(i * 4, true);
  return { words: scratch, base: 0 };
}

/**
 * pg_checksum_page(page, blkno): the checksum `page` should carry as block `blkno` of its
 * relation fork (segment × RELSEG_SIZE + index in the segment file). Like PostgreSQL, it is
 * meant for non-new pages (pd_upper != 0); for a new page it still returns the formula's value.
 */
export function pageChecksum(page: Uint8Array, blkno: number): number {
  checkPageLength(page.byteLength);
  checkBlockNumber(blkno);
  const { words, base } = wordsOf(page);
  return finishChecksum(checksumBlockWords(words, base, page.byteLength >>> 2), blkno);
}

/** pd_checksum as stored on the page (unsigned). */
export function storedChecksum(page: Uint8Array): number {
  checkPageLength(page.byteLength);
  return (page[PD_CHECKSUM_OFFSET]! | (page[PD_CHECKSUM_OFFSET + 1]! << 8)) >>> 0;
}

/** PageIsNew(): pd_upper == 0 (a page never initialised; not checksummed). */
export function pageIsNew(page: Uint8Array): boolean {
  return page.byteLength >= 16 && (page[PD_UPPER_OFFSET]! | page[PD_UPPER_OFFSET + 1]!) === 0;
}

/** True when every byte of the page is zero (the only new page PageIsVerified accepts). */
export function pageIsAllZero(page: Uint8Array): boolean {
  const w = LITTLE_ENDIAN_HOST && (page.byteOffset & 3) === 0 && (page.byteLength & 3) === 0;
  if (w) {
    const words = new Int32Array(page.buffer, page.byteOffset, page.byteLength >>> 2);
    for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
    return true;
  }
  for (let i = 0; i < page.byteLength; i++) if (page[i] !== 0) return false;
  return true;
}

export interface ChecksumVerification {
  /** Checksum computed for the page and block number. */
  calculated: number;
  /** pd_checksum stored on the page. */
  stored: number;
  ok: boolean;
}

/**
 * Verifies the page's checksum as pg_checksums does; new pages (pd_upper == 0) have no checksum
 * and give `null`.
 */
export function verifyPageChecksum(page: Uint8Array, blkno: number): ChecksumVerification | null {
  checkPageLength(page.byteLength);
  if (pageIsNew(page)) return null;
  const calculated = pageChecksum(page, blkno);
  const stored = storedChecksum(page);
  return { calculated, stored, ok: calculated === stored };
}

/** Writes pg_checksum_page(page, blkno) into pd_checksum in place and returns it (no-op for new pages: returns null). */
export function setPageChecksum(page: Uint8Array, blkno: number): number | null {
  checkPageLength(page.byteLength);
  if (pageIsNew(page)) return null;
  const sum = pageChecksum(page, blkno);
  page[PD_CHECKSUM_OFFSET] = sum & 0xff;
  page[PD_CHECKSUM_OFFSET + 1] = sum >>> 8;
  return sum;
}

/** The error pg_checksums reports for a mismatch, as a PgFormatError (for callers that throw). */
export function checksumMismatchError(blkno: number, calculated: number, stored: number): PgFormatError {
  return new PgFormatError('CHECKSUM_MISMATCH', `page verification failed, calculated checksum ${calculated} but expected ${stored}`, {
    block: blkno,
  });
}

/**
 * Checksums of every page in `buffer` (a whole number of `pageSize` pages), the first being
 * block `firstBlkno`: one word view for the whole buffer. New pages get 0 in `out` (a real
 * checksum is never 0). Returns `out`.
 */
export function pageChecksums(buffer: Uint8Array, firstBlkno: number, pageSize = 8192, out?: Uint16Array): Uint16Array {
  checkPageLength(pageSize);
  if (buffer.byteLength % pageSize !== 0) {
    throw new PgFormatError('BAD_LENGTH', `buffer length ${buffer.byteLength} is not a multiple of the page size ${pageSize}`);
  }
  const n = buffer.byteLength / pageSize;
  checkBlockNumber(firstBlkno);
  checkBlockNumber(firstBlkno + Math.max(0, n - 1));
  const result = out ?? new Uint16Array(n);
  if (result.length < n) throw new PgFormatError('BAD_ARGUMENT', `output array holds ${result.length} checksums, need ${n}`);
  const { words, base } = wordsOf(buffer);
  const pageWords = pageSize >>> 2;
  for (let p = 0; p < n; p++) {
    const off = p * pageSize;
    if ((buffer[off + PD_UPPER_OFFSET]! | buffer[off + PD_UPPER_OFFSET + 1]!) === 0) {
      result[p] = 0;
      continue;
    }
    result[p] = finishChecksum(checksumBlockWords(words, base + p * pageWords, pageWords), firstBlkno + p);
  }
  return result;
}

/** "%X" as pg_checksums prints checksums. */
export function formatChecksum(sum: number): string {
  return hex(sum, 1);
}
