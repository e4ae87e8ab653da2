/**
 * CRC-32C throughput at 1 KB, 64 KB, 1 MB and 16 MB: our native module, our pure TypeScript,
 * the `crc-32` package's crc32c and `@node-rs/crc32`, side by side in one run.
 * Run: npx tsx bench/crc32c.ts
 */
import { crc32c as nodeRsCrc32c } from '@node-rs/crc32';
import CRC32C from 'crc-32/crc32c.js';
import { installAccelerator } from '../src/common/core/accelerator.js';
import { crc32c } from '../src/common/core/crc32c.js';
import { nativeBinding } from '../src/node/native.js';
import { gbPerSecond, printTable, timeIt } from './harness.js';

installAccelerator(null); // measure the pure-TS path as such
const data = new Uint8Array(16 << 20);
for (let i = 0, x = 1; i < data.length; i++) {
  x = Math.imul(x, 1103515245) + 12345;
  data[i] = x >>> 24;
}
const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);

const rows: string[][] = [];
for (const size of [1 << 10, 64 << 10, 1 << 20, 16 << 20]) {
  const view = data.subarray(0, size);
  const buf = buffer.subarray(0, size);
  const ts = timeIt(() => crc32c(view));
  const crc32 = timeIt(() => CRC32C.buf(view));
  const noders = timeIt(() => nodeRsCrc32c(buf));
  const native = nativeBinding === null ? Number.NaN : timeIt(() => nativeBinding!.crc32c(view));
  rows.push([
    size >= 1 << 20 ? `${size >> 20} MB` : `${size >> 10} KB`,
    gbPerSecond(size, native),
    gbPerSecond(size, ts),
    gbPerSecond(size, crc32),
    gbPerSecond(size, noders),
    (noders / native).toFixed(2),
    (crc32 / ts).toFixed(2),
  ]);
}
printTable(
  'CRC-32C throughput (GB/s; best of 5)',
  ['size', 'native', 'pure TS', 'crc-32', '@node-rs/crc32', 'native / @node-rs', 'pure TS / crc-32'],
  rows,
);
