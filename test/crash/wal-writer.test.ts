/**
 * The WAL writer and the lock file without killing anything: append/flush/reopen round trips;
 * every torn prefix of a flush (the state a kill leaves: the write stream cut at byte k) reads
 * back as all acknowledged records, then a prefix of the unacknowledged ones, then a clean end
 * of WAL; reopening such a torn directory continues after the last valid record; the lock
 * file serialises writers and is broken when its owner is dead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { walFileName } from '../../src/common/core/wal-file-names.js';
import type { RecordInput } from '../../src/common/wal-encode/index.js';
import { FileLock, lockPathFor, processAlive, updateFileAtomically } from '../../src/node/file-lock.js';
import { listSegments, scanWalDirectory, WalWriter } from '../../src/node/wal-writer.js';
import { profile } from '../../src/v15/profile.js';
import { xorshift32 } from '../support/prng.js';

const SEED = Number(process.env.PGFFI_SEED ?? Date.now() % 2 ** 31);
console.log(`wal-writer seed: ${SEED} (PGFFI_SEED=${SEED} to replay)`);
const SEG = 1024 * 1024;
const SYSID = 7_111_222_333_444_555_666n;
const work = mkdtempSync(join(tmpdir(), 'pgffi-walwriter-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function rec(seq: number, len: number): RecordInput {
  const data = new Uint8Array(Math.max(8, len));
  const v = new DataView(data.buffer);
  v.setUint32(0, seq, true);
  for (let i = 4; i < data.length; i++) data[i] = (seq * 7 + i) & 0xff;
  return { rmid: 0, info: 0x20, xid: seq, mainData: data };
}

function scanCrcs(dir: string): { lsns: bigint[]; crcs: number[] } {
  const lsns: bigint[] = [];
  const crcs: number[] = [];
  const onRecord = (r: { lsn: bigint; crc: number }): void => {
    lsns.push(r.lsn);
    crcs.push(r.crc);
  };
  scanWalDirectory(dir, profile, { segmentSize: SEG, systemIdentifier: SYSID, onRecord });
  return { lsns, crcs };
}

describe('WalWriter', () => {
  it('appends durably, reopens after the last record and continues the prev chain', () => {
    const dir = join(work, 'basic');
    const w = WalWriter.open(dir, { profile, systemIdentifier: SYSID, segmentSize: SEG });
    const acked = [];
    for (let i = 0; i < 300; i++) acked.push(w.append(rec(i, (i * 997) % 20000)));
    expect(w.flush()).toBe(acked.at(-1)!.endLsn);
    w.close();
    const w2 = WalWriter.open(dir, { profile, systemIdentifier: SYSID, segmentSize: SEG });
    expect(w2.recovered?.lastRecord?.lsn).toBe(acked.at(-1)!.lsn);
    const more = w2.append(rec(300, 50));
    expect(more.prevLsn).toBe(acked.at(-1)!.lsn);
    expect(w2.appendSwitch()).not.toBeNull();
    const after = w2.append(rec(301, 10));
    w2.flush();
    w2.close();
    const { lsns } = scanCrcs(dir);
    expect(lsns).toEqual([...acked.map((r) => r.lsn), more.lsn, lsns.at(-2), after.lsn]);
    expect(after.lsn % BigInt(SEG)).toBe(40n);
  });

  it('every torn prefix of a flush reads as the acknowledged records plus a prefix, then a clean end; reopen resumes', () => {
    const r = xorshift32(SEED);
    const a = join(work, 'torn-a');
    const w = WalWriter.open(a, { profile, systemIdentifier: SYSID, segmentSize: SEG });
    const ackedA = [];
    for (let i = 0; i < 40; i++) ackedA.push(w.append(rec(i, Math.floor(r() * 3000))));
    w.flush();
    const stateA = new Map(listSegments(a, 1, SEG).map((s) => [s, readFileSync(join(a, walFileName(1, s, SEG)))]));
    const firstUnflushed = w.insertLsn;
    const pending = [];
    for (let i = 40; i < 70; i++) pending.push(w.append(rec(i, Math.floor(r() * 40000))));
    w.flush();
    w.close();
    const stateB = new Map(listSegments(a, 1, SEG).map((s) => [s, readFileSync(join(a, walFileName(1, s, SEG)))]));
    const from = Number(firstUnflushed) - (Number(firstUnflushed) % 8192);
    const to = Number(pending.at(-1)!.endLsn);
    const cuts = new Set<number>([from, to]);
    for (let k = from; k < to; k += 1 + Math.floor(r() * 6000)) cuts.add(k);
    for (const p of pending) for (const d of [-1, 0, 1, 23, 24, 25]) cuts.add(Number(p.lsn) + d);
    let checked = 0;
    for (const cut of [...cuts].filter((c) => c >= from && c <= to).sort((x, y) => x - y)) {
      const dir = join(work, `torn-${checked % 4}`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      for (const [s, bytesB] of stateB) {
        const segStart = Number(s) * SEG;
        if (segStart >= cut && !stateA.has(s)) continue;
        const out = Buffer.from(stateA.get(s) ?? new Uint8Array(SEG));
        const n = Math.max(0, Math.min(SEG, cut - segStart));
        const lo = Math.max(0, from - segStart);
        if (n > lo) bytesB.copy(out, lo, lo, n);
        writeFileSync(join(dir, walFileName(1, s, SEG)), out);
      }
      const { lsns } = scanCrcs(dir);
      const durable = pending.filter((p) => Number(p.endLsn) <= cut).length;
      expect(lsns.slice(0, ackedA.length)).toEqual(ackedA.map((x) => x.lsn));
      expect(lsns.length - ackedA.length).toBeGreaterThanOrEqual(durable);
      expect(lsns.length - ackedA.length).toBeLessThanOrEqual(durable + 1);
      expect(lsns.slice(ackedA.length)).toEqual(pending.slice(0, lsns.length - ackedA.length).map((x) => x.lsn));
      if (checked % 25 === 0) {
        const w3 = WalWriter.open(dir, { profile, systemIdentifier: SYSID, segmentSize: SEG });
        const next = w3.append(rec(999, 20000));
        w3.flush();
        w3.close();
        const again = scanCrcs(dir).lsns;
        expect(again.slice(0, lsns.length)).toEqual(lsns);
        expect(again.at(-1)).toBe(next.lsn);
        expect(again.length).toBe(lsns.length + 1);
      }
      checked++;
    }
    console.log(`torn flush prefixes checked: ${checked}`);
    expect(checked).toBeGreaterThan(50);
  });
});

describe('FileLock', () => {
  it('excludes a second holder, and a lock whose owner died is broken', () => {
    const target = join(work, 'locked-file');
    const l1 = FileLock.acquire(target);
    expect(() => FileLock.acquire(target)).toThrow(/already held by this process/);
    // Another live process holding it: we wait, then time out.
    l1.release();
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(child.stdout);
    expect(processAlive(deadPid)).toBe(false);
    writeFileSync(lockPathFor(target), `${deadPid}\nabcdef\n`);
    const l2 = FileLock.acquire(target, { timeoutMs: 1000 });
    expect(l2.stillHeld()).toBe(true);
    l2.release();
    expect(existsSync(lockPathFor(target))).toBe(false);
    writeFileSync(lockPathFor(target), `${process.ppid}\nlive\n`);
    expect(() => FileLock.acquire(target, { timeoutMs: 50 })).toThrow(/held by process/);
    rmSync(lockPathFor(target));
  });

  it('updateFileAtomically: read-modify-write under the lock leaves no temp or lock files', () => {
    const target = join(work, 'counter');
    for (let i = 0; i < 20; i++) {
      updateFileAtomically(target, (cur) => new TextEncoder().encode(String(cur === null ? 1 : Number(new TextDecoder().decode(cur)) + 1)));
    }
    expect(readFileSync(target, 'utf8')).toBe('20');
    expect(readdirSync(work).filter((n) => n.startsWith('pgsql_tmp'))).toEqual([]);
  });
});
