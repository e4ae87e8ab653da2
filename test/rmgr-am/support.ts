/**
 * Support for the access-method rmgr tests: data-driven workload files (cases/*.txt) run on a
 * real server, our decoder's record types and descriptions for the WAL they produce, and the
 * oracles — pg_walinspect (15, 16) and pg_waldump (Debian's 15; PostgreSQL 14 and 16 from
 * scripts/install-pg-tools.sh when installed).
 *
 * Case file format, one directive per line ('#' starts a comment line):
 *   versions: 15 16          only run on these majors (default: all)
 *   expect: Heap/INSERT ...  record types (rmgr/type) the case must produce on every major
 *   expect 16: ...           ... on one major only
 *   match[ 16]: T /regex/    some record of type T (rmgr/type) has a description matching regex
 *   sql: <statement>         run on the main connection; indented lines continue it
 *   sql2: <statement>        run on a second connection (kept open across the case)
 *   checkpoint | switch-wal
 */

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { formatLsn, parseLsn } from '../../src/common/core/lsn.js';
import type { PgMajor } from '../../src/common/core/version.js';
import { lsnToSegmentNumber, segmentStartLsn, walFileName } from '../../src/common/core/wal-file-names.js';
import type { PgVersionProfile } from '../../src/common/profile.js';
import { brinRmgr } from '../../src/common/rmgr/brin.js';
import { btreeRmgr } from '../../src/common/rmgr/btree.js';
import { genericRmgr } from '../../src/common/rmgr/generic.js';
import { ginRmgr } from '../../src/common/rmgr/gin.js';
import { gistRmgr } from '../../src/common/rmgr/gist.js';
import { hashRmgr } from '../../src/common/rmgr/hash.js';
import { heapRmgr } from '../../src/common/rmgr/heap.js';
import { heap2Rmgr } from '../../src/common/rmgr/heap2.js';
import { sequenceRmgr } from '../../src/common/rmgr/sequence.js';
import { spgistRmgr } from '../../src/common/rmgr/spgist.js';
import type { RmgrDescriptor } from '../../src/common/rmgr/types.js';
import { detachRecord } from '../../src/common/wal/decoded-record.js';
import type { BlockReference, DecodedRecord } from '../../src/common/wal/record.js';
import { WalStreamDecoder } from '../../src/common/wal/stream-decoder.js';
import { profile as profile14 } from '../../src/v14/profile.js';
import { profile as profile15 } from '../../src/v15/profile.js';
import { profile as profile16 } from '../../src/v16/profile.js';
import type { PgServer } from '../support/pg-server.js';
import { mulberry32 } from '../support/prng.js';

export const PROFILES: Record<PgMajor, PgVersionProfile> = { 14: profile14, 15: profile15, 16: profile16 };

/** The rmgrs under test, by rmgr id. */
export const AM_RMGRS: ReadonlyMap<number, RmgrDescriptor> = new Map(
  [heap2Rmgr, heapRmgr, btreeRmgr, hashRmgr, ginRmgr, gistRmgr, sequenceRmgr, spgistRmgr, brinRmgr, genericRmgr].map((r) => [
    r.id,
    r as RmgrDescriptor,
  ]),
);

/** Server settings the workloads need: keep every segment of the run, autovacuum off (deterministic). */
export const AM_SERVER_CONF = { wal_keep_size: "'2GB'", autovacuum: 'off' };

type Step = { kind: 'sql'; sql: string; conn: 1 | 2 } | { kind: 'checkpoint' } | { kind: 'switch-wal' };

export interface WorkloadCase {
  name: string;
  versions: PgMajor[] | null;
  expect: Map<PgMajor | 'all', string[]>;
  match: Array<{ major: PgMajor | 'all'; type: string; re: RegExp }>;
  steps: Step[];
}

