/**
 * The printf pieces of the rmgrdesc functions: "%g" (hash num_tuples/ntuples) compared with the
 * C library's printf (coreutils printf(1) formats with it), on fixed and seeded random values.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { arrayDesc, formatG, hex2 } from '../../src/common/rmgr/am-util.js';
import { prng } from './support.js';

describe('formatG', () => {
  it('prints doubles exactly as C printf %g', () => {
    const seed = Number(process.env.PGFFI_SEED ?? Date.now() % 1_000_000);
    console.log(`formatG seed ${seed}`);
    const random = prng(seed);
    const values = [
      0, 1, -1, 0.5, 10, 100000, 999999, 1000000, 1234567, 0.0001, 0.00001, 123456789012, 1.5e-10, 2.5, 3.5, 999999.5, 0.000123456789,
      1234565, 1234575, 12345650, 0.5e-4, 4.5e-7, 1e100, 123456.5,
    ];
    for (let i = 0; i < 300; i++) {
      const mag = 10 ** Math.floor(random() * 24 - 8);
      values.push(Math.round(random() * 1e6) * mag * (random() < 0.2 ? -1 : 1));
    }
    const res = spawnSync('/usr/bin/printf', [values.map(() => '%g\\n').join(''), ...values.map((v) => v.toPrecision(17))], {
      encoding: 'utf8',
      env: { LC_ALL: 'C' },
    });
    expect(res.status).toBe(0);
    const expected = res.stdout.trimEnd().split('\n');
    expect(values.map(formatG)).toEqual(expected);
  });
});

describe('array_desc and 0x%02X', () => {
  it('matches rmgrdesc_utils.c', () => {
    expect(arrayDesc([])).toBe(' []');
    expect(arrayDesc([3, 4, 5])).toBe(' [3, 4, 5]');
    expect(arrayDesc([[1, 2]] as Array<[number, number]>, ([a, b]) => `${a}->${b}`)).toBe(' [1->2]');
    expect(hex2(0)).toBe('0x00');
    expect(hex2(0x2a)).toBe('0x2A');
  });
});
