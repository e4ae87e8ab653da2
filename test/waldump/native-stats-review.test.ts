/**
 * Review cases for the native pgffi waldump --stats/-q pass (native/src/walstats.rs through
 * src/cli/waldump/native-stats.ts) on real WAL: page headers (XLogPageHeaderData,
 * access/xlog_internal.h) and records (XLogRecord, access/xlogrecord.h) placed or damaged where
 * the pass and the TypeScript reader could part ways. Every case compares the native pass (one
 * and four threads) with the TypeScript reader and with pg_waldump of the same major: output,
 * error line and exit code. The seam cases also check from the trace that the threads' parts
 * joined into one call (a part that does not join costs a restart but changes no output).
 *
 * PostgreSQL 15 (1 MB segments): segments ended by XLOG_SWITCH at part seams, a record ending
 * exactly on a page boundary just after a seam, one ending exactly at a segment's end (no
 * switch) with a seam inside it; XLP_FIRST_IS_OVERWRITE_CONTRECORD set on a page that starts
 * with a record and on one that continues a record; xlp_tli raised on one page, and on every
 * page from one on. PostgreSQL 14 and 16: full-page images compressed and not, and bimg_info
 * bits flipped with the record CRC recomputed (BKPIMAGE_* differ between 14 and 15+). And a
 * WAL longer than one native call takes (128 segments), with a record across that boundary.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRC32C_INIT, crc32cFinish, crc32cUpdate } from '../../src/common/core/crc32c.js';
import { nativeBinding } from '../../src/node/native.js';
import type { PgMajorVersion } from '../support/pg-server.js';
import { PgServer } from '../support/pg-server.js';
import {
  lsnNum,
  lsnStr,
  NATIVE_FOUR_THREADS,
  NATIVE_ONE_THREAD,
  nativeCounted,
  records,
  runWithEnv,
  same,
  segFile,
  TYPESCRIPT_READER,
  type WaldumpEnv,
  type WaldumpTrace,
  walCopy as walCopyUnder,
} from './env-runs.js';
import { pgWaldumpPath, runCTool, type ToolRun } from './runner.js';

const SEG = 1024 * 1024;
const PAGE = 8192;
const hasNativeStats = nativeBinding?.scanWalStats !== undefined;

type Trace = WaldumpTrace;
let tmp: string;

/** pgffi waldump in process with these variables; the native pass's trace lines. */
async function ours(args: string[], env: WaldumpEnv): Promise<ToolRun & { trace: Trace[] }> {
  const r = await runWithEnv(tmp, args, env);
  return { ...r, trace: r.trace.filter((t) => t.native !== undefined) };
}

/**
 * pg_waldump, the TypeScript reader and the native pass on one and four threads agree; returns
 * pg_waldump's run and the native runs' traces.
 */
async function allAgree(tool: string, args: string[], what: string): Promise<{ c: ToolRun; one: Trace[]; four: Trace[] }> {
  const c = runCTool(tool, args);
  const ts = await ours(args, TYPESCRIPT_READER);
  const one = await ours(args, NATIVE_ONE_THREAD);
  const four = await ours(args, NATIVE_FOUR_THREADS);
  same(ts, one, `native, one thread vs TypeScript reader, ${what}`);
  same(ts, four, `native, four threads vs TypeScript reader, ${what}`);
  same(c, ts, `TypeScript reader vs pg_waldump, ${what}`);
  return { c, one: one.trace, four: four.trace };
}

const counted = nativeCounted;

/** A copy of the WAL directory to damage. */
function walCopy(src: string, name: string): string {
  return walCopyUnder(tmp, src, name);
}

/** Rewrites the segment file holding `lsn` through `edit(buffer, offsetInSegment)`. */
function editSegment(dir: string, lsn: number, edit: (b: Buffer, o: number) => void): void {
  const file = join(dir, segFile(lsn));
  const buf = readFileSync(file);
  edit(buf, lsn % SEG);
  writeFileSync(file, buf);
}

