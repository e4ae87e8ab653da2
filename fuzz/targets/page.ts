/**
 * Page target (storage/bufpage.h PageHeaderData/ItemIdData, access/htup_details.h, the index
 * AMs' opaque data, FSM/VM pages): real pages of every access method and fork with header
 * fields (pd_lower/upper/special/pagesize/flags), line pointers (lp_off/lp_flags/lp_len),
 * tuple headers (t_hoff, t_infomask, natts) and special space rewritten, or bytes mutated and
 * truncated. Every page decoder runs on every page whatever its kind (pageinspect lets a user
 * call bt_page_items on a heap page), plus tuple_data_split and datum decoding on each tuple.
 */

import { isPgFormatError } from '../../src/common/core/errors.js';
import { btMetap, btPageItems, btPageStats } from '../../src/common/page/btree.js';
import { pageChecksum, verifyPageChecksum } from '../../src/common/page/checksum.js';
import { decodeFsmPage, decodeVmPage, fsmPageContents } from '../../src/common/page/fsm-vm.js';
import { heapPageItems, heapTupleAt } from '../../src/common/page/heap.js';
import {
  brinMetapageInfo,
  brinPageType,
  brinRevmapData,
  decodeHashOpaque,
  decodeSpGistOpaque,
  ginPageOpaqueInfo,
  gistPageOpaqueInfo,
} from '../../src/common/page/index-am.js';
import { type ForkName, inspectPage } from '../../src/common/page/inspect.js';
import { decodeItemIds, decodePageHeader } from '../../src/common/page/page.js';
import {
  type AttributeDescriptor,
  decodeDatum,
  decodeToastPointer,
  detoastInlineCopy,
  tupleDataSplit,
  varlenaKind,
  varlenaPayload,
} from '../../src/common/page/tuple-data.js';
import { type Field, mutateField, mutateGeneric, readU16 } from '../mutate.js';
import type { Rng } from '../rng.js';
import type { FuzzTarget } from '../target.js';

const FORKS: readonly ForkName[] = ['main', 'fsm', 'vm', 'init'];

/** Attributes of the corpus tables t and pts (scripts/make-fuzz-corpus.ts). */
const TABLE_T: readonly AttributeDescriptor[] = [
  { attlen: 4, attalign: 'i', typname: 'int4' },
  { attlen: -1, attalign: 'i', typname: 'text' },
  { attlen: -1, attalign: 'i', typname: 'numeric' },
  { attlen: -1, attalign: 'i', typname: '_int4' },
  { attlen: -1, attalign: 'i', typname: 'jsonb' },
  { attlen: 8, attalign: 'd', typname: 'timestamptz' },
  { attlen: -1, attalign: 'i', typname: 'bytea' },
  { attlen: 8, attalign: 'd', typname: 'float8' },
  { attlen: -1, attalign: 'i', typname: 'bpchar' },
];
const TABLE_PTS: readonly AttributeDescriptor[] = [
  { attlen: 4, attalign: 'i', typname: 'int4' },
  { attlen: 16, attalign: 'd', typname: 'point' },
  { attlen: -1, attalign: 'i', typname: 'int4range' },
];
const CSTRING: readonly AttributeDescriptor[] = [
  { attlen: -2, attalign: 'c', typname: 'cstring' },
  { attlen: 2, attalign: 's', typname: 'int2' },
];

function pageFields(page: Uint8Array, rng: Rng): Field[] {
  const f: Field[] = [
    { off: 10, size: 2, hints: [0, 1, 4, 7, 8, 0xffff] },
    { off: 12, size: 2, hints: [0, 23, 24, 25, 28, 8192, 8193, readU16(page, 14), readU16(page, 14) + 4] },
    { off: 14, size: 2, hints: [0, 24, 8191, 8192, 8193, readU16(page, 12) - 1, readU16(page, 16) + 1] },
    { off: 16, size: 2, hints: [0, 24, 8176, 8184, 8191, 8192, 8193, readU16(page, 14) - 8] },
    { off: 18, size: 2, hints: [0x2004, 0x2003, 0x2005, 0x1004, 0x4004, 0] },
  ];
  const lower = readU16(page, 12);
  const nItems = lower >= 24 ? Math.min(400, Math.floor((lower - 24) / 4)) : 0;
  if (nItems > 0) {
    const i = rng.int(nItems);
    const lpOff = 24 + 4 * i;
    const word = (page[lpOff] ?? 0) | ((page[lpOff + 1] ?? 0) << 8) | ((page[lpOff + 2] ?? 0) << 16) | ((page[lpOff + 3] ?? 0) << 24);
    const off = word & 0x7fff;
    const len = (word >>> 17) & 0x7fff;
    // lp_off (15 bits) | lp_flags (2) | lp_len (15): rewrite as halves and as the whole word
    f.push(
      { off: lpOff, size: 2, hints: [0, 1, 8, 8184, 8191, 0x7fff, off + 1, off - 8] },
      { off: lpOff + 2, size: 2, hints: [0, 2, 0xfffe, 0xffff, (len + 1) << 1, (len - 1) << 1, (8192 << 1) | 1] },
      { off: lpOff, size: 4 },
    );
    if (off >= 24 && off + 24 <= page.length) {
      f.push(
        { off: off + 18, size: 2, hints: [0, 1, 0x7ff, 1600, 9, 3, 0x07ff | 0xc000] },
        { off: off + 20, size: 2, hints: [0, 1, 2, 3, 0x0008, 0xffff, 0x0803] },
        { off: off + 22, size: 1, hints: [0, 23, 24, 32, 255, len, len + 1] },
      );
    }
  }
  if (page.length >= 16) {
    const sp = page.length - 16;
    f.push(
      { off: sp, size: 4 },
      { off: sp + 4, size: 4 },
      { off: sp + 8, size: 4 },
      { off: sp + 12, size: 2 },
      { off: sp + 14, size: 2, hints: [0xff80, 0xff81, 0xff82, 0xf091, 0xf092, 0xf093] },
    );
  }
  return f;
}

