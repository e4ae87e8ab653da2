/**
 * `pgffi waldump`'s byte-level line writer (common/waldump writeRecordLine: padded numbers,
 * LSN hex, block references, and the heap/btree descriptions written without strings) against
 * pg_waldump 14/15/16 on WAL we encode: seeded random heap INSERT/DELETE/UPDATE/HOT_UPDATE/LOCK
 * and btree INSERT_* records (random offsets, flags, infobits, xmax values), xids across the
 * whole 32-bit range, relation OIDs and block numbers up to 2^32-1, every fork, images applied
 * or for verification, records over 1 MB ("%6u" overflowing its width), LSNs whose high half
 * has several hex digits. Both outputs (plain and -b) must be byte-identical. Then the
 * description fast path's refusals: records too short for the rmgr decoder raise the same
 * error through writeRecordLine as through describe().
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/waldump.js';
import { formatLsnPadded } from '../../src/common/core/lsn.js';
import type { PgVersionProfile } from '../../src/common/profile.js';
import { describe as describeRecord } from '../../src/common/rmgr/index.js';
import { WalStreamDecoder } from '../../src/common/wal/index.js';
import type { DecodedRecord } from '../../src/common/wal/record.js';
import type { BlockInput, RecordInput } from '../../src/common/wal-encode/index.js';
import { formatRecordLine, writeRecordLine } from '../../src/common/waldump/format.js';
import { TextSink } from '../../src/common/waldump/text-sink.js';
import { profile as p14 } from '../../src/v14/profile.js';
import { profile as p15 } from '../../src/v15/profile.js';
import { profile as p16 } from '../../src/v16/profile.js';
import { mulberry32 } from '../support/prng.js';
import { expectSameText } from '../support/text-diff.js';
import { makePage, WalBuilder } from '../support/wal-builder.js';
import { pgWaldumpPath } from './runner.js';

const SEED = Number(process.env.PGFFI_SEED ?? Date.now() % 2 ** 31);
console.log(`line-bytes seed: ${SEED} (PGFFI_SEED=${SEED} to replay)`);

const work = mkdtempSync(join(tmpdir(), 'pgffi-line-bytes-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const RM_HEAP = 10;
const RM_BTREE = 11;
const HEAP_OPS = [0x00, 0x10, 0x20, 0x40, 0x60];
const BTREE_INSERTS = [0x00, 0x10, 0x20, 0x50];
/** LSN high halves: 0, one hex digit, two, and five (the writer's multi-word path). */
const HIGH_HALVES = [0n, 0xan, 0x2bn, 0x12345n];

function build(profile: PgVersionProfile, seed: number, high: bigint): WalBuilder {
  const r = mulberry32(seed >>> 0 || 1);
  const int = (n: number): number => Math.floor(r() * n);
  const bytes = (n: number): Uint8Array => {
    const a = new Uint8Array(n);
    for (let i = 0; i < n; i++) a[i] = int(256);
    return a;
  };
  const u32 = (): number => [int(10), int(100_000), int(100_000_000), int(2 ** 32)][int(4)]!;
  const segmentSize = 1024 * 1024;
  const b = new WalBuilder(profile, { segmentSize, startLsn: (high << 32n) + BigInt(segmentSize) * 3n });
  for (let i = 0; i < 1500; i++) {
    const roll = r();
    if (roll < 0.004) {
      // Over 1 MB: "len (rec/tot)" wider than its 6 columns.
      b.append({ rmid: 0, info: 0x20, xid: u32(), mainData: bytes(1_000_000 + int(200_000)) });
      continue;
    }
    const heap = roll < 0.6;
    const op = heap ? HEAP_OPS[int(HEAP_OPS.length)]! : BTREE_INSERTS[int(BTREE_INSERTS.length)]!;
    const init = heap && op !== 0x10 && op !== 0x60 && r() < 0.2 ? 0x80 : 0;
    let main: Uint8Array;
    if (!heap) main = bytes(2 + (r() < 0.2 ? int(20) : 0));
    else if (op === 0x00) main = bytes(3);
    // DELETE/LOCK: 8 bytes; UPDATE: 14; room for an old tuple or key whatever the flags say.
    else main = bytes((op === 0x10 || op === 0x60 ? 8 : 14) + 5 + int(30));
    const nblocks = int(3) + (heap ? 1 : 0);
    const ids = [...new Set([0, ...Array.from({ length: nblocks }, () => int(33))])].slice(0, Math.max(1, nblocks)).sort((x, y) => x - y);
    const blocks: BlockInput[] = ids.map((id) => {
      const withImage = r() < 0.15;
      const lower = 24 + 4 * int(500);
      const upper = lower + int(8192 - lower);
      return {
        id,
        fork: r() < 0.7 ? 0 : int(4),
        spcOid: u32(),
        dbOid: u32(),
        relNumber: u32(),
        blockNumber: Math.min(u32(), 2 ** 32 - 2),
        // Heap block 0 data: at least the header and the UPDATE prefix/suffix lengths.
        data: r() < 0.7 ? bytes(9 + int(60)) : new Uint8Array(0),
        ...(withImage
          ? {
              image: {
                page: makePage(lower, upper, ['random', 'zeros', 'text'][int(3)]!, int(2 ** 31)),
                hole: r() < 0.8 ? ('standard' as const) : ('none' as const),
                compression: r() < 0.5 ? ('pglz' as const) : ('none' as const),
                apply: r() < 0.8,
              },
            }
          : {}),
      };
    });
    const input: RecordInput = { rmid: heap ? RM_HEAP : RM_BTREE, info: op | init, xid: u32(), mainData: main, blocks };
    b.append(input);
  }
  b.noop(10);
  return b;
}

