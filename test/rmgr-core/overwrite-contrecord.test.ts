/**
 * XLOG OVERWRITE_CONTRECORD, produced for real: a record spanning several pages loses its last
 * page (zeroed while the server is down after an immediate stop), crash recovery ends at the
 * missing continuation, and the server writes XLOG_OVERWRITE_CONTRECORD on a page flagged
 * XLP_FIRST_IS_OVERWRITE_CONTRECORD. pgffi waldump must print what pg_waldump of the same major
 * prints across it (the aborted record is skipped by both).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLsn } from '../../src/common/core/lsn.js';
import { type PgMajorVersion, withServer } from '../support/pg-server.js';
import { pgWaldumpPath, runCTool, runOurs } from '../waldump/runner.js';

const MAJORS: PgMajorVersion[] = [14, 15, 16];
const SEG = 16 * 1024 * 1024;

describe.each(MAJORS)('PostgreSQL %i: OVERWRITE_CONTRECORD', (major) => {
  const tool = pgWaldumpPath(major);
  it.skipIf(tool === null)('crash recovery over a torn multi-page record, shown like pg_waldump shows it', async () => {
    await withServer({ major, conf: { wal_keep_size: "'1GB'" } }, async (server) => {
      await server.switchWal();
      const start = await server.currentLsn();
      await server.query('CREATE TABLE oc (a int); INSERT INTO oc VALUES (1)');
      const rows = await server.query<{ lsn: string }>("SELECT pg_logical_emit_message(false, 'torn', repeat('x', 30000))::text AS lsn");
      await server.query('INSERT INTO oc VALUES (2)');
      const segName = await server.walFileName(start);
      await server.stop('immediate');
      // Zero the page holding the end of the big record: its continuation is now missing.
      const path = join(server.walDir, segName);
      const seg = readFileSync(path);
      const recEnd = Number(parseLsn(rows[0]!.lsn)) % SEG;
      const page = Math.floor((recEnd - 1) / 8192) * 8192;
      seg.fill(0, page, page + 8192);
      writeFileSync(path, seg);
      await server.startExisting();
      await server.query('INSERT INTO oc VALUES (3)');
      await server.checkpoint();
      const end = await server.currentLsn();
      await server.stop();

      const args = ['-p', server.walDir, '-s', start, '-e', end];
      const c = runCTool(tool!, args);
      expect(c.stdout).toContain('desc: OVERWRITE_CONTRECORD lsn ');
      const problems: string[] = [];
      for (const extra of [[], ['-b'], ['--stats=record']]) {
        const cc = runCTool(tool!, [...args, ...extra]);
        const o = await runOurs([...args, ...extra]);
        if (cc.stdout !== o.stdout) {
          const a = cc.stdout.split('\n');
          const b = o.stdout.split('\n');
          const i = a.findIndex((line, k) => line !== b[k]);
          problems.push(`${extra.join(' ')}: line ${i + 1}\n  pg:   ${a[i]}\n  ours: ${b[i]}`);
        }
        if (cc.stderr !== o.stderr || cc.status !== o.status)
          problems.push(`${extra.join(' ')}: stderr/exit pg=${cc.stderr}/${cc.status} ours=${o.stderr}/${o.status}`);
      }
      expect(problems.join('\n')).toBe('');
    });
  });
});
