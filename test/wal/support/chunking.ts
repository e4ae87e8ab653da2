/**
 * Deterministic simulation helpers: a seeded PRNG (mulberry32) and decoding of WAL bytes
 * pushed in chunks of random or given sizes. A failing seed replays with WAL_SEED=<seed>.
 */
import type { PgVersionProfile } from '../../../src/common/profile.js';
import { type WalDecoderOptions, WalStreamDecoder } from '../../../src/common/wal/stream-decoder.js';
import { mulberry32 } from '../../support/prng.js';

export { mulberry32 };

/** "lsn:crc:end" per record plus the end-of-WAL line: the identity of a decoded sequence. */
export function decodeSequence(profile: PgVersionProfile, bytes: Uint8Array, options: WalDecoderOptions, sizes: () => number): string[] {
  const d = new WalStreamDecoder(profile, options);
  const out: string[] = [];
  let off = 0;
  while (off < bytes.length) {
    const n = Math.max(1, Math.min(bytes.length - off, sizes()));
    d.push(bytes.subarray(off, off + n));
    off += n;
    for (let r = d.next(); r !== null; r = d.next())
      out.push(`${r.lsnNumber}:${r.crc}:${r.endLsnNumber}:${r.mainData.length}:${r.blocks.length}`);
  }
  d.end();
  for (let r = d.next(); r !== null; r = d.next())
    out.push(`${r.lsnNumber}:${r.crc}:${r.endLsnNumber}:${r.mainData.length}:${r.blocks.length}`);
  const e = d.endOfWal;
  out.push(e === null ? 'no end' : `${e.reason} ${e.lsn} ${e.message}`);
  return out;
}

/** Chunk sizes for a seed: a mix of tiny, page-ish and large chunks. */
export function randomSizes(seed: number): () => number {
  const rnd = mulberry32(seed);
  const mode = Math.floor(rnd() * 3);
  return () => {
    const m = mode === 2 ? Math.floor(rnd() * 3) : mode;
    if (m === 0) return 1 + Math.floor(rnd() * 64);
    if (m === 1) return 1 + Math.floor(rnd() * 20000);
    return 1 + Math.floor(rnd() * 300000);
  };
}
