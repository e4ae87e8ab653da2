/**
 * The explorer's decoding worker: WAL segment files (XLogPageHeaderData / XLogRecord,
 * access/xlog_internal.h and access/xlogrecord.h) decoded with the library's streaming reader,
 * indexed in batches for the page, pg_waldump --stats accumulated, and single records
 * re-decoded on demand for their detail view. Nothing leaves the browser.
 */
import { decompress as zstdDecompress } from 'fzstd';
import { detectVersion } from '../../src/common/core/version.js';
import type { PgVersionProfile } from '../../src/common/profile.js';
import {
  blockRefText,
  decodeBody,
  describe,
  fpiLength,
  recordType,
  recordTypeForInfo,
  rmgrName,
  WalStatsAccumulator,
} from '../../src/common/rmgr/index.js';
import { detachRecord, restoreFullPageImage, type WalRecord, WalStreamDecoder } from '../../src/common/wal/index.js';
import { formatRecordLine, formatStats, lsnPadded } from '../../src/common/waldump/format.js';
import { profileFor } from '../../src/index.js';
import type { BlockDetail, ByteRange, FromWorker, InputFile, RecordDetail, StatsRow, ToWorker, WalStatsSummary } from './protocol.js';
import { BatchBuilder } from './record-store.js';

const TWO_32 = 0x1_0000_0000;
const PAGE = 8192;
const FIRST_BATCH = 500;
const BATCH = 20_000;

interface Segment {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly timeline: number;
}

interface Run {
  readonly segments: Segment[];
  readonly start: number;
  readonly end: number;
  readonly segmentSize: number;
}

let profile: PgVersionProfile | null = null;
let runs: Run[] = [];

function post(message: FromWorker, transfer: Transferable[] = []): void {
  (self as unknown as Worker).postMessage(message, transfer);
}

function u32(b: Uint8Array, i: number): number {
  return ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0;
}

