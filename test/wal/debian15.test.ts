/**
 * Debian's PostgreSQL 15 (built with lz4 and zstd): full-page images compressed with each
 * wal_compression method restore to the server's page, and every record of the workload
 * agrees with Debian's pg_waldump --bkp-details over the same segment files.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/waldump.js';
import { formatLsn, parseLsn } from '../../src/common/core/lsn.js';
import { restoreFullPageImage } from '../../src/common/wal/full-page-image.js';
import { profileFor } from '../../src/index.js';
import { readWalDirectory } from '../../src/node/wal-files.js';
import { debianServerAvailable, PgServer } from '../support/pg-server.js';
import { expectSameText } from '../support/text-diff.js';
import { parseWaldump, type WaldumpRecord } from './support/oracle.js';
import { runWalWorkload } from './support/workload.js';

const profile = profileFor(15);

describe.skipIf(!debianServerAvailable())("Debian's PostgreSQL 15 WAL", () => {
  let server: PgServer;
  let start = '';
  let end = '';
  const probes: { method: string; rel: string; page: Uint8Array }[] = [];
  const ours: { lsn: string; prev: string; xid: number; rec: number; tot: number; rmgr: string; blocks: WaldumpRecord['blocks'] }[] = [];
  const images = new Map<string, { page: Uint8Array; compression: string }>();

  beforeAll(async () => {
    server = await PgServer.start({ major: 15, flavor: 'debian', conf: { wal_compression: 'lz4', wal_keep_size: "'2GB'" } });
    await server.query('CREATE EXTENSION pageinspect');
    ({ start } = await runWalWorkload(server));
    for (const method of ['off', 'pglz', 'lz4', 'zstd']) {
      const t = `probe_${method}`;
      await server.query(`CREATE TABLE ${t} (id int, v text) WITH (fillfactor = 50)`);
      await server.query(`INSERT INTO ${t} SELECT g, repeat('v', 20) FROM generate_series(1, 60) g`);
      await server.query(`SELECT count(*) FROM ${t}`);
      await server.query(`SET wal_compression = ${method}`);
      await server.checkpoint();
      await server.query(`UPDATE ${t} SET v = 'changed' WHERE id = 1`);
      const [rel] = await server.query<{ rel: string }>(
        `SELECT (SELECT dattablespace FROM pg_database WHERE datname = current_database())::text || '/' ||
                (SELECT oid FROM pg_database WHERE datname = current_database())::text || '/' || pg_relation_filenode('${t}')::text AS rel`,
      );
      const [raw] = await server.query<{ p: Buffer }>(`SELECT get_raw_page('${t}', 0) AS p`);
      probes.push({ method, rel: rel!.rel, page: new Uint8Array(raw!.p) });
    }
    await server.query('SELECT txid_current()');
    end = await server.currentLsn();
    for await (const r of readWalDirectory(server.walDir, { startLsn: start, endLsn: end })) {
      ours.push({
        lsn: formatLsn(r.lsn),
        prev: formatLsn(r.prevLsn),
        xid: r.xid,
        tot: r.totalLength,
        rec: r.totalLength - r.blocks.reduce((n, b) => n + (b.image?.length ?? 0), 0),
        rmgr: profile.rmgrNames[r.rmid] ?? `custom${r.rmid}`,
        blocks: r.blocks.map((b) => ({
          id: b.id,
          rel: `${b.spcOid}/${b.dbOid}/${b.relNumber}`,
          fork: b.fork,
          blk: b.blockNumber,
          image: b.hasImage,
          holeOffset: b.image?.holeOffset ?? 0,
          holeLength: b.image?.holeLength ?? 0,
          method: b.image === null || b.image.compression === 'none' ? null : b.image.compression,
        })),
      });
      for (const b of r.blocks) {
        if (b.image !== null)
          images.set(`${b.spcOid}/${b.dbOid}/${b.relNumber}:${b.fork}:${b.blockNumber}`, {
            page: restoreFullPageImage(profile, b, r.lsn),
            compression: b.image.compression,
          });
      }
    }
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it.each(['off', 'pglz', 'lz4', 'zstd'])('restores a %s full-page image equal to get_raw_page (pd_lsn, pd_checksum aside)', (method) => {
    const p = probes.find((x) => x.method === method)!;
    const fpi = images.get(`${p.rel}:0:0`);
    expect(fpi).toBeDefined();
    expect(fpi!.compression).toBe(method === 'off' ? 'none' : method);
    const diff: number[] = [];
    for (let i = 10; i < 8192; i++) if (fpi!.page[i] !== p.page[i]) diff.push(i);
    expect(diff).toEqual([]);
  });

  it('agrees with pg_waldump --bkp-details record by record (lz4, zstd, pglz images)', () => {
    const out = execFileSync('/usr/lib/postgresql/15/bin/pg_waldump', ['--bkp-details', '-p', server.walDir, '-s', start, '-e', end], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const theirs = parseWaldump(out);
    expect(theirs.length).toBeGreaterThan(1000);
    expect(ours.length).toBe(theirs.length);
    for (let i = 0; i < theirs.length; i++) expect(ours[i], `record ${i}`).toEqual(theirs[i]);
    const methods = new Set(ours.flatMap((r) => r.blocks.map((b) => b.method)));
    for (const m of ['pglz', 'lz4', 'zstd', null]) expect(methods).toContain(m);
    expect(parseLsn(ours.at(-1)!.lsn)).toBeLessThan(parseLsn(end));
  });

  it('pgffi waldump -b prints what pg_waldump --bkp-details prints, byte for byte (lz4, zstd, pglz images)', async () => {
    const args = ['-p', server.walDir, '-s', start, '-e', end];
    const theirs = execFileSync('/usr/lib/postgresql/15/bin/pg_waldump', ['--bkp-details', ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' },
    });
    for (const method of ['pglz', 'lz4', 'zstd']) expect(theirs).toContain(`, method: ${method}`);
    const out: string[] = [];
    expect(await run(['-b', ...args], { stdout: (t) => out.push(t), stderr: () => {}, timeZone: 'UTC' })).toBe(0);
    const ours = out.join('');
    expectSameText(ours, theirs);
  });
});
