/**
 * Parallel pgffi waldump (src/cli/waldump/parallel.ts) on real PostgreSQL 15 WAL: 1 MB
 * segments, parts of one segment forced with POSTGRES_FFI_WALDUMP_WORKERS /
 * POSTGRES_FFI_WALDUMP_PART_SEGMENTS, records crossing segment boundaries (logical messages of
 * 1.2 MB and 2.5 MB: whole segments without a record start), an XLOG_SWITCH, full-page images.
 * Every case runs the sequential path, the parallel path and Debian's pg_waldump 15: output,
 * error line and exit code must be the same three times, and the trace file must show that the
 * parallel path ran (and how it ended). Then the seams that fail: a corrupted record in a
 * middle part and across a seam, a missing segment, truncated segments, end of WAL inside a
 * part, and forced hand-overs to the sequential loop (POSTGRES_FFI_WALDUMP_TEST_FAULT).
 * Last, the native --stats/-q pass (src/cli/waldump/native-stats.ts) on one and four threads
 * against the TypeScript reader and pg_waldump: intact WAL, seeded damage (with and without the
 * record CRC recomputed), missing and short segments, end LSNs inside a page.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRC32C_INIT, crc32cFinish, crc32cUpdate } from '../../src/common/core/crc32c.js';
import { nativeBinding } from '../../src/node/native.js';
import { PgServer } from '../support/pg-server.js';
import { mulberry32 } from '../support/prng.js';
import {
  lsnNum,
  lsnStr,
  NATIVE_FOUR_THREADS,
  NATIVE_ONE_THREAD,
  nativeCounted,
  records,
  runWithEnv,
  same,
  segFile,
  type WaldumpEnv,
  type WaldumpTrace,
  walCopy as walCopyUnder,
} from './env-runs.js';
import { normalise, pgWaldumpPath, runCTool, type ToolRun } from './runner.js';

const tool = pgWaldumpPath(15);
const SEG = 1024 * 1024;

type Trace = WaldumpTrace;
let tmp: string;

/** pgffi waldump in process with these environment variables; the trace lines it wrote. */
function ours(args: string[], env: WaldumpEnv): Promise<ToolRun & { trace: Trace[] }> {
  return runWithEnv(tmp, args, env);
}

// The paths compared here are the TypeScript readers': plain --stats would otherwise go to the
// native pass (tested at the end, against these).
const SEQUENTIAL = { POSTGRES_FFI_WALDUMP_WORKERS: '0', POSTGRES_FFI_WALDUMP_NATIVE_STATS: '0' };
const PARALLEL = { POSTGRES_FFI_WALDUMP_WORKERS: '2', POSTGRES_FFI_WALDUMP_PART_SEGMENTS: '1', POSTGRES_FFI_WALDUMP_NATIVE_STATS: '0' };
const hasNativeStats = nativeBinding?.scanWalStats !== undefined;

/**
 * Damages the segment file of `lsn` in `dir` (`damage` gets a copy of it and `lsn`'s offset
 * there), runs `args` through the TypeScript reader, the native pass (`nativeEnv`) and
 * pg_waldump, which must agree, then restores the file. Returns whether the native pass counted
 * any record.
 */
async function damagedRun(
  dir: string,
  lsn: number,
  damage: (segment: Buffer, offset: number) => void,
  args: string[],
  nativeEnv: WaldumpEnv,
  what: string,
): Promise<boolean> {
  const file = join(dir, segFile(lsn));
  const original = readFileSync(file);
  const damaged = Buffer.from(original);
  damage(damaged, lsn % SEG);
  writeFileSync(file, damaged);
  try {
    const ts = await ours(args, SEQUENTIAL);
    const n = await ours(args, nativeEnv);
    same(ts, n, what);
    same(runCTool(tool!, args), n, `${what} (pg_waldump)`);
    return nativeCounted(n.trace) > 0;
  } finally {
    writeFileSync(file, original);
  }
}