function lsnText(n: number): string {
  return `${Math.floor(n / TWO_32)
    .toString(16)
    .toUpperCase()}/${(n % TWO_32).toString(16).toUpperCase()}`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** gzip through the browser's DecompressionStream, zstd through fzstd; by name or magic. */
async function decompressIfNeeded(name: string, bytes: Uint8Array): Promise<{ bytes: Uint8Array; note: string }> {
  const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const zst = bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd;
  if (gz || name.endsWith('.gz')) {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    const out = new Uint8Array(await new Response(stream).arrayBuffer());
    return { bytes: out, note: `gzip, ${bytes.length} → ${out.length} bytes` };
  }
  if (zst || name.endsWith('.zst')) {
    const out = zstdDecompress(bytes);
    return { bytes: out, note: `zstd, ${bytes.length} → ${out.length} bytes` };
  }
  return { bytes, note: `${bytes.length} bytes` };
}

function stripCompressionSuffix(name: string): string {
  return name.replace(/\.(gz|zst)$/, '');
}

async function open(files: readonly InputFile[]): Promise<void> {
  const t0 = performance.now();
  runs = [];
  profile = null;
  const segments: Segment[] = [];
  const listed: { name: string; size: number; note: string }[] = [];
  for (const f of files) {
    let bytes: Uint8Array;
    let note: string;
    try {
      ({ bytes, note } = await decompressIfNeeded(f.name, new Uint8Array(f.bytes)));
    } catch (e) {
      listed.push({ name: f.name, size: f.bytes.byteLength, note: `could not decompress: ${errorText(e)}` });
      post({ type: 'note', note: { level: 'error', lsn: null, message: `${f.name}: could not decompress: ${errorText(e)}` } });
      continue;
    }
    if (bytes.length < PAGE) {
      listed.push({ name: f.name, size: bytes.length, note: 'too short for a WAL page' });
      post({
        type: 'note',
        note: { level: 'error', lsn: null, message: `${f.name}: file is ${bytes.length} bytes, shorter than one WAL page` },
      });
      continue;
    }
    let major: number;
    try {
      const detected = detectVersion(bytes);
      if (detected.kind !== 'wal') throw new Error(`this looks like a pg_control file of PostgreSQL ${detected.major}, not WAL`);
      major = detected.major;
    } catch (e) {
      listed.push({ name: f.name, size: bytes.length, note: `not WAL: ${errorText(e)}` });
      post({ type: 'note', note: { level: 'error', lsn: null, message: `${f.name}: not a WAL segment: ${errorText(e)}` } });
      continue;
    }
    if (profile === null) profile = profileFor(major as 14 | 15 | 16);
    else if (profile.major !== major) {
      listed.push({ name: f.name, size: bytes.length, note: `PostgreSQL ${major} WAL among ${profile.major} WAL: skipped` });
      post({
        type: 'note',
        note: { level: 'error', lsn: null, message: `${f.name}: WAL of PostgreSQL ${major}, the others are ${profile.major}` },
      });
      continue;
    }
    const start = u32(bytes, 12) * TWO_32 + u32(bytes, 8);
    segments.push({ name: stripCompressionSuffix(f.name), bytes, start, timeline: u32(bytes, 4) });
    listed.push({
      name: f.name,
      size: bytes.length,
      note: `PostgreSQL ${major} WAL from ${lsnText(start)}, timeline ${u32(bytes, 4)}; ${note}`,
    });
  }
  segments.sort((a, b) => a.start - b.start || a.timeline - b.timeline);
  post({ type: 'files', files: listed, major: profile?.major ?? null });
  if (profile === null || segments.length === 0) {
    post({ type: 'done', count: 0, elapsedMs: performance.now() - t0, stats: null });
    return;
  }
  // Contiguous runs: each next segment starts where the previous one ended.
  let current: Segment[] = [];
  const flush = (): void => {
    if (current.length === 0) return;
    const first = current[0]!;
    const last = current[current.length - 1]!;
    const segmentSize = first.bytes.length >= 40 && (u32(first.bytes, 0) >>> 16) & 0x0002 ? u32(first.bytes, 32) : 16 * 1024 * 1024;
    runs.push({ segments: current, start: first.start, end: last.start + last.bytes.length, segmentSize });
    current = [];
  };
  let last: Segment | null = null;
  for (const s of segments) {
    if (last !== null && s.start < last.start + last.bytes.length) {
      post({ type: 'note', note: { level: 'error', lsn: s.start, message: `${s.name} overlaps ${last.name}: skipped` } });
      continue;
    }
    if (last !== null && last.start + last.bytes.length !== s.start) {
      flush();
      post({
        type: 'note',
        note: { level: 'info', lsn: s.start, message: `gap in the WAL before ${s.name}: decoding restarts at ${lsnText(s.start)}` },
      });
    }
    last = s;
    current.push(s);
  }
  flush();

  const p = profile;
  const stats = new WalStatsAccumulator();
  const volume = new Volume(runs[0]!.start, runs[runs.length - 1]!.end);
  const rows = new BatchBuilder(BATCH);
  let sent = 0;
  let index = 0;
  for (const run of runs) {
    const decoder = new WalStreamDecoder(p, { segmentSize: run.segmentSize, timeline: run.segments[0]!.timeline });
    for (const s of run.segments) decoder.push(s.bytes);
    decoder.end();
    try {
      for (;;) {
        const r = decoder.next() as WalRecord | null;
        if (r === null) break;
        const fpi = fpiLength(r);
        if (stats.count === 0) stats.startLsn = r.lsn;
        stats.add(r);
        volume.add(r.lsnNumber, r.totalLength - fpi, fpi);
        let desc: string;
        try {
          desc = describe(r, p);
        } catch (e) {
          desc = `(could not describe: ${errorText(e)})`;
        }
        rows.add(
          r.lsnNumber,
          r.totalLength,
          fpi,
          r.xid,
          r.rmid,
          rmgrName(r.rmid),
          recordType(r, p),
          desc,
          blockRefText(r, p, { detailed: false }),
        );
        for (const b of r.blocks) rows.addBlock(b.spcOid, b.dbOid, b.relNumber, b.fork, b.blockNumber, b.hasImage);
        index++;
        if (rows.full || (sent === 0 && rows.length >= FIRST_BATCH)) {
          sent += rows.length;
          const { batch, transfer } = rows.take();
          post({ type: 'rows', batch, elapsedMs: performance.now() - t0 }, transfer);
        }
      }
      const eow = decoder.endOfWal;
      if (decoder.firstRecordSkip !== null) {
        post({
          type: 'note',
          note: { level: 'info', lsn: Number(decoder.firstRecordSkip.found), message: decoder.firstRecordSkip.message },
        });
      }
      if (eow !== null) {
        // A zeroed or recycled tail is the normal end of WAL; a bad CRC or record body is corruption.
        const corrupt = eow.reason === 'invalid-record' && (eow.code === 'CRC_MISMATCH' || eow.code === 'BAD_RECORD');
        post({
          type: 'note',
          note: {
            level: corrupt ? 'error' : 'info',
            lsn: Number(eow.lsn),
            message: `${corrupt ? 'corrupt record' : 'end of WAL'} at ${lsnText(Number(eow.lsn))}: ${eow.message}`,
          },
        });
      }
    } catch (e) {
      const lsn = (e as { lsn?: bigint }).lsn;
      post({
        type: 'note',
        note: {
          level: 'error',
          lsn: lsn === undefined ? null : Number(lsn),
          message: `corrupt record${lsn === undefined ? '' : ` at ${lsnText(Number(lsn))}`}: ${errorText(e)}`,
        },
      });
    }
  }
  if (rows.length > 0) {
    const { batch, transfer } = rows.take();
    post({ type: 'rows', batch, elapsedMs: performance.now() - t0 }, transfer);
  }
  post({ type: 'done', count: index, elapsedMs: performance.now() - t0, stats: summarize(stats, p, volume) });
}

/** WAL volume over LSN: bytes per bucket of a power-of-two size (at most ~200 buckets over the input). */
class Volume {
  private readonly base: number;
  private readonly size: number;
  private readonly rec: Float64Array;
  private readonly fpi: Float64Array;

  constructor(start: number, end: number) {
    let size = PAGE;
    while ((end - start) / size > 200) size *= 2;
    this.size = size;
    this.base = start - (start % size);
    const n = Math.ceil((end - this.base) / size) + 1;
    this.rec = new Float64Array(n);
    this.fpi = new Float64Array(n);
  }

  add(lsn: number, rec: number, fpi: number): void {
    const k = Math.floor((lsn - this.base) / this.size);
    this.rec[k] = this.rec[k]! + rec;
    this.fpi[k] = this.fpi[k]! + fpi;
  }

  /** Buckets from the first to the last one holding a record. */
  buckets(): { lsn: number[]; rec: number[]; fpi: number[] } {
    let first = 0;
    let last = this.rec.length - 1;
    while (first <= last && this.rec[first] === 0 && this.fpi[first] === 0) first++;
    while (last >= first && this.rec[last] === 0 && this.fpi[last] === 0) last--;
    const out = { lsn: [] as number[], rec: [] as number[], fpi: [] as number[] };
    for (let k = first; k <= last; k++) {
      out.lsn.push(this.base + k * this.size);
      out.rec.push(this.rec[k]!);
      out.fpi.push(this.fpi[k]!);
    }
    return out;
  }
}

function summarize(stats: WalStatsAccumulator, p: PgVersionProfile, volume: Volume): WalStatsSummary {
  const rmgrs: StatsRow[] = [];
  const types: StatsRow[] = [];
  for (let rmid = 0; rmid < 256; rmid++) {
    const row = stats.rmgrRow(rmid);
    if (row.count === 0) continue;
    rmgrs.push({ rmid, rmgr: rmgrName(rmid), type: null, ...row });
    for (let recid = 0; recid < 16; recid++) {
      const t = stats.recordRow(rmid, recid);
      if (t.count === 0) continue;
      types.push({ rmid, rmgr: rmgrName(rmid), type: recordTypeForInfo(rmid, recid << 4, p), ...t });
    }
  }
  const v = volume.buckets();
  return {
    major: p.major,
    count: stats.count,
    rmgrs,
    types,
    bucketLsn: v.lsn,
    bucketRec: v.rec,
    bucketFpi: v.fpi,
    text: formatStats(stats, p, true),
  };
}

/** A plain tree of the decoded body (bigints as text, byte arrays as hex) for the page. */
function plain(value: unknown, depth = 0): unknown {
  if (depth > 12) return '…';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) {
    let s = '';
    const n = Math.min(value.length, 256);
    for (let i = 0; i < n; i++) s += (value[i] as number).toString(16).padStart(2, '0');
    return value.length > n ? `\\x${s}… (${value.length} bytes)` : `\\x${s}`;
  }
  if (Array.isArray(value)) return value.slice(0, 2000).map((v) => plain(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v, depth + 1);
    return out;
  }
  return value;
}

