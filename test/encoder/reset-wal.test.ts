/**
 * A WAL reset we write, against the real thing, for 14, 15 (1 MB segments) and 16:
 * - PostgreSQL's pg_resetwal -l on a copy of the same stopped cluster writes the very same
 *   segment file and pg_control, byte for byte (given its clock readings);
 * - the real server starts on the data directory whose pg_wal and pg_control we rewrote, runs
 *   queries, writes new WAL after our checkpoint, and pg_control_checkpoint() shows our LSN
 *   and timeline (also after a second reset onto timeline 2).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeControlFile } from '../../src/common/control/control-file.js';
import { formatLsn, parseLsn } from '../../src/common/core/lsn.js';
import { parseWalFileName, walFileName } from '../../src/common/core/wal-file-names.js';
import { resetWalDirectory } from '../../src/node/reset-wal.js';
import { profile as p14 } from '../../src/v14/profile.js';
import { profile as p15 } from '../../src/v15/profile.js';
import { profile as p16 } from '../../src/v16/profile.js';
import { PgServer, serverIds } from '../support/pg-server.js';

const TOOLS = process.env.PGFFI_TOOLS ?? '/opt/pgffi-pg';
const profiles = { 14: p14, 15: p15, 16: p16 } as const;

function pgResetwalPath(major: 14 | 15 | 16): string {
  return major === 15 ? '/usr/lib/postgresql/15/bin/pg_resetwal' : join(TOOLS, String(major), 'bin', 'pg_resetwal');
}

function asServerUser(cmd: string, args: string[]): { status: number | null; out: string } {
  const ids = serverIds();
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
    ...(ids === null ? {} : { uid: ids.uid, gid: ids.gid }),
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe.each([14, 15, 16] as const)('reset WAL on PostgreSQL %i', (major) => {
  const profile = profiles[major];
  let server: PgServer;
  let segSize: number;
  beforeAll(async () => {
    server = await PgServer.start({ major, ...(major === 15 ? { walSegSizeMb: 1 } : {}) });
    await server.query('CREATE TABLE t (id int primary key, v text)');
    await server.query("INSERT INTO t SELECT g, repeat('x', g % 50) FROM generate_series(1, 1000) g");
    await server.checkpoint();
    segSize = Number((await server.query<{ s: string }>("SELECT setting AS s FROM pg_settings WHERE name = 'wal_segment_size'"))[0]!.s);
    if (segSize < 1024 * 1024) segSize *= 8192;
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('writes what pg_resetwal -l writes, and the server starts on it', async () => {
    const endLsn = parseLsn(await server.currentLsn());
    await server.stop();
    // Past the end of WAL and past every (recycled, pre-allocated) segment file, like pg_resetwal -l needs.
    const existing = readdirSync(server.walDir)
      .filter((n) => /^[0-9A-F]{24}$/.test(n))
      .map((n) => parseWalFileName(n, segSize)!.segno!);
    let maxSeg = endLsn / BigInt(segSize);
    for (const s of existing) if (s > maxSeg) maxSeg = s;
    const target = (maxSeg + 3n) * BigInt(segSize) + 100n;
    const segno = (target + BigInt(segSize) - 1n) / BigInt(segSize);
    const fileName = walFileName(1, segno, segSize);

    const tool = pgResetwalPath(major);
    let reference: { control: Buffer; segment: Buffer } | null = null;
    if (existsSync(tool)) {
      const ref = join(server.baseDir, 'ref');
      expect(spawnSync('cp', ['-a', server.dataDir, ref]).status).toBe(0);
      const r = asServerUser(tool, ['-l', fileName, '-D', ref]);
      expect(r.out).toContain('Write-ahead log reset');
      reference = { control: readFileSync(join(ref, 'global', 'pg_control')), segment: readFileSync(join(ref, 'pg_wal', fileName)) };
      expect(readdirSync(join(ref, 'pg_wal')).filter((n) => /^[0-9A-F]{24}$/.test(n))).toEqual([fileName]);
    }
    const refControl = reference === null ? null : decodeControlFile(reference.control);
    const result = resetWalDirectory(server.dataDir, profile, {
      minLsn: target,
      ...(refControl === null ? {} : { time: refControl.time, checkpointTime: refControl.checkPointCopy.time }),
    });
    expect(result.fileName).toBe(fileName);
    expect(result.removed.length).toBeGreaterThan(0);
    expect(readdirSync(server.walDir).filter((n) => /^[0-9A-F]{24}$/.test(n))).toEqual([fileName]);
    if (reference !== null) {
      expect(Buffer.from(result.segment).equals(reference.segment)).toBe(true);
      expect(Buffer.from(readFileSync(join(server.dataDir, 'global', 'pg_control'))).equals(reference.control)).toBe(true);
    }

    await server.startExisting();
    const cp = (
      await server.query<{ checkpoint_lsn: string; redo_lsn: string; timeline_id: number }>(
        'SELECT checkpoint_lsn::text, redo_lsn::text, timeline_id FROM pg_control_checkpoint()',
      )
    )[0]!;
    expect(cp).toEqual({ checkpoint_lsn: formatLsn(result.checkpointLsn), redo_lsn: formatLsn(result.checkpointLsn), timeline_id: 1 });
    expect((await server.query<{ n: string }>('SELECT count(*)::text AS n FROM t'))[0]!.n).toBe('1000');
    await server.query("INSERT INTO t SELECT g, 'new' FROM generate_series(1001, 2000) g");
    await server.checkpoint();
    const after = (await server.query<{ checkpoint_lsn: string }>('SELECT checkpoint_lsn::text FROM pg_control_checkpoint()'))[0]!;
    expect(parseLsn(after.checkpoint_lsn) > result.checkpointLsn).toBe(true);
    expect((await server.query<{ n: string }>('SELECT count(*)::text AS n FROM t WHERE v = $1', ['new']))[0]!.n).toBe('1000');
  });

  it('a reset onto timeline 2 at a later LSN: the server continues on our timeline', async () => {
    await server.stop();
    const before = decodeControlFile(readFileSync(join(server.dataDir, 'global', 'pg_control')));
    const result = resetWalDirectory(server.dataDir, profile, { minLsn: before.checkPoint + 3n * BigInt(segSize), timeline: 2 });
    expect(result.fileName.startsWith('00000002')).toBe(true);
    await server.startExisting();
    const cp = (
      await server.query<{ checkpoint_lsn: string; timeline_id: number }>(
        'SELECT checkpoint_lsn::text, timeline_id FROM pg_control_checkpoint()',
      )
    )[0]!;
    expect(cp).toEqual({ checkpoint_lsn: formatLsn(result.checkpointLsn), timeline_id: 2 });
    await server.query("INSERT INTO t SELECT g, 'tli2' FROM generate_series(2001, 2100) g");
    const f = (await server.query<{ f: string }>('SELECT pg_walfile_name(pg_current_wal_lsn()) AS f'))[0]!.f;
    expect(f.startsWith('00000002')).toBe(true);
    expect((await server.query<{ n: string }>('SELECT count(*)::text AS n FROM t'))[0]!.n).toBe('2100');
  });
});
