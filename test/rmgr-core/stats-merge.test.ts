/**
 * WalStatsAccumulator.merge (parallel pgffi waldump --stats): the statistics of consecutive
 * parts merged in order equal those of one accumulator fed every record. Seeded; prints its seed.
 */
import { describe, expect, it } from 'vitest';
import { RM_XACT_ID } from '../../src/common/constants.js';
import { WalStatsAccumulator } from '../../src/common/rmgr/index.js';
import { mulberry32 } from '../support/prng.js';

interface Rec {
  rmid: number;
  info: number;
  recLen: number;
  fpiLen: number;
  end: number;
}

describe('WalStatsAccumulator.merge', () => {
  it('parts merged in order equal one accumulator over all records', () => {
    const seed = 0x5eed_4;
    console.log(`stats-merge seed ${seed}`);
    const rand = mulberry32(seed);
    const recs: Rec[] = [];
    let end = 0x2000028;
    for (let i = 0; i < 5000; i++) {
      const rmid = rand() < 0.1 ? RM_XACT_ID : Math.floor(rand() * 22);
      const recLen = 24 + Math.floor(rand() * 8000);
      end += recLen + 8;
      recs.push({ rmid, info: Math.floor(rand() * 256), recLen, fpiLen: rand() < 0.2 ? Math.floor(rand() * 8192) : 0, end });
    }
    const whole = new WalStatsAccumulator();
    for (const r of recs) {
      whole.addCounts(r.rmid, r.info, r.recLen, r.fpiLen);
      whole.endLsnNumber = r.end;
    }
    // Cut points at random, including empty parts (at the start, in the middle and at the end).
    const cuts = [0, 0, ...Array.from({ length: 7 }, () => Math.floor(rand() * recs.length)), 1234, 1234, recs.length, recs.length].sort(
      (a, b) => a - b,
    );
    const merged = new WalStatsAccumulator();
    for (let p = 0; p + 1 < cuts.length; p++) {
      const part = new WalStatsAccumulator();
      for (const r of recs.slice(cuts[p], cuts[p + 1])) {
        part.addCounts(r.rmid, r.info, r.recLen, r.fpiLen);
        part.endLsnNumber = r.end;
      }
      merged.merge(part);
    }
    expect(merged.count).toBe(whole.count);
    expect(merged.endLsnNumber).toBe(whole.endLsnNumber);
    expect(Array.from(merged.rmgr)).toEqual(Array.from(whole.rmgr));
    expect(Array.from(merged.records)).toEqual(Array.from(whole.records));
    // Transaction record types are masked to 3 bits: the merged rows keep that too.
    expect(merged.recordRow(RM_XACT_ID, 8).count).toBe(0);
  });

  it('merging an empty part keeps the end LSN', () => {
    const a = new WalStatsAccumulator();
    a.addCounts(10, 0x10, 100, 0);
    a.endLsnNumber = 4242;
    a.merge(new WalStatsAccumulator());
    expect(a.count).toBe(1);
    expect(a.endLsnNumber).toBe(4242);
    expect(a.rmgrRow(10)).toEqual({ count: 1, recLen: 100, fpiLen: 0 });
  });
});
