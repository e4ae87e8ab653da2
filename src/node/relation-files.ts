/**
 * Relation files on disk (storage/smgr/md.c): a fork is the file `<relfilenode>[_fork]` plus
 * segments `.1`, `.2`, … of RELSEG_SIZE blocks each; block numbers are absolute within the
 * fork (segment × RELSEG_SIZE + index). Reads in large chunks; pages are zero-copy views.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PgFormatError } from '../common/core/errors.js';
import { FORK_NAMES, parseRelationFileName, RELSEG_SIZE } from '../common/core/relation-path.js';

export const DEFAULT_BLCKSZ = 8192;
/** Pages read per read() call. */
const CHUNK_PAGES = 256;

export interface RelationFileInfo {
  /** Path of the segment file. */
  path: string;
  relNumber: number;
  fork: number;
  forkName: (typeof FORK_NAMES)[number];
  segment: number;
}

/** What a relation file's name says (relfilenode, fork, segment), or null for another name. */
export function relationFileInfo(path: string): RelationFileInfo | null {
  const parsed = parseRelationFileName(basename(path));
  if (parsed === null) return null;
  return { path, relNumber: parsed.relNumber, fork: parsed.fork, forkName: FORK_NAMES[parsed.fork]!, segment: parsed.segment };
}

/** The segment files of the fork `path` names (`path` itself is segment 0), in order, stopping at the first gap. */
export function relationSegmentPaths(path: string): string[] {
  const info = relationFileInfo(path);
  const first = info === null || info.segment === 0 ? path : join(dirname(path), basename(path).replace(/\.\d+$/, ''));
  const paths: string[] = [];
  if (existsSync(first)) paths.push(first);
  for (let seg = 1; existsSync(`${first}.${seg}`); seg++) paths.push(`${first}.${seg}`);
  return paths;
}

export interface RelationPage {
  /** Absolute block number within the fork. */
  block: number;
  segment: number;
  /** Index of the page within its segment file. */
  index: number;
  /** The page bytes: a view valid until the next iteration step (copy with slice() to keep it). */
  page: Uint8Array;
}

export interface ReadPagesOptions {
  blcksz?: number;
  /** First and last absolute block numbers to yield (inclusive). */
  from?: number;
  to?: number;
}

/**
 * Pages of one segment file, as absolute blocks of segment `segment`. A trailing partial page
 * is an error "could not read block %u in file "%s": read %d of %d" (pg_checksums' wording).
 */
export function* readSegmentPages(path: string, segment: number, options: ReadPagesOptions = {}): Generator<RelationPage> {
  const blcksz = options.blcksz ?? DEFAULT_BLCKSZ;
  const from = options.from ?? 0;
  const to = options.to ?? Number.MAX_SAFE_INTEGER;
  const firstBlock = segment * RELSEG_SIZE;
  const size = statSync(path).size;
  const nblocks = Math.floor(size / blcksz);
  const startIndex = Math.max(0, from - firstBlock);
  const endIndex = Math.min(nblocks, to - firstBlock + 1);
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(blcksz * CHUNK_PAGES);
    for (let index = startIndex; index < endIndex; ) {
      const want = Math.min(CHUNK_PAGES, endIndex - index) * blcksz;
      let got = 0;
      while (got < want) {
        const r = readSync(fd, buf, got, want - got, index * blcksz + got);
        if (r === 0) break;
        got += r;
      }
      const pages = Math.floor(got / blcksz);
      for (let p = 0; p < pages; p++) {
        yield { block: firstBlock + index + p, segment, index: index + p, page: buf.subarray(p * blcksz, (p + 1) * blcksz) };
      }
      if (pages === 0) break;
      index += pages;
    }
    if (endIndex === nblocks && size % blcksz !== 0 && to >= firstBlock + nblocks) {
      throw new PgFormatError('TRUNCATED', `could not read block ${nblocks} in file "${path}": read ${size % blcksz} of ${blcksz}`, {
        block: firstBlock + nblocks,
        offset: nblocks * blcksz,
      });
    }
  } finally {
    closeSync(fd);
  }
}

/** Pages of a whole fork (every segment), in block order. */
export function* readRelationPages(path: string, options: ReadPagesOptions = {}): Generator<RelationPage & { path: string }> {
  const segments = relationSegmentPaths(path);
  if (segments.length === 0) throw new PgFormatError('BAD_ARGUMENT', `could not open file "${path}": No such file or directory`);
  for (const seg of segments) {
    const info = relationFileInfo(seg);
    const segment = info?.segment ?? 0;
    for (const p of readSegmentPages(seg, segment, options)) yield { ...p, path: seg };
  }
}
