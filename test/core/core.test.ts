import CRC32C from 'crc-32/crc32c.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../src/common/core/byte-reader.js';
import { ByteWriter } from '../../src/common/core/byte-writer.js';
import { CRC32C_INIT, crc32c, crc32cFinish, crc32cUpdate, walRecordCrc, wordsOfBuffer } from '../../src/common/core/crc32c.js';
import { isPgFormatError, PgFormatError } from '../../src/common/core/errors.js';
import { formatLsn, formatLsnPadded, parseLsn } from '../../src/common/core/lsn.js';
import { parseRelationFileName, relationPath } from '../../src/common/core/relation-path.js';
import { detectVersion } from '../../src/common/core/version.js';
import { parseWalFileName, segmentStartLsn, walFileName } from '../../src/common/core/wal-file-names.js';

describe('Lsn', () => {
  it('prints like pg_lsn and pg_waldump', () => {
    expect(formatLsn(0x16b3748n)).toBe('0/16B3748');
    expect(formatLsnPadded(0x17c2668n)).toBe('0/017C2668');
    expect(formatLsn(0x1_0000_0000n)).toBe('1/0');
  });
  it('parses what it prints, for any 64-bit value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v) => parseLsn(formatLsn(v)) === v && parseLsn(formatLsnPadded(v)) === v),
    );
  });
  it('rejects malformed text with pg_lsn_in wording', () => {
    expect(() => parseLsn('0/XYZ')).toThrow('invalid input syntax for type pg_lsn: "0/XYZ"');
    expect(() => parseLsn('123456789/0')).toThrow(PgFormatError);
  });
});

describe('CRC-32C', () => {
  it('has the standard check value', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });
  it('agrees with the crc-32 package at every length and alignment', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), fc.nat(7), (data, shift) => {
        const buf = new Uint8Array(data.length + shift);
        buf.set(data, shift);
        const view = buf.subarray(shift);
        return crc32c(view) === CRC32C.buf(data) >>> 0;
      }),
      { numRuns: 500 },
    );
  });
  it('chains: INIT, COMP over pieces, FIN equals the whole', () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919) & 0xff);
    let state = CRC32C_INIT;
    state = crc32cUpdate(state, data, 0, 333);
    state = crc32cUpdate(state, data, 333, 1000);
    expect(crc32cFinish(state)).toBe(crc32c(data));
    expect(crc32c(data.subarray(500), crc32c(data.subarray(0, 500)))).toBe(crc32c(data));
  });
  it('walRecordCrc equals the crc-32 package over data-then-header, for any length, offset and buffer alignment', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 24, maxLength: 700 }), fc.nat(40), fc.nat(7), fc.boolean(), (record, at, shift, withWords) => {
        const buf = new Uint8Array(shift + at + record.length + 3);
        const view = buf.subarray(shift);
        view.set(record, at);
        const headerFirst20 = CRC32C.buf(record.subarray(0, 20), CRC32C.buf(record.subarray(24))) >>> 0;
        return walRecordCrc(view, withWords ? wordsOfBuffer(view) : null, at, record.length) === headerFirst20;
      }),
      { numRuns: 1000 },
    );
  });
});

describe('ByteReader / ByteWriter', () => {
  it('round-trips little-endian values', () => {
    const w = new ByteWriter(4);
    w.u8(1).u16(0xbeef).u32(0xdeadbeef).u64(0x0123456789abcdefn).i32(-5);
    const r = new ByteReader(w.finish());
    expect([r.u8(), r.u16(), r.u32(), r.u64(), r.i32()]).toEqual([1, 0xbeef, 0xdeadbeef, 0x0123456789abcdefn, -5]);
  });
  it('throws a typed TRUNCATED error naming the offset, never a RangeError', () => {
    const r = new ByteReader(new Uint8Array(3), 0, 100);
    r.u16();
    let err: unknown;
    try {
      r.u32('xl_tot_len');
    } catch (e) {
      err = e;
    }
    expect(isPgFormatError(err)).toBe(true);
    expect((err as PgFormatError).code).toBe('TRUNCATED');
    expect((err as PgFormatError).offset).toBe(102);
    expect((err as PgFormatError).message).toBe('xl_tot_len: expected 4 bytes at offset 102, got 1');
  });
});

describe('WAL file names', () => {
  it('builds and parses segment names for any segment size', () => {
    expect(walFileName(1, 1n)).toBe('000000010000000000000001');
    expect(walFileName(2, 0x1ffn)).toBe('0000000200000001000000FF');
    expect(walFileName(1, 5n, 1024 * 1024 * 1024)).toBe('000000010000000100000001');
    expect(parseWalFileName('0000000200000001000000FF')).toEqual({ kind: 'segment', timeline: 2, segno: 0x1ffn });
    expect(parseWalFileName('000000010000000000000003.partial')).toEqual({ kind: 'partial', timeline: 1, segno: 3n });
    expect(parseWalFileName('00000002.history')).toEqual({ kind: 'history', timeline: 2 });
    expect(parseWalFileName('000000010000000000000002.00000028.backup')).toEqual({
      kind: 'backup',
      timeline: 1,
      segno: 2n,
      backupOffset: 0x28,
    });
    expect(parseWalFileName('000000010000000000000100')).toBeNull(); // seg part >= 256 with 16 MB segments
    expect(parseWalFileName('archive_status')).toBeNull();
    expect(segmentStartLsn(3n)).toBe(0x3000000n);
  });
  it('round-trips every segment number for every valid segment size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 30 }),
        fc.bigInt({ min: 0n, max: (1n << 40n) - 1n }),
        fc.integer({ min: 1, max: 0xffffffff }),
        (log2, segno, tli) => {
          const size = 2 ** log2;
          const maxSeg = (1n << 64n) / BigInt(size);
          const s = segno % maxSeg;
          return parseWalFileName(walFileName(tli, s, size), size)?.segno === s;
        },
      ),
    );
  });
});

describe('relation paths', () => {
  it('follows relpath.c', () => {
    expect(relationPath({ spcOid: 1663, dbOid: 5, relNumber: 16384 })).toBe('base/5/16384');
    expect(relationPath({ spcOid: 1664, dbOid: 0, relNumber: 1262 }, 1)).toBe('global/1262_fsm');
    expect(relationPath({ spcOid: 16400, dbOid: 5, relNumber: 16401 }, 2, 3, { major: 16, catalogVersion: 202307071 })).toBe(
      'pg_tblspc/16400/PG_16_202307071/5/16401_vm.3',
    );
    expect(parseRelationFileName('16384_vm.2')).toEqual({ relNumber: 16384, fork: 2, segment: 2 });
    expect(parseRelationFileName('pg_filenode.map')).toBeNull();
  });
});

describe('detectVersion', () => {
  it('names unsupported and malformed inputs precisely', () => {
    expect(() => detectVersion(Uint8Array.of(0x16, 0xd1, 0, 0))).toThrow('belongs to PostgreSQL 17');
    expect(() => detectVersion(new Uint8Array(1))).toThrow('expected at least 2 bytes, got 1');
    const swapped = new Uint8Array(16);
    new DataView(swapped.buffer).setUint32(8, 1300, false);
    expect(() => detectVersion(swapped)).toThrow('possible byte ordering mismatch');
  });
});
