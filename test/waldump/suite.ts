/**
 * The real-server suite for one major version: run cases.txt's workload, then
 *  - (15, 16) every record's record_type, description and block_ref against pg_walinspect's
 *    pg_get_wal_records_info, and on 16 every block against pg_get_wal_block_info;
 *  - the coverage check (each `expect` type was produced, per pg_waldump --stats=record);
 *  - every `waldump` case against pg_waldump of the same major (skipped, with the reason, when
 *    that tool is not installed: scripts/install-pg-tools.sh provides 14 and 16).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLsn } from '../../src/common/core/lsn.js';
import type { PgVersionProfile } from '../../src/common/profile.js';
import { blockRefText, CORE_RMGR_IDS, describe as describeRecord, recordType, rmgrName } from '../../src/common/rmgr/index.js';
import { readWalDirectory } from '../../src/node/wal-files.js';
import { profile as profile14 } from '../../src/v14/profile.js';
import { profile as profile15 } from '../../src/v15/profile.js';
import { profile as profile16 } from '../../src/v16/profile.js';
import { type PgMajorVersion, PgServer } from '../support/pg-server.js';
import {
  cleanup,
  dirContents,
  pgWaldumpPath,
  producedTypes,
  runCTool,
  runOurs,
  runWorkload,
  splitArgs,
  substitute,
  type WorkloadResult,
} from './runner.js';

const PROFILES: Record<PgMajorVersion, PgVersionProfile> = { 14: profile14, 15: profile15, 16: profile16 };

interface OurRecord {
  lsn: string;
  rmid: number;
  type: string;
  desc: string;
  blockRef: string;
  blocks: {
    id: number;
    spc: number;
    db: number;
    rel: number;
    fork: number;
    blk: number;
    dataLen: number;
    fpiLen: number;
    fpiInfo: string | null;
  }[];
}

function fpiInfo(bimgInfo: number, apply: boolean, profile: PgVersionProfile): string {
  const flags: string[] = [];
  if (bimgInfo & profile.bkpImage.HAS_HOLE) flags.push('HAS_HOLE');
  if (apply) flags.push('APPLY');
  if (bimgInfo & profile.bkpImage.COMPRESS_PGLZ) flags.push('COMPRESS_PGLZ');
  if (profile.bkpImage.COMPRESS_LZ4 && bimgInfo & profile.bkpImage.COMPRESS_LZ4) flags.push('COMPRESS_LZ4');
  if (profile.bkpImage.COMPRESS_ZSTD && bimgInfo & profile.bkpImage.COMPRESS_ZSTD) flags.push('COMPRESS_ZSTD');
  return `{${flags.join(',')}}`;
}

async function decodeOurs(walDir: string, start: string, end: string, profile: PgVersionProfile): Promise<Map<string, OurRecord>> {
  const out = new Map<string, OurRecord>();
  const opts = { timestampStyle: 'server', timeZone: 'UTC' } as const;
  for await (const r of readWalDirectory(walDir, { startLsn: start, endLsn: end, profile, timeline: 1 })) {
    out.set(formatLsn(r.lsn), {
      lsn: formatLsn(r.lsn),
      rmid: r.rmid,
      type: recordType(r, profile),
      desc: describeRecord(r, profile, opts),
      blockRef: blockRefText(r, profile, { detailed: true }),
      blocks: r.blocks.map((b) => ({
        id: b.id,
        spc: b.spcOid,
        db: b.dbOid,
        rel: b.relNumber,
        fork: b.fork,
        blk: b.blockNumber,
        dataLen: b.data.length,
        fpiLen: b.image?.length ?? 0,
        fpiInfo: b.image === null ? null : fpiInfo(b.image.bimgInfo, b.image.apply, profile),
      })),
    });
  }
  return out;
}

export function realServerSuite(major: PgMajorVersion): void {
  const profile = PROFILES[major];
  const tool = pgWaldumpPath(major);
  describe(`PostgreSQL ${major}: core rmgrs and pgffi waldump on a real server`, () => {
    let server: PgServer;
    let w: WorkloadResult;
    let inspect: Record<string, unknown>[] = [];
    let blockInfo: Record<string, unknown>[] = [];

    beforeAll(async () => {
      // wal_compression: full-page images compressed with pglz (the -b "compression saved" text).
      server = await PgServer.start({
        major,
        conf: { wal_keep_size: "'4GB'", timezone: "'UTC'", log_timezone: "'UTC'", wal_compression: 'on' },
      });
      w = await runWorkload(server, major);
      if (major >= 15) {
        await server.query("SET TimeZone = 'UTC'");
        await server.query('CREATE EXTENSION pg_walinspect');
        inspect = await server.query(
          `SELECT start_lsn::text, end_lsn::text, prev_lsn::text, xid::text, resource_manager, record_type, record_length, main_data_length, fpi_length, description, block_ref FROM pg_get_wal_records_info('${w.start}', '${w.end}')`,
        );
        if (major >= 16) {
          blockInfo = await server.query(
            `SELECT start_lsn::text, block_id, reltablespace, reldatabase, relfilenode, relforknumber, relblocknumber, block_data_length, block_fpi_length, block_fpi_info::text AS fpi_info, record_type, description FROM pg_get_wal_block_info('${w.start}', '${w.end}')`,
          );
        }
      }
      await server.stop();
    }, 600_000);

    afterAll(async () => {
      await server?.destroy();
      if (w !== undefined) cleanup(w.vars);
    });

    it.runIf(major >= 15)('every record: record_type, description and block_ref equal pg_walinspect', async () => {
      const ours = await decodeOurs(server.walDir, w.start, w.end, profile);
      expect(inspect.length).toBeGreaterThan(1000);
      const mismatches: string[] = [];
      const notCovered = new Map<string, number>();
      const coreChecked = new Map<string, number>();
      for (const row of inspect) {
        const lsn = String(row.start_lsn);
        const o = ours.get(lsn);
        if (o === undefined) {
          mismatches.push(`${lsn}: record not decoded by us`);
          continue;
        }
        const desc = row.description ?? '';
        const blockRef = row.block_ref ?? '';
        const same = o.type === row.record_type && o.desc === desc && o.blockRef === blockRef;
        if (!CORE_RMGR_IDS.includes(o.rmid) && o.type.startsWith('UNKNOWN') && !String(row.record_type).startsWith('UNKNOWN')) {
          notCovered.set(rmgrName(o.rmid), (notCovered.get(rmgrName(o.rmid)) ?? 0) + 1);
          continue;
        }
        if (CORE_RMGR_IDS.includes(o.rmid))
          coreChecked.set(`${rmgrName(o.rmid)}/${o.type}`, (coreChecked.get(`${rmgrName(o.rmid)}/${o.type}`) ?? 0) + 1);
        if (!same) {
          mismatches.push(
            `${lsn} ${row.resource_manager}\n  type  pg=${row.record_type} ours=${o.type}\n  desc  pg=${desc}\n        ours=${o.desc}\n  block pg=${blockRef}\n        ours=${o.blockRef}`,
          );
        }
      }
      if (notCovered.size > 0)
        console.log(
          `PostgreSQL ${major}: records of rmgrs without a descriptor module (not covered): ${JSON.stringify(Object.fromEntries(notCovered))}`,
        );
      console.log(
        `PostgreSQL ${major}: core record types checked against pg_walinspect: ${JSON.stringify(Object.fromEntries(coreChecked))}`,
      );
      expect(mismatches.slice(0, 20).join('\n')).toBe('');
      expect(ours.size).toBe(inspect.length);
    });

    it.runIf(major >= 15)("pgffi waldump --json: one object per record with pg_walinspect's values", async () => {
      const res = await runOurs(['-p', server.walDir, '-s', w.start, '-e', w.end, '--json']);
      expect(res.status).toBe(0);
      const lines = res.stdout.split('\n').filter((l) => l !== '');
      expect(lines.length).toBe(inspect.length);
      const mismatches: string[] = [];
      lines.forEach((line, i) => {
        const j = JSON.parse(line) as Record<string, unknown>;
        const row = inspect[i]!;
        const got = [
          j.startLsn,
          j.endLsn,
          j.prevLsn,
          String(j.xid),
          j.resourceManager,
          j.recordType,
          j.recordLength,
          j.mainDataLength,
          j.fpiLength,
          j.description,
          j.blockRef,
        ];
        const want = [
          row.start_lsn,
          row.end_lsn,
          row.prev_lsn,
          row.xid,
          row.resource_manager,
          row.record_type,
          Number(row.record_length),
          Number(row.main_data_length),
          Number(row.fpi_length),
          row.description ?? '',
          row.block_ref ?? '',
        ];
        if (JSON.stringify(got) !== JSON.stringify(want))
          mismatches.push(`${row.start_lsn}\n  pg=${JSON.stringify(want)}\n  us=${JSON.stringify(got)}`);
      });
      expect(mismatches.slice(0, 10).join('\n')).toBe('');
    });

    it.runIf(major >= 16)('every block equals pg_get_wal_block_info', async () => {
      const ours = await decodeOurs(server.walDir, w.start, w.end, profile);
      expect(blockInfo.length).toBeGreaterThan(1000);
      const mismatches: string[] = [];
      for (const row of blockInfo) {
        const o = ours.get(String(row.start_lsn));
        const b = o?.blocks.find((x) => x.id === Number(row.block_id));
        if (o === undefined || b === undefined) {
          mismatches.push(`${row.start_lsn} block ${row.block_id}: missing`);
          continue;
        }
        const got = [b.spc, b.db, b.rel, b.fork, b.blk, b.dataLen, b.fpiLen, b.fpiInfo, o.type, o.desc === '' ? null : o.desc];
        const want = [
          Number(row.reltablespace),
          Number(row.reldatabase),
          Number(row.relfilenode),
          Number(row.relforknumber),
          Number(row.relblocknumber),
          Number(row.block_data_length),
          Number(row.block_fpi_length),
          row.fpi_info,
          row.record_type,
          row.description,
        ];
        if (JSON.stringify(got) !== JSON.stringify(want))
          mismatches.push(`${row.start_lsn} #${row.block_id}\n  pg=${JSON.stringify(want)}\n  us=${JSON.stringify(got)}`);
      }
      expect(mismatches.slice(0, 20).join('\n')).toBe('');
    });

    it.skipIf(tool === null)(`workload produced every listed record type (pg_waldump ${major} --stats=record)`, () => {
      const types = producedTypes(tool!, server.walDir, w.start, w.end);
      const missing = w.expects.filter((t) => !types.has(t));
      expect(missing).toEqual([]);
    });

    it.skipIf(tool === null)(`pgffi waldump --stats --json carries pg_waldump ${major}'s --stats numbers`, async () => {
      for (const perRecord of [false, true]) {
        const args = ['-p', server.walDir, '-s', w.start, '-e', w.end, perRecord ? '--stats=record' : '--stats'];
        const c = runCTool(tool!, args);
        const rows = new Map<string, number[]>();
        for (const line of c.stdout.split('\n')) {
          const m = /^(\S+)\s+(\d+) \(\s*[\d.]+\)\s+(\d+) \(\s*[\d.]+\)\s+(\d+) \(\s*[\d.]+\)\s+(\d+) /.exec(line);
          if (m !== null) rows.set(m[1]!, [Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])]);
        }
        expect(rows.size).toBeGreaterThan(5);
        const ours = await runOurs([...args, '--json']);
        const j = JSON.parse(ours.stdout) as {
          rows: {
            resourceManager: string;
            recordType?: string;
            count: number;
            recordSize: number;
            fpiSize: number;
            combinedSize: number;
          }[];
        };
        const got = new Map(
          j.rows.map((r) => [
            r.recordType === undefined ? r.resourceManager : `${r.resourceManager}/${r.recordType}`,
            [r.count, r.recordSize, r.fpiSize, r.combinedSize],
          ]),
        );
        expect(Object.fromEntries(got)).toEqual(Object.fromEntries(rows));
      }
    });

    it.skipIf(tool === null)(`pgffi waldump equals pg_waldump ${major}: output, errors and exit code, for every case`, async () => {
      const failures: string[] = [];
      let compressedImages = false;
      for (const d of w.waldumps) {
        const args = splitArgs(substitute(d.rest, w.vars));
        const tz = args[0]?.startsWith('TZ=') ? args.shift()!.slice(3) : 'UTC';
        const save = args.findIndex((a) => a.startsWith('--save-fullpage='));
        const cArgs = [...args];
        const ourArgs = [...args];
        if (save >= 0) {
          cArgs[save] = `${args[save]}-c`;
          ourArgs[save] = `${args[save]}-ours`;
        }
        const c = runCTool(tool!, cArgs, tz);
        if (c.stdout.includes('compression saved: ')) compressedImages = true;
        const ours = await runOurs(ourArgs, tz);
        const label = `cases.txt:${d.line} waldump ${d.rest}`;
        if (c.stdout !== ours.stdout) {
          const a = c.stdout.split('\n');
          const b = ours.stdout.split('\n');
          const i = a.findIndex((line, k) => line !== b[k]);
          failures.push(`${label}: stdout differs at line ${i + 1} (${a.length} vs ${b.length} lines)\n  pg:   ${a[i]}\n  ours: ${b[i]}`);
        }
        if (c.stderr !== ours.stderr) failures.push(`${label}: stderr\n  pg:   ${c.stderr}\n  ours: ${ours.stderr}`);
        if (c.status !== ours.status) failures.push(`${label}: exit code pg=${c.status} ours=${ours.status}`);
        if (save >= 0) {
          const dc = dirContents(cArgs[save]!.slice('--save-fullpage='.length));
          const dours = dirContents(ourArgs[save]!.slice('--save-fullpage='.length));
          expect(dc.size).toBeGreaterThan(0);
          if (JSON.stringify([...dc.keys()]) !== JSON.stringify([...dours.keys()])) failures.push(`${label}: saved file names differ`);
          else for (const [k, v] of dc) if (!v.equals(dours.get(k)!)) failures.push(`${label}: ${k} content differs`);
        }
      }
      expect(failures.join('\n')).toBe('');
      expect(w.waldumps.length).toBeGreaterThan(10);
      expect(compressedImages).toBe(true);
    });
  });
}
