/**
 * Encoder → decoder round trip (property tests, fast-check): random valid records (any rmgr,
 * xid, info, up to 5 block references with data, fork, relation, SAME_REL, WILL_INIT and
 * full-page images with and without holes, pglz or not, origin, top-level xid, short and long
 * main data, records spanning pages and segments, XLOG_SWITCH) are laid into 1 MB segments and
 * read back by the WAL decoder (src/common/wal), which must return every field as encoded and
 * restore every image to the page that was given (hole zeroed).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RM_XLOG_ID, XLOG_SWITCH } from '../../src/common/constants.js';
import type { PgVersionProfile } from '../../src/common/profile.js';
import { pglzDecompress, restoreFullPageImage, WalStreamDecoder } from '../../src/common/wal/index.js';
import {
  type BlockInput,
  encodeRecord,
  type PageImageInput,
  pagesToSegments,
  pglzCompress,
  type RecordInput,
  WalEncoder,
} from '../../src/common/wal-encode/index.js';
import { profile as p14 } from '../../src/v14/profile.js';
import { profile as p15 } from '../../src/v15/profile.js';
import { profile as p16 } from '../../src/v16/profile.js';
import { makePage } from '../support/wal-builder.js';

const SEED = Number(process.env.PGFFI_SEED ?? Date.now() % 2 ** 31);
const SEG = 1024 * 1024;
console.log(`round-trip seed: ${SEED} (PGFFI_SEED=${SEED} to replay)`);

/** A page with a standard header whose hole (pd_lower..pd_upper) is zero; body compressible or not. */
const pageArb = fc
  .record({
    lower: fc.integer({ min: 0, max: 8192 }),
    upper: fc.integer({ min: 0, max: 8192 }),
    pattern: fc.constantFrom('random', 'repeat', 'zeros', 'text'),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .map(({ lower, upper, pattern, seed }) => makePage(lower, upper, pattern, seed));

function recordArb(profile: PgVersionProfile): fc.Arbitrary<RecordInput> {
  const bytes = (max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength: max });
  const imageArb: fc.Arbitrary<PageImageInput> = fc.record({
    page: pageArb,
    hole: fc.constantFrom<'standard' | 'none'>('standard', 'standard', 'none'),
    compression: fc.constantFrom<'none' | 'pglz'>('none', 'pglz'),
    apply: fc.boolean(),
  });
  const blockArb = fc.record(
    {
      fork: fc.integer({ min: 0, max: 3 }),
      relIdx: fc.integer({ min: 0, max: 2 }),
      blockNumber: fc.integer({ min: 0, max: 0xffffffff }),
      willInit: fc.boolean(),
      sameRelOff: fc.boolean(),
      data: fc.oneof(bytes(0), bytes(64), bytes(600)),
      image: fc.option(imageArb, { freq: 3 }),
    },
    { requiredKeys: ['fork', 'relIdx', 'blockNumber', 'willInit', 'sameRelOff', 'data', 'image'] },
  );
  const rmidArb = profile.customRmgrs
    ? fc.oneof(fc.integer({ min: 0, max: profile.RM_MAX_BUILTIN_ID }), fc.integer({ min: 128, max: 255 }))
    : fc.integer({ min: 0, max: profile.RM_MAX_BUILTIN_ID });
  return fc
    .record({
      rmid: rmidArb,
      info: fc.integer({ min: 0, max: 255 }),
      xid: fc.integer({ min: 0, max: 0xffffffff }),
      ids: fc.uniqueArray(fc.integer({ min: 0, max: 32 }), { maxLength: 5 }),
      blocks: fc.array(blockArb, { minLength: 5, maxLength: 5 }),
      mainData: fc.oneof(bytes(0), bytes(255), bytes(1200), fc.uint8Array({ minLength: 9000, maxLength: 20000 })),
      origin: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 0xffff })),
      toplevelXid: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 0xffffffff })),
    })
    .map((r) => {
      const rels = [
        [1663, 5, 16384],
        [1663, 5, 16385],
        [1664, 0, 1262],
      ] as const;
      const ids = [...r.ids].sort((a, b) => a - b);
      const blocks: BlockInput[] = ids.map((id, i) => {
        const b = r.blocks[i]!;
        const rel = rels[b.relIdx]!;
        return {
          id,
          fork: b.fork,
          spcOid: rel[0],
          dbOid: rel[1],
          relNumber: rel[2],
          blockNumber: b.blockNumber,
          willInit: b.willInit,
          ...(b.sameRelOff ? { sameRel: false } : {}),
          data: b.data,
          ...(b.image === null ? {} : { image: b.image }),
        };
      });
      let info = r.info;
      if (r.rmid === RM_XLOG_ID && (info & 0xf0) === XLOG_SWITCH) info ^= 0x10;
      return { rmid: r.rmid, info, xid: r.xid, blocks, mainData: r.mainData, origin: r.origin, toplevelXid: r.toplevelXid };
    });
}

