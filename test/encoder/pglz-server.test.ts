/**
 * Our pglz compressor against PostgreSQL's own output: a 15 server with wal_compression=pglz
 * writes full-page images of real heap and index pages; for each one we restore the page
 * (the decoder), rebuild the compressor's input (page less its hole), compress it with
 * pglzCompress and compare with the bytes the server stored — and with the server's decision
 * to compress at all (images it stored uncompressed must be ones our strategy refuses).
 */
import { describe, expect, it } from 'vitest';
import { formatLsn, parseLsn } from '../../src/common/core/lsn.js';
import { restoreFullPageImage } from '../../src/common/wal/index.js';
import { pglzCompress } from '../../src/common/wal-encode/index.js';
import { scanWalDirectory } from '../../src/node/wal-writer.js';
import { profile } from '../../src/v15/profile.js';
import { withServer } from '../support/pg-server.js';

describe('pglz output compared with PostgreSQL 15', () => {
  it('re-compressing every server FPI gives the server’s bytes', async () => {
    await withServer({ major: 15, conf: { wal_compression: 'pglz', full_page_writes: 'on' } }, async (server) => {
      await server.query('CREATE TABLE t (id int primary key, v text, n numeric)');
      await server.query("INSERT INTO t SELECT g, md5(g::text) || repeat('ab', g % 40), g * 1.5 FROM generate_series(1, 20000) g");
      await server.query('CREATE TABLE r (v bytea)');
      await server.query(
        "INSERT INTO r SELECT (SELECT string_agg(decode(md5(random()::text || g || k), 'hex'), ''::bytea) FROM generate_series(1, 60) k) FROM generate_series(1, 300) g",
      );
      await server.checkpoint();
      const start = parseLsn(await server.currentLsn());
      await server.query("UPDATE t SET v = v || 'x' WHERE id % 7 = 0");
      await server.query('CREATE INDEX ON t (v)');
      await server.checkpoint();
      await server.query('UPDATE t SET n = n + 1 WHERE id % 5 = 0');
      await server.query("UPDATE r SET v = v || '\\x00'::bytea");
      await server.stop();
      let compressed = 0;
      let identical = 0;
      let uncompressed = 0;
      let refusedToo = 0;
      const diffs: string[] = [];
      scanWalDirectory(server.walDir, profile, {
        onRecord: (r) => {
          if (r.lsn < start) return;
          for (const b of r.blocks) {
            const img = b.image;
            if (img === null) continue;
            const page = restoreFullPageImage(profile, b, r.lsn);
            const source = new Uint8Array(8192 - img.holeLength);
            source.set(page.subarray(0, img.holeOffset), 0);
            source.set(page.subarray(img.holeOffset + img.holeLength), img.holeOffset);
            const ours = pglzCompress(source);
            if (img.compression === 'pglz') {
              compressed++;
              if (ours !== null && Buffer.from(ours).equals(Buffer.from(img.bytes))) identical++;
              else if (diffs.length < 5)
                diffs.push(`${formatLsn(r.lsn)} block ${b.id}: ours ${ours?.length ?? 'refused'}, server ${img.bytes.length}`);
            } else {
              uncompressed++;
              const extra = img.holeLength > 0 ? 2 : 0;
              if (ours === null || ours.length + extra >= source.length) refusedToo++;
            }
          }
        },
      });
      console.log(
        `pglz vs PostgreSQL 15: ${identical}/${compressed} compressed images byte-identical; ${refusedToo}/${uncompressed} uncompressed images refused by our strategy too`,
      );
      expect(diffs).toEqual([]);
      expect(compressed).toBeGreaterThan(100);
      expect(identical).toBe(compressed);
      expect(uncompressed).toBeGreaterThan(10);
      expect(refusedToo).toBe(uncompressed);
    });
  });
});