/** Applies `edit(buffer, offsetInSegment)` to each page header in [from, to) (page-aligned LSNs). */
function editPages(dir: string, from: number, to: number, edit: (b: Buffer, o: number) => void): void {
  for (let seg = Math.floor(from / SEG); seg * SEG < to; seg++) {
    const file = join(dir, segFile(seg * SEG));
    const buf = readFileSync(file);
    for (let p = Math.max(from, seg * SEG); p < Math.min(to, (seg + 1) * SEG); p += PAGE) edit(buf, p % SEG);
    writeFileSync(file, buf);
  }
}

function pageInfo(dir: string, page: number): number {
  return readFileSync(join(dir, segFile(page))).readUInt16LE((page % SEG) + 2);
}

/** Bytes of WAL from `lsn` to `end` a record can fill (page headers left out). */
function usableBytes(lsn: number, end: number): number {
  let n = 0;
  for (let p = lsn; p < end; ) {
    const pageStart = Math.floor(p / PAGE) * PAGE;
    const hdr = pageStart % SEG === 0 ? 40 : 24;
    const from = Math.max(p, pageStart + hdr);
    const to = Math.min(pageStart + PAGE, end);
    if (to > from) n += to - from;
    p = pageStart + PAGE;
  }
  return n;
}

/**
 * A non-transactional logical message whose record ends exactly at `target` (a page boundary):
 * sized from the insert position, checked with pg_waldump, retried if another record came
 * first. Returns the record's LSN.
 */
async function messageEndingAt(server: PgServer, tool: string, target: number): Promise<number> {
  // tot_len = XLogRecord (24) + XLR_BLOCK_ID_DATA_LONG header (5) + SizeOfLogicalMessage (24) + "p\0" + message.
  const overhead = 24 + 5 + 24 + 2;
  for (let attempt = 0; attempt < 5; attempt++) {
    const at = lsnNum(await server.currentLsn());
    const n = usableBytes(at, target) - overhead;
    if (n < 256) throw new Error(`no room for a message from ${lsnStr(at)} to ${lsnStr(target)}`);
    await server.query(`SELECT pg_logical_emit_message(false, 'p', repeat('x', ${n}))`);
    // A commit that flushes the WAL (the message alone may still sit in the WAL buffers).
    await server.query('SELECT pg_current_xact_id()');
    const after = await server.currentLsn();
    const recs = records(runCTool(tool, ['-p', server.walDir, '-s', lsnStr(at), '-e', after]).stdout);
    const m = recs.find((r) => r.rmgr === 'LogicalMessage');
    if (m !== undefined && m.lsn === at && m.tot === n + overhead) return m.lsn;
    // Something else was inserted first: fill to the next page and try again further on.
    target += 2 * SEG;
  }
  throw new Error('could not place a record ending at a page boundary');
}

