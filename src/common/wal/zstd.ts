/*
 * A bounded decoder for one Zstandard frame (RFC 8878: frame header, raw/RLE/compressed blocks,
 * Huffman literals, FSE sequences, repeat offsets), as written by PostgreSQL's XLogCompressBackupBlock
 * (access/transam/xloginsert.c, ZSTD_compress without dictionary). Every loop is bounded by the
 * input consumed or the output produced; every length is checked against the destination first.
 */
import { PgFormatError } from '../core/errors.js';

const LL_DEFAULT = [4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1];
const ML_DEFAULT = [
  1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  -1, -1, -1, -1, -1, -1, -1,
];
const OF_DEFAULT = [1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1];
const LL_BITS = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const ML_BITS = [
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9,
  10, 11, 12, 13, 14, 15, 16,
];

function baselines(bits: number[], start: number): number[] {
  const out: number[] = [];
  let s = start;
  for (const b of bits) {
    out.push(s);
    s += 1 << b;
  }
  return out;
}
const LL_BASE = baselines(LL_BITS, 0);
const ML_BASE = baselines(ML_BITS, 3);
/** Largest offset code accepted: larger offsets cannot fit any page-sized frame. */
const MAX_OFFSET_CODE = 24;

interface FseTable {
  log: number;
  symbol: Uint8Array;
  nbBits: Uint8Array;
  base: Uint16Array;
}

function fail(message: string): never {
  throw new PgFormatError('BAD_IMAGE', `invalid zstd frame: ${message}`);
}

function highBit(v: number): number {
  return 31 - Math.clz32(v);
}

/** Bits [pos, pos + n) of src[start, end) as little-endian bit string (n <= 24); outside reads 0. */
function peekBits(src: Uint8Array, start: number, end: number, pos: number, n: number): number {
  if (n === 0) return 0;
  const b = start + Math.floor(pos / 8);
  let v = 0;
  for (let i = 3; i >= 0; i--) {
    const k = b + i;
    v = (v << 8) | (k >= start && k < end ? (src[k] as number) : 0);
  }
  return (v >>> (pos & 7)) & ((1 << n) - 1);
}

function buildFse(norm: number[], log: number): FseTable {
  const size = 1 << log;
  const symbol = new Uint8Array(size);
  const nbBits = new Uint8Array(size);
  const base = new Uint16Array(size);
  const next: number[] = [];
  let high = size - 1;
  for (let s = 0; s < norm.length; s++) {
    const c = norm[s] as number;
    if (c === -1) {
      if (high < 0) fail('bad FSE table');
      symbol[high--] = s;
      next.push(1);
    } else next.push(c);
  }
  const step = (size >> 1) + (size >> 3) + 3;
  let pos = 0;
  for (let s = 0; s < norm.length; s++) {
    const c = norm[s] as number;
    for (let i = 0; i < c; i++) {
      symbol[pos] = s;
      let guard = 0;
      do {
        pos = (pos + step) & (size - 1);
        if (++guard > size) fail('bad FSE table');
      } while (pos > high);
    }
  }
  if (pos !== 0) fail('bad FSE table');
  for (let u = 0; u < size; u++) {
    const s = symbol[u] as number;
    const ns = next[s] as number;
    next[s] = ns + 1;
    const nb = log - highBit(ns);
    nbBits[u] = nb;
    base[u] = (ns << nb) - size;
  }
  return { log, symbol, nbBits, base };
}

function rleFse(sym: number): FseTable {
  return { log: 0, symbol: Uint8Array.of(sym), nbBits: new Uint8Array(1), base: new Uint16Array(1) };
}

