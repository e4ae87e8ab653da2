/**
 * What the CLI touches on disk, watched with strace on a copy of a real stopped PostgreSQL 16
 * cluster inside a sandbox that also holds decoys:
 *  - read-only commands (controldata, waldump, checksums --check, pageinspect when present)
 *    open nothing for writing, create/rename/remove nothing, leave every file byte- and
 *    mtime-identical, and open only the files they were pointed at;
 *  - checksums follows a pg_tblspc link only into its PG_<major>_<catversion> directory, as
 *    pg_checksums does, never into other version directories or files beside it;
 *  - checksums --enable refuses a cluster with a postmaster.pid (and a cluster whose
 *    pg_control says it is running) and changes nothing.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION_FACTS } from '../../src/common/core/version.js';
import { PgServer } from '../support/pg-server.js';

const REPO = join(import.meta.dirname, '..', '..');
const STRACE = '/usr/bin/strace';
const MAJOR = 16;
const TS_OID = '99999';
const TS_VERSION_DIR = `PG_${MAJOR}_${VERSION_FACTS[MAJOR].CATALOG_VERSION_NO}`;

let sandbox: string;
let data: string;
let walSegment: string;
let relationFile: string;

interface FsCall {
  syscall: string;
  path: string;
  flags: string;
}

interface Traced {
  status: number | null;
  stdout: string;
  stderr: string;
  calls: FsCall[];
}

/** Runs `pgffi …args` under strace; returns its file-system calls on paths inside the sandbox. */
function traced(args: string[]): Traced {
  const log = join(tmpdir(), `pgffi-strace-${process.pid}-${Date.now()}.txt`);
  const r = spawnSync(
    STRACE,
    [
      '-f',
      '-qq',
      '-s',
      '4096',
      '-e',
      'trace=%file,openat,open,creat',
      '-o',
      log,
      process.execPath,
      '--import',
      'tsx',
      join(REPO, 'src/cli/main.ts'),
      ...args,
    ],
    { encoding: 'utf8', cwd: REPO, env: { ...process.env, POSTGRES_FFI_NATIVE: '0' } },
  );
  const calls: FsCall[] = [];
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const m = /^\d+\s+(\w+)\((.*)$/.exec(line);
    if (m === null) continue;
    const paths = [...(m[2] as string).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1] as string);
    for (const p of paths) if (p.startsWith(sandbox)) calls.push({ syscall: m[1] as string, path: p, flags: m[2] as string });
  }
  rmSync(log, { force: true });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
}

const WRITE_SYSCALLS =
  /^(creat|rename|renameat2?|unlink|unlinkat|mkdir|mkdirat|rmdir|truncate|link|linkat|symlink|symlinkat|chmod|fchmodat|chown|lchown|fchownat|utime|utimes|utimensat|futimesat|mknod|mknodat)$/;

function writes(calls: FsCall[]): FsCall[] {
  return calls.filter(
    (c) => WRITE_SYSCALLS.test(c.syscall) || (/^open/.test(c.syscall) && /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/.test(c.flags)),
  );
}

function opened(calls: FsCall[]): string[] {
  return [
    ...new Set(
      calls
        .filter((c) => /^open/.test(c.syscall) && !/O_DIRECTORY/.test(c.flags) && !/= -1/.test(c.flags))
        .map((c) => relative(sandbox, c.path)),
    ),
  ].sort();
}

