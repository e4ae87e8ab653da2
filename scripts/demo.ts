/**
 * The README's first command (`npm ci && npm run demo`): starts a real PostgreSQL 16 from the
 * npm package, runs a small workload, and decodes the WAL it wrote with postgres-ffi — the
 * first records as pg_waldump prints them, the statistics, a check against the server's own
 * pg_walinspect, then pg_control and a heap page. The server is always stopped and removed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run as controldata } from '../src/cli/commands/controldata.js';
import { run as pageinspect } from '../src/cli/commands/pageinspect.js';
import { run as waldump } from '../src/cli/commands/waldump.js';
import { parseLsn } from '../src/common/core/lsn.js';
import { lsnToSegmentNumber, openWal, walFileName } from '../src/index.js';
import { backendDescription } from '../src/node/native.js';
import { hydrateEmbedded, PgServer } from '../test/support/pg-server.js';

const say = (text: string): void => void process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`);

async function main(): Promise<void> {
  say(`postgres-ffi demo — backend: ${backendDescription()}`);
  hydrateEmbedded(16);
  const server = await PgServer.start({ major: 16, conf: { wal_compression: 'pglz' } });
  try {
    await server.query('CREATE EXTENSION pg_walinspect');
    await server.checkpoint();
    const start = await server.currentLsn();
    await server.query(`
      CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance numeric);
      INSERT INTO accounts SELECT g, 'owner ' || g, g * 10 FROM generate_series(1, 2000) g;
      CHECKPOINT;
      UPDATE accounts SET balance = balance + 1 WHERE id % 7 = 0;
      DELETE FROM accounts WHERE id > 1900;`);
    await server.query('VACUUM accounts'); // VACUUM cannot share a multi-statement transaction
    await server.query("SELECT pg_logical_emit_message(true, 'demo', repeat('x', 20000))");
    const end = await server.currentLsn();
    const [rel] = await server.query<{ path: string }>("SELECT pg_relation_filepath('accounts') AS path");
    const [walinspect] = await server.query<{ n: string }>('SELECT count(*)::text AS n FROM pg_get_wal_records_info($1, $2)', [start, end]);
    await server.stop(); // a clean shutdown flushes everything; files are read from disk below

    say(`pgffi waldump -p pg_wal -s ${start} -e ${end} -n 12`);
    await waldump(['-p', server.walDir, '-s', start, '-e', end, '-n', '12']);
    say('pgffi waldump --stats');
    await waldump(['-p', server.walDir, '-s', start, '-e', end, '--stats']);

    let ours = 0;
    for (const bytes of segmentsBetween(server.walDir, start, end)) {
      const decoder = openWal(bytes);
      for (let r = decoder.next(); r !== null; r = decoder.next()) {
        if (r.lsn >= parseLsn(start) && r.lsn < parseLsn(end)) ours++;
      }
    }
    say(`records between ${start} and ${end}: postgres-ffi ${ours}, pg_walinspect ${walinspect!.n}`);
    if (String(ours) !== walinspect!.n) throw new Error('record counts differ');

    say('pgffi controldata -D <datadir>');
    await controldata(['-D', server.dataDir]);
    say(`pgffi pageinspect ${rel!.path} --block 0`);
    await pageinspect([join(server.dataDir, rel!.path), '--block', '0']);
  } finally {
    await server.destroy();
  }
}

/** The segment files (timeline 1, 16 MB) covering [start, end], read whole. */
function segmentsBetween(walDir: string, start: string, end: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let seg = lsnToSegmentNumber(parseLsn(start)); seg <= lsnToSegmentNumber(parseLsn(end)); seg++) {
    out.push(readFileSync(join(walDir, walFileName(1, seg))));
  }
  return out;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
