/**
 * DecodeXLogRecord's cross-checks on block references (access/transam/xlogreader.c), one
 * crafted CRC-valid record per check, after one valid record. Each message is compared with
 * the expected wording and, where the version's pg_waldump is installed, with what pg_waldump
 * itself prints for the same segment file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPgFormatError } from '../../src/common/core/errors.js';
import { WalStreamDecoder } from '../../src/common/wal/stream-decoder.js';
import { profileFor } from '../../src/index.js';
import { le16, le32, rawRecord, SEG, WalBuilder } from './support/builder.js';

const hex = (n: number): string =>
  `${Math.floor(n / 2 ** 32)
    .toString(16)
    .toUpperCase()}/${(n % 2 ** 32).toString(16).toUpperCase()}`;
const REL = [...le32(1663), ...le32(5), ...le32(16384)];
const MAIN = [255, 2];
const WALDUMP: Record<number, string> = {
  14: '/opt/pgffi-pg/14/bin/pg_waldump',
  15: '/usr/lib/postgresql/15/bin/pg_waldump',
  16: '/opt/pgffi-pg/16/bin/pg_waldump',
};

interface Case {
  name: string;
  /** Body after the XLogRecord header, given the version's "compressed" bimg bit. */
  body: (compressed: number) => number[];
  /** Expected message; `at` is the LSN xlogreader.c names. */
  message: (at: string, major: number) => string;
}

const CASES: Case[] = [
  {
    name: 'out-of-order block_id',
    body: () => [1, 0x00, ...le16(0), ...REL, ...le32(0), 0, 0x80, ...le16(0), ...le32(1), ...MAIN, 1, 2],
    message: (at) => `out-of-order block_id 0 at ${at}`,
  },
  { name: 'invalid block_id', body: () => [40, 0, 0, 0, ...MAIN, 1, 2], message: (at) => `invalid block_id 40 at ${at}` },
  {
    name: 'HAS_DATA without data',
    body: () => [0, 0x20, ...le16(0), ...REL, ...le32(0), ...MAIN, 1, 2],
    message: (at) => `BKPBLOCK_HAS_DATA set, but no data included at ${at}`,
  },
  {
    name: 'data without HAS_DATA',
    body: () => [0, 0x00, ...le16(5), ...REL, ...le32(0), ...MAIN, 1, 2, 3, 4, 5, 6, 7],
    message: (at) => `BKPBLOCK_HAS_DATA not set, but data length is 5 at ${at}`,
  },
  {
    name: 'HAS_HOLE with a zero hole offset',
    body: () => [0, 0x10, ...le16(0), ...le16(8092), ...le16(0), 0x01, ...REL, ...le32(0), ...MAIN, 1, 2],
    message: (at) => `BKPIMAGE_HAS_HOLE set, but hole offset 0 length 100 block image length 8092 at ${at}`,
  },
  {
    name: 'a hole without HAS_HOLE',
    body: () => [0, 0x10, ...le16(0), ...le16(8000), ...le16(0), 0x00, ...REL, ...le32(0), ...MAIN, 1, 2],
    message: (at) => `BKPIMAGE_HAS_HOLE not set, but hole offset 0 length 192 at ${at}`,
  },
  {
    name: 'compressed image of BLCKSZ bytes',
    body: (c) => [0, 0x10, ...le16(0), ...le16(8192), ...le16(0), c, ...REL, ...le32(0), ...MAIN, 1, 2],
    message: (at, major) => `${major === 14 ? 'BKPIMAGE_IS_COMPRESSED' : 'BKPIMAGE_COMPRESSED'} set, but block image length 8192 at ${at}`,
  },
  {
    name: 'SAME_REL on the first block',
    body: () => [0, 0x80, ...le16(0), ...le32(0), ...MAIN, 1, 2],
    message: (at) => `BKPBLOCK_SAME_REL set but no previous rel at ${at}`,
  },
  {
    name: 'lengths beyond the record',
    body: () => [0, 0x20, ...le16(50), ...REL, ...le32(0), ...MAIN, 1, 2],
    message: (at) => `record with invalid length at ${at}`,
  },
  { name: 'a truncated block header', body: () => [0, 0x00, 0], message: (at) => `record with invalid length at ${at}` },
];

describe.each([14, 15, 16] as const)('block reference checks, PostgreSQL %i', (major) => {
  const profile = profileFor(major);
  const compressed = major === 14 ? 0x02 : 0x04;

  it.each(CASES)('$name', ({ body, message }) => {
    const b = new WalBuilder(profile.XLOG_PAGE_MAGIC, SEG, 1);
    const first = b.add(0, 0x20, 10);
    const bad = b.write(rawRecord(first, 10, 0, body(compressed)));
    b.add(0, 0x20, 10);
    // 14 and 15 name the record; 16 names state->ReadRecPtr, the record read before it.
    const expected = message(hex(major === 16 ? first : bad), major);
    const d = new WalStreamDecoder(profile);
    d.push(b.bytes);
    d.end();
    let got = '';
    try {
      for (const _ of d);
    } catch (e) {
      if (!isPgFormatError(e)) throw e;
      got = e.message;
      expect(e.lsn).toBe(BigInt(bad));
    }
    expect(got).toBe(expected);
    const tool = WALDUMP[major]!;
    if (existsSync(tool)) {
      const dir = mkdtempSync(join(tmpdir(), 'pgffi-crafted-'));
      try {
        writeFileSync(join(dir, '000000010000000000000001'), b.bytes);
        const res = spawnSync(tool, ['-p', dir, '-s', hex(first)], { encoding: 'utf8' });
        expect(res.stderr).toContain(`: ${expected}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
