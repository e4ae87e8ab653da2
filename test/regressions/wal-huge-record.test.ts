/**
 * A record that claims to be huge (xl_tot_len of 1 GB + 1, 1.25 GB, 4 GB − 1) in real WAL of
 * 14, 15 and 16, followed by continuation pages whose headers agree with the claim: the
 * decoder must stop where PostgreSQL's xlogreader stops, with pg_waldump's message (it, too,
 * reads continuation pages before giving up, so there is no up-front size rejection to mirror),
 * and must never allocate by the claimed length — memory follows the bytes that arrived.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installAllocationGuard } from '../../fuzz/guard.js';

installAllocationGuard();
const { clearAllocationLimit, setAllocationLimit, takeViolation } = await import('../../fuzz/guard.js');
const { Corpus } = await import('../../fuzz/target.js');
const { WalStreamDecoder } = await import('../../src/common/wal/stream-decoder.js');
const { profileFor } = await import('../../src/index.js');

const PG_WALDUMP: Record<14 | 15 | 16, string> = {
  14: '/opt/pgffi-pg/14/bin/pg_waldump',
  15: '/usr/lib/postgresql/15/bin/pg_waldump',
  16: '/opt/pgffi-pg/16/bin/pg_waldump',
};
const SEG = 16 * 1024 * 1024;
const PAGE = 8192;
const dir = mkdtempSync(join(tmpdir(), 'pgffi-huge-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const corpus = Corpus.load();

function hex8(n: number): string {
  return n.toString(16).toUpperCase().padStart(8, '0');
}

/** The corpus's first segment-start WAL of `major` with its second record's xl_tot_len set to `tot`, and `pages` continuation pages that agree. */
function craft(major: 14 | 15 | 16, tot: number, pages: number): { bytes: Uint8Array; name: string } {
  const seed = corpus
    .of('wal')
    .find((e) => e.major === major && new DataView(e.bytes.buffer, e.bytes.byteOffset).getUint32(8, true) % SEG === 0);
  if (seed === undefined) throw new Error(`no segment-start WAL of ${major} in the corpus`);
  const profile = profileFor(major);
  const d = new WalStreamDecoder(profile);
  d.push(seed.bytes);
  d.end();
  const second = [...d][1];
  if (second === undefined) throw new Error('seed too short');
  const base = new DataView(seed.bytes.buffer, seed.bytes.byteOffset).getUint32(8, true);
  const out = new Uint8Array(SEG);
  out.set(seed.bytes.subarray(0, PAGE));
  const v = new DataView(out.buffer);
  const off = Number(second.lsn) - base;
  v.setUint32(off, tot, true);
  let got = PAGE - off;
  for (let p = 1; p <= pages; p++) {
    const o = p * PAGE;
    v.setUint16(o, profile.XLOG_PAGE_MAGIC, true);
    v.setUint16(o + 2, 0x0001, true); // XLP_FIRST_IS_CONTRECORD
    v.setUint32(o + 4, 1, true);
    v.setUint32(o + 8, base + o, true);
    v.setUint32(o + 16, tot - got, true);
    got += PAGE - 24;
  }
  const segno = base / SEG;
  return { bytes: out, name: `${hex8(1)}${hex8(Math.floor(segno / 256))}${hex8(segno % 256)}` };
}

function ours(major: 14 | 15 | 16, bytes: Uint8Array): { records: number; message: string } {
  const d = new WalStreamDecoder(profileFor(major));
  setAllocationLimit(4 * 1024 * 1024);
  let records = 0;
  let message = '';
  try {
    d.push(bytes);
    d.end();
    for (const _ of d) records++;
    message = d.endOfWal?.message ?? '';
  } catch (e) {
    message = (e as Error).message;
  } finally {
    clearAllocationLimit();
  }
  expect(takeViolation()).toBeNull();
  return { records, message };
}

describe('a record claiming a huge xl_tot_len', () => {
  // pg_waldump itself cannot serve as the oracle for 0xFFFFFFFF: 15.20 aborts with "*** buffer
  // overflow detected ***" and 14.23/16.15 look for a file of timeline 0 (the end pointer wraps).
  // The decoder must simply stop with a PgFormatError-coded end, allocating nothing by the claim.
  for (const major of [14, 15, 16] as const) {
    it(`PostgreSQL ${major}: xl_tot_len 0xFFFFFFFF stops at the first continuation page that cannot agree`, () => {
      const { bytes } = craft(major, 0xffffffff, 3);
      const r = ours(major, bytes);
      expect(r.records).toBe(1);
      expect(r.message).toMatch(/^invalid (contrecord length|magic number)/);
    });
  }

  for (const major of [14, 15, 16] as const) {
    for (const [tot, pages] of [
      [0x40000000, 0],
      [0x40000000, 5],
      [0x50000000, 40],
    ] as const) {
      it.skipIf(!existsSync(PG_WALDUMP[major]))(
        `PostgreSQL ${major}: xl_tot_len ${tot} with ${pages} agreeing continuation pages stops like pg_waldump`,
        () => {
          const { bytes, name } = craft(major, tot, pages);
          const sub = join(dir, `${major}-${tot}-${pages}`);
          mkdirSync(sub);
          writeFileSync(join(sub, name), bytes);
          const r = spawnSync(PG_WALDUMP[major], ['-p', sub, name], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
          const m = /error in WAL record at [0-9A-F/]+: (.*)\n$/.exec(r.stderr);
          expect(m, r.stderr).not.toBeNull();
          const theirs = { records: r.stdout.split('\n').filter((l) => l.startsWith('rmgr:')).length, message: (m as RegExpExecArray)[1] };
          expect(ours(major, bytes)).toEqual(theirs);
        },
      );
    }
  }
});
