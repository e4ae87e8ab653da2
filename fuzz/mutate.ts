/**
 * Byte-level mutations for the fuzz harness: bit flips, boundary-value overwrites (bytes,
 * 16/32-bit little-endian fields, lengths just over limits), truncations, splices of two
 * inputs, duplicated/dropped/shuffled 8 kB pages, and overwrites at known field offsets.
 * Every mutation draws from the case's Rng, so a seed reproduces it.
 */
import type { Rng } from './rng.js';

export const BLCKSZ = 8192;

/** Values that sit on limits PostgreSQL's readers check. */
export const INTERESTING_U8 = [0, 1, 0x7f, 0x80, 0xfe, 0xff];
export const INTERESTING_U16 = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff, 8191, 8192, 8193, 8168, 24, 23];
export const INTERESTING_U32 = [
  0,
  1,
  23,
  24,
  25,
  0xff,
  0xffff,
  0x10000,
  8192,
  8193,
  16384,
  0x7fffffff,
  0x80000000,
  0xfffffffe,
  0xffffffff,
  0x3fffffff, // MaxAllocSize
  0x40000000, // MaxAllocSize + 1
  1020 * 1024 * 1024, // XLogRecordMaxSize
  1020 * 1024 * 1024 + 1,
  16 * 1024 * 1024,
  16 * 1024 * 1024 + 1,
];

export function writeU16(b: Uint8Array, off: number, v: number): void {
  if (off < 0 || off + 2 > b.length) return;
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
}

export function writeU32(b: Uint8Array, off: number, v: number): void {
  if (off < 0 || off + 4 > b.length) return;
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}

export function readU16(b: Uint8Array, off: number): number {
  return (b[off] ?? 0) | ((b[off + 1] ?? 0) << 8);
}

export function readU32(b: Uint8Array, off: number): number {
  return ((b[off] ?? 0) | ((b[off + 1] ?? 0) << 8) | ((b[off + 2] ?? 0) << 16) | ((b[off + 3] ?? 0) << 24)) >>> 0;
}

/** A field a structure-aware mutator may rewrite: offset and width (1, 2 or 4 bytes). */
export interface Field {
  off: number;
  size: 1 | 2 | 4;
  /** Values worth trying besides the generic boundary values (e.g. "current ± 1"). */
  hints?: readonly number[];
}

/** Rewrites one field with a boundary value, a hint, the current value ± a little, or random bits. */
export function mutateField(b: Uint8Array, f: Field, rng: Rng): void {
  const cur = f.size === 1 ? (b[f.off] ?? 0) : f.size === 2 ? readU16(b, f.off) : readU32(b, f.off);
  const max = f.size === 1 ? 0xff : f.size === 2 ? 0xffff : 0xffffffff;
  let v: number;
  const r = rng.int(10);
  if (r < 3) v = rng.pick(f.size === 1 ? INTERESTING_U8 : f.size === 2 ? INTERESTING_U16 : INTERESTING_U32);
  else if (r < 5 && f.hints !== undefined && f.hints.length > 0) v = rng.pick(f.hints);
  else if (r < 8) v = cur + rng.range(-16, 16);
  else if (r < 9) v = cur ^ (1 << rng.int(f.size * 8));
  else v = rng.u32();
  v = ((v % (max + 1)) + (max + 1)) % (max + 1);
  if (f.size === 1) {
    if (f.off < b.length) b[f.off] = v;
  } else if (f.size === 2) writeU16(b, f.off, v);
  else writeU32(b, f.off, v);
}

export type Mutator = (b: Uint8Array, rng: Rng, other: () => Uint8Array) => Uint8Array;

const flipBits: Mutator = (b, rng) => {
  if (b.length === 0) return b;
  for (let n = rng.small(8); n > 0; n--) {
    const i = rng.int(b.length);
    b[i] = (b[i] as number) ^ (1 << rng.int(8));
  }
  return b;
};

const overwriteBytes: Mutator = (b, rng) => {
  if (b.length === 0) return b;
  for (let n = rng.small(6); n > 0; n--) b[rng.int(b.length)] = rng.chance(0.5) ? rng.pick(INTERESTING_U8) : rng.int(256);
  return b;
};

const overwriteWord: Mutator = (b, rng) => {
  if (b.length < 4) return b;
  const size = rng.chance(0.5) ? 2 : 4;
  const aligned = rng.chance(0.7);
  let off = rng.int(b.length - size + 1);
  if (aligned) off -= off % size;
  mutateField(b, { off, size }, rng);
  return b;
};

