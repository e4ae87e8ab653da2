/**
 * Crafted WAL edge cases (test/wal/support/builder.ts lays out pages and records byte by
 * byte): XLOG_SWITCH at the end and on a page boundary, records crossing segments, a record
 * ending exactly at a page end, XLP_FIRST_IS_OVERWRITE_CONTRECORD, corruption in the middle
 * versus at the tail, and xlogreader.c's messages per version.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installAccelerator } from '../../src/common/core/accelerator.js';
import { crc32cFinish, crc32cUpdate } from '../../src/common/core/crc32c.js';
import { isPgFormatError, type PgFormatError } from '../../src/common/core/errors.js';
import type { PgVersionProfile } from '../../src/common/profile.js';
import { detachRecord, type WalRecord } from '../../src/common/wal/decoded-record.js';
import { restoreFullPageImage } from '../../src/common/wal/full-page-image.js';
import { WalStreamDecoder } from '../../src/common/wal/stream-decoder.js';
import { profileFor } from '../../src/index.js';
import { SEG, WalBuilder } from './support/builder.js';
import { randomSizes } from './support/chunking.js';

const hex = (n: number): string =>
  `${Math.floor(n / 2 ** 32)
    .toString(16)
    .toUpperCase()}/${(n % 2 ** 32).toString(16).toUpperCase()}`;

function decodeAll(profile: PgVersionProfile, bytes: Uint8Array, seed?: number): { records: WalRecord[]; d: WalStreamDecoder } {
  const d = new WalStreamDecoder(profile);
  const records: WalRecord[] = [];
  const sizes = seed === undefined ? () => bytes.length : randomSizes(seed);
  for (let off = 0; off < bytes.length; ) {
    const n = Math.min(bytes.length - off, Math.max(1, sizes()));
    d.push(bytes.subarray(off, off + n));
    off += n;
    for (let r = d.next(); r !== null; r = d.next()) records.push(r);
  }
  d.end();
  for (let r = d.next(); r !== null; r = d.next()) records.push(r);
  return { records, d };
}

/** XORs one byte of a crafted copy. */
function flip(bytes: Uint8Array, at: number, mask: number): void {
  bytes[at] = (bytes[at] as number) ^ mask;
}

function thrown(fn: () => unknown): PgFormatError {
  try {
    fn();
  } catch (e) {
    if (isPgFormatError(e)) return e;
    throw e;
  }
  throw new Error('expected a PgFormatError');
}

