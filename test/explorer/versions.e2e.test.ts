/**
 * The explorer on WAL of PostgreSQL 14 and 15 in headless Chromium: a segment opened from the
 * file picker (gzip) gives the record count and the --stats=record text of that version's own
 * pg_waldump (14 from the tools install, 15 from Debian), and its first records' lines.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExplorerServer } from '../../src/cli/commands/explore.js';
import { withServer } from '../support/pg-server.js';
import { type Browser, buildExplorer, chromiumAvailable, launchChromium } from './support.js';

const WALDUMP: Record<14 | 15, string> = {
  14: join(process.env.PGFFI_TOOLS ?? '/opt/pgffi-pg', '14', 'bin', 'pg_waldump'),
  15: '/usr/lib/postgresql/15/bin/pg_waldump',
};

describe.skipIf(!chromiumAvailable())('explorer on PostgreSQL 14 and 15 WAL', () => {
  let browser: Browser;
  const dist = mkdtempSync(join(tmpdir(), 'pgffi-explorer-dist-'));

  beforeAll(async () => {
    buildExplorer(dist);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it.each([14, 15] as const)("PostgreSQL %i: records and --stats=record as that version's pg_waldump prints them", async (major) => {
    if (!existsSync(WALDUMP[major])) {
      console.warn(`skipped: ${WALDUMP[major]} is missing`);
      return;
    }
    await withServer({ major, conf: { wal_compression: 'on', wal_keep_size: "'1GB'" } }, async (server) => {
      await server.switchWal();
      await server.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
      await server.query(`INSERT INTO t SELECT g, repeat('v', g % 30) FROM generate_series(1, 2000) g`);
      await server.checkpoint();
      await server.query(`UPDATE t SET v = 'u' WHERE id % 9 = 0`);
      const seg = await server.walFileName(await server.currentLsn());
      await server.switchWal();
      const path = join(server.walDir, seg);
      const stats = execFileSync(WALDUMP[major], ['--stats=record', path], { encoding: 'utf8' });
      const lines = execFileSync(WALDUMP[major], [path], { encoding: 'utf8' }).split('\n');
      const records = lines.filter((l) => l.startsWith('rmgr: ')).length;

      const page = await browser.context.newPage();
      try {
        const web = await startExplorerServer({ distDir: dist });
        try {
          await page.goto(web.url);
          await page.setInputFiles('#file-input', {
            name: `${seg}.gz`,
            mimeType: 'application/gzip',
            buffer: gzipSync(readFileSync(path)),
          });
          await page.waitForSelector('#status[data-done="true"]', { timeout: 60_000 });
          expect(await page.textContent('#record-count')).toBe(`${records} records`);
          expect((await page.textContent('#stats-text'))!.trimEnd()).toBe(stats.trimEnd());
          // The detail line of the first record is pg_waldump's line for it.
          await page.click('#records .row');
          await page.waitForSelector('#detail-line');
          expect(await page.textContent('#detail-line')).toBe(lines.find((l) => l.startsWith('rmgr: '))!.trimEnd());
        } finally {
          await web.close();
        }
      } finally {
        await page.close();
      }
    });
  });
});
