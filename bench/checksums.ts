/**
 * pgffi checksums --check vs pg_checksums 15 over the same stopped PostgreSQL 15 data directory
 * (~1 GB of relations made by a real server, page cache warm): whole-process wall time, best
 * of N; plus the page checksum's in-memory throughput (pure TS, per page and batched).
 *
 *   npx tsx bench/checksums.ts [--mb=1024] [--rounds=5]
 *
 * Our CLI is compiled once with tsc into a temporary directory and run with plain `node`, so
 * process start-up counts for both tools. Both outputs are compared first: no numbers for a
 * wrong answer. The machine may be shared: CPU seconds (user + sys) are reported beside wall
 * time, and our CLI is timed with worker threads (one per CPU) and without (the default on a
 * busy machine: threads are used only on idle CPUs).
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { pageChecksum, pageChecksums } from '../src/common/page/checksum.js';
import { PgServer } from '../test/support/pg-server.js';
import { compileForBench, gbPerSecond, printTable, timeIt, timeProcess } from './harness.js';

const arg = (name: string, def: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? def : Number(a.slice(name.length + 3));
};
const targetMb = arg('mb', 1024);
const rounds = arg('rounds', 5);
const PG_CHECKSUMS = '/usr/lib/postgresql/15/bin/pg_checksums';

/** Best-of-rounds CPU seconds (user + sys, children included) of a whole process, via /usr/bin/time. */
function cpuSeconds(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const res = spawnSync('/usr/bin/time', ['-f', '%U %S', cmd, ...args], { encoding: 'utf8', env, stdio: ['ignore', 'ignore', 'pipe'] });
    const [u, sys] = res.stderr.trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number];
    best = Math.min(best, u + sys);
  }
  return best;
}

// In-memory throughput first (no server needed).
const buf = new Uint8Array(64 * 1024 * 1024);
for (let i = 0; i < buf.length; i++) buf[i] = (Math.imul(i, 2654435761) >>> 13) & 0xff;
for (let p = 0; p < buf.length; p += 8192) buf[p + 14] = 0x20;
/** Best-of-rounds CPU seconds (this thread's process, user + sys) of one call: robust on a shared machine. */
function cpuTimeIt(fn: () => unknown, n = 15): number {
  fn();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < n; r++) {
    const c = process.cpuUsage();
    fn();
    const d = process.cpuUsage(c);
    best = Math.min(best, (d.user + d.system) / 1e6);
  }
  return best;
}
const out = new Uint16Array(buf.length / 8192);
const rows: (string | number)[][] = [];
for (const [name, fn] of [
  ['pageChecksums (whole buffer)', () => pageChecksums(buf, 0, 8192, out)],
  [
    'pageChecksum per page (subarray each)',
    () => {
      for (let p = 0, b = 0; p < buf.length; p += 8192, b++) pageChecksum(buf.subarray(p, p + 8192), b);
    },
  ],
] as const) {
  const wall = timeIt(fn, 5, 0.5);
  const cpu = cpuTimeIt(fn);
  rows.push([name, gbPerSecond(buf.length, wall), gbPerSecond(buf.length, cpu), Math.round(buf.length / 8192 / cpu)]);
}
printTable(
  'Page checksum in memory (64 MiB of 8 KiB pages, pure TS)',
  ['variant', 'GB/s (wall)', 'GB/s (CPU time)', 'pages/s (CPU time)'],
  rows,
);

