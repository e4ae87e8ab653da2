/**
 * Record kinds a plain workload cannot produce, checked against pg_waldump of each major:
 *  - a custom rmgr record (15+: "custom200", generic description "rmid: 200"; 14 rejects the
 *    id): a real LogicalMessage record whose xl_rmid is patched to 200 and its CRC-32C redone;
 *  - XLOG END_OF_RECOVERY and the new timeline, from promoting a server started as a standby.
 */
import { chownSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32cFinish, crc32cUpdate } from '../../src/common/core/crc32c.js';
import { parseLsn } from '../../src/common/core/lsn.js';
import { type PgMajorVersion, serverIds, withServer } from '../support/pg-server.js';
import { pgWaldumpPath, runCTool, runOurs } from '../waldump/runner.js';

const MAJORS: PgMajorVersion[] = [14, 15, 16];

async function compare(tool: string, args: string[]): Promise<{ c: string; problems: string[] }> {
  const c = runCTool(tool, args);
  const o = await runOurs(args);
  const problems: string[] = [];
  if (c.stdout !== o.stdout) {
    const a = c.stdout.split('\n');
    const b = o.stdout.split('\n');
    const i = a.findIndex((line, k) => line !== b[k]);
    problems.push(`${args.join(' ')}: stdout line ${i + 1}\n  pg:   ${a[i]}\n  ours: ${b[i]}`);
  }
  if (c.stderr !== o.stderr) problems.push(`${args.join(' ')}: stderr\n  pg:   ${c.stderr}\n  ours: ${o.stderr}`);
  if (c.status !== o.status) problems.push(`${args.join(' ')}: exit pg=${c.status} ours=${o.status}`);
  return { c: c.stdout + c.stderr, problems };
}

describe.each(MAJORS)('PostgreSQL %i: records a workload cannot produce', (major) => {
  const tool = pgWaldumpPath(major);

  it.skipIf(tool === null)('a custom rmgr record (id 200) is shown like pg_waldump shows it', async () => {
    await withServer({ major, conf: { wal_keep_size: "'1GB'" } }, async (server) => {
      await server.switchWal();
      const start = await server.currentLsn();
      const rows = await server.query<{ lsn: string }>(
        "SELECT pg_logical_emit_message(false, 'custom-rmgr', 'payload')::text AS lsn FROM generate_series(1, 3)",
      );
      await server.query('CREATE TABLE after_custom (a int); INSERT INTO after_custom VALUES (1)');
      const end = await server.currentLsn();
      const segName = await server.walFileName(start);
      await server.stop();
      // Patch the second message: pg_logical_emit_message returns the record's end LSN; find its start.
      const path = join(server.walDir, segName);
      const seg = readFileSync(path);
      const segSize = 16 * 1024 * 1024;
      const msgEnd = Number(parseLsn(rows[1]!.lsn)) % segSize;
      let off = Number(parseLsn(rows[0]!.lsn)) % segSize;
      off = Math.ceil(off / 8) * 8;
      if (off % 8192 === 0) off += 24;
      const tot = seg.readUInt32LE(off);
      expect(seg[off + 17]).toBe(21);
      expect(off + tot).toBeLessThanOrEqual(msgEnd);
      expect(Math.floor(off / 8192)).toBe(Math.floor((off + tot - 1) / 8192));
      seg[off + 17] = 200;
      let crc = crc32cUpdate(0xffffffff, seg, off + 24, off + tot);
      crc = crc32cUpdate(crc, seg, off, off + 20);
      seg.writeUInt32LE(crc32cFinish(crc), off + 20);
      writeFileSync(path, seg);

      const problems: string[] = [];
      const range = ['-p', server.walDir, '-s', start, '-e', end];
      const full = await compare(tool!, range);
      problems.push(...full.problems);
      if (major >= 15) {
        expect(full.c).toContain('rmgr: custom200');
        for (const extra of [
          ['-b'],
          ['--stats'],
          ['--stats=record'],
          ['-r', 'custom200'],
          ['-r', 'custom200', '--stats=record'],
          ['-r', 'custom201'],
        ]) {
          problems.push(...(await compare(tool!, [...range, ...extra])).problems);
        }
      } else {
        expect(full.c).toContain('invalid resource manager ID 200');
      }
      expect(problems.join('\n')).toBe('');
    });
  });

  it.skipIf(tool === null)('END_OF_RECOVERY after promotion, and the new timeline, are shown like pg_waldump shows them', async () => {
    await withServer({ major, conf: { wal_keep_size: "'1GB'" } }, async (server) => {
      await server.query('CREATE TABLE before_promote (a int); INSERT INTO before_promote SELECT generate_series(1, 100)');
      await server.stop();
      const signal = join(server.dataDir, 'standby.signal');
      writeFileSync(signal, '');
      const ids = serverIds();
      if (ids !== null) chownSync(signal, ids.uid, ids.gid);
      await server.startExisting();
      expect((await server.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0]!.r).toBe(true);
      await server.query('SELECT pg_promote(true, 60)');
      await server.query('INSERT INTO before_promote VALUES (101)');
      await server.checkpoint();
      const lsn = await server.currentLsn();
      const segName = await server.walFileName(lsn);
      expect(segName.startsWith('00000002')).toBe(true);
      await server.stop();
      const problems: string[] = [];
      const first = await compare(tool!, [join(server.walDir, segName)]);
      problems.push(...first.problems);
      expect(first.c).toContain('desc: END_OF_RECOVERY tli 2; prev tli 1; time ');
      problems.push(
        ...(
          await compare(tool!, [
            '-p',
            server.walDir,
            '-t',
            '2',
            '-s',
            `${segName.slice(8, 16).replace(/^0+(?=.)/, '')}/${(Number.parseInt(segName.slice(16, 24), 16) * 16 * 1024 * 1024).toString(16).toUpperCase()}`,
            '--stats=record',
          ])
        ).problems,
      );
      expect(problems.join('\n')).toBe('');
    });
  });
});
