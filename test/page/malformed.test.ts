/**
 * Malformed pages give PgFormatError naming the block and the offset, with exact messages —
 * never a RangeError or a crash. Pages are built by hand from a valid empty heap page.
 */
import { describe, expect, it } from 'vitest';
import { isPgFormatError, type PgFormatError } from '../../src/common/core/errors.js';
import { btPageItems } from '../../src/common/page/btree.js';
import { heapPageItems } from '../../src/common/page/heap.js';
import { inspectPage } from '../../src/common/page/inspect.js';
import { decodeDatum, tupleDataSplit } from '../../src/common/page/tuple-data.js';

/** An empty standard page (PageInit): lower 24, upper/special = 8192 - special. */
function emptyPage(special = 0): { page: Uint8Array; dv: DataView } {
  const page = new Uint8Array(8192);
  const dv = new DataView(page.buffer);
  dv.setUint16(12, 24, true);
  dv.setUint16(14, 8192 - special, true);
  dv.setUint16(16, 8192 - special, true);
  dv.setUint16(18, 8192 | 4, true);
  return { page, dv };
}

function addItem(page: Uint8Array, dv: DataView, off: number, len: number, flags = 1): void {
  const lower = dv.getUint16(12, true);
  dv.setUint32(lower, (off & 0x7fff) | (flags << 15) | (len << 17), true);
  dv.setUint16(12, lower + 4, true);
  if (dv.getUint16(14, true) > off) dv.setUint16(14, off, true);
  void page;
}

function caught(f: () => unknown): PgFormatError {
  try {
    f();
  } catch (e) {
    if (isPgFormatError(e)) return e;
    throw e;
  }
  throw new Error('expected a PgFormatError');
}

