/**
 * Relation files on disk: segments `.1`, `.2` carry absolute block numbers (segment ×
 * RELSEG_SIZE + index), ranges select blocks across segments, a trailing partial page is an
 * error in pg_checksums' words; and the atomic writer replaces files whole.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPgFormatError } from '../../src/common/core/errors.js';
import { ATOMIC_TEMP_PREFIX, atomicWriteFile, atomicWriteFileStreaming, removeStaleTempFiles } from '../../src/node/atomic-write.js';
import { readRelationPages, readSegmentPages, relationFileInfo, relationSegmentPaths } from '../../src/node/relation-files.js';

const dir = mkdtempSync(join(tmpdir(), 'pgffi-relfiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pages(n: number, tag: number): Uint8Array {
  const buf = new Uint8Array(n * 8192);
  for (let i = 0; i < n; i++) buf[i * 8192 + 100] = tag + i;
  return buf;
}

describe('relation files', () => {
  it('reads every segment with absolute block numbers', () => {
    const base = join(dir, '16384');
    writeFileSync(base, pages(3, 0));
    writeFileSync(`${base}.1`, pages(2, 10));
    writeFileSync(`${base}.2`, pages(1, 20));
    expect(relationSegmentPaths(base)).toEqual([base, `${base}.1`, `${base}.2`]);
    const all = [...readRelationPages(base)].map((p) => [p.block, p.segment, p.index, p.page[100]]);
    expect(all).toEqual([
      [0, 0, 0, 0],
      [1, 0, 1, 1],
      [2, 0, 2, 2],
      [131072, 1, 0, 10],
      [131073, 1, 1, 11],
      [262144, 2, 0, 20],
    ]);
    expect([...readRelationPages(base, { from: 2, to: 131072 })].map((p) => p.block)).toEqual([2, 131072]);
    expect([...readSegmentPages(`${base}.1`, 1, { from: 131073 })].map((p) => p.block)).toEqual([131073]);
    expect(relationFileInfo(join(dir, '16384_vm.3'))).toMatchObject({ relNumber: 16384, fork: 2, forkName: 'vm', segment: 3 });
  });

  it('a trailing partial page is an error naming the block', () => {
    const f = join(dir, '16385');
    writeFileSync(f, new Uint8Array(8192 * 2 + 100));
    try {
      [...readRelationPages(f)];
      expect.unreachable();
    } catch (e) {
      expect(isPgFormatError(e)).toBe(true);
      expect((e as Error).message).toBe(`could not read block 2 in file "${f}": read 100 of 8192`);
    }
  });

  it('atomic writes replace the file whole and leave no temporary files', () => {
    const f = join(dir, 'target');
    writeFileSync(f, 'old');
    atomicWriteFile(f, new TextEncoder().encode('new contents'));
    expect(readFileSync(f, 'utf8')).toBe('new contents');
    expect(() =>
      atomicWriteFileStreaming(f, (put) => {
        put(new TextEncoder().encode('partial'));
        throw new Error('crash in the middle');
      }),
    ).toThrow('crash in the middle');
    expect(readFileSync(f, 'utf8')).toBe('new contents');
    expect(readdirSync(dir).filter((n) => n.startsWith(ATOMIC_TEMP_PREFIX))).toEqual([]);
    writeFileSync(join(dir, `${ATOMIC_TEMP_PREFIX}target.999`), 'left by a crash');
    expect(removeStaleTempFiles(dir)).toEqual([`${ATOMIC_TEMP_PREFIX}target.999`]);
    expect(existsSync(join(dir, `${ATOMIC_TEMP_PREFIX}target.999`))).toBe(false);
  });
});
