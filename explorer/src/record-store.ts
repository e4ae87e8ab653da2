/**
 * The record index in columns: the worker fills a RowBatch per few thousand records (typed
 * arrays and one joined string, cheap to post), the page appends batches to a RecordStore that
 * grows by doubling. No object per record on either side.
 */

/** Numbers per block reference in `blocks`: spcOid, dbOid, relNumber, fork, blockNumber, hasImage. */
export const BLOCK_FIELDS = 6;

export interface RowBatch {
  readonly n: number;
  readonly lsn: Float64Array;
  readonly tot: Uint32Array;
  readonly fpi: Uint32Array;
  readonly xid: Uint32Array;
  /** Index into the type table (rmgr + record type). */
  readonly typeId: Uint16Array;
  /** Type table entries first used in this batch. */
  readonly newTypes: readonly { readonly id: number; readonly rmgr: string; readonly type: string }[];
  /** Per row: description then block reference text, joined; row k is text[textOff[k], textOff[k + 1]). */
  readonly text: string;
  readonly textOff: Uint32Array;
  /** Length of the description within the row's text (the rest is the block reference text). */
  readonly descLen: Uint32Array;
  /** Row k's blocks are blocks[blkOff[k] * 6, blkOff[k + 1] * 6). */
  readonly blkOff: Uint32Array;
  readonly blocks: Float64Array;
}

/** Worker side: collects rows, then hands out a batch and its transferable buffers. */
export class BatchBuilder {
  private readonly cap: number;
  private n = 0;
  private lsn: Float64Array;
  private tot: Uint32Array;
  private fpi: Uint32Array;
  private xid: Uint32Array;
  private typeId: Uint16Array;
  private textOff: Uint32Array;
  private descLen: Uint32Array;
  private blkOff: Uint32Array;
  private parts: string[] = [];
  private textLen = 0;
  private blocks = new Float64Array(1024 * BLOCK_FIELDS);
  private nBlockValues = 0;
  private readonly typeIds = new Map<string, number>();
  private newTypes: { id: number; rmgr: string; type: string }[] = [];

  constructor(cap: number) {
    this.cap = cap;
    this.lsn = new Float64Array(cap);
    this.tot = new Uint32Array(cap);
    this.fpi = new Uint32Array(cap);
    this.xid = new Uint32Array(cap);
    this.typeId = new Uint16Array(cap);
    this.textOff = new Uint32Array(cap + 1);
    this.descLen = new Uint32Array(cap);
    this.blkOff = new Uint32Array(cap + 1);
  }

  get length(): number {
    return this.n;
  }

  get full(): boolean {
    return this.n >= this.cap;
  }

  /** Starts a row; push its blocks with addBlock before the next row. */
  add(lsn: number, tot: number, fpi: number, xid: number, rmid: number, rmgr: string, type: string, desc: string, blk: string): void {
    const k = this.n++;
    this.lsn[k] = lsn;
    this.tot[k] = tot;
    this.fpi[k] = fpi;
    this.xid[k] = xid;
    const key = `${rmid}:${type}`;
    let id = this.typeIds.get(key);
    if (id === undefined) {
      id = this.typeIds.size;
      this.typeIds.set(key, id);
      this.newTypes.push({ id, rmgr, type });
    }
    this.typeId[k] = id;
    this.parts.push(desc, blk);
    this.descLen[k] = desc.length;
    this.textLen += desc.length + blk.length;
    this.textOff[k + 1] = this.textLen;
    this.blkOff[k + 1] = this.blkOff[k]! + 0;
  }

  addBlock(spcOid: number, dbOid: number, relNumber: number, fork: number, blockNumber: number, hasImage: boolean): void {
    if (this.nBlockValues + BLOCK_FIELDS > this.blocks.length) {
      const bigger = new Float64Array(this.blocks.length * 2);
      bigger.set(this.blocks);
      this.blocks = bigger;
    }
    const b = this.blocks;
    const k = this.nBlockValues;
    b[k] = spcOid;
    b[k + 1] = dbOid;
    b[k + 2] = relNumber;
    b[k + 3] = fork;
    b[k + 4] = blockNumber;
    b[k + 5] = hasImage ? 1 : 0;
    this.nBlockValues = k + BLOCK_FIELDS;
    this.blkOff[this.n] = this.nBlockValues / BLOCK_FIELDS;
  }

