/**
 * The real-server suite for one major: run every workload case, decode the WAL with our
 * decoder and compare each access-method record's type and description with pg_walinspect
 * (15, 16) and pg_waldump (where a binary for the major is installed), then check that every
 * record type a case expects was produced.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgMajor } from '../../src/common/core/version.js';
import { PgServer } from '../support/pg-server.js';
import {
  AM_SERVER_CONF,
  type CaseRange,
  type Comparison,
  compare,
  decodeOurs,
  loadCases,
  missingCoverage,
  type OurRecord,
  runCases,
  waldumpBinary,
  waldumpRecords,
  walinspectRecords,
} from './support.js';

const CASES_DIR = join(import.meta.dirname, 'cases');

function report(label: string, c: Comparison): void {
  console.log(`${label}: ${c.compared} access-method records compared, ${c.mismatches.length} mismatches`);
}

export function defineAmSuite(major: PgMajor): void {
  describe(`access-method rmgrs on PostgreSQL ${major}`, () => {
    let server: PgServer | null = null;
    let ranges: CaseRange[] = [];
    let ours: OurRecord[] = [];
    let start = 0n;
    let end = 0n;
    let primary: Comparison | null = null;

    beforeAll(async () => {
      server = await PgServer.start({ major, conf: AM_SERVER_CONF });
      await server.query('CREATE EXTENSION IF NOT EXISTS bloom');
      if (major >= 15) await server.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect');
      ranges = await runCases(server, loadCases(CASES_DIR));
      start = ranges[0]!.start;
      end = ranges.at(-1)!.end;
      await server.switchWal();
      ours = decodeOurs(server, start, end);
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
        expect(c.compared).toBeGreaterThan(1000);
      });
    }

    const bin = waldumpBinary(major);
    it.skipIf(bin === null)(`types and descriptions equal pg_waldump (${bin ?? 'not installed'})`, () => {
      const c = compare(ours, waldumpRecords(bin!, server!.walDir, start, end), ranges, true);
      primary ??= c;
      report(`pg_waldump ${major}`, c);
      expect(c.mismatches.slice(0, 40)).toEqual([]);
      expect(c.compared).toBeGreaterThan(1000);
    });

    it('every case produced the record types it expects', () => {
      expect(primary, 'no oracle ran').not.toBeNull();
      expect(missingCoverage(ranges, primary!.seen, major)).toEqual([]);
    });
  });
}