/** FSE_readNCount: table description at src[p..end); returns [table, next byte]. */
function readFseDescription(src: Uint8Array, p: number, end: number, maxLog: number, maxSymbol: number): [FseTable, number] {
  let bit = p * 8;
  const endBit = end * 8;
  const read = (n: number): number => {
    if (bit + n > endBit) fail('truncated FSE table');
    return peekBits(src, 0, end, bit, n);
  };
  const log = read(4) + 5;
  bit += 4;
  if (log > maxLog) fail('FSE accuracy too large');
  let remaining = (1 << log) + 1;
  let threshold = 1 << log;
  let nb = log + 1;
  const norm: number[] = [];
  let prevZero = false;
  while (remaining > 1) {
    if (prevZero) {
      let rep = read(2);
      bit += 2;
      while (rep === 3) {
        for (let i = 0; i < 3; i++) norm.push(0);
        if (norm.length > maxSymbol + 1) fail('FSE symbol out of range');
        rep = read(2);
        bit += 2;
      }
      for (let i = 0; i < rep; i++) norm.push(0);
      if (norm.length > maxSymbol + 1) fail('FSE symbol out of range');
    }
    if (norm.length > maxSymbol) fail('FSE symbol out of range');
    const max = 2 * threshold - 1 - remaining;
    let count: number;
    const low = read(nb - 1);
    if (low < max) {
      count = low;
      bit += nb - 1;
    } else {
      count = read(nb) & (2 * threshold - 1);
      if (count >= threshold) count -= max;
      bit += nb;
    }
    count--;
    remaining -= count < 0 ? -count : count;
    norm.push(count);
    prevZero = count === 0;
    if (remaining < 1) fail('bad FSE table');
    while (remaining < threshold) {
      nb--;
      threshold >>= 1;
    }
  }
  if (remaining !== 1) fail('bad FSE table');
  return [buildFse(norm, log), (bit + 7) >> 3];
}

const LL_PREDEFINED = buildFse(LL_DEFAULT, 6);
const ML_PREDEFINED = buildFse(ML_DEFAULT, 6);
const OF_PREDEFINED = buildFse(OF_DEFAULT, 5);

interface Huffman {
  maxBits: number;
  symbol: Uint8Array;
  nbBits: Uint8Array;
}

/** Huffman tree description at src[p..end): returns [table, next byte]. */
function readHuffman(src: Uint8Array, p: number, end: number): [Huffman, number] {
  if (p >= end) fail('truncated Huffman tree');
  const hb = src[p] as number;
  p++;
  const weights: number[] = [];
  if (hb >= 128) {
    const n = hb - 127;
    const bytes = (n + 1) >> 1;
    if (p + bytes > end) fail('truncated Huffman tree');
    for (let i = 0; i < n; i++) {
      const byte = src[p + (i >> 1)] as number;
      weights.push(i & 1 ? byte & 15 : byte >> 4);
    }
    p += bytes;
  } else {
    const stop = p + hb;
    if (hb === 0 || stop > end) fail('truncated Huffman tree');
    const [t, q] = readFseDescription(src, p, stop, 6, 255);
    const last = src[stop - 1] as number;
    if (last === 0) fail('bad Huffman weights');
    let pos = (stop - q - 1) * 8 + highBit(last);
    const read = (n: number): number => {
      pos -= n;
      return peekBits(src, q, stop, pos, n);
    };
    let s1 = read(t.log);
    let s2 = read(t.log);
    for (;;) {
      if (weights.length > 253) fail('too many Huffman weights');
      weights.push(t.symbol[s1] as number);
      s1 = (t.base[s1] as number) + read(t.nbBits[s1] as number);
      if (pos < 0) {
        weights.push(t.symbol[s2] as number);
        break;
      }
      weights.push(t.symbol[s2] as number);
      s2 = (t.base[s2] as number) + read(t.nbBits[s2] as number);
      if (pos < 0) {
        weights.push(t.symbol[s1] as number);
        break;
      }
    }
    p = stop;
  }
  if (weights.length > 255) fail('too many Huffman weights');
  let sum = 0;
  for (const w of weights) {
    if (w > 11) fail('bad Huffman weight');
    if (w > 0) sum += 1 << (w - 1);
  }
  if (sum === 0) fail('bad Huffman weights');
  const maxBits = highBit(sum) + 1;
  if (maxBits > 11) fail('bad Huffman weights');
  const rest = (1 << maxBits) - sum;
  if ((rest & (rest - 1)) !== 0) fail('bad Huffman weights');
  weights.push(highBit(rest) + 1);
  const size = 1 << maxBits;
  const symbol = new Uint8Array(size);
  const nbBits = new Uint8Array(size);
  let at = 0;
  for (let w = 1; w <= maxBits; w++) {
    for (let s = 0; s < weights.length; s++) {
      if (weights[s] !== w) continue;
      const n = 1 << (w - 1);
      symbol.fill(s, at, at + n);
      nbBits.fill(maxBits + 1 - w, at, at + n);
      at += n;
    }
  }
  if (at !== size) fail('bad Huffman weights');
  return [{ maxBits, symbol, nbBits }, p];
}

