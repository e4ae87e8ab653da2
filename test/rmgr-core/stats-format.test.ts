/**
 * pg_waldump's --stats percentages are printf("%.02f") of doubles: on exact binary ties
 * (x = k/8, k odd) glibc rounds half to even where Number#toFixed rounds up. fixed2() must
 * agree with C's printf; awk (C doubles, C printf) is the oracle. Seeded cases print the seed.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fixed2 } from '../../src/common/waldump/format.js';

function cPrintf(pairs: [number, number][]): string[] {
  const prog = `BEGIN { ${pairs.map(([n, t]) => `printf "%.2f\\n", 100 * ${n} / ${t};`).join(' ')} }`;
  return execFileSync('awk', [prog], { encoding: 'utf8' }).trim().split('\n');
}

describe('fixed2 (printf "%.02f" of 100 * n / total)', () => {
  it('rounds exact ties half to even like glibc', () => {
    const pairs: [number, number][] = [
      [1, 800],
      [3, 800],
      [5, 800],
      [7, 800],
      [97, 800],
      [1, 8],
      [1, 16],
      [3, 16],
      [1000125, 8000000],
      [0, 5],
      [5, 5],
    ];
    expect(pairs.map(([n, t]) => fixed2((100 * n) / t))).toEqual(cPrintf(pairs));
    // The case that shows why: toFixed rounds 12.125 up.
    expect((12.125).toFixed(2)).toBe('12.13');
    expect(fixed2(12.125)).toBe('12.12');
  });

  it('agrees with C on seeded random counts', () => {
    const seed = 20261122;
    console.log(`stats-format seed ${seed}`);
    let s = seed;
    const rand = (): number => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s;
    };
    const pairs: [number, number][] = [];
    for (let i = 0; i < 2000; i++) {
      const total = (rand() % 100000) + 1;
      pairs.push([rand() % (total + 1), total]);
    }
    for (let i = 0; i < 200; i++) pairs.push([(rand() % 100) * 8 + 1, 800]);
    expect(pairs.map(([n, t]) => fixed2((100 * n) / t))).toEqual(cPrintf(pairs));
  });
});
