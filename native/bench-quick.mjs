// Quick smoke test + throughput numbers for the native addon.
// Usage (inside native/, after `npm run build`): node bench-quick.mjs

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const native = require('./index.js');
const { crc32c, crc32cAsync, pageChecksum, scanPages, scanPagesAsync, verifyRecordCrcs, nativeInfo } = native;

const BLCKSZ = 8192;

function fillRandom(buf, seed = 0x9e3779b9) {
  let x = seed >>> 0;
  const u32 = new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength >>> 2);
  for (let i = 0; i < u32.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    u32[i] = x;
  }
}

// ---- smoke checks -------------------------------------------------------------------------
assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
assert.equal(crc32c(Buffer.from('56789'), crc32c(Buffer.from('1234'))), 0xe3069283);
assert.equal(await crc32cAsync(new TextEncoder().encode('123456789')), 0xe3069283);
{
  const pages = readFileSync(new URL('./testdata/pg15_heap_pages.bin', import.meta.url));
  for (let i = 0; i < pages.length / BLCKSZ; i++) {
    const page = pages.subarray(i * BLCKSZ, (i + 1) * BLCKSZ);
    assert.equal(pageChecksum(page, i), page.readUInt16LE(8), `fixture page ${i}`);
  }
  assert.deepEqual(scanPages(pages, 0), []);
  assert.equal((await scanPagesAsync(pages, 7)).length, pages.length / BLCKSZ);
  assert.throws(() => pageChecksum(new Uint8Array(100), 0));
  const wal = readFileSync(new URL('./testdata/pg15_wal_64k.bin', import.meta.url));
  const recs = readFileSync(new URL('./testdata/pg15_wal_64k.records.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(/\s+/).map(Number));
  const offsets = Uint32Array.from(recs.map((r) => r[0]));
  const lengths = Uint32Array.from(recs.map((r) => r[1]));
  const bad = verifyRecordCrcs(wal, offsets, lengths);
  assert.ok(bad instanceof Uint32Array);
  assert.deepEqual([...bad], []);
  wal[offsets[2] + 21] ^= 1; // corrupt stored xl_crc of record 2
  assert.deepEqual([...verifyRecordCrcs(wal, offsets, lengths)], [2]);
}
console.log('smoke checks ok;', JSON.stringify(nativeInfo()));

// ---- helpers ------------------------------------------------------------------------------
function timeIt(fn, minSeconds = 0.5) {
  fn(); // warm-up
  let iters = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  do {
    fn();
    iters++;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  } while (elapsed < minSeconds);
  return elapsed / iters; // seconds per call
}
const gbps = (bytes, secs) => (bytes / secs / 1e9).toFixed(2);

// ---- crc32c -------------------------------------------------------------------------------
const big = new Uint8Array(64 * 1024 * 1024);
fillRandom(big);
console.log('\ncrc32c (sync, one call per buffer):');
for (const [label, size] of [
  ['1 KB', 1024],
  ['64 KB', 65536],
  ['1 MB', 1 << 20],
  ['16 MB', 16 << 20],
]) {
  const buf = big.subarray(0, size);
  let _sink = 0;
  const s = timeIt(() => {
    _sink ^= crc32c(buf);
  });
  console.log(`  ${label.padStart(6)}: ${gbps(size, s).padStart(7)} GB/s  (${(s * 1e9).toFixed(0)} ns/call)`);
}
{
  const size = 16 << 20;
  const buf = big.subarray(0, size);
  const n = 20;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: n }, () => crc32cAsync(buf)));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`  crc32cAsync 16 MB x ${n} concurrent: ${gbps(size * n, s)} GB/s aggregate`);
}