export function loadCases(dir: string): WorkloadCase[] {
  const out: WorkloadCase[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.txt')) continue;
    const c: WorkloadCase = { name: file.replace(/\.txt$/, ''), versions: null, expect: new Map(), match: [], steps: [] };
    for (const raw of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
      const last = c.steps.at(-1);
      if (/^\s/.test(raw)) {
        if (last?.kind !== 'sql') throw new Error(`${file}: continuation line without sql: ${raw}`);
        last.sql += `\n${raw}`;
        continue;
      }
      const m = /^([a-z0-9-]+)(?: (\d+))?:?\s*(.*)$/.exec(raw);
      if (m === null) throw new Error(`${file}: cannot parse: ${raw}`);
      const [, directive, major, rest] = m as unknown as [string, string, string | undefined, string];
      if (directive === 'versions') c.versions = rest.split(/\s+/).map((v) => Number(v) as PgMajor);
      else if (directive === 'expect') {
        const key = major === undefined ? 'all' : (Number(major) as PgMajor);
        c.expect.set(key, [...(c.expect.get(key) ?? []), ...rest.split(/\s+/).filter((s) => s !== '')]);
      } else if (directive === 'match') {
        const mm = /^(\S+) \/(.*)\/$/.exec(rest);
        if (mm === null) throw new Error(`${file}: match wants "type /regex/": ${raw}`);
        c.match.push({ major: major === undefined ? 'all' : (Number(major) as PgMajor), type: mm[1]!, re: new RegExp(mm[2]!) });
      } else if (directive === 'sql' || directive === 'sql2') c.steps.push({ kind: 'sql', sql: rest, conn: directive === 'sql' ? 1 : 2 });
      else if (directive === 'checkpoint' || directive === 'switch-wal') c.steps.push({ kind: directive });
      else throw new Error(`${file}: unknown directive ${directive}`);
    }
    out.push(c);
  }
  return out;
}

export interface CaseRange {
  case: WorkloadCase;
  start: bigint;
  end: bigint;
}

/** Runs every case (for this major) in order, returning the WAL range each one produced. */
export async function runCases(server: PgServer, cases: readonly WorkloadCase[]): Promise<CaseRange[]> {
  const ranges: CaseRange[] = [];
  for (const c of cases) {
    if (c.versions !== null && !c.versions.includes(server.major)) continue;
    let second: pg.Client | null = null;
    const start = parseLsn(await server.currentLsn());
    try {
      for (const step of c.steps) {
        if (step.kind === 'checkpoint') await server.checkpoint();
        else if (step.kind === 'switch-wal') await server.switchWal();
        else if (step.conn === 1) await server.query(step.sql);
        else {
          second ??= await server.connect('postgres');
          await second.query(step.sql);
        }
      }
    } catch (e) {
      throw new Error(`case ${c.name} on ${server.major}: ${(e as Error).message}`);
    } finally {
      await second?.end();
    }
    ranges.push({ case: c, start, end: parseLsn(await server.currentLsn()) });
  }
  return ranges;
}

export interface OurRecord {
  lsn: bigint;
  rmgr: string;
  type: string;
  desc: string;
}

/** Calls `fn` for every record in [start, end) of the server's pg_wal, decoded by our WAL reader. */
export function forEachRecord(server: PgServer, start: bigint, end: bigint, fn: (record: DecodedRecord) => void): void {
  const profile = PROFILES[server.major];
  const decoder = new WalStreamDecoder(profile, { startLsn: start, inputLsn: segmentStartLsn(lsnToSegmentNumber(start)) });
  let segno = lsnToSegmentNumber(start);
  const lastSeg = lsnToSegmentNumber(end);
  for (;;) {
    if (segno <= lastSeg) {
      decoder.push(readFileSync(join(server.walDir, walFileName(1, segno))));
      segno++;
    } else decoder.end();
    for (let r = decoder.next(); r !== null; r = decoder.next()) {
      if (r.lsn >= end) return;
      fn(r);
    }
    if (segno > lastSeg && decoder.endOfWal !== null) return;
  }
}

/**
 * Decodes [start, end) with our decoder; returns the AM records described, and into `samples`
 * (when given) owned copies of up to two records per record type and block-0 shape.
 */
export function decodeOurs(server: PgServer, start: bigint, end: bigint, samples?: DecodedRecord[]): OurRecord[] {
  const sampleCounts = new Map<string, number>();
  const profile = PROFILES[server.major];
  const out: OurRecord[] = [];
  forEachRecord(server, start, end, (r) => {
    const rmgr = AM_RMGRS.get(r.rmid);
    if (rmgr === undefined) return;
    const type = rmgr.identify(r.info, profile) ?? `UNKNOWN (${(r.info & 0xf0).toString(16)})`;
    out.push({ lsn: r.lsn, rmgr: rmgr.name, type, desc: rmgr.describe(r, profile) });
    if (samples === undefined) return;
    const b0 = r.blocks[0];
    const key = `${rmgr.name}/${type}/${b0?.hasData ?? '-'}/${b0?.hasImage ?? '-'}`;
    const n = sampleCounts.get(key) ?? 0;
    if (n < 2) {
      sampleCounts.set(key, n + 1);
      samples.push(detachRecord(profile, r));
    }
  });
  return out;
}

