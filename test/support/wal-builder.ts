/**
 * Crafted WAL for tests, made with the encoder (src/common/wal-encode): a WalBuilder appends
 * records and edge-case shapes (a record ending exactly at a page end, a record header split
 * across pages, records spanning segments, XLOG_SWITCH at a page boundary, an abandoned
 * record followed by XLP_FIRST_IS_OVERWRITE_CONTRECORD), remembers what it wrote, and hands
 * out the segments. Decoder tests assert the decoder returns exactly `builder.records`.
 */
import { RM_XLOG_ID, SizeOfXLogLongPHD } from '../../src/common/constants.js';
import type { Lsn } from '../../src/common/core/lsn.js';
import { walFileName } from '../../src/common/core/wal-file-names.js';
import type { PgVersionProfile } from '../../src/common/profile.js';
import {
  type AppendedRecord,
  mainDataLengthForTotal,
  overwriteContrecordRecord,
  pagesToSegments,
  type RecordInput,
  standardPageHole,
  WalEncoder,
  type WalPage,
} from '../../src/common/wal-encode/index.js';

/** XLOG_NOOP (access/xlog.h / catalog/pg_control.h). */
export const XLOG_NOOP = 0x20;
export const BUILDER_SYSID = 7_300_000_000_000_000_001n;
export const MB = 1024 * 1024;

export interface WalBuilderOptions {
  segmentSize?: number;
  /** Default: segment 1's first byte (its long header is written). */
  startLsn?: Lsn;
  timeline?: number;
  systemIdentifier?: bigint;
}

export class WalBuilder {
  readonly profile: PgVersionProfile;
  readonly segmentSize: number;
  readonly timeline: number;
  readonly systemIdentifier: bigint;
  readonly enc: WalEncoder;
  /** Every complete record, in order. */
  readonly records: AppendedRecord[] = [];
  /** LSNs of records abandoned before an overwrite-contrecord page. */
  readonly aborted: Lsn[] = [];
  private readonly pages: WalPage[] = [];

  constructor(profile: PgVersionProfile, options: WalBuilderOptions = {}) {
    this.profile = profile;
    this.segmentSize = options.segmentSize ?? MB;
    this.timeline = options.timeline ?? 1;
    this.systemIdentifier = options.systemIdentifier ?? BUILDER_SYSID;
    this.enc = new WalEncoder({
      profile,
      systemIdentifier: this.systemIdentifier,
      startLsn: options.startLsn ?? BigInt(this.segmentSize),
      timeline: this.timeline,
      segmentSize: this.segmentSize,
    });
  }

  get pageSize(): number {
    return this.profile.XLOG_BLCKSZ;
  }

  /** Where the next record's bytes go. */
  get pos(): number {
    return Number(this.enc.insertLsn);
  }

  append(input: RecordInput): AppendedRecord {
    const r = this.enc.append(input);
    this.records.push(r);
    return r;
  }

  /** An XLOG_NOOP record with `mainLen` bytes of main data (pattern filled). */
  noop(mainLen: number): AppendedRecord {
    const data = new Uint8Array(mainLen);
    for (let i = 0; i < mainLen; i++) data[i] = (i * 31 + this.records.length) & 0xff;
    return this.append({ rmid: RM_XLOG_ID, info: XLOG_NOOP, mainData: data });
  }

  /** A NOOP record whose xl_tot_len is exactly `total` (24, 27..281 or 285..; every multiple of 8 from 24). */
  noopOfTotal(total: number): AppendedRecord {
    const mainLen = mainDataLengthForTotal(total);
    if (mainLen < 0) throw new Error(`no NOOP record has total length ${total}`);
    return this.noop(mainLen);
  }

  /** Bytes left on the current page (0 at a page boundary). */
  roomOnPage(): number {
    const inPage = this.pos % this.pageSize;
    return inPage === 0 ? 0 : this.pageSize - inPage;
  }

  /** Appends records so the last one ends exactly at the end of the current page. */
  fillToPageEnd(): AppendedRecord {
    if (this.pos % this.pageSize === 0) this.noop(8);
    if (this.roomOnPage() < 24) this.noop(this.roomOnPage() + 64);
    return this.noopOfTotal(this.roomOnPage());
  }

