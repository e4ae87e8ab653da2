/**
 * The fuzz harness itself can fail: a TypeError, a huge allocation (even one the code under
 * test catches), a broken invariant and a slow case are each reported; PgFormatError is not;
 * the minimiser shrinks an input to the bytes that matter; seeds reproduce cases exactly.
 */
import { describe, expect, it } from 'vitest';
import { installAllocationGuard } from '../../fuzz/guard.js';

installAllocationGuard();
const { ContractViolation, runCase } = await import('../../fuzz/contract.js');
const { generateCase, minimize } = await import('../../fuzz/engine.js');
const { TARGETS } = await import('../../fuzz/targets/index.js');
const { Corpus } = await import('../../fuzz/target.js');
const { PgFormatError } = await import('../../src/common/core/errors.js');
const { CoverageTracker } = await import('../../fuzz/coverage.js');
const { pglzDecompress } = await import('../../src/common/wal/full-page-image.js');

type Target = Parameters<typeof runCase>[0];
const input = { bytes: new Uint8Array(64), major: 16 as const, params: {} };
const fake = (run: Target['run']): Target => ({ name: 'fake', description: 'test', generate: () => input, run });

describe('fuzz contract checks', () => {
  it('accepts a PgFormatError and a normal return', async () => {
    expect(
      (
        await runCase(
          fake(() => undefined),
          input,
          1000,
        )
      ).failure,
    ).toBeNull();
    const r = await runCase(
      fake(() => {
        throw new PgFormatError('BAD_LENGTH', 'invalid');
      }),
      input,
      1000,
    );
    expect(r.failure).toBeNull();
    expect(r.rejected).toBe(true);
  });

  it('reports any other exception with its signature', async () => {
    const r = await runCase(
      fake((i) => {
        new DataView(i.bytes.buffer).getUint32(1000);
      }),
      input,
      1000,
    );
    expect(r.failure?.kind).toBe('exception');
    expect(r.failure?.message).toMatch(/^RangeError/);
  });

  it('reports an allocation sized by a length field, even when the code swallows the error', async () => {
    const r = await runCase(
      fake(() => {
        try {
          new Uint8Array(0x40000000);
        } catch {
          // a decoder that hides the failure is still caught
        }
      }),
      input,
      1000,
    );
    expect(r.failure?.kind).toBe('allocation');
    expect(r.failure?.message).toContain('1073741824');
    expect(
      (
        await runCase(
          fake(() => void new Uint8Array(8192)),
          input,
          1000,
        )
      ).failure,
    ).toBeNull();
  });

  it('reports broken invariants and cases over the time budget', async () => {
    const inv = await runCase(
      fake(() => {
        throw new ContractViolation('chunking changed the result');
      }),
      input,
      1000,
    );
    expect(inv.failure?.kind).toBe('invariant');
    const slow = await runCase(
      fake(() => {
        const t = Date.now();
        while (Date.now() - t < 30);
      }),
      input,
      5,
    );
    expect(slow.failure?.kind).toBe('slow');
  });

  it('minimises by truncation and zeroing while the failure persists', async () => {
    const t = fake((i) => {
      if (i.bytes.length > 5 && i.bytes[5] === 0x42) throw new TypeError('boom');
    });
    const bytes = new Uint8Array(5000).map((_, k) => (k * 7 + 1) & 0xff);
    bytes[5] = 0x42;
    const first = await runCase(t, { ...input, bytes }, 1000);
    expect(first.failure?.kind).toBe('exception');
    const min = await minimize(t, { ...input, bytes }, first.failure!, 1000);
    expect([...min.bytes]).toEqual([0, 0, 0, 0, 0, 0x42]);
  });

  it('generates the same case from the same seed', () => {
    const corpus = Corpus.load();
    for (const target of TARGETS) {
      const a = generateCase(target, corpus, `${target.name}:det:7`);
      const b = generateCase(target, corpus, `${target.name}:det:7`);
      expect(b.params).toEqual(a.params);
      expect(Buffer.from(b.bytes).equals(Buffer.from(a.bytes))).toBe(true);
    }
  });

  it('sees new src/ blocks once (the coverage feedback of --coverage)', () => {
    const cov = new CoverageTracker();
    try {
      cov.take();
      // a literal-only pglz stream, then a back-reference: the second path reaches new blocks
      pglzDecompress(new Uint8Array([0x00, 1, 2, 3, 4, 5, 6, 7, 8]), new Uint8Array(8));
      cov.take();
      pglzDecompress(new Uint8Array([0x00, 1, 2, 3, 4, 5, 6, 7, 8]), new Uint8Array(8));
      expect(cov.take()).toBe(0);
      pglzDecompress(new Uint8Array([0x02, 0x61, 0x00, 0x01]), new Uint8Array(4));
      expect(cov.take()).toBeGreaterThan(0);
      expect(cov.blocks).toBeGreaterThan(0);
    } finally {
      cov.stop();
    }
  });
});