describe.skipIf(!hasNativeStats || pgWaldumpPath(15) === null)('native --stats review: PostgreSQL 15, 1 MB segments', () => {
  const tool = pgWaldumpPath(15)!;
  let server: PgServer;
  let walDir: string;
  let start: number;
  let end: number;
  /** Segments S0…S5 each end with XLOG_SWITCH; S6 holds the start of `pageEnd`. */
  let s0: number;
  /** A record crossing from S6 into S7 that ends exactly at S7 + 3 pages. */
  let pageEnd: number;
  /** A record from S7 that covers S8 and ends exactly where S9 begins. */
  let segEnd: number;
  let all: ReturnType<typeof records>;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pgffi-native-review-'));
    server = await PgServer.start({
      major: 15,
      walSegSizeMb: 1,
      conf: { wal_keep_size: "'1GB'", timezone: "'UTC'", wal_compression: 'on', autovacuum: 'off' },
    });
    await server.query('CREATE TABLE t (a int PRIMARY KEY, b text)');
    await server.switchWal();
    start = lsnNum(await server.currentLsn());
    s0 = Math.floor(start / SEG);
    for (let i = 0; i < 6; i++) {
      if (i === 2) await server.checkpoint();
      await server.query(`INSERT INTO t SELECT g, repeat('r', 60) FROM generate_series(${i * 1500 + 1}, ${(i + 1) * 1500}) g`);
      if (i === 2) await server.query('UPDATE t SET b = b || 1 WHERE a % 50 = 0');
      await server.switchWal();
    }
    await server.query(`INSERT INTO t SELECT g, 'six' FROM generate_series(9001, 9100) g`);
    pageEnd = await messageEndingAt(server, tool, (s0 + 7) * SEG + 3 * PAGE);
    segEnd = await messageEndingAt(server, tool, (s0 + 9) * SEG);
    await server.query(`INSERT INTO t SELECT g, repeat('z', 100) FROM generate_series(20001, 32000) g`);
    end = lsnNum(await server.currentLsn());
    await server.stop();
    walDir = server.walDir;
    all = records(runCTool(tool, ['-p', walDir, '-s', lsnStr(start), '-e', lsnStr(end)]).stdout);
  }, 300_000);

  afterAll(async () => {
    await server?.destroy();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  it('the WAL has what the cases need', () => {
    const switches = all.filter((r) => r.line.includes('desc: SWITCH')).map((r) => Math.floor(r.lsn / SEG) - s0);
    expect(switches).toEqual([0, 1, 2, 3, 4, 5]);
    const a = all.find((r) => r.lsn === pageEnd)!;
    const b = all.find((r) => r.lsn === segEnd)!;
    expect(Math.floor(a.lsn / SEG)).toBe(s0 + 6);
    expect(Math.floor(b.lsn / SEG)).toBe(s0 + 7);
    // The records after them start just past the page header of the page they ended at.
    expect(all.some((r) => r.lsn === (s0 + 7) * SEG + 3 * PAGE + 24)).toBe(true);
    expect(all.some((r) => r.lsn === (s0 + 9) * SEG + 40)).toBe(true);
    expect(Math.floor(end / SEG)).toBeGreaterThanOrEqual(s0 + 10);
    expect(all.some((r) => r.line.includes('FPW'))).toBe(true);
  });

  it('seams after XLOG_SWITCH, after a record ending on a page boundary, at a segment end, inside a record: one joined call', async () => {
    // -s S0 … end (S10 or S11): four parts, from S0, S2, S5, S8 (inside `segEnd`) or S0, S3, S6, S9.
    // -s S4 … end: parts from S4, S6, S8 (inside `segEnd`: its first record is in S9), [S10].
    // -s S5 … end: three parts, from S5, S7 (`pageEnd` ends 3 pages in), S9 (`segEnd` ends where it begins).
    for (const from of [start, (s0 + 4) * SEG, (s0 + 5) * SEG]) {
      for (const stats of ['--stats=record', '-q']) {
        const args = ['-p', walDir, '-s', lsnStr(from), '-e', lsnStr(end), stats];
        const { c, four } = await allAgree(tool, args, args.join(' '));
        expect(c.status).toBe(0);
        const calls = four.filter((t) => (t.native ?? 0) > 0);
        expect(calls.length, `${args.join(' ')}: ${JSON.stringify(four)}`).toBe(1);
        expect(calls[0]!.stop).toBe('end-lsn');
        expect(calls[0]!.threads).toBe(4);
        expect(counted(four)).toBeGreaterThan(all.filter((r) => r.lsn >= from).length * 0.95);
      }
    }
  });

  it('two threads: the seam falls exactly at the end of `segEnd` and of `pageEnd`', async () => {
    // -s S5 … S8: 4 segments, parts from S5 and S7; -s S7 … S10: parts from S7 and S9.
    for (const [from, to] of [
      [(s0 + 5) * SEG, (s0 + 8) * SEG + 1000],
      [(s0 + 7) * SEG, Math.min(end, (s0 + 10) * SEG + 1000)],
    ] as const) {
      const args = ['-p', walDir, '-s', lsnStr(from), '-e', lsnStr(to), '--stats=record'];
      const c = runCTool(tool, args);
      const two = await ours(args, { POSTGRES_FFI_WALDUMP_WORKERS: '1' });
      same(c, two, args.join(' '));
      const calls = two.trace.filter((t) => (t.native ?? 0) > 0);
      expect(calls.length, `${args.join(' ')}: ${JSON.stringify(two.trace)}`).toBe(1);
      expect(calls[0]!.threads).toBe(2);
    }
  });

  it('XLP_FIRST_IS_OVERWRITE_CONTRECORD on a page that starts with a record, and on one that continues a record', async () => {
    // The page where `pageEnd` ended starts with a record: pg_waldump reads on; the native pass stops there.
    const dir = walCopy(walDir, 'overwrite');
    const page = (s0 + 7) * SEG + 3 * PAGE;
    expect(pageInfo(dir, page) & 0x0001).toBe(0);
    editPages(dir, page, page + PAGE, (b, o) => b.writeUInt16LE(b.readUInt16LE(o + 2) | 0x0008, o + 2));
    const args = ['-p', dir, '-s', lsnStr(start), '-e', lsnStr(end), '--stats=record'];
    const { c, four } = await allAgree(tool, args, `overwrite flag at ${lsnStr(page)}`);
    expect(c.status).toBe(0);
    // The pass stopped at the page and took over again after the reader went past it.
    expect(four.filter((t) => (t.native ?? 0) > 0).length).toBeGreaterThan(1);
    // A page inside `pageEnd`: the record is abandoned, the page's data is no record.
    const dir2 = walCopy(walDir, 'overwrite-contrecord');
    const inside = (s0 + 6) * SEG + 60 * PAGE;
    expect(pageInfo(dir2, inside) & 1).toBe(1);
    editPages(dir2, inside, inside + PAGE, (b, o) => b.writeUInt16LE(b.readUInt16LE(o + 2) | 0x0008, o + 2));
    const r2 = await allAgree(tool, ['-p', dir2, '-s', lsnStr(start), '-e', lsnStr(end), '--stats'], 'overwrite flag inside a record');
    expect(r2.c.status).toBe(1);
    expect(r2.c.stderr).toContain('contrecord is requested');
  });

  it('the reader restarts at the last record counted: one whose header is split across pages, an XLOG_SWITCH, one ending on a page boundary', async () => {
    // Damage the CRC of the record after each: the pass stops after it, the reader restarts at
    // it and fails on the next one, naming it as pg_waldump does.
    const index = new Map(all.map((r, i) => [r.lsn, i]));
    const split = all.find(
      (r, i) => r.lsn % PAGE > PAGE - 24 && all[i + 1] !== undefined && all[i + 1]!.lsn % PAGE <= PAGE - 24 && i > 100,
    )!;
    expect(split, 'a record whose header is split across pages').toBeDefined();
    const switch2 = all.find((r) => r.line.includes('desc: SWITCH') && Math.floor(r.lsn / SEG) === s0 + 2)!;
    const pageEndRecord = all.find((r) => r.lsn === pageEnd)!;
    for (const [name, r] of [
      ['split header', split],
      ['XLOG_SWITCH', switch2],
      ['ends on a page boundary', pageEndRecord],
    ] as const) {
      const next = all[index.get(r.lsn)! + 1]!;
      const dir = walCopy(walDir, `restart-${name.replace(/\W/g, '-')}`);
      editSegment(dir, next.lsn + 20, (b, o) => {
        b[o] = b[o]! ^ 0x5a;
      });
      const { c, one, four } = await allAgree(
        tool,
        ['-p', dir, '-s', lsnStr(start), '-e', lsnStr(end), '--stats'],
        `${name}: damaged ${lsnStr(next.lsn)}`,
      );
      expect(c.stderr).toContain(
        `error in WAL record at ${lsnStr(r.lsn)}: incorrect resource manager data checksum in record at ${lsnStr(next.lsn)}`,
      );
      for (const trace of [one, four]) {
        expect(trace[0]!.stop).toBe('invalid');
        expect(trace[0]!.native).toBe(index.get(r.lsn)!);
      }
    }
  });

  it('xlp_tli raised on one page (out of sequence after it), and on every page from one on (read on)', async () => {
    const dir = walCopy(walDir, 'tli-one');
    const page = (s0 + 4) * SEG + 10 * PAGE;
    const switch4 = all.find((r) => r.line.includes('desc: SWITCH') && Math.floor(r.lsn / SEG) === s0 + 4)!;
    expect(switch4.lsn).toBeGreaterThan(page + 2 * PAGE);
    editPages(dir, page, page + PAGE, (b, o) => b.writeUInt32LE(2, o + 4));
    const one = await allAgree(tool, ['-p', dir, '-s', lsnStr(start), '-e', lsnStr(end), '--stats'], 'tli 2 on one page');
    expect(one.c.status).toBe(1);
    expect(one.c.stderr).toContain('out-of-sequence timeline ID 1 (after 2)');
    // From a page inside `segEnd` on, every page has timeline 2 (file names keep timeline 1).
    const dir2 = walCopy(walDir, 'tli-rest');
    editPages(dir2, (s0 + 8) * SEG + 5 * PAGE, Math.ceil(end / PAGE) * PAGE, (b, o) => b.writeUInt32LE(2, o + 4));
    const args = ['-p', dir2, '-s', lsnStr(start), '-e', lsnStr(end), '--stats=record'];
    const rest = await allAgree(tool, args, 'tli 2 from a page on');
    expect(rest.c.status).toBe(0);
    // The pass stops where the timeline changes and counts the rest with timeline 2.
    expect(rest.four.filter((t) => (t.native ?? 0) > 0).length).toBeGreaterThan(1);
  });
});