const server = await PgServer.start({ major: 15, conf: { autovacuum: 'off', max_wal_size: "'4GB'" } });
const build = compileForBench();
try {
  // ~110 bytes per row on disk: text of 60 bytes plus header and an int
  const rows = Math.ceil((targetMb * 1024 * 1024) / 110);
  await server.query('CREATE TABLE big (id int, filler text)');
  for (let done = 0; done < rows; done += 2_000_000) {
    await server.query(
      `INSERT INTO big SELECT g, md5(g::text) || md5((g * 7)::text) FROM generate_series(${done + 1}, ${Math.min(rows, done + 2_000_000)}) g`,
    );
  }
  await server.query('CREATE INDEX big_id ON big (id)');
  await server.query('VACUUM big');
  await server.checkpoint();
  const [size] = await server.query<{ b: string }>("SELECT pg_total_relation_size('big') AS b");
  await server.stop();

  const ours = [build.cli, 'checksums', '-D', server.dataDir];
  const theirs = ['-D', server.dataDir];

  const pureEnv = { ...process.env, POSTGRES_FFI_NATIVE: '0' };
  const a = spawnSync(process.execPath, ours, { encoding: 'utf8', env: pureEnv });
  const b = spawnSync(PG_CHECKSUMS, theirs, { encoding: 'utf8' });
  if (a.stdout !== b.stdout || a.stderr !== b.stderr || a.status !== b.status) {
    throw new Error(`outputs differ:\n--- pgffi\n${a.stdout}${a.stderr}\n--- pg_checksums\n${b.stdout}${b.stderr}`);
  }
  const blocks = Number(/Blocks scanned:\s+(\d+)/.exec(b.stdout)![1]);
  const bytes = blocks * 8192;

  const oneThread = { ...pureEnv, PGFFI_THREADS: '0' };
  const nativeEnv = { ...process.env, PGFFI_THREADS: '0', POSTGRES_FFI_NATIVE: '1' };
  const n = spawnSync(process.execPath, ours, { encoding: 'utf8', env: nativeEnv });
  const hasNative = n.status === b.status && n.stdout === b.stdout && n.stderr === b.stderr;
  if (!hasNative) console.log(`(native module not measured: ${n.stderr.split('\n')[0]})`);
  const tC = timeProcess(PG_CHECKSUMS, theirs, rounds);
  const threads = { ...pureEnv, PGFFI_THREADS: String(Math.min(4, availableParallelism())) };
  const tN = hasNative ? timeProcess(process.execPath, ours, rounds, nativeEnv) : Number.NaN;
  const cN = hasNative ? cpuSeconds(process.execPath, ours, nativeEnv) : Number.NaN;
  const tT = timeProcess(process.execPath, ours, rounds, threads);
  const t1 = timeProcess(process.execPath, ours, rounds, oneThread);
  const tE = timeProcess(process.execPath, [build.cli, 'checksums', '--help'], rounds);
  const cC = cpuSeconds(PG_CHECKSUMS, theirs);
  const cT = cpuSeconds(process.execPath, ours, threads);
  const c1 = cpuSeconds(process.execPath, ours, oneThread);
  /** A row for one of our runs: wall and CPU seconds, with ratios to pg_checksums. */
  const pgffiRow = (label: string, wall: number, cpu: number): string[] => [
    label,
    wall.toFixed(3),
    gbPerSecond(bytes, wall),
    (wall / tC).toFixed(2),
    cpu.toFixed(2),
    (cpu / cC).toFixed(2),
  ];
  printTable(
    `checksums --check over ${(bytes / 1e9).toFixed(2)} GB (${blocks} blocks; relation 'big' ${(Number(size!.b) / 1e9).toFixed(2)} GB incl. index), page cache warm, wall time best of ${rounds}, ${availableParallelism()} CPUs, load average ${loadavg()[0]!.toFixed(1)}`,
    ['tool', 'wall s', 'GB/s', 'wall ratio', 'CPU s (user+sys)', 'CPU ratio'],
    [
      ['pg_checksums 15 (C)', tC.toFixed(3), gbPerSecond(bytes, tC), '1.00', cC.toFixed(2), '1.00'],
      pgffiRow(`pgffi checksums (pure TS, PGFFI_THREADS=${threads.PGFFI_THREADS})`, tT, cT),
      pgffiRow('pgffi checksums (pure TS, PGFFI_THREADS=0)', t1, c1),
      pgffiRow('pgffi checksums (native page checksum, 1 thread)', tN, cN),
      ['(start-up only: pgffi checksums --help)', tE.toFixed(3), '', '', '', ''],
    ],
  );
} finally {
  await server.destroy();
  build.remove();
}
