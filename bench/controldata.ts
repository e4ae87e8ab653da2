/**
 * pgffi controldata vs pg_controldata 15 on a real stopped PostgreSQL 15 data directory:
 * whole-process wall time (best of N, TZ=UTC LC_ALL=C), plus in-memory decode and
 * decode+format throughput of pg_control (pure TS).
 *
 *   npx tsx bench/controldata.ts [--rounds=20]
 *
 * Our CLI is compiled and bundled once (compileForBench) and run with plain `node`, so
 * process start-up counts for both tools. Outputs are compared first.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeControlFile, encodeControlFile } from '../src/common/control/control-file.js';
import { formatControlData } from '../src/common/control/controldata-text.js';
import { PgServer } from '../test/support/pg-server.js';
import { compileForBench, printTable, timeIt, timeProcess } from './harness.js';

const a = process.argv.find((x) => x.startsWith('--rounds='));
const rounds = a === undefined ? 20 : Number(a.slice('--rounds='.length));
const PG_CONTROLDATA = '/usr/lib/postgresql/15/bin/pg_controldata';
const env = { ...process.env, TZ: 'UTC', LC_ALL: 'C' };

const server = await PgServer.start({ major: 15 });
const build = compileForBench();
try {
  await server.stop();
  const bytes = new Uint8Array(readFileSync(join(server.dataDir, 'global', 'pg_control')));
  const tDecode = timeIt(() => decodeControlFile(bytes), 5, 0.3);
  const tFormat = timeIt(() => formatControlData(decodeControlFile(bytes), 'UTC'), 5, 0.3);
  const decoded = decodeControlFile(bytes);
  const tEncode = timeIt(() => encodeControlFile(decoded), 5, 0.3);
  printTable(
    'pg_control in memory (pure TS), best of 5',
    ['operation', 'µs per file', 'files/s'],
    [
      ['decodeControlFile (CRC-32C of 288 bytes + 51 fields)', (tDecode * 1e6).toFixed(2), Math.round(1 / tDecode)],
      ['decode + formatControlData (pg_controldata text)', (tFormat * 1e6).toFixed(2), Math.round(1 / tFormat)],
      ['encodeControlFile (8192 bytes, CRC recomputed)', (tEncode * 1e6).toFixed(2), Math.round(1 / tEncode)],
    ],
  );

  // The CLI as `npm run build` ships it (bundled).
  const ours = [build.cli, 'controldata', '-D', server.dataDir];
  const x = spawnSync(process.execPath, ours, { encoding: 'utf8', env });
  const y = spawnSync(PG_CONTROLDATA, ['-D', server.dataDir], { encoding: 'utf8', env });
  if (x.stdout !== y.stdout || x.status !== y.status)
    throw new Error(`outputs differ:\n--- pgffi\n${x.stdout}${x.stderr}\n--- pg_controldata\n${y.stdout}`);
  const tC = timeProcess(PG_CONTROLDATA, ['-D', server.dataDir], rounds, env);
  const tT = timeProcess(process.execPath, ours, rounds, env);
  const tS = timeProcess(process.execPath, [build.cli, 'controldata', '--help'], rounds, env);
  printTable(
    `controldata, whole process, best of ${rounds}`,
    ['tool', 'ms', 'ratio vs pg_controldata'],
    [
      ['pg_controldata 15 (C)', (tC * 1e3).toFixed(2), '1.00'],
      ['pgffi controldata (node)', (tT * 1e3).toFixed(2), (tT / tC).toFixed(1)],
      ['(start-up only: pgffi controldata --help)', (tS * 1e3).toFixed(2), (tS / tC).toFixed(1)],
    ],
  );
} finally {
  await server.destroy();
  build.remove();
}
