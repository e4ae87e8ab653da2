/**
 * `pgffi resetwal` against Debian's pg_resetwal 15 on two copies of one stopped cluster: the
 * same output line, the same new segment name, the same pg_control except the two clock
 * readings, the same segment bytes except the checkpoint's time and the CRC over it; then the
 * server starts on ours. Also: refusal while postmaster.pid exists and after an unclean stop.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckPointOffsets, decodeControlFile } from '../../src/common/control/control-file.js';
import { formatLsn } from '../../src/common/core/lsn.js';
import { PgServer, serverIds } from '../support/pg-server.js';

const PG_RESETWAL = '/usr/lib/postgresql/15/bin/pg_resetwal';
const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

function pgffi(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'resetwal', ...args], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!existsSync(PG_RESETWAL))('pgffi resetwal vs pg_resetwal 15', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await PgServer.start({ major: 15 });
    await server.query('CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 500) g');
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('refuses a running cluster', () => {
    const r = pgffi(['-D', server.dataDir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('lock file "postmaster.pid" exists');
  });

  it('writes what pg_resetwal -l writes (clock readings aside); the server starts on it', async () => {
    await server.stop();
    const ref = join(server.baseDir, 'ref');
    expect(spawnSync('cp', ['-a', server.dataDir, ref]).status).toBe(0);
    const walFile = '000000010000000000000040';
    const ids = serverIds();
    const theirs = spawnSync(PG_RESETWAL, ['-l', walFile, '-D', ref], {
      encoding: 'utf8',
      ...(ids === null ? {} : { uid: ids.uid, gid: ids.gid }),
    });
    const ours = pgffi(['-l', walFile, server.dataDir]);
    expect([ours.status, ours.stdout]).toEqual([theirs.status, theirs.stdout]);
    const names = (dir: string) => readdirSync(join(dir, 'pg_wal')).filter((n) => /^[0-9A-F]{24}$/.test(n));
    expect(names(server.dataDir)).toEqual(names(ref));
    const a = decodeControlFile(readFileSync(join(server.dataDir, 'global', 'pg_control')));
    const b = decodeControlFile(readFileSync(join(ref, 'global', 'pg_control')));
    const strip = (c: ReturnType<typeof decodeControlFile>) => ({
      ...c,
      time: 0n,
      crc: 0,
      computedCrc: 0,
      checkPointCopy: { ...c.checkPointCopy, time: 0n },
    });
    expect(strip(a)).toEqual(strip(b));
    const segA = readFileSync(join(server.dataDir, 'pg_wal', walFile));
    const segB = readFileSync(join(ref, 'pg_wal', walFile));
    // Differences only in the record's CRC (bytes 60..63) and the CheckPoint.time inside its main data.
    const timeAt = 40 + 24 + 2 + CheckPointOffsets.time;
    const diff = [...segA.keys()].filter((i) => segA[i] !== segB[i] && !(i >= 60 && i < 64) && !(i >= timeAt && i < timeAt + 8));
    expect(diff).toEqual([]);
    await server.startExisting();
    const cp = (await server.query<{ l: string }>('SELECT checkpoint_lsn::text AS l FROM pg_control_checkpoint()'))[0]!.l;
    expect(cp).toBe(formatLsn(a.checkPoint));
    expect(cp).toBe('0/40000028');
    expect((await server.query<{ n: number }>('SELECT count(*)::int AS n FROM t'))[0]!.n).toBe(500);
  });

  it('refuses after an unclean stop unless forced', async () => {
    await server.stop('immediate');
    const r = pgffi([server.dataDir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('not shut down cleanly');
    const forced = pgffi(['-f', server.dataDir]);
    expect(forced.status).toBe(0);
    await server.startExisting();
    expect((await server.query<{ n: number }>('SELECT count(*)::int AS n FROM t'))[0]!.n).toBe(500);
  });
});
