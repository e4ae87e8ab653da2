/**
 * Crafted WAL (test/support/wal-builder.ts) for the shapes a reader must get right, run through
 * the WAL decoder whole and in seeded random chunks: the exact record sequence (LSN, end, prev,
 * CRC) and the end-of-WAL outcome. The same builders are available to the decoder's own tests.
 */
import { describe, expect, it } from 'vitest';
import { formatLsn } from '../../src/common/core/lsn.js';
import type { PgVersionProfile } from '../../src/common/profile.js';
import { WalStreamDecoder } from '../../src/common/wal/index.js';
import { profile as p14 } from '../../src/v14/profile.js';
import { profile as p15 } from '../../src/v15/profile.js';
import { profile as p16 } from '../../src/v16/profile.js';
import { MB, WalBuilder } from '../support/wal-builder.js';

const SEED = Number(process.env.PGFFI_SEED ?? Date.now() % 2 ** 31);
console.log(`crafted seed: ${SEED} (PGFFI_SEED=${SEED} to replay)`);

function decode(profile: PgVersionProfile, bytes: Uint8Array, chunking: 'whole' | 'random', seed = SEED) {
  const d = new WalStreamDecoder(profile, {});
  const got: { lsn: bigint; endLsn: bigint; prevLsn: bigint; crc: number }[] = [];
  const take = (): void => {
    for (const r of d) got.push({ lsn: r.lsn, endLsn: r.endLsn, prevLsn: r.prevLsn, crc: r.crc });
  };
  if (chunking === 'whole') d.push(bytes);
  else {
    let s = seed | 1;
    for (let o = 0; o < bytes.length; ) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const n = 1 + (s % 20000);
      d.push(bytes.subarray(o, Math.min(bytes.length, o + n)));
      take();
      o += n;
    }
  }
  d.end();
  take();
  return { got, end: d.endOfWal, overwritten: d.overwrittenRecordLsn };
}

function expectSequence(b: WalBuilder, bytes: Uint8Array, endReason: 'invalid-record' | 'end-of-input', endLsn: bigint): void {
  const want = b.records.map((r) => ({ lsn: r.lsn, endLsn: r.endLsn, prevLsn: r.prevLsn, crc: r.crc }));
  for (const chunking of ['whole', 'random'] as const) {
    const { got, end } = decode(b.profile, bytes, chunking);
    expect(got).toEqual(want);
    expect(end?.reason).toBe(endReason);
    expect(formatLsn(end!.lsn)).toBe(formatLsn(endLsn));
  }
}

describe.each([p14, p15, p16])('crafted WAL, PostgreSQL $major', (profile) => {
  it('a record ending exactly at a page end; the next starts after the next page header', () => {
    const b = new WalBuilder(profile);
    b.noop(100);
    const r = b.fillToPageEnd();
    expect(Number(r.lsn) + r.totalLength).toBe(MB + 8192);
    const next = b.noop(10);
    expect(next.lsn).toBe(BigInt(MB + 8192 + 24));
    expectSequence(b, b.bytes(), 'invalid-record', next.endLsn);
  });

  it('record headers split across pages (8 and 16 bytes on the first page)', () => {
    const b = new WalBuilder(profile);
    const a = b.recordStartingBeforePageEnd(8);
    expect(8192 - (Number(a.lsn) % 8192)).toBe(8);
    const c = b.recordStartingBeforePageEnd(16, 20000);
    expect(8192 - (Number(c.lsn) % 8192)).toBe(16);
    b.noop(1);
    expectSequence(b, b.bytes(), 'invalid-record', b.records.at(-1)!.endLsn);
  });

  it('records spanning segments (one across a boundary, one across three segments)', () => {
    const b = new WalBuilder(profile);
    b.noop(50);
    const a = b.recordSpanningSegments();
    expect(a.lsn / BigInt(MB)).toBe(1n);
    expect(a.endLsn / BigInt(MB)).toBe(2n);
    const big = b.noop(3 * MB);
    expect(big.endLsn / BigInt(MB) - big.lsn / BigInt(MB)).toBe(3n);
    b.noop(5);
    expect(b.files().length).toBe(5);
    expectSequence(b, b.bytes(), 'invalid-record', b.records.at(-1)!.endLsn);
  });

  it('XLOG_SWITCH at a page start and ending at a page end; reading resumes in the next segment', () => {
    const b = new WalBuilder(profile);
    b.noop(10);
    const s1 = b.switchAtPageStart();
    expect(Number(s1.lsn) % 8192).toBe(24);
    expect(s1.endLsn).toBe(2n * BigInt(MB));
    const n1 = b.noop(10);
    expect(n1.lsn).toBe(2n * BigInt(MB) + 40n);
    const s2 = b.switchEndingAtPageEnd();
    expect((Number(s2.lsn) + 24) % 8192).toBe(0);
    expect(s2.endLsn).toBe(3n * BigInt(MB));
    b.noop(10);
    expectSequence(b, b.bytes(), 'invalid-record', b.records.at(-1)!.endLsn);
  });

  it('WAL ending with XLOG_SWITCH and no next segment ends at the end of input', () => {
    const b = new WalBuilder(profile);
    b.noop(10);
    const s = b.switch();
    expectSequence(b, b.bytes(), 'end-of-input', s.endLsn);
  });

  it('an abandoned record and an XLP_FIRST_IS_OVERWRITE_CONTRECORD page', () => {
    const b = new WalBuilder(profile);
    b.noop(10);
    const before = b.noop(20);
    const ow = b.overwriteContrecord();
    expect(ow.prevLsn).toBe(before.lsn);
    expect(Number(ow.lsn) % 8192).toBe(24);
    b.noop(30);
    const bytes = b.bytes();
    expectSequence(b, bytes, 'invalid-record', b.records.at(-1)!.endLsn);
    expect(decode(profile, bytes, 'whole').overwritten).toBe(b.aborted[0]);
    // The overwrite page's header: XLP_FIRST_IS_OVERWRITE_CONTRECORD, no contrecord, rem_len 0.
    const page = Number(ow.lsn) - 24 - MB;
    const v = new DataView(bytes.buffer, bytes.byteOffset + page);
    expect([v.getUint16(2, true), v.getUint32(16, true)]).toEqual([0x0008, 0]);
  });

  it('a torn last record (bad CRC) is the end of WAL, named like xlogreader.c', () => {
    const b = new WalBuilder(profile);
    b.noop(10);
    b.noop(300);
    const last = b.noop(40);
    const bytes = b.bytes();
    const at = Number(last.lsn) - MB + 30;
    bytes[at] = bytes[at]! ^ 0xff;
    b.records.pop();
    const { got, end } = decode(profile, bytes, 'whole');
    expect(got.length).toBe(2);
    expect(end?.reason).toBe('invalid-record');
    expect(end?.message).toBe(`incorrect resource manager data checksum in record at ${formatLsn(last.lsn)}`);
  });

  it('contrecord pages carry xlp_rem_len of what remains of the record', () => {
    const b = new WalBuilder(profile);
    const r = b.noop(20000);
    const bytes = b.bytes();
    const firstPart = 8192 - 40;
    const v = (page: number) => new DataView(bytes.buffer, bytes.byteOffset + page * 8192);
    expect([v(1).getUint16(2, true), v(1).getUint32(16, true)]).toEqual([1, r.totalLength - firstPart]);
    expect([v(2).getUint16(2, true), v(2).getUint32(16, true)]).toEqual([1, r.totalLength - firstPart - (8192 - 24)]);
    expect(v(0).getUint16(2, true)).toBe(2);
  });
});
