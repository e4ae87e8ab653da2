/**
 * Access-method rmgr cost: typed bodies and descriptions (Heap, Heap2, Btree, Hash, Gin, Gist,
 * Sequence, SPGist, BRIN, Generic) on top of the WAL decoder, over the WAL of the
 * test/rmgr-am workloads on a real PostgreSQL 15 server; side by side with Debian's
 * pg_waldump 15 printing the same range (full text to /dev/null).
 *
 *   npx tsx bench/rmgr-am.ts [--rounds=5]
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatLsn, parseLsn } from '../src/common/core/lsn.js';
import { lsnToSegmentNumber, segmentStartLsn, walFileName } from '../src/common/core/wal-file-names.js';
import { WalStreamDecoder } from '../src/common/wal/index.js';
import { AM_RMGRS, AM_SERVER_CONF, loadCases, PROFILES, runCases } from '../test/rmgr-am/support.js';
import { PgServer } from '../test/support/pg-server.js';
import { printTable, timeIt, timeProcess } from './harness.js';

const roundsArg = process.argv.find((a) => a.startsWith('--rounds='));
const rounds = roundsArg === undefined ? 5 : Number(roundsArg.slice(9));
const PG_WALDUMP = '/usr/lib/postgresql/15/bin/pg_waldump';
const profile = PROFILES[15];

const server = await PgServer.start({ major: 15, conf: AM_SERVER_CONF });
try {
  await server.query('CREATE EXTENSION bloom');
  const ranges = await runCases(server, loadCases(join(import.meta.dirname, '..', 'test', 'rmgr-am', 'cases')));
  const start = ranges[0]!.start;
  const end = ranges.at(-1)!.end;
  await server.switchWal();
  const segments: Uint8Array[] = [];
  for (let s = lsnToSegmentNumber(start); s <= lsnToSegmentNumber(end); s++)
    segments.push(readFileSync(join(server.walDir, walFileName(1, s))));
  const inputLsn = segmentStartLsn(lsnToSegmentNumber(start));

  let total = 0;
  let am = 0;
  let sink = 0;
  const pass = (mode: 'decode' | 'body' | 'describe'): void => {
    const d = new WalStreamDecoder(profile, { startLsn: start, inputLsn });
    total = 0;
    am = 0;
    for (const seg of segments) {
      d.push(seg);
      for (let r = d.next(); r !== null; r = d.next()) {
        if (r.lsn >= end) break;
        total++;
        const rmgr = AM_RMGRS.get(r.rmid);
        if (rmgr === undefined) continue;
        am++;
        if (mode === 'body') sink += rmgr.decode(r, profile) === null ? 0 : 1;
        else if (mode === 'describe') sink += (rmgr.identify(r.info, profile)?.length ?? 0) + rmgr.describe(r, profile).length;
      }
    }
  };
  const tDecode = timeIt(() => pass('decode'), rounds, 1);
  const tBody = timeIt(() => pass('body'), rounds, 1);
  const tDescribe = timeIt(() => pass('describe'), rounds, 1);
  const tWaldump = timeProcess(PG_WALDUMP, ['-p', server.walDir, '-s', formatLsn(start), '-e', formatLsn(end)], rounds);
  const mb = Number(parseLsn(formatLsn(end)) - start) / 1e6;
  const rate = (s: number): string => `${(total / s / 1e6).toFixed(2)} M rec/s`;
  printTable(
    `${total} records (${am} of the access-method rmgrs) in ${mb.toFixed(0)} MB of PostgreSQL 15 WAL, best of ${rounds}`,
    ['what', 'seconds', 'throughput', 'vs pg_waldump'],
    [
      ['WalStreamDecoder only', tDecode.toFixed(3), rate(tDecode), (tWaldump / tDecode).toFixed(2)],
      ['+ typed body of AM records', tBody.toFixed(3), rate(tBody), (tWaldump / tBody).toFixed(2)],
      ['+ identify + describe of AM records', tDescribe.toFixed(3), rate(tDescribe), (tWaldump / tDescribe).toFixed(2)],
      ['pg_waldump 15 (full text to /dev/null)', tWaldump.toFixed(3), rate(tWaldump), '1.00'],
    ],
  );
  console.log(
    `\nAM cost per record: body ${(((tBody - tDecode) / am) * 1e9).toFixed(0)} ns, describe ${(((tDescribe - tDecode) / am) * 1e9).toFixed(0)} ns (sink ${sink % 7})`,
  );
} finally {
  await server.destroy();
}