/** Sequential, parallel and pg_waldump agree; the parallel run used `parts` parts and ended as `ending`. */
async function threeWay(args: string[], expectEnding: string | null = null): Promise<{ c: ToolRun; par: ToolRun & { trace: Trace[] } }> {
  const c = runCTool(tool!, args);
  const seq = await ours(args, SEQUENTIAL);
  const par = await ours(args, PARALLEL);
  same(c, seq, `sequential vs pg_waldump ${args.join(' ')}`);
  same(c, par, `parallel vs pg_waldump ${args.join(' ')}`);
  expect(seq.trace).toEqual([]);
  expect(par.trace.length).toBe(1);
  expect(par.trace[0]!.workers).toBe(2);
  expect(par.trace[0]!.parts).toBeGreaterThan(2);
  if (expectEnding !== null) expect(par.trace[0]!.ending).toBe(expectEnding);
  else expect(par.trace[0]!.ending).not.toBe('sequential');
  return { c, par };
}

/** A copy of the WAL directory to damage. */
function walCopy(src: string, name: string): string {
  return walCopyUnder(tmp, src, name);
}

function flipByte(dir: string, lsn: number): void {
  const file = join(dir, segFile(lsn));
  const buf = readFileSync(file);
  buf[lsn % SEG] = buf[lsn % SEG]! ^ 0x5a;
  writeFileSync(file, buf);
}