export interface OracleRecord {
  lsn: bigint;
  rmgr: string;
  type: string;
  desc: string;
}

/** pg_get_wal_records_info(start, end) (15, 16): record_type and description (NULL read as ''). */
export async function walinspectRecords(server: PgServer, start: bigint, end: bigint): Promise<OracleRecord[]> {
  await server.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect');
  const rows = await server.query<{ start_lsn: string; resource_manager: string; record_type: string; description: string | null }>(
    'SELECT start_lsn::text, resource_manager, record_type, description FROM pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn)',
    [formatLsn(start), formatLsn(end)],
  );
  return rows.map((r) => ({ lsn: parseLsn(r.start_lsn), rmgr: r.resource_manager, type: r.record_type, desc: r.description ?? '' }));
}

/** pg_waldump binaries available as oracles for a major. */
export function waldumpBinary(major: PgMajor): string | null {
  const candidates =
    major === 15
      ? ['/usr/lib/postgresql/15/bin/pg_waldump']
      : [join(process.env.PGFFI_TOOLS ?? '/opt/pgffi-pg', String(major), 'bin', 'pg_waldump')];
  return candidates.find((p) => existsSync(p)) ?? null;
}

const WALDUMP_LINE =
  /^rmgr: (\S+)\s+len \(rec\/tot\):\s*\d+\/\s*\d+, tx:\s*\d+, lsn: ([0-9A-F]+\/[0-9A-F]+), prev [0-9A-F]+\/[0-9A-F]+, desc: (.*)$/;

/**
 * pg_waldump -b -p pg_wal -s start -e end: with -b the block references go on their own lines,
 * so each record line ends with "desc: <type> <description>".
 */
export function waldumpRecords(bin: string, walDir: string, start: bigint, end: bigint): OracleRecord[] {
  const libDir = join(bin, '..', '..', 'lib');
  const res = spawnSync(bin, ['-b', '-p', walDir, '-s', formatLsn(start), '-e', formatLsn(end)], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, LD_LIBRARY_PATH: libDir },
  });
  if (res.status !== 0) throw new Error(`${bin} failed (${res.status}): ${res.stderr}`);
  const out: OracleRecord[] = [];
  for (const line of res.stdout.split('\n')) {
    const m = WALDUMP_LINE.exec(line);
    if (m === null) continue;
    out.push({ lsn: parseLsn(m[2]!), rmgr: m[1]!, type: '', desc: m[3]! });
  }
  return out;
}

export interface Comparison {
  compared: number;
  mismatches: string[];
  /** rmgr/type seen, per case. */
  seen: Map<string, Set<string>>;
}

/**
 * Compares our type and description with the oracle for every AM record in each case's range.
 * For pg_waldump oracles (`joined`), the oracle text is "<type> <desc>".
 */
