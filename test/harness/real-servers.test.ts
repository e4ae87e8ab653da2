/**
 * The real-server harness itself: each version starts, answers SQL with its own version,
 * writes WAL we can find on disk, and is gone after stop().
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLsn } from '../../src/common/core/lsn.js';
import { detectVersion } from '../../src/common/core/version.js';
import { PgServer } from '../support/pg-server.js';

describe.each([14, 15, 16] as const)('PostgreSQL %i from the npm package', (major) => {
  it('starts, runs SQL, switches WAL, and stops by data directory', async () => {
    const server = await PgServer.start({ major });
    try {
      const [row] = await server.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      expect(Math.floor(Number(row!.v) / 10000)).toBe(major);
      await server.query('CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 1000)');
      await server.checkpoint();
      const before = await server.currentLsn();
      const switched = await server.switchWal();
      expect(parseLsn(switched)).toBeGreaterThan(parseLsn(before));
      const segment = await server.walFileName(before);
      const bytes = readFileSync(join(server.walDir, segment));
      expect(detectVersion(bytes)).toEqual({ major, kind: 'wal' });
      expect(detectVersion(readFileSync(join(server.dataDir, 'global', 'pg_control')))).toEqual({ major, kind: 'control' });
    } finally {
      await server.stop();
    }
    expect(existsSync(join(server.dataDir, 'postmaster.pid'))).toBe(false);
    expect(readdirSync(server.walDir).length).toBeGreaterThan(0);
    await server.destroy();
  });
});
