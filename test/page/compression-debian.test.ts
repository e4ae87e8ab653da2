/**
 * Inline-compressed values written by Debian's PostgreSQL 15 (built with lz4): each text value
 * decoded from the heap file equals what SQL returns, for both pglz and lz4 columns.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { heapPageItems, heapTupleAt } from '../../src/common/page/heap.js';
import { type AttributeDescriptor, decodeDatum, tupleDataSplit, varlenaKind } from '../../src/common/page/tuple-data.js';
import { debianServerAvailable, withServer } from '../support/pg-server.js';

describe.skipIf(!debianServerAvailable())('inline compression on Debian PostgreSQL 15', () => {
  it('decodes pglz and lz4 compressed text', async () => {
    await withServer({ major: 15, flavor: 'debian', conf: { autovacuum: 'off' } }, async (server) => {
      await server.query('CREATE TABLE t (id int, a text COMPRESSION pglz, b text COMPRESSION lz4)');
      await server.query(
        'INSERT INTO t SELECT g, repeat(md5(g::text), 100 + g % 20), repeat(md5((g * 3)::text), 100 + g % 30) || g FROM generate_series(1, 200) g',
      );
      await server.checkpoint();
      const expected = new Map<number, { a: string; b: string; ca: string; cb: string }>();
      for (const r of await server.query<{ id: number; a: string; b: string; ca: string; cb: string }>(
        'SELECT id, a, b, pg_column_compression(a) AS ca, pg_column_compression(b) AS cb FROM t',
      )) {
        expected.set(r.id, r);
      }
      const [row] = await server.query<{ p: string }>("SELECT pg_relation_filepath('t') AS p");
      const bytes = readFileSync(join(server.dataDir, row!.p));
      const atts: AttributeDescriptor[] = [
        { attlen: 4, attalign: 'i' },
        { attlen: -1, attalign: 'i' },
        { attlen: -1, attalign: 'i' },
      ];
      let n = 0;
      const seen = new Set<string>();
      for (let off = 0; off < bytes.length; off += 8192) {
        const page = new Uint8Array(bytes.subarray(off, off + 8192));
        for (const item of heapPageItems(page, off / 8192)) {
          if (item.lpFlags !== 1) continue;
          const t = heapTupleAt(page, item.lp, off / 8192)!;
          const [id, a, b] = tupleDataSplit(t.data, atts, t.t_infomask, t.t_infomask2, t.t_bits);
          const e = expected.get(decodeDatum(id!, 'int4') as number)!;
          if (varlenaKind(a!) === 'compressed') seen.add(e.ca);
          if (varlenaKind(b!) === 'compressed') seen.add(e.cb);
          expect(decodeDatum(a!, 'text')).toBe(e.a);
          expect(decodeDatum(b!, 'text')).toBe(e.b);
          n++;
        }
      }
      expect(n).toBe(200);
      expect([...seen].sort()).toEqual(['lz4', 'pglz']);
    });
  });
});