function decodeHuffmanStream(src: Uint8Array, start: number, end: number, h: Huffman, out: Uint8Array, o: number, n: number): void {
  if (end <= start) fail('empty Huffman stream');
  const last = src[end - 1] as number;
  if (last === 0) fail('bad Huffman stream');
  let pos = (end - start - 1) * 8 + highBit(last);
  for (let i = 0; i < n; i++) {
    const idx = peekBits(src, start, end, pos - h.maxBits, h.maxBits);
    out[o + i] = h.symbol[idx] as number;
    pos -= h.nbBits[idx] as number;
  }
  if (pos !== 0) fail('bad Huffman stream');
}

interface FrameState {
  huffman: Huffman | null;
  ll: FseTable | null;
  of: FseTable | null;
  ml: FseTable | null;
  rep: [number, number, number];
}

function selectTable(
  mode: number,
  src: Uint8Array,
  p: number,
  end: number,
  predefined: FseTable,
  prev: FseTable | null,
  maxLog: number,
  maxSymbol: number,
): [FseTable, number] {
  if (mode === 0) return [predefined, p];
  if (mode === 1) {
    if (p >= end) fail('truncated sequences header');
    const s = src[p] as number;
    if (s > maxSymbol) fail('bad RLE symbol');
    return [rleFse(s), p + 1];
  }
  if (mode === 2) return readFseDescription(src, p, end, maxLog, maxSymbol);
  if (prev === null) fail('repeat table without previous table');
  return [prev, p];
}

