/**
 * pgffi waldump vs pg_waldump 15 on the same real WAL: whole-process wall and CPU time (best of
 * N, GNU time) for the full text output to /dev/null and for --stats, at ~100 MB of WAL
 * (--mb=N for more, or --corpus=DIR: WAL segments made beforehand with a range.json
 * {"start","end"}), on one thread (POSTGRES_FFI_WALDUMP_WORKERS=0) and on all cores (workers
 * forced: parallel waldump), then as pgffi chooses by itself (automatic).
 *
 *   npx tsx bench/waldump.ts [--mb=100 | --corpus=DIR] [--rounds=5] [--sizes=100,300]
 *
 * --sizes=MB,... adds a table of how the ratios change with the input: the same modes over the
 * first MB of the range (prefixes of the same WAL), automatic threads.
 *
 * Our CLI is compiled once with tsc into a temporary directory and run with plain `node`, so
 * process start-up is counted for both tools. The outputs are also compared once (they must
 * be identical: the benchmark refuses to report numbers for a wrong answer).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { PgServer } from '../test/support/pg-server.js';
import { compileForBench, printTable } from './harness.js';

const arg = (name: string, def: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? def : Number(a.slice(name.length + 3));
};
const targetMb = arg('mb', 100);
const rounds = arg('rounds', 5);
const sizes = (process.argv.find((x) => x.startsWith('--sizes='))?.slice('--sizes='.length) ?? '')
  .split(',')
  .filter((x) => x !== '')
  .map(Number);
const corpus = process.argv.find((x) => x.startsWith('--corpus='))?.slice('--corpus='.length) ?? null;
const threads = Math.max(2, availableParallelism());
const PG_WALDUMP = '/usr/lib/postgresql/15/bin/pg_waldump';

/**
 * Best-of-`rounds` wall and CPU (user+sys) seconds of a whole process, stdout to /dev/null. Wall
 * time is measured around the spawn with a monotonic clock (GNU time's %e has 10 ms steps, too
 * coarse for runs of 60 ms); CPU time comes from GNU time (10 ms steps).
 */
function timeProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv): { wall: number; cpu: number } {
  let wall = Number.POSITIVE_INFINITY;
  let cpu = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    const res = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', cmd, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
      encoding: 'utf8',
    });
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    const m = /TIME (\S+) (\S+) (\S+)\s*$/.exec(res.stderr);
    if (m === null) throw new Error(`${cmd} ${args.join(' ')}: ${res.stderr}`);
    wall = Math.min(wall, elapsed);
    cpu = Math.min(cpu, Number(m[2]) + Number(m[3]));
  }
  return { wall, cpu };
}

function lsnToNumber(lsn: string): number {
  const [hi, lo] = lsn.split('/') as [string, string];
  return Number.parseInt(hi, 16) * 2 ** 32 + Number.parseInt(lo, 16);
}

const server =
  corpus === null ? await PgServer.start({ major: 15, conf: { wal_keep_size: "'8GB'", max_wal_size: "'8GB'", timezone: "'UTC'" } }) : null;
/** Real WAL of ~targetMb from a fresh server (the server is stopped, its pg_wal kept). */
async function makeWal(server: PgServer): Promise<{ walDir: string; start: string; end: string }> {
  await server.query('CREATE TABLE acc (id int PRIMARY KEY, bal int, filler text)');
  await server.query('CREATE TABLE hist (id serial, aid int, delta int, at timestamptz DEFAULT now())');
  await server.switchWal();
  const start = await server.currentLsn();
  let round = 0;
  while (lsnToNumber(await server.currentLsn()) - lsnToNumber(start) < targetMb * 1024 * 1024) {
    const base = round * 50_000;
    await server.query(`INSERT INTO acc SELECT g, 0, repeat('f', 80) FROM generate_series(${base + 1}, ${base + 50_000}) g`);
    await server.query(`UPDATE acc SET bal = bal + 1 WHERE id % 7 = ${round % 7}`);
    await server.query(`INSERT INTO hist (aid, delta) SELECT g, 1 FROM generate_series(1, 20000) g`);
    await server.query(`DELETE FROM hist WHERE id % 3 = 0`);
    if (round % 3 === 2) await server.checkpoint();
    round++;
  }
  const end = await server.currentLsn();
  await server.stop();
  return { walDir: server.walDir, start, end };
}

