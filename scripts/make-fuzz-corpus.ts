/**
 * Builds the fuzz seed corpus (test/fuzz/corpus/) from real PostgreSQL 14, 15 and 16 servers:
 * WAL (a fresh segment's first pages after a mixed workload, with full-page images compressed
 * by pglz, and by lz4/zstd on Debian's 15), relation pages of every access method and fork,
 * pg_control, pg_filenode.map, a replication slot's state file, a two-phase state file and
 * SLRU pages. Each file is stored gzip-compressed with a manifest (corpus/manifest.json).
 *
 *   npx tsx scripts/make-fuzz-corpus.ts [--out DIR]
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { debianServerAvailable, type PgMajorVersion, PgServer, type ServerFlavor } from '../test/support/pg-server.js';

export interface CorpusEntry {
  /** File name under the corpus directory (gzip-compressed bytes). */
  file: string;
  kind: 'wal' | 'page' | 'control' | 'relmap' | 'replslot' | 'twophase' | 'slru' | 'text';
  major: PgMajorVersion;
  /** What produced it (relation/access method, WAL compression, file path). */
  note: string;
  /** For pages: fork and block number; for WAL: LSN of the first byte. */
  fork?: 'main' | 'fsm' | 'vm' | 'init';
  block?: number;
  /** SLRU kind. */
  slru?: 'xact' | 'commit_ts' | 'multixact_offsets' | 'multixact_members';
}

const MAX_WAL_WINDOW = 16 * 1024;
const SEG = 16 * 1024 * 1024;
const PAGE = 8192;

const WORKLOAD = [
  'CREATE TABLE t (id int PRIMARY KEY, txt text, n numeric, arr int[], j jsonb, ts timestamptz, b bytea, f float8, c char(3))',
  `INSERT INTO t SELECT i, CASE WHEN i % 5 = 0 THEN NULL ELSE repeat(md5(i::text), 1 + i % 4) END, i * 1.5,
     ARRAY[i, i + 1, i % 7], jsonb_build_object('k', i), '2024-01-01'::timestamptz + i * interval '1 hour',
     CASE WHEN i % 3 = 0 THEN decode(md5(i::text), 'hex') END, i / 3.0, 'abc'
   FROM generate_series(1, 400) i`,
  "INSERT INTO t VALUES (1001, repeat('toast me ', 3000), 1, '{}', '{}', now(), NULL, 0, 'x')",
  "INSERT INTO t VALUES (1002, (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 200) g), 2, NULL, NULL, NULL, NULL, NULL, NULL)",
  'CREATE INDEX t_hash ON t USING hash (id)',
  'CREATE INDEX t_gin ON t USING gin (arr)',
  'CREATE INDEX t_brin ON t USING brin (id) WITH (pages_per_range = 1)',
  'CREATE TABLE pts (id int, p point, r int4range)',
  'INSERT INTO pts SELECT i, point(i % 37, i / 37), int4range(i, i + 10) FROM generate_series(1, 600) i',
  'CREATE INDEX pts_gist ON pts USING gist (p)',
  'CREATE INDEX pts_spgist ON pts USING spgist (p)',
  'CREATE INDEX pts_range ON pts USING gist (r)',
  'CREATE SEQUENCE s',
  "SELECT nextval('s')",
  'CHECKPOINT',
  "UPDATE t SET txt = coalesce(txt, '') || 'x', n = n + 1 WHERE id % 7 = 0",
  'DELETE FROM t WHERE id % 11 = 0',
  'UPDATE pts SET p = point(p[0] + 0.5, p[1]) WHERE id % 13 = 0',
  "SELECT pg_logical_emit_message(true, 'fuzz', 'transactional message')",
  "SELECT pg_logical_emit_message(false, 'fuzz', 'non-transactional')",
  'VACUUM t',
  'VACUUM pts',
  'BEGIN',
  'INSERT INTO t VALUES (2000, $$prepared$$)',
  'SAVEPOINT a',
  'INSERT INTO t VALUES (2001, $$sub$$)',
  "PREPARE TRANSACTION 'fuzz_px'",
  'BEGIN',
  'SELECT * FROM t WHERE id = 1 FOR SHARE',
  'SAVEPOINT b',
  'UPDATE t SET f = 0 WHERE id = 1',
  'COMMIT',
  "SELECT pg_replication_origin_create('fuzz_origin')",
  "SELECT pg_replication_origin_advance('fuzz_origin', '0/1234')",
  '?CREATE EXTENSION bloom',
  '?CREATE INDEX u_bloom ON pts USING bloom (id)',
  'VACUUM FULL pg_class',
  '?CREATE DATABASE fuzzdb STRATEGY = FILE_COPY',
  '?CREATE DATABASE fuzzdb',
  'CREATE TABLE u (a int) WITH (autovacuum_enabled = off)',
  'INSERT INTO u SELECT generate_series(1, 2000)',
  'TRUNCATE u',
  "SELECT pg_create_physical_replication_slot('fuzz_slot', true)",
  'CHECKPOINT',
  'UPDATE t SET f = f + 1 WHERE id < 50',
  'UPDATE pts SET id = id + 1 WHERE id < 30',
];