function decodeAll(profile: PgVersionProfile, segments: Map<bigint, Uint8Array>, chunk: number, inputLsn: bigint) {
  const d = new WalStreamDecoder(profile, { systemIdentifier: 42n, inputLsn, segmentSize: SEG, timeline: 3 });
  const nos = [...segments.keys()].sort((a, b) => (a < b ? -1 : 1));
  const out: { snap: ReturnType<typeof snapshot>; restored: (Uint8Array | null)[] }[] = [];
  const take = (): void => {
    for (const r of d)
      out.push({ snap: snapshot(r), restored: r.blocks.map((b) => (b.image ? restoreFullPageImage(profile, b, r.lsn) : null)) });
  };
  for (let s = nos[0]!; s <= nos.at(-1)!; s++) {
    const seg = segments.get(s) ?? new Uint8Array(SEG);
    for (let o = s === nos[0] ? Number(inputLsn % BigInt(SEG)) : 0; o < seg.length; o += chunk) {
      d.push(seg.subarray(o, Math.min(seg.length, o + chunk)));
      take();
    }
  }
  d.end();
  take();
  return { records: out, end: d.endOfWal };
}

function snapshot(r: import('../../src/common/wal/record.js').DecodedRecord) {
  return {
    lsn: r.lsn,
    endLsn: r.endLsn,
    prevLsn: r.prevLsn,
    xid: r.xid,
    rmid: r.rmid,
    info: r.info,
    totalLength: r.totalLength,
    crc: r.crc,
    origin: r.origin,
    toplevelXid: r.toplevelXid,
    mainData: Buffer.from(r.mainData).toString('hex'),
    blocks: r.blocks.map((b) => ({
      id: b.id,
      fork: b.fork,
      hasData: b.hasData,
      willInit: b.willInit,
      sameRel: b.sameRel,
      rel: [b.spcOid, b.dbOid, b.relNumber],
      blockNumber: b.blockNumber,
      data: Buffer.from(b.data).toString('hex'),
      image:
        b.image === null
          ? null
          : {
              bimgInfo: b.image.bimgInfo,
              holeOffset: b.image.holeOffset,
              holeLength: b.image.holeLength,
              compression: b.image.compression,
              apply: b.image.apply,
            },
    })),
  };
}

