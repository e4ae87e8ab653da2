/**
 * WAL stream targets (access/transam/xlogreader.c over XLogPageHeaderData/XLogRecord):
 *  - wal: mutated WAL (page surgery, header and record field rewrites with the record CRC
 *    recomputed so decoding reaches block references, images and rmgr bodies) pushed in random
 *    chunks; every record is consumed (describe, body, images); the outcome (records, error or
 *    end-of-WAL) must equal that of the same bytes pushed whole.
 *  - wal-stream: the same through decodeWalStream from an async source that stalls (yields
 *    nothing for a while, yields empty chunks) and resumes.
 */
import { CRC32C_INIT, crc32cFinish, crc32cUpdate } from '../../src/common/core/crc32c.js';
import { isPgFormatError } from '../../src/common/core/errors.js';
import type { PgMajor } from '../../src/common/core/version.js';
import type { PgVersionProfile } from '../../src/common/profile.js';
import { decodeWalStream } from '../../src/common/wal/source-reader.js';
import { type WalDecoderOptions, WalStreamDecoder } from '../../src/common/wal/stream-decoder.js';
import { profileFor } from '../../src/index.js';
import { ContractViolation } from '../contract.js';
import { BLCKSZ, type Field, mutateField, mutateGeneric, PAGED_MUTATORS, readU32, writeU32 } from '../mutate.js';
import { Rng } from '../rng.js';
import type { Corpus, FuzzInput, FuzzTarget } from '../target.js';
import { consumeRecord, recordFields } from './record-sink.js';

interface WalSeed {
  bytes: Uint8Array;
  major: PgMajor;
  /** [offset, length] of records that lie whole inside one page of the seed. */
  records: [number, number][];
}

function walSeeds(corpus: Corpus): WalSeed[] {
  return corpus.derived('wal-seeds', () =>
    corpus.of('wal').map((e) => {
      const records: [number, number][] = [];
      const d = new WalStreamDecoder(profileFor(e.major));
      d.push(e.bytes);
      d.end();
      try {
        for (const r of d) {
          const raw = r.raw;
          if (raw.buffer === e.bytes.buffer) records.push([raw.byteOffset - e.bytes.byteOffset, raw.length]);
        }
      } catch {
        // seeds end inside a record; what decoded is enough
      }
      return { bytes: e.bytes, major: e.major, records };
    }),
  );
}

/** Recomputes a record's xl_crc (over the body, then the header up to xl_crc). */
export function fixRecordCrc(b: Uint8Array, off: number, len: number): void {
  if (off + len > b.length || len < 24) return;
  let c = crc32cUpdate(CRC32C_INIT, b, off + 24, off + len);
  c = crc32cUpdate(c, b, off, off + 20);
  writeU32(b, off + 20, crc32cFinish(c));
}

function pageHeaderFields(b: Uint8Array, pageOff: number): Field[] {
  const f: Field[] = [
    { off: pageOff, size: 2, hints: [0xd10d, 0xd110, 0xd113, 0xd114] },
    { off: pageOff + 2, size: 2, hints: [0, 1, 2, 3, 4, 5, 6, 7, 8] },
    { off: pageOff + 4, size: 4, hints: [0, 1, 2] },
    { off: pageOff + 8, size: 4, hints: [readU32(b, pageOff + 8) + BLCKSZ, readU32(b, pageOff + 8) - BLCKSZ] },
    { off: pageOff + 12, size: 4, hints: [0, 1, 0x1fffff, 0x200000, 0xffffffff] },
    { off: pageOff + 16, size: 4, hints: [0, 1, 8, BLCKSZ - 24, BLCKSZ - 23, 0xffffffff] },
  ];
  if (pageOff % (16 * 1024 * 1024) === 0) {
    f.push(
      { off: pageOff + 32, size: 4, hints: [1 << 20, 1 << 30, 1 << 31, 3 << 20] },
      { off: pageOff + 36, size: 4, hints: [4096, 8192 * 2] },
    );
  }
  return f;
}

