/**
 * XLogRecord + block-reference header decoding (access/xlogrecord.h) over a buffer of synthetic
 * records shaped like real heap/btree WAL: (a) the generated DataView readers of
 * src/v16/gen/wal.gen.ts, (b) an equivalent `binary-parser` parser (compiled with new Function),
 * and (c) hand-inlined DataView reads without per-struct objects, as a floor. All three decode
 * every header (record, block headers, image/compress headers, RelFileLocator, block number,
 * data header) and must agree on a checksum of what they read.
 * Run: npx tsx bench/layout-reader.ts [records=300000]
 */
import { Parser } from 'binary-parser/dist/binary_parser.js';
import {
  BKPBLOCK_HAS_DATA,
  BKPBLOCK_HAS_IMAGE,
  BKPBLOCK_SAME_REL,
  BKPIMAGE_APPLY,
  BKPIMAGE_COMPRESS_LZ4,
  BKPIMAGE_COMPRESS_PGLZ,
  BKPIMAGE_COMPRESS_ZSTD,
  BKPIMAGE_HAS_HOLE,
  SizeOfXLogRecord,
  SizeOfXLogRecordBlockHeader,
  SizeOfXLogRecordBlockImageHeader,
  XLR_BLOCK_ID_DATA_LONG,
  XLR_BLOCK_ID_DATA_SHORT,
  XLR_BLOCK_ID_ORIGIN,
  XLR_BLOCK_ID_TOPLEVEL_XID,
  XLR_MAX_BLOCK_ID,
} from '../src/v16/constants.js';
import {
  readRelFileLocator,
  readXLogRecord,
  readXLogRecordBlockCompressHeader,
  readXLogRecordBlockHeader,
  readXLogRecordBlockImageHeader,
  readXLogRecordDataHeaderShort,
} from '../src/v16/gen/wal.gen.js';
import { printTable, timeIt } from './harness.js';

const COMPRESSED = BKPIMAGE_COMPRESS_PGLZ | BKPIMAGE_COMPRESS_LZ4 | BKPIMAGE_COMPRESS_ZSTD;
const N = Number(process.argv[2] ?? 300_000);

/** Deterministic synthetic WAL records (seeded LCG), MAXALIGNed one after another. */
function buildRecords(n: number, seed: number): { bytes: Uint8Array; count: number } {
  let x = seed >>> 0;
  const rnd = (m: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % m;
  };
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let r = 0; r < n; r++) {
    const hdr: number[] = [];
    const payload: number[] = [];
    const push16 = (a: number[], v: number): void => {
      a.push(v & 255, (v >>> 8) & 255);
    };
    const push32 = (a: number[], v: number): void => {
      a.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24);
    };
    const nblocks = rnd(10) < 7 ? 1 : 2; // heap insert/update vs btree insert + heap
    for (let b = 0; b < nblocks; b++) {
      const image = rnd(10) === 0;
      const dataLen = image ? 0 : 20 + rnd(180);
      const sameRel = b > 0 && rnd(2) === 0;
      hdr.push(b, (image ? BKPBLOCK_HAS_IMAGE : BKPBLOCK_HAS_DATA) | (sameRel ? BKPBLOCK_SAME_REL : 0));
      push16(hdr, dataLen);
      if (image) {
        const compressed = rnd(2) === 0;
        const length = compressed ? 600 + rnd(2000) : 8192 - 4000;
        push16(hdr, length);
        push16(hdr, 200 + rnd(100));
        hdr.push(BKPIMAGE_HAS_HOLE | BKPIMAGE_APPLY | (compressed ? BKPIMAGE_COMPRESS_LZ4 : 0));
        if (compressed) push16(hdr, 4000);
        for (let i = 0; i < length; i++) payload.push(i & 255);
      }
      if (!sameRel) {
        push32(hdr, 1663);
        push32(hdr, 5);
        push32(hdr, 16384 + rnd(50));
      }
      push32(hdr, rnd(100000));
      for (let i = 0; i < dataLen; i++) payload.push(i & 255);
    }
    const mainLen = 3 + rnd(12);
    hdr.push(XLR_BLOCK_ID_DATA_SHORT, mainLen);
    for (let i = 0; i < mainLen; i++) payload.push(i);
    const totLen = SizeOfXLogRecord + hdr.length + payload.length;
    const rec = new Uint8Array(Math.ceil(totLen / 8) * 8);
    const dv = new DataView(rec.buffer);
    dv.setUint32(0, totLen, true);
    dv.setUint32(4, 700 + r, true);
    dv.setBigUint64(8, BigInt(r) * 64n, true);
    dv.setUint8(16, rnd(8) << 4);
    dv.setUint8(17, nblocks === 1 ? 10 : 11);
    dv.setUint32(20, x, true);
    rec.set(hdr, SizeOfXLogRecord);
    rec.set(payload, SizeOfXLogRecord + hdr.length);
    chunks.push(rec);
    total += rec.length;
  }
  const bytes = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.length;
  }
  return { bytes, count: n };
}

