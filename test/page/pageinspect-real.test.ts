/**
 * Every page of real relations (heap with TOAST, updates, HOT chains, VACUUM; btree with
 * several levels and posting lists; hash, GIN, GiST, SP-GiST, BRIN; FSM and VM forks) on real
 * PostgreSQL 14, 15 and 16, after CHECKPOINT: our decoding of the file bytes on disk compared
 * with pageinspect run on the same bytes (fetched with get_raw_page).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { btMetap, btPageItems, btPageStats } from '../../src/common/page/btree.js';
import { pageChecksum } from '../../src/common/page/checksum.js';
import { fsmPageContents } from '../../src/common/page/fsm-vm.js';
import { heapPageItems, heapTupleAt, infomaskFlags } from '../../src/common/page/heap.js';
import {
  brinMetapageInfo,
  brinPageItemsRaw,
  brinPageType,
  brinRevmapData,
  decodeHashOpaque,
  ginLeafpageItems,
  ginMetapageInfo,
  ginPageOpaqueInfo,
  gistPageItemsBytea,
  gistPageOpaqueInfo,
  hashMetapageInfo,
  hashPageItems,
  hashPageStats,
  spgistPageItems,
} from '../../src/common/page/index-am.js';
import { inspectPage } from '../../src/common/page/inspect.js';
import { decodePageHeader, pageHeaderColumns } from '../../src/common/page/page.js';
import {
  type AttributeDescriptor,
  collectToastChunks,
  decodeDatum,
  decodeToastPointer,
  detoastExternalCopy,
  tupleDataSplit,
  varlenaKind,
} from '../../src/common/page/tuple-data.js';
import { PgServer } from '../support/pg-server.js';

const REPO = join(import.meta.dirname, '..', '..');
const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** row_to_json output normalised to our JSON conventions: camelCase, xids as numbers, bytea as bare hex. */
function normalise(row: Record<string, unknown>, numeric: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    let value = v;
    if (typeof v === 'string' && v.startsWith('\\x')) value = v.slice(2);
    if (Buffer.isBuffer(v)) value = v.toString('hex');
    // int8/xid columns arrive as strings from node-postgres; text columns (data, lsn) keep theirs
    if (typeof v === 'string' && (numeric.includes(k) || (k !== 'data' && /^-?\d+$/.test(v)))) value = Number(v);
    out[camel(k)] = value;
  }
  return out;
}

/** t_heap's columns: id int, small text, big text, flag bool, ts timestamptz, u uuid, d date, f8 float8, b bytea, nn int. */
const HEAP_ATTS: readonly AttributeDescriptor[] = [
  { attlen: 4, attalign: 'i' },
  { attlen: -1, attalign: 'i' },
  { attlen: -1, attalign: 'i' },
  { attlen: 1, attalign: 'c' },
  { attlen: 8, attalign: 'd' },
  { attlen: 16, attalign: 'c' },
  { attlen: 4, attalign: 'i' },
  { attlen: 8, attalign: 'd' },
  { attlen: -1, attalign: 'i' },
  { attlen: 4, attalign: 'i' },
];

