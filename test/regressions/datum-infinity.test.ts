/**
 * Valid on-disk values that a JavaScript Date cannot hold: PostgreSQL stores timestamp(tz)
 * 'infinity'/'-infinity' as INT64_MAX/INT64_MIN and date 'infinity' as INT32_MAX (datatype/
 * timestamp.h DT_NOEND/DT_NOBEGIN, DATEVAL_NOEND). decodeDatum must return a value or throw a
 * PgFormatError, never a RangeError (fuzz case page-01818fa852; fixed: they decode to
 * 'infinity' / '-infinity' as PostgreSQL prints them).
 */
import { describe, expect, it } from 'vitest';
import { isPgFormatError } from '../../src/common/core/errors.js';
import { decodeDatum } from '../../src/common/page/tuple-data.js';

function int64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, v, true);
  return b;
}

function int32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

function keepsContract(bytes: Uint8Array, typname: string): void {
  try {
    decodeDatum(bytes, typname);
  } catch (e) {
    expect(isPgFormatError(e), String(e)).toBe(true);
  }
}

describe('decodeDatum on infinite timestamps and dates', () => {
  it('prints infinity like PostgreSQL', () => {
    expect(decodeDatum(int64(0x7fffffffffffffffn), 'timestamptz')).toBe('infinity');
    expect(decodeDatum(int64(-0x8000000000000000n), 'timestamp')).toBe('-infinity');
    expect(decodeDatum(int32(0x7fffffff), 'date')).toBe('infinity');
    expect(decodeDatum(int32(-0x80000000), 'date')).toBe('-infinity');
  });
  it('timestamptz infinity (INT64_MAX)', () => keepsContract(int64(0x7fffffffffffffffn), 'timestamptz'));
  it('timestamp -infinity (INT64_MIN)', () => keepsContract(int64(-0x8000000000000000n), 'timestamp'));
  it('date infinity (INT32_MAX)', () => keepsContract(int32(0x7fffffff), 'date'));
  it('an ordinary timestamptz decodes', () => {
    expect(typeof decodeDatum(int64(0n), 'timestamptz')).toBe('string');
  });
});