let outDir: string | null = null;
try {
  const { walDir, start, end } =
    server === null
      ? { walDir: corpus!, ...(JSON.parse(readFileSync(join(corpus!, 'range.json'), 'utf8')) as { start: string; end: string }) }
      : await makeWal(server);
  const walBytes = lsnToNumber(end) - lsnToNumber(start);

  const build = compileForBench();
  outDir = build.dir;
  const dist = build.dir;
  const backend = execFileSync(
    'node',
    ['--input-type=module', '-e', `console.log((await import(${JSON.stringify(join(dist, 'node', 'native.js'))})).backendDescription())`],
    { encoding: 'utf8' },
  ).trim();
  // No node flags: V8 takes the CLI's code cache only under the flags it was written with (none).
  const ours = [build.cli, 'waldump'];
  // STARTSEG ENDSEG (not -p alone): pg_waldump probes the first WAL file readdir() returns,
  // which may be a preallocated, still zero-filled segment.
  const segName = (lsn: string): string => {
    const seg = Math.floor(lsnToNumber(lsn) / (16 * 1024 * 1024));
    return `00000001${Math.floor(seg / 256)
      .toString(16)
      .toUpperCase()
      .padStart(8, '0')}${(seg % 256).toString(16).toUpperCase().padStart(8, '0')}`;
  };
  const range = ['-s', start, '-e', end, join(walDir, segName(start)), join(walDir, segName(end))];
  const env = { ...process.env, TZ: 'UTC', LC_ALL: 'C' };
  const oneThread = { ...env, POSTGRES_FFI_WALDUMP_WORKERS: '0' };
  const allThreads = { ...env, POSTGRES_FFI_WALDUMP_WORKERS: String(threads - 1) };

  // Correctness first: identical text and stats, on one thread and on all.
  const c = spawnSync(PG_WALDUMP, range, { env, maxBuffer: 2 ** 31 });
  for (const ourEnv of [oneThread, allThreads]) {
    const o = spawnSync('node', [...ours, ...range], { env: ourEnv, maxBuffer: 2 ** 31 });
    if (!c.stdout.equals(o.stdout)) {
      const a = c.stdout.toString('latin1').split('\n');
      const b = o.stdout.toString('latin1').split('\n');
      const i = a.findIndex((line, k) => line !== b[k]);
      throw new Error(
        `outputs differ at line ${i + 1} (POSTGRES_FFI_WALDUMP_WORKERS=${ourEnv.POSTGRES_FFI_WALDUMP_WORKERS}): refusing to benchmark\n  pg_waldump: ${a[i]}\n  pgffi:      ${b[i]}\n  pgffi stderr: ${o.stderr}`,
      );
    }
  }
  // Lines counted in the bytes: a GB of text is longer than a string may be.
  let records = 0;
  for (let i = c.stdout.indexOf(10); i >= 0; i = c.stdout.indexOf(10, i + 1)) records++;
  const cs = spawnSync(PG_WALDUMP, [...range, '--stats'], { env });
  for (const ourEnv of [oneThread, allThreads]) {
    const os = spawnSync('node', [...ours, ...range, '--stats'], { env: ourEnv });
    if (!cs.stdout.equals(os.stdout)) throw new Error('--stats outputs differ: refusing to benchmark');
  }

  const rows: (string | number)[][] = [];
  // pgffi loads the native module when it is built; the last rows force pure TypeScript.
  const pureTs = { ...env, POSTGRES_FFI_NATIVE: '0' };
  const cTimes = new Map<string, { wall: number; cpu: number }>();
  for (const [label, extra, ourEnv] of [
    ['full text > /dev/null, 1 thread', [] as string[], oneThread],
    [`full text > /dev/null, ${threads} threads`, [] as string[], allThreads],
    ['--stats, 1 thread', ['--stats'], oneThread],
    [`--stats, ${threads} threads`, ['--stats'], allThreads],
    ['full text > /dev/null (automatic)', [] as string[], env],
    ['--stats (automatic)', ['--stats'], env],
    ['--stats=record', ['--stats=record'], env],
    ['-q (automatic)', ['-q'], env],
    ['-b > /dev/null', ['-b'], env],
    ['full text > /dev/null (pgffi pure TS)', [] as string[], pureTs],
    ['--stats (pgffi pure TS)', ['--stats'], pureTs],
  ] as const) {
    const key = extra.join(' ');
    const tc = cTimes.get(key) ?? timeProcess(PG_WALDUMP, [...range, ...extra], env);
    cTimes.set(key, tc);
    const to = timeProcess('node', [...ours, ...range, ...extra], ourEnv);
    rows.push([
      label,
      tc.wall.toFixed(3),
      to.wall.toFixed(3),
      (to.wall / tc.wall).toFixed(2),
      tc.cpu.toFixed(2),
      to.cpu.toFixed(2),
      (to.cpu / tc.cpu).toFixed(2),
    ]);
  }
  if (sizes.length > 0) {
    const sizeRows: (string | number)[][] = [];
    for (const mb of sizes) {
      const stop = Math.min(lsnToNumber(end), lsnToNumber(start) + mb * 1048576);
      const stopLsn = `${Math.floor(stop / 2 ** 32)
        .toString(16)
        .toUpperCase()}/${(stop % 2 ** 32).toString(16).toUpperCase()}`;
      const sub = ['-s', start, '-e', stopLsn, join(walDir, segName(start)), join(walDir, segName(stopLsn))];
      const row: (string | number)[] = [((stop - lsnToNumber(start)) / 1048576).toFixed(0)];
      for (const extra of [[], ['--stats']]) {
        const args = [...sub, ...extra];
        const expected = spawnSync(PG_WALDUMP, args, { env, maxBuffer: 2 ** 31 });
        const got = spawnSync('node', [...ours, ...args], { env, maxBuffer: 2 ** 31 });
        if (!expected.stdout.equals(got.stdout)) throw new Error(`outputs differ at ${mb} MB (${extra.join(' ')}): refusing to benchmark`);
        const tc = timeProcess(PG_WALDUMP, args, env);
        const to = timeProcess('node', [...ours, ...args], env);
        row.push(tc.wall.toFixed(3), to.wall.toFixed(3), (to.wall / tc.wall).toFixed(2));
      }
      sizeRows.push(row);
    }
    printTable(
      `pgffi waldump vs pg_waldump 15 by input size (prefixes of the same WAL; automatic threads, best of ${rounds}, wall s)`,
      ['MB', 'text: pg_waldump', 'text: pgffi', 'text ratio', '--stats: pg_waldump', '--stats: pgffi', '--stats ratio'],
      sizeRows,
    );
  }
  printTable(
    `pgffi waldump vs pg_waldump 15: ${(walBytes / 1048576).toFixed(1)} MB of WAL, ${records} records, ${(c.stdout.length / 1048576).toFixed(1)} MB of text; best of ${rounds}, whole process; ${threads} threads: POSTGRES_FFI_WALDUMP_WORKERS=${threads - 1} and the main thread; pgffi backend: ${backend}`,
    ['mode', 'pg_waldump wall s', 'pgffi wall s', 'wall ratio', 'pg_waldump cpu s', 'pgffi cpu s', 'cpu ratio'],
    rows,
  );
} finally {
  await server?.destroy();
  if (outDir !== null) rmSync(outDir, { recursive: true, force: true });
}