describe.each([14, 15, 16] as const)('crafted WAL, PostgreSQL %i', (major) => {
  const profile = profileFor(major);
  const lenMsg = (lsn: number): string =>
    major === 16
      ? `invalid record length at ${hex(lsn)}: expected at least 24, got 0`
      : `invalid record length at ${hex(lsn)}: wanted 24, got 0`;

  /** Our message for `bytes`, and pg_waldump's for the same segment file where it is installed. */
  const expectMessage = (bytes: Uint8Array, message: string): void => {
    expect(thrown(() => decodeAll(profile, bytes)).message).toBe(message);
    const tool = major === 15 ? '/usr/lib/postgresql/15/bin/pg_waldump' : `/opt/pgffi-pg/${major}/bin/pg_waldump`;
    if (!existsSync(tool)) return;
    const dir = mkdtempSync(join(tmpdir(), 'pgffi-crafted-'));
    try {
      writeFileSync(join(dir, '000000010000000000000001'), bytes);
      const res = spawnSync(tool, ['-p', dir, '-s', hex(SEG + 40)], { encoding: 'utf8' });
      expect(res.stderr).toContain(`: ${message}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('XLOG_SWITCH as the last record ends the segment; input ends at the next segment', () => {
    const b = new WalBuilder(profile.XLOG_PAGE_MAGIC, SEG, 1);
    b.add(21, 0, 100);
    const sw = b.addSwitch();
    const { records, d } = decodeAll(profile, b.bytes);
    expect(records.map((r) => r.lsnNumber)).toEqual([SEG + 40, sw]);
    expect(records[1]!.endLsnNumber).toBe(2 * SEG);
    expect(d.endOfWal).toMatchObject({ reason: 'end-of-input', lsn: BigInt(2 * SEG) });
  });

  it('XLOG_SWITCH ending exactly on a page boundary, then the next segment', () => {
    const b = new WalBuilder(profile.XLOG_PAGE_MAGIC, SEG, 2);
    b.add(21, 0, b.mainLenToPageEnd(24));
    const sw = b.addSwitch();
    expect((sw + 24) % 8192).toBe(0);
    const after = b.add(21, 0, 10);
    const { records } = decodeAll(profile, b.bytes);
    expect(records.map((r) => r.lsnNumber)).toEqual([SEG + 40, sw, after]);
    expect(records[1]!.endLsnNumber).toBe(2 * SEG);
    expect(after).toBe(2 * SEG + 40);
  });

  it('a record crossing a segment followed by a small one; tail of zeros is the end of WAL', () => {
    const b2 = new WalBuilder(profile.XLOG_PAGE_MAGIC, SEG, 2);
    const first = b2.add(21, 0, 100);
    const big = b2.add(21, 0, SEG - 20000);
    const cross = b2.add(21, 0, 30000);
    const small = b2.add(21, 0, 8);
    expect(Math.floor(cross / SEG)).toBe(1);
    expect(Math.floor((cross + 30000) / SEG)).toBe(2);
    for (const seed of [undefined, 1, 2, 3, 4, 5]) {
      const { records, d } = decodeAll(profile, b2.bytes, seed);
      expect(
        records.map((r) => r.lsnNumber),
        `seed ${seed}`,
      ).toEqual([first, big, cross, small]);
      expect(records[2]!.mainData.every((x) => x === 0x61)).toBe(true);
      expect(d.endOfWal?.message).toBe(lenMsg(b2.pos));
      expect(d.endOfWal?.reason).toBe('invalid-record');
    }
  });

  it('a record crossing a segment as the last record', () => {
    const b = new WalBuilder(profile.XLOG_PAGE_MAGIC, SEG, 2);
    b.add(21, 0, SEG - 20000);
    const cross = b.add(21, 0, 40000);
    const { records, d } = decodeAll(profile, b.bytes);
    expect(records.at(-1)!.lsnNumber).toBe(cross);
    expect(records.at(-1)!.endLsnNumber).toBe(b.pos);
    expect(d.endOfWal?.message).toBe(lenMsg(b.pos));
  });

  it('a record ending exactly at a page end, the next one after the next page header', () => {
    const b = new WalBuilder(profile.XLOG_PAGE_MAGIC, SEG, 1);
    const a = b.add(21, 0, b.mainLenToPageEnd());
    expect(b.pos % 8192).toBe(0);
    const next = b.add(21, 0, 5);
    const { records } = decodeAll(profile, b.bytes);
    expect(records.map((r) => [r.lsnNumber, r.endLsnNumber])).toEqual([
      [a, SEG + 8192],
      [next, next + 32],
    ]);
  });

  it('XLP_FIRST_IS_OVERWRITE_CONTRECORD: the broken record is abandoned and reading restarts there', () => {
    const b = new WalBuilder(profile.XLOG_PAGE_MAGIC, SEG, 1);
    const first = b.add(21, 0, 100);
    const broken = b.recordBytes(21, 0, 20000);
    const brokenLsn = b.write(broken, 8000);
    b.overwriteNextPage();
    const ow = b.add(0, 0xd0, 12);
    const after = b.add(21, 0, 3);
    const { records, d } = decodeAll(profile, b.bytes);
    expect(records.map((r) => r.lsnNumber)).toEqual([first, ow, after]);
    expect(records[1]!.prevLsnNumber).toBe(first);
    expect(d.overwrittenRecordLsn).toBe(BigInt(brokenLsn));
  });

  it('corruption in the middle throws; the same damage at the tail is the end of WAL', () => {
    const b = new WalBuilder(profile.XLOG_PAGE_MAGIC, SEG, 1);
    const lsns = [b.add(21, 0, 50), b.add(21, 0, 3000), b.add(21, 0, 20000), b.add(21, 0, 60), b.add(21, 0, 70)];
    const mid = b.bytes.slice();
    flip(mid, lsns[2]! - SEG + 9000, 0xff);
    const e = thrown(() => decodeAll(profile, mid));
    expect(e.code).toBe('CRC_MISMATCH');
    expect(e.message).toBe(`incorrect resource manager data checksum in record at ${hex(lsns[2]!)}`);
    expect(e.lsn).toBe(BigInt(lsns[2]!));
    const tail = b.bytes.slice();
    flip(tail, lsns[4]! - SEG + 30, 0xff);
    const { records, d } = decodeAll(profile, tail);
    expect(records.length).toBe(4);
    expect(d.endOfWal).toMatchObject({
      reason: 'invalid-record',
      code: 'CRC_MISMATCH',
      message: `incorrect resource manager data checksum in record at ${hex(lsns[4]!)}`,
      lastRecordLsn: BigInt(lsns[3]!),
    });
  });

  it('page header and record header errors are worded as xlogreader.c words them', () => {
    const b = new WalBuilder(profile.XLOG_PAGE_MAGIC, SEG, 1);
    b.add(0, 0x20, 100);
    const big = b.add(0, 0x20, 30000);
    b.add(0, 0x20, 100);
    const page = Math.ceil(big / 8192) * 8192;
    const addr = b.bytes.slice();
    addr[page - SEG + 12] = 0x7f; // xlp_pageaddr, high half
    const seg = '000000010000000000000001';
    const off = page - SEG;
    const expectedAddr = `unexpected pageaddr 7F/${hex(page).split('/')[1]}`;
    expectMessage(
      addr,
      major === 16
        ? `${expectedAddr} in WAL segment ${seg}, LSN ${hex(page)}, offset ${off}`
        : `${expectedAddr} in log segment ${seg}, offset ${off}`,
    );
    const flag = b.bytes.slice();
    flag[page - SEG + 2] = 0; // no XLP_FIRST_IS_CONTRECORD
    expectMessage(flag, `there is no contrecord flag at ${hex(big)}`);
    const rmid = b.bytes.slice();
    rmid[big - SEG + 17] = 99;
    expectMessage(rmid, `invalid resource manager ID 99 at ${hex(big)}`);
    const prev = b.bytes.slice();
    flip(prev, big - SEG + 8, 8);
    expectMessage(prev, `record with incorrect prev-link ${hex((SEG + 40) ^ 8)} at ${hex(big)}`);
  });

  it('more header checks: contrecord length, timeline going backwards, system identifier, CRC off', () => {
    const b = new WalBuilder(profile.XLOG_PAGE_MAGIC, SEG, 1);
    b.add(0, 0x20, 100);
    const big = b.add(0, 0x20, 30000);
    b.add(0, 0x20, 100);
    const page = Math.ceil(big / 8192) * 8192;
    const seg = '000000010000000000000001';
    const rem = b.bytes.slice();
    flip(rem, page - SEG + 16, 1); // xlp_rem_len
    const expectedRem = 30000 + 24 + 5 - (page - big);
    expectMessage(rem, `invalid contrecord length ${expectedRem ^ 1} (expected ${expectedRem}) at ${hex(big)}`);
    const tli = b.bytes.slice();
    tli[4] = 3; // the segment's first page says timeline 3, the next one 1
    const where = major === 16 ? `in WAL segment ${seg}, LSN ${hex(SEG + 8192)}, offset 8192` : `in log segment ${seg}, offset 8192`;
    expectMessage(tli, `out-of-sequence timeline ID 1 (after 3) ${where}`);
    const d = new WalStreamDecoder(profile, { systemIdentifier: 7n });
    d.push(b.bytes);
    d.end();
    expect(thrown(() => d.next()).message).toBe(
      'WAL file is from different database system: WAL file database system identifier is 42, pg_control database system identifier is 7',
    );
    const sized = new WalStreamDecoder(profile, { segmentSize: 2 * SEG, inputLsn: BigInt(SEG) });
    sized.push(b.bytes);
    sized.end();
    expect(thrown(() => sized.next()).message).toBe('WAL file is from different database system: incorrect segment size in page header');
    const crc = b.bytes.slice();
    flip(crc, big - SEG + 20, 1); // xl_crc
    expect(thrown(() => decodeAll(profile, crc)).code).toBe('CRC_MISMATCH');
    const lax = new WalStreamDecoder(profile, { verifyCrc: false });
    lax.push(crc);
    lax.end();
    expect([...lax].length).toBe(3);
  });

  it('custom rmgr ids 128-255 are valid from 15 on', () => {
    const b = new WalBuilder(profile.XLOG_PAGE_MAGIC, SEG, 1);
    b.add(0, 0x20, 10);
    const custom = b.add(130, 0x10, 10);
    b.add(0, 0x20, 10);
    if (major === 14) {
      expect(thrown(() => decodeAll(profile, b.bytes)).message).toBe(`invalid resource manager ID 130 at ${hex(custom)}`);
    } else {
      expect(decodeAll(profile, b.bytes).records.map((r) => r.rmid)).toEqual([0, 130, 0]);
    }
  });

  it('refuses LSNs at or above 2^53 (positions are exact numbers below it)', () => {
    const b = new WalBuilder(profile.XLOG_PAGE_MAGIC, SEG, 1);
    b.add(0, 0x20, 10);
    const high = b.bytes.slice();
    high[15] = 0x88; // xlp_pageaddr 0x88000000_00100000
    for (const first of [high.length, 40, 24]) {
      const d = new WalStreamDecoder(profile);
      d.push(high.subarray(0, first));
      if (first < high.length) d.push(high.subarray(first));
      d.end();
      const e = thrown(() => d.next());
      expect(e.code).toBe('UNSUPPORTED');
      expect(e.message).toBe('first page address 88000000/100000 is beyond the LSNs this decoder tracks exactly (below 2^53)');
    }
    expect(() => new WalStreamDecoder(profile, { startLsn: 2n ** 60n })).toThrow(/beyond the LSNs/);
  });

  it('starting inside a record skips to the next one (XLogFindNextRecord) and says so', () => {
    const b = new WalBuilder(profile.XLOG_PAGE_MAGIC, SEG, 1);
    b.add(21, 0, 100);
    const big = b.add(21, 0, 20000);
    const next = b.add(21, 0, 10);
    const d = new WalStreamDecoder(profile, { startLsn: BigInt(big + 100) });
    d.push(b.bytes);
    d.end();
    expect([...d].map((r) => r.lsnNumber)).toEqual([next]);
    expect(d.firstRecordSkip?.message).toBe(
      `first record is after ${hex(big + 100)}, at ${hex(next)}, skipping over ${next - big - 100} bytes`,
    );
  });

  it('a damaged compressed image is BAD_IMAGE with the version wording', () => {
    const block = {
      id: 3,
      forkFlags: 0x10,
      fork: 0,
      hasImage: true,
      hasData: false,
      willInit: false,
      sameRel: false,
      spcOid: 1663,
      dbOid: 5,
      relNumber: 1,
      blockNumber: 0,
      data: new Uint8Array(0),
      image: {
        bimgInfo: 0,
        length: 4,
        holeOffset: 0,
        holeLength: 0,
        compression: 'pglz' as const,
        apply: true,
        bytes: new Uint8Array([1, 0x0f, 0xff, 0]),
      },
    };
    const e = thrown(() => restoreFullPageImage(profile, block, 0x1000028n));
    expect(e.code).toBe('BAD_IMAGE');
    expect(e.message).toBe(
      major === 14 ? 'invalid compressed image at 0/1000028, block 3' : 'could not decompress image at 0/1000028, block 3',
    );
  });
});

describe('record CRC through an installed accelerator', () => {
  it('gives the same records and the same CRC failures as the pure-TS path', () => {
    const profile = profileFor(16);
    const b = new WalBuilder(profile.XLOG_PAGE_MAGIC, SEG, 1);
    const lsns = [b.add(21, 0, 10), b.add(21, 0, 300), b.add(21, 0, 20000), b.add(21, 0, 5)];
    let calls = 0;
    installAccelerator({
      name: 'counting pure-TS stand-in',
      crc32c: (bytes, previous) => {
        calls++;
        return crc32cFinish(crc32cUpdate((previous ^ 0xffffffff) | 0, bytes));
      },
      pageChecksum: () => 0,
      scanPages: () => [],
    });
    try {
      expect(decodeAll(profile, b.bytes).records.map((r) => r.lsnNumber)).toEqual(lsns);
      expect(calls).toBeGreaterThan(0);
      const bad = b.bytes.slice();
      flip(bad, lsns[1]! - SEG + 100, 1);
      expect(thrown(() => decodeAll(profile, bad)).message).toBe(`incorrect resource manager data checksum in record at ${hex(lsns[1]!)}`);
    } finally {
      installAccelerator(null);
    }
  });
});

describe('detachRecord', () => {
  it('keeps an assembled record valid after the decoder moved on', () => {
    const profile = profileFor(15);
    const b = new WalBuilder(profile.XLOG_PAGE_MAGIC, SEG, 1);
    b.add(21, 0, 20000, 0x41);
    b.add(21, 0, 20000, 0x42);
    const d = new WalStreamDecoder(profile);
    d.push(b.bytes);
    const first = detachRecord(profile, d.next()!);
    const second = d.next()!;
    expect(second.mainData.every((x) => x === 0x42)).toBe(true);
    expect(first.mainData.length).toBe(20000);
    expect(first.mainData.every((x) => x === 0x41)).toBe(true);
    expect(first.lsnNumber).toBe(SEG + 40);
  });
});