/** Every file under dir: path → size, mtime and content hash (symlinks as their target). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out.set(relative(dir, p), `link ${st.mtimeMs}`);
      else if (st.isDirectory()) {
        out.set(relative(dir, p), `dir ${st.mtimeMs}`);
        walk(p);
      } else out.set(relative(dir, p), `${st.size} ${st.mtimeMs} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
    }
  };
  walk(dir);
  return out;
}

beforeAll(async () => {
  sandbox = mkdtempSync(join(tmpdir(), 'pgffi-security-'));
  data = join(sandbox, 'data');
  const server = await PgServer.start({ major: MAJOR });
  try {
    await server.query('CREATE TABLE sec (a int, b text); INSERT INTO sec SELECT g, md5(g::text) FROM generate_series(1, 500) g');
    await server.checkpoint();
    const [row] = await server.query<{ path: string }>("SELECT pg_relation_filepath('sec') AS path");
    relationFile = row!.path;
    walSegment = await server.walFileName(await server.currentLsn());
    await server.stop();
    cpSync(server.dataDir, data, { recursive: true });
  } finally {
    await server.destroy();
  }
  // Decoys beside the data directory and inside a tablespace target, outside its version dir.
  writeFileSync(join(sandbox, 'secret.txt'), 'not for pgffi\n');
  const ts = join(sandbox, 'tablespace');
  mkdirSync(join(ts, TS_VERSION_DIR), { recursive: true });
  mkdirSync(join(ts, 'PG_15_202209061', '5'), { recursive: true });
  writeFileSync(join(ts, 'PG_15_202209061', '5', '16384'), new Uint8Array(8192).fill(0xaa));
  writeFileSync(join(ts, 'decoy-file'), 'not a relation\n');
  mkdirSync(join(data, 'pg_tblspc'), { recursive: true });
  symlinkSync(ts, join(data, 'pg_tblspc', TS_OID));
}, 180_000);

afterAll(() => {
  if (sandbox !== undefined) rmSync(sandbox, { recursive: true, force: true });
});

describe('read-only commands write nothing and read only what they are pointed at', () => {
  it('controldata reads global/pg_control only', () => {
    const before = snapshot(sandbox);
    const r = traced(['controldata', '-D', data]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('pg_control version number:');
    expect(writes(r.calls)).toEqual([]);
    expect(opened(r.calls)).toEqual(['data/global/pg_control']);
    expect(snapshot(sandbox)).toEqual(before);
  });

  it('waldump of one segment reads WAL files only, and writes nothing', () => {
    const before = snapshot(sandbox);
    const r = traced(['waldump', join(data, 'pg_wal', walSegment)]);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(writes(r.calls)).toEqual([]);
    for (const f of opened(r.calls)) expect(f).toMatch(/^data\/pg_wal\/[0-9A-F]{24}$/);
    expect(opened(r.calls)).toContain(`data/pg_wal/${walSegment}`);
    expect(snapshot(sandbox)).toEqual(before);
  });

  it('checksums --check reads relation files, follows pg_tblspc only into its version directory, and writes nothing', () => {
    const before = snapshot(sandbox);
    const r = traced(['checksums', '--check', '-D', data]);
    expect(r.status, r.stderr).toBe(0);
    expect(writes(r.calls)).toEqual([]);
    const files = opened(r.calls);
    expect(files).toContain(`data/${relationFile}`);
    expect(files).toContain('data/global/pg_control');
    for (const f of files) expect(f).toMatch(/^data\//);
    expect(r.calls.some((c) => c.path.includes(`pg_tblspc/${TS_OID}/${TS_VERSION_DIR}`))).toBe(true);
    expect(r.calls.some((c) => c.path.includes('PG_15_202209061') || c.path.includes('decoy-file') || c.path.includes('secret.txt'))).toBe(
      false,
    );
    expect(snapshot(sandbox)).toEqual(before);
  });

  it.skipIf(!existsSync(join(REPO, 'src/cli/commands/pageinspect.ts')))('pageinspect writes nothing', () => {
    const before = snapshot(sandbox);
    const r = traced(['pageinspect', join(data, relationFile)]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(writes(r.calls)).toEqual([]);
    for (const f of opened(r.calls)) expect(f.startsWith(`data/${relationFile}`)).toBe(true);
    expect(snapshot(sandbox)).toEqual(before);
  });
});

describe('checksums refuses to modify a running cluster', () => {
  it('--enable with a postmaster.pid present refuses and changes nothing', () => {
    const pid = join(data, 'postmaster.pid');
    writeFileSync(pid, `${process.pid}\n${data}\n`);
    try {
      const before = snapshot(sandbox);
      for (const mode of ['--enable', '--disable']) {
        const r = traced(['checksums', mode, '-D', data]);
        expect(r.status).toBe(1);
        expect(r.stderr).toBe('pg_checksums: error: cluster must be shut down\n');
        expect(writes(r.calls)).toEqual([]);
      }
      expect(snapshot(sandbox)).toEqual(before);
    } finally {
      rmSync(pid);
    }
  });

  it('--enable on a cluster whose pg_control says "in production" refuses and changes nothing', () => {
    const control = join(data, 'global', 'pg_control');
    const original = readFileSync(control);
    const running = Buffer.from(original);
    running.writeUInt32LE(6, 16); // DB_IN_PRODUCTION
    running.writeUInt32LE(crc(running.subarray(0, 288)), 288);
    writeFileSync(control, running);
    try {
      const before = snapshot(sandbox);
      const r = traced(['checksums', '--enable', '-D', data]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe('pg_checksums: error: cluster must be shut down\n');
      expect(writes(r.calls)).toEqual([]);
      expect(snapshot(sandbox)).toEqual(before);
    } finally {
      writeFileSync(control, original);
    }
  });
});

/** CRC-32C (Castagnoli), bitwise; kept local so this test does not depend on the library's. */
function crc(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
