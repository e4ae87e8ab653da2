/**
 * Helpers to compare decoded records with PostgreSQL's own view: pg_walinspect rows and
 * pg_waldump --bkp-details lines, each reduced to a common summary.
 */
import { formatLsn } from '../../../src/common/core/lsn.js';
import type { DecodedRecord } from '../../../src/common/wal/record.js';

export interface BlockSummary {
  id: number;
  rel: string;
  fork: number;
  blk: number;
  image: boolean;
}

export interface RecordSummary {
  lsn: string;
  end: string;
  prev: string;
  xid: number;
  rmid: number;
  totLen: number;
  mainLen: number;
  fpiLen: number;
  blocks: BlockSummary[];
}

export function summarize(r: DecodedRecord): RecordSummary {
  let fpiLen = 0;
  for (const b of r.blocks) fpiLen += b.image?.length ?? 0;
  return {
    lsn: formatLsn(r.lsn),
    end: formatLsn(r.endLsn),
    prev: formatLsn(r.prevLsn),
    xid: r.xid,
    rmid: r.rmid,
    totLen: r.totalLength,
    mainLen: r.mainData.length,
    fpiLen,
    blocks: r.blocks.map((b) => ({
      id: b.id,
      rel: `${b.spcOid}/${b.dbOid}/${b.relNumber}`,
      fork: b.fork,
      blk: b.blockNumber,
      image: b.hasImage,
    })),
  };
}

const FORKS: Record<string, number> = { main: 0, fsm: 1, vm: 2, init: 3 };

/** block_ref text of pg_walinspect 15 ("blkref #0: rel 1663/5/1 fork fsm blk 2 FPW, ..."). */
export function parseBlockRefText(text: string | null): BlockSummary[] {
  if (text === null || text === '') return [];
  const out: BlockSummary[] = [];
  const re = /blkref #(\d+): rel (\d+\/\d+\/\d+)(?: fork (\w+))? blk (\d+)( FPW| \(FPW)?/g;
  for (const m of text.matchAll(re)) {
    out.push({ id: Number(m[1]), rel: m[2] as string, fork: FORKS[m[3] ?? 'main'] ?? -1, blk: Number(m[4]), image: m[5] !== undefined });
  }
  return out;
}

export interface WaldumpRecord {
  rmgr: string;
  rec: number;
  tot: number;
  xid: number;
  lsn: string;
  prev: string;
  blocks: (BlockSummary & { holeOffset: number; holeLength: number; method: string | null })[];
}

/** pg_waldump --bkp-details output (record lines, then one tab-indented line per block). */
export function parseWaldump(text: string): WaldumpRecord[] {
  const out: WaldumpRecord[] = [];
  const recRe = /^rmgr: (\S+)\s+len \(rec\/tot\):\s+(\d+)\/\s*(\d+), tx:\s+(\d+), lsn: ([0-9A-F]+\/[0-9A-F]+), prev ([0-9A-F]+\/[0-9A-F]+)/;
  const blkRe =
    /^\tblkref #(\d+): rel (\d+\/\d+\/\d+) fork (\w+) blk (\d+)(?: \(FPW[^)]*\); hole: offset: (\d+), length: (\d+)(?:, compression saved: \d+)?(?:, method: (\w+))?)?/;
  for (const line of text.split('\n')) {
    const m = recRe.exec(line);
    if (m !== null) {
      const strip = (l: string): string => {
        const [hi, lo] = l.split('/') as [string, string];
        return `${Number.parseInt(hi, 16).toString(16).toUpperCase()}/${Number.parseInt(lo, 16).toString(16).toUpperCase()}`;
      };
      out.push({
        rmgr: m[1] as string,
        rec: Number(m[2]),
        tot: Number(m[3]),
        xid: Number(m[4]),
        lsn: strip(m[5] as string),
        prev: strip(m[6] as string),
        blocks: [],
      });
      continue;
    }
    const b = blkRe.exec(line);
    if (b !== null && out.length > 0) {
      (out.at(-1) as WaldumpRecord).blocks.push({
        id: Number(b[1]),
        rel: b[2] as string,
        fork: FORKS[b[3] as string] ?? -1,
        blk: Number(b[4]),
        image: b[5] !== undefined,
        holeOffset: Number(b[5] ?? 0),
        holeLength: Number(b[6] ?? 0),
        method: b[7] ?? null,
      });
    }
  }
  return out;
}
