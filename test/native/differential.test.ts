/**
 * The native module against the pure-TS reference on the same inputs: random buffers and
 * seeds (CRC-32C), random pages and block numbers (page checksum, batch scan), and real pages
 * and WAL records written by a PostgreSQL 15 server (native/testdata). Skipped, visibly, only
 * when the module is not built; CI builds it, and POSTGRES_FFI_NATIVE=1 makes its absence fail.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c as tsCrc32c } from '../../src/common/core/crc32c.js';
import { pageIsNew, storedChecksum, pageChecksum as tsPageChecksum } from '../../src/common/page/checksum.js';
import { nativeBinding, nativeUnavailableReason } from '../../src/node/native.js';

const native = nativeBinding;
const testdata = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../native/testdata/${name}`, import.meta.url)));

/** Pure-TS CRC without the accelerator: the reference must not route through native itself. */
function referenceCrc(bytes: Uint8Array, seed: number): number {
  let c = seed;
  for (let i = 0; i < bytes.length; i += 128) c = tsCrc32c(bytes.subarray(i, Math.min(bytes.length, i + 128)), c);
  return c;
}

describe.skipIf(native === null)(
  `native module vs pure TypeScript${native === null ? ` (skipped: ${nativeUnavailableReason})` : ''}`,
  () => {
    const n = native!;

    it('CRC-32C: identical for random buffers 0..1 MB and random seeds', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1 << 20 }), fc.integer({ min: 0, max: 0xffffffff }), fc.nat(), (len, seed, fill) => {
          const buf = new Uint8Array(len);
          let x = fill | 1;
          for (let i = 0; i < len; i++) {
            x = Math.imul(x, 1103515245) + 12345;
            buf[i] = x >>> 24;
          }
          return n.crc32c(buf, seed) === referenceCrc(buf, seed);
        }),
        { numRuns: 60 },
      );
      expect(n.crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    });

    it('page checksum and batch scan: identical for random pages and block numbers', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 8192 * 3, maxLength: 8192 * 3 }), fc.integer({ min: 0, max: 0xfffffff0 }), (buf, blk) => {
          buf[14] = buf[14]! | 1; // pd_upper != 0: not a new page
          for (let p = 0; p < 3; p++) {
            const page = buf.subarray(p * 8192, (p + 1) * 8192);
            if (n.pageChecksum(page, blk + p) !== tsPageChecksum(page, blk + p)) return false;
          }
          const expected = [0, 1, 2]
            .map((p) => ({ p, page: buf.subarray(p * 8192, (p + 1) * 8192) }))
            .filter(({ page }) => !pageIsNew(page))
            .map(({ p, page }) => ({ block: blk + p, stored: storedChecksum(page), computed: tsPageChecksum(page, blk + p) }))
            .filter((m) => m.stored !== m.computed);
          expect(n.scanPages(buf, blk)).toEqual(expected);
          return true;
        }),
        { numRuns: 200 },
      );
    });

    it('agrees with checksums and CRCs a real PostgreSQL 15 server wrote', () => {
      const pages = testdata('pg15_heap_pages.bin');
      for (let b = 0; b < pages.length / 8192; b++) {
        const page = pages.subarray(b * 8192, (b + 1) * 8192);
        expect(n.pageChecksum(page, b)).toBe(storedChecksum(page));
        expect(tsPageChecksum(page, b)).toBe(storedChecksum(page));
      }
      expect(n.scanPages(pages, 0)).toEqual([]);
      const wal = testdata('pg15_wal_64k.bin');
      const lines = readFileSync(new URL('../../native/testdata/pg15_wal_64k.records.txt', import.meta.url), 'utf8')
        .split('\n')
        .filter((l) => /^\d/.test(l));
      expect(lines.length).toBeGreaterThanOrEqual(10);
      for (const line of lines) {
        const [off, len] = line.split(/\s+/).map(Number) as [number, number];
        const rec = wal.subarray(off, off + len);
        const stored = new DataView(rec.buffer, rec.byteOffset).getUint32(20, true);
        const tsCrc = referenceCrc(rec.subarray(0, 20), referenceCrc(rec.subarray(24), 0));
        expect(tsCrc).toBe(stored);
        expect(n.crc32c(rec.subarray(0, 20), n.crc32c(rec.subarray(24)))).toBe(stored);
      }
    });
  },
);
