/**
 * The explorer end to end in real headless Chromium: a PostgreSQL 16 server makes WAL with
 * full-page images, `pgffi explore <pg_wal>` serves it, the page opens the segment, filters,
 * opens a record and its full-page image. What the page shows is checked against
 * pg_walinspect (records, block references), pg_waldump 16 (--stats=record text) and the
 * library's own decode. Screenshots go to test-artifacts/explorer/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, startExplorerServer } from '../../src/cli/commands/explore.js';
import { inspectPage } from '../../src/common/page/inspect.js';
import { restoreFullPageImage, type WalRecord } from '../../src/common/wal/index.js';
import { openWal, profileFor } from '../../src/index.js';
import { PgServer } from '../support/pg-server.js';
import {
  artifactPath,
  type Browser,
  buildExplorer,
  chromiumAvailable,
  launchChromium,
  lsnNumber,
  lsnString,
  segmentStart,
} from './support.js';

const PG_WALDUMP_16 = join(process.env.PGFFI_TOOLS ?? '/opt/pgffi-pg', '16', 'bin', 'pg_waldump');

if (!chromiumAvailable()) {
  console.warn('explorer e2e skipped: /usr/bin/chromium is missing (apt-get install -y chromium)');
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

async function waitForHttp(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer`);
}

async function waitDone(page: Page): Promise<void> {
  await page.waitForSelector('#status[data-done="true"]', { timeout: 60_000 });
}

async function shownCount(page: Page): Promise<string> {
  return (await page.textContent('#record-count')) ?? '';
}

describe.skipIf(!chromiumAvailable())('explorer in headless Chromium (PostgreSQL 16)', () => {
  let server: PgServer;
  let browser: Browser;
  let page: Page;
  let url: string;
  const stop = new AbortController();
  let served: Promise<number>;
  let segName: string;
  let segBytes: Uint8Array;
  let switchEnd: string;
  let relfilenode: number;

  beforeAll(async () => {
    buildExplorer();
    server = await PgServer.start({ major: 16, conf: { wal_compression: 'pglz', wal_keep_size: "'1GB'" } });
    await server.query('CREATE EXTENSION pg_walinspect');
    await server.switchWal();
    await server.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
    await server.query(`INSERT INTO t SELECT g, repeat('x', g % 50) FROM generate_series(1, 3000) g`);
    await server.checkpoint();
    await server.query(`UPDATE t SET v = v || 'y' WHERE id % 10 = 0`);
    await server.query('DELETE FROM t WHERE id % 7 = 0');
    await server.query('VACUUM t');
    relfilenode = Number((await server.query<{ r: string }>(`SELECT pg_relation_filenode('t') AS r`))[0]!.r);
    segName = await server.walFileName(await server.currentLsn());
    switchEnd = await server.switchWal();
    segBytes = new Uint8Array(readFileSync(join(server.walDir, segName)));

    const port = await freePort();
    url = `http://127.0.0.1:${port}/`;
    served = run([server.walDir, '--port', String(port)], stop.signal);
    await waitForHttp(url);
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
  });

  afterAll(async () => {
    await browser?.close();
    stop.abort();
    if (served !== undefined) expect(await served).toBe(0);
    await server?.stop();
  });

  async function walinspect<T extends Record<string, unknown>>(sql: string): Promise<T[]> {
    return server.query<T>(sql, [lsnString(segmentStart(segName)), lsnString(segmentStart(segName) + 16 * 1024 * 1024)]);
  }

  it('lists the pg_wal directory and decodes the segment: records as pg_walinspect has them', async () => {
    await page.goto(url);
    await page.waitForSelector(`#file-list a[data-name="${segName}"]`);
    await page.screenshot({ path: artifactPath('01-files.png'), fullPage: true });
    const t0 = Date.now();
    await page.click(`#file-list a[data-name="${segName}"]`);
    await waitDone(page);
    const state = await page.evaluate(
      () => (window as unknown as { __explorer: { firstRowsMs: number; doneMs: number; recordCount: number } }).__explorer,
    );
    console.log(
      `explorer: ${segName} (16 MB): first rows after ${state.firstRowsMs.toFixed(0)} ms, ${state.recordCount} records indexed after ${state.doneMs.toFixed(0)} ms (click to done ${Date.now() - t0} ms)`,
    );

    const expected = await walinspect<{ start_lsn: string; resource_manager: string; record_type: string; description: string }>(
      'SELECT start_lsn::text, resource_manager, record_type, description FROM pg_get_wal_records_info($1, $2)',
    );
    let ours = 0;
    for (const _ of openWal(segBytes)) ours++;
    expect(state.recordCount).toBe(expected.length);
    expect(ours).toBe(expected.length);
    expect(await shownCount(page)).toBe(`${expected.length} records`);

    // The first visible rows: LSN, rmgr, type and description as pg_walinspect gives them.
    const rows = await page.$$eval('#records .row', (els) =>
      els.slice(0, 12).map((el) => ({
        lsn: el.querySelector('.c-lsn')!.textContent!,
        rmgr: el.querySelector('.c-rmgr')!.textContent!,
        type: el.querySelector('.c-type')!.textContent!,
        desc: el.querySelector('.c-desc')!.textContent!,
      })),
    );
    expect(rows.length).toBe(Math.min(12, expected.length));
    rows.forEach((r, i) => {
      const e = expected[i]!;
      expect(lsnNumber(r.lsn)).toBe(lsnNumber(e.start_lsn));
      expect(r.rmgr).toBe(e.resource_manager);
      expect(r.type).toBe(e.record_type);
      expect(r.desc.startsWith(e.description ?? '')).toBe(true);
    });
    await page.screenshot({ path: artifactPath('02-records.png'), fullPage: true });

    // Keyboard: the first row, then ↓ selects the second record.
    await page.click('#records .row');
    await page.press('#records', 'ArrowDown');
    await expect.poll(() => page.textContent('#detail-line')).toContain(`lsn: ${rows[1]!.lsn}`);
  });

  it('filters like pg_waldump: rmgr + full-page images, relation, LSN range, text', async () => {
    await page.selectOption('#f-rmgr', 'Heap');
    await page.check('#f-fpi');
    const heapFpi = await walinspect<{ n: string }>(
      `SELECT count(*) AS n FROM pg_get_wal_records_info($1, $2) WHERE resource_manager = 'Heap' AND fpi_length > 0`,
    );
    const total = await walinspect<{ n: string }>('SELECT count(*) AS n FROM pg_get_wal_records_info($1, $2)');
    expect(Number(heapFpi[0]!.n)).toBeGreaterThan(0);
    await expect.poll(() => shownCount(page)).toBe(`${heapFpi[0]!.n} of ${total[0]!.n} records`);
    await page.screenshot({ path: artifactPath('03-filtered-heap-fpi.png'), fullPage: true });

    await page.click('#f-clear');
    await page.fill('#f-rel', String(relfilenode));
    const rel = await walinspect<{ n: string }>(
      `SELECT count(DISTINCT start_lsn) AS n FROM pg_get_wal_block_info($1, $2, false) WHERE relfilenode = ${relfilenode}`,
    );
    await expect.poll(() => shownCount(page)).toBe(`${rel[0]!.n} of ${total[0]!.n} records`);

    await page.click('#f-clear');
    const mid = await walinspect<{ s: string; e: string; n: string }>(
      `WITH r AS (SELECT start_lsn, row_number() OVER (ORDER BY start_lsn) AS k FROM pg_get_wal_records_info($1, $2))
       SELECT (SELECT start_lsn::text FROM r WHERE k = 10) AS s, (SELECT start_lsn::text FROM r WHERE k = 30) AS e, '20' AS n`,
    );
    await page.fill('#f-start', mid[0]!.s);
    await page.fill('#f-end', mid[0]!.e);
    await expect.poll(() => shownCount(page)).toBe(`20 of ${total[0]!.n} records`);

    await page.click('#f-clear');
    await page.fill('#f-text', 'CHECKPOINT_ONLINE');
    const ckpt = await walinspect<{ n: string }>(
      `SELECT count(*) AS n FROM pg_get_wal_records_info($1, $2) WHERE record_type = 'CHECKPOINT_ONLINE'`,
    );
    await expect.poll(() => shownCount(page)).toBe(`${ckpt[0]!.n} of ${total[0]!.n} records`);

    await page.fill('#f-text', '');
    await page.fill('#f-start', 'not an lsn');
    await expect.poll(() => page.textContent('#filter-error')).toContain('start: an LSN');
    await page.click('#f-clear');
  });

  it('opens a record with a full-page image and shows the image in the page view', async () => {
    await page.selectOption('#f-rmgr', 'Heap');
    await page.check('#f-fpi');
    await page.fill('#f-rel', String(relfilenode));
    const expected = await walinspect<{ n: string; total: string }>(
      `SELECT (SELECT count(DISTINCT b.start_lsn) FROM pg_get_wal_block_info($1, $2, false) b JOIN pg_get_wal_records_info($1, $2) r USING (start_lsn)
                WHERE r.resource_manager = 'Heap' AND r.fpi_length > 0 AND b.relfilenode = ${relfilenode}) AS n,
              (SELECT count(*) FROM pg_get_wal_records_info($1, $2)) AS total`,
    );
    expect(Number(expected[0]!.n)).toBeGreaterThan(0);
    await expect.poll(() => shownCount(page)).toBe(`${expected[0]!.n} of ${expected[0]!.total} records`);
    await page.waitForSelector('#records .row');
    const lsnText = (await page.textContent('#records .row .c-lsn'))!;
    await page.click('#records .row');
    await page.waitForSelector('#detail-line');
    const line = (await page.textContent('#detail-line'))!;
    const lsn = lsnNumber(lsnText);
    expect(line).toContain(`lsn: ${lsnText}`);
    await page.screenshot({ path: artifactPath('04-record-detail.png'), fullPage: true });
    expect(await page.textContent('#detail .legend')).toContain('image');
    expect(await page.$$('#detail-hex .hx-image')).not.toHaveLength(0);
    expect(await page.$$('#detail-hex .hx-header')).toHaveLength(2); // 24 header bytes: 16 on the first line, 8 on the second

    // pg_walinspect's view of that record's blocks.
    const blocks = await server.query<{ block_id: number; relfilenode: string; block_number: string; fpi_length: number }>(
      `SELECT block_id, relfilenode::text, relblocknumber::text AS block_number, coalesce(block_fpi_length, 0) AS fpi_length
         FROM pg_get_wal_block_info($1, $2, true) WHERE start_lsn = $1 ORDER BY block_id`,
      [lsnString(lsn), switchEnd],
    );
    const withImage = blocks.find((b) => b.fpi_length > 0)!;
    expect(withImage).toBeDefined();
    const blockCells = await page.$$eval('#detail-blocks tr', (trs) =>
      trs.slice(1).map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')),
    );
    expect(blockCells.length).toBe(blocks.length);
    const shown = blockCells.find((c) => c[0] === `#${withImage.block_id}`)!;
    expect(shown[1]!.endsWith(`/${withImage.relfilenode}`)).toBe(true);
    expect(shown[3]).toBe(withImage.block_number);

    // The library's own restore of the same image.
    const profile = profileFor(16);
    let expectedItems = -1;
    for (const r of openWal(segBytes)) {
      const rec = r as WalRecord;
      if (rec.lsnNumber !== lsn) continue;
      const b = rec.blocks.find((x) => x.id === withImage.block_id)!;
      const restored = restoreFullPageImage(profile, b, rec.lsn);
      expectedItems = inspectPage(restored, b.blockNumber).items!.length;
      break;
    }
    expect(expectedItems).toBeGreaterThan(0);

    await page.click(`#detail-blocks button.open-page[data-block="${withImage.block_id}"]`);
    await page.waitForSelector('#page-kind');
    expect(await page.textContent('#page-kind')).toBe('heap');
    expect(await page.textContent('#page-label')).toContain(`blk ${withImage.block_number}`);
    const itemRows = await page.$$('#page-items tr');
    expect(itemRows.length - 1).toBe(expectedItems);
    expect(await page.$$('#page-map rect')).not.toHaveLength(0);
    await page.screenshot({ path: artifactPath('05-page-view.png'), fullPage: true });

    // "records of this block": every record that references the block, as pg_get_wal_block_info lists them.
    const touching = await walinspect<{ n: string; total: string }>(
      `SELECT (SELECT count(DISTINCT start_lsn) FROM pg_get_wal_block_info($1, $2, false)
                WHERE relfilenode = ${withImage.relfilenode} AND relblocknumber = ${withImage.block_number}) AS n,
              (SELECT count(*) FROM pg_get_wal_records_info($1, $2)) AS total`,
    );
    await page.click('#page-block-records');
    await expect.poll(() => shownCount(page)).toBe(`${touching[0]!.n} of ${touching[0]!.total} records`);
    await page.click('#tab-page');

    // Values decoded with the table's column types: rows as the workload wrote them
    // (v = repeat('x', id % 50), with 'y' appended by the UPDATE for id % 10 = 0).
    await page.fill('#page-types', 'int4,text');
    await page.press('#page-types', 'Enter');
    await page.waitForSelector('#page-items td.values');
    const values = await page.$$eval('#page-items td.values', (tds) => tds.map((td) => td.textContent ?? ''));
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) {
      const m = /^(\d+), "(x*)(y?)"$/.exec(v);
      expect(m, v).not.toBeNull();
      expect(m![2]!.length).toBe(Number(m![1]) % 50);
      if (m![3] === 'y') expect(Number(m![1]) % 10).toBe(0);
    }
  });

  it('opens a relation file: pages, line pointers and checksums as pageinspect sees them', async () => {
    await server.query('CREATE EXTENSION IF NOT EXISTS pageinspect');
    await server.checkpoint();
    const relpath = (await server.query<{ p: string }>(`SELECT pg_relation_filepath('t') AS p`))[0]!.p;
    const bytes = readFileSync(join(server.dataDir, relpath));
    const nblocks = bytes.length / 8192;
    await page.setInputFiles('#file-input', { name: String(relfilenode), mimeType: 'application/octet-stream', buffer: bytes });
    await page.waitForSelector('#page-kind');
    expect(await page.textContent('#page-view .pager')).toContain(`of ${nblocks}`);
    const blk = Math.min(2, nblocks - 1);
    await page.fill('#page-block', String(blk));
    await page.press('#page-block', 'Enter');
    await expect.poll(() => page.textContent('#page-checksum')).toContain(`for block ${blk}`);
    const lps = await server.query<{ n: string; dead: string }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE lp_flags = 3) AS dead FROM heap_page_items(get_raw_page('t', ${blk}))`,
    );
    // page_checksum() over the buffer's copy: the checksum field itself is not part of the sum.
    const hdr = await server.query<{ checksum: number; lower: number; upper: number }>(
      `SELECT page_checksum(get_raw_page('t', ${blk}), ${blk}) AS checksum, lower, upper FROM page_header(get_raw_page('t', ${blk}))`,
    );
    expect((await page.$$('#page-items tr')).length - 1).toBe(Number(lps[0]!.n));
    const checksum = (await page.textContent('#page-checksum'))!;
    expect(checksum).toContain(`ok (0x${(hdr[0]!.checksum & 0xffff).toString(16).padStart(4, '0')})`);
    const headerText = (await page.textContent('#page-header'))!;
    expect(headerText).toContain(`lower${hdr[0]!.lower}`);
    expect(headerText).toContain(`upper${hdr[0]!.upper}`);
    await page.screenshot({ path: artifactPath('08-relation-file.png'), fullPage: true });

    // The same file reached by browsing the data directory through the read-only API.
    const dataDir = await startExplorerServer({ root: server.dataDir });
    const browse = await browser.context.newPage();
    try {
      await browse.goto(dataDir.url);
      await browse.waitForSelector('#file-list a[data-name="base"]');
      expect(await browse.textContent('#tab-files')).toBe('Files (data directory)');
      for (const part of relpath.split('/').slice(0, -1)) {
        await browse.click(`#file-list a[data-name="${part}"]`);
        await browse.waitForSelector(`.crumbs >> text=${part}`);
      }
      await browse.click(`#file-list a[data-name="${relfilenode}"]`);
      await browse.waitForSelector('#page-kind');
      expect(await browse.textContent('#page-label')).toBe(relpath);
      expect(await browse.textContent('#page-view .pager')).toContain(`of ${nblocks}`);
      await browse.screenshot({ path: artifactPath('09-data-directory-browse.png'), fullPage: true });
    } finally {
      await browse.close();
      await dataDir.close();
    }
  });

  it('draws the statistics; the --stats=record text is pg_waldump 16 own', async () => {
    await page.click('#tab-stats');
    await page.waitForSelector('#chart-rmgr-bytes');
    expect(await page.$$('#chart-rmgr-bytes g')).not.toHaveLength(0);
    expect(await page.$$('#chart-volume rect')).not.toHaveLength(0);
    await page.screenshot({ path: artifactPath('06-stats.png'), fullPage: true });
    const shown = (await page.textContent('#stats-text'))!;
    if (existsSync(PG_WALDUMP_16)) {
      const out = execFileSync(PG_WALDUMP_16, ['--stats=record', join(server.walDir, segName)], { encoding: 'utf8' });
      expect(shown.trimEnd()).toBe(out.trimEnd());
    } else {
      const types = await walinspect<{ n: string }>('SELECT count(*) AS n FROM pg_get_wal_stats($1, $2, true) WHERE count > 0');
      expect(shown.split('\n').filter((l) => /^\S+\/\S+/.test(l)).length).toBe(Number(types[0]!.n));
    }
  });

  it('opens a gzip-compressed copy from the file picker, and shows corruption in place', async () => {
    await page.click('#tab-wal');
    await page.click('#f-clear');
    await page.setInputFiles('#file-input', { name: `${segName}.gz`, mimeType: 'application/gzip', buffer: gzipSync(segBytes) });
    await waitDone(page);
    const total = await walinspect<{ n: string }>('SELECT count(*) AS n FROM pg_get_wal_records_info($1, $2)');
    expect(await shownCount(page)).toBe(`${total[0]!.n} records`);
    if (existsSync('/usr/bin/zstd')) {
      const zst = execFileSync('/usr/bin/zstd', ['-q', '-c', join(server.walDir, segName)]);
      await page.evaluate(() => document.getElementById('status')!.removeAttribute('data-done'));
      await page.setInputFiles('#file-input', { name: `${segName}.zst`, mimeType: 'application/zstd', buffer: zst });
      await waitDone(page);
      expect(await shownCount(page)).toBe(`${total[0]!.n} records`);
    }

    // The same segment twice: the copy is refused in place, the records are counted once.
    const gz = gzipSync(segBytes);

    // Dropped onto the page instead of picked.
    await page.evaluate(
      ({ name, b64 }) => {
        document.getElementById('status')!.removeAttribute('data-done');
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name));
        document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      { name: `${segName}.gz`, b64: gz.toString('base64') },
    );
    await waitDone(page);
    expect(await shownCount(page)).toBe(`${total[0]!.n} records`);

    await page.evaluate(() => document.getElementById('status')!.removeAttribute('data-done'));
    await page.setInputFiles('#file-input', [
      { name: `${segName}.gz`, mimeType: 'application/gzip', buffer: gz },
      { name: `copy-of-${segName}.gz`, mimeType: 'application/gzip', buffer: gz },
    ]);
    await waitDone(page);
    expect(await shownCount(page)).toBe(`${total[0]!.n} records`);
    expect((await page.$$eval('#notes .note.error', (els) => els.map((e) => e.textContent ?? ''))).join('\n')).toMatch(/overlaps/);

    // Flip a byte inside the 40th record: decoding stops there with pg_waldump's reason.
    const recs = await walinspect<{ s: string }>(
      'SELECT start_lsn::text AS s FROM pg_get_wal_records_info($1, $2) ORDER BY start_lsn LIMIT 40',
    );
    const at = lsnNumber(recs[39]!.s);
    const bad = segBytes.slice();
    const off = at - segmentStart(segName) + 26;
    bad[off] = (bad[off]! ^ 0xff) & 0xff;
    await page.setInputFiles('#file-input', { name: segName, mimeType: 'application/octet-stream', buffer: Buffer.from(bad) });
    await waitDone(page);
    expect(await shownCount(page)).toBe('39 records');
    const errors = await page.$$eval('#notes .note.error', (els) => els.map((e) => e.textContent ?? ''));
    expect(errors.join('\n')).toContain(`corrupt record at ${recs[39]!.s}`);
    expect(errors.join('\n')).toContain('incorrect resource manager data checksum');
    await page.screenshot({ path: artifactPath('07-corrupt.png'), fullPage: true });
  });

  it('opens every segment of the directory at once, records crossing segment boundaries included', async () => {
    await page.goto(url);
    await page.waitForSelector('#open-all-wal');
    const names = await page.$$eval('#file-list a[data-name]', (as) =>
      as.map((a) => a.getAttribute('data-name') ?? '').filter((n) => /^[0-9A-F]{24}$/.test(n)),
    );
    expect(names.length).toBeGreaterThan(1);
    await page.click('#open-all-wal');
    await waitDone(page);
    // Segments up to ours are complete (switched); a later one may still be growing: compare up to our segment's end.
    const from = lsnString(segmentStart(names[0]!));
    const to = lsnString(segmentStart(segName) + 16 * 1024 * 1024);
    const all = await server.query<{ n: string }>('SELECT count(*) AS n FROM pg_get_wal_records_info($1, $2)', [from, to]);
    await page.fill('#f-end', to);
    await expect.poll(() => shownCount(page)).toMatch(new RegExp(`^${all[0]!.n} (of \\d+ )?records$`));
    const errors = await page.$$eval('#notes .note.error', (els) => els.map((e) => e.textContent ?? ''));
    expect(errors).toEqual([]);
  });
});
