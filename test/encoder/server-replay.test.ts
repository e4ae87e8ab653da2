/**
 * A real server replays WAL we appended (14, 15, 16): after a clean shutdown, the WalWriter
 * extends the server's own pg_wal after its shutdown checkpoint with an XLOG_FPI record whose
 * pglz-compressed, hole-eliminated full-page image is a modified copy of a table's block 0
 * (plus an XLOG_NOOP), and pg_control is set back to "in production" (as a crash leaves it);
 * on start the server runs crash recovery from the checkpoint, restores our image, and SELECT shows the modified row. On 15/16 pg_walinspect then
 * lists our records with the LSNs, prev links, lengths and block references we wrote.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DBState, decodeControlFile } from '../../src/common/control/control-file.js';
import { formatLsn } from '../../src/common/core/lsn.js';
import { updateControlFile } from '../../src/node/control-file-writer.js';
import { WalWriter } from '../../src/node/wal-writer.js';
import { profile as p14 } from '../../src/v14/profile.js';
import { profile as p15 } from '../../src/v15/profile.js';
import { profile as p16 } from '../../src/v16/profile.js';
import { PgServer } from '../support/pg-server.js';

const profiles = { 14: p14, 15: p15, 16: p16 } as const;
const XLOG_FPI = 0xb0;
const XLOG_NOOP = 0x20;

describe.each([14, 15, 16] as const)('PostgreSQL %i replays records we appended', (major) => {
  const profile = profiles[major];
  let server: PgServer;
  beforeAll(async () => {
    server = await PgServer.start({ major, conf: { wal_compression: major === 14 ? 'on' : 'pglz' } });
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('restores our pglz full-page image during crash recovery', async () => {
    await server.query('CREATE EXTENSION pageinspect');
    await server.query('CREATE TABLE t (id int, v text)');
    await server.query("INSERT INTO t SELECT g, 'hello from postgres ' || g FROM generate_series(1, 20) g");
    await server.checkpoint();
    const [info] = await server.query<{ page: string; spc: number; db: number; rel: number }>(
      `SELECT encode(get_raw_page('t', 0), 'hex') AS page,
              (SELECT oid FROM pg_tablespace WHERE spcname = 'pg_default')::int AS spc,
              (SELECT oid FROM pg_database WHERE datname = current_database())::int AS db,
              pg_relation_filenode('t')::int AS rel`,
    );
    const page = Buffer.from(info!.page, 'hex');
    const needle = Buffer.from('hello from postgres 7');
    const at = page.indexOf(needle);
    expect(at).toBeGreaterThan(0);
    Buffer.from('HELLO FROM PGFFI!!! 7').copy(page, at);
    await server.stop();

    const control = decodeControlFile(readFileSync(join(server.dataDir, 'global', 'pg_control')));
    const w = WalWriter.open(server.walDir, {
      profile,
      systemIdentifier: control.system_identifier,
      segmentSize: control.xlog_seg_size,
      timeline: control.checkPointCopy.ThisTimeLineID,
    });
    expect(w.recovered?.lastRecord?.lsn).toBe(control.checkPoint);
    const fpi = w.append({
      rmid: 0,
      info: XLOG_FPI,
      blocks: [
        {
          id: 0,
          spcOid: info!.spc,
          dbOid: info!.db,
          relNumber: info!.rel,
          blockNumber: 0,
          image: { page: new Uint8Array(page), compression: 'pglz' },
        },
      ],
    });
    const img = fpi.assembled!.images[0]!;
    expect(img.compression).toBe('pglz');
    expect(img.holeLength).toBeGreaterThan(0);
    const noop = w.append({ rmid: 0, info: XLOG_NOOP, mainData: new Uint8Array(300).fill(7) });
    w.flush();
    w.close();
    // As after a crash: pg_control still says "in production", so the server runs recovery
    // from the checkpoint (a clean-shutdown state would make it ignore what follows).
    const controlPath = join(server.dataDir, 'global', 'pg_control');
    updateControlFile(controlPath, (c) => ({ ...c, state: DBState.DB_IN_PRODUCTION }), { profile });

    await server.startExisting();
    const rows = await server.query<{ v: string }>('SELECT v FROM t WHERE id = 7');
    expect(rows).toEqual([{ v: 'HELLO FROM PGFFI!!! 7' }]);
    expect(await server.query('SELECT count(*)::int AS n FROM t')).toEqual([{ n: 20 }]);
    const log = readFileSync(server.logFile, 'utf8');
    expect(log).toContain(`redo starts at ${formatLsn(fpi.lsn)}`);

    if (major >= 15) {
      await server.query('CREATE EXTENSION pg_walinspect');
      const recs = await server.query<Record<string, unknown>>(
        `SELECT start_lsn::text, prev_lsn::text, resource_manager, record_type, record_length, fpi_length, block_ref
           FROM pg_get_wal_records_info('${formatLsn(fpi.lsn)}', '${formatLsn(noop.endLsn)}')`,
      );
      expect(recs.slice(0, 2)).toEqual([
        {
          start_lsn: formatLsn(fpi.lsn),
          prev_lsn: formatLsn(control.checkPoint),
          resource_manager: 'XLOG',
          record_type: 'FPI',
          record_length: fpi.totalLength,
          fpi_length: img.stored.length,
          block_ref: `blkref #0: rel ${info!.spc}/${info!.db}/${info!.rel} fork main blk 0 (FPW); hole: offset: ${img.holeOffset}, length: ${img.holeLength}, compression saved: ${8192 - img.holeLength - img.stored.length}, method: pglz`,
        },
        {
          start_lsn: formatLsn(noop.lsn),
          prev_lsn: formatLsn(fpi.lsn),
          resource_manager: 'XLOG',
          record_type: 'NOOP',
          record_length: noop.totalLength,
          fpi_length: 0,
          block_ref: major === 15 ? '' : null,
        },
      ]);
    }
  });
});
