/**
 * The bounded zstd frame decoder (src/common/wal/zstd.ts) on the zstd full-page images of the fuzz
 * corpus (WAL written by Debian's PostgreSQL 15 with wal_compression=zstd): identical output to
 * fzstd; frames of the zstd 1.5 CLI (raw/RLE blocks, RLE and treeless literals, repeat tables,
 * checksums) restore their input; and on seeded mutations of those images only a page-sized result or a PgFormatError.
 */

import { execFileSync } from 'node:child_process';
import { decompress as fzstdDecompress } from 'fzstd';
import { describe, expect, it } from 'vitest';
import { Corpus } from '../../fuzz/target.js';
import { PgFormatError } from '../../src/common/core/errors.js';
import { zstdDecompressFrame } from '../../src/common/wal/full-page-image.js';
import { WalStreamDecoder } from '../../src/common/wal/stream-decoder.js';
import { zstdDecompressInto } from '../../src/common/wal/zstd.js';
import { profileFor } from '../../src/index.js';
import { mulberry32 } from '../support/prng.js';

interface ZstdImage {
  where: string;
  bytes: Uint8Array;
  rawSize: number;
}

function corpusImages(): ZstdImage[] {
  const out: ZstdImage[] = [];
  for (const e of Corpus.load().of('wal')) {
    const d = new WalStreamDecoder(profileFor(e.major));
    d.push(e.bytes);
    d.end();
    try {
      for (const r of d) {
        for (const b of r.blocks) {
          if (b.image === null || b.image.compression !== 'zstd') continue;
          out.push({ where: `${e.file} ${r.lsn} block ${b.id}`, bytes: b.image.bytes.slice(), rawSize: 8192 - b.image.holeLength });
        }
      }
    } catch {
      // a corpus window ends inside a record
    }
  }
  return out;
}

const images = corpusImages();

function zstdCliAvailable(): boolean {
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Inputs of several shapes: incompressible, one byte repeated, page-like, and text-like. */
function sampleInputs(size: number, rnd: () => number): Record<string, Uint8Array> {
  const random = new Uint8Array(size).map(() => Math.floor(rnd() * 256));
  const same = new Uint8Array(size).fill(0x41);
  const page = new Uint8Array(size);
  for (let i = 0; i < size; i += 40) page.set([i & 255, (i >> 8) & 255, 1, 0, 0, 0, 0x18, 0, 2, 0, 0, 0, Math.floor(rnd() * 256)], i);
  const words = ['tuple ', 'xmin ', 'page ', 'lsn ', 'checkpoint ', 'relation ', '0/16B3F28 ', '\n'];
  const text = new Uint8Array(size);
  for (let i = 0; i < size; ) {
    const w = words[Math.floor(rnd() * words.length)] as string;
    for (let k = 0; k < w.length && i < size; k++) text[i++] = w.charCodeAt(k);
  }
  const mixed = new Uint8Array(size);
  for (let i = 0; i < size; i++) mixed[i] = i % 3000 < 1500 ? (random[i] as number) : (text[i] as number);
  return { random, same, page, text, mixed };
}

/** The decoder's outcome: the bytes, or the PgFormatError code; anything else is rethrown. */
function outcome(src: Uint8Array, rawSize: number): Uint8Array | string {
  const dest = new Uint8Array(rawSize);
  try {
    zstdDecompressInto(src, dest);
    return dest;
  } catch (err) {
    if (err instanceof PgFormatError) return err.code;
    throw err;
  }
}

/** Index of the first differing byte, -1 when equal (vitest's toEqual is slow on large arrays). */
function firstDifference(a: Uint8Array | string, b: Uint8Array): number {
  if (typeof a === 'string') return 0;
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('zstd full-page images', () => {
  it('finds the zstd images of the corpus', () => {
    expect(images.length).toBeGreaterThanOrEqual(100);
  });

  it('decodes every corpus image exactly as fzstd does', () => {
    for (const img of images) {
      const expected = fzstdDecompress(img.bytes, new Uint8Array(img.rawSize));
      expect(expected.length, img.where).toBe(img.rawSize);
      const got = outcome(img.bytes, img.rawSize);
      expect(firstDifference(got, expected), img.where).toBe(-1);
      expect(zstdDecompressFrame(img.bytes, new Uint8Array(img.rawSize)), img.where).toBe(true);
    }
  });

  it.skipIf(!zstdCliAvailable())('restores frames of the zstd CLI at several levels, with and without checksum', () => {
    const rnd = mulberry32(20261122);
    let frames = 0;
    for (const size of [100, 8192, 300000]) {
      for (const [shape, input] of Object.entries(sampleInputs(size, rnd))) {
        for (const level of ['--fast=5', '-1', '-3', '-9', '-19']) {
          for (const check of ['--check', '--no-check']) {
            const frame = new Uint8Array(execFileSync('zstd', ['-q', '-c', level, check, `--stream-size=${size}`], { input }));
            const got = outcome(frame, size);
            expect(firstDifference(got, input), `${shape} ${size} ${level} ${check}`).toBe(-1);
            frames++;
          }
        }
      }
    }
    expect(frames).toBe(150);
  });

  it('rejects a frame whose content size differs from the destination', () => {
    const img = images[0];
    if (img === undefined) throw new Error('no zstd image');
    expect(outcome(img.bytes, img.rawSize - 1)).toBe('BAD_IMAGE');
    expect(outcome(img.bytes.subarray(0, img.bytes.length - 1), img.rawSize)).toBe('BAD_IMAGE');
    expect(outcome(Uint8Array.of(...img.bytes, 0), img.rawSize)).toBe('BAD_IMAGE');
  });

  it('rejects a sequence count the output cannot hold before decoding any sequence', () => {
    // Frame_Content_Size 100, one compressed block: no literals, 0x7F00 + 0xFFFF sequences.
    const frame = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x20, 100, 0x35, 0, 0, 0, 0xff, 0xff, 0xff, 0, 0x80);
    expect(outcome(frame, 100)).toBe('BAD_IMAGE');
  });

  it('returns a page-sized result or a PgFormatError on seeded mutations of real images', () => {
    const seed = Number(process.env.ZSTD_FUZZ_SEED ?? 0x5eed2026);
    console.log(`zstd mutation seed ${seed} (set ZSTD_FUZZ_SEED to replay)`);
    const rnd = mulberry32(seed);
    const pick = (n: number): number => Math.floor(rnd() * n);
    let decoded = 0;
    let rejected = 0;
    for (let i = 0; i < 4000; i++) {
      const img = images[pick(images.length)];
      if (img === undefined) throw new Error('no zstd image');
      const bytes = img.bytes.slice();
      const edits = 1 + pick(4);
      for (let k = 0; k < edits; k++) {
        const at = pick(bytes.length);
        const kind = pick(3);
        if (kind === 0) bytes[at] = pick(256);
        else if (kind === 1) bytes[at] = (bytes[at] as number) ^ (1 << pick(8));
        else bytes[at] = [0, 0xff, 0x7f, 0x80][pick(4)] as number;
      }
      const r = outcome(bytes, img.rawSize);
      if (typeof r === 'string') {
        expect(r, `seed ${seed} case ${i}`).toBe('BAD_IMAGE');
        rejected++;
      } else {
        expect(r.length, `seed ${seed} case ${i}`).toBe(img.rawSize);
        decoded++;
      }
    }
    expect(decoded + rejected).toBe(4000);
    expect(rejected).toBeGreaterThan(0);
  });
});