/** (a) generated readers: one object per struct. Returns a checksum of the decoded values. */
function decodeGenerated(view: DataView): number {
  let sum = 0;
  let off = 0;
  while (off + SizeOfXLogRecord <= view.byteLength) {
    const rec = readXLogRecord(view, off);
    let pos = off + SizeOfXLogRecord;
    sum = (sum + rec.xl_xid + rec.xl_rmid + rec.xl_info + Number(rec.xl_prev & 0xffffn)) | 0;
    for (;;) {
      const id = view.getUint8(pos);
      if (id <= XLR_MAX_BLOCK_ID) {
        const bh = readXLogRecordBlockHeader(view, pos);
        pos += SizeOfXLogRecordBlockHeader;
        sum = (sum + bh.id + bh.fork_flags + bh.data_length) | 0;
        if (bh.fork_flags & BKPBLOCK_HAS_IMAGE) {
          const img = readXLogRecordBlockImageHeader(view, pos);
          pos += SizeOfXLogRecordBlockImageHeader;
          sum = (sum + img.length + img.hole_offset + img.bimg_info) | 0;
          if (img.bimg_info & BKPIMAGE_HAS_HOLE && img.bimg_info & COMPRESSED) {
            sum = (sum + readXLogRecordBlockCompressHeader(view, pos).hole_length) | 0;
            pos += 2;
          }
        }
        if (!(bh.fork_flags & BKPBLOCK_SAME_REL)) {
          const rl = readRelFileLocator(view, pos);
          pos += 12;
          sum = (sum + rl.spcOid + rl.dbOid + rl.relNumber) | 0;
        }
        sum = (sum + view.getUint32(pos, true)) | 0;
        pos += 4;
      } else if (id === XLR_BLOCK_ID_DATA_SHORT) {
        sum = (sum + readXLogRecordDataHeaderShort(view, pos).data_length) | 0;
        break;
      } else if (id === XLR_BLOCK_ID_DATA_LONG) {
        sum = (sum + view.getUint32(pos + 1, true)) | 0;
        break;
      } else if (id === XLR_BLOCK_ID_ORIGIN) pos += 3;
      else if (id === XLR_BLOCK_ID_TOPLEVEL_XID) pos += 5;
      else throw new Error(`bad block id ${id} at ${pos}`);
    }
    off += Math.ceil(rec.xl_tot_len / 8) * 8;
  }
  return sum;
}

/** (c) the same walk with inlined DataView reads and no objects. */
function decodeInline(view: DataView): number {
  let sum = 0;
  let off = 0;
  while (off + SizeOfXLogRecord <= view.byteLength) {
    const totLen = view.getUint32(off, true);
    sum =
      (sum +
        view.getUint32(off + 4, true) +
        view.getUint8(off + 17) +
        view.getUint8(off + 16) +
        Number(view.getBigUint64(off + 8, true) & 0xffffn)) |
      0;
    let pos = off + SizeOfXLogRecord;
    for (;;) {
      const id = view.getUint8(pos);
      if (id <= XLR_MAX_BLOCK_ID) {
        const flags = view.getUint8(pos + 1);
        sum = (sum + id + flags + view.getUint16(pos + 2, true)) | 0;
        pos += 4;
        if (flags & BKPBLOCK_HAS_IMAGE) {
          const info = view.getUint8(pos + 4);
          sum = (sum + view.getUint16(pos, true) + view.getUint16(pos + 2, true) + info) | 0;
          pos += 5;
          if (info & BKPIMAGE_HAS_HOLE && info & COMPRESSED) {
            sum = (sum + view.getUint16(pos, true)) | 0;
            pos += 2;
          }
        }
        if (!(flags & BKPBLOCK_SAME_REL)) {
          sum = (sum + view.getUint32(pos, true) + view.getUint32(pos + 4, true) + view.getUint32(pos + 8, true)) | 0;
          pos += 12;
        }
        sum = (sum + view.getUint32(pos, true)) | 0;
        pos += 4;
      } else if (id === XLR_BLOCK_ID_DATA_SHORT) {
        sum = (sum + view.getUint8(pos + 1)) | 0;
        break;
      } else if (id === XLR_BLOCK_ID_DATA_LONG) {
        sum = (sum + view.getUint32(pos + 1, true)) | 0;
        break;
      } else if (id === XLR_BLOCK_ID_ORIGIN) pos += 3;
      else if (id === XLR_BLOCK_ID_TOPLEVEL_XID) pos += 5;
      else throw new Error(`bad block id ${id} at ${pos}`);
    }
    off += Math.ceil(totLen / 8) * 8;
  }
  return sum;
}

// (b) binary-parser: the record header and its block-reference headers as one compiled parser.
const empty = new Parser();
const relFileLocator = new Parser().uint32le('spcOid').uint32le('dbOid').uint32le('relNumber');
const imageHeader = new Parser()
  .uint16le('length')
  .uint16le('hole_offset')
  .uint8('bimg_info')
  .choice('compress', {
    tag(this: { bimg_info: number }) {
      return this.bimg_info & BKPIMAGE_HAS_HOLE && this.bimg_info & COMPRESSED ? 1 : 0;
    },
    choices: { 0: empty, 1: new Parser().uint16le('hole_length') },
  });
