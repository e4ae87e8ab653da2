/**
 * Kill-during-write: 4 children (test/crash/child.ts) loop over durable writes — two update
 * one shared copy of a real pg_control (from initdb) through the locked atomic writer, two
 * append records through the WalWriter into their own directories — and journal every
 * acknowledged write. Once each has written, the parent waits a seeded random window and
 * SIGKILLs them all (each must still be alive), then reopens everything and checks:
 * - pg_control parses with a valid CRC, checkPoint = checkPointCopy.redo, and is at least
 *   every journaled value; the two writers' journaled values never repeat (the lock
 *   serialised their read-modify-writes) and never move backwards across waves;
 * - each WAL directory decodes (valid CRCs, prev links) with a clean end of WAL, the sequence
 *   numbers are 0, 1, 2, … without a gap, and every journaled record is there with its CRC.
 * Three waves: each resumes from what is on disk (breaking the dead children's stale locks).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeControlFileStrict } from '../../src/common/control/control-file.js';
import { LOCK_FILE_PREFIX } from '../../src/node/file-lock.js';
import { scanWalDirectory, WalWriter } from '../../src/node/wal-writer.js';
import { profile } from '../../src/v15/profile.js';
import { binDir, serverIds } from '../support/pg-server.js';
import { mulberry32 } from '../support/prng.js';
import { CRASH_SEG, CRASH_SYSID, type CrashChildSpec } from './child.js';

const SEED = Number(process.env.PGFFI_SEED ?? Date.now() % 2 ** 31);
console.log(`kill-fuzz seed: ${SEED} (PGFFI_SEED=${SEED} to replay)`);
const WAVES = 3;
const CHILD = join(import.meta.dirname, 'child.ts');
const work = mkdtempSync(join(tmpdir(), 'pgffi-crash-'));
const controlPath = join(work, 'control', 'pg_control');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The shared mulberry32 (seed 0 mapped to 1, as this test always did). */
function rng(seed: number): () => number {
  return mulberry32(seed >>> 0 || 1);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function journalLines(path: string): string[] {
  if (!existsSync(path)) return [];
  // A kill can cut the journal's last line; only complete (fsynced) lines count.
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  lines.pop();
  return lines;
}

beforeAll(() => {
  // A real pg_control: initdb of PostgreSQL 15 (embedded), run as the server user.
  const base = mkdtempSync(join(tmpdir(), 'pgffi-crash-initdb-'));
  const ids = serverIds();
  if (ids !== null) chownSync(base, ids.uid, ids.gid);
  const r = spawnSync(join(binDir(15), 'initdb'), ['-D', join(base, 'data'), '-U', 'postgres', '--no-sync', '--auth=trust'], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
    ...(ids === null ? {} : { uid: ids.uid, gid: ids.gid }),
  });
  if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr}`);
  mkdirSync(join(work, 'control'));
  copyFileSync(join(base, 'data', 'global', 'pg_control'), controlPath);
  rmSync(base, { recursive: true, force: true });
});

describe('kill -9 during durable writes', () => {
  it(`pg_control and WAL survive ${WAVES} waves of SIGKILL with every acknowledged write (seed ${SEED})`, async () => {
    const r = rng(SEED);
    const initial = decodeControlFileStrict(readFileSync(controlPath), profile).checkPoint;
    const specs: CrashChildSpec[] = [
      { kind: 'control', target: controlPath, journal: join(work, 'j0'), seed: 0, id: 0 },
      { kind: 'control', target: controlPath, journal: join(work, 'j1'), seed: 0, id: 1 },
      { kind: 'wal', target: join(work, 'wal2'), journal: join(work, 'j2'), seed: 0, id: 2 },
      { kind: 'wal', target: join(work, 'wal3'), journal: join(work, 'j3'), seed: 0, id: 3 },
    ];
    let lastControl = initial;
    const stats = { controlWrites: 0, walRecords: [0, 0], staleLocks: 0, tornHeaders: 0, windows: [] as number[] };
    for (let wave = 0; wave < WAVES; wave++) {
      const before = specs.map((s) => journalLines(s.journal).length);
      const children: { proc: ChildProcess; stderr: string[]; exited: boolean }[] = specs.map((s) => {
        const spec = { ...s, seed: Math.floor(r() * 2 ** 31) };
        const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], {
          env: { ...process.env, PGFFI_CRASH_CHILD: JSON.stringify(spec) },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        const c = { proc, stderr: [] as string[], exited: false };
        proc.stderr?.on('data', (d: Buffer) => c.stderr.push(d.toString()));
        proc.on('exit', () => {
          c.exited = true;
        });
        return c;
      });
      const exited = children.map((c) => new Promise<void>((res) => c.proc.on('exit', () => res())));
      const deadline = Date.now() + 60_000;
      for (;;) {
        const dead = children.find((c) => c.exited);
        if (dead !== undefined) throw new Error(`seed ${SEED} wave ${wave}: a child exited before the kill: ${dead.stderr.join('')}`);
        if (specs.every((s, i) => journalLines(s.journal).length > before[i]!)) break;
        if (Date.now() > deadline) throw new Error(`seed ${SEED} wave ${wave}: children did not all write within 60 s`);
        await sleep(10);
      }
      const window = 20 + Math.floor(r() * 400);
      stats.windows.push(window);
      await sleep(window);
      for (const c of children) expect(c.exited, `seed ${SEED} wave ${wave}: child died early: ${c.stderr.join('')}`).toBe(false);
      for (const c of children) c.proc.kill('SIGKILL');
      await Promise.all(exited);
      if (readdirSync(join(work, 'control')).some((n) => n.startsWith(LOCK_FILE_PREFIX))) stats.staleLocks++;

      // pg_control: valid, consistent, at least every acknowledged value, never backwards.
      const control = decodeControlFileStrict(readFileSync(controlPath), profile);
      expect(control.checkPointCopy.redo).toBe(control.checkPoint);
      const values = [...journalLines(specs[0]!.journal), ...journalLines(specs[1]!.journal)].map((v) => BigInt(v));
      stats.controlWrites = values.length;
      let maxJournaled = initial;
      for (const v of values) if (v > maxJournaled) maxJournaled = v;
      expect(
        control.checkPoint >= maxJournaled,
        `seed ${SEED} wave ${wave}: pg_control ${control.checkPoint} < journaled ${maxJournaled}`,
      ).toBe(true);
      expect(control.checkPoint >= lastControl).toBe(true);
      lastControl = control.checkPoint;
      expect(new Set(values.map(String)).size, `seed ${SEED}: a value was acknowledged twice (lost update)`).toBe(values.length);

      // WAL: clean decode, gap-free sequence, every acknowledged record present with its CRC.
      for (const k of [2, 3] as const) {
        const spec = specs[k]!;
        const crcAt = new Map<bigint, number>();
        const seqs: number[] = [];
        const scan = scanWalDirectory(spec.target, profile, {
          segmentSize: CRASH_SEG,
          systemIdentifier: CRASH_SYSID,
          onRecord: (rec) => {
            crcAt.set(rec.lsn, rec.crc);
            if (rec.mainData.length >= 8) seqs.push(new DataView(rec.mainData.buffer, rec.mainData.byteOffset).getUint32(0, true));
          },
        });
        expect(scan.end, `seed ${SEED} wave ${wave}: no end of WAL`).not.toBeNull();
        if (scan.end!.tornHeader) stats.tornHeaders++;
        seqs.forEach((s, i) => {
          if (s !== i) throw new Error(`seed ${SEED} wave ${wave} wal${k}: record #${i} has seq ${s}`);
        });
        const journal = journalLines(spec.journal).map((l) => l.split(' '));
        for (const [lsn, crc, seq] of journal) {
          const got = crcAt.get(BigInt(lsn!));
          if (got !== Number(crc))
            throw new Error(`seed ${SEED} wave ${wave} wal${k}: acknowledged record ${seq} at ${lsn} lost (crc ${got})`);
        }
        const lastSeq = Number(journal.at(-1)![2]);
        expect(seqs.length - 1 >= lastSeq).toBe(true);
        expect(scan.end!.lsn >= BigInt(journal.at(-1)![0]!)).toBe(true);
        stats.walRecords[k - 2] = seqs.length;
      }
    }
    // The survivors' directories still take appends in-process (stale locks broken).
    const w = WalWriter.open(specs[2]!.target, { profile, systemIdentifier: CRASH_SYSID, segmentSize: CRASH_SEG });
    const rec = w.append({ rmid: 0, info: 0x20, mainData: new Uint8Array(8) });
    w.flush();
    w.close();
    expect(scanWalDirectory(specs[2]!.target, profile, { segmentSize: CRASH_SEG }).lastRecord?.lsn).toBe(rec.lsn);
    expect(statSync(controlPath).size).toBe(8192);
    console.log(`kill-fuzz seed ${SEED}: ${JSON.stringify(stats)}`);
  });
});
