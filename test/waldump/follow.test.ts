/**
 * pgffi waldump --follow on a live PostgreSQL 15 server: records written after it started
 * appear, SIGINT ends it with exit code 0, and what it printed equals pg_waldump's output for
 * the same range (read afterwards).
 */
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/waldump.js';
import { withServer } from '../support/pg-server.js';
import { pgWaldumpPath, runCTool } from './runner.js';

const tool = pgWaldumpPath(15);

describe('pgffi waldump --follow', () => {
  it.skipIf(tool === null)('shows new records as they are written and stops on SIGINT', async () => {
    await withServer({ major: 15, conf: { wal_keep_size: "'1GB'" } }, async (server) => {
      await server.query('CREATE TABLE f (a int)');
      const start = await server.currentLsn();
      await server.query('INSERT INTO f VALUES (1)');
      let text = '';
      let errors = '';
      const done = run(['-p', server.walDir, '-s', start, '-f'], {
        stdout: (s) => (text += s),
        stderr: (s) => (errors += s),
        timeZone: 'UTC',
      });
      for (let i = 0; i < 3; i++) {
        await server.query(`SELECT pg_logical_emit_message(false, 'follow-${i}', 'x')`);
        await new Promise((r) => setTimeout(r, 1500));
      }
      const deadline = Date.now() + 20_000;
      while (!text.includes('prefix "follow-2"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      process.emit('SIGINT');
      const code = await done;
      expect(errors).toBe('');
      expect(code).toBe(0);
      expect(text).toContain('prefix "follow-0"');
      expect(text).toContain('prefix "follow-2"');
      const lines = text.split('\n').filter((l) => l !== '');
      const c = runCTool(tool!, ['-p', server.walDir, '-s', start, '-n', String(lines.length)]);
      expect(text).toBe(c.stdout);
    });
  });
});
