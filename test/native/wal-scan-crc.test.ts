/**
 * WalStreamDecoder's record CRC check ahead of the reader (the accelerator's scanRecordCrcs, one
 * call per 32 whole pages of an input chunk) against the pure-TS per-record check, on real
 * PostgreSQL 15 WAL: the same records, the same end of WAL, and a corrupted record in the middle
 * of a scanned window fails with the same CRC_MISMATCH error at the same place. Skipped,
 * visibly, when the native module is not built.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Accelerator, activeAccelerator, installAccelerator } from '../../src/common/core/accelerator.js';
import { PgFormatError } from '../../src/common/core/errors.js';
import { parseLsn } from '../../src/common/core/lsn.js';
import { walFileName } from '../../src/common/core/wal-file-names.js';
import { WalStreamDecoder } from '../../src/common/wal/stream-decoder.js';
import { profileFor } from '../../src/index.js';
import { nativeBinding, nativeUnavailableReason } from '../../src/node/native.js';
import { PgServer } from '../support/pg-server.js';
import { mulberry32 } from '../support/prng.js';

const SEG = 16 * 1024 * 1024;
const PAGE = 8192;
const profile = profileFor(15);

interface Outcome {
  records: string[];
  end: string;
  error: string | null;
}

/**
 * Decodes `bytes` pushed in pieces of `chunk` bytes with `accelerator` installed; with
 * `scans`, each piece goes in through pushChecked with its scan.
 */
function decode(
  bytes: Uint8Array,
  startLsn: bigint,
  inputLsn: bigint,
  chunk: number,
  accelerator: Accelerator | null,
  scans: Uint32Array[] | null = null,
): Outcome {
  const saved = activeAccelerator();
  installAccelerator(accelerator);
  const records: string[] = [];
  let error: string | null = null;
  const d = new WalStreamDecoder(profile, { startLsn, inputLsn });
  try {
    for (let o = 0; o < bytes.length; o += chunk) {
      const piece = bytes.subarray(o, Math.min(bytes.length, o + chunk));
      if (scans === null) d.push(piece);
      else d.pushChecked(piece, scans[o / chunk]!);
      for (let r = d.next(); r !== null; r = d.next()) records.push(`${r.lsnNumber} ${r.totalLength} ${r.rmid} ${r.info} ${r.crc}`);
    }
    d.end();
    for (let r = d.next(); r !== null; r = d.next()) records.push(`${r.lsnNumber} ${r.totalLength} ${r.rmid} ${r.info} ${r.crc}`);
  } catch (e) {
    if (!(e instanceof PgFormatError)) throw e;
    error = `${e.code}: ${e.message}`;
  } finally {
    installAccelerator(saved);
  }
  const eow = d.endOfWal;
  return { records, end: eow === null ? 'none' : `${eow.reason} ${eow.lsn} ${eow.message}`, error };
}

