/**
 * The file-system adapters and stream helpers on a real PostgreSQL 16 cluster that switched
 * timelines (standby.signal + pg_promote()): readWalDirectory follows 00000002.history across
 * the switch and agrees with pg_walinspect over the whole range; a `.partial` segment of the
 * old timeline is read when the old timeline is asked for; readWalFile, openWal on bytes, a
 * Node stream and a web ReadableStream decode the same records.
 */
import {
  copyFileSync,
  createReadStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLsn, parseLsn } from '../../src/common/core/lsn.js';
import { walFileName } from '../../src/common/core/wal-file-names.js';
import { openWal, profileFor } from '../../src/index.js';
import { readTimelineHistory, readWalDirectory, readWalFile } from '../../src/node/wal-files.js';
import { PgServer } from '../support/pg-server.js';

const SEG = 16 * 1024 * 1024;

describe('WAL files across a timeline switch (PostgreSQL 16)', () => {
  let server: PgServer;
  let start = '';
  let switchPoint = '';
  let end = '';

  beforeAll(async () => {
    server = await PgServer.start({ major: 16, conf: { wal_keep_size: "'1GB'" } });
    await server.query('CREATE EXTENSION pg_walinspect');
    start = await server.currentLsn();
    await server.query('CREATE TABLE a (x int); INSERT INTO a SELECT generate_series(1, 5000)');
    await server.switchWal(); // the old timeline then has a segment of its own
    await server.query('INSERT INTO a SELECT generate_series(1, 500)');
    await server.stop();
    writeFileSync(join(server.dataDir, 'standby.signal'), '');
    await server.startExisting();
    await server.query('SELECT pg_promote(true, 60)');
    for (let i = 0; i < 100; i++) {
      const [row] = await server.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
      if (!row!.r) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await server.query('INSERT INTO a SELECT generate_series(1, 3000)');
    await server.query('SELECT txid_current()');
    end = await server.currentLsn();
    await server.checkpoint();
    const history = readTimelineHistory(server.walDir, 2);
    switchPoint = formatLsn(BigInt(history[0]!.end));
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('reads 00000002.history', () => {
    expect(existsSync(join(server.walDir, '00000002.history'))).toBe(true);
    const h = readTimelineHistory(server.walDir, 2);
    expect(h.map((e) => e.tli)).toEqual([1, 2]);
    expect(parseLsn(switchPoint)).toBeGreaterThan(parseLsn(start));
  });

  it('follows the switch and agrees with pg_walinspect over the whole range', async () => {
    const reader = readWalDirectory(server.walDir, { startLsn: start, endLsn: end });
    const ours: string[] = [];
    for await (const r of reader) ours.push(`${formatLsn(r.lsn)} ${formatLsn(r.endLsn)} ${formatLsn(r.prevLsn)} ${r.totalLength}`);
    const rows = await server.query<{ s: string }>(
      `SELECT start_lsn::text || ' ' || end_lsn::text || ' ' || prev_lsn::text || ' ' || record_length AS s FROM pg_get_wal_records_info($1, $2)`,
      [start, end],
    );
    expect(ours).toEqual(rows.map((r) => r.s));
    expect(reader.filesRead.some((f) => f.startsWith('00000002'))).toBe(true);
    expect(reader.filesRead.some((f) => f.startsWith('00000001'))).toBe(true);
  });

  it('reads the old timeline from a .partial segment', async () => {
    const segno = Math.floor(Number(parseLsn(switchPoint)) / SEG);
    const old = join(server.walDir, walFileName(1, BigInt(segno)));
    if (existsSync(old)) renameSync(old, `${old}.partial`);
    expect(readdirSync(server.walDir)).toContain(`${walFileName(1, BigInt(segno))}.partial`);
    const reader = readWalDirectory(server.walDir, { startLsn: start, timeline: 1 });
    const lsns: bigint[] = [];
    for await (const r of reader) lsns.push(r.lsn);
    expect(reader.filesRead.at(-1)).toBe(`${walFileName(1, BigInt(segno))}.partial`);
    expect(lsns.length).toBeGreaterThan(10);
    expect(lsns.at(-1)!).toBeLessThan(parseLsn(switchPoint));
  });

  it('readWalFile, openWal(bytes), a Node stream and a ReadableStream decode the same records', async () => {
    const name = walFileName(2, BigInt(Math.floor(Number(parseLsn(end)) / SEG)));
    // A snapshot of the live segment: the running server may append between two reads of it.
    const path = join(mkdtempSync(join(tmpdir(), 'pgffi-wal-files-')), name);
    copyFileSync(join(server.walDir, name), path);
    const fromFile = [...readWalFile(path)].map((r) => r.lsnNumber);
    const decoder = openWal(new Uint8Array(readFileSync(path)));
    expect(decoder.profile).toBe(profileFor(16));
    expect([...decoder].map((r) => r.lsnNumber)).toEqual(fromFile);
    const fromNode: number[] = [];
    for await (const r of openWal(createReadStream(path, { highWaterMark: 4096 }))) fromNode.push(r.lsnNumber);
    expect(fromNode).toEqual(fromFile);
    const bytes = new Uint8Array(readFileSync(path));
    const web = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let o = 0; o < bytes.length; o += 100_000) controller.enqueue(bytes.subarray(o, o + 100_000));
        controller.close();
      },
    });
    const fromWeb: number[] = [];
    for await (const r of openWal(web)) fromWeb.push(r.lsnNumber);
    expect(fromWeb).toEqual(fromFile);
    expect(fromFile.length).toBeGreaterThan(10);
    rmSync(dirname(path), { recursive: true, force: true });
  });
});
