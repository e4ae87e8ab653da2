/**
 * CI smoke run of the fuzz harness (fuzz/): a fixed number of seeded cases per target, each
 * held to the contract (PgFormatError or a result; no other exception, no allocation sized by
 * a length field, no hang, chunking-independent WAL results). A failure names the seed that
 * reproduces it: `npm run fuzz -- --replay <seed>`. Long campaigns: `npm run fuzz -- --minutes N`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { installAllocationGuard } from '../../fuzz/guard.js';

// Before the library loads: some dependencies keep a reference to Uint8Array from load time.
installAllocationGuard();
const { fuzzLoop, loadRegressions } = await import('../../fuzz/engine.js');
const { TARGETS } = await import('../../fuzz/targets/index.js');
const { Corpus } = await import('../../fuzz/target.js');

/** Cases per target: enough to cover every seed kind, small enough for CI. */
const CASES: Record<string, number> = { wal: 120, 'wal-stream': 80, record: 1500, fpi: 600, page: 250, control: 1500, cli: 150 };
/** Hang guard, not a performance check: campaigns use 200 ms. */
const BUDGET_MS = 3000;

/** Failures already reported and kept as open regression cases are not new findings here. */
const OPEN = new Set(
  loadRegressions().flatMap((c) => (c.saved.open !== undefined && c.saved.signature !== 'slow' ? [c.saved.signature] : [])),
);

let corpus: InstanceType<typeof Corpus>;
beforeAll(() => {
  corpus = Corpus.load();
});

describe('fuzz smoke', () => {
  it('has a corpus from all three versions', () => {
    for (const major of [14, 15, 16]) {
      expect(corpus.entries.filter((e) => e.major === major && e.kind === 'wal').length).toBeGreaterThan(5);
      expect(corpus.entries.filter((e) => e.major === major && e.kind === 'page').length).toBeGreaterThan(10);
      expect(corpus.entries.filter((e) => e.major === major && e.kind === 'control').length).toBe(1);
    }
  });

  for (const target of TARGETS) {
    it(`${target.name}: ${CASES[target.name]} seeded cases keep the contract`, async () => {
      const base = 'ci1';
      const stats = await fuzzLoop(target, corpus, { base, count: CASES[target.name] ?? 100, budgetMs: BUDGET_MS });
      const known = stats.failures.filter((f) => OPEN.has(f.failure.signature));
      for (const f of known) console.warn(`known open bug hit by ${f.seed}: ${f.failure.signature}`);
      const report = stats.failures
        .filter((f) => !OPEN.has(f.failure.signature))
        .map((f) => `${f.failure.kind} [${f.failure.signature}] seed ${f.seed}: ${f.failure.message}\n${f.failure.stack}`);
      expect(report, `replay with: npm run fuzz -- --replay <seed>`).toEqual([]);
      expect(stats.cases).toBe(CASES[target.name]);
    });
  }
});