/** One compressed block src[p..end) appended at dest[op..]; returns the new output position. */
function decodeCompressedBlock(
  src: Uint8Array,
  p: number,
  end: number,
  dest: Uint8Array,
  op: number,
  lit: Uint8Array,
  st: FrameState,
): number {
  const room = dest.length - op;
  if (p >= end) fail('truncated literals header');
  const b0 = src[p] as number;
  const litType = b0 & 3;
  const sizeFormat = (b0 >> 2) & 3;
  let litLen: number;
  if (litType < 2) {
    if (sizeFormat === 1) {
      if (p + 2 > end) fail('truncated literals header');
      litLen = (b0 >> 4) + ((src[p + 1] as number) << 4);
      p += 2;
    } else if (sizeFormat === 3) {
      if (p + 3 > end) fail('truncated literals header');
      litLen = (b0 >> 4) + ((src[p + 1] as number) << 4) + ((src[p + 2] as number) << 12);
      p += 3;
    } else {
      litLen = b0 >> 3;
      p += 1;
    }
    if (litLen > room) fail('literals exceed output');
    if (litType === 0) {
      if (p + litLen > end) fail('truncated literals');
      lit.set(src.subarray(p, p + litLen));
      p += litLen;
    } else {
      if (p >= end) fail('truncated literals');
      lit.fill(src[p] as number, 0, litLen);
      p += 1;
    }
  } else {
    const hdr = sizeFormat < 2 ? 3 : sizeFormat + 2;
    const bits = sizeFormat < 2 ? 10 : sizeFormat === 2 ? 14 : 18;
    if (p + hdr > end) fail('truncated literals header');
    let v = 0;
    for (let i = hdr - 1; i >= 0; i--) v = v * 256 + (src[p + i] as number);
    const mask = 2 ** bits;
    litLen = Math.floor(v / 16) % mask;
    const compLen = Math.floor(v / 16 / mask) % mask;
    p += hdr;
    if (litLen > room) fail('literals exceed output');
    const cEnd = p + compLen;
    if (cEnd > end) fail('truncated literals');
    let q = p;
    if (litType === 2) {
      const [h, next] = readHuffman(src, p, cEnd);
      st.huffman = h;
      q = next;
    }
    const h = st.huffman;
    if (h === null) fail('treeless literals without previous table');
    if (sizeFormat === 0) {
      decodeHuffmanStream(src, q, cEnd, h, lit, 0, litLen);
    } else {
      if (q + 6 > cEnd) fail('truncated jump table');
      const s1 = (src[q] as number) | ((src[q + 1] as number) << 8);
      const s2 = (src[q + 2] as number) | ((src[q + 3] as number) << 8);
      const s3 = (src[q + 4] as number) | ((src[q + 5] as number) << 8);
      const a = q + 6;
      const b = a + s1;
      const c = b + s2;
      const d = c + s3;
      if (d > cEnd) fail('bad jump table');
      const seg = (litLen + 3) >> 2;
      const lastSeg = litLen - 3 * seg;
      if (lastSeg < 0) fail('bad literals size');
      decodeHuffmanStream(src, a, b, h, lit, 0, seg);
      decodeHuffmanStream(src, b, c, h, lit, seg, seg);
      decodeHuffmanStream(src, c, d, h, lit, 2 * seg, seg);
      decodeHuffmanStream(src, d, cEnd, h, lit, 3 * seg, lastSeg);
    }
    p = cEnd;
  }
  if (p >= end) fail('truncated sequences header');
  let nbSeq = src[p] as number;
  p++;
  if (nbSeq >= 128) {
    if (nbSeq === 255) {
      if (p + 2 > end) fail('truncated sequences header');
      nbSeq = (src[p] as number) + ((src[p + 1] as number) << 8) + 0x7f00;
      p += 2;
    } else {
      if (p >= end) fail('truncated sequences header');
      nbSeq = ((nbSeq - 128) << 8) + (src[p] as number);
      p++;
    }
  }
  let litPos = 0;
  if (nbSeq > 0) {
    if (nbSeq * 3 > room) fail('too many sequences');
    if (p >= end) fail('truncated sequences header');
    const modes = src[p] as number;
    p++;
    if (modes & 3) fail('reserved bits set');
    let t: [FseTable, number];
    t = selectTable(modes >> 6, src, p, end, LL_PREDEFINED, st.ll, 9, 35);
    const ll = t[0];
    t = selectTable((modes >> 4) & 3, src, t[1], end, OF_PREDEFINED, st.of, 8, 31);
    const of = t[0];
    t = selectTable((modes >> 2) & 3, src, t[1], end, ML_PREDEFINED, st.ml, 9, 52);
    const ml = t[0];
    p = t[1];
    st.ll = ll;
    st.of = of;
    st.ml = ml;
    if (p >= end) fail('truncated sequences');
    const last = src[end - 1] as number;
    if (last === 0) fail('bad sequences bitstream');
    let pos = (end - p - 1) * 8 + highBit(last);
    const read = (n: number): number => {
      pos -= n;
      return peekBits(src, p, end, pos, n);
    };
    let sLL = read(ll.log);
    let sOF = read(of.log);
    let sML = read(ml.log);
    const rep = st.rep;
    for (let i = 0; i < nbSeq; i++) {
      const ofCode = of.symbol[sOF] as number;
      const llCode = ll.symbol[sLL] as number;
      const mlCode = ml.symbol[sML] as number;
      if (ofCode > MAX_OFFSET_CODE) fail('offset too large');
      const ofValue = 2 ** ofCode + read(ofCode);
      const matchLen = (ML_BASE[mlCode] as number) + read(ML_BITS[mlCode] as number);
      const litCount = (LL_BASE[llCode] as number) + read(LL_BITS[llCode] as number);
      let offset: number;
      if (ofValue > 3) {
        offset = ofValue - 3;
        rep[2] = rep[1];
        rep[1] = rep[0];
        rep[0] = offset;
      } else {
        const idx = ofValue - 1 + (litCount === 0 ? 1 : 0);
        if (idx === 0) offset = rep[0];
        else if (idx === 1) {
          offset = rep[1];
          rep[1] = rep[0];
          rep[0] = offset;
        } else {
          offset = idx === 2 ? rep[2] : rep[0] - 1;
          rep[2] = rep[1];
          rep[1] = rep[0];
          rep[0] = offset;
        }
      }
      if (i + 1 < nbSeq) {
        sLL = (ll.base[sLL] as number) + read(ll.nbBits[sLL] as number);
        sML = (ml.base[sML] as number) + read(ml.nbBits[sML] as number);
        sOF = (of.base[sOF] as number) + read(of.nbBits[sOF] as number);
      }
      if (pos < 0) fail('sequences bitstream overrun');
      if (litCount > litLen - litPos || litCount > dest.length - op) fail('literal length exceeds literals');
      dest.set(lit.subarray(litPos, litPos + litCount), op);
      op += litCount;
      litPos += litCount;
      if (offset < 1 || offset > op) fail('offset out of range');
      if (matchLen > dest.length - op) fail('match exceeds output');
      for (let from = op - offset, stop = op + matchLen; op < stop; ) dest[op++] = dest[from++] as number;
    }
    if (pos !== 0) fail('sequences bitstream not consumed');
  } else if (p !== end) fail('trailing bytes in block');
  const restLen = litLen - litPos;
  if (restLen > dest.length - op) fail('literals exceed output');
  dest.set(lit.subarray(litPos, litLen), op);
  return op + restLen;
}

