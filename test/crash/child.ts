/**
 * A child process of test/crash/kill-fuzz.test.ts (run with `node --import tsx`; not a shipped
 * binary): loops over durable writes until the parent SIGKILLs it, journaling each write after
 * it is acknowledged (journal append + fsync). Guarded: does nothing without
 * PGFFI_CRASH_CHILD = JSON {kind: 'control' | 'wal', target, journal, seed, id}.
 *
 * - control: under the lock, reads pg_control, raises checkPoint (and checkPointCopy.redo) by
 *   8 and writes it back atomically (updateControlFile), then journals the new value.
 * - wal: appends 1–4 records (XLOG_NOOP whose main data starts with a sequence number; sizes
 *   from 8 bytes to 40 kB, rarely 1.1 MB; sometimes XLOG_SWITCH) through the WalWriter, flushes,
 *   then journals "lsn crc seq" of the last record.
 */
import { fsyncSync, openSync, writeSync } from 'node:fs';
import { updateControlFile } from '../../src/node/control-file-writer.js';
import { scanWalDirectory, WalWriter } from '../../src/node/wal-writer.js';
import { profile } from '../../src/v15/profile.js';
import { xorshift32 } from '../support/prng.js';

export interface CrashChildSpec {
  kind: 'control' | 'wal';
  target: string;
  journal: string;
  seed: number;
  id: number;
}

export const CRASH_SYSID = 7_424_242_424_242_424_242n;
export const CRASH_SEG = 1024 * 1024;

/** Main data of the WAL child's record number `seq`. */
export function crashRecordData(seq: number, id: number, len: number): Uint8Array {
  const data = new Uint8Array(Math.max(8, len));
  const v = new DataView(data.buffer);
  v.setUint32(0, seq, true);
  v.setUint32(4, id, true);
  for (let i = 8; i < data.length; i++) data[i] = (seq + i * 13) & 0xff;
  return data;
}

function journalAppend(fd: number, line: string): void {
  writeSync(fd, `${line}\n`);
  fsyncSync(fd);
}

function runControl(spec: CrashChildSpec): never {
  const fd = openSync(spec.journal, 'a');
  for (;;) {
    let value = 0n;
    updateControlFile(
      spec.target,
      (c) => {
        value = c.checkPoint + 8n;
        return { ...c, checkPoint: value, checkPointCopy: { ...c.checkPointCopy, redo: value }, time: c.time + 1n };
      },
      { profile },
    );
    journalAppend(fd, String(value));
  }
}

function runWal(spec: CrashChildSpec): never {
  const r = xorshift32(spec.seed);
  let seq = 0;
  scanWalDirectory(spec.target, profile, {
    segmentSize: CRASH_SEG,
    systemIdentifier: CRASH_SYSID,
    onRecord: (rec) => {
      if (rec.mainData.length >= 8) seq = new DataView(rec.mainData.buffer, rec.mainData.byteOffset).getUint32(0, true) + 1;
    },
  });
  const w = WalWriter.open(spec.target, { profile, systemIdentifier: CRASH_SYSID, segmentSize: CRASH_SEG });
  const fd = openSync(spec.journal, 'a');
  for (;;) {
    const n = 1 + Math.floor(r() * 4);
    let last = null;
    for (let i = 0; i < n; i++) {
      if (r() < 0.01) w.appendSwitch();
      const roll = r();
      const len = roll < 0.002 ? 1_100_000 : roll < 0.1 ? 8000 + Math.floor(r() * 32000) : 8 + Math.floor(r() * 600);
      last = w.append({ rmid: 0, info: 0x20, xid: seq, mainData: crashRecordData(seq, spec.id, len) });
      seq++;
    }
    w.flush();
    if (last !== null) journalAppend(fd, `${last.lsn} ${last.crc} ${seq - 1}`);
  }
}

const raw = process.env.PGFFI_CRASH_CHILD;
if (raw !== undefined && process.argv[1]?.endsWith('child.ts')) {
  const spec = JSON.parse(raw) as CrashChildSpec;
  try {
    if (spec.kind === 'control') runControl(spec);
    else runWal(spec);
  } catch (e) {
    process.stderr.write(`crash child ${spec.id} (${spec.kind}) failed: ${(e as Error).stack ?? e}\n`);
    process.exit(3);
  }
}
