/**
 * The public surface: 'postgres-ffi' exports the control codecs with an optional profile,
 * 'postgres-ffi/vNN' exports them bound to that version (relmap size, 2PC header, strict
 * catalog version check).
 */
import { describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';
import * as v14 from '../../src/v14/index.js';
import * as v15 from '../../src/v15/index.js';
import * as v16 from '../../src/v16/index.js';

describe('exports', () => {
  it('root and version entry points expose the control codecs', () => {
    for (const m of [root, v14, v15, v16]) {
      expect(typeof m.decodeControlFile).toBe('function');
      expect(typeof m.encodeControlFile).toBe('function');
      expect(typeof m.decodeRelMapFile).toBe('function');
      expect(typeof m.decodeTwoPhaseFile).toBe('function');
      expect(typeof m.decodeReplicationSlot).toBe('function');
      expect(typeof m.getClogStatus).toBe('function');
      expect(typeof m.decodeTimeLineHistory).toBe('function');
      expect(typeof m.formatControlData).toBe('function');
    }
  });

  it('version-bound codecs use their version', () => {
    const map = [{ mapoid: 1262, mapfilenumber: 1262 }];
    expect(v14.encodeRelMapFile({ mappings: map }).length).toBe(512);
    expect(v15.encodeRelMapFile({ mappings: map }).length).toBe(512);
    expect(v16.encodeRelMapFile({ mappings: map }).length).toBe(524);
    expect(v16.decodeRelMapFile(v16.encodeRelMapFile({ mappings: map })).mappings).toEqual(map);
    expect(() => v15.decodeRelMapFile(v16.encodeRelMapFile({ mappings: map }))).toThrow('contains incorrect checksum');
    const tp = {
      xid: 1000,
      database: 5,
      prepared_at: 1n,
      owner: 10,
      initfileinval: false,
      origin_lsn: 0n,
      origin_timestamp: 0n,
      gid: 'g',
      subxacts: [1001],
      commitRels: [],
      abortRels: [{ spcOid: 1663, dbOid: 5, relNumber: 16384 }],
      commitStats: [],
      abortStats: [],
      invalMsgs: [],
      records: [{ rmid: 1, info: 0, data: new Uint8Array([1, 2, 3]) }],
    };
    const b14 = v14.encodeTwoPhaseFile(tp);
    const b16 = v16.encodeTwoPhaseFile(tp);
    expect(b16.length - b14.length).toBe(8);
    expect(v14.decodeTwoPhaseFile(b14)).toMatchObject({ ...tp, crcOk: true, total_len: b14.length });
    expect(v16.decodeTwoPhaseFile(b16)).toMatchObject({ ...tp, crcOk: true, total_len: b16.length });
  });

  it('strict pg_control decoding checks the catalog version of the bound version', () => {
    const control = root.decodeControlFile(
      root.encodeControlFile({
        ...root.decodeControlFile(new Uint8Array(8192), undefined),
        pg_control_version: 1300,
        catalog_version_no: 202209061,
        xlog_seg_size: 16 * 1024 * 1024,
      }),
    );
    expect(control.major).toBe(15);
    const bytes = root.encodeControlFile(control);
    expect(v15.decodeControlFileStrict(bytes).crcOk).toBe(true);
    expect(() => v16.decodeControlFileStrict(bytes)).toThrow(
      'database files are incompatible with server: The database cluster was initialized with CATALOG_VERSION_NO 202209061, but the server was compiled with CATALOG_VERSION_NO 202307071.',
    );
  });
});
