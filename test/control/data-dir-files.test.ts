/**
 * The non-relation files of real 14, 15 and 16 data directories, against the SQL functions
 * exposing the same facts: pg_xact (pg_xact_status), pg_commit_ts (pg_xact_commit_timestamp),
 * pg_multixact (pg_get_multixact_members), pg_filenode.map (pg_relation_filenode),
 * pg_twophase (pg_prepared_xacts), pg_replslot (pg_replication_slots), PG_VERSION; and
 * encode(decode(x)) == x on every file.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeControlFile, encodeControlFile as encodeControlFileCopy } from '../../src/common/control/control-file.js';
import { decodeRelMapFile, encodeRelMapFile } from '../../src/common/control/relmapper.js';
import { decodeReplicationSlot, encodeReplicationSlot } from '../../src/common/control/replslot.js';
import {
  clogPosition,
  clogStatusName,
  commitTsXactsPerPage,
  getClogStatus,
  getCommitTsEntry,
  getMultiXactMember,
  getMultiXactOffset,
  MULTIXACT_MEMBERGROUP_SIZE,
  multiXactStatusText,
  readMultiXactMembers,
  setClogStatus,
  setCommitTsEntry,
  setMultiXactMember,
  setMultiXactOffset,
  slruSegmentFileName,
} from '../../src/common/control/slru.js';
import { decodePgVersionFile, encodePgVersionFile } from '../../src/common/control/text-files.js';
import { decodeTwoPhaseFile, encodeTwoPhaseFile, twoPhaseFileName, twoPhaseHeaderOffsets } from '../../src/common/control/twophase.js';
import { formatLsn } from '../../src/common/core/lsn.js';
import {
  readCommitTimestamp,
  readControlFile,
  readMultiXactMembersAt,
  readPgVersion,
  readRelMap,
  readReplicationSlots,
  readTwoPhaseFiles,
  readXactStatus,
  writeControlFile,
} from '../../src/node/data-dir-files.js';
import { profile as p14 } from '../../src/v14/profile.js';
import { profile as p15 } from '../../src/v15/profile.js';
import { profile as p16 } from '../../src/v16/profile.js';
import { PgServer } from '../support/pg-server.js';

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
/** TimestampTz (µs since 2000-01-01) of a timestamptz column, exactly. */
const TS_US = (col: string): string => `((extract(epoch from ${col}) * 1000000)::bigint - 946684800000000)::text`;

describe('layouts', () => {
  for (const profile of [p14, p15, p16]) {
    const layout = profile.layouts.xl_xact_prepare;
    it.skipIf(layout === undefined)(`TwoPhaseFileHeader offsets equal the generated xl_xact_prepare of ${profile.major}`, () => {
      const offsets = twoPhaseHeaderOffsets(profile.major);
      const generated = Object.fromEntries(layout!.fields.filter((f) => f.padding !== true).map((f) => [f.name, f.offset]));
      expect(offsets).toEqual(generated);
      expect(layout!.size).toBe(profile.major >= 15 ? 72 : 64);
      if (profile.major >= 15) expect(profile.layouts.xl_xact_stats_item!.size).toBe(12);
    });
  }
});

