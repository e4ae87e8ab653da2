/**
 * WAL files on disk (access/xlog_internal.h names; access/timeline.h history files): read one
 * segment file, or a pg_wal-like directory of segments between a start and an end LSN on a
 * timeline like pg_waldump -p/-s/-e/-t, following timeline switches through `.history`
 * files and accepting `.partial` segments. The segment size comes from the first file's
 * long page header.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PgFormatError } from '../common/core/errors.js';
import { formatLsn, type Lsn, parseLsn } from '../common/core/lsn.js';
import { historyFileName, isValidWalSegSize, parseWalFileName, walFileName } from '../common/core/wal-file-names.js';
import type { PgVersionProfile } from '../common/profile.js';
import type { WalRecord } from '../common/wal/decoded-record.js';
import { type EndOfWal, type WalDecoderOptions, WalStreamDecoder } from '../common/wal/stream-decoder.js';
import { walProfileOf } from '../dispatch.js';

/** One WAL segment file, decoded whole (version detected unless `profile` is given). */
export function readWalFile(path: string, options: WalDecoderOptions & { profile?: PgVersionProfile } = {}): WalStreamDecoder {
  const bytes = readFileSync(path);
  const name = parseWalFileName(basename(path).replace(/\.partial$/, ''));
  const { profile, ...rest } = options;
  const decoder = new WalStreamDecoder(profile ?? walProfileOf(bytes), {
    ...(name !== null ? { timeline: name.timeline } : {}),
    ...rest,
  });
  decoder.push(bytes);
  decoder.end();
  return decoder;
}

/** A timeline history entry (timeline.h TimeLineHistoryEntry): `tli` covers [begin, end). */
export interface TimelineHistoryEntry {
  tli: number;
  begin: number;
  /** Switch point to the next timeline; Infinity for the target timeline. */
  end: number;
}

/** readTimeLineHistory: the history of `tli` from its `.history` file (oldest first). */
export function readTimelineHistory(dir: string, tli: number): TimelineHistoryEntry[] {
  const path = join(dir, historyFileName(tli));
  if (tli === 1 || !existsSync(path)) return [{ tli, begin: 0, end: Number.POSITIVE_INFINITY }];
  const entries: TimelineHistoryEntry[] = [];
  let prevEnd = 0;
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\d+)\s+([0-9A-Fa-f]+\/[0-9A-Fa-f]+)/.exec(line);
    if (m === null) throw new PgFormatError('BAD_HEADER', `syntax error in history file: ${line}`);
    const parent = Number(m[1]);
    if (entries.length > 0 && parent <= (entries.at(-1) as TimelineHistoryEntry).tli) {
      throw new PgFormatError('BAD_HEADER', 'invalid data in history file: timeline IDs must be in increasing sequence');
    }
    const end = Number(parseLsn(m[2] as string));
    entries.push({ tli: parent, begin: prevEnd, end });
    prevEnd = end;
  }
  entries.push({ tli, begin: prevEnd, end: Number.POSITIVE_INFINITY });
  return entries;
}

export interface WalDirectoryOptions {
  /** First record at or after this LSN (pg_waldump -s); default: start of the oldest segment. */
  startLsn?: Lsn | string;
  /** Stop at this LSN (pg_waldump -e): records must end at or before it. */
  endLsn?: Lsn | string;
  /** Timeline to read (pg_waldump -t); default: the highest timeline with files in `dir`. */
  timeline?: number;
  systemIdentifier?: bigint;
  verifyCrc?: boolean;
  profile?: PgVersionProfile;
}

interface DirFile {
  name: string;
  tli: number;
  segno: number;
  partial: boolean;
}

const toLsnNumber = (v: Lsn | string | undefined): number | undefined =>
  v === undefined ? undefined : Number(typeof v === 'string' ? parseLsn(v) : v);

/**
 * The records of the segments in `dir`, in LSN order, across timeline switches. Async
 * iterable; `endOfWal` tells why it stopped, `decoder` is the underlying decoder.
 */
export class WalDirectoryReader implements AsyncIterable<WalRecord> {
  readonly dir: string;
  decoder: WalStreamDecoder | null = null;
  /** Segment files read, in order. */
  readonly filesRead: string[] = [];
  private readonly options: WalDirectoryOptions;

  constructor(dir: string, options: WalDirectoryOptions = {}) {
    this.dir = dir;
    this.options = options;
  }

  get endOfWal(): EndOfWal | null {
    return this.decoder?.endOfWal ?? null;
  }

