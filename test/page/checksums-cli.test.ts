/**
 * `pgffi checksums` against Debian's pg_checksums 15 on stopped PostgreSQL 15 clusters: the
 * same stdout, stderr and exit code for --check (clean, corrupted, -v, -f, errors); --enable on a
 * cluster made without checksums gives the same files as pg_checksums --enable, and the real
 * server starts with data_checksums on; --disable likewise.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32c } from '../../src/common/core/crc32c.js';
import { setPageChecksum } from '../../src/common/page/checksum.js';
import { binDir, PgServer, serverIds } from '../support/pg-server.js';

const PG_CHECKSUMS = '/usr/lib/postgresql/15/bin/pg_checksums';
const REPO = join(import.meta.dirname, '..', '..');

function pgffi(args: string[], env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'checksums', ...args], {
    encoding: 'utf8',
    cwd: REPO,
    env,
  });
}

/** Pure TypeScript even where the native module loads. */
const PURE_TS = { ...process.env, POSTGRES_FFI_NATIVE: '0' };

function pgChecksums(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(PG_CHECKSUMS, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
}

/** Our output equals pg_checksums', with the native page checksum (when it loads) and without. */
function same(args: string[]): { stdout: string; stderr: string; status: number | null } {
  const ours = pgffi(args);
  const pure = pgffi(args, PURE_TS);
  const theirs = pgChecksums(args);
  const expected = { stdout: theirs.stdout, stderr: theirs.stderr, status: theirs.status };
  expect({ stdout: ours.stdout, stderr: ours.stderr, status: ours.status }).toEqual(expected);
  expect({ stdout: pure.stdout, stderr: pure.stderr, status: pure.status }).toEqual(expected);
  return { stdout: ours.stdout, stderr: ours.stderr, status: ours.status };
}

function flip(path: string, offset: number, bytes: number[]): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.from(bytes), 0, bytes.length, offset);
  closeSync(fd);
}

/** Every regular file under dir (relative path -> bytes), for byte-for-byte comparisons. */
function snapshot(dir: string, prefix = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(join(dir, prefix))) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    const st = statSync(join(dir, rel));
    if (st.isDirectory()) for (const [k, v] of snapshot(dir, rel)) out.set(k, v);
    else out.set(rel, readFileSync(join(dir, rel)));
  }
  return out;
}

/** A copy of a stopped cluster with its own copies of the tablespaces (pg_tblspc links re-pointed). */
function copyCluster(src: string, dst: string): void {
  cpSync(src, dst, { recursive: true, verbatimSymlinks: true });
  for (const oid of readdirSync(join(dst, 'pg_tblspc'))) {
    const link = join(dst, 'pg_tblspc', oid);
    const target = `${dst}-spc-${oid}`;
    cpSync(readlinkSync(link), target, { recursive: true });
    rmSync(link);
    symlinkSync(target, link);
  }
}

async function makeCluster(dataChecksums: boolean): Promise<PgServer> {
  const server = await PgServer.start({ major: 15, dataChecksums, conf: { autovacuum: 'off' } });
  const spc = join(server.baseDir, 'spc');
  mkdirSync(spc);
  const ids = serverIds();
  if (ids !== null) chownSync(spc, ids.uid, ids.gid);
  await server.query(`CREATE TABLESPACE spc LOCATION '${spc}'`);
  await server.query('CREATE TABLE t (a int, b text)');
  await server.query("INSERT INTO t SELECT g, repeat('x', g % 300) FROM generate_series(1, 30000) g");
  await server.query('CREATE INDEX t_a ON t (a)');
  await server.query('CREATE TABLE t2 (a int) TABLESPACE spc');
  await server.query('INSERT INTO t2 SELECT generate_series(1, 5000)');
  await server.query('VACUUM t');
  await server.query('CREATE TABLE unlogged_new (a int)');
  await server.query("SELECT pg_relation_filepath('t')");
  await server.checkpoint();
  await server.stop();
  return server;
}