export function compare(
  ours: readonly OurRecord[],
  oracle: readonly OracleRecord[],
  ranges: readonly CaseRange[],
  joined: boolean,
): Comparison {
  const byLsn = new Map<bigint, OracleRecord>();
  for (const o of oracle) byLsn.set(o.lsn, o);
  const mismatches: string[] = [];
  const seen = new Map<string, Set<string>>();
  let compared = 0;
  for (const r of ours) {
    const range = ranges.find((x) => r.lsn >= x.start && r.lsn < x.end);
    const caseName = range?.case.name ?? '(between cases)';
    const o = byLsn.get(r.lsn);
    compared++;
    if (o === undefined) {
      mismatches.push(`${caseName} ${formatLsn(r.lsn)} ${r.rmgr}/${r.type}: no oracle record`);
      continue;
    }
    if (!seen.has(caseName)) seen.set(caseName, new Set());
    seen.get(caseName)!.add(`${r.rmgr}/${r.type}`);
    const ok = joined ? o.rmgr === r.rmgr && o.desc === `${r.type} ${r.desc}` : o.rmgr === r.rmgr && o.type === r.type && o.desc === r.desc;
    if (!ok) {
      const theirs = joined ? `${o.rmgr} ${o.desc}` : `${o.rmgr}/${o.type} ${JSON.stringify(o.desc)}`;
      const mine = joined ? `${r.rmgr} ${r.type} ${r.desc}` : `${r.rmgr}/${r.type} ${JSON.stringify(r.desc)}`;
      mismatches.push(`${caseName} ${formatLsn(r.lsn)}\n   oracle: ${theirs}\n   ours:   ${mine}`);
    }
  }
  // Every AM record the oracle lists must be one we produced.
  const ourLsns = new Set(ours.map((r) => r.lsn));
  const amNames = new Set([...AM_RMGRS.values()].map((r) => r.name));
  for (const o of oracle) {
    if (amNames.has(o.rmgr) && !ourLsns.has(o.lsn)) mismatches.push(`${formatLsn(o.lsn)} ${o.rmgr}: oracle record we did not decode`);
  }
  return { compared, mismatches, seen };
}

/** Expected record types each case did not produce (on this major). */
export function missingCoverage(ranges: readonly CaseRange[], seen: Map<string, Set<string>>, major: PgMajor): string[] {
  const missing: string[] = [];
  for (const { case: c } of ranges) {
    const want = [...(c.expect.get('all') ?? []), ...(c.expect.get(major) ?? [])];
    const got = seen.get(c.name) ?? new Set();
    for (const w of want) if (!got.has(w)) missing.push(`${c.name}: ${w}`);
  }
  return missing;
}

/** Record types (rmgr/type) rm_identify can name, split into those the run produced and the rest. */
export function typeCoverage(seen: Map<string, Set<string>>, major: PgMajor): { produced: string[]; notProduced: string[] } {
  const all = new Set<string>();
  for (const rmgr of AM_RMGRS.values()) {
    for (let info = 0; info < 256; info += 16) {
      const type = rmgr.identify(info, PROFILES[major]);
      if (type !== undefined) all.add(`${rmgr.name}/${type}`);
    }
  }
  const got = new Set<string>();
  for (const types of seen.values()) for (const t of types) got.add(t);
  return { produced: [...all].filter((t) => got.has(t)).sort(), notProduced: [...all].filter((t) => !got.has(t)).sort() };
}

/** A plain copy of `record` with other main data and/or block data. */
export function withParts(record: DecodedRecord, mainData: Uint8Array, blockData?: ReadonlyMap<number, Uint8Array>): DecodedRecord {
  const blocks: BlockReference[] = record.blocks.map((b) => {
    const data = blockData?.get(b.id);
    if (data === undefined) return b;
    return {
      id: b.id,
      forkFlags: b.forkFlags,
      fork: b.fork,
      hasImage: b.hasImage,
      hasData: b.hasData,
      willInit: b.willInit,
      sameRel: b.sameRel,
      spcOid: b.spcOid,
      dbOid: b.dbOid,
      relNumber: b.relNumber,
      blockNumber: b.blockNumber,
      data,
      image: b.image,
    };
  });
  return {
    lsn: record.lsn,
    endLsn: record.endLsn,
    prevLsn: record.prevLsn,
    xid: record.xid,
    rmid: record.rmid,
    info: record.info,
    totalLength: record.totalLength,
    crc: record.crc,
    origin: record.origin,
    toplevelXid: record.toplevelXid,
    blocks,
    mainData,
    raw: record.raw,
  };
}

/** The shared mulberry32. */
export function prng(seed: number): () => number {
  return mulberry32(seed);
}

/** `match` expectations of each case that no record of the case satisfied (on this major). */
export function missingMatches(ranges: readonly CaseRange[], ours: readonly OurRecord[], major: PgMajor): string[] {
  const missing: string[] = [];
  for (const { case: c, start, end } of ranges) {
    for (const m of c.match) {
      if (m.major !== 'all' && m.major !== major) continue;
      const hit = ours.some((r) => r.lsn >= start && r.lsn < end && `${r.rmgr}/${r.type}` === m.type && m.re.test(r.desc));
      if (!hit) missing.push(`${c.name}: ${m.type} /${m.re.source}/`);
    }
  }
  return missing;
}