describe.each([p14, p15, p16])('pgffi waldump lines equal pg_waldump $major (encoded heap/btree WAL)', (profile) => {
  const tool = pgWaldumpPath(profile.major);
  it.skipIf(tool === null)('plain and -b output byte-identical, at several LSN high halves', async () => {
    for (const [k, high] of HIGH_HALVES.entries()) {
      const b = build(profile, SEED + profile.major * 10 + k, high);
      const dir = join(work, `v${profile.major}-${k}`);
      mkdirSync(dir);
      for (const f of b.files()) writeFileSync(join(dir, f.name), f.bytes);
      const start = formatLsnPadded(b.records[0]!.lsn);
      for (const extra of [[], ['-b']]) {
        const args = ['-p', dir, '-s', start, ...extra];
        const c = spawnSync(tool!, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' }, maxBuffer: 1 << 28 });
        const out: string[] = [];
        await run(args, { stdout: (s) => out.push(s), stderr: () => {}, timeZone: 'UTC' });
        const ours = out.join('');
        const theirs = c.stdout;
        expect(theirs.split('\n').length).toBeGreaterThan(1500);
        expectSameText(ours, theirs);
      }
    }
  });
});

function decodeAll(profile: PgVersionProfile, b: WalBuilder): DecodedRecord[] {
  const d = new WalStreamDecoder(profile, {});
  for (const f of b.files()) d.push(f.bytes);
  d.end();
  const out: DecodedRecord[] = [];
  for (const rec of d) out.push(rec);
  return out;
}

function lineOf(record: DecodedRecord, profile: PgVersionProfile, bkpDetails: boolean): string {
  const chunks: Uint8Array[] = [];
  const sink = new TextSink((bytes) => chunks.push(bytes.slice()), 256);
  writeRecordLine(sink, record, profile, { bkpDetails });
  sink.flush();
  return Buffer.concat(chunks).toString('utf8');
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
  }
  return 'no error';
}

describe.each([p14, p15, p16])('description fast path declines what the decoder rejects ($major)', (profile) => {
  it('short main data and short block 0 data raise describe()’s error; the rest equals formatRecordLine', () => {
    const b = new WalBuilder(profile);
    const cases: RecordInput[] = [
      { rmid: RM_HEAP, info: 0x00, mainData: new Uint8Array(2) },
      {
        rmid: RM_HEAP,
        info: 0x00,
        mainData: new Uint8Array(3),
        blocks: [{ id: 0, spcOid: 1, dbOid: 2, relNumber: 3, blockNumber: 4, data: new Uint8Array(4) }],
      },
      { rmid: RM_HEAP, info: 0x10, mainData: new Uint8Array(7) },
      { rmid: RM_HEAP, info: 0x10, mainData: Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 0x02, 1, 2, 3, 4) },
      { rmid: RM_HEAP, info: 0x20, mainData: new Uint8Array(13) },
      { rmid: RM_HEAP, info: 0x40, mainData: Uint8Array.of(1, 0, 0, 0, 2, 0, 3, 0x04, 5, 0, 0, 0, 6, 0, 1, 2, 3) },
      {
        rmid: RM_HEAP,
        info: 0x20,
        mainData: new Uint8Array(14).fill(0x60, 7, 8),
        blocks: [{ id: 0, spcOid: 1, dbOid: 2, relNumber: 3, blockNumber: 4, data: new Uint8Array(8) }],
      },
      { rmid: RM_HEAP, info: 0x60, mainData: new Uint8Array(7) },
      { rmid: RM_BTREE, info: 0x00, mainData: new Uint8Array(1) },
      { rmid: RM_BTREE, info: 0x50, mainData: new Uint8Array(0) },
      // Accepted: exactly the sizes the decoder needs.
      {
        rmid: RM_HEAP,
        info: 0x80,
        mainData: Uint8Array.of(7, 0, 0xab),
        blocks: [{ id: 0, spcOid: 1, dbOid: 2, relNumber: 3, blockNumber: 4, data: new Uint8Array(5) }],
      },
      { rmid: RM_HEAP, info: 0x60, mainData: Uint8Array.of(0xff, 0xff, 0xff, 0xff, 9, 0, 0x1f, 0xff) },
      { rmid: RM_HEAP, info: 0xc0, mainData: Uint8Array.of(1, 2, 3, 4, 5, 0, 0xff, 0x03, 6, 7, 8, 9, 10, 0) },
      { rmid: RM_BTREE, info: 0x20, mainData: Uint8Array.of(0x34, 0x12) },
    ];
    for (const c of cases) b.append(c);
    const records = decodeAll(profile, b);
    expect(records.length).toBe(cases.length);
    let declined = 0;
    for (const rec of records) {
      const viaDescribe = errorOf(() => describeRecord(rec, profile));
      for (const bkp of [false, true]) {
        const viaLine = errorOf(() => lineOf(rec, profile, bkp));
        expect(viaLine).toBe(viaDescribe);
        if (viaDescribe === 'no error') expect(lineOf(rec, profile, bkp)).toBe(formatRecordLine(rec, profile, { bkpDetails: bkp }));
      }
      if (viaDescribe !== 'no error') declined++;
    }
    expect(declined).toBe(10);
  });
});