describe.each([p14, p15, p16])('PostgreSQL $major', (profile) => {
  it('random records → encode → decode gives every field back (seeded)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ weight: 12, arbitrary: recordArb(profile) }, { weight: 1, arbitrary: fc.constant<'switch'>('switch') }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.integer({ min: 0, max: 200 }),
        fc.constantFrom(8192, 65536, 1000, SEG),
        (items, startPages, chunk) => {
          const startLsn = BigInt(SEG + startPages * 8192);
          const enc = new WalEncoder({
            profile,
            systemIdentifier: 42n,
            startLsn,
            segmentSize: SEG,
            timeline: 3,
            bkpRemovable: startPages % 2 === 0,
          });
          const expected: { snap: ReturnType<typeof snapshot>; pages: (Uint8Array | null)[] }[] = [];
          for (const item of items) {
            if (item === 'switch') {
              const r = enc.appendSwitch();
              if (r !== null)
                expected.push({
                  snap: {
                    lsn: r.lsn,
                    endLsn: r.endLsn,
                    prevLsn: r.prevLsn,
                    xid: 0,
                    rmid: 0,
                    info: XLOG_SWITCH,
                    totalLength: 24,
                    crc: r.crc,
                    origin: 0,
                    toplevelXid: 0,
                    mainData: '',
                    blocks: [],
                  },
                  pages: [],
                });
              continue;
            }
            const r = enc.append(item);
            const a = r.assembled!;
            expected.push({
              snap: {
                lsn: r.lsn,
                endLsn: r.endLsn,
                prevLsn: r.prevLsn,
                xid: item.xid ?? 0,
                rmid: item.rmid,
                info: item.info,
                totalLength: r.totalLength,
                crc: r.crc,
                origin: item.origin ?? 0,
                toplevelXid: item.toplevelXid ?? 0,
                mainData: Buffer.from(item.mainData ?? []).toString('hex'),
                blocks: (item.blocks ?? []).map((b, i) => {
                  const img = a.images[i]!;
                  return {
                    id: b.id,
                    fork: b.fork ?? 0,
                    hasData: (b.data?.length ?? 0) > 0,
                    willInit: b.willInit ?? false,
                    sameRel: a.sameRel[i]!,
                    rel: [b.spcOid, b.dbOid, b.relNumber],
                    blockNumber: b.blockNumber,
                    data: Buffer.from(b.data ?? []).toString('hex'),
                    image:
                      img === null
                        ? null
                        : {
                            bimgInfo: img.bimgInfo,
                            holeOffset: img.holeOffset,
                            holeLength: img.holeLength,
                            compression: img.compression,
                            apply: img.apply,
                          },
                  };
                }),
              },
              pages: (item.blocks ?? []).map((b) => (b.image !== undefined && 'page' in b.image ? b.image.page : null)),
            });
          }
          const segs = pagesToSegments(enc.takePages(), SEG);
          const got = decodeAll(profile, segs, chunk, startLsn);
          expect(got.records.map((r) => r.snap)).toEqual(expected.map((e) => e.snap));
          got.records.forEach((r, i) => {
            expected[i]!.pages.forEach((page, j) => {
              if (page !== null) expect(Buffer.from(r.restored[j]!).equals(Buffer.from(page))).toBe(true);
            });
          });
          expect(got.end?.lastRecordLsn ?? null).toBe(expected.at(-1)?.snap.lsn ?? null);
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('images: hole elimination, pglz kept only when it pays, version-bound bimg_info bits', () => {
    const page = makePage(400, 7000, 'repeat', 1);
    const enc = new WalEncoder({ profile, systemIdentifier: 1n, startLsn: BigInt(SEG), segmentSize: SEG });
    const rel = { spcOid: 1663, dbOid: 5, relNumber: 16384 };
    const r = enc.append({
      rmid: 0,
      info: 0xb0,
      blocks: [
        { id: 0, ...rel, blockNumber: 1, image: { page } },
        { id: 1, ...rel, blockNumber: 2, image: { page, compression: 'pglz' } },
        { id: 2, ...rel, blockNumber: 3, image: { page: makePage(0, 0, 'random', 9), compression: 'pglz', hole: 'none' } },
      ],
    });
    const [a, b, c] = r.assembled!.images;
    const bits = profile.bkpImage;
    expect(a).toMatchObject({ holeOffset: 400, holeLength: 6600, compression: 'none', bimgInfo: bits.HAS_HOLE | bits.APPLY });
    expect(a!.stored.length).toBe(8192 - 6600);
    expect(b).toMatchObject({
      holeOffset: 400,
      holeLength: 6600,
      compression: 'pglz',
      bimgInfo: bits.HAS_HOLE | bits.APPLY | bits.COMPRESS_PGLZ,
    });
    expect(c).toMatchObject({ holeOffset: 0, holeLength: 0, compression: 'none', bimgInfo: bits.APPLY });
    expect(profile.major === 14 ? bits.COMPRESS_PGLZ : bits.APPLY).toBe(0x02);
  });
});

describe.each([p14, p15, p16])('stored images and raw records, PostgreSQL $major', (profile) => {
  it('a stored (pre-compressed) image and a pre-assembled record decode as given', () => {
    const page = makePage(200, 5000, 'repeat', 4);
    const source = new Uint8Array(8192 - 4800);
    source.set(page.subarray(0, 200), 0);
    source.set(page.subarray(5000), 200);
    const stored = pglzCompress(source)!;
    const bits = profile.bkpImage;
    const enc = new WalEncoder({ profile, systemIdentifier: 42n, startLsn: BigInt(SEG), segmentSize: SEG });
    const a = enc.append({
      rmid: 0,
      info: 0xb0,
      blocks: [
        {
          id: 3,
          spcOid: 1663,
          dbOid: 1,
          relNumber: 99,
          blockNumber: 7,
          image: { stored, bimgInfo: bits.HAS_HOLE | bits.COMPRESS_PGLZ, holeOffset: 200, holeLength: 4800 },
        },
      ],
    });
    const raw = encodeRecord(profile, { rmid: 0, info: 0x20, xid: 9, mainData: new Uint8Array([1, 2, 3]) }, 0n);
    const b = enc.appendRaw(raw.slice());
    expect(b.prevLsn).toBe(a.lsn);
    const d = new WalStreamDecoder(profile, {});
    for (const p of enc.takePages()) d.push(p.bytes);
    d.end();
    const recs = [...d].map((r) => ({
      r,
      page: r.blocks[0] ? restoreFullPageImage(profile, r.blocks[0], r.lsn) : null,
      main: r.mainData.slice(),
    }));
    expect(recs.length).toBe(2);
    const img = recs[0]!.r.blocks[0]!.image!;
    expect([img.compression, img.apply, img.holeOffset, img.holeLength]).toEqual(['pglz', false, 200, 4800]);
    expect(Buffer.from(recs[0]!.page!).equals(Buffer.from(page))).toBe(true);
    expect([recs[1]!.r.lsn, recs[1]!.r.prevLsn, recs[1]!.r.xid, [...recs[1]!.main]]).toEqual([b.lsn, a.lsn, 9, [1, 2, 3]]);
  });

  it('refuses what PostgreSQL would not write', () => {
    const rel = { spcOid: 1, dbOid: 2, relNumber: 3, blockNumber: 4 };
    expect(() =>
      encodeRecord(
        profile,
        {
          rmid: 0,
          info: 0,
          blocks: [
            { id: 2, ...rel },
            { id: 1, ...rel },
          ],
        },
        0n,
      ),
    ).toThrow(/out-of-order block_id/);
    expect(() => encodeRecord(profile, { rmid: 0, info: 0, blocks: [{ id: 33, ...rel }] }, 0n)).toThrow(/invalid block_id/);
    expect(() => encodeRecord(profile, { rmid: 0, info: 0, blocks: [{ id: 0, ...rel, sameRel: true }] }, 0n)).toThrow(/SAME_REL/);
    expect(() => encodeRecord(profile, { rmid: 0, info: 0, blocks: [{ id: 0, ...rel, data: new Uint8Array(65536) }] }, 0n)).toThrow(
      /uint16/,
    );
    const custom = (): Uint8Array => encodeRecord(profile, { rmid: 200, info: 0 }, 0n);
    if (profile.customRmgrs) expect(custom().length).toBe(24);
    else expect(custom).toThrow(/invalid resource manager ID 200/);
  });
});

describe('pglz compressor', () => {
  it('round trips through the decoder’s pglz_decompress (seeded)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 0, maxLength: 9000 }),
          fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 300 }).map((parts) => {
            const pick = parts.flatMap((p, i) => [...p, ...(parts[i % 3] ?? [])]);
            return Uint8Array.from(pick);
          }),
          fc.tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 32, max: 9000 })).map(([period, n]) => {
            const a = new Uint8Array(n);
            for (let i = 0; i < n; i++) a[i] = (i % period) * 13;
            return a;
          }),
        ),
        (src) => {
          const c = pglzCompress(src);
          if (c === null) return;
          expect(c.length).toBeLessThan(src.length - Math.floor((src.length * 25) / 100) + 1);
          const out = new Uint8Array(src.length);
          expect(pglzDecompress(c, out)).toBe(true);
          expect(Buffer.from(out).equals(Buffer.from(src))).toBe(true);
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('follows the default strategy: < 32 bytes and incompressible input are refused', () => {
    expect(pglzCompress(new Uint8Array(31))).toBeNull();
    expect(pglzCompress(new Uint8Array(32))).not.toBeNull();
    const noise = makePage(0, 0, 'random', 5);
    expect(pglzCompress(noise)).toBeNull();
    // 8 KB of zeros: one literal then maximal (273-byte) back-references.
    const z = pglzCompress(new Uint8Array(8192))!;
    expect(z.length).toBeLessThan(120);
  });
});