function exercise(name: string, f: () => unknown): void {
  try {
    const v = f();
    JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  } catch (e) {
    if (!isPgFormatError(e)) throw e;
    void name;
  }
}

export const pageTarget: FuzzTarget = {
  name: 'page',
  description:
    'every page decoder (heap, btree, hash, GIN, GiST, SP-GiST, BRIN, FSM, VM, inspectPage, tuple_data_split, datums, checksum) on mutated pages',
  generate(rng, corpus) {
    const seeds = corpus.of('page');
    const seed = rng.pick(seeds);
    let bytes: Uint8Array;
    if (rng.chance(0.55)) {
      bytes = seed.bytes.slice();
      for (let n = rng.small(4); n > 0; n--) mutateField(bytes, rng.pick(pageFields(bytes, rng)), rng);
    } else {
      bytes = mutateGeneric(seed.bytes, rng, () => rng.pick(seeds).bytes);
    }
    const fork = rng.chance(0.85) ? (seed.fork ?? 'main') : rng.pick(FORKS);
    const table = seed.note.startsWith('pts') ? 'pts' : 't';
    return {
      bytes,
      major: seed.major,
      params: { fork, block: rng.chance(0.9) ? (seed.block ?? 0) : rng.pick([0, 1, 0x7fffffff, 0xfffffffe]), table },
    };
  },
  run(input) {
    const page = input.bytes;
    const block = Number(input.params.block ?? 0);
    const fork = (input.params.fork as ForkName | undefined) ?? 'main';
    exercise('inspectPage', () => inspectPage(page, block, fork));
    exercise('heapPageItems', () => heapPageItems(page, block));
    exercise('btMetap', () => btMetap(page, block));
    exercise('btPageStats', () => btPageStats(page, block));
    exercise('btPageItems', () => btPageItems(page, block));
    exercise('fsm', () => [decodeFsmPage(page), fsmPageContents(page)]);
    exercise('vm', () => decodeVmPage(page, block));
    exercise('brin', () => [brinPageType(page), brinMetapageInfo(page), brinRevmapData(page)]);
    exercise('checksum', () => [pageChecksum(page, block), verifyPageChecksum(page, block)]);
    let h: ReturnType<typeof decodePageHeader>;
    try {
      h = decodePageHeader(page, block);
    } catch (e) {
      if (isPgFormatError(e)) return;
      throw e;
    }
    exercise('opaque', () => [
      decodeHashOpaque(page, h),
      gistPageOpaqueInfo(page, h),
      ginPageOpaqueInfo(page, h),
      decodeSpGistOpaque(page, h),
    ]);
    let n = 0;
    try {
      n = decodeItemIds(page, h, block).length;
    } catch (e) {
      if (!isPgFormatError(e)) throw e;
    }
    const attrs = input.params.table === 'pts' ? TABLE_PTS : TABLE_T;
    for (let lp = 1; lp <= Math.min(n, 300); lp++) {
      exercise('tuple', () => {
        const t = heapTupleAt(page, lp, block);
        if (t === null) return null;
        for (const descs of [attrs, CSTRING]) {
          try {
            const cols = tupleDataSplit(t.data, descs, t.t_infomask, t.t_infomask2, t.t_bits);
            cols.forEach((c, i) => {
              if (c === null || c.length === 0) return;
              const d = descs[i] as AttributeDescriptor;
              if (d.attlen === -1) {
                exercise('varlena', () => [varlenaKind(c), varlenaPayload(c)]);
                exercise('detoast', () => detoastInlineCopy(c));
                if (c[0] === 0x01) exercise('toast', () => decodeToastPointer(c));
              }
              if (d.typname !== undefined) exercise('datum', () => decodeDatum(c, d.typname as string));
            });
          } catch (e) {
            if (!isPgFormatError(e)) throw e;
          }
        }
        return null;
      });
    }
  },
};
