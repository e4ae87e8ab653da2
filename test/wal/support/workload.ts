/**
 * A WAL workload for real servers: DDL, DML, TOAST, every index AM, VACUUM FREEZE, 2PC,
 * subtransactions, multi-MB logical messages (records spanning pages and segments),
 * pg_switch_wal and checkpoints with full_page_writes. Returns the LSN range it covered;
 * the segments stay in the server's pg_wal (max_wal_size keeps them).
 */
import type { PgServer } from '../../support/pg-server.js';

export interface WorkloadRange {
  start: string;
  end: string;
}

export async function runWalWorkload(server: PgServer): Promise<WorkloadRange> {
  const q = (sql: string): Promise<unknown> => server.query(sql);
  const start = await server.currentLsn();
  await q(`CREATE TABLE w (id int PRIMARY KEY, t text, arr int[], pt point, r int4range, doc tsvector)`);
  await q(`INSERT INTO w SELECT g, repeat(md5(g::text), 1 + g % 10), ARRAY[g, g + 1], point(g, g), int4range(g, g + 10),
             to_tsvector('simple', 'word' || (g % 50) || ' other' || (g % 7)) FROM generate_series(1, 3000) g`);
  await q(`CREATE INDEX w_hash ON w USING hash (id)`);
  await q(`CREATE INDEX w_gin ON w USING gin (doc)`);
  await q(`CREATE INDEX w_gist ON w USING gist (pt)`);
  await q(`CREATE INDEX w_spgist ON w USING spgist (r)`);
  await q(`CREATE INDEX w_brin ON w USING brin (id)`);
  await q(`CREATE TABLE toast (id int, big text)`);
  await q(`ALTER TABLE toast ALTER COLUMN big SET STORAGE EXTERNAL`);
  await q(`INSERT INTO toast SELECT g, repeat(md5(g::text), 400) FROM generate_series(1, 20) g`);
  await server.checkpoint();
  await q(`UPDATE w SET t = t || 'u', doc = to_tsvector('simple', 'changed' || id) WHERE id % 5 = 0`);
  await q(`DELETE FROM w WHERE id % 9 = 0`);
  await q(`BEGIN; INSERT INTO w VALUES (100001, 'a'); SAVEPOINT s1; INSERT INTO w VALUES (100002, 'b'); ROLLBACK TO s1;
           SAVEPOINT s2; INSERT INTO w VALUES (100003, 'c'); RELEASE s2; COMMIT`);
  await q(`BEGIN; INSERT INTO w VALUES (100004, 'p'); PREPARE TRANSACTION 'gx1'`);
  await q(`COMMIT PREPARED 'gx1'`);
  await q(`BEGIN; INSERT INTO w VALUES (100005, 'q'); PREPARE TRANSACTION 'gx2'`);
  await q(`ROLLBACK PREPARED 'gx2'`);
  await q(`SELECT pg_logical_emit_message(true, 'pgffi', repeat('m', 100))`);
  await q(`SELECT pg_logical_emit_message(false, 'pgffi', repeat('L', 5 * 1024 * 1024))`);
  await q(`SELECT pg_logical_emit_message(true, 'pgffi', repeat('S', 20000))`);
  await server.checkpoint();
  await q(`UPDATE w SET arr = arr || id WHERE id % 3 = 0`);
  await q(`VACUUM FREEZE w`);
  await q(`VACUUM toast`);
  await server.switchWal();
  await q(`INSERT INTO toast SELECT g, repeat('z', 9000) FROM generate_series(21, 25) g`);
  await q(`CREATE TABLE after_switch AS SELECT g FROM generate_series(1, 1000) g`);
  await server.checkpoint();
  await q(`UPDATE after_switch SET g = g + 1 WHERE g < 50`);
  await q(`SELECT pg_logical_emit_message(true, 'pgffi', repeat('T', 17 * 1024 * 1024))`);
  await q(`DROP TABLE after_switch`);
  await q(`SELECT txid_current()`);
  const end = await server.currentLsn();
  return { start, end };
}