describe.skipIf(tool === null)('parallel pgffi waldump on real PostgreSQL 15 WAL (1 MB segments)', () => {
  let server: PgServer;
  let walDir: string;
  let start: string;
  let end: string;
  let mid: string;
  let xid: string;
  let rel: string;
  let all: ReturnType<typeof records>;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pgffi-waldump-par-'));
    server = await PgServer.start({
      major: 15,
      walSegSizeMb: 1,
      conf: { wal_keep_size: "'1GB'", timezone: "'UTC'", wal_compression: 'on' },
    });
    await server.query('CREATE TABLE t (a int PRIMARY KEY, b text)');
    await server.switchWal();
    start = await server.currentLsn();
    await server.query(`INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 6000) g`);
    await server.query(`SELECT pg_logical_emit_message(true, 'big', repeat('x', 1200000))`);
    await server.checkpoint();
    await server.query(`BEGIN; UPDATE t SET b = b || 'u' WHERE a % 3 = 0`);
    const rows = await server.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
    await server.query('COMMIT');
    xid = String(rows[0]!.xid);
    await server.query(`SELECT pg_logical_emit_message(false, 'huge', repeat('y', 2500000))`);
    mid = lsnStr(lsnNum(await server.currentLsn()) - 5);
    await server.query(`INSERT INTO t SELECT g, repeat('z', 100) FROM generate_series(6001, 9000) g`);
    await server.query('SELECT pg_switch_wal()');
    await server.query('DELETE FROM t WHERE a % 7 = 0');
    await server.query('VACUUM t');
    for (let i = 0; i < 4; i++) await server.query(`SELECT pg_logical_emit_message(true, 'm${i}', repeat('w', 300000))`);
    await server.query(`INSERT INTO t SELECT g, 'tail' FROM generate_series(9001, 12000) g`);
    end = await server.currentLsn();
    const r = await server.query<{ r: string }>(
      "SELECT '1663/' || (SELECT oid FROM pg_database WHERE datname = current_database()) || '/' || pg_relation_filenode('t') AS r",
    );
    rel = r[0]!.r;
    await server.stop();
    walDir = server.walDir;
    all = records(runCTool(tool!, ['-p', walDir, '-s', start, '-e', end]).stdout);
  }, 300_000);

  afterAll(async () => {
    await server?.destroy();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  it('the WAL has what the cases need', () => {
    const segs = (lsnNum(end) - lsnNum(start)) / SEG;
    expect(segs).toBeGreaterThan(6);
    // A record crossing a boundary, one covering a whole segment, and a WAL switch.
    const crossing = all.filter((x) => Math.floor(x.lsn / SEG) !== Math.floor((x.lsn + x.tot - 1) / SEG));
    expect(crossing.length).toBeGreaterThanOrEqual(2);
    expect(all.some((x) => x.tot > 2 * SEG)).toBe(true);
    expect(all.some((x) => x.line.includes('desc: SWITCH'))).toBe(true);
  });

  const CASES: { name: string; args: () => string[] }[] = [
    { name: 'text', args: () => ['-p', walDir, '-s', start, '-e', end] },
    { name: '-b', args: () => ['-p', walDir, '-s', start, '-e', end, '-b'] },
    { name: '--stats', args: () => ['-p', walDir, '-s', start, '-e', end, '--stats'] },
    { name: '--stats=record', args: () => ['-p', walDir, '-s', start, '-e', end, '--stats=record'] },
    { name: '-r Heap -r Btree', args: () => ['-p', walDir, '-s', start, '-e', end, '-r', 'Heap', '-r', 'Btree'] },
    { name: '-r LogicalMessage --stats', args: () => ['-p', walDir, '-s', start, '-e', end, '-r', 'LogicalMessage', '--stats'] },
    { name: '-x', args: () => ['-p', walDir, '-s', start, '-e', end, '-x', xid] },
    { name: '-R -B', args: () => ['-p', walDir, '-s', start, '-e', end, '-R', rel, '-B', '3'] },
    { name: '-R -F main -w', args: () => ['-p', walDir, '-s', start, '-e', end, '-R', rel, '-F', 'main', '-w'] },
    { name: '-q', args: () => ['-p', walDir, '-s', start, '-e', end, '-q'] },
    { name: 'start inside a record (the "first record is after" line)', args: () => ['-p', walDir, '-s', mid, '-e', end] },
    { name: 'start inside a record, --stats', args: () => ['-p', walDir, '-s', mid, '-e', end, '--stats'] },
    {
      name: 'STARTSEG ENDSEG',
      args: () => [join(walDir, segFile(lsnNum(start))), join(walDir, segFile(lsnNum(end)))],
    },
    { name: 'end of WAL inside a part (no -e)', args: () => ['-p', walDir, '-s', start] },
    { name: 'end of WAL inside a part, --stats=record', args: () => ['-p', walDir, '-s', start, '--stats=record'] },
  ];

  for (const c of CASES) {
    it(`same as sequential and pg_waldump: ${c.name}`, async () => {
      await threeWay(c.args());
    });
  }

  it('-n: limits that end in the first part, in a middle part, exactly at the end, past the end', async () => {
    const n = all.length;
    for (const limit of [1, 100, Math.floor(n * 0.6), n, n + 10]) {
      await threeWay(['-p', walDir, '-s', start, '-e', end, '-n', String(limit)]);
      await threeWay(['-p', walDir, '-s', start, '-e', end, '-n', String(limit), '-r', 'Heap', '-b']);
    }
    await threeWay(['-p', walDir, '-s', mid, '-e', end, '-n', '3']);
    await threeWay(['-p', walDir, '-s', start, '-e', end, '-n', String(Math.floor(n / 2)), '-q']);
  });

  it('--json: the same objects as the sequential path', async () => {
    const args = ['-p', walDir, '-s', start, '-e', end, '--json'];
    const seq = await ours(args, SEQUENTIAL);
    const par = await ours(args, PARALLEL);
    expect(seq.status).toBe(0);
    same(seq, par, '--json');
    expect(par.trace[0]!.ending).toBe('return');
    const statsArgs = [...args, '--stats=record'];
    same(await ours(statsArgs, SEQUENTIAL), await ours(statsArgs, PARALLEL), '--json --stats=record');
  });

  it('automatic: small ranges and --stats -n stay sequential; parts of 16 segments by default', async () => {
    const small = await ours(['-p', walDir, '-s', start, '-e', end], {});
    expect(small.trace).toEqual([{ sequential: true }]);
    const statsLimit = await ours(['-p', walDir, '-s', start, '-e', end, '--stats', '-n', '50'], { POSTGRES_FFI_WALDUMP_WORKERS: '2' });
    expect(statsLimit.trace).toEqual([{ sequential: true }]);
    same(runCTool(tool!, ['-p', walDir, '-s', start, '-e', end, '--stats', '-n', '50']), statsLimit, '--stats -n');
    // Default part size: 16 segments of 1 MB per part (one part here); and parts of 3 segments.
    const args = ['-p', walDir, '-s', start];
    const c = runCTool(tool!, args);
    const one = await ours(args, { POSTGRES_FFI_WALDUMP_WORKERS: '2' });
    same(c, one, 'default part size');
    expect(one.trace).toMatchObject([{ workers: 0, parts: 1, ending: 'fatal', part: 0 }]);
    const three = await ours(args, { POSTGRES_FFI_WALDUMP_WORKERS: '2', POSTGRES_FFI_WALDUMP_PART_SEGMENTS: '3' });
    same(c, three, 'parts of 3 segments');
    expect(three.trace[0]!.parts).toBeGreaterThanOrEqual(3);
  });

  it('a corrupted record in a middle part', async () => {
    const s0 = Math.floor(lsnNum(start) / SEG);
    const victim = all.find(
      (x) => Math.floor(x.lsn / SEG) >= s0 + 4 && x.rmgr === 'Heap' && (x.lsn % 8192) + x.tot < 8192 && x.lsn % SEG > 64 * 1024,
    )!;
    const dir = walCopy(walDir, 'corrupt-middle');
    flipByte(dir, victim.lsn + victim.tot - 1);
    const { c } = await threeWay(['-p', dir, '-s', start, '-e', end], 'fatal');
    expect(c.status).toBe(1);
    expect(c.stderr).toContain('incorrect resource manager data checksum');
    await threeWay(['-p', dir, '-s', start, '-e', end, '--stats'], 'fatal');
  });

  it('a corrupted record across a seam (the part before it reads into the next segment)', async () => {
    const big = all.find((x) => x.tot > SEG && x.tot < 2 * SEG)!;
    const boundary = (Math.floor(big.lsn / SEG) + 1) * SEG;
    const dir = walCopy(walDir, 'corrupt-seam');
    flipByte(dir, boundary + 8192 + 100);
    const { c } = await threeWay(['-p', dir, '-s', start, '-e', end], 'fatal');
    expect(c.stderr).toContain(`error in WAL record at`);
    // The record covering a whole segment: damage in the segment nobody starts a record in.
    const huge = all.find((x) => x.tot > 2 * SEG)!;
    const dir2 = walCopy(walDir, 'corrupt-huge');
    flipByte(dir2, (Math.floor(huge.lsn / SEG) + 1) * SEG + 3 * 8192 + 500);
    await threeWay(['-p', dir2, '-s', start, '-e', end, '-b'], 'fatal');
  });

  it('a missing segment in the middle (after pg_waldump-like retries)', async () => {
    const dir = walCopy(walDir, 'missing');
    const gone = Math.floor(lsnNum(start) / SEG) + 5;
    rmSync(join(dir, segFile(gone * SEG)));
    const { c } = await threeWay(['-p', dir, '-s', start, '-e', end], 'fatal');
    expect(c.stderr).toContain('could not find file');
  }, 120_000);

  it('a truncated last segment: short of a page, and at a page boundary', async () => {
    const dir = walCopy(walDir, 'short');
    truncateSync(join(dir, segFile(lsnNum(end))), (lsnNum(end) % SEG) - 3000);
    const { c } = await threeWay(['-p', dir, '-s', start, '-e', end]);
    expect(c.status).toBe(1);
    const dir2 = walCopy(walDir, 'short-page');
    truncateSync(join(dir2, segFile(lsnNum(end))), Math.floor((lsnNum(end) % SEG) / 8192 - 2) * 8192);
    await threeWay(['-p', dir2, '-s', start, '-e', end]);
    await threeWay(['-p', dir2, '-s', start, '-e', end, '--stats']);
  });

  it('a seam that fails hands over to the sequential loop: same output, nothing twice', async () => {
    const n = all.length;
    // [args, fault, segments per part, chunks of the failing part already written?]
    const cases: [string[], string, string, boolean][] = [
      [['-p', walDir, '-s', start, '-e', end], '0', '1', false],
      [['-p', walDir, '-s', start, '-e', end], '3', '1', false],
      [['-p', walDir, '-s', start, '-e', end], '1:1', '4', true],
      [['-p', walDir, '-s', start, '-e', end, '-b', '-r', 'Heap'], '2', '1', false],
      [['-p', walDir, '-s', mid, '-e', end], '1', '1', false],
      [['-p', walDir, '-s', mid, '-e', end], '0:1', '4', true],
      [['-p', walDir, '-s', start, '-e', end, '-n', String(Math.floor(n * 0.7))], '4', '1', false],
      [['-p', walDir, '-s', start, '-e', end, '-n', String(Math.floor(n * 0.7))], '0:1', '4', true],
      [['-p', walDir, '-s', start, '-e', end, '--stats=record'], '3', '1', false],
      [['-p', walDir, '-s', mid, '-e', end, '--stats'], '2', '1', false],
      [['-p', walDir, '-s', start], '5', '1', false],
    ];
    for (const [args, fault, partSegments, midPart] of cases) {
      const c = runCTool(tool!, args);
      const par = await ours(args, {
        POSTGRES_FFI_WALDUMP_WORKERS: '2',
        POSTGRES_FFI_WALDUMP_PART_SEGMENTS: partSegments,
        POSTGRES_FFI_WALDUMP_TEST_FAULT: fault,
        POSTGRES_FFI_WALDUMP_NATIVE_STATS: '0',
      });
      same(c, par, `fault ${fault}: ${args.join(' ')}`);
      const t = par.trace[0]!;
      expect(t.ending, `fault ${fault}`).toBe('sequential');
      expect(t.part, `fault ${fault}`).toBe(Number(fault.split(':')[0]));
      if (midPart) expect(t.written, `fault ${fault}: chunks of the part written before`).toBeGreaterThan(0);
    }
  });

  it('the compiled CLI (dist), as tsc writes it and bundled (npm run build), runs its workers from worker.js', () => {
    const top = mkdtempSync(join(tmpdir(), 'pgffi-par-dist-'));
    const outDir = join(top, 'dist');
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', outDir, '--declaration', 'false', '--sourceMap', 'false'], {
        stdio: 'ignore',
      });
      expect(existsSync(join(outDir, 'cli', 'waldump', 'worker.js'))).toBe(true);
      mkdirSync(join(tmp, 'cli'), { recursive: true });
      for (const build of ['tsc', 'bundled']) {
        if (build === 'bundled') {
          execFileSync(process.execPath, ['scripts/bundle-cli.mjs', outDir], { stdio: 'ignore' });
          // The bundled CLI (main.cjs, the command bundles, worker.js and their chunks in cli/)
          // needs none of tsc's other files.
          for (const name of readdirSync(outDir)) if (name !== 'cli') rmSync(join(outDir, name), { recursive: true });
          rmSync(join(outDir, 'cli', 'commands'), { recursive: true });
          rmSync(join(outDir, 'cli', 'waldump'), { recursive: true });
        }
        for (const extra of [[], ['--stats=record'], ['-b', '-n', '2000']]) {
          const args = ['-p', walDir, '-s', start, '-e', end, ...extra];
          const traceFile = join(tmp, 'cli', `trace-${build}${extra.join('')}.jsonl`);
          const res = spawnSync('node', [join(outDir, 'cli', build === 'tsc' ? 'main.js' : 'main.cjs'), 'waldump', ...args], {
            encoding: 'utf8',
            env: { ...process.env, TZ: 'UTC', ...PARALLEL, POSTGRES_FFI_WALDUMP_TRACE: traceFile },
            maxBuffer: 1 << 30,
          });
          same(
            runCTool(tool!, args),
            { stdout: res.stdout, stderr: normalise(res.stderr), status: res.status ?? -1 },
            `dist (${build}) ${extra.join(' ')}`,
          );
          const trace = JSON.parse(readFileSync(traceFile, 'utf8')) as Trace;
          expect(trace.workers, build).toBe(2);
          expect(trace.ending, build).toBe('return');
        }
      }
      // Every command's bundle runs (its --help as from the sources), with the V8 code cache
      // the build wrote for it, which this node takes.
      for (const command of readdirSync('src/cli/commands').map((f) => f.replace(/\.ts$/, ''))) {
        const bundled = spawnSync('node', [join(outDir, 'cli', 'main.cjs'), command, '--help'], {
          encoding: 'utf8',
          env: { ...process.env, POSTGRES_FFI_CODE_CACHE: 'report' },
        });
        const sources = spawnSync('node', ['--import', 'tsx', 'src/cli/main.ts', command, '--help'], { encoding: 'utf8' });
        expect(bundled.stdout, command).toBe(sources.stdout);
        expect(bundled.stdout, command).toContain('Usage');
        expect(bundled.stderr, command).toBe('code cache: accepted\n');
        expect(bundled.status, command).toBe(0);
      }
      // Beside the package's native/ and package.json, the bundle loads the native module (../../native from dist/cli).
      if (nativeBinding !== null) {
        symlinkSync(resolve('native'), join(top, 'native'));
        symlinkSync(resolve('package.json'), join(top, 'package.json'));
        const version = spawnSync('node', [join(outDir, 'cli', 'main.cjs'), '--version'], { encoding: 'utf8' });
        expect(version.stdout, version.stderr).toMatch(/\[native \(/);
      }
    } finally {
      rmSync(top, { recursive: true, force: true });
    }
  }, 120_000);
  it.skipIf(!hasNativeStats)(
    'native --stats and -q: the same as pg_waldump and the TypeScript reader, on one and four threads',
    async () => {
      const argSets = [
        ['-p', walDir, '-s', start, '-e', end, '--stats'],
        ['-p', walDir, '-s', start, '-e', end, '--stats=record'],
        ['-p', walDir, '-s', mid, '-e', end, '--stats=record'],
        ['-p', walDir, '-s', start, '--stats=record'],
        [join(walDir, segFile(lsnNum(start))), join(walDir, segFile(lsnNum(end))), '--stats'],
        ['-p', walDir, '-s', start, '-e', end, '-q'],
        ['-p', walDir, '-s', start, '-q'],
      ];
      for (const args of argSets) {
        const c = runCTool(tool!, args);
        const ts = await ours(args, SEQUENTIAL);
        same(c, ts, `TypeScript reader ${args.join(' ')}`);
        for (const env of [NATIVE_ONE_THREAD, NATIVE_FOUR_THREADS]) {
          const n = await ours(args, env);
          same(c, n, `native, ${env.POSTGRES_FFI_WALDUMP_WORKERS} ${args.join(' ')}`);
          // The native pass counted (nearly) every record: the reader reads the first one and
          // those after the last page wholly before the end LSN.
          const from = lsnNum(args.includes('-s') ? args[args.indexOf('-s') + 1]! : start);
          expect(nativeCounted(n.trace), args.join(' ')).toBeGreaterThan(all.filter((x) => x.lsn >= from).length * 0.9);
          expect(n.trace[0]!.threads).toBe(env === NATIVE_ONE_THREAD ? 1 : 4);
        }
      }
      const json = ['-p', walDir, '-s', start, '-e', end, '--stats=record', '--json'];
      same(await ours(json, SEQUENTIAL), await ours(json, NATIVE_FOUR_THREADS), '--stats=record --json');
      // Filters and -n keep the TypeScript reader.
      const filtered = await ours(['-p', walDir, '-s', start, '-e', end, '--stats', '-r', 'Heap'], NATIVE_ONE_THREAD);
      expect(nativeCounted(filtered.trace)).toBe(0);
    },
  );

  it.skipIf(!hasNativeStats)('native --stats: the parts on four threads join into one pass on intact WAL', async () => {
    const n = await ours(['-p', walDir, '-s', start, '-e', end, '--stats'], NATIVE_FOUR_THREADS);
    // One call counts everything up to the last whole page before the end LSN; a part that
    // did not join would end the call early and show up as further calls.
    expect(n.trace.filter((t) => (t.native ?? 0) > 0).length).toBe(1);
    expect(n.trace[0]!.stop).toBe('end-lsn');
  });

  it.skipIf(!hasNativeStats)(
    'native --stats on damaged WAL: same output, error line and exit code as the TypeScript reader (seeded)',
    async () => {
      const seed = Number(process.env.WAL_SEED ?? 20261122);
      const random = mulberry32(seed);
      const dir = walCopy(walDir, 'native-damaged');
      const s0 = lsnNum(start);
      const s1 = lsnNum(end);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
      const middle = all.slice(5);
      let nativeRuns = 0;
      for (let k = 0; k < 60; k++) {
        const kind = k % 4;
        let at: number;
        if (kind === 0) {
          const r = pick(middle);
          at = r.lsn + Math.floor(random() * r.tot);
        } else if (kind === 1) {
          at = pick(middle).lsn + Math.floor(random() * 24);
        } else {
          // A page header; kind 3: a segment's first (long) page header.
          const page =
            kind === 2
              ? Math.floor((s0 + random() * (s1 - s0)) / 8192) * 8192
              : (Math.floor(s0 / SEG) + 1 + Math.floor(random() * 6)) * SEG;
          at = page + Math.floor(random() * (kind === 2 ? 24 : 40));
        }
        const flip = 1 + Math.floor(random() * 255);
        const args = ['-p', dir, '-s', start, '-e', end, ['--stats', '--stats=record', '-q'][k % 3]!];
        const what = `seed ${seed} (WAL_SEED=${seed} replays), damage ${k} at ${lsnStr(at)}: ${args.slice(-1)[0]}`;
        const damage = (b: Buffer, o: number): void => {
          b[o] = b[o]! ^ flip;
        };
        if (await damagedRun(dir, at, damage, args, k % 3 === 0 ? NATIVE_ONE_THREAD : NATIVE_FOUR_THREADS, what)) nativeRuns++;
      }
      expect(nativeRuns).toBeGreaterThan(40);
    },
    300_000,
  );

  it.skipIf(!hasNativeStats)(
    'native --stats on records damaged with their CRC fixed: xl_prev, xl_rmid, xl_info, block headers (seeded)',
    async () => {
      // What the CRC cannot catch: the reader's own checks (prev-link, resource manager id,
      // DecodeXLogRecord's block header rules) must stop the native pass exactly where the
      // TypeScript reader and pg_waldump stop.
      const seed = Number(process.env.WAL_SEED ?? 20261122);
      const random = mulberry32(seed ^ 0x5eed);
      const dir = walCopy(walDir, 'native-crc-fixed');
      const inPage = all.slice(5).filter((x) => (x.lsn % 8192) + x.tot <= 8192);
      let nativeRuns = 0;
      for (let k = 0; k < 60; k++) {
        const r = inPage[Math.floor(random() * inPage.length)]!;
        // xl_prev, xl_rmid, xl_info, or (kinds 3 and 4) a byte of the block/main-data headers.
        const kind = k % 5;
        const field =
          kind === 0
            ? 8 + Math.floor(random() * 8)
            : kind === 1
              ? 17
              : kind === 2
                ? 16
                : 24 + Math.floor(random() * Math.min(r.tot - 24, 48));
        const flip = 1 + Math.floor(random() * 255);
        // The damaged byte, then the record CRC recomputed over the damaged record.
        const damage = (b: Buffer, o: number): void => {
          b[o + field] = b[o + field]! ^ flip;
          const rec = b.subarray(o, o + r.tot);
          rec.writeUInt32LE(crc32cFinish(crc32cUpdate(crc32cUpdate(CRC32C_INIT, rec, 24, r.tot), rec, 0, 20)), 20);
        };
        const args = ['-p', dir, '-s', start, '-e', end, '--stats=record'];
        const what = `seed ${seed} (WAL_SEED=${seed} replays), damage ${k}: byte ${field} of the record at ${lsnStr(r.lsn)}`;
        if (await damagedRun(dir, r.lsn, damage, args, k % 3 === 0 ? NATIVE_ONE_THREAD : NATIVE_FOUR_THREADS, what)) nativeRuns++;
      }
      expect(nativeRuns).toBeGreaterThan(40);
    },
    300_000,
  );

  it.skipIf(!hasNativeStats)(
    'native --stats: a missing segment, a truncated one, an end LSN inside a page',
    async () => {
      const gone = walCopy(walDir, 'native-missing');
      rmSync(join(gone, segFile((Math.floor(lsnNum(start) / SEG) + 4) * SEG)));
      const short = walCopy(walDir, 'native-short');
      truncateSync(join(short, segFile(lsnNum(end))), Math.floor((lsnNum(end) % SEG) / 8192 - 2) * 8192);
      // A segment cut short after its XLOG_SWITCH record: pg_waldump reads on into the next
      // segment (it never needs the missing pages), and so do the TypeScript reader (which the
      // native pass hands the short file to) and parallel waldump. Cut inside the switch
      // record's own page instead, pg_waldump's read of that page fails, and ours does too.
      const sw = all.find((x) => x.line.includes('desc: SWITCH'))!;
      const cut = walCopy(walDir, 'native-cut-after-switch');
      truncateSync(join(cut, segFile(sw.lsn)), (Math.floor((sw.lsn % SEG) / 8192) + 2) * 8192);
      const cutInPage = walCopy(walDir, 'native-cut-in-switch-page');
      truncateSync(join(cutInPage, segFile(sw.lsn)), (sw.lsn % SEG) + 8);
      for (const [dir, status] of [
        [cut, 0],
        [cutInPage, 1],
      ] as const) {
        for (const args of [
          ['-p', dir, '-s', start, '-e', end, '--stats'],
          ['-p', dir, '-s', start, '--stats=record'],
          ['-p', dir, '-s', start, '-e', lsnStr(sw.lsn + SEG / 2)],
        ]) {
          const c = runCTool(tool!, args);
          // Without -e pg_waldump ends at the end of WAL with an error line (status 1) anyway.
          if (args.includes('-e')) expect(c.status, args.join(' ')).toBe(status);
          if (status === 1) expect(c.stderr).toContain('could not read from file');
          same(c, await ours(args, SEQUENTIAL), `TypeScript reader, cut after XLOG_SWITCH: ${args.join(' ')}`);
          for (const env of [NATIVE_ONE_THREAD, NATIVE_FOUR_THREADS])
            same(c, await ours(args, env), `native, cut after XLOG_SWITCH: ${args.join(' ')}`);
        }
        await threeWay(['-p', dir, '-s', start, '-e', end, '-b'], status === 0 ? 'return' : null);
      }
      const cases = [
        ['-p', gone, '-s', start, '-e', end, '--stats'],
        ['-p', short, '-s', start, '-e', end, '--stats=record'],
        ['-p', walDir, '-s', start, '-e', lsnStr(lsnNum(start) + 3 * SEG + 5000), '--stats'],
        ['-p', walDir, '-s', mid, '-e', lsnStr(lsnNum(mid) + 8192), '--stats=record'],
      ];
      for (const args of cases) {
        const n = await ours(args, NATIVE_FOUR_THREADS);
        same(await ours(args, SEQUENTIAL), n, `TypeScript reader ${args.join(' ')}`);
        same(runCTool(tool!, args), n, `pg_waldump ${args.join(' ')}`);
      }
    },
    120_000,
  );
});