function detail(index: number, lsn: number): void {
  const p = profile;
  const run = runs.find((r) => lsn >= r.start && lsn < r.end);
  if (p === null || run === undefined) throw new Error(`no WAL loaded holds ${lsnText(lsn)}`);
  const si = run.segments.findIndex((s) => lsn >= s.start && lsn < s.start + s.bytes.length);
  const seg = run.segments[si]!;
  const pageStart = lsn - (lsn % PAGE);
  const decoder = new WalStreamDecoder(p, {
    segmentSize: run.segmentSize,
    timeline: seg.timeline,
    inputLsn: BigInt(pageStart),
    startLsn: BigInt(lsn),
  });
  decoder.push(seg.bytes.subarray(pageStart - seg.start));
  for (let k = si + 1; k < run.segments.length; k++) decoder.push(run.segments[k]!.bytes);
  decoder.end();
  let found: WalRecord | null = null;
  for (;;) {
    const r = decoder.next() as WalRecord | null;
    if (r === null || r.lsnNumber > lsn) break;
    if (r.lsnNumber === lsn) {
      found = detachRecord(p, r);
      break;
    }
  }
  if (found === null) throw new Error(`record at ${lsnText(lsn)} not found again: ${decoder.endOfWal?.message ?? 'end of input'}`);
  const rec = found;
  const raw = rec.raw;
  const ranges: ByteRange[] = [{ start: 0, end: 24, kind: 'header', label: 'XLogRecord' }];
  const payload: ByteRange[] = [];
  const blocks: BlockDetail[] = [];
  let firstPayload = rec.mainDataLength > 0 ? rec.mainData.byteOffset - raw.byteOffset : raw.length;
  for (const b of rec.blocks) {
    const img = b.image;
    if (img !== null) {
      const s = img.bytes.byteOffset - raw.byteOffset;
      payload.push({ start: s, end: s + img.length, kind: 'image', label: `block #${b.id} image` });
      firstPayload = Math.min(firstPayload, s);
    }
    const data = b.data;
    if (data.length > 0) {
      const s = data.byteOffset - raw.byteOffset;
      payload.push({ start: s, end: s + data.length, kind: 'block-data', label: `block #${b.id} data` });
      firstPayload = Math.min(firstPayload, s);
    }
    let page: Uint8Array | null = null;
    let imageError: string | null = null;
    if (img !== null) {
      try {
        page = restoreFullPageImage(p, b, rec.lsn);
      } catch (e) {
        imageError = errorText(e);
      }
    }
    blocks.push({
      id: b.id,
      spcOid: b.spcOid,
      dbOid: b.dbOid,
      relNumber: b.relNumber,
      fork: b.fork,
      blockNumber: b.blockNumber,
      forkFlags: b.forkFlags,
      hasData: b.hasData,
      dataLength: data.length,
      willInit: b.willInit,
      image:
        img === null
          ? null
          : { length: img.length, holeOffset: img.holeOffset, holeLength: img.holeLength, compression: img.compression, apply: img.apply },
      page,
      imageError,
    });
  }
  if (firstPayload > 24) ranges.push({ start: 24, end: firstPayload, kind: 'block-header', label: 'block headers' });
  ranges.push(...payload);
  if (rec.mainDataLength > 0) {
    const s = rec.mainData.byteOffset - raw.byteOffset;
    ranges.push({ start: s, end: s + rec.mainDataLength, kind: 'main-data', label: 'main data' });
  }
  let body: unknown = null;
  let bodyError: string | null = null;
  try {
    body = plain(decodeBody(rec, p));
  } catch (e) {
    bodyError = errorText(e);
  }
  const out: RecordDetail = {
    index,
    lsn,
    major: p.major,
    line: formatRecordLine(rec, p, { bkpDetails: false }).trimEnd(),
    detailedBlocks: blockRefText(rec, p, { detailed: true, pretty: true }).trim(),
    raw,
    ranges,
    body,
    bodyError,
    blocks,
    header: {
      xl_tot_len: rec.totalLength,
      xl_xid: rec.xid,
      xl_prev: lsnPadded(rec.prevLsn),
      xl_info: `0x${rec.info.toString(16).padStart(2, '0')}`,
      xl_rmid: `${rec.rmid} (${rmgrName(rec.rmid)})`,
      xl_crc: `0x${rec.crc.toString(16).padStart(8, '0')}`,
      end: lsnPadded(rec.endLsn),
      origin: rec.origin,
      toplevel_xid: rec.toplevelXid,
      main_data_len: rec.mainDataLength,
    },
  };
  post({ type: 'detail', detail: out });
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  if (m.type === 'open') {
    open(m.files).catch((e: unknown) => post({ type: 'fatal', message: errorText(e) }));
  } else {
    try {
      detail(m.index, m.lsn);
    } catch (e) {
      post({ type: 'detail-error', index: m.index, message: errorText(e) });
    }
  }
};
