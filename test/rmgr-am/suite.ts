/**
 * The real-server suite for one major: run every workload case, decode the WAL with our
 * decoder and compare each access-method record's type and description with pg_walinspect
 * (15, 16) and pg_waldump (where a binary for the major is installed), then check that every
 * record type a case expects was produced.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPgFormatError } from '../../src/common/core/errors.js';
import { formatLsn } from '../../src/common/core/lsn.js';
import type { PgMajor } from '../../src/common/core/version.js';
import type { DecodedRecord } from '../../src/common/wal/record.js';
import { PgServer } from '../support/pg-server.js';
import {
  AM_RMGRS,
  AM_SERVER_CONF,
  type CaseRange,
  type Comparison,
  compare,
  decodeOurs,
  loadCases,
  missingCoverage,
  missingMatches,
  type OurRecord,
  PROFILES,
  prng,
  runCases,
  typeCoverage,
  waldumpBinary,
  waldumpRecords,
  walinspectRecords,
  withParts,
} from './support.js';

/** A server configuration and the workloads to run on it. */
export interface AmSuiteSetup {
  label: string;
  casesDir: string;
  conf: Record<string, string | number | boolean>;
  /** Lower bound on the records compared (so a silently empty run fails). */
  minRecords: number;
}

export const DEFAULT_SETUP: AmSuiteSetup = {
  label: 'wal_level=logical',
  casesDir: join(import.meta.dirname, 'cases'),
  conf: AM_SERVER_CONF,
  minRecords: 100_000,
};
/** wal_level=minimal: records that only exist when relations created in a transaction skip WAL. */
export const MINIMAL_SETUP: AmSuiteSetup = {
  label: 'wal_level=minimal',
  casesDir: join(import.meta.dirname, 'cases-minimal'),
  conf: { ...AM_SERVER_CONF, wal_level: 'minimal', max_wal_senders: 0, wal_keep_size: 0 },
  minRecords: 10,
};

/** Records whose main data nothing reads (gistXLogAssignLSN logs a dummy int). */
const MAIN_DATA_UNUSED = new Set(['Gist/ASSIGN_LSN']);

function report(label: string, c: Comparison): void {
  console.log(`${label}: ${c.compared} access-method records compared, ${c.mismatches.length} mismatches`);
}

export function defineAmSuite(major: PgMajor, setup: AmSuiteSetup = DEFAULT_SETUP): void {
  describe(`access-method rmgrs on PostgreSQL ${major} (${setup.label})`, () => {
    let server: PgServer | null = null;
    let ranges: CaseRange[] = [];
    let ours: OurRecord[] = [];
    let start = 0n;
    let end = 0n;
    let primary: Comparison | null = null;
    const samples: DecodedRecord[] = [];

    beforeAll(async () => {
      server = await PgServer.start({ major, conf: setup.conf });
      await server.query('CREATE EXTENSION IF NOT EXISTS bloom');
      if (major >= 15) await server.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect');
      ranges = await runCases(server, loadCases(setup.casesDir));
      start = ranges[0]!.start;
      end = ranges.at(-1)!.end;
      await server.switchWal();
      ours = decodeOurs(server, start, end, samples);
    }, 900_000);

    afterAll(async () => {
      await server?.destroy();
    });

    if (major >= 15) {
      it('types and descriptions equal pg_walinspect', async () => {
        const c = compare(ours, await walinspectRecords(server!, start, end), ranges, false);
        primary = c;
        report(`pg_walinspect ${major}`, c);
        expect(c.mismatches.slice(0, 40)).toEqual([]);
        expect(c.compared).toBeGreaterThan(setup.minRecords);
      });
    }

    const bin = waldumpBinary(major);
    it.skipIf(bin === null)(`types and descriptions equal pg_waldump (${bin ?? 'not installed'})`, () => {
      const c = compare(ours, waldumpRecords(bin!, server!.walDir, start, end), ranges, true);
      primary ??= c;
      report(`pg_waldump ${major}`, c);
      expect(c.mismatches.slice(0, 40)).toEqual([]);
      expect(c.compared).toBeGreaterThan(setup.minRecords);
    });

    it('truncated or corrupted bodies throw BAD_RECORD naming the LSN, nothing else', () => {
      const seed = Number(process.env.PGFFI_SEED ?? Date.now() % 1_000_000);
      console.log(`corruption seed ${seed} (PGFFI_SEED=${seed} reproduces)`);
      const random = prng(seed);
      const profile = PROFILES[major];
      const failures: string[] = [];
      let attempts = 0;
      let rejected = 0;
      const attempt = (label: string, rec: DecodedRecord, mustThrow: boolean): void => {
        const rmgr = AM_RMGRS.get(rec.rmid)!;
        attempts++;
        try {
          rmgr.decode(rec, profile);
          rmgr.describe(rec, profile);
          if (mustThrow) failures.push(`${label}: accepted`);
        } catch (e) {
          rejected++;
          if (!isPgFormatError(e) || e.code !== 'BAD_RECORD' || e.lsn !== rec.lsn || !e.message.includes(formatLsn(rec.lsn))) {
            failures.push(`${label}: ${(e as Error).name} ${(e as Error).message}`);
          }
        }
      };
      for (const s of samples) {
        const label = `${formatLsn(s.lsn)} ${AM_RMGRS.get(s.rmid)!.name}/${AM_RMGRS.get(s.rmid)!.identify(s.info, profile)}`;
        const main = s.mainData;
        for (let cut = 0; cut < Math.min(main.length, 96); cut++)
          attempt(
            `${label} main data cut to ${cut}`,
            withParts(s, main.subarray(0, cut)),
            cut === 0 && !MAIN_DATA_UNUSED.has(label.slice(label.indexOf(' ') + 1)),
          );
        for (const b of s.blocks) {
          if (!b.hasData) continue;
          for (let cut = 0; cut < Math.min(b.data.length, 96); cut++) {
            attempt(`${label} block ${b.id} data cut to ${cut}`, withParts(s, main, new Map([[b.id, b.data.subarray(0, cut)]])), false);
          }
        }
        for (let i = 0; i < 16; i++) {
          const m = main.slice();
          const blockData = new Map<number, Uint8Array>();
          for (const b of s.blocks) if (b.hasData) blockData.set(b.id, b.data.slice());
          const parts = [m, ...blockData.values()].filter((p) => p.length > 0);
          for (let k = 0; k < 4 && parts.length > 0; k++) {
            const p = parts[Math.floor(random() * parts.length)]!;
            p[Math.floor(random() * p.length)] = Math.floor(random() * 256);
          }
          attempt(`${label} corrupted #${i}`, withParts(s, m, blockData), false);
        }
      }
      console.log(`${samples.length} sample records, ${attempts} damaged variants, ${rejected} rejected with BAD_RECORD`);
      expect(failures.slice(0, 40)).toEqual([]);
      expect(samples.length).toBeGreaterThan(setup === DEFAULT_SETUP ? 100 : 1);
    });

    it('every case produced the record types it expects', () => {
      expect(primary, 'no oracle ran').not.toBeNull();
      const { produced, notProduced } = typeCoverage(primary!.seen, major);
      if (setup === DEFAULT_SETUP)
        console.log(`PostgreSQL ${major}: ${produced.length} record types produced; not produced: ${notProduced.join(' ')}`);
      expect(missingCoverage(ranges, primary!.seen, major)).toEqual([]);
      expect(missingMatches(ranges, ours, major)).toEqual([]);
    });
  });
}
