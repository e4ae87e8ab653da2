/**
 * backup_label, tablespace_map and the backup history file from a real non-exclusive backup
 * (pg_backup_start/pg_backup_stop on 15+, pg_start_backup/pg_stop_backup on 14), and
 * timeline history files from two real archive-recovery promotions, on 14, 15 and 16.
 */
import { chownSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeControlFile } from '../../src/common/control/control-file.js';
import {
  buildBackupLabel,
  decodeBackupLabel,
  decodeTablespaceMap,
  decodeTimeLineHistory,
  encodeBackupLabel,
  encodeTablespaceMap,
  encodeTimeLineHistory,
} from '../../src/common/control/text-files.js';
import { formatLsn, parseLsn } from '../../src/common/core/lsn.js';
import { PgServer, serverIds } from '../support/pg-server.js';

function ownedDir(path: string): string {
  mkdirSync(path, { recursive: true });
  const ids = serverIds();
  if (ids !== null) chownSync(path, ids.uid, ids.gid);
  return path;
}

function ownedFile(path: string, text: string, append = false): void {
  writeFileSync(path, text, { flag: append ? 'a' : 'w' });
  const ids = serverIds();
  if (ids !== null) chownSync(path, ids.uid, ids.gid);
}

describe.each([14, 15, 16] as const)('PostgreSQL %i', (major) => {
  let server: PgServer;
  beforeAll(async () => {
    // archive_mode keeps the backup history file (with archiving off, pg_backup_stop removes it at once)
    server = await PgServer.start({ major, conf: { archive_mode: 'on', archive_command: "'true'" } });
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('backup_label, tablespace_map and the .backup file of a real backup', async () => {
    const ts1 = ownedDir(join(server.baseDir, 'ts one'));
    const ts2 = ownedDir(join(server.baseDir, 'ts\\two'));
    await server.query(`CREATE TABLESPACE ts1 LOCATION '${ts1}'`);
    await server.query(`CREATE TABLESPACE ts2 LOCATION '${ts2}'`);
    const label = `pgffi label ${major}`;
    if (major === 14) await server.query(`SELECT pg_start_backup('${label}', true, false)`);
    else await server.query(`SELECT pg_backup_start('${label}', true)`);
    const [ckpt] = await server.query<{ c: string; r: string; f: string }>(
      'SELECT checkpoint_lsn::text AS c, redo_lsn::text AS r, pg_walfile_name(redo_lsn) AS f FROM pg_control_checkpoint()',
    );
    const stop = await server.query<{ lsn: string; labelfile: string; spcmapfile: string }>(
      major === 14
        ? 'SELECT lsn::text, labelfile, spcmapfile FROM pg_stop_backup(false, false)'
        : 'SELECT lsn::text, labelfile, spcmapfile FROM pg_backup_stop(false)',
    );
    const { lsn, labelfile, spcmapfile } = stop[0]!;

    const bl = decodeBackupLabel(labelfile);
    expect(bl.label).toBe(label);
    expect(formatLsn(bl.checkpointLocation!)).toBe(ckpt!.c);
    expect(formatLsn(bl.startWalLocation)).toBe(ckpt!.r);
    expect(bl.startWalFile).toBe(ckpt!.f);
    expect(bl.backupMethod).toBe('streamed');
    expect(bl.backupFrom).toBe('primary');
    expect(bl.startTimeline).toBe(1);
    expect(encodeBackupLabel(bl)).toBe(labelfile);
    expect(
      buildBackupLabel({
        startWalLocation: bl.startWalLocation,
        startWalFile: bl.startWalFile,
        checkpointLocation: bl.checkpointLocation!,
        backupFrom: 'primary',
        startTime: bl.startTime!,
        label,
        startTimeline: 1,
      }),
    ).toBe(labelfile);

    const spc = await server.query<{ oid: string; loc: string }>(
      "SELECT oid::text, pg_tablespace_location(oid) AS loc FROM pg_tablespace WHERE spcname IN ('ts1', 'ts2') ORDER BY oid",
    );
    const map = decodeTablespaceMap(spcmapfile);
    expect(map.sort((a, b) => Number(a.oid) - Number(b.oid))).toEqual(spc.map((r) => ({ oid: r.oid, path: r.loc })));
    expect(spcmapfile).toContain('ts\\\\two'); // the backslash is escaped on disk
    expect(encodeTablespaceMap(decodeTablespaceMap(spcmapfile))).toBe(spcmapfile);

    const historyName = readdirSync(server.walDir).find((f) => f.endsWith('.backup'))!;
    const historyText = readFileSync(join(server.walDir, historyName), 'utf8');
    const hist = decodeBackupLabel(historyText, historyName);
    expect(formatLsn(hist.stopWalLocation!)).toBe(lsn);
    expect(hist.label).toBe(label);
    expect(hist.stopTimeline).toBe(1);
    expect(historyName.startsWith(bl.startWalFile)).toBe(true);
    expect(encodeBackupLabel(hist)).toBe(historyText);

    expect(() => decodeBackupLabel(labelfile.replace('CHECKPOINT', 'CHECKPONT'))).toThrow('invalid data in file "backup_label"');
    expect(() => decodeBackupLabel(labelfile.replace('START TIMELINE: 1', 'START TIMELINE: 2'))).toThrow(
      'invalid data in file "backup_label": Timeline ID parsed is 2, but expected 1.',
    );
    expect(() => decodeTablespaceMap(`${spc[0]!.oid}\n`)).toThrow('invalid data in file "tablespace_map"');
    expect(() => decodeTablespaceMap('16384 /x')).toThrow('invalid data in file "tablespace_map"');
  });

  it('timeline history files of two promotions', async () => {
    const before = parseLsn(await server.currentLsn());
    for (let i = 0; i < 2; i++) {
      await server.stop();
      ownedFile(join(server.dataDir, 'recovery.signal'), '');
      if (i === 0) ownedFile(join(server.dataDir, 'postgresql.auto.conf'), "restore_command = 'false'\n", true);
      await server.startExisting();
      // hot standby accepts connections before the promotion at the end of archive recovery
      for (let t = 0; (await server.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0]!.r; t++) {
        if (t > 600) throw new Error('still in recovery after 60 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await server.query('CHECKPOINT');
    }
    const [row] = await server.query<{ tli: string }>('SELECT timeline_id::text AS tli FROM pg_control_checkpoint()');
    expect(row!.tli).toBe('3');
    const control = decodeControlFile(new Uint8Array(readFileSync(join(server.dataDir, 'global', 'pg_control'))));
    expect(control.checkPointCopy.ThisTimeLineID).toBe(3);
    const h2 = readFileSync(join(server.walDir, '00000002.history'), 'utf8');
    const h3 = readFileSync(join(server.walDir, '00000003.history'), 'utf8');
    const e2 = decodeTimeLineHistory(h2, 2);
    const e3 = decodeTimeLineHistory(h3, 3);
    expect(e2.map((e) => [e.tli, e.reason])).toEqual([[1, 'no recovery target specified']]);
    expect(e3.map((e) => [e.tli, e.reason])).toEqual([
      [1, 'no recovery target specified'],
      [2, 'no recovery target specified'],
    ]);
    expect(e3[0]).toEqual(e2[0]);
    expect(e2[0]!.switchpoint).toBeGreaterThan(before);
    expect(e3[1]!.switchpoint).toBeGreaterThan(e3[0]!.switchpoint);
    expect(e3[1]!.switchpoint).toBeLessThanOrEqual(control.checkPointCopy.redo);
    expect(h3.startsWith(h2)).toBe(true);
    expect(encodeTimeLineHistory(e2)).toBe(h2);
    expect(encodeTimeLineHistory(e3)).toBe(h3);
    expect(decodeTimeLineHistory(`# comment\n\n${h3}`)).toEqual(e3);
    expect(() => decodeTimeLineHistory(h3, 2)).toThrow(
      'invalid data in history file "00000002.history" (Timeline IDs must be less than child timeline\'s ID.)',
    );
    expect(() => decodeTimeLineHistory('x\t0/1\tr\n')).toThrow('syntax error in history file: x\t0/1\tr (Expected a numeric timeline ID.)');
    expect(() => decodeTimeLineHistory('1\tzz\n')).toThrow('(Expected a write-ahead log switchpoint location.)');
    expect(() => decodeTimeLineHistory('2\t0/1\tr\n1\t0/2\tr\n')).toThrow('(Timeline IDs must be in increasing sequence.)');
  });
});