function mutateWal(seed: WalSeed, rng: Rng, corpus: Corpus): Uint8Array {
  const others = walSeeds(corpus);
  const other = (): Uint8Array => rng.pick(others).bytes;
  if (rng.chance(0.4) || seed.records.length === 0) return mutateGeneric(seed.bytes, rng, other, PAGED_MUTATORS);
  const b = seed.bytes.slice();
  for (let n = rng.small(4); n > 0; n--) {
    if (rng.chance(0.2)) {
      const pages = Math.max(1, Math.floor(b.length / BLCKSZ));
      mutateField(b, rng.pick(pageHeaderFields(b, rng.int(pages) * BLCKSZ)), rng);
      continue;
    }
    const [off, len] = rng.pick(seed.records);
    const bits = profileFor(seed.major).bkpImage;
    const fields = recordFields(b.subarray(off, off + len), bits.COMPRESS_PGLZ | bits.COMPRESS_LZ4 | bits.COMPRESS_ZSTD, bits.HAS_HOLE);
    const r = rng.int(10);
    if (fields === null || r < 2) {
      // bytes inside the record body
      for (let k = rng.small(6); k > 0; k--) b[off + 24 + rng.int(Math.max(1, len - 24))] = rng.int(256);
    } else if (r < 5) {
      const f = rng.pick(fields.header);
      mutateField(b, { ...f, off: off + f.off }, rng);
    } else if (r < 8 && fields.blockHeaders.length > 0) {
      const f = rng.pick(fields.blockHeaders);
      mutateField(b, { ...f, off: off + f.off }, rng);
    } else if (fields.mainLenField !== null) {
      const f = fields.mainLenField;
      mutateField(b, { ...f, off: off + f.off }, rng);
    }
    if (rng.chance(0.8)) fixRecordCrc(b, off, Math.min(len, readU32(b, off) >= 24 ? Math.min(readU32(b, off), len) : len));
  }
  return b;
}

function walOptions(input: FuzzInput, inputLsn: number): WalDecoderOptions {
  const o: WalDecoderOptions = { verifyCrc: input.params.verifyCrc !== false };
  const startDelta = Number(input.params.startDelta ?? -1);
  if (startDelta >= 0 && inputLsn >= 0) o.startLsn = BigInt(inputLsn + startDelta);
  if (input.params.sysid !== undefined) o.systemIdentifier = BigInt(String(input.params.sysid));
  return o;
}

function firstPageAddr(b: Uint8Array): number {
  return b.length >= 16 ? readU32(b, 12) * 0x1_0000_0000 + readU32(b, 8) : -1;
}

/** Records and outcome of decoding `chunks` (pushed one by one) with a fresh decoder. */
export function decodeChunks(profile: PgVersionProfile, chunks: readonly Uint8Array[], options: WalDecoderOptions): string[] {
  const out: string[] = [];
  let d: WalStreamDecoder;
  try {
    d = new WalStreamDecoder(profile, options);
  } catch (e) {
    if (isPgFormatError(e)) return [`ERR ${e.code} ${e.message} ${e.lsn}`];
    throw e;
  }
  try {
    for (const c of chunks) {
      d.push(c);
      for (let r = d.next(); r !== null; r = d.next()) out.push(consumeRecord(r, profile));
    }
    d.end();
    for (let r = d.next(); r !== null; r = d.next()) out.push(consumeRecord(r, profile));
    const e = d.endOfWal;
    out.push(`END ${e?.reason} ${e?.lsn} ${e?.message} ${e?.lastRecordLsn}`);
    if (!d.done) throw new ContractViolation('decoder not done after end() and next() returned null');
  } catch (e) {
    if (!isPgFormatError(e)) throw e;
    out.push(`ERR ${e.code} ${e.message} ${e.lsn}`);
  }
  return out;
}