/**
 * ZSTD_decompress of one frame without dictionary into exactly dest.length bytes. Throws
 * PgFormatError('BAD_IMAGE') on anything malformed or of another size. The checksum is not verified.
 */
export function zstdDecompressInto(src: Uint8Array, dest: Uint8Array): void {
  if (src.length < 5 || src[0] !== 0x28 || src[1] !== 0xb5 || src[2] !== 0x2f || src[3] !== 0xfd) fail('bad magic');
  const fhd = src[4] as number;
  if (fhd & 8) fail('reserved bit set');
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  const checksum = (fhd >> 2) & 1;
  const dictFlag = fhd & 3;
  let p = 5 + (single ? 0 : 1);
  const dictSize = dictFlag === 3 ? 4 : dictFlag;
  if (p + dictSize > src.length) fail('truncated frame header');
  for (let i = 0; i < dictSize; i++) if (src[p + i] !== 0) fail('dictionary not supported');
  p += dictSize;
  const fcsSize = fcsFlag === 0 ? single : 1 << fcsFlag;
  if (fcsSize === 0 || p + fcsSize > src.length) fail('missing content size');
  let fcs = 0;
  for (let i = fcsSize - 1; i >= 0; i--) fcs = fcs * 256 + (src[p + i] as number);
  if (fcsFlag === 1) fcs += 256;
  p += fcsSize;
  if (fcs !== dest.length) fail('content size mismatch');
  const lit = new Uint8Array(dest.length);
  const st: FrameState = { huffman: null, ll: null, of: null, ml: null, rep: [1, 4, 8] };
  let op = 0;
  for (;;) {
    if (p + 3 > src.length) fail('truncated block header');
    const h = (src[p] as number) | ((src[p + 1] as number) << 8) | ((src[p + 2] as number) << 16);
    p += 3;
    const last = h & 1;
    const type = (h >> 1) & 3;
    const size = h >>> 3;
    if (type === 0) {
      if (size > dest.length - op) fail('block exceeds output');
      if (p + size > src.length) fail('truncated block');
      dest.set(src.subarray(p, p + size), op);
      op += size;
      p += size;
    } else if (type === 1) {
      if (size > dest.length - op) fail('block exceeds output');
      if (p >= src.length) fail('truncated block');
      dest.fill(src[p] as number, op, op + size);
      op += size;
      p += 1;
    } else if (type === 2) {
      if (size > 131072 || p + size > src.length) fail('truncated block');
      op = decodeCompressedBlock(src, p, p + size, dest, op, lit, st);
      p += size;
    } else fail('reserved block type');
    if (last) break;
  }
  if (checksum) p += 4;
  if (p !== src.length) fail('trailing bytes after frame');
  if (op !== dest.length) fail('content size mismatch');
}