describe('malformed pages', () => {
  it('pd_lower > pd_upper', () => {
    const { page, dv } = emptyPage();
    dv.setUint16(12, 900, true);
    dv.setUint16(14, 800, true);
    const e = caught(() => inspectPage(page, 7));
    expect(e.code).toBe('BAD_PAGE');
    expect(e.message).toBe('invalid page in block 7: pd_lower=900, expected <= pd_upper=800');
    expect([e.block, e.offset]).toEqual([7, 12]);
  });

  it('pd_special past the page, unaligned, bad flags, bad page size and layout version', () => {
    const cases: [(dv: DataView) => void, string, number][] = [
      [(dv) => dv.setUint16(16, 8200, true), 'invalid page in block 3: pd_special=8200, expected a MAXALIGNed offset <= 8192', 16],
      [
        (dv) => {
          dv.setUint16(16, 8100, true);
          dv.setUint16(14, 8000, true);
        },
        'invalid page in block 3: pd_special=8100, expected a MAXALIGNed offset <= 8192',
        16,
      ],
      [(dv) => dv.setUint16(10, 0x10, true), 'invalid page in block 3: pd_flags=0x10, expected bits within 0x7', 10],
      [(dv) => dv.setUint16(18, 4096 | 4, true), 'invalid page in block 3: page size=4096, expected 8192', 18],
      [(dv) => dv.setUint16(18, 8192 | 3, true), 'invalid page in block 3: layout version=3, expected 4', 18],
      [(dv) => dv.setUint16(14, 8192 + 8, true), 'invalid page in block 3: pd_upper=8200, expected <= pd_special=8192', 14],
    ];
    for (const [mutate, message, offset] of cases) {
      const { page, dv } = emptyPage();
      mutate(dv);
      const e = caught(() => inspectPage(page, 3));
      expect(e.message).toBe(message);
      expect(e.offset).toBe(offset);
      expect(e.block).toBe(3);
    }
  });

  it('a new page that is not all zeros', () => {
    const page = new Uint8Array(8192);
    page[100] = 1;
    expect(caught(() => inspectPage(page, 0)).message).toBe('invalid page in block 0: pd_upper=0 but the page is not all zeros');
    expect(inspectPage(new Uint8Array(8192), 0).kind).toBe('new');
  });

  it('line pointers past the page or into the header', () => {
    const { page, dv } = emptyPage();
    addItem(page, dv, 8160, 24);
    dv.setUint32(24, (8180 & 0x7fff) | (1 << 15) | (40 << 17), true);
    const e = caught(() => heapPageItems(page, 9));
    expect(e.message).toBe('invalid line pointer 1 in page in block 9: lp_off=8180, lp_len=40, expected storage within [28, 8192)');
    expect([e.block, e.offset]).toEqual([9, 24]);
    dv.setUint32(24, (8 & 0x7fff) | (1 << 15) | (40 << 17), true);
    expect(caught(() => heapPageItems(page, 9)).message).toBe(
      'invalid line pointer 1 in page in block 9: lp_off=8, lp_len=40, expected storage within [28, 8192)',
    );
  });

  it('t_hoff beyond the tuple, and a null bitmap that does not fit', () => {
    const { page, dv } = emptyPage();
    addItem(page, dv, 8160, 32);
    page[8160 + 22] = 40;
    const e = caught(() => heapPageItems(page, 2));
    expect(e.message).toBe('invalid tuple at line pointer 1 in block 2: t_hoff=40, expected <= lp_len=32');
    expect(e.offset).toBe(8160 + 22);
    page[8160 + 22] = 24;
    dv.setUint16(8160 + 20, 0x0001, true); // HEAP_HASNULL
    dv.setUint16(8160 + 18, 100, true); // 100 attributes: 13 bitmap bytes
    expect(caught(() => heapPageItems(page, 2)).message).toBe(
      'invalid tuple at line pointer 1 in block 2: null bitmap of 100 attributes does not fit before t_hoff=24',
    );
  });

  it('btree: wrong special size, index tuple sizes', () => {
    const { page } = emptyPage();
    expect(caught(() => btPageItems(page, 4)).message).toBe('input page is not a valid btree page (block 4): special size 0, expected 16');
    const bt = emptyPage(16);
    addItem(bt.page, bt.dv, 8160, 16);
    bt.dv.setUint16(8160 + 6, 200, true);
    expect(caught(() => btPageItems(bt.page, 4)).message).toBe(
      'invalid index tuple at offset number 1 in block 4: tuple size 200, expected between 8 and lp_len=16',
    );
  });

  it('tuple_data_split: truncated data and bad varlena headers', () => {
    const int4 = { attlen: 4, attalign: 'i' as const };
    const text = { attlen: -1, attalign: 'i' as const };
    expect(caught(() => tupleDataSplit(new Uint8Array(2), [int4], 0, 1, null)).message).toBe('unexpected end of tuple data');
    expect(caught(() => tupleDataSplit(new Uint8Array(8), [int4], 0, 1, null)).message).toBe(
      'end of tuple reached without looking at all its data',
    );
    expect(caught(() => tupleDataSplit(new Uint8Array([1, 99, 0, 0]), [text], 0, 1, null)).message).toBe(
      'first byte of varlena attribute is incorrect for attribute 0',
    );
    expect(caught(() => tupleDataSplit(new Uint8Array(4), [int4], 0, 2, null)).message).toBe(
      'number of attributes in tuple header is greater than number of attributes in tuple descriptor',
    );
  });

  it('compressed varlenas: corrupt data, impossible raw sizes, unknown methods', () => {
    // 4-byte header with the compressed bit (0b10), total size 12; va_tcinfo then 4 data bytes
    const v = new Uint8Array([(12 << 2) | 2, 0, 0, 0, 100, 0, 0, 0, 0xff, 1, 2, 3]);
    expect(caught(() => decodeDatum(v, 'text')).message).toBe('compressed pglz data is corrupt');
    v[7] = 0x40; // method 1 = lz4
    expect(caught(() => decodeDatum(v, 'text')).message).toBe('compressed lz4 data is corrupt');
    v[7] = 0x80;
    expect(caught(() => decodeDatum(v, 'text')).message).toBe('invalid compression method id 2');
    v.set([0xff, 0xff, 0xff, 0x0f], 4);
    expect(caught(() => decodeDatum(v, 'bytea')).message).toBe('compressed data is corrupted: raw size 268435455 from 4 compressed bytes');
    expect(caught(() => decodeDatum(new Uint8Array([5, 0, 0]), 'int4')).message).toBe('int4 value: expected 4 bytes, got 3');
  });

  it('random corruption of real-looking pages never throws anything but PgFormatError', () => {
    let state = 12345;
    const rand = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state;
    };
    for (let n = 0; n < 2000; n++) {
      const special = [0, 8, 16][n % 3]!;
      const { page, dv } = emptyPage(special);
      for (let i = 0; i < 5; i++) addItem(page, dv, 8192 - special - 40 * (i + 1), 40);
      for (let k = 0; k < 3; k++) page[12 + (rand() % 32)] = rand() & 0xff;
      for (let k = 0; k < 6; k++) page[8192 - special - 200 + (rand() % (200 + special))] = rand() & 0xff;
      try {
        inspectPage(page, n);
      } catch (e) {
        if (!isPgFormatError(e)) throw e;
      }
    }
  });
});
