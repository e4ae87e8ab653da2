/**
 * WAL written by real PostgreSQL 14, 15 and 16 servers, decoded from the pg_wal files and
 * compared with the server's own view: pg_walinspect (15, 16: records, and 16's
 * pg_get_wal_block_info), pageinspect's get_raw_page for restored full-page images, and on 14
 * the CRC/prev-link chain and the server's insert LSN. Also: seeded random chunking and
 * split-at-every-offset around page and segment boundaries.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLsn, parseLsn } from '../../src/common/core/lsn.js';
import { walFileName } from '../../src/common/core/wal-file-names.js';
import type { PgVersionProfile } from '../../src/common/profile.js';
import { restoreFullPageImage } from '../../src/common/wal/full-page-image.js';
import { profileFor } from '../../src/index.js';
import { readWalDirectory } from '../../src/node/wal-files.js';
import { PgServer } from '../support/pg-server.js';
import { decodeSequence, randomSizes } from './support/chunking.js';
import { parseBlockRefText, parseWaldump, type RecordSummary, summarize } from './support/oracle.js';
import { runWalWorkload } from './support/workload.js';

interface Probe {
  compression: string;
  rel: string;
  page: Uint8Array;
}

describe.each([14, 15, 16] as const)('PostgreSQL %i WAL', (major) => {
  const profile: PgVersionProfile = profileFor(major);
  let server: PgServer;
  let start = '';
  let end = '';
  const summaries: RecordSummary[] = [];
  const fpis = new Map<string, { page: Uint8Array; lsn: bigint; compression: string }>();
  const probes: Probe[] = [];
  let tailCheck: { endOfWalLsn: bigint | null; lastEnd: string } = { endOfWalLsn: null, lastEnd: '' };

  beforeAll(async () => {
    server = await PgServer.start({ major, conf: { wal_compression: major === 14 ? 'on' : 'pglz', wal_keep_size: "'2GB'" } });
    await server.query('CREATE EXTENSION pageinspect');
    if (major >= 15) await server.query('CREATE EXTENSION pg_walinspect');
    ({ start, end } = await runWalWorkload(server));
    // Full-page images of blocks not modified afterwards, one per compression setting.
    const methods = major === 14 ? ['off', 'on'] : ['off', 'pglz'];
    for (const m of methods) {
      const t = `probe_${m}`;
      await server.query(`CREATE TABLE ${t} (id int, v text) WITH (fillfactor = 50)`);
      await server.query(`INSERT INTO ${t} SELECT g, repeat('v', 20) FROM generate_series(1, 60) g`);
      await server.query(`SELECT count(*) FROM ${t}`); // hint bits (and their FPI) before the checkpoint
      await server.query(`SET wal_compression = ${m}`);
      await server.checkpoint();
      await server.query(`UPDATE ${t} SET v = 'changed' WHERE id = 1`);
      const [rel] = await server.query<{ rel: string }>(
        `SELECT (CASE WHEN reltablespace = 0 THEN (SELECT dattablespace FROM pg_database WHERE datname = current_database()) ELSE reltablespace END)::text
           || '/' || (SELECT oid FROM pg_database WHERE datname = current_database())::text || '/' || pg_relation_filenode('${t}')::text AS rel
           FROM pg_class WHERE relname = '${t}'`,
      );
      const [raw] = await server.query<{ p: Buffer }>(`SELECT get_raw_page('${t}', 0) AS p`);
      probes.push({ compression: m, rel: rel!.rel, page: new Uint8Array(raw!.p) });
    }
    await server.query('SELECT txid_current()');
    end = await server.currentLsn();
    await server.checkpoint();
    const reader = readWalDirectory(server.walDir, { startLsn: start });
    for await (const r of reader) {
      const s = summarize(r);
      summaries.push(s);
      for (const b of r.blocks) {
        if (b.image !== null)
          fpis.set(`${b.spcOid}/${b.dbOid}/${b.relNumber}:${b.fork}:${b.blockNumber}`, {
            page: restoreFullPageImage(profile, b, r.lsn),
            lsn: r.lsn,
            compression: b.image.compression,
          });
      }
    }
    tailCheck = { endOfWalLsn: reader.endOfWal?.lsn ?? null, lastEnd: summaries.at(-1)?.end ?? '' };
  });

  afterAll(async () => {
    if (process.env.WAL_DEBUG) console.log(readFileSync(server.logFile, 'utf8').split('\n').slice(-30).join('\n'));
    await server?.destroy();
  });

  it('decodes the whole range: prev links unbroken, every rmgr of the workload present', () => {
    expect(summaries.length).toBeGreaterThan(1000);
    for (let i = 1; i < summaries.length; i++) expect(summaries[i]!.prev).toBe(summaries[i - 1]!.lsn);
    const rmids = new Set(summaries.map((s) => s.rmid));
    for (const id of [0, 1, 2, 9, 10, 11, 12, 13, 14, 16, 17, 21]) expect(rmids, `rmgr ${id}`).toContain(id);
    // a record crossing a segment boundary, and one spanning several pages
    const seg = 16 * 1024 * 1024;
    expect(summaries.some((s) => Math.floor(Number(parseLsn(s.lsn)) / seg) !== Math.floor((Number(parseLsn(s.end)) - 1) / seg))).toBe(true);
    expect(summaries.some((s) => s.totLen > 5 * 1024 * 1024)).toBe(true);
    // the decoder stops at the server's end of WAL, after the last record it wrote
    expect(tailCheck.endOfWalLsn).not.toBeNull();
    expect(parseLsn(tailCheck.lastEnd)).toBeGreaterThanOrEqual(parseLsn(end));
    expect(summaries.some((s) => s.end === end)).toBe(true);
  });

  it('restores full-page images equal to the server page (pd_lsn and pd_checksum aside)', () => {
    expect(probes.length).toBe(2);
    for (const p of probes) {
      const fpi = fpis.get(`${p.rel}:0:0`);
      expect(fpi, `FPI of ${p.rel} (${p.compression})`).toBeDefined();
      expect(fpi!.compression).toBe(p.compression === 'off' ? 'none' : 'pglz');
      const diff: number[] = [];
      for (let i = 10; i < 8192; i++) if (fpi!.page[i] !== p.page[i]) diff.push(i);
      expect(diff, `${p.compression}: differing bytes`).toEqual([]);
    }
    // every restored page is a page whose pd_lsn is at most its record's LSN
    for (const { page, lsn } of fpis.values()) {
      const v = new DataView(page.buffer, page.byteOffset);
      const pdLsn = (BigInt(v.getUint32(0, true)) << 32n) | BigInt(v.getUint32(4, true));
      expect(pdLsn <= lsn).toBe(true);
    }
  });

  it.skipIf(major === 14)('agrees with pg_walinspect record by record', async () => {
    const rows = await server.query<Record<string, string | number | null>>(
      `SELECT start_lsn::text, end_lsn::text, prev_lsn::text, xid::text, resource_manager, record_length, main_data_length, fpi_length, block_ref
         FROM pg_get_wal_records_info($1, $2)`,
      [start, end],
    );
    const ours = summaries.filter((s) => parseLsn(s.end) <= parseLsn(end));
    expect(ours.length).toBe(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const s = ours[i]!;
      const got = {
        lsn: s.lsn,
        end: s.end,
        prev: s.prev,
        xid: String(s.xid),
        rmgr: profile.rmgrNames[s.rmid],
        len: s.totLen,
        main: s.mainLen,
        fpi: s.fpiLen,
        blocks: major === 15 ? s.blocks.map(({ id, rel, fork, blk, image }) => ({ id, rel, fork, blk, image })) : undefined,
      };
      const want = {
        lsn: row.start_lsn,
        end: row.end_lsn,
        prev: row.prev_lsn,
        xid: row.xid,
        rmgr: row.resource_manager,
        len: Number(row.record_length),
        main: Number(row.main_data_length),
        fpi: Number(row.fpi_length),
        blocks: major === 15 ? parseBlockRefText(row.block_ref as string | null) : undefined,
      };
      expect(got, `record ${i} at ${s.lsn}`).toEqual(want);
    }
  });

  // pg_waldump of the same major: Debian's 15, and 14/16 where a full install was extracted
  // (scripts/install-pg-headers.sh's wheels) — an extra oracle, skipped when absent.
  const waldump = major === 15 ? '/usr/lib/postgresql/15/bin/pg_waldump' : `/opt/pgffi-pg/${major}/bin/pg_waldump`;
  it.skipIf(!existsSync(waldump))(`agrees with pg_waldump ${major} --bkp-details record by record`, () => {
    const out = execFileSync(waldump, ['--bkp-details', '-p', server.walDir, '-s', start, '-e', end], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const theirs = parseWaldump(out).map((r) => ({
      lsn: r.lsn,
      prev: r.prev,
      xid: r.xid,
      rec: r.rec,
      tot: r.tot,
      rmgr: r.rmgr,
      blocks: r.blocks.map(({ id, rel, fork, blk, image }) => ({ id, rel, fork, blk, image })),
    }));
    const ours = summaries
      .filter((s) => parseLsn(s.end) <= parseLsn(end))
      .map((s) => ({
        lsn: s.lsn,
        prev: s.prev,
        xid: s.xid,
        rec: s.totLen - s.fpiLen,
        tot: s.totLen,
        rmgr: profile.rmgrNames[s.rmid],
        blocks: s.blocks,
      }));
    expect(theirs.length).toBeGreaterThan(1000);
    expect(ours).toEqual(theirs);
  });

  it.skipIf(!existsSync(waldump))(`ends where pg_waldump ${major} ends, with its message`, async () => {
    const snapshot = mkdtempSync(join(tmpdir(), 'pgffi-wal-snapshot-'));
    try {
      cpSync(server.walDir, snapshot, { recursive: true });
      const reader = readWalDirectory(snapshot, { startLsn: start });
      let count = 0;
      for await (const _ of reader) count++;
      const res = spawnSync(waldump, ['-p', snapshot, '-s', start], { encoding: 'utf8', maxBuffer: 1 << 30 });
      const lines = res.stdout.split('\n').filter((l) => l.startsWith('rmgr: '));
      const error = /error in WAL record at ([0-9A-F]+\/[0-9A-F]+): (.*)$/m.exec(res.stderr);
      expect(error, res.stderr).not.toBeNull();
      expect(count).toBe(lines.length);
      expect(reader.endOfWal?.reason).toBe('invalid-record');
      expect(reader.endOfWal?.message).toBe(error![2]);
      expect(formatLsn(reader.endOfWal!.lastRecordLsn!)).toBe(error![1]);
    } finally {
      rmSync(snapshot, { recursive: true, force: true });
    }
  });

  it.skipIf(major !== 16)('agrees with pg_get_wal_block_info block by block', async () => {
    const rows = await server.query<Record<string, string | number>>(
      `SELECT start_lsn::text, block_id, reltablespace, reldatabase, relfilenode, relforknumber, relblocknumber, block_fpi_length
         FROM pg_get_wal_block_info($1, $2, false) ORDER BY start_lsn, block_id`,
      [start, end],
    );
    const ours = summaries
      .filter((s) => parseLsn(s.end) <= parseLsn(end))
      .flatMap((s) => s.blocks.map((b) => ({ lsn: s.lsn, id: b.id, rel: b.rel, fork: b.fork, blk: b.blk, image: b.image })));
    const want = rows.map((r) => ({
      lsn: r.start_lsn,
      id: Number(r.block_id),
      rel: `${r.reltablespace}/${r.reldatabase}/${r.relfilenode}`,
      fork: Number(r.relforknumber),
      blk: Number(r.relblocknumber),
      image: r.block_fpi_length !== null && Number(r.block_fpi_length) > 0,
    }));
    expect(ours).toEqual(want);
  });

  describe('deterministic chunking', () => {
    let window: Uint8Array;
    let windowLsn = 0n;
    let baseline: string[] = [];
    const seg = 16 * 1024 * 1024;

    beforeAll(() => {
      // 64 KiB before and after a segment boundary with records on both sides (preferably crossed by one).
      const at = summaries.map((s) => Number(parseLsn(s.lsn)));
      const near = (b: number): boolean => at.some((l) => l >= b - 65536 && l < b - 8192) && at.some((l) => l >= b && l < b + 57344);
      const crossing = summaries.find((s) => {
        const b = (Math.floor(Number(parseLsn(s.lsn)) / seg) + 1) * seg;
        return Number(parseLsn(s.end)) > b && s.totLen < 32768 && near(b);
      });
      let boundary = crossing === undefined ? 0 : (Math.floor(Number(parseLsn(crossing.lsn)) / seg) + 1) * seg;
      if (boundary === 0) {
        for (let b = Math.ceil(at[0]! / seg) * seg; b < at.at(-1)!; b += seg) {
          if (at.some((l) => l >= b && l < b + 57344)) {
            boundary = b;
            break;
          }
        }
      }
      expect(boundary).toBeGreaterThan(0);
      const a = readFileSync(join(server.walDir, walFileName(1, BigInt(boundary / seg - 1))));
      const b = readFileSync(join(server.walDir, walFileName(1, BigInt(boundary / seg))));
      window = new Uint8Array(128 * 1024);
      if (crossing !== undefined) {
        window.set(a.subarray(seg - 65536), 0);
        window.set(b.subarray(0, 65536), 65536);
        windowLsn = BigInt(boundary - 65536);
      } else {
        // the segment before ends in an XLOG_SWITCH tail: start the window at the boundary
        window.set(b.subarray(0, 131072), 0);
        windowLsn = BigInt(boundary);
      }
      baseline = decodeSequence(profile, window, { inputLsn: windowLsn, segmentSize: seg }, () => window.length);
      expect(baseline.length).toBeGreaterThan(2);
    });

    it('decodes the same sequence for every seed of random chunk sizes', () => {
      const only = process.env.WAL_SEED;
      const seeds = only !== undefined ? [Number(only)] : Array.from({ length: 1000 }, (_, i) => i + major * 100000);
      for (const seed of seeds) {
        const got = decodeSequence(profile, window, { inputLsn: windowLsn, segmentSize: seg }, randomSizes(seed));
        if (got.join('\n') !== baseline.join('\n')) {
          expect.fail(`seed ${seed} decodes differently; replay with WAL_SEED=${seed}`);
        }
      }
    });

    it('decodes the same sequence split in two at every offset around page and segment boundaries', () => {
      const offsets = new Set<number>();
      for (let page = 0; page <= window.length; page += 8192) {
        for (let d = -48; d <= 48; d++) if (page + d > 0 && page + d < window.length) offsets.add(page + d);
      }
      for (let o = 1; o < window.length; o += 97) offsets.add(o);
      for (const o of offsets) {
        let first = true;
        const got = decodeSequence(profile, window, { inputLsn: windowLsn, segmentSize: seg }, () => {
          const n = first ? o : window.length;
          first = false;
          return n;
        });
        if (got.join('\n') !== baseline.join('\n')) expect.fail(`split at ${o} decodes differently`);
      }
    });

    it('streams the whole range in random chunks to the same records', () => {
      const segs = new Set(summaries.map((s) => Math.floor(Number(parseLsn(s.lsn)) / seg)));
      const first = Math.min(...segs);
      const last = Math.max(...segs);
      const parts: Uint8Array[] = [];
      for (let n = first; n <= last; n++) parts.push(readFileSync(join(server.walDir, walFileName(1, BigInt(n)))));
      const all = Buffer.concat(parts);
      const seed = Number(process.env.WAL_SEED ?? 7 + major);
      const got = decodeSequence(profile, all, { startLsn: parseLsn(start) }, randomSizes(seed));
      const want = summaries.map((s) => s.lsn);
      // the server went on writing after the range was read: compare the records it had then
      expect(
        got.slice(0, want.length).map((l) => formatLsn(BigInt(l.split(':')[0]!))),
        `seed ${seed}`,
      ).toEqual(want);
    });
  });
});