  private listFiles(): DirFile[] {
    const files: DirFile[] = [];
    for (const name of readdirSync(this.dir)) {
      const parsed = parseWalFileName(name);
      if (parsed === null || (parsed.kind !== 'segment' && parsed.kind !== 'partial') || parsed.segno === undefined) continue;
      files.push({ name, tli: parsed.timeline, segno: Number(parsed.segno), partial: parsed.kind === 'partial' });
    }
    return files;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<WalRecord> {
    const files = this.listFiles();
    if (files.length === 0) throw new PgFormatError('BAD_ARGUMENT', `could not find any WAL file in "${this.dir}"`);
    const target = this.options.timeline ?? Math.max(...files.map((f) => f.tli));
    const history = readTimelineHistory(this.dir, target);
    const tlis = new Set(history.map((h) => h.tli));
    const candidates = files.filter((f) => tlis.has(f.tli)).sort((a, b) => a.segno - b.segno || a.tli - b.tli);
    if (candidates.length === 0)
      throw new PgFormatError('BAD_ARGUMENT', `could not find any WAL file for timeline ${target} in "${this.dir}"`);
    // The segment size, from the first file's long header (the default 16 MB naming only locates it).
    const first = await readFile(join(this.dir, (candidates[0] as DirFile).name));
    const segSize = first.length >= 40 ? first.readUInt32LE(32) : 0;
    if (!isValidWalSegSize(segSize)) {
      throw new PgFormatError(
        'BAD_HEADER',
        `WAL segment size must be a power of two between 1 MB and 1 GB, but the WAL file "${(candidates[0] as DirFile).name}" header specifies ${segSize} bytes`,
      );
    }
    const byName = new Map(files.map((f) => [f.name, f]));
    const fileFor = (segno: number): DirFile | undefined => {
      // XLogFileReadAnyTLI: the newest timeline of the history that began at or before this segment.
      for (let i = history.length - 1; i >= 0; i--) {
        const h = history[i] as TimelineHistoryEntry;
        if (Math.floor(h.begin / segSize) > segno) continue;
        if (h.end !== Number.POSITIVE_INFINITY && Math.floor((h.end - 1) / segSize) < segno) continue;
        const name = walFileName(h.tli, BigInt(segno), segSize);
        const f = byName.get(name) ?? byName.get(`${name}.partial`);
        if (f !== undefined) return f;
      }
      return undefined;
    };
    const oldest = Math.min(...candidates.map((f) => f.segno)) * segSize;
    const start = toLsnNumber(this.options.startLsn) ?? oldest;
    const end = toLsnNumber(this.options.endLsn);
    let segno = Math.floor(start / segSize);
    const firstFile = fileFor(segno);
    if (firstFile === undefined) {
      throw new PgFormatError(
        'BAD_ARGUMENT',
        `could not find file "${walFileName(target, BigInt(segno), segSize)}" for start LSN ${formatLsn(BigInt(start))}`,
      );
    }
    let bytes: Uint8Array = firstFile.name === (candidates[0] as DirFile).name ? first : await readFile(join(this.dir, firstFile.name));
    const profile = this.options.profile ?? walProfileOf(bytes);
    const decoder = new WalStreamDecoder(profile, {
      startLsn: BigInt(start),
      inputLsn: BigInt(segno * segSize),
      segmentSize: segSize,
      timeline: firstFile.tli,
      ...(this.options.systemIdentifier !== undefined ? { systemIdentifier: this.options.systemIdentifier } : {}),
      ...(this.options.verifyCrc !== undefined ? { verifyCrc: this.options.verifyCrc } : {}),
    });
    this.decoder = decoder;
    let file: DirFile | undefined = firstFile;
    for (;;) {
      const segStart = segno * segSize;
      if (end !== undefined && end < segStart + bytes.length) bytes = bytes.subarray(0, Math.max(0, end - segStart));
      this.filesRead.push(file.name);
      decoder.timeline = file.tli;
      decoder.push(bytes);
      for (let r = decoder.next(); r !== null; r = decoder.next()) yield r;
      if (decoder.done) return;
      if (end !== undefined && end <= segStart + segSize) break;
      segno++;
      file = fileFor(segno);
      if (file === undefined) break;
      bytes = await readFile(join(this.dir, file.name));
    }
    decoder.end();
    for (let r = decoder.next(); r !== null; r = decoder.next()) yield r;
  }
}

/** readWalDirectory(dir, { startLsn, endLsn, timeline }): pg_waldump -p DIR -s … -e … -t …. */
export function readWalDirectory(dir: string, options: WalDirectoryOptions = {}): WalDirectoryReader {
  return new WalDirectoryReader(dir, options);
}