describe.skipIf(nativeBinding === null)(
  `WAL record CRCs scanned ahead (native) vs per-record pure TypeScript${nativeBinding === null ? ` (skipped: ${nativeUnavailableReason})` : ''}`,
  () => {
    let server: PgServer;
    let segment: Uint8Array;
    let segStart = 0n;
    let start = 0n;
    let native: Accelerator;
    let scanCalls = 0;

    beforeAll(async () => {
      const installed = activeAccelerator();
      if (installed === null || installed.scanRecordCrcs === undefined) throw new Error('native accelerator without scanRecordCrcs');
      const scan = installed.scanRecordCrcs.bind(installed);
      native = {
        ...installed,
        scanRecordCrcs: (buffer, firstPage, pageCount) => {
          scanCalls++;
          return scan(buffer, firstPage, pageCount);
        },
      };
      server = await PgServer.start({ major: 15 });
      await server.switchWal();
      start = parseLsn(await server.currentLsn());
      await server.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
      await server.query("INSERT INTO t SELECT g, repeat('x', g % 50) FROM generate_series(1, 20000) g");
      await server.query('UPDATE t SET v = v || 1 WHERE id % 3 = 0');
      await server.checkpoint();
      await server.query('DELETE FROM t WHERE id % 7 = 0');
      const end = parseLsn(await server.switchWal());
      segStart = (start / BigInt(SEG)) * BigInt(SEG);
      const parts: Uint8Array[] = [];
      for (let s = start / BigInt(SEG); s * BigInt(SEG) < end; s++) parts.push(readFileSync(join(server.walDir, walFileName(1, s))));
      segment = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        segment.set(p, o);
        o += p.length;
      }
    });

    afterAll(async () => {
      await server?.destroy();
    });

    it('returns the same records and end of WAL, whole segment or in odd-sized chunks', () => {
      for (const chunk of [segment.length, 5000, 12_345, 300_000]) {
        scanCalls = 0;
        const ours = decode(segment, start, segStart, chunk, native);
        const reference = decode(segment, start, segStart, chunk, null);
        // Whole pages inside one chunk are scanned, 32 per call: at least one call per chunk of
        // decoded WAL, or per 32 pages. Chunks under two pages long leave it to per-record checks.
        const walBytes = Number(reference.records.at(-1)?.split(' ')[0] ?? 0) - Number(segStart);
        if (chunk >= 2 * PAGE) expect(scanCalls).toBeGreaterThanOrEqual(Math.floor(walBytes / Math.min(chunk, 32 * PAGE)) - 1);
        expect(ours).toEqual(reference);
        expect(ours.error).toBeNull();
        expect(ours.records.length).toBeGreaterThan(20_000);
      }
    });

    it('seeded mutations (record lengths, page headers, payload bytes): the same outcome as pure TypeScript', () => {
      // The scan walks pages on its own; whatever a mutation makes it find, the decoder must end
      // exactly as the per-record check does. A failing seed prints itself (WAL_SEED=N replays it).
      const only = process.env.WAL_SEED === undefined ? null : Number(process.env.WAL_SEED);
      const window = Math.min(segment.length, 96 * PAGE);
      for (let seed = 1; seed <= 150; seed++) {
        if (only !== null && seed !== only) continue;
        const random = mulberry32(seed);
        const bad = segment.slice(0, window);
        const edits = 1 + Math.floor(random() * 6);
        for (let e = 0; e < edits; e++) {
          const kind = random();
          const page = Math.floor(random() * (window / PAGE));
          if (kind < 0.3) {
            // A page header field: xlp_info, xlp_rem_len.
            const at = page * PAGE + (random() < 0.5 ? 2 : 16) + Math.floor(random() * 2);
            bad[at] = Math.floor(random() * 256);
          } else {
            // Anywhere in the page: often an xl_tot_len, xl_rmid, xl_info or payload byte.
            const at = page * PAGE + Math.floor(random() * PAGE);
            bad[at] = (bad[at] as number) ^ (1 << Math.floor(random() * 8));
          }
        }
        const chunk = [bad.length, 3 * PAGE + 123, 40_000][seed % 3] as number;
        const ours = decode(bad, start, segStart, chunk, native);
        const reference = decode(bad, start, segStart, chunk, null);
        if (JSON.stringify(ours) !== JSON.stringify(reference)) throw new Error(`seed ${seed} (WAL_SEED=${seed}): outcomes differ`);
        expect(ours).toEqual(reference);
      }
    });

    /**
     * Each piece written to a file and read back with its CRC scan on the thread pool, as
     * pgffi waldump's read-ahead reads a segment (readWalFileAsync); the read must return it all.
     */
    const scansAhead = async (bytes: Uint8Array, chunk: number): Promise<Uint32Array[]> => {
      const dir = mkdtempSync(join(tmpdir(), 'pgffi-read-ahead-'));
      try {
        const scans: Uint32Array[] = [];
        for (let o = 0; o < bytes.length; o += chunk) {
          const piece = bytes.subarray(o, Math.min(bytes.length, o + chunk));
          const file = join(dir, String(o));
          writeFileSync(file, piece);
          const into = new Uint8Array(piece.length + 100);
          const r = await nativeBinding!.readWalFileAsync!(file, into, 0, piece.length);
          expect(r.bytesRead).toBe(piece.length);
          expect(Buffer.from(into.buffer, 0, piece.length).equals(piece)).toBe(true);
          scans.push(r.crcScan);
        }
        // A file shorter than asked for: what it has, and no scan.
        const short = await nativeBinding!.readWalFileAsync!(join(dir, '0'), new Uint8Array(chunk + PAGE), 0, chunk + PAGE);
        expect(short.bytesRead).toBe(Math.min(chunk, bytes.length));
        expect(short.crcScan.length).toBe(0);
        await expect(nativeBinding!.readWalFileAsync!(join(dir, 'missing'), new Uint8Array(PAGE), 0, PAGE)).rejects.toThrow(/missing/);
        return scans;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    it('chunks read with their CRCs scanned on the thread pool (readWalFileAsync, pushChecked): the same outcome, and the scan decides', async () => {
      const reference = decode(segment, start, segStart, segment.length, null);
      for (const chunk of [segment.length, 128 * PAGE, 40 * PAGE]) {
        scanCalls = 0;
        const ours = decode(segment, start, segStart, chunk, native, await scansAhead(segment, chunk));
        expect(ours).toEqual(reference);
        // Whole pages only: every record found by the pushed scans, none scanned again here.
        expect(scanCalls).toBe(0);
      }
      // Seeded damage, as above: the same outcome as pure TypeScript.
      for (let seed = 1; seed <= 40; seed++) {
        const random = mulberry32(1000 + seed);
        const bad = segment.slice(0, 96 * PAGE);
        for (let e = 0; e < 3; e++) {
          const at = Math.floor(random() * bad.length);
          bad[at] = (bad[at] as number) ^ (1 << Math.floor(random() * 8));
        }
        const ours = decode(bad, start, segStart, 32 * PAGE, native, await scansAhead(bad, 32 * PAGE));
        const ref = decode(bad, start, segStart, 32 * PAGE, null);
        if (JSON.stringify(ours) !== JSON.stringify(ref)) throw new Error(`seed ${1000 + seed}: outcomes differ`);
      }
      // A scan that calls a sound record bad is believed: the decoder stops there with a CRC error.
      const scans = await scansAhead(segment, segment.length);
      const lied = scans[0]!.slice();
      const k = 2 * 500;
      lied[k + 1] = (lied[k + 1] as number) | 0x8000_0000;
      const stopped = decode(segment, start, segStart, segment.length, native, [lied]);
      expect(stopped.error).toMatch(/^CRC_MISMATCH: incorrect resource manager data checksum in record at /);
      expect(stopped.records.length).toBeLessThan(reference.records.length);
    });

    it('a record corrupted in the middle of a scanned window fails the same way', () => {
      const reference = decode(segment, start, segStart, segment.length, null);
      const lsns = reference.records.map((r) => r.split(' ').map(Number) as [number, number, number, number, number]);
      // Records that are at least the third in their page.
      const picks = [0.25, 0.5, 0.75].map((f) => {
        for (let i = Math.floor(lsns.length * f); i < lsns.length; i++) {
          const [lsn, len] = lsns[i]!;
          const page = Math.floor(lsn / PAGE);
          const [l2] = lsns[i - 2]!;
          if (Math.floor(l2 / PAGE) === page && (lsn % PAGE) + len <= PAGE && len > 30) return { index: i, lsn, len };
        }
        throw new Error('no record in the middle of a page');
      });
      for (const pick of picks) {
        const bad = segment.slice();
        const at = pick.lsn - Number(segStart) + pick.len - 1;
        bad[at] = (bad[at] as number) ^ 0x01;
        scanCalls = 0;
        const ours = decode(bad, start, segStart, bad.length, native);
        expect(scanCalls).toBeGreaterThan(0);
        const ref = decode(bad, start, segStart, bad.length, null);
        expect(ours).toEqual(ref);
        expect(ref.error).toMatch(/^CRC_MISMATCH: incorrect resource manager data checksum in record at /);
        expect(ref.records.length).toBe(pick.index);
      }
    });
  },
);
