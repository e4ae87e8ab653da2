/**
 * The explorer in headless Chromium on full 16 MB WAL segments of a real PostgreSQL 16
 * workload: time to the first table rows and to the full record index (decode + describe +
 * stats in the Web Worker), for one segment and for several, next to the same work in Node
 * (openWal + describe + block refs) and pg_waldump 16's full text output of the same files.
 *
 *   npx tsx bench/explorer.ts [--segments=4] [--rounds=3]
 *
 * Page timings are what the page records itself (window.__explorer: from handing the bytes to
 * the worker to the first rows / the last batch and the stats); "click→done" adds fetching the
 * files from `pgffi explore` over HTTP. Best of N rounds, each in a fresh page.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExplorerServer } from '../src/cli/commands/explore.js';
import { blockRefText, describe, recordType } from '../src/common/rmgr/index.js';
import { openWal, profileFor } from '../src/index.js';
import { buildExplorer, chromiumAvailable, launchChromium } from '../test/explorer/support.js';
import { PgServer } from '../test/support/pg-server.js';
import { printTable, timeProcess } from './harness.js';

const arg = (name: string, def: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? def : Number(a.slice(name.length + 3));
};
const nSegments = arg('segments', 4);
const rounds = arg('rounds', 3);
const PG_WALDUMP_16 = join(process.env.PGFFI_TOOLS ?? '/opt/pgffi-pg', '16', 'bin', 'pg_waldump');

if (!chromiumAvailable()) {
  console.error('bench/explorer: /usr/bin/chromium is missing (apt-get install -y chromium)');
  process.exit(1);
}

buildExplorer();
const server = await PgServer.start({ major: 16, conf: { wal_keep_size: "'4GB'", max_wal_size: "'4GB'" } });
const dir = mkdtempSync(join(tmpdir(), 'pgffi-bench-explorer-'));
const segs: string[] = [];
try {
  await server.query('CREATE TABLE acc (id int PRIMARY KEY, bal int, filler text)');
  await server.switchWal();
  const first = await server.walFileName(await server.currentLsn());
  let round = 0;
  // A mixed workload (inserts with a btree, updates, deletes, vacuum): many small records and some FPIs.
  for (;;) {
    const base = round * 20_000;
    await server.query(`INSERT INTO acc SELECT g, 0, repeat('f', 40) FROM generate_series(${base + 1}, ${base + 20_000}) g`);
    await server.query(`UPDATE acc SET bal = bal + 1 WHERE id % 5 = 0 AND id > ${base - 20_000}`);
    await server.query(`DELETE FROM acc WHERE id % 11 = 0 AND id > ${base}`);
    if (round % 4 === 3) await server.query('VACUUM acc');
    if (round % 8 === 7) await server.checkpoint();
    round++;
    const current = await server.walFileName(await server.currentLsn());
    const all = readdirSync(server.walDir)
      .filter((n) => /^[0-9A-F]{24}$/.test(n) && n >= first && n < current)
      .sort();
    if (all.length >= nSegments) {
      segs.push(...all.slice(0, nSegments));
      break;
    }
  }
  for (const s of segs) copyFileSync(join(server.walDir, s), join(dir, s));
} finally {
  await server.stop();
  await server.destroy();
}

// The same work in Node: decode, rmgr description, record type and block references of every record.
const profile = profileFor(16);
function nodeIndex(files: string[]): { ms: number; records: number } {
  const bytes = files.map((f) => new Uint8Array(readFileSync(join(dir, f))));
  let best = Number.POSITIVE_INFINITY;
  let records = 0;
  for (let r = 0; r < rounds; r++) {
    const total = new Uint8Array(bytes.reduce((a, b) => a + b.length, 0));
    let off = 0;
    for (const b of bytes) {
      total.set(b, off);
      off += b.length;
    }
    const t = performance.now();
    records = 0;
    for (const rec of openWal(total)) {
      describe(rec, profile);
      recordType(rec, profile);
      blockRefText(rec, profile, { detailed: false });
      records++;
    }
    best = Math.min(best, performance.now() - t);
  }
  return { ms: best, records };
}

const explorer = await startExplorerServer({ root: dir });
const browser = await launchChromium();
const rows: (string | number)[][] = [];
try {
  for (const files of [segs.slice(0, 1), segs]) {
    let firstRows = Number.POSITIVE_INFINITY;
    let done = Number.POSITIVE_INFINITY;
    let worker = Number.POSITIVE_INFINITY;
    let clickDone = Number.POSITIVE_INFINITY;
    let scroll = Number.POSITIVE_INFINITY;
    let filter = Number.POSITIVE_INFINITY;
    let records = 0;
    for (let r = 0; r < rounds; r++) {
      const page = await browser.context.newPage();
      await page.goto(explorer.url);
      await page.waitForSelector('#file-list');
      const t = performance.now();
      if (files.length === 1) await page.click(`#file-list a[data-name="${files[0]}"]`);
      else await page.click('#open-all-wal');
      await page.waitForSelector('#status[data-done="true"]', { timeout: 300_000 });
      clickDone = Math.min(clickDone, performance.now() - t);
      const s = await page.evaluate(
        () =>
          (window as unknown as { __explorer: { firstRowsMs: number; doneMs: number; workerMs: number; recordCount: number } }).__explorer,
      );
      firstRows = Math.min(firstRows, s.firstRowsMs);
      done = Math.min(done, s.doneMs);
      worker = Math.min(worker, s.workerMs);
      records = s.recordCount;
      // Jump to the end of the table and time until the rows there are painted.
      scroll = Math.min(
        scroll,
        await page.evaluate(
          () =>
            new Promise<number>((ok) => {
              const v = document.getElementById('records')!;
              const t0 = performance.now();
              v.scrollTop = v.scrollHeight;
              requestAnimationFrame(() => requestAnimationFrame(() => ok(performance.now() - t0)));
            }),
        ),
      );
      // A text filter over every record (debounce excluded: measured from the filter run).
      const tf = performance.now();
      await page.fill('#f-text', 'blk 7');
      await page.waitForFunction(() => /of/.test(document.getElementById('record-count')!.textContent ?? ''));
      filter = Math.min(filter, performance.now() - tf - 120);
      await page.close();
    }
    const node = nodeIndex(files);
    const waldump = existsSync(PG_WALDUMP_16)
      ? timeProcess(PG_WALDUMP_16, [join(dir, files[0]!), join(dir, files[files.length - 1]!)], rounds) * 1000
      : Number.NaN;
    if (node.records !== records) throw new Error(`page shows ${records} records, the library decodes ${node.records}`);
    rows.push([
      `${files.length} × 16 MB`,
      records,
      firstRows.toFixed(0),
      done.toFixed(0),
      worker.toFixed(0),
      clickDone.toFixed(0),
      scroll.toFixed(1),
      filter.toFixed(0),
      node.ms.toFixed(0),
      waldump.toFixed(0),
      (done / waldump).toFixed(2),
    ]);
  }
} finally {
  await browser.close();
  await explorer.close();
  rmSync(dir, { recursive: true, force: true });
}

printTable(
  `explorer in headless Chromium (best of ${rounds}; ms)`,
  [
    'WAL',
    'records',
    'first rows',
    'full index',
    'in worker',
    'click→done',
    'scroll to end',
    'text filter',
    'Node: decode+describe',
    'pg_waldump 16 full text',
    'index / pg_waldump',
  ],
  rows,
);