const SETUP = [
  'CREATE EXTENSION pageinspect',
  `CREATE TABLE t_heap (id int, small text, big text, flag bool, ts timestamptz, u uuid, d date, f8 float8, b bytea, nn int)`,
  `INSERT INTO t_heap SELECT g, 'row ' || g, CASE WHEN g % 500 = 0 THEN (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 200) i) END,
     g % 2 = 0, timestamptz '2024-01-02 03:04:05.678901+00' + g * interval '1 minute', md5(g::text)::uuid, date '2020-02-29' + g, g / 7.0,
     decode(lpad(to_hex(g), 8, '0'), 'hex'), CASE WHEN g % 3 = 0 THEN NULL ELSE g END FROM generate_series(1, 20000) g`,
  'CREATE INDEX t_heap_id ON t_heap (id)',
  'CREATE INDEX t_heap_dup ON t_heap ((id % 7))',
  'CREATE INDEX t_heap_hash ON t_heap USING hash (id)',
  'CREATE INDEX t_heap_brin ON t_heap USING brin (id) WITH (pages_per_range = 4)',
  'CREATE TABLE t_gin (a int[])',
  'INSERT INTO t_gin SELECT ARRAY[g % 50, g % 7, g] FROM generate_series(1, 20000) g',
  'CREATE INDEX t_gin_idx ON t_gin USING gin (a)',
  'CREATE TABLE t_geo (p point)',
  'INSERT INTO t_geo SELECT point(g % 100, g / 100) FROM generate_series(1, 5000) g',
  'CREATE INDEX t_geo_gist ON t_geo USING gist (p)',
  'CREATE INDEX t_geo_spgist ON t_geo USING spgist (p)',
  'ALTER TABLE t_heap ALTER COLUMN big SET STORAGE EXTERNAL',
  'UPDATE t_heap SET big = big WHERE big IS NOT NULL',
  "UPDATE t_heap SET small = small || '!' WHERE id % 10 = 0",
  'UPDATE t_heap SET id = id + 100000 WHERE id % 97 = 0',
  'DELETE FROM t_heap WHERE id % 13 = 0',
];