const truncate: Mutator = (b, rng) => {
  if (b.length === 0) return b;
  const r = rng.int(4);
  // Page-aligned cuts, cuts just inside/after a page boundary, or anywhere.
  let cut: number;
  if (r === 0 && b.length > BLCKSZ) cut = rng.int(Math.floor(b.length / BLCKSZ)) * BLCKSZ + rng.pick([0, 1, 8, 24, 40, BLCKSZ - 1]);
  else cut = rng.int(b.length);
  return b.subarray(0, Math.min(cut, b.length));
};

const splice: Mutator = (b, rng, other) => {
  const o = other();
  const keep = rng.int(b.length + 1);
  const from = rng.int(o.length + 1);
  const tail = o.subarray(from, from + rng.int(Math.max(1, o.length - from) + 1));
  const out = new Uint8Array(keep + tail.length);
  out.set(b.subarray(0, keep));
  out.set(tail, keep);
  return out;
};

const zeroRange: Mutator = (b, rng) => {
  if (b.length === 0) return b;
  const start = rng.int(b.length);
  b.fill(rng.chance(0.8) ? 0 : 0xff, start, Math.min(b.length, start + rng.small(64) * rng.small(64)));
  return b;
};

const copyWithin: Mutator = (b, rng) => {
  if (b.length < 2) return b;
  const len = rng.small(32) * rng.small(16);
  b.copyWithin(rng.int(b.length), rng.int(b.length), rng.int(b.length) + len);
  return b;
};

const insertBytes: Mutator = (b, rng) => {
  const at = rng.int(b.length + 1);
  const n = rng.small(16);
  const out = new Uint8Array(b.length + n);
  out.set(b.subarray(0, at));
  for (let i = 0; i < n; i++) out[at + i] = rng.int(256);
  out.set(b.subarray(at), at + n);
  return out;
};

const deleteBytes: Mutator = (b, rng) => {
  if (b.length === 0) return b;
  const at = rng.int(b.length);
  const n = Math.min(b.length - at, rng.small(16));
  const out = new Uint8Array(b.length - n);
  out.set(b.subarray(0, at));
  out.set(b.subarray(at + n), at);
  return out;
};

/** Page-level surgery for multi-page inputs (WAL): duplicate, drop, swap or splice in a page. */
const pageSurgery: Mutator = (b, rng, other) => {
  const pages = Math.floor(b.length / BLCKSZ);
  if (pages < 2) return b;
  const list: Uint8Array[] = [];
  for (let i = 0; i < pages; i++) list.push(b.subarray(i * BLCKSZ, (i + 1) * BLCKSZ));
  const tail = b.subarray(pages * BLCKSZ);
  const r = rng.int(4);
  const i = rng.int(pages);
  const j = rng.int(pages);
  if (r === 0) list.splice(j, 0, list[i] as Uint8Array);
  else if (r === 1) list.splice(i, 1);
  else if (r === 2) [list[i], list[j]] = [list[j] as Uint8Array, list[i] as Uint8Array];
  else {
    const o = other();
    const op = Math.floor(o.length / BLCKSZ);
    if (op > 0) list[i] = o.subarray(rng.int(op) * BLCKSZ, (rng.int(op) + 1) * BLCKSZ).subarray(0, BLCKSZ);
  }
  const out = new Uint8Array(list.length * BLCKSZ + tail.length);
  list.forEach((p, k) => {
    out.set(p, k * BLCKSZ);
  });
  out.set(tail, list.length * BLCKSZ);
  return out;
};

export const GENERIC_MUTATORS: readonly Mutator[] = [
  flipBits,
  flipBits,
  overwriteBytes,
  overwriteWord,
  overwriteWord,
  truncate,
  splice,
  zeroRange,
  copyWithin,
  insertBytes,
  deleteBytes,
];

export const PAGED_MUTATORS: readonly Mutator[] = [...GENERIC_MUTATORS, pageSurgery, pageSurgery];

/** Applies 1..n generic mutations to a copy of `seed`. */
export function mutateGeneric(
  seed: Uint8Array,
  rng: Rng,
  other: () => Uint8Array,
  mutators: readonly Mutator[] = GENERIC_MUTATORS,
): Uint8Array {
  let b: Uint8Array = seed.slice();
  for (let n = rng.small(4); n > 0; n--) b = rng.pick(mutators)(b, rng, other);
  return b;
}