describe.skipIf(!existsSync(PG_CHECKSUMS))('pgffi checksums vs pg_checksums 15', () => {
  let server: PgServer;
  let plain: PgServer;
  beforeAll(async () => {
    server = await makeCluster(true);
    plain = await makeCluster(false);
  });
  afterAll(async () => {
    await server?.destroy();
    await plain?.destroy();
  });

  it('--check on a clean cluster, with -v, -f, a trailing slash and PGDATA-less errors', () => {
    const d = server.dataDir;
    const r = same(['-D', d]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^Checksum operation completed\nFiles scanned: {3}\d+\nBlocks scanned: {2}\d+\nBad checksums: {2}0\nData checksum version: 1\n$/,
    );
    same(['--check', '-v', '-D', d]);
    same(['-c', `${d}/`]);
    const [filenode] = readdirSync(join(d, 'base', '5')).filter(
      (n) => /^\d+$/.test(n) && statSync(join(d, 'base', '5', n)).size > 8192 * 10,
    );
    same(['-D', d, '-f', filenode!]);
    same(['-D', d, '--filenode=abc']);
    same(['-D', d, '-e', '-f', '1']);
    same(['-D', d, 'extra']);
    same(['-D', d, '-e']);
    same(['-D', plain.dataDir]);
    same(['-D', plain.dataDir, '-d']);
  });

  it('refuses a bad pg_control CRC (like pg_checksums) and a cluster of another major version', () => {
    const copy = join(server.baseDir, 'other-version');
    copyCluster(server.dataDir, copy);
    flip(join(copy, 'global', 'pg_control'), 40, [0x99]);
    expect(same(['-D', copy]).stderr).toBe('pg_checksums: error: pg_control CRC value is incorrect\n');
    cpSync(join(server.dataDir, 'global', 'pg_control'), join(copy, 'global', 'pg_control'));
    writeFileSync(join(copy, 'PG_VERSION'), '13\n');
    const r = pgffi(['-D', copy]);
    expect([r.status, r.stderr]).toEqual([1, 'pg_checksums: error: cluster is not compatible with this version of pg_checksums\n']);
    writeFileSync(join(copy, 'PG_VERSION'), '15\n');
    expect(pgffi(['-D', copy]).status).toBe(0);
    // a catalog version no supported major has (pg_control re-signed with a valid CRC)
    const control = readFileSync(join(copy, 'global', 'pg_control'));
    control.writeUInt32LE(201909212, 12);
    control.writeUInt32LE(crc32c(control.subarray(0, 288)), 288);
    writeFileSync(join(copy, 'global', 'pg_control'), control);
    expect(pgffi(['-D', copy]).stderr).toBe('pg_checksums: error: cluster is not compatible with this version of pg_checksums\n');
  });

  it('--check on a corrupted copy reports the same bad blocks and exits 1', () => {
    const copy = join(server.baseDir, 'corrupt');
    copyCluster(server.dataDir, copy);
    const base = join(copy, 'base', '5');
    const files = readdirSync(base).filter((n) => /^\d+$/.test(n) && statSync(join(base, n)).size >= 8192 * 8);
    flip(join(base, files[0]!), 8192 * 3 + 500, [0xde, 0xad]);
    flip(join(base, files[0]!), 8192 * 7 + 8, [0x12, 0x34]);
    flip(join(base, files[1]!), 8192 * 0 + 4000, [0x01]);
    flip(join(copy, 'global', '1262'), 100, [0xff]);
    // segment files: `.1` holds blocks 131072…; pages checksummed for their absolute block number
    // pass, pages checksummed as if they were blocks 0… fail (pg_checksums is the judge)
    const src = readFileSync(join(base, files[3]!));
    const good = Buffer.from(src);
    const bad = Buffer.from(src);
    for (let off = 0; off < src.length; off += 8192) {
      setPageChecksum(good.subarray(off, off + 8192), 131072 + off / 8192);
      setPageChecksum(bad.subarray(off, off + 8192), off / 8192);
    }
    writeFileSync(join(base, `${files[3]}.1`), good);
    writeFileSync(join(base, `${files[4]}_fsm.2`), bad.subarray(0, 8192 * 2));
    const r = same(['-D', copy]);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.includes('checksum verification failed')).length).toBe(6);
    expect(r.stdout).toContain('Bad checksums:  6\n');
    same(['-D', copy, '-v']);
    // a truncated relation file is fatal in both
    const fd = openSync(join(base, files[2]!), 'r+');
    writeSync(fd, Buffer.alloc(100), 0, 100, statSync(join(base, files[2]!)).size);
    closeSync(fd);
    expect(same(['-D', copy]).status).toBe(1);
  });

  it('--enable gives the same files as pg_checksums --enable, and the server starts with checksums on', async () => {
    // ours runs on the cluster itself (files owned by the server's user must stay so)
    const ours = plain.dataDir;
    const theirs = join(plain.baseDir, 'theirs');
    copyCluster(plain.dataDir, theirs);
    copyCluster(plain.dataDir, join(plain.baseDir, 'before-enable'));
    const a = pgffi(['-D', ours, '--enable']);
    const b = pgChecksums(['-D', theirs, '--enable', '-N']);
    expect([a.status, b.status]).toEqual([0, 0]);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/Files written: {2}[1-9]\d*\nBlocks written: [1-9]\d*\nChecksums enabled in cluster\n$/);
    const sa = snapshot(ours);
    const sb = snapshot(theirs);
    expect([...sa.keys()].sort()).toEqual([...sb.keys()].sort());
    for (const [k, v] of sb) {
      if (k === 'global/pg_control') continue;
      expect(sa.get(k)!.equals(v), k).toBe(true);
    }
    // pg_control: same but for the update time and the CRC, and our CRC is valid
    const ca = sa.get('global/pg_control')!;
    const cb = sb.get('global/pg_control')!;
    expect(Buffer.compare(ca.subarray(0, 24), cb.subarray(0, 24))).toBe(0);
    expect(Buffer.compare(ca.subarray(32, 288), cb.subarray(32, 288))).toBe(0);
    expect(crc32c(ca.subarray(0, 288))).toBe(ca.readUInt32LE(288));
    expect(ca.readUInt32LE(252)).toBe(1);
    expect(pgChecksums(['-D', ours]).status).toBe(0);
    // the real server starts on it, with data_checksums on, and reads every table
    await plain.startExisting();
    const [row] = await plain.query<{ dc: string }>('SHOW data_checksums');
    expect(Object.values(row!)[0]).toBe('on');
    const [n] = await plain.query<{ n: string }>('SELECT (SELECT count(*) FROM t) + (SELECT count(*) FROM t2) AS n');
    expect(Number(n!.n)).toBe(35000);
    await plain.stop();
    // running it again is refused like pg_checksums does; --check agrees
    same(['-D', plain.dataDir, '--enable']);
    same(['-D', plain.dataDir]);
  });

  it('a crash in the middle of --enable leaves a cluster that starts, and --enable can run again', async () => {
    // Every state --enable can leave: each relation file old or new (atomic replace), pg_control
    // still without checksums (written last), maybe a stray temporary file. Build one such state
    // from the cluster before and after the --enable run of the previous test.
    const crash = join(plain.baseDir, 'crash');
    copyCluster(join(plain.baseDir, 'before-enable'), crash);
    const base = join('base', '5');
    const names = readdirSync(join(crash, base))
      .filter((n) => /^\d+(_\w+)?$/.test(n))
      .sort();
    for (const n of names.slice(0, names.length >> 1)) cpSync(join(plain.dataDir, base, n), join(crash, base, n));
    writeFileSync(join(crash, base, 'pgsql_tmp_pgffi_1259.4242'), Buffer.alloc(8192 * 3, 7));
    const ids = serverIds();
    if (ids !== null)
      spawnSync('chown', ['-R', '-h', `${ids.uid}:${ids.gid}`, crash, `${crash}-spc-${readdirSync(join(crash, 'pg_tblspc'))[0]}`]);
    // the server starts on it (checksums are off until pg_control says otherwise) and reads every table
    const pgctl = (args: string[]): SpawnSyncReturns<string> =>
      spawnSync(join(binDir(15), 'pg_ctl'), ['-D', crash, '-w', '-t', '60', ...args], {
        encoding: 'utf8',
        ...(ids === null ? {} : { uid: ids.uid, gid: ids.gid }),
      });
    expect(pgctl(['-l', join(plain.baseDir, 'crash.log'), 'start']).status).toBe(0);
    try {
      const client = new pg.Client({ host: plain.socketDir, port: plain.port, user: 'postgres', database: 'postgres' });
      await client.connect();
      const res = await client.query('SELECT current_setting($1) AS dc, (SELECT count(*) FROM t) + (SELECT count(*) FROM t2) AS n', [
        'data_checksums',
      ]);
      await client.end();
      expect(res.rows[0]).toEqual({ dc: 'off', n: '35000' });
    } finally {
      expect(pgctl(['-m', 'fast', 'stop']).status).toBe(0);
    }
    // running --enable again finishes the job; the stray temporary file is gone; pg_checksums agrees
    const again = pgffi(['-D', crash, '--enable', '-N']);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/Files written: {2}[1-9]\d*\n/);
    expect(existsSync(join(crash, base, 'pgsql_tmp_pgffi_1259.4242'))).toBe(false);
    const check = pgChecksums(['-D', crash]);
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('Bad checksums:  0\n');
  });

  it('--disable updates only pg_control; the server starts with checksums off', async () => {
    const copy = server.dataDir;
    const before = snapshot(copy);
    const r = pgffi(['-D', copy, '--disable', '-v']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('Data checksum version: 0\nChecksums disabled in cluster\n');
    expect(r.stderr).toBe('pg_checksums: syncing data directory\npg_checksums: updating control file\n');
    const after = snapshot(copy);
    for (const [k, v] of before) if (k !== 'global/pg_control') expect(after.get(k)!.equals(v), k).toBe(true);
    const theirs = pgChecksums(['-D', copy]);
    expect(theirs.stderr).toBe('pg_checksums: error: data checksums are not enabled in cluster\n');
    await server.startExisting();
    const [row] = await server.query('SHOW data_checksums');
    expect(Object.values(row!)[0]).toBe('off');
    // a running cluster is refused
    const running = pgffi(['-D', server.dataDir, '--enable']);
    expect(running.status).toBe(1);
    expect(running.stderr).toBe('pg_checksums: error: cluster must be shut down\n');
    await server.stop();
  });

  it('--json and --progress (on the cluster --enable converted)', () => {
    const d = plain.dataDir;
    const r = pgffi(['-D', d, '--json']);
    const report = JSON.parse(r.stdout) as { filesScanned: number; blocksScanned: number; badChecksums: number; majorVersion: number };
    const text = pgChecksums(['-D', d]).stdout;
    expect(text).toContain(`Files scanned:   ${report.filesScanned}\n`);
    expect(text).toContain(`Blocks scanned:  ${report.blocksScanned}\n`);
    expect(report.badChecksums).toBe(0);
    expect(report.majorVersion).toBe(15);
    const p = pgffi(['-D', d, '-P']);
    const q = pgChecksums(['-D', d, '-P']);
    expect(p.stderr.trim().split('\n').at(-1)).toBe(q.stderr.trim().split('\n').at(-1));
    expect(p.stdout).toBe(q.stdout);
  });
});