  /** Pads so exactly `bytes` (a multiple of 8, ≥ 24 or 0) remain on the current page. */
  leaveOnPage(bytes: number): void {
    if (this.pos % this.pageSize === 0) this.noop(8);
    while (this.roomOnPage() < bytes + 24 && this.roomOnPage() !== bytes) this.noop(this.roomOnPage() + 64);
    if (this.roomOnPage() > bytes) this.noopOfTotal(this.roomOnPage() - bytes);
  }

  /** A record that starts `headerBytesOnPage` bytes before a page end (its header split when < 24). */
  recordStartingBeforePageEnd(headerBytesOnPage: number, mainLen = 100): AppendedRecord {
    this.leaveOnPage(headerBytesOnPage);
    return this.noop(mainLen);
  }

  /** A record starting in the current segment and ending in the next one. */
  recordSpanningSegments(extra = 3000): AppendedRecord {
    const toSegEnd = this.segmentSize - (this.pos % this.segmentSize);
    return this.noop(toSegEnd + extra);
  }

  /** XLOG_SWITCH placed at the start of a page (after its header). */
  switchAtPageStart(): AppendedRecord {
    this.fillToPageEnd();
    return this.switch();
  }

  /** XLOG_SWITCH ending exactly at a page end. */
  switchEndingAtPageEnd(): AppendedRecord {
    this.leaveOnPage(24);
    return this.switch();
  }

  switch(): AppendedRecord {
    const r = this.enc.appendSwitch();
    if (r === null) throw new Error('XLOG_SWITCH at a segment start writes nothing');
    this.records.push(r);
    return r;
  }

  /**
   * A record abandoned at a page end, then the page the server writes on recovery:
   * XLP_FIRST_IS_OVERWRITE_CONTRECORD and an XLOG_OVERWRITE_CONTRECORD record naming it.
   */
  overwriteContrecord(mainLen = 9000): AppendedRecord {
    const data = new Uint8Array(mainLen).fill(0xab);
    const lsn = this.enc.appendAborted({ rmid: RM_XLOG_ID, info: XLOG_NOOP, mainData: data });
    this.aborted.push(lsn);
    return this.append(overwriteContrecordRecord(lsn, 800_000_000_000_000n));
  }

  /** The first position of the next segment's records (after its long header). */
  nextSegmentStart(): number {
    return (Math.floor(this.pos / this.segmentSize) + 1) * this.segmentSize + SizeOfXLogLongPHD;
  }

  /** Zero-filled segments holding everything written so far, by segment number. */
  segments(): Map<bigint, Uint8Array> {
    this.pages.push(...this.enc.takePages());
    return pagesToSegments(this.pages, this.segmentSize);
  }

  /** Segments in order, with file names; gaps are filled with zero segments. */
  files(): { name: string; segno: bigint; bytes: Uint8Array }[] {
    const segs = this.segments();
    const nos = [...segs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const out: { name: string; segno: bigint; bytes: Uint8Array }[] = [];
    if (nos.length === 0) return out;
    for (let s = nos[0] as bigint; s <= (nos.at(-1) as bigint); s++) {
      out.push({ name: walFileName(this.timeline, s, this.segmentSize), segno: s, bytes: segs.get(s) ?? new Uint8Array(this.segmentSize) });
    }
    return out;
  }

  /** All segments concatenated (from the first segment written). */
  bytes(): Uint8Array {
    const files = this.files();
    const out = new Uint8Array(files.length * this.segmentSize);
    files.forEach((f, i) => {
      out.set(f.bytes, i * this.segmentSize);
    });
    return out;
  }
}

/** A BLCKSZ page with pd_lower/pd_upper set and its standard hole zeroed; body 'random', 'repeat', 'zeros' or 'text'. */
export function makePage(lower: number, upper: number, pattern: string, seed: number): Uint8Array {
  const page = new Uint8Array(8192);
  let x = seed | 1;
  const rnd = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  };
  for (let i = 0; i < 8192; i++) {
    if (pattern === 'random') page[i] = rnd();
    else if (pattern === 'repeat') page[i] = (i % 37) * 7;
    else if (pattern === 'text') page[i] = 97 + ((i * ((seed % 5) + 1)) % 23);
  }
  const v = new DataView(page.buffer);
  v.setUint16(12, lower, true);
  v.setUint16(14, upper, true);
  const [ho, hl] = standardPageHole(page);
  page.fill(0, ho, ho + hl);
  return page;
}
