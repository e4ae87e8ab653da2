/**
 * The measuring side of bench/wal-decode.ts, in a plain `node` process on the compiled library
 * (as users run it: no tsx, whose module hooks make the native path measure ~6% slower).
 *
 *   node bench/wal-decode-child.mjs '<json: { dist, files, startLsn, rounds, native, objects, verifyCrc }>'
 *
 * Decodes the segment files (read once) `rounds` times with WalStreamDecoder and prints
 * { records, blocks, wall, cpu } as JSON (best wall and best CPU seconds over the rounds).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const o = JSON.parse(process.argv[2]);
const { WalStreamDecoder } = await import(join(o.dist, 'common', 'wal', 'index.js'));
const { profileFor } = await import(join(o.dist, 'index.js'));
if (o.native) {
  const native = await import(join(o.dist, 'node', 'native.js'));
  if (!native.nativeActive()) throw new Error(`native module not loaded: ${native.nativeUnavailableReason}`);
}
const segments = o.files.map((f) => readFileSync(f));
const profile = profileFor(15);
const startLsn = BigInt(o.startLsn);
let records = 0;
let blocks = 0;
function decodeAll() {
  const d = new WalStreamDecoder(profile, { startLsn, verifyCrc: o.verifyCrc });
  records = 0;
  blocks = 0;
  for (const s of segments) {
    d.push(s);
    for (let r = d.next(); r !== null; r = d.next()) {
      records++;
      blocks += o.objects ? r.blocks.length : r.blockCount;
    }
  }
  d.end();
  for (let r = d.next(); r !== null; r = d.next()) records++;
}
decodeAll();
let wall = Number.POSITIVE_INFINITY;
let cpu = Number.POSITIVE_INFINITY;
for (let i = 0; i < o.rounds; i++) {
  const t = performance.now();
  const c = process.cpuUsage();
  decodeAll();
  const u = process.cpuUsage(c);
  wall = Math.min(wall, (performance.now() - t) / 1000);
  cpu = Math.min(cpu, (u.user + u.system) / 1e6);
}
console.log(JSON.stringify({ records, blocks, wall, cpu }));
