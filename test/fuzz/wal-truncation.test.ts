/**
 * Truncated and stalled WAL streams (complements test/wal's chunking tests, which use intact
 * WAL): real WAL of 14, 15 and 16 (pglz, lz4, zstd images) cut at seeded random points, at
 * page boundaries ±1 and inside record headers must give a prefix of the whole decode — every
 * record that ends before the cut, nothing invented — and stop with end-of-input, never an
 * error; a truncated stream fed through an async source that stalls must give the same.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../fuzz/rng.js';
import { Corpus } from '../../fuzz/target.js';
import { decodeChunks } from '../../fuzz/targets/wal.js';
import { isPgFormatError } from '../../src/common/core/errors.js';
import { decodeWalStream } from '../../src/common/wal/source-reader.js';
import { WalStreamDecoder } from '../../src/common/wal/stream-decoder.js';
import { profileFor } from '../../src/index.js';

const corpus = Corpus.load();
const SEED = 'trunc-1';

interface Rec {
  lsn: bigint;
  end: bigint;
  len: number;
}

function decode(major: 14 | 15 | 16, bytes: Uint8Array): { records: Rec[]; reason: string | null; error: string | null } {
  const d = new WalStreamDecoder(profileFor(major));
  d.push(bytes);
  d.end();
  const records: Rec[] = [];
  try {
    for (const r of d) records.push({ lsn: r.lsn, end: r.endLsn, len: r.totalLength });
  } catch (e) {
    if (!isPgFormatError(e)) throw e;
    return { records, reason: null, error: e.message };
  }
  return { records, reason: d.endOfWal?.reason ?? null, error: null };
}

function cutPoints(bytes: Uint8Array, records: Rec[], firstLsn: bigint, rng: Rng): number[] {
  const cuts = new Set<number>([0, 1, 23, 24, 39, 40, bytes.length - 1]);
  for (let p = 8192; p < bytes.length; p += 8192) for (const d of [-1, 0, 1, 24]) cuts.add(p + d);
  for (const r of records.slice(0, 12)) {
    const off = Number(r.lsn - firstLsn);
    for (const d of [0, 1, 4, 23, 24, 25, r.len - 1, r.len]) cuts.add(off + d);
  }
  for (let i = 0; i < 16; i++) cuts.add(rng.int(bytes.length));
  return [...cuts].filter((c) => c >= 0 && c < bytes.length).sort((a, b) => a - b);
}

describe(`truncated WAL (seed ${SEED})`, () => {
  const seeds = corpus.of('wal');
  for (const major of [14, 15, 16] as const) {
    it(`PostgreSQL ${major}: every cut gives a prefix of the records and end-of-input`, () => {
      const rng = new Rng(`${SEED}:${major}`);
      let checked = 0;
      for (const seed of seeds.filter((s) => s.major === major)) {
        const whole = decode(major, seed.bytes);
        expect(whole.error).toBeNull();
        const firstLsn =
          BigInt(new DataView(seed.bytes.buffer, seed.bytes.byteOffset).getUint32(8, true)) |
          (BigInt(new DataView(seed.bytes.buffer, seed.bytes.byteOffset).getUint32(12, true)) << 32n);
        for (const cut of cutPoints(seed.bytes, whole.records, firstLsn, rng)) {
          const part = decode(major, seed.bytes.subarray(0, cut));
          const where = `${seed.file} cut at ${cut}`;
          expect(part.error, where).toBeNull();
          if (cut >= 24) expect(part.reason, where).toBe('end-of-input');
          expect(part.records, where).toEqual(whole.records.slice(0, part.records.length));
          const cutLsn = firstLsn + BigInt(cut);
          const complete = whole.records.filter((r) => r.end <= cutLsn).length;
          expect(part.records.length, where).toBeGreaterThanOrEqual(complete);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(500);
    });
  }

  it('a truncated stream through a stalling async source equals the same bytes decoded whole', async () => {
    const rng = new Rng(`${SEED}:async`);
    for (let i = 0; i < 30; i++) {
      const seed = rng.pick(seeds);
      const profile = profileFor(seed.major);
      const bytes = seed.bytes.subarray(0, 24 + rng.int(seed.bytes.length - 24));
      const whole = decodeChunks(profile, [bytes], {}).map((s) => s.replace(/^END .*/, 'END'));
      async function* source(): AsyncGenerator<Uint8Array> {
        for (let p = 0; p < bytes.length; ) {
          const n = rng.range(1, 3000);
          if (rng.chance(0.3)) for (let k = rng.small(4); k > 0; k--) await new Promise<void>((r) => setImmediate(r));
          if (rng.chance(0.1)) yield new Uint8Array(0);
          yield bytes.subarray(p, p + n);
          p += n;
        }
      }
      const out: string[] = [];
      const { consumeRecord } = await import('../../fuzz/targets/record-sink.js');
      const reader = decodeWalStream(profile, source());
      for await (const r of reader) out.push(consumeRecord(r, profile));
      out.push('END');
      expect(out, `${seed.file} first ${bytes.length} bytes`).toEqual(whole);
      expect(reader.endOfWal?.reason).toBe('end-of-input');
    }
  });
});