// ---- page checksums -----------------------------------------------------------------------
// 64 MB of random "pages" with a non-zero pd_upper and a correct pd_checksum, so the scan
// computes every checksum and returns no mismatches.
const npages = big.length / BLCKSZ;
for (let i = 0; i < npages; i++) {
  const page = big.subarray(i * BLCKSZ, (i + 1) * BLCKSZ);
  page[14] = 0x00;
  page[15] = 0x1f; // pd_upper = 0x1f00
  const c = pageChecksum(page, i);
  page[8] = c & 0xff;
  page[9] = c >>> 8;
}
assert.deepEqual(scanPages(big, 0), []);
console.log(`\npage checksums over a ${big.length >> 20} MB buffer (${npages} pages):`);
{
  const s = timeIt(() => scanPages(big, 0), 1.0);
  console.log(`  scanPages (sync):        ${gbps(big.length, s)} GB/s  ${(npages / s / 1e6).toFixed(2)} M pages/s`);
}
{
  const s = timeIt(() => {
    for (let i = 0; i < npages; i++) pageChecksum(big.subarray(i * BLCKSZ, (i + 1) * BLCKSZ), i);
  }, 1.0);
  console.log(`  pageChecksum per page:   ${gbps(big.length, s)} GB/s  ${(npages / s / 1e6).toFixed(2)} M pages/s`);
}
{
  // Two halves on the libuv pool in parallel (2 cores here).
  const half = big.length / 2;
  const t0 = process.hrtime.bigint();
  const reps = 10;
  for (let r = 0; r < reps; r++) {
    const res = await Promise.all([scanPagesAsync(big.subarray(0, half), 0), scanPagesAsync(big.subarray(half), npages / 2)]);
    assert.equal(res[0].length + res[1].length, 0);
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9 / reps;
  console.log(`  scanPagesAsync 2 halves: ${gbps(big.length, s)} GB/s  ${(npages / s / 1e6).toFixed(2)} M pages/s`);
}
{
  // Pure-JS reference point (Math.imul), 8 MB.
  const BASE = Uint32Array.of(
    0x5b1f36e9,
    0xb8525960,
    0x02ab50aa,
    0x1de66d2a,
    0x79ff467a,
    0x9bb9f8a3,
    0x217e7cd2,
    0x83e13d2c,
    0xf8d4474f,
    0xe39eb970,
    0x42c6ae16,
    0x993216fa,
    0x7b093b5d,
    0x98daff3c,
    0xf718902a,
    0x0b1c9cdb,
    0xe58f764b,
    0x187636bc,
    0x5d7b3bb1,
    0xe73de7de,
    0x92bec979,
    0xcca6c0b2,
    0x304a0979,
    0x85aa43d4,
    0x783125bb,
    0x6ca8eaa2,
    0xe407eac6,
    0x4b5cfc3e,
    0x9fbf8c76,
    0x15ca20be,
    0xf2ca9fd3,
    0x959bd756,
  );
  const sums = new Uint32Array(32);
  const jsChecksum = (u32, blk) => {
    sums.set(BASE);
    for (let i = 0; i < 64; i++) {
      for (let j = 0; j < 32; j++) {
        let v = u32[i * 32 + j];
        if (i === 0 && j === 2) v &= 0xffff0000;
        const t = sums[j] ^ v;
        sums[j] = Math.imul(t, 16777619) ^ (t >>> 17);
      }
    }
    let r = 0;
    for (let j = 0; j < 32; j++) {
      let s = sums[j];
      for (let k = 0; k < 2; k++) s = Math.imul(s, 16777619) ^ (s >>> 17);
      r ^= s;
    }
    return (((r ^ blk) >>> 0) % 65535) + 1;
  };
  const n = 1024;
  for (let i = 0; i < 8; i++) {
    assert.equal(jsChecksum(new Uint32Array(big.buffer, i * BLCKSZ, 2048), i), pageChecksum(big.subarray(i * BLCKSZ, (i + 1) * BLCKSZ), i));
  }
  const s = timeIt(() => {
    for (let i = 0; i < n; i++) jsChecksum(new Uint32Array(big.buffer, i * BLCKSZ, 2048), i);
  }, 1.0);
  console.log(`  (pure JS reference:      ${gbps(n * BLCKSZ, s)} GB/s  ${(n / s / 1e6).toFixed(2)} M pages/s)`);
}
