/**
 * Commit timestamps in `pgffi waldump` output against pg_waldump 14/15/16 under several TZ
 * settings, on WAL we encode: Transaction COMMIT records (xl_xact_commit.xact_time) at every
 * 13 seconds for four minutes around each daylight-saving transition of 2024, 2019 and 1996
 * (and 2007, when the US rules changed), with random microseconds, before 2000 (negative
 * TimestampTz, printed with "%06d") and after. Descriptions reuse a zone's offset within a
 * UTC minute instead of asking Intl for every timestamp; this checks that reuse across the
 * minutes where the offset changes.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/waldump.js';
import { formatLsnPadded } from '../../src/common/core/lsn.js';
import type { PgVersionProfile } from '../../src/common/profile.js';
import { timestamptzToStr } from '../../src/common/rmgr/index.js';
import { profile as p14 } from '../../src/v14/profile.js';
import { profile as p15 } from '../../src/v15/profile.js';
import { profile as p16 } from '../../src/v16/profile.js';
import { mulberry32 } from '../support/prng.js';
import { WalBuilder } from '../support/wal-builder.js';
import { pgWaldumpPath } from './runner.js';

const SEED = Number(process.env.PGFFI_SEED ?? Date.now() % 2 ** 31);
console.log(`time-zones seed: ${SEED} (PGFFI_SEED=${SEED} to replay)`);

/**
 * US zones: elsewhere Intl's en-US abbreviations ("GMT+2") differ from glibc's ("CEST"), a
 * known limitation (README).
 */
const ZONES = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'America/Anchorage', 'America/Phoenix'];
const YEARS = [1996, 2007, 2019, 2024];
/** Microseconds between 1970-01-01 and 2000-01-01. */
const EPOCH_MS = 946_684_800_000;

const work = mkdtempSync(join(tmpdir(), 'pgffi-time-zones-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset at `ms` in minutes (only to find the transitions to test around). */
function offsetAt(zone: string, ms: number): number {
  let f = offsetFormatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    offsetFormatters.set(zone, f);
  }
  const name = f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d\d):(\d\d)/.exec(name);
  return m === null ? 0 : (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** Instants (ms since 1970) where the zone's offset changes during `year`. */
function transitions(zone: string, year: number): number[] {
  const out: number[] = [];
  const DAY = 86_400_000;
  let t = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  for (; t < end; t += DAY) {
    if (offsetAt(zone, t) === offsetAt(zone, t + DAY)) continue;
    let lo = t;
    let hi = t + DAY;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (offsetAt(zone, mid) === offsetAt(zone, lo)) lo = mid;
      else hi = mid;
    }
    out.push(hi);
  }
  return out;
}

function buildWal(profile: PgVersionProfile): { b: WalBuilder; count: number } {
  const r = mulberry32(SEED >>> 0 || 1);
  const b = new WalBuilder(profile);
  let count = 0;
  for (const zone of ZONES) {
    for (const year of YEARS) {
      for (const at of transitions(zone, year)) {
        for (let s = -120; s <= 120; s += 13) {
          const us = BigInt(at + s * 1000 - EPOCH_MS) * 1000n + BigInt(Math.floor(r() * 1_000_000));
          const main = new Uint8Array(8);
          new DataView(main.buffer).setBigInt64(0, us, true);
          b.append({ rmid: 1, info: 0x00, xid: 1000 + count, mainData: main });
          count++;
        }
      }
    }
  }
  b.noop(10);
  return { b, count };
}

describe.each([p14, p15, p16])('commit timestamps under TZ equal pg_waldump $major', (profile) => {
  const tool = pgWaldumpPath(profile.major);
  it.skipIf(tool === null)('every zone, around every transition', async () => {
    const { b, count } = buildWal(profile);
    expect(count).toBeGreaterThan(500);
    const dir = join(work, `v${profile.major}`);
    mkdirSync(dir);
    for (const f of b.files()) writeFileSync(join(dir, f.name), f.bytes);
    const args = ['-p', dir, '-s', formatLsnPadded(b.records[0]!.lsn), '-r', 'Transaction'];
    for (const zone of ZONES) {
      const c = spawnSync(tool!, args, { encoding: 'utf8', env: { ...process.env, TZ: zone, LC_ALL: 'C' }, maxBuffer: 1 << 28 });
      const out: string[] = [];
      await run(args, { stdout: (s) => out.push(s), stderr: () => {}, timeZone: zone });
      const theirs = c.stdout.split('\n');
      const ours = out.join('').split('\n');
      expect(theirs.length).toBe(count + 1);
      const i = theirs.findIndex((line, j) => line !== ours[j]);
      expect(i < 0 ? 'identical' : `${zone} line ${i + 1}: ${ours[i]}`).toBe(i < 0 ? 'identical' : `${zone} line ${i + 1}: ${theirs[i]}`);
    }
  });
});

/** Microseconds since 2000 of an ISO instant. */
function pgTime(iso: string, plusSeconds: number): bigint {
  return BigInt(Date.parse(iso) + plusSeconds * 1000 - EPOCH_MS) * 1000n + 123n;
}

describe('time-zone offsets reused within a minute', () => {
  // Africa/Monrovia left -0:44:30 for UTC at 1972-01-07 00:44:30 UTC: mid-minute, so that minute
  // must not be cached.
  it.each([
    ['Africa/Monrovia', '1972-01-07T00:44:30Z'],
    ['America/New_York', '2024-03-10T07:00:00Z'],
    ['America/New_York', '2024-11-03T06:00:00Z'],
  ])('%s around %s: every second as if asked alone', (zone, iso) => {
    for (const style of ['waldump', 'server'] as const) {
      const options = { timestampStyle: style, timeZone: zone };
      const warm: string[] = [];
      for (let s = -150; s <= 150; s++) warm.push(timestamptzToStr(pgTime(iso, s), options));
      const cold: string[] = [];
      for (let s = -150; s <= 150; s++) {
        // A timestamp days away first: the minute cache holds one minute per zone.
        timestamptzToStr(pgTime(iso, s + 500_000), options);
        cold.push(timestamptzToStr(pgTime(iso, s), options));
      }
      expect(warm).toEqual(cold);
      if (style === 'waldump') expect(new Set(warm.map((w) => w.split(' ').at(-1))).size).toBeGreaterThan(1);
    }
  });
});