export function chunkBytes(b: Uint8Array, seed: number): Uint8Array[] {
  const rng = new Rng(seed);
  const chunks: Uint8Array[] = [];
  const style = rng.int(4);
  for (let p = 0; p < b.length; ) {
    const n =
      style === 0
        ? rng.range(1, 64)
        : style === 1
          ? rng.pick([1, 7, 23, 24, 25, 40, BLCKSZ - 1, BLCKSZ, BLCKSZ + 1])
          : style === 2
            ? rng.range(1, 3 * BLCKSZ)
            : rng.range(1, 600);
    chunks.push(b.subarray(p, Math.min(b.length, p + n)));
    p += n;
  }
  return chunks;
}

function compare(whole: string[], other: string[], how: string): void {
  const n = Math.max(whole.length, other.length);
  for (let i = 0; i < n; i++) {
    if (whole[i] !== other[i]) {
      throw new ContractViolation(`${how} changed the result at item ${i}: whole input gives "${whole[i]}", ${how} gives "${other[i]}"`);
    }
  }
}

function generateWal(rng: Rng, corpus: Corpus): FuzzInput {
  const seeds = walSeeds(corpus);
  const seed = rng.pick(seeds);
  const bytes = mutateWal(seed, rng, corpus);
  const params: FuzzInput['params'] = { chunkSeed: rng.u32() };
  if (rng.chance(0.35)) params.verifyCrc = false;
  if (rng.chance(0.2)) params.startDelta = rng.chance(0.5) ? rng.int(3 * BLCKSZ) : rng.pick([0, 24, 40, BLCKSZ]);
  if (rng.chance(0.05)) params.sysid = String(rng.u32());
  return { bytes, major: seed.major, params };
}

export const walTarget: FuzzTarget = {
  name: 'wal',
  description:
    'WalStreamDecoder on mutated WAL in random chunks; every record described, decoded, images restored; chunking must not matter',
  generate: generateWal,
  run(input) {
    const profile = profileFor(input.major);
    const options = walOptions(input, firstPageAddr(input.bytes));
    const whole = decodeChunks(profile, [input.bytes], options);
    const chunked = decodeChunks(profile, chunkBytes(input.bytes, Number(input.params.chunkSeed ?? 1)), options);
    compare(whole, chunked, 'chunking');
  },
};

async function* stallingSource(chunks: readonly Uint8Array[], seed: number): AsyncGenerator<Uint8Array> {
  const rng = new Rng(seed ^ 0x5a5a5a5a);
  for (const c of chunks) {
    if (rng.chance(0.3)) {
      // a stall: the source has nothing for a while
      for (let k = rng.small(5); k > 0; k--) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (rng.chance(0.1)) yield new Uint8Array(0);
    yield c;
  }
}

export const walStreamTarget: FuzzTarget = {
  name: 'wal-stream',
  description: 'decodeWalStream over an async source that stalls and resumes, on mutated/truncated WAL; must equal the whole-input result',
  generate(rng, corpus) {
    const input = generateWal(rng, corpus);
    // Fewer, larger chunks keep the async case cheap; truncation is the interesting part.
    if (rng.chance(0.5)) input.bytes = input.bytes.subarray(0, rng.int(input.bytes.length + 1));
    return input;
  },
  async run(input) {
    const profile = profileFor(input.major);
    const options = walOptions(input, firstPageAddr(input.bytes));
    const whole = decodeChunks(profile, [input.bytes], options);
    if (whole[0]?.startsWith('ERR') && whole.length === 1 && input.bytes.length < 24) return;
    const out: string[] = [];
    const reader = decodeWalStream(
      profile,
      stallingSource(chunkBytes(input.bytes, Number(input.params.chunkSeed ?? 1)), Number(input.params.chunkSeed ?? 1)),
      options,
    );
    try {
      for await (const r of reader) out.push(consumeRecord(r, profile));
      const e = reader.endOfWal;
      if (input.bytes.length === 0) return;
      out.push(`END ${e?.reason} ${e?.lsn} ${e?.message} ${e?.lastRecordLsn}`);
    } catch (e) {
      if (!isPgFormatError(e)) throw e;
      out.push(`ERR ${e.code} ${e.message} ${e.lsn}`);
    }
    compare(whole, out, 'async stalling source');
  },
};