for (const major of [14, 16] as const) {
  describe.skipIf(!hasNativeStats || pgWaldumpPath(major) === null)(`native --stats review: PostgreSQL ${major} full-page images`, () => {
    const tool = pgWaldumpPath(major as PgMajorVersion)!;
    let server: PgServer;
    let walDir: string;
    let start: string;
    let end: string;

    beforeAll(async () => {
      tmp = mkdtempSync(join(tmpdir(), `pgffi-native-review-${major}-`));
      server = await PgServer.start({ major, walSegSizeMb: 1, conf: { wal_keep_size: "'1GB'", wal_compression: 'on', autovacuum: 'off' } });
      await server.query('CREATE TABLE f (a int PRIMARY KEY, b text) WITH (fillfactor = 50)');
      await server.query(`INSERT INTO f SELECT g, repeat('f', 40) FROM generate_series(1, 4000) g`);
      await server.switchWal();
      start = await server.currentLsn();
      await server.checkpoint();
      // Compressed images (pglz), with and without a hole, then uncompressed ones.
      await server.query('UPDATE f SET b = b WHERE a % 4 = 0');
      await server.checkpoint();
      await server.query('SET wal_compression = off');
      await server.query('UPDATE f SET b = b WHERE a % 4 = 1');
      await server.query(`INSERT INTO f SELECT g, repeat('g', 40) FROM generate_series(4001, 9000) g`);
      end = await server.currentLsn();
      await server.stop();
      walDir = server.walDir;
    }, 300_000);

    afterAll(async () => {
      await server?.destroy();
      if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
    });

    it('images counted as pg_waldump counts them; bimg_info bits flipped (CRC fixed) stop all readers alike', async () => {
      const args = ['-p', walDir, '-s', start, '-e', end, '--stats=record'];
      const { c, one } = await allAgree(tool, args, `PostgreSQL ${major}`);
      expect(c.status).toBe(0);
      expect(counted(one)).toBeGreaterThan(1000);
      // Records with an image of block 0 lying within one page: flip bits of its bimg_info.
      const lines = runCTool(tool, ['-p', walDir, '-s', start, '-e', end, '-b']).stdout.split('\n');
      const withImage: { lsn: number; tot: number; compressed: boolean }[] = [];
      let current: { lsn: number; tot: number } | null = null;
      for (const line of lines) {
        const m = /^rmgr: \S+\s+len \(rec\/tot\):\s+\d+\/\s*(\d+), tx:\s+\d+, lsn: (\S+),/.exec(line);
        if (m !== null) current = { tot: Number(m[1]), lsn: lsnNum(m[2]!) };
        else if (current !== null && /^\s+blkref #0: .*\(FPW/.test(line)) {
          if ((current.lsn % PAGE) + current.tot <= PAGE) withImage.push({ ...current, compressed: line.includes('compression saved') });
        }
      }
      expect(withImage.some((r) => r.compressed)).toBe(true);
      expect(withImage.some((r) => !r.compressed)).toBe(true);
      const compressed = withImage.filter((r) => r.compressed);
      const plain = withImage.filter((r) => !r.compressed);
      const picks = [compressed[Math.floor(compressed.length / 2)]!, plain[Math.floor(plain.length / 2)]!];
      const dir = walCopy(walDir, `bimg-${major}`);
      const outcomes: number[] = [];
      for (const r of picks) {
        for (const bit of [0x01, 0x02, 0x04, 0x08]) {
          const file = join(dir, segFile(r.lsn));
          const original = readFileSync(file);
          const damaged = Buffer.from(original);
          const rec = damaged.subarray(r.lsn % SEG, (r.lsn % SEG) + r.tot);
          // Block 0's header: id, fork_flags (BKPBLOCK_HAS_IMAGE), data_len, bimg_len, hole_offset, bimg_info.
          expect(rec[24]).toBe(0);
          expect(rec[25]! & 0x10).toBe(0x10);
          rec[32] = rec[32]! ^ bit;
          rec.writeUInt32LE(crc32cFinish(crc32cUpdate(crc32cUpdate(CRC32C_INIT, rec, 24, r.tot), rec, 0, 20)), 20);
          writeFileSync(file, damaged);
          try {
            const damagedArgs = ['-p', dir, '-s', start, '-e', end, '--stats=record'];
            // pg_waldump 14 names the failing record itself in a DecodeXLogRecord error line
            // (its ReadRecPtr is set before decoding), 15 and 16 the one before.
            const d = await allAgree(tool, damagedArgs, `PostgreSQL ${major}: bimg_info ^ ${bit} in the record at ${lsnStr(r.lsn)}`);
            outcomes.push(d.c.status);
            // The pass counted the records up to the damaged one (the reader decided the rest).
            expect(counted(d.one)).toBeGreaterThan(100);
          } finally {
            writeFileSync(file, original);
          }
        }
      }
      // Some flips are decode errors, some change nothing that is checked (APPLY, unknown bits).
      expect(outcomes).toContain(0);
      expect(outcomes).toContain(1);
    });
  });
}