interface Variant {
  major: PgMajorVersion;
  flavor: ServerFlavor;
  compression: string;
  /** Also take pages, control files, etc. (one variant per major). */
  files: boolean;
}

function variants(): Variant[] {
  const v: Variant[] = [
    { major: 14, flavor: 'embedded', compression: 'on', files: true },
    { major: 15, flavor: 'embedded', compression: 'pglz', files: true },
    { major: 16, flavor: 'embedded', compression: 'pglz', files: true },
    { major: 16, flavor: 'embedded', compression: 'off', files: false },
  ];
  if (debianServerAvailable()) {
    v.push({ major: 15, flavor: 'debian', compression: 'lz4', files: false });
    v.push({ major: 15, flavor: 'debian', compression: 'zstd', files: false });
  }
  return v;
}

function walSegName(tli: number, segno: number): string {
  const hex = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');
  return hex(tli) + hex(Math.floor(segno / 256)) + hex(Math.floor(segno) % 256);
}

function parseLsnText(s: string): number {
  const [hi, lo] = s.split('/');
  return Number.parseInt(hi as string, 16) * 0x1_0000_0000 + Number.parseInt(lo as string, 16);
}

async function build(out: string): Promise<void> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const manifest: CorpusEntry[] = [];
  const save = (entry: Omit<CorpusEntry, 'file'> & { name: string }, bytes: Uint8Array): void => {
    const { name, ...rest } = entry;
    const file = `${entry.major}-${name}.gz`;
    writeFileSync(join(out, file), gzipSync(bytes, { level: 9 }));
    manifest.push({ file, ...rest });
  };

  for (const v of variants()) {
    const tag = `${v.major}${v.flavor === 'debian' ? 'deb' : ''}-${v.compression}`;
    process.stderr.write(`PostgreSQL ${v.major} (${v.flavor}, wal_compression=${v.compression})\n`);
    const server = await PgServer.start({ major: v.major, flavor: v.flavor, conf: { wal_compression: v.compression } });
    try {
      await server.query('CHECKPOINT');
      await server.switchWal();
      // WAL windows: the pages each workload step wrote (capped), merged where they touch.
      const marks: number[] = [parseLsnText(await server.currentLsn())];
      for (const sql of WORKLOAD) {
        if (!v.files && sql.startsWith('SELECT pg_create_physical')) continue;
        if (sql.startsWith('?')) await server.query(sql.slice(1)).catch(() => undefined);
        else await server.query(sql);
        marks.push(parseLsnText(await server.currentLsn()));
      }
      const ranges: [number, number][] = [];
      for (let i = 0; i + 1 < marks.length; i++) {
        const from = Math.floor((marks[i] as number) / PAGE) * PAGE;
        const to = Math.min(Math.ceil((marks[i + 1] as number) / PAGE) * PAGE, from + MAX_WAL_WINDOW);
        if (to <= from) continue;
        const last = ranges.at(-1);
        if (last !== undefined && from <= last[1] && to - last[0] <= MAX_WAL_WINDOW) last[1] = Math.max(last[1], to);
        else ranges.push([from, to]);
      }
      // The segment's first pages too (long page header).
      const firstSeg = Math.floor((marks[0] as number) / SEG) * SEG;
      ranges.unshift([firstSeg, firstSeg + 2 * PAGE]);
      for (const [from, to0] of ranges) {
        const segStart = Math.floor(from / SEG) * SEG;
        const to = Math.min(to0, segStart + SEG);
        const name = walSegName(1, from / SEG);
        const seg = readFileSync(join(server.walDir, name));
        const lsn = `${Math.floor(from / 0x1_0000_0000)
          .toString(16)
          .toUpperCase()}/${(from % 0x1_0000_0000).toString(16).toUpperCase()}`;
        save(
          {
            name: `wal-${tag}-${lsn.replace('/', '_')}`,
            kind: 'wal',
            major: v.major,
            note: `${name} at ${lsn}, ${to - from} bytes, wal_compression=${v.compression}`,
          },
          seg.subarray(from - segStart, to - segStart),
        );
      }

      if (v.files) {
        const rels = await server.query<{ relname: string; path: string; amname: string | null; pages: string }>(
          `SELECT c.relname, pg_relation_filepath(c.oid) AS path, a.amname,
                  (pg_relation_size(c.oid) / 8192)::text AS pages
             FROM pg_class c LEFT JOIN pg_am a ON a.oid = c.relam
            WHERE c.relname IN ('t', 't_pkey', 't_hash', 't_gin', 't_brin', 'pts', 'pts_gist', 'pts_spgist', 'pts_range', 's')`,
        );
        await server.query('CHECKPOINT');
        for (const r of rels) {
          const base = join(server.dataDir, r.path);
          const n = Number(r.pages);
          const blocks = [...new Set([0, 1, Math.floor(n / 2), n - 1])].filter((b) => b >= 0 && b < n).slice(0, 3);
          const file = readFileSync(base);
          for (const b of blocks) {
            save(
              {
                name: `page-${r.relname}-${b}`,
                kind: 'page',
                major: v.major,
                note: `${r.relname} (${r.amname ?? 'heap'}) block ${b}`,
                fork: 'main',
                block: b,
              },
              file.subarray(b * PAGE, (b + 1) * PAGE),
            );
          }
          for (const fork of ['fsm', 'vm'] as const) {
            const p = `${base}_${fork}`;
            if (!existsSync(p)) continue;
            const f = readFileSync(p);
            const b = Math.min(2, f.length / PAGE - 1);
            save(
              {
                name: `page-${r.relname}-${fork}-${b}`,
                kind: 'page',
                major: v.major,
                note: `${r.relname} ${fork} block ${b}`,
                fork,
                block: b,
              },
              f.subarray(b * PAGE, (b + 1) * PAGE),
            );
          }
        }
        await server.stop();
        const d = server.dataDir;
        save(
          { name: 'pg_control', kind: 'control', major: v.major, note: 'global/pg_control (shut down)' },
          readFileSync(join(d, 'global', 'pg_control')),
        );
        save(
          { name: 'relmap-global', kind: 'relmap', major: v.major, note: 'global/pg_filenode.map' },
          readFileSync(join(d, 'global', 'pg_filenode.map')),
        );
        const dbDir = readdirSync(join(d, 'base')).sort((a, b) => Number(a) - Number(b))[0] as string;
        save(
          { name: 'relmap-db', kind: 'relmap', major: v.major, note: `base/${dbDir}/pg_filenode.map` },
          readFileSync(join(d, 'base', dbDir, 'pg_filenode.map')),
        );
        save(
          { name: 'replslot', kind: 'replslot', major: v.major, note: 'pg_replslot/fuzz_slot/state' },
          readFileSync(join(d, 'pg_replslot', 'fuzz_slot', 'state')),
        );
        for (const f of readdirSync(join(d, 'pg_twophase'))) {
          save(
            { name: `twophase-${f}`, kind: 'twophase', major: v.major, note: `pg_twophase/${f}` },
            readFileSync(join(d, 'pg_twophase', f)),
          );
        }
        const slrus = [
          ['xact', 'pg_xact'],
          ['commit_ts', 'pg_commit_ts'],
          ['multixact_offsets', 'pg_multixact/offsets'],
          ['multixact_members', 'pg_multixact/members'],
        ] as const;
        for (const [slru, dir] of slrus) {
          const p = join(d, dir, '0000');
          if (!existsSync(p) || statSync(p).size === 0) continue;
          save(
            { name: `slru-${slru}`, kind: 'slru', major: v.major, note: `${dir}/0000 first page`, slru },
            readFileSync(p).subarray(0, PAGE),
          );
        }
        save({ name: 'PG_VERSION', kind: 'text', major: v.major, note: 'PG_VERSION' }, readFileSync(join(d, 'PG_VERSION')));
      }
    } catch (e) {
      process.stderr.write(`${readFileSync(server.logFile, 'utf8').slice(-3000)}\n`);
      throw e;
    } finally {
      await server.destroy();
    }
  }
  manifest.sort((a, b) => a.file.localeCompare(b.file));
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  let total = 0;
  for (const f of readdirSync(out)) total += statSync(join(out, f)).size;
  process.stderr.write(`${manifest.length} files, ${total} bytes in ${out}\n`);
}

const outIdx = process.argv.indexOf('--out');
const out = outIdx >= 0 ? (process.argv[outIdx + 1] as string) : join(import.meta.dirname, '..', 'test', 'fuzz', 'corpus');
await build(out);