describe.each([14, 15, 16] as const)('PostgreSQL %i data directory', (major) => {
  let server: PgServer;
  let c2: pg.Client;
  let c3: pg.Client;
  const files = new Map<string, Uint8Array>();
  const xids = { committed: [] as number[], aborted: [] as number[], running: 0 };
  let nextXid = 0;
  let dboid = 0;

  const read = (rel: string): Uint8Array => {
    const b = files.get(rel);
    if (b === undefined) throw new Error(`${rel} was not read`);
    return b;
  };

  beforeAll(async () => {
    server = await PgServer.start({ major });
    const q = server.query.bind(server);
    const xid = async (client: { query: (s: string) => Promise<{ rows: { x: string }[] }> }): Promise<number> =>
      Number((await client.query('SELECT txid_current()::text AS x')).rows[0]!.x);
    const main = { query: async (s: string) => ({ rows: await q<{ x: string }>(s) }) };
    await q('CREATE TABLE t (a int PRIMARY KEY, b text); INSERT INTO t SELECT g, g::text FROM generate_series(1, 10) g');
    // slots first: a logical slot waits for running transactions
    await q("SELECT pg_create_physical_replication_slot('phys_slot', true)");
    await q(`SELECT pg_create_logical_replication_slot('logical_slot', 'pgoutput', false, true)`);
    await q('VACUUM FULL pg_class');
    for (let i = 0; i < 5; i++) {
      await q('BEGIN');
      xids.committed.push(await xid(main));
      await q(`INSERT INTO t VALUES (${100 + i}, 'c')`);
      await q('SAVEPOINT s; INSERT INTO t VALUES (' + (200 + i) + ", 's'); RELEASE s");
      await q('COMMIT');
      await q('BEGIN');
      xids.aborted.push(await xid(main));
      await q('ROLLBACK');
    }
    c2 = await server.connect('postgres');
    c3 = await server.connect('postgres');
    await c2.query('BEGIN');
    xids.running = await xid(c2);
    // multixacts: two lockers of one row, and a locker plus an updater of another
    await c2.query('SELECT * FROM t WHERE a = 1 FOR SHARE');
    await c3.query('BEGIN');
    await c3.query('SELECT * FROM t WHERE a = 1 FOR KEY SHARE');
    await c3.query('SELECT * FROM t WHERE a = 2 FOR KEY SHARE');
    await q('BEGIN');
    await q("UPDATE t SET b = 'u' WHERE a = 2");
    await q('COMMIT');
    await c3.query('COMMIT');
    // two-phase transactions with rels, invalidations and lock records
    await q("BEGIN; CREATE TABLE tp (a int); INSERT INTO t VALUES (300, 'p'); PREPARE TRANSACTION 'gid one'");
    await q("CREATE TABLE t2 (a int); BEGIN; DROP TABLE t2; SELECT * FROM t WHERE a = 4 FOR UPDATE; PREPARE TRANSACTION 'gid-two'");
    await q('CHECKPOINT');
    const row = await q<{ x: string; d: string }>(
      "SELECT txid_current_snapshot()::text AS x, (SELECT oid::text FROM pg_database WHERE datname = 'postgres') AS d",
    );
    nextXid = Number(row[0]!.x.split(':')[1]);
    dboid = Number(row[0]!.d);
    const rd = (rel: string): void => {
      const p = join(server.dataDir, rel);
      if (existsSync(p)) files.set(rel, new Uint8Array(readFileSync(p)));
    };
    for (const rel of [
      'global/pg_control',
      'global/pg_filenode.map',
      `base/${dboid}/pg_filenode.map`,
      'PG_VERSION',
      `base/${dboid}/PG_VERSION`,
    ])
      rd(rel);
    for (const dir of ['pg_xact', 'pg_commit_ts', 'pg_multixact/offsets', 'pg_multixact/members', 'pg_twophase'])
      for (const f of readdirSync(join(server.dataDir, dir))) rd(`${dir}/${f}`);
    for (const s of readdirSync(join(server.dataDir, 'pg_replslot'))) rd(`pg_replslot/${s}/state`);
  });
  afterAll(async () => {
    await c2?.end().catch(() => undefined);
    await c3?.end().catch(() => undefined);
    await server?.destroy();
  });

  it('pg_xact: every xid has the status pg_xact_status reports', async () => {
    // pg_xact_status is NULL below oldestClogXid, which starts as the checkpoint's oldestXid
    const oldest = decodeControlFile(read('global/pg_control')).checkPointCopy.oldestXid;
    const old = await server.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM generate_series(3, ${oldest - 1}) x WHERE pg_xact_status(x::text::xid8) IS NOT NULL`,
    );
    expect(old[0]!.n).toBe('0');
    const rows = await server.query<{ x: string; s: string }>(
      `SELECT x::text, pg_xact_status(x::text::xid8) AS s FROM generate_series(${oldest}, ${nextXid - 1}) x`,
    );
    expect(rows.length).toBeGreaterThan(15);
    const seg = read(`pg_xact/${slruSegmentFileName(0)}`);
    const ours = rows.map((r) => [r.x, clogStatusName(getClogStatus(seg, Number(r.x)))]);
    expect(ours).toEqual(rows.map((r) => [r.x, r.s]));
    for (const x of xids.committed) expect(clogStatusName(getClogStatus(seg, x))).toBe('committed');
    for (const x of xids.aborted) expect(clogStatusName(getClogStatus(seg, x))).toBe('aborted');
    expect(clogStatusName(getClogStatus(seg, xids.running))).toBe('in progress');
  });

  it('pg_xact: rebuilding the segment from the statuses gives the same bytes', () => {
    const seg = read('pg_xact/0000');
    const copy = new Uint8Array(seg.length);
    for (let x = 0; x < seg.length * 4; x++) setClogStatus(copy, x, getClogStatus(seg, x));
    expect(same(copy, seg)).toBe(true);
    expect(clogPosition(32768 * 32 + 5)).toEqual({ segment: 1, pageno: 32, offset: 1, shift: 2 });
    expect(() => getClogStatus(seg, seg.length * 4)).toThrow(
      `could not access status of transaction ${seg.length * 4}: Could not read from file "pg_xact/0000"`,
    );
  });

  it('pg_commit_ts: entries equal pg_xact_commit_timestamp', async () => {
    const control = decodeControlFile(read('global/pg_control'));
    const oldest = control.checkPointCopy.oldestCommitTsXid;
    expect(oldest).toBeGreaterThan(0);
    const rows = await server.query<{ x: string; us: string | null }>(
      `SELECT x::text, ${TS_US('pg_xact_commit_timestamp(x::text::xid)')} AS us FROM generate_series(${oldest}, ${nextXid - 1}) x`,
    );
    const seg = read('pg_commit_ts/0000');
    const ours = rows.map((r) => {
      const e = getCommitTsEntry(seg, Number(r.x));
      expect(e.nodeid).toBe(0);
      return [r.x, e.time === 0n ? null : e.time.toString()];
    });
    expect(ours).toEqual(rows.map((r) => [r.x, r.us]));
    expect(rows.filter((r) => r.us !== null).length).toBeGreaterThanOrEqual(xids.committed.length);
    const copy = new Uint8Array(seg.length);
    const per = commitTsXactsPerPage();
    for (let page = 0; page < seg.length / 8192; page++)
      for (let i = 0; i < per; i++) setCommitTsEntry(copy, page * per + i, getCommitTsEntry(seg, page * per + i));
    expect(same(copy, seg)).toBe(true);
  });

  it('pg_multixact: members equal pg_get_multixact_members', async () => {
    const control = decodeControlFile(read('global/pg_control'));
    const { nextMulti, nextMultiOffset } = control.checkPointCopy;
    expect(nextMulti).toBeGreaterThan(1);
    const rows = await server.query<{ m: string; xid: string; mode: string }>(
      `SELECT m::text, (pg_get_multixact_members(m::text::xid)).xid::text AS xid, (pg_get_multixact_members(m::text::xid)).mode
         FROM generate_series(1, ${nextMulti - 1}) m`,
    );
    const offsets = (n: number) => files.get(`pg_multixact/offsets/${slruSegmentFileName(n)}`);
    const members = (n: number) => files.get(`pg_multixact/members/${slruSegmentFileName(n)}`);
    const ours: string[][] = [];
    for (let m = 1; m < nextMulti; m++)
      for (const mem of readMultiXactMembers(offsets, members, m, { nextMulti, nextMultiOffset }))
        ours.push([String(m), String(mem.xid), multiXactStatusText(mem.status)]);
    expect(ours).toEqual(rows.map((r) => [r.m, r.xid, r.mode]));
    expect(new Set(rows.map((r) => r.mode))).toEqual(new Set(['sh', 'keysh', 'nokeyupd']));
    const off = read('pg_multixact/offsets/0000');
    const offCopy = new Uint8Array(off.length);
    for (let m = 0; m < off.length / 4; m++) setMultiXactOffset(offCopy, m, getMultiXactOffset(off, m));
    expect(same(offCopy, off)).toBe(true);
    const mem = read('pg_multixact/members/0000');
    const memCopy = new Uint8Array(mem.length);
    const perPage = Math.floor(8192 / MULTIXACT_MEMBERGROUP_SIZE) * 4;
    for (let o = 0; o < (mem.length / 8192) * perPage; o++) setMultiXactMember(memCopy, o, getMultiXactMember(mem, o));
    expect(same(memCopy, mem)).toBe(true);
  });

  it('pg_filenode.map: mappings equal pg_relation_filenode of the mapped catalogs; round trip', async () => {
    const rows = await server.query<{ oid: string; fn: string; shared: boolean }>(
      `SELECT oid::int::text AS oid, pg_relation_filenode(oid)::int::text AS fn, relisshared AS shared FROM pg_class
        WHERE relfilenode = 0 AND relkind IN ('r', 'i', 't', 'S', 'm')`,
    );
    const pgClass = await server.query<{ o: string }>("SELECT 'pg_class'::regclass::oid::text AS o");
    for (const [rel, shared] of [
      ['global/pg_filenode.map', true],
      [`base/${dboid}/pg_filenode.map`, false],
    ] as const) {
      const bytes = read(rel);
      expect(bytes.length).toBe(major >= 16 ? 524 : 512);
      const map = decodeRelMapFile(bytes, { major }, { path: rel });
      expect(map.crcOk).toBe(true);
      const got = map.mappings.map((m) => [String(m.mapoid), String(m.mapfilenumber)]).sort();
      const want = rows
        .filter((r) => r.shared === shared)
        .map((r) => [r.oid, r.fn])
        .sort();
      expect(got).toEqual(want);
      expect(same(encodeRelMapFile(map, { major }), bytes)).toBe(true);
      if (!shared) {
        const m = map.mappings.find((x) => String(x.mapoid) === pgClass[0]!.o)!;
        expect(m.mapfilenumber).not.toBe(m.mapoid); // VACUUM FULL pg_class moved it
      }
    }
  });

  it('pg_relmap: error wording of read_relmap_file', () => {
    const bytes = read('global/pg_filenode.map');
    const p = { major };
    const crc = bytes.slice();
    crc[12]! ^= 1;
    expect(() => decodeRelMapFile(crc, p)).toThrow('relation mapping file "global/pg_filenode.map" contains incorrect checksum');
    expect(decodeRelMapFile(crc, p, { verifyCrc: false }).crcOk).toBe(false);
    const magic = bytes.slice();
    magic.set([0x00, 0x59, 0x27, 0x17], 0); // byte-swapped magic
    expect(() => decodeRelMapFile(magic, p)).toThrow('relation mapping file "global/pg_filenode.map" contains invalid data');
    expect(() => decodeRelMapFile(bytes.subarray(0, 100), p)).toThrow(
      `could not read file "global/pg_filenode.map": read 100 of ${major >= 16 ? 524 : 512}`,
    );
  });

  it('pg_twophase: files equal pg_prepared_xacts; round trip', async () => {
    const rows = await server.query<{ x: string; gid: string; us: string; owner: string; db: string }>(
      `SELECT transaction::text AS x, gid, ${TS_US('prepared')} AS us, (SELECT oid::text FROM pg_roles WHERE rolname = owner) AS owner,
              (SELECT oid::text FROM pg_database WHERE datname = database) AS db FROM pg_prepared_xacts ORDER BY transaction::text::bigint`,
    );
    expect(rows.map((r) => r.gid)).toEqual(['gid one', 'gid-two']);
    const names = [...files.keys()].filter((k) => k.startsWith('pg_twophase/')).sort();
    expect(names).toEqual(rows.map((r) => `pg_twophase/${twoPhaseFileName(Number(r.x))}`));
    for (const [i, name] of names.entries()) {
      const bytes = read(name);
      const f = decodeTwoPhaseFile(bytes, { major }, { path: name });
      const r = rows[i]!;
      expect([String(f.xid), f.gid, f.prepared_at.toString(), String(f.owner), String(f.database)]).toEqual([
        r.x,
        r.gid,
        r.us,
        r.owner,
        r.db,
      ]);
      expect(f.crcOk).toBe(true);
      expect(f.total_len).toBe(bytes.length);
      expect(f.records.length).toBeGreaterThan(0);
      expect(f.records.every((rec) => rec.rmid >= 1 && rec.rmid <= 4)).toBe(true);
      expect(same(encodeTwoPhaseFile(f, { major }), bytes)).toBe(true);
    }
    const one = decodeTwoPhaseFile(read(names[0]!), { major });
    expect(one.abortRels.length).toBeGreaterThan(0); // CREATE TABLE tp: dropped if it aborts
    expect(one.invalMsgs.length).toBeGreaterThan(0);
    const two = decodeTwoPhaseFile(read(names[1]!), { major });
    expect(two.commitRels.length).toBeGreaterThan(0); // DROP TABLE t2: unlinked if it commits
    if (major >= 15) expect(two.commitStats.length).toBeGreaterThan(0);
  });

  it('pg_twophase: error wording of ReadTwoPhaseFile', () => {
    const name = [...files.keys()].find((k) => k.startsWith('pg_twophase/'))!;
    const bytes = read(name);
    const crc = bytes.slice();
    crc[20]! ^= 1;
    expect(() => decodeTwoPhaseFile(crc, { major })).toThrow(`calculated CRC checksum does not match value stored in file "${name}"`);
    const magic = bytes.slice();
    magic.reverse();
    expect(() => decodeTwoPhaseFile(magic, { major }, { path: name })).toThrow(`invalid magic number stored in file "${name}"`);
    expect(() => decodeTwoPhaseFile(bytes.subarray(0, bytes.length - 8), { major }, { path: name })).toThrow(
      `invalid size stored in file "${name}"`,
    );
    expect(() => decodeTwoPhaseFile(bytes.subarray(0, 10), { major }, { path: name })).toThrow(
      `incorrect size of file "${name}": 10 bytes`,
    );
    expect(() => decodeTwoPhaseFile(bytes.subarray(0, bytes.length - 2), { major }, { path: name })).toThrow(
      `incorrect alignment of CRC offset for file "${name}"`,
    );
  });

  it('pg_replslot: state files equal pg_replication_slots; round trip', async () => {
    const rows = await server.query<Record<string, string | null>>(
      `SELECT slot_name, plugin, slot_type, datoid::text, temporary::text, xmin::text, catalog_xmin::text, restart_lsn::text,
              confirmed_flush_lsn::text, two_phase::text FROM pg_replication_slots ORDER BY slot_name`,
    );
    expect(rows.map((r) => r.slot_name)).toEqual(['logical_slot', 'phys_slot']);
    for (const r of rows) {
      const bytes = read(`pg_replslot/${r.slot_name}/state`);
      const s = decodeReplicationSlot(bytes);
      const d = s.slotdata;
      expect(s.version).toBe(major >= 16 ? 3 : 2);
      const lsnOrNull = (l: bigint): string | null => (l === 0n ? null : formatLsn(l));
      expect({
        slot_name: d.name,
        plugin: d.plugin === '' ? null : d.plugin,
        slot_type: d.database === 0 ? 'physical' : 'logical',
        datoid: d.database === 0 ? null : String(d.database),
        temporary: String(d.persistency === 2),
        xmin: d.xmin === 0 ? null : String(d.xmin),
        catalog_xmin: d.catalog_xmin === 0 ? null : String(d.catalog_xmin),
        restart_lsn: lsnOrNull(d.restart_lsn),
        confirmed_flush_lsn: lsnOrNull(d.confirmed_flush),
        two_phase: String(d.two_phase),
      }).toEqual(r);
      if (major >= 16) expect(d.invalidated).toBe(0);
      else expect(d.invalidated_at).toBe(0n);
      expect(same(encodeReplicationSlot(s), bytes)).toBe(true);
    }
  });

  it('pg_replslot: error wording of RestoreSlotFromDisk', () => {
    const bytes = read('pg_replslot/phys_slot/state');
    const p = 'pg_replslot/phys_slot/state';
    const crc = bytes.slice();
    crc[90]! ^= 1;
    const good = decodeReplicationSlot(bytes).checksum;
    const bad = decodeReplicationSlot(crc, { verifyCrc: false }).computedChecksum;
    expect(() => decodeReplicationSlot(crc)).toThrow(`checksum mismatch for replication slot file "${p}": is ${bad}, should be ${good}`);
    const magic = bytes.slice();
    magic[0] = 0;
    expect(() => decodeReplicationSlot(magic, { path: p })).toThrow(
      `replication slot file "${p}" has wrong magic number: ${new DataView(magic.buffer).getUint32(0, true)} instead of 17112225`,
    );
    const version = bytes.slice();
    version[8] = 7;
    expect(() => decodeReplicationSlot(version, { path: p })).toThrow(`replication slot file "${p}" has unsupported version 7`);
    const length = bytes.slice();
    length[12] = 1;
    expect(() => decodeReplicationSlot(length, { path: p })).toThrow(`replication slot file "${p}" has corrupted length 1`);
    expect(() => decodeReplicationSlot(bytes.subarray(0, 100), { path: p })).toThrow(`could not read file "${p}": read 84 of 184`);
  });

  it('node adapters read the same facts from the data directory', async () => {
    const dir = server.dataDir;
    const control = readControlFile(dir);
    expect(same(encodeControlFileCopy(control), read('global/pg_control'))).toBe(true);
    expect(readPgVersion(dir)).toBe(major);
    for (const x of xids.committed) expect(readXactStatus(dir, x)).toBe(1);
    for (const x of xids.aborted) expect(readXactStatus(dir, x)).toBe(2);
    expect(readCommitTimestamp(dir, xids.committed[0]!).time).toBeGreaterThan(0n);
    const rows = await server.query<{ xid: string; mode: string }>('SELECT xid::text, mode FROM pg_get_multixact_members(1::text::xid)');
    expect(readMultiXactMembersAt(dir, 1, control).map((m) => [String(m.xid), multiXactStatusText(m.status)])).toEqual(
      rows.map((r) => [r.xid, r.mode]),
    );
    expect(readRelMap(dir, { major }).mappings.length).toBeGreaterThan(0);
    expect(readRelMap(dir, { major }, dboid).mappings.length).toBeGreaterThan(0);
    expect(readTwoPhaseFiles(dir, { major }).map((f) => f.gid)).toEqual(['gid one', 'gid-two']);
    expect(readReplicationSlots(dir).map((s) => s.slotdata.name)).toEqual(['logical_slot', 'phys_slot']);
    expect(() => readXactStatus(dir, 0x7fff_0000)).toThrow(
      'could not access status of transaction 2147418112: Could not open file "pg_xact/07FF"',
    );
    const copyDir = join(server.baseDir, 'copy');
    mkdirSync(join(copyDir, 'global'), { recursive: true });
    writeControlFile(copyDir, { ...control, MaxConnections: 7 }, { sync: false });
    const back = readControlFile(copyDir);
    expect([back.crcOk, back.MaxConnections, back.fileSize]).toEqual([true, 7, 8192]);
  });

  it('PG_VERSION', async () => {
    const v = await server.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    for (const rel of ['PG_VERSION', `base/${dboid}/PG_VERSION`]) {
      const text = new TextDecoder().decode(read(rel));
      expect(decodePgVersionFile(text)).toBe(Math.floor(Number(v[0]!.v) / 10000));
      expect(encodePgVersionFile(decodePgVersionFile(text))).toBe(text);
    }
    expect(() => decodePgVersionFile('x\n')).toThrow('File "PG_VERSION" does not contain valid data.');
  });
});
