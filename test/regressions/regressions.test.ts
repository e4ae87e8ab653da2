/**
 * Permanent tests from fuzzing: every minimised input the harness saved under
 * test/regressions/cases/ (<target>-<id>.json with its seed and the failure it showed, and the
 * bytes in <target>-<id>.bin) must now keep the contract — a result or a PgFormatError, within
 * the allocation limit. A case with "open" set is a bug reported for its owner to fix.
 */
import { describe, expect, it } from 'vitest';
import { installAllocationGuard } from '../../fuzz/guard.js';

installAllocationGuard();
const { runCase } = await import('../../fuzz/contract.js');
const { loadRegressions } = await import('../../fuzz/engine.js');
const { targetByName } = await import('../../fuzz/targets/index.js');

const cases = loadRegressions();
/** CPU time per case: fixed inputs of a few kB decode in milliseconds; campaigns use 200 ms. */
const BUDGET_MS = 500;

describe('fuzz regressions', () => {
  it('loads the saved cases', () => {
    for (const c of cases) {
      expect(c.saved.target, c.name).toMatch(/^(wal|wal-stream|record|fpi|page|control|cli)$/);
      expect(c.input.bytes.length, c.name).toBeGreaterThanOrEqual(0);
    }
  });

  // A case marked "open" names a reported, not yet fixed bug: it must still fail (it.fails), and
  // turns red once fixed so that the mark is removed.
  for (const c of cases) {
    const test = c.saved.open === undefined ? it : it.fails;
    test(`${c.name}: ${c.saved.signature} (seed ${c.saved.seed})${c.saved.open === undefined ? '' : ` [open: ${c.saved.open}]`}`, async () => {
      const r = await runCase(targetByName(c.saved.target), c.input, BUDGET_MS);
      expect(r.failure === null ? null : `${r.failure.kind}: ${r.failure.message}\n${r.failure.stack}`).toBeNull();
    });
  }
});