describe.skipIf(!hasNativeStats || pgWaldumpPath(15) === null)('native --stats review: more segments than one call takes', () => {
  const tool = pgWaldumpPath(15)!;
  let server: PgServer;
  let start: string;
  let end: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pgffi-native-review-files-'));
    server = await PgServer.start({
      major: 15,
      walSegSizeMb: 1,
      conf: { wal_keep_size: "'2GB'", max_wal_size: "'4GB'", autovacuum: 'off' },
    });
    await server.query('CREATE TABLE t (a int)');
    await server.switchWal();
    start = await server.currentLsn();
    // ~135 segments of 1.4 MB logical messages: records cross every segment boundary, also the
    // one between the first call's 128 segments and the next call's.
    for (let i = 0; i < 95; i++) {
      await server.query(`SELECT pg_logical_emit_message(false, 'm', repeat('x', ${1_400_000 + i * 1000}))`);
      await server.query('INSERT INTO t SELECT generate_series(1, 200)');
    }
    end = await server.currentLsn();
    await server.stop();
  }, 300_000);

  afterAll(async () => {
    await server?.destroy();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  it('a record across the boundary between two calls: the second call goes on after it', async () => {
    for (const args of [
      ['-p', server.walDir, '-s', start, '-e', end, '--stats=record'],
      ['-p', server.walDir, '-s', start, '--stats'],
    ]) {
      const { one, four } = await allAgree(tool, args, args.join(' '));
      for (const trace of [one, four]) {
        expect(trace[0]!.stop, JSON.stringify(trace)).toBe('files');
        expect(trace[1]!.native).toBeGreaterThan(500);
      }
    }
  });
});
