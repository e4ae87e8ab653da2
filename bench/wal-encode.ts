/**
 * WAL encoding throughput: record assembly + page layout for small records and for full-page
 * images (plain, hole-eliminated, pglz), the pglz compressor alone, and the WalWriter's
 * durable flush rate (fsync per acknowledgement). There is no C tool that encodes WAL to run
 * side by side; the ratio column compares with our own decoder reading the same bytes back.
 * Run: npx tsx bench/wal-encode.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalStreamDecoder } from '../src/common/wal/index.js';
import { pagesToSegments, pglzCompress, type RecordInput, WalEncoder } from '../src/common/wal-encode/index.js';
import { WalWriter } from '../src/node/wal-writer.js';
import { profile } from '../src/v16/profile.js';
import { makePage } from '../test/support/wal-builder.js';
import { printTable, timeIt } from './harness.js';

const SEG = 16 * 1024 * 1024;
const rel = { spcOid: 1663, dbOid: 5, relNumber: 16384 };
const heapLike = makePage(400, 6000, 'text', 7);
const full = makePage(0, 0, 'repeat', 3);

const cases: { name: string; make: (i: number) => RecordInput; n: number; input: number }[] = [
  { name: 'NOOP, 100 B main data', n: 20000, input: 100, make: () => ({ rmid: 0, info: 0x20, mainData: new Uint8Array(100) }) },
  {
    name: 'FPI, hole (pd_lower..pd_upper)',
    n: 2000,
    input: 8192,
    make: (i) => ({ rmid: 0, info: 0xb0, blocks: [{ id: 0, ...rel, blockNumber: i, image: { page: heapLike } }] }),
  },
  {
    name: 'FPI, hole + pglz',
    n: 2000,
    input: 8192,
    make: (i) => ({ rmid: 0, info: 0xb0, blocks: [{ id: 0, ...rel, blockNumber: i, image: { page: heapLike, compression: 'pglz' } }] }),
  },
  {
    name: 'FPI, no hole + pglz',
    n: 2000,
    input: 8192,
    make: (i) => ({ rmid: 0, info: 0xb0, blocks: [{ id: 0, ...rel, blockNumber: i, image: { page: full, compression: 'pglz' } }] }),
  },
];

const rows: (string | number)[][] = [];
for (const c of cases) {
  const inputs = Array.from({ length: c.n }, (_, i) => c.make(i));
  let bytes = 0;
  let segs = new Map<bigint, Uint8Array>();
  const encode = timeIt(
    () => {
      const enc = new WalEncoder({ profile, systemIdentifier: 1n, startLsn: BigInt(SEG), segmentSize: SEG });
      for (const r of inputs) enc.append(r);
      const pages = enc.takePages();
      bytes = pages.length * 8192;
      segs = pagesToSegments(pages, SEG);
    },
    3,
    0.5,
  );
  const data = [...segs.values()];
  const decode = timeIt(
    () => {
      const d = new WalStreamDecoder(profile, {});
      for (const s of data) d.push(s);
      d.end();
      for (const _ of d);
    },
    3,
    0.5,
  );
  rows.push([
    c.name,
    c.n,
    (c.n / encode / 1e3).toFixed(0),
    ((c.n * c.input) / encode / 1e6).toFixed(0),
    (bytes / encode / 1e6).toFixed(0),
    (encode / decode).toFixed(1),
  ]);
}
printTable(
  'WalEncoder: encode records into 16 MB segments (PostgreSQL 16 profile; best of 3)',
  ['records', 'count', 'k rec/s', 'MB payload/s', 'MB WAL out/s', 'encode÷decode time'],
  rows,
);

const pglzRows: (string | number)[][] = [];
for (const [name, page] of [
  ['heap-like page minus hole', heapLike.subarray(0, 400 + (8192 - 6000))],
  ['repeating 8 KB page', full],
  ['random 8 KB page (refused)', makePage(0, 0, 'random', 1)],
] as const) {
  const t = timeIt(() => pglzCompress(page), 5, 0.3);
  const out = pglzCompress(page);
  pglzRows.push([name, page.length, out === null ? 'refused' : out.length, (page.length / t / 1e6).toFixed(0)]);
}
printTable('pglzCompress (PGLZ_strategy_default; best of 5)', ['input', 'bytes', 'compressed', 'MB/s'], pglzRows);

const dir = mkdtempSync(join(tmpdir(), 'pgffi-bench-walwriter-'));
try {
  const w = WalWriter.open(dir, { profile, systemIdentifier: 1n, segmentSize: 1024 * 1024 });
  const n = 500;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    w.append({ rmid: 0, info: 0x20, mainData: new Uint8Array(200) });
    w.flush();
  }
  const s = (performance.now() - t0) / 1000;
  w.close();
  printTable(
    `WalWriter: append + flush (fsync) per record, ${tmpdir()}`,
    ['flushes', 'seconds', 'acks/s'],
    [[n, s.toFixed(2), (n / s).toFixed(0)]],
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