describe.each([14, 15, 16] as const)('pages of PostgreSQL %i', (major) => {
  let server: PgServer;
  beforeAll(async () => {
    server = await PgServer.start({ major, conf: { autovacuum: 'off' } });
    for (const sql of SETUP) await server.query(sql);
    await server.query('VACUUM t_heap');
    await server.query("UPDATE t_heap SET small = 'after vacuum' WHERE id % 11 = 0");
    await server.query('SELECT count(*) FROM t_heap');
    await server.checkpoint();
  });
  afterAll(async () => {
    if (process.env.PGFFI_DEBUG) console.log(readFileSync(server.logFile, 'utf8').slice(-4000));
    await server?.destroy();
  });

  async function relationPages(rel: string, fork = 'main'): Promise<{ file: string; pages: Uint8Array[] }> {
    const [row] = await server.query<{ path: string }>('SELECT pg_relation_filepath($1::regclass) AS path', [rel]);
    const file = join(server.dataDir, `${row!.path}${fork === 'main' ? '' : `_${fork}`}`);
    const bytes = readFileSync(file);
    expect(statSync(file).size % 8192).toBe(0);
    const pages: Uint8Array[] = [];
    for (let off = 0; off < bytes.length; off += 8192) pages.push(new Uint8Array(bytes.subarray(off, off + 8192)));
    return { file, pages };
  }

  async function rawPage(rel: string, fork: string, blk: number): Promise<Uint8Array> {
    const [row] = await server.query<{ raw: Buffer }>('SELECT get_raw_page($1, $2, $3) AS raw', [rel, fork, blk]);
    return new Uint8Array(row!.raw);
  }

  async function checkHeader(page: Uint8Array, blk: number): Promise<void> {
    const [ph] = await server.query<Record<string, unknown>>(
      'SELECT lsn::text, checksum, flags, lower, upper, special, pagesize, version, prune_xid::text::bigint AS prune_xid, page_checksum($1, $2) AS pc FROM page_header($1)',
      [Buffer.from(page), blk],
    );
    const expected = {
      lsn: ph!.lsn,
      checksum: (Number(ph!.checksum) + 65536) % 65536,
      flags: ph!.flags,
      lower: ph!.lower,
      upper: ph!.upper,
      special: ph!.special,
      pagesize: ph!.pagesize,
      version: ph!.version,
      pruneXid: Number(ph!.prune_xid),
    };
    expect(pageHeaderColumns(decodePageHeader(page, blk))).toEqual(expected);
    if (decodePageHeader(page).pd_upper !== 0) expect(pageChecksum(page, blk)).toBe((Number(ph!.pc) + 65536) % 65536);
    else expect(ph!.pc).toBeNull();
  }

  it('heap pages: page_header, page_checksum, heap_page_items, infomask flags, tuple_data_split', async () => {
    const { pages } = await relationPages('t_heap');
    expect(pages.length).toBeGreaterThan(100);
    const atts = await server.query<{ attlen: number; attalign: string; typname: string }>(
      "SELECT attlen, attalign, typname FROM pg_attribute a JOIN pg_type t ON t.oid = atttypid WHERE attrelid = 't_heap'::regclass AND attnum > 0 ORDER BY attnum",
    );
    const attributes: AttributeDescriptor[] = atts.map((a) => ({ attlen: a.attlen, attalign: a.attalign as 'c', typname: a.typname }));
    const seenFlags = new Set<number>();
    let decodedValues = 0;
    for (let blk = 0; blk < pages.length; blk++) {
      const page = pages[blk]!;
      // the buffer's pd_checksum is stale (the checksum is set on a copy at write time): compare the rest
      const raw = await rawPage('t_heap', 'main', blk);
      raw.set(page.subarray(8, 10), 8);
      expect(Buffer.compare(Buffer.from(page), Buffer.from(raw))).toBe(0);
      await checkHeader(page, blk);
      const rows = await server.query<Record<string, unknown>>(
        `SELECT lp, lp_off, lp_flags, lp_len, t_xmin::text AS t_xmin, t_xmax::text AS t_xmax, t_field3::text AS t_field3, t_ctid::text AS t_ctid,
                t_infomask2, t_infomask, t_hoff, t_bits, t_oid::text AS t_oid, t_data,
                CASE WHEN t_data IS NOT NULL THEN (SELECT row_to_json(f) FROM heap_tuple_infomask_flags(t_infomask, t_infomask2) f) END AS flags,
                CASE WHEN t_data IS NOT NULL AND lp_flags = 1 THEN tuple_data_split('t_heap'::regclass, t_data, t_infomask, t_infomask2, t_bits) END AS split
         FROM heap_page_items($1)`,
        [Buffer.from(page)],
      );
      const ours = heapPageItems(page, blk);
      expect(ours.length).toBe(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        seenFlags.add(Number(r.lp_flags));
        const num = (v: unknown): number | null => (v === null ? null : Number(v));
        expect(ours[i]).toEqual({
          lp: r.lp,
          lpOff: r.lp_off,
          lpFlags: r.lp_flags,
          lpLen: r.lp_len,
          tXmin: num(r.t_xmin),
          tXmax: num(r.t_xmax),
          tField3: num(r.t_field3),
          tCtid: r.t_ctid,
          tInfomask2: r.t_infomask2 === null ? null : (Number(r.t_infomask2) + 65536) % 65536,
          tInfomask: r.t_infomask === null ? null : (Number(r.t_infomask) + 65536) % 65536,
          tHoff: r.t_hoff,
          tBits: r.t_bits,
          tOid: num(r.t_oid),
          tData: r.t_data === null ? null : Buffer.from(r.t_data as Buffer).toString('hex'),
        });
        if (r.flags !== null) {
          const f = r.flags as { raw_flags: string[]; combined_flags: string[] };
          expect(infomaskFlags(ours[i]!.tInfomask!, ours[i]!.tInfomask2!)).toEqual({
            rawFlags: f.raw_flags,
            combinedFlags: f.combined_flags,
          });
        }
        if (r.split !== null) {
          const tuple = heapTupleAt(page, Number(r.lp), blk)!;
          const split = tupleDataSplit(tuple.data, attributes, tuple.t_infomask, tuple.t_infomask2, tuple.t_bits);
          const expectedSplit = (r.split as (Buffer | null)[]).map((b) => (b === null ? null : Buffer.from(b).toString('hex')));
          expect(split.map((b) => (b === null ? null : Buffer.from(b).toString('hex')))).toEqual(expectedSplit);
          // values of the fixed-width and short text columns decode to what SQL says
          const id = decodeDatum(split[0]!, 'int4') as number;
          if (split[1] !== null && varlenaKind(split[1]!) === 'short') expect(typeof decodeDatum(split[1]!, 'text')).toBe('string');
          if (blk % 20 === 0 && i < 3) {
            const [v] = await server.query<Record<string, unknown>>(
              `SELECT small, flag, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS ts, u::text AS u, d::text AS d, f8, encode(b, 'hex') AS b, nn FROM t_heap WHERE ctid = $1::tid`,
              [`(${blk},${r.lp})`],
            );
            if (v !== undefined) {
              expect(decodeDatum(split[1]!, 'text')).toBe(v.small);
              expect(decodeDatum(split[3]!, 'bool')).toBe(v.flag);
              expect(decodeDatum(split[4]!, 'timestamptz')).toBe(`${v.ts}Z`);
              expect(decodeDatum(split[5]!, 'uuid')).toBe(v.u);
              expect(decodeDatum(split[6]!, 'date')).toBe(v.d);
              expect(decodeDatum(split[7]!, 'float8')).toBe(v.f8);
              expect(decodeDatum(split[8]!, 'bytea')).toBe(v.b);
              expect(split[9] === null ? null : decodeDatum(split[9]!, 'int4')).toBe(v.nn);
              expect(id).toBeGreaterThan(0);
              decodedValues++;
            }
          }
        }
      }
      expect(inspectPage(page, blk).kind).toBe('heap');
    }
    expect([...seenFlags].sort()).toEqual([0, 1, 2, 3]);
    expect(decodedValues).toBeGreaterThan(5);
  });

  it('decoded values: numeric, interval, time, jsonb, inline-compressed text (pglz, lz4)', async () => {
    await server.query('CREATE TABLE t_types (id int, n numeric, i interval, tm time, j jsonb, c text, c4 text)');
    const lz4 = await server.query('ALTER TABLE t_types ALTER COLUMN c4 SET COMPRESSION lz4').then(
      () => true,
      () => false,
    );
    await server.query(`INSERT INTO t_types SELECT g,
        CASE g % 5 WHEN 0 THEN (g * 12345.6789)::numeric WHEN 1 THEN -g / 7.0 WHEN 2 THEN 'NaN' WHEN 3 THEN 1e30 * g ELSE 0.000001 * g END,
        make_interval(years => g % 3 - 1, months => g % 13, days => g % 40 - 20, hours => g % 30, secs => g / 3.0),
        time '00:00:00' + g * interval '1 second 250 ms',
        jsonb_build_object('id', g, 'name', 'n' || g, 'tags', jsonb_build_array(g, g * 1.5, null, true, 'x'), 'nested', jsonb_build_object('big', 12345678901234567890::numeric, 'f', false)),
        repeat(md5(g::text), 60), repeat(md5((g + 1)::text), 60)
      FROM generate_series(1, 300) g`);
    await server.checkpoint();
    const { pages } = await relationPages('t_types');
    const atts: AttributeDescriptor[] = [
      { attlen: 4, attalign: 'i', typname: 'int4' },
      { attlen: -1, attalign: 'i', typname: 'numeric' },
      { attlen: 16, attalign: 'd', typname: 'interval' },
      { attlen: 8, attalign: 'd', typname: 'time' },
      { attlen: -1, attalign: 'i', typname: 'jsonb' },
      { attlen: -1, attalign: 'i', typname: 'text' },
      { attlen: -1, attalign: 'i', typname: 'text' },
    ];
    const expected = new Map<number, Record<string, string>>();
    for (const r of await server.query<Record<string, string>>(
      'SELECT id, n::text AS n, i::text AS i, tm::text AS tm, j::text AS j, c, c4, pg_column_compression(c) AS cc, pg_column_compression(c4) AS cc4 FROM t_types',
    )) {
      expected.set(Number(r.id), r);
    }
    let checked = 0;
    const methods = new Set<string>();
    for (let blk = 0; blk < pages.length; blk++) {
      for (const item of heapPageItems(pages[blk]!, blk)) {
        if (item.lpFlags !== 1) continue;
        const t = heapTupleAt(pages[blk]!, item.lp, blk)!;
        const v = tupleDataSplit(t.data, atts, t.t_infomask, t.t_infomask2, t.t_bits).map((b, k) =>
          b === null ? null : decodeDatum(b, atts[k]!.typname!),
        );
        const e = expected.get(v[0] as number)!;
        expect(v[1]).toBe(e.n);
        expect(v[2]).toBe(e.i);
        expect(v[3]).toBe(e.tm);
        // numbers a double cannot hold exactly stay strings in our decoding
        expect(v[4]).toEqual(JSON.parse(e.j!.replace(/: (\d{16,})/g, ': "$1"')));
        expect(v[5]).toBe(e.c);
        expect(v[6]).toBe(e.c4);
        methods.add(String(e.cc)).add(String(e.cc4));
        checked++;
      }
    }
    expect(checked).toBe(300);
    // external and compressed: chunks from the TOAST relation, then pglz
    await server.query('CREATE TABLE t_ext (id int, x text)');
    await server.query(
      "INSERT INTO t_ext SELECT g, (SELECT string_agg(repeat(md5((i * g)::text), 3), '') FROM generate_series(1, 200) i) FROM generate_series(1, 5) g",
    );
    await server.checkpoint();
    const [toast] = await server.query<{ t: string }>("SELECT reltoastrelid::regclass::text AS t FROM pg_class WHERE relname = 't_ext'");
    const toastPages = (await relationPages(toast!.t)).pages;
    const chunks = collectToastChunks(
      toastPages.flatMap((p, blk) => heapPageItems(p, blk).flatMap((it) => (it.lpFlags === 1 ? [heapTupleAt(p, it.lp, blk)!] : []))),
    );
    const extPages = (await relationPages('t_ext')).pages;
    const values = new Map((await server.query<{ id: number; x: string }>('SELECT id, x FROM t_ext')).map((r) => [r.id, r.x]));
    let compressedExternal = 0;
    for (let blk = 0; blk < extPages.length; blk++) {
      for (const item of heapPageItems(extPages[blk]!, blk)) {
        const t = heapTupleAt(extPages[blk]!, item.lp, blk)!;
        const [id, x] = tupleDataSplit(t.data, [atts[0]!, atts[5]!], t.t_infomask, t.t_infomask2, t.t_bits);
        expect(varlenaKind(x!)).toBe('external');
        const ptr = decodeToastPointer(x!);
        if (ptr.extsize < ptr.rawsize - 4) compressedExternal++;
        expect(new TextDecoder().decode(detoastExternalCopy(x!, chunks))).toBe(values.get(decodeDatum(id!, 'int4') as number));
      }
    }
    expect(compressedExternal).toBe(5);
    expect(methods.has('pglz')).toBe(true);
    if (lz4) expect(methods.has('lz4')).toBe(true);
  });

  it('TOAST pointers in heap tuples', async () => {
    const { pages } = await relationPages('t_heap');
    let external = 0;
    const toastRelids = new Set<number>();
    for (let blk = 0; blk < pages.length; blk++) {
      for (const item of heapPageItems(pages[blk]!, blk)) {
        if (item.tData === null || item.lpFlags !== 1) continue;
        const t = heapTupleAt(pages[blk]!, item.lp, blk)!;
        const split = tupleDataSplit(t.data, [...HEAP_ATTS], t.t_infomask, t.t_infomask2, t.t_bits);
        if (split[2] !== null && varlenaKind(split[2]!) === 'external') {
          external++;
          toastRelids.add(decodeToastPointer(split[2]!).toastrelid);
        }
      }
    }
    expect(external).toBeGreaterThan(0);
    expect(toastRelids.size).toBe(1);
    // the values themselves, reassembled from the TOAST relation's pages
    const [toast] = await server.query<{ t: string }>("SELECT reltoastrelid::regclass::text AS t FROM pg_class WHERE relname = 't_heap'");
    const toastPages = (await relationPages(toast!.t)).pages;
    const chunks = collectToastChunks(
      toastPages.flatMap((p, blk) => heapPageItems(p, blk).flatMap((it) => (it.lpFlags === 1 ? [heapTupleAt(p, it.lp, blk)!] : []))),
    );
    let fetched = 0;
    for (let blk = 0; blk < pages.length && fetched < 10; blk++) {
      for (const item of heapPageItems(pages[blk]!, blk)) {
        if (item.lpFlags !== 1 || item.tData === null) continue;
        const t = heapTupleAt(pages[blk]!, item.lp, blk)!;
        const big = tupleDataSplit(t.data, [...HEAP_ATTS], t.t_infomask, t.t_infomask2, t.t_bits)[2];
        if (big === null || big === undefined || varlenaKind(big) !== 'external') continue;
        const [v] = await server.query<{ big: string | null }>('SELECT big FROM t_heap WHERE ctid = $1::tid', [`(${blk},${item.lp})`]);
        if (v === undefined) continue; // a dead version
        expect(new TextDecoder().decode(detoastExternalCopy(big, chunks))).toBe(v.big);
        fetched++;
      }
    }
    expect(fetched).toBeGreaterThan(0);
    const [row] = await server.query<{ t: number }>("SELECT reltoastrelid::int AS t FROM pg_class WHERE relname = 't_heap'");
    expect([...toastRelids]).toEqual([row!.t]);
  });

  it('btree pages: bt_metap, bt_page_stats, bt_page_items (multi-level, posting lists)', async () => {
    for (const rel of ['t_heap_id', 't_heap_dup']) {
      const { pages } = await relationPages(rel);
      const [meta] = await server.query<Record<string, unknown>>(`SELECT * FROM bt_metap('${rel}')`);
      const m = normalise(meta!, ['root', 'level', 'fastroot', 'fastlevel', 'last_cleanup_num_delpages']);
      expect(btMetap(pages[0]!, 0)).toEqual(m);
      expect(inspectPage(pages[0]!, 0).kind).toBe('btree-meta');
      if (rel === 't_heap_id') expect(Number(meta!.level)).toBeGreaterThanOrEqual(1);
      let postings = 0;
      for (let blk = 1; blk < pages.length; blk++) {
        const page = pages[blk]!;
        await checkHeader(page, blk);
        const [stats] = await server.query<Record<string, unknown>>(`SELECT * FROM bt_page_stats('${rel}', ${blk})`);
        expect(btPageStats(page, blk)).toEqual(normalise(stats!));
        const items = await server.query<Record<string, unknown>>(
          'SELECT itemoffset, ctid::text, itemlen, nulls, vars, data, dead, htid::text, tids::text[] FROM bt_page_items($1)',
          [Buffer.from(page)],
        );
        const ours = btPageItems(page, blk);
        expect(ours).toEqual(items.map((r) => normalise(r)));
        postings += ours.filter((x) => x.tids !== null).length;
        expect(inspectPage(page, blk).kind).toBe('btree');
      }
      if (rel === 't_heap_dup') expect(postings).toBeGreaterThan(0);
    }
  });

  it('hash, GIN, GiST, SP-GiST, BRIN pages: kind and opaque data', async () => {
    const cases: [string, string][] = [
      ['t_heap_hash', 'hash'],
      ['t_gin_idx', 'gin'],
      ['t_geo_gist', 'gist'],
      ['t_geo_spgist', 'spgist'],
      ['t_heap_brin', 'brin'],
    ];
    const seen = new Set<string>();
    const spgistHeapPtrs: string[] = [];
    for (const [rel, kind] of cases) {
      const { pages } = await relationPages(rel);
      for (let blk = 0; blk < pages.length; blk++) {
        const page = pages[blk]!;
        await checkHeader(page, blk);
        const h = decodePageHeader(page, blk);
        if (h.pd_upper === 0) continue;
        expect(inspectPage(page, blk).kind).toBe(kind);
        const buf = Buffer.from(page);
        if (kind === 'hash') {
          const [r] = await server.query<{ t: string }>('SELECT hash_page_type($1) AS t', [buf]);
          const type = decodeHashOpaque(page, h).pageType;
          expect(type).toBe(r!.t);
          seen.add(`hash:${type}`);
          if (type === 'bucket' || type === 'overflow') {
            const [st] = await server.query<Record<string, unknown>>('SELECT * FROM hash_page_stats($1)', [buf]);
            expect(hashPageStats(page, h, blk)).toEqual(normalise(st!));
            const items = await server.query<Record<string, unknown>>('SELECT itemoffset, ctid::text, data FROM hash_page_items($1)', [
              buf,
            ]);
            expect(hashPageItems(page, h, blk)).toEqual(items.map((x) => normalise(x, ['data'])));
          } else if (type === 'metapage') {
            const [mi] = await server.query<Record<string, unknown>>('SELECT * FROM hash_metapage_info($1)', [buf]);
            const expected = normalise(mi!);
            expected.spares = (mi!.spares as string[]).map(Number);
            expected.mapp = (mi!.mapp as string[]).map(Number);
            expect(hashMetapageInfo(page, h, blk)).toEqual(expected);
          }
        } else if (kind === 'gin') {
          const [r] = await server.query<Record<string, unknown>>('SELECT * FROM gin_page_opaque_info($1)', [buf]);
          const info = ginPageOpaqueInfo(page, h);
          expect(info).toEqual(normalise(r!));
          if (info.flags.includes('meta')) {
            const [mi] = await server.query<Record<string, unknown>>('SELECT * FROM gin_metapage_info($1)', [buf]);
            expect(ginMetapageInfo(page, h, blk)).toEqual(normalise(mi!));
            seen.add('gin:meta');
          } else if (info.flags.includes('data') && info.flags.includes('leaf') && info.flags.includes('compressed')) {
            const items = await server.query<Record<string, unknown>>(
              'SELECT first_tid::text, nbytes, tids::text[] FROM gin_leafpage_items($1)',
              [buf],
            );
            expect(ginLeafpageItems(page, h, blk)).toEqual(items.map((x) => normalise(x)));
            seen.add('gin:leaf');
          }
        } else if (kind === 'gist') {
          const [r] = await server.query<Record<string, unknown>>(
            'SELECT lsn::text, nsn::text, rightlink, flags FROM gist_page_opaque_info($1)',
            [buf],
          );
          expect(gistPageOpaqueInfo(page, h)).toEqual(normalise(r!));
          const items = await server.query<Record<string, unknown>>(
            'SELECT itemoffset, ctid::text, itemlen, dead, key_data FROM gist_page_items_bytea($1)',
            [buf],
          );
          expect(gistPageItemsBytea(page, h, blk)).toEqual(items.map((x) => normalise(x)));
          seen.add('gist:items');
        } else if (kind === 'brin') {
          const [r] = await server.query<{ t: string }>('SELECT brin_page_type($1) AS t', [buf]);
          expect(brinPageType(page)).toBe(r!.t);
          if (r!.t === 'meta') {
            const [mi] = await server.query<Record<string, unknown>>('SELECT * FROM brin_metapage_info($1)', [buf]);
            expect(brinMetapageInfo(page)).toEqual(normalise(mi!));
          }
          if (r!.t === 'revmap') {
            const tids = await server.query<{ pages: string }>('SELECT pages::text FROM brin_revmap_data($1) AS pages', [buf]);
            expect(brinRevmapData(page)).toEqual(tids.map((x) => x.pages));
          }
          if (r!.t === 'regular') {
            const rows = await server.query<Record<string, unknown>>(
              "SELECT DISTINCT itemoffset, blknum::bigint AS blknum, placeholder FROM brin_page_items($1, 't_heap_brin') ORDER BY itemoffset",
              [buf],
            );
            const ours = brinPageItemsRaw(page, h, blk).map((x) => ({
              itemoffset: x.itemoffset,
              blknum: x.blknum,
              placeholder: x.placeholder,
            }));
            expect(ours).toEqual(rows.map((x) => normalise(x)));
            seen.add('brin:regular');
          }
        } else if (kind === 'spgist') {
          for (const item of spgistPageItems(page, h, blk)) if (item.heapPtr !== undefined) spgistHeapPtrs.push(item.heapPtr);
        }
      }
    }
    expect([...seen].sort()).toEqual(['brin:regular', 'gin:leaf', 'gin:meta', 'gist:items', 'hash:bitmap', 'hash:bucket', 'hash:metapage']);
    // every row of t_geo has exactly one SP-GiST leaf tuple pointing at it
    const ctids = await server.query<{ c: string }>('SELECT ctid::text AS c FROM t_geo');
    expect(spgistHeapPtrs.sort()).toEqual(ctids.map((x) => x.c).sort());
  });

  it('pgffi pageinspect --json: one object per block, same items as pageinspect', async () => {
    const [row] = await server.query<{ path: string }>("SELECT pg_relation_filepath('t_heap_id') AS path");
    const file = join(server.dataDir, row!.path);
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'pageinspect', file, '--json'], {
      encoding: 'utf8',
      cwd: REPO,
      maxBuffer: 1 << 28,
    });
    expect(run.status).toBe(0);
    const reports = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { block: number; kind: string; items?: unknown[]; meta?: unknown });
    expect(reports.length).toBe(statSync(file).size / 8192);
    expect(reports.map((r) => r.block)).toEqual(reports.map((_, i) => i));
    expect(reports[0]!.kind).toBe('btree-meta');
    const [meta] = await server.query<Record<string, unknown>>("SELECT * FROM bt_metap('t_heap_id')");
    expect(reports[0]!.meta).toEqual(normalise(meta!, ['root', 'level', 'fastroot', 'fastlevel', 'last_cleanup_num_delpages']));
    const items = await server.query<Record<string, unknown>>(
      "SELECT itemoffset, ctid::text, itemlen, nulls, vars, data, dead, htid::text, tids::text[] FROM bt_page_items('t_heap_id', 2)",
    );
    expect(reports[2]!.items).toEqual(items.map((r) => normalise(r)));
    const one = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'pageinspect', file, '--range', '1:2', '--json'],
      { encoding: 'utf8', cwd: REPO, maxBuffer: 1 << 28 },
    );
    expect(
      one.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { block: number }).block),
    ).toEqual([1, 2]);
  });

  it('sequence pages: kind and heap_page_items', async () => {
    await server.query('CREATE SEQUENCE s_test');
    await server.query("SELECT nextval('s_test') FROM generate_series(1, 5)");
    await server.checkpoint();
    const { pages } = await relationPages('s_test');
    const report = inspectPage(pages[0]!, 0);
    expect(report.kind).toBe('sequence');
    const rows = await server.query<Record<string, unknown>>('SELECT lp, lp_off, lp_len, t_ctid::text FROM heap_page_items($1)', [
      Buffer.from(pages[0]!),
    ]);
    expect(
      (report.items as { lp: number; lpOff: number; lpLen: number; tCtid: string }[]).map((i) => ({
        lp: i.lp,
        lp_off: i.lpOff,
        lp_len: i.lpLen,
        t_ctid: i.tCtid,
      })),
    ).toEqual(rows);
  });

  it('FSM and VM forks', async () => {
    const fsm = await relationPages('t_heap', 'fsm');
    expect(fsm.pages.length).toBeGreaterThan(0);
    for (let blk = 0; blk < fsm.pages.length; blk++) {
      const [r] = await server.query<{ c: string }>('SELECT fsm_page_contents($1) AS c', [Buffer.from(fsm.pages[blk]!)]);
      expect(fsmPageContents(fsm.pages[blk]!)).toBe(r!.c);
      expect(inspectPage(fsm.pages[blk]!, blk, 'fsm').kind).toBe('fsm');
    }
    const vm = await relationPages('t_heap', 'vm');
    const report = inspectPage(vm.pages[0]!, 0, 'vm');
    expect(report.kind).toBe('vm');
    const heap = await relationPages('t_heap');
    // every heap page with PD_ALL_VISIBLE has its all-visible bit set in the VM
    const visible = new Set((report.items as { blkno: number; allVisible: boolean }[]).filter((b) => b.allVisible).map((b) => b.blkno));
    for (let blk = 0; blk < heap.pages.length; blk++) {
      if (decodePageHeader(heap.pages[blk]!).pd_flags & 4) expect(visible.has(blk)).toBe(true);
    }
  });
});