  /** The batch so far (the builder starts over for the next one) and the buffers to transfer. */
  take(): { batch: RowBatch; transfer: ArrayBuffer[] } {
    const n = this.n;
    const batch: RowBatch = {
      n,
      lsn: this.lsn.slice(0, n),
      tot: this.tot.slice(0, n),
      fpi: this.fpi.slice(0, n),
      xid: this.xid.slice(0, n),
      typeId: this.typeId.slice(0, n),
      newTypes: this.newTypes,
      text: this.parts.join(''),
      textOff: this.textOff.slice(0, n + 1),
      descLen: this.descLen.slice(0, n),
      blkOff: this.blkOff.slice(0, n + 1),
      blocks: this.blocks.slice(0, this.nBlockValues),
    };
    this.n = 0;
    this.parts = [];
    this.textLen = 0;
    this.nBlockValues = 0;
    this.newTypes = [];
    this.textOff[0] = 0;
    this.blkOff[0] = 0;
    const transfer = [
      batch.lsn,
      batch.tot,
      batch.fpi,
      batch.xid,
      batch.typeId,
      batch.textOff,
      batch.descLen,
      batch.blkOff,
      batch.blocks,
    ].map((a) => a.buffer as ArrayBuffer);
    return { batch, transfer };
  }
}

function grow<T extends Float64Array | Uint32Array | Uint16Array>(a: T, need: number, make: (n: number) => T): T {
  if (need <= a.length) return a;
  let cap = Math.max(1024, a.length);
  while (cap < need) cap *= 2;
  const b = make(cap);
  b.set(a);
  return b;
}

/** Page side: all rows so far, by index in LSN order. */
export class RecordStore {
  n = 0;
  lsn = new Float64Array(0);
  tot = new Uint32Array(0);
  fpi = new Uint32Array(0);
  xid = new Uint32Array(0);
  typeId = new Uint16Array(0);
  /** Description of row i (rm_desc). */
  readonly desc: string[] = [];
  /** pg_waldump's short block reference text of row i. */
  readonly blk: string[] = [];
  blkOff = new Uint32Array(1);
  blocks = new Float64Array(0);
  private nBlocks = 0;
  readonly typeRmgr: string[] = [];
  readonly typeName: string[] = [];

  append(b: RowBatch): void {
    const base = this.n;
    const need = base + b.n;
    this.lsn = grow(this.lsn, need, (c) => new Float64Array(c));
    this.tot = grow(this.tot, need, (c) => new Uint32Array(c));
    this.fpi = grow(this.fpi, need, (c) => new Uint32Array(c));
    this.xid = grow(this.xid, need, (c) => new Uint32Array(c));
    this.typeId = grow(this.typeId, need, (c) => new Uint16Array(c));
    this.blkOff = grow(this.blkOff, need + 1, (c) => new Uint32Array(c));
    this.lsn.set(b.lsn, base);
    this.tot.set(b.tot, base);
    this.fpi.set(b.fpi, base);
    this.xid.set(b.xid, base);
    this.typeId.set(b.typeId, base);
    for (const t of b.newTypes) {
      this.typeRmgr[t.id] = t.rmgr;
      this.typeName[t.id] = t.type;
    }
    for (let k = 0; k < b.n; k++) {
      const a = b.textOff[k]!;
      const d = a + b.descLen[k]!;
      this.desc.push(b.text.slice(a, d));
      this.blk.push(b.text.slice(d, b.textOff[k + 1]!));
      this.blkOff[base + k + 1] = this.nBlocks + b.blkOff[k + 1]!;
    }
    const nb = b.blocks.length / BLOCK_FIELDS;
    this.blocks = grow(this.blocks, (this.nBlocks + nb) * BLOCK_FIELDS, (c) => new Float64Array(c));
    this.blocks.set(b.blocks, this.nBlocks * BLOCK_FIELDS);
    this.nBlocks += nb;
    this.n = need;
  }

  rmgr(i: number): string {
    return this.typeRmgr[this.typeId[i]!]!;
  }

  type(i: number): string {
    return this.typeName[this.typeId[i]!]!;
  }
}
