/**
 * pg_checksum_page: the fast implementation against a plain reference written from the spec
 * (FORMATS.md §3 / checksum_impl.h) on random pages, block numbers and alignments; set/verify.
 * Real pages are compared with pageinspect's page_checksum in pageinspect-real.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPgFormatError } from '../../src/common/core/errors.js';
import {
  checksumBaseOffsets,
  pageChecksum,
  pageChecksums,
  pageIsAllZero,
  pageIsNew,
  setPageChecksum,
  storedChecksum,
  verifyPageChecksum,
} from '../../src/common/page/checksum.js';

/** The spec, step by step, with BigInt-free but obviously-correct arithmetic. */
function referenceChecksum(page: Uint8Array, blkno: number): number {
  const mul = (a: number, b: number): number => Number((BigInt(a) * BigInt(b)) % 4294967296n);
  const mix = (s: number, v: number): number => {
    const t = (s ^ v) >>> 0;
    return (mul(t, 16777619) ^ (t >>> 17)) >>> 0;
  };
  const sums = [...checksumBaseOffsets];
  const word = (i: number): number => {
    const b = (k: number): number => (k === 8 || k === 9 ? 0 : page[k]!);
    const o = i * 4;
    return (b(o) | (b(o + 1) << 8) | (b(o + 2) << 16) | (b(o + 3) << 24)) >>> 0;
  };
  for (let row = 0; row < page.length / 128; row++) for (let col = 0; col < 32; col++) sums[col] = mix(sums[col]!, word(row * 32 + col));
  for (let r = 0; r < 2; r++) for (let col = 0; col < 32; col++) sums[col] = mix(sums[col]!, 0);
  let result = 0;
  for (const s of sums) result = (result ^ s) >>> 0;
  result = (result ^ blkno) >>> 0;
  return (result % 65535) + 1;
}

const seed = Number(process.env.PGFFI_SEED ?? Date.now() % 2147483647);

describe('page checksum', () => {
  it(`matches the reference on random pages (seed ${seed})`, () => {
    console.log(`checksum property seed: ${seed}`);
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 8192, maxLength: 8192 }),
        fc.nat({ max: 0xffffffff }),
        fc.integer({ min: 0, max: 3 }),
        (bytes, blkno, shift) => {
          const buf = new Uint8Array(8192 + 4);
          buf.set(bytes, shift);
          const page = buf.subarray(shift, shift + 8192);
          expect(pageChecksum(page, blkno)).toBe(referenceChecksum(bytes, blkno));
        },
      ),
      { seed, numRuns: 200 },
    );
  });

  it('ignores pd_checksum, and depends on every other byte and on the block number', () => {
    const page = new Uint8Array(8192).map((_, i) => (i * 31 + 7) & 0xff);
    const base = pageChecksum(page, 5);
    expect(base).toBe(referenceChecksum(page, 5));
    page[8] = page[8]! ^ 0xff;
    page[9] = page[9]! ^ 0x55;
    expect(pageChecksum(page, 5)).toBe(base);
    page[10] = page[10]! ^ 1;
    expect(pageChecksum(page, 5)).not.toBe(base);
    page[10] = page[10]! ^ 1;
    expect(pageChecksum(page, 6)).not.toBe(base);
    expect(pageChecksum(page, 131072 + 5)).toBe(referenceChecksum(page, 131072 + 5));
  });

  it('sets and verifies; new pages have no checksum', () => {
    const page = new Uint8Array(8192).map((_, i) => (i * 17) & 0xff);
    page[14] = 0x20; // pd_upper != 0
    const sum = setPageChecksum(page, 42);
    expect(sum).toBe(referenceChecksum(page, 42));
    expect(storedChecksum(page)).toBe(sum);
    expect(verifyPageChecksum(page, 42)).toEqual({ calculated: sum, stored: sum, ok: true });
    expect(verifyPageChecksum(page, 43)?.ok).toBe(false);
    const zero = new Uint8Array(8192);
    expect(pageIsNew(zero)).toBe(true);
    expect(pageIsAllZero(zero)).toBe(true);
    expect(verifyPageChecksum(zero, 0)).toBeNull();
    expect(setPageChecksum(zero, 0)).toBeNull();
  });

  it('batch checksums equal per-page checksums, with 0 for new pages', () => {
    const buf = new Uint8Array(8192 * 5).map((_, i) => (i * 13 + (i >> 13)) & 0xff);
    buf.fill(0, 8192 * 2, 8192 * 3);
    const sums = pageChecksums(buf, 1000);
    for (let p = 0; p < 5; p++) {
      const page = buf.subarray(p * 8192, (p + 1) * 8192);
      expect(sums[p]).toBe(p === 2 ? 0 : referenceChecksum(page, 1000 + p));
    }
  });

  it('rejects bad sizes and block numbers with PgFormatError', () => {
    for (const f of [
      () => pageChecksum(new Uint8Array(100), 0),
      () => pageChecksum(new Uint8Array(8192), -1),
      () => pageChecksums(new Uint8Array(8193), 0),
    ]) {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(isPgFormatError(e)).toBe(true);
      }
    }
    expect(() => pageChecksum(new Uint8Array(100), 0)).toThrow('page size 100 is not a positive multiple of 128 bytes');
    expect(() => pageChecksum(new Uint8Array(8192), 2 ** 32)).toThrow('invalid block number 4294967296');
  });
});
