/**
 * Messages between the explorer page and its decoding worker (worker.ts). The worker owns the
 * WAL bytes; the page receives a compact index of the records in batches and asks for one
 * record's detail (decoded body, byte ranges, restored full-page images) on demand.
 */

import type { RowBatch } from './record-store.js';

export interface InputFile {
  readonly name: string;
  readonly bytes: ArrayBuffer;
}

export interface StatsRow {
  readonly rmid: number;
  readonly rmgr: string;
  /** Record type name, or null for the per-rmgr total. */
  readonly type: string | null;
  readonly count: number;
  readonly recLen: number;
  readonly fpiLen: number;
}

export interface WalStatsSummary {
  readonly major: number;
  readonly count: number;
  readonly rmgrs: readonly StatsRow[];
  readonly types: readonly StatsRow[];
  /** WAL volume over LSN: bucket start LSNs and bytes (record and FPI) per bucket. */
  readonly bucketLsn: readonly number[];
  readonly bucketRec: readonly number[];
  readonly bucketFpi: readonly number[];
  /** pg_waldump --stats=record text as the record's major version prints it. */
  readonly text: string;
}

/** An error or clean end in one contiguous run of segments, shown in place. */
export interface RunNote {
  readonly level: 'error' | 'info';
  readonly lsn: number | null;
  readonly message: string;
}

export type ToWorker =
  | { readonly type: 'open'; readonly files: readonly InputFile[] }
  | { readonly type: 'detail'; readonly index: number; readonly lsn: number };

export interface ByteRange {
  readonly start: number;
  readonly end: number;
  readonly kind: 'header' | 'block-header' | 'image' | 'block-data' | 'main-data';
  readonly label: string;
}

export interface BlockDetail {
  readonly id: number;
  readonly spcOid: number;
  readonly dbOid: number;
  readonly relNumber: number;
  readonly fork: number;
  readonly blockNumber: number;
  readonly forkFlags: number;
  readonly hasData: boolean;
  readonly dataLength: number;
  readonly willInit: boolean;
  readonly image: {
    readonly length: number;
    readonly holeOffset: number;
    readonly holeLength: number;
    readonly compression: string;
    readonly apply: boolean;
  } | null;
  /** The restored 8 kB page, or null (no image, or restore failed: see imageError). */
  readonly page: Uint8Array | null;
  readonly imageError: string | null;
}

export interface RecordDetail {
  readonly index: number;
  readonly lsn: number;
  readonly major: number;
  readonly line: string;
  readonly detailedBlocks: string;
  readonly raw: Uint8Array;
  readonly ranges: readonly ByteRange[];
  readonly body: unknown;
  readonly bodyError: string | null;
  readonly blocks: readonly BlockDetail[];
  readonly header: Readonly<Record<string, string | number>>;
}

export type FromWorker =
  | { readonly type: 'files'; readonly files: readonly { name: string; size: number; note: string }[]; readonly major: number | null }
  | { readonly type: 'rows'; readonly batch: RowBatch; readonly elapsedMs: number }
  | { readonly type: 'note'; readonly note: RunNote }
  | { readonly type: 'done'; readonly count: number; readonly elapsedMs: number; readonly stats: WalStatsSummary | null }
  | { readonly type: 'detail'; readonly detail: RecordDetail }
  | { readonly type: 'detail-error'; readonly index: number; readonly message: string }
  | { readonly type: 'fatal'; readonly message: string };