const blockRef = new Parser()
  .uint8('fork_flags')
  .uint16le('data_length')
  .choice('image', {
    tag(this: { fork_flags: number }) {
      return this.fork_flags & BKPBLOCK_HAS_IMAGE ? 1 : 0;
    },
    choices: { 0: empty, 1: imageHeader },
  })
  .choice('rlocator', {
    tag(this: { fork_flags: number }) {
      return this.fork_flags & BKPBLOCK_SAME_REL ? 0 : 1;
    },
    choices: { 0: empty, 1: relFileLocator },
  })
  .uint32le('blkno');
const headerItem = new Parser().uint8('id').choice('body', {
  tag: 'id',
  choices: {
    [XLR_BLOCK_ID_DATA_SHORT]: new Parser().uint8('data_length'),
    [XLR_BLOCK_ID_DATA_LONG]: new Parser().uint32le('data_length'),
    [XLR_BLOCK_ID_ORIGIN]: new Parser().uint16le('origin'),
    [XLR_BLOCK_ID_TOPLEVEL_XID]: new Parser().uint32le('xid'),
  },
  defaultChoice: blockRef,
});
const recordParser = new Parser()
  .uint32le('xl_tot_len')
  .uint32le('xl_xid')
  .uint64le('xl_prev')
  .uint8('xl_info')
  .uint8('xl_rmid')
  .skip(2)
  .uint32le('xl_crc')
  .array('headers', {
    type: headerItem,
    readUntil(item: { id: number }) {
      return item.id === XLR_BLOCK_ID_DATA_SHORT || item.id === XLR_BLOCK_ID_DATA_LONG;
    },
  });

interface BpBlock {
  fork_flags: number;
  data_length: number;
  image: { length?: number; hole_offset?: number; bimg_info?: number; compress: { hole_length?: number } };
  rlocator: { spcOid?: number; dbOid?: number; relNumber?: number };
  blkno: number;
}
interface BpRecord {
  xl_tot_len: number;
  xl_xid: number;
  xl_prev: bigint;
  xl_info: number;
  xl_rmid: number;
  headers: Array<{ id: number; body: BpBlock & { data_length: number } }>;
}

function decodeBinaryParser(bytes: Uint8Array): number {
  let sum = 0;
  let off = 0;
  while (off + SizeOfXLogRecord <= bytes.length) {
    const rec = recordParser.parse(bytes.subarray(off)) as BpRecord;
    sum = (sum + rec.xl_xid + rec.xl_rmid + rec.xl_info + Number(rec.xl_prev & 0xffffn)) | 0;
    for (const h of rec.headers) {
      const b = h.body;
      if (h.id <= XLR_MAX_BLOCK_ID) {
        sum = (sum + h.id + b.fork_flags + b.data_length) | 0;
        if (b.image.bimg_info !== undefined) {
          sum = (sum + b.image.length! + b.image.hole_offset! + b.image.bimg_info) | 0;
          if (b.image.compress.hole_length !== undefined) sum = (sum + b.image.compress.hole_length) | 0;
        }
        if (b.rlocator.spcOid !== undefined) sum = (sum + b.rlocator.spcOid + b.rlocator.dbOid! + b.rlocator.relNumber!) | 0;
        sum = (sum + b.blkno) | 0;
      } else if (h.id === XLR_BLOCK_ID_DATA_SHORT || h.id === XLR_BLOCK_ID_DATA_LONG) sum = (sum + b.data_length) | 0;
    }
    off += Math.ceil(rec.xl_tot_len / 8) * 8;
  }
  return sum;
}

const seed = 20261122;
const { bytes, count } = buildRecords(N, seed);
const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const expected = decodeInline(view);
const results = { generated: decodeGenerated(view), binaryParser: decodeBinaryParser(bytes) };
if (results.generated !== expected || results.binaryParser !== expected) {
  throw new Error(`decoders disagree: inline ${expected}, generated ${results.generated}, binary-parser ${results.binaryParser}`);
}

console.log(`${count} synthetic records (seed ${seed}), ${(bytes.length / 1e6).toFixed(1)} MB; node ${process.version}`);
const gen = timeIt(() => decodeGenerated(view), 5, 1);
const bp = timeIt(() => decodeBinaryParser(bytes), 5, 1);
const inl = timeIt(() => decodeInline(view), 5, 1);
const ns = (s: number): string => ((s / count) * 1e9).toFixed(1);
printTable(
  'XLogRecord + block headers decode (ns/record; best of 5, one process)',
  ['decoder', 'ns/record', 'vs generated'],
  [
    ['(a) generated DataView readers (src/v16/gen)', ns(gen), '1.00'],
    ['(b) binary-parser (new Function)', ns(bp), (bp / gen).toFixed(2)],
    ['(c) inlined DataView, no objects', ns(inl), (inl / gen).toFixed(2)],
  ],
);
