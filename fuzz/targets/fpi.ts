/**
 * Full-page-image target (RestoreBlockImage, common/pg_lzcompress.c pglz_decompress, LZ4 raw
 * blocks, zstd frames): real images from the WAL corpus (pglz on 14–16, lz4 and zstd from
 * Debian's 15, uncompressed) with their bytes mutated and their header values (compression,
 * hole offset/length, stored length) rewritten with boundary values. The restored page must be
 * exactly BLCKSZ bytes; the decompressors must never write past or allocate beyond a page.
 */

import type { PgMajor } from '../../src/common/core/version.js';
import { lz4DecompressBlock, pglzDecompress, restoreFullPageImage, zstdDecompressFrame } from '../../src/common/wal/full-page-image.js';
import type { BlockImage, BlockReference, ImageCompression } from '../../src/common/wal/record.js';
import { WalStreamDecoder } from '../../src/common/wal/stream-decoder.js';
import { profileFor } from '../../src/index.js';
import { ContractViolation } from '../contract.js';
import { INTERESTING_U16, mutateGeneric } from '../mutate.js';
import type { Corpus, FuzzTarget } from '../target.js';

interface ImageSeed {
  bytes: Uint8Array;
  major: PgMajor;
  compression: ImageCompression;
  holeOffset: number;
  holeLength: number;
  bimgInfo: number;
}

const COMPRESSIONS: readonly ImageCompression[] = ['none', 'pglz', 'lz4', 'zstd'];

function imageSeeds(corpus: Corpus): ImageSeed[] {
  return corpus.derived('image-seeds', () => {
    const byKind = new Map<string, ImageSeed[]>();
    for (const e of corpus.of('wal')) {
      const d = new WalStreamDecoder(profileFor(e.major));
      d.push(e.bytes);
      d.end();
      try {
        for (const r of d) {
          for (const b of r.blocks) {
            const img = b.image;
            if (img === null) continue;
            const list = byKind.get(img.compression) ?? [];
            if (list.length < 60) {
              list.push({
                bytes: img.bytes.slice(),
                major: e.major,
                compression: img.compression,
                holeOffset: img.holeOffset,
                holeLength: img.holeLength,
                bimgInfo: img.bimgInfo,
              });
            }
            byKind.set(img.compression, list);
          }
        }
      } catch {
        // seeds end inside a record
      }
    }
    return [...byKind.values()].flat();
  });
}

export const fpiTarget: FuzzTarget = {
  name: 'fpi',
  description: 'restoreFullPageImage and the pglz/lz4/zstd decompressors on mutated images and rewritten hole/length/compression values',
  generate(rng, corpus) {
    const seeds = imageSeeds(corpus);
    const seed = rng.pick(seeds);
    const bytes = rng.chance(0.85) ? mutateGeneric(seed.bytes, rng, () => rng.pick(seeds).bytes) : seed.bytes.slice();
    let { holeOffset, holeLength, compression } = seed;
    if (rng.chance(0.25)) holeOffset = rng.chance(0.5) ? rng.pick(INTERESTING_U16) : holeOffset + rng.range(-8, 8);
    if (rng.chance(0.25)) holeLength = rng.chance(0.5) ? rng.pick(INTERESTING_U16) : holeLength + rng.range(-8, 8);
    if (rng.chance(0.1)) compression = rng.pick(COMPRESSIONS);
    const destLen = rng.chance(0.2) ? rng.pick([0, 1, 2, 3, 4, 8, 100, 8191, 8192, 4096]) : 8192 - Math.max(0, Math.min(8192, holeLength));
    return {
      bytes,
      major: seed.major,
      params: { compression, holeOffset: holeOffset & 0xffff, holeLength: holeLength & 0xffff, bimgInfo: seed.bimgInfo, destLen },
    };
  },
  run(input) {
    const profile = profileFor(input.major);
    const p = input.params;
    const destLen = Math.max(0, Math.min(profile.BLCKSZ, Number(p.destLen ?? profile.BLCKSZ)));
    // The raw decompressors: never more than dest, never an exception.
    for (const f of [pglzDecompress, lz4DecompressBlock, zstdDecompressFrame]) {
      const dest = new Uint8Array(destLen);
      const ok = f(input.bytes, dest);
      if (typeof ok !== 'boolean') throw new ContractViolation(`${f.name} returned ${typeof ok}`);
    }
    const image: BlockImage = {
      bimgInfo: Number(p.bimgInfo ?? 0),
      length: input.bytes.length,
      holeOffset: Number(p.holeOffset ?? 0),
      holeLength: Number(p.holeLength ?? 0),
      compression: (p.compression as ImageCompression | undefined) ?? 'none',
      apply: true,
      bytes: input.bytes,
    };
    const block = { id: 0, image, hasImage: true } as unknown as BlockReference;
    const page = restoreFullPageImage(profile, block, 0x1000028n);
    if (page.length !== profile.BLCKSZ) throw new ContractViolation(`restored page has ${page.length} bytes`);
  },
};
