/**
 * Decoders of the control files only ever return or throw PgFormatError — never RangeError,
 * TypeError or a hang — on arbitrary bytes and on mutations (byte flips, truncation,
 * extension) of valid files. fast-check prints the seed of a failing run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeControlFile, decodeControlFileStrict, encodeControlFile } from '../../src/common/control/control-file.js';
import { formatControlData } from '../../src/common/control/controldata-text.js';
import { decodeRelMapFile, encodeRelMapFile } from '../../src/common/control/relmapper.js';
import { decodeReplicationSlot, encodeReplicationSlot } from '../../src/common/control/replslot.js';
import {
  getClogStatus,
  getCommitTsEntry,
  getMultiXactMember,
  getMultiXactOffset,
  readMultiXactMembers,
} from '../../src/common/control/slru.js';
import { decodeBackupLabel, decodePgVersionFile, decodeTablespaceMap, decodeTimeLineHistory } from '../../src/common/control/text-files.js';
import { decodeTwoPhaseFile, encodeTwoPhaseFile } from '../../src/common/control/twophase.js';
import { isPgFormatError } from '../../src/common/core/errors.js';

function onlyPgFormatErrors(fn: () => unknown): boolean {
  try {
    fn();
  } catch (e) {
    if (!isPgFormatError(e)) throw e;
  }
  return true;
}

const control = encodeControlFile({
  ...decodeControlFile(new Uint8Array(8192)),
  pg_control_version: 1300,
  catalog_version_no: 202307071,
  xlog_seg_size: 16 << 20,
});
const relmap = encodeRelMapFile({ mappings: [{ mapoid: 1262, mapfilenumber: 1262 }] }, { major: 16 });
const slot = encodeReplicationSlot({
  slotdata: {
    name: 's',
    database: 5,
    persistency: 0,
    xmin: 0,
    catalog_xmin: 700,
    restart_lsn: 1n,
    invalidated: 0,
    confirmed_flush: 2n,
    two_phase_at: 0n,
    two_phase: true,
    plugin: 'pgoutput',
  },
});
const twophase = encodeTwoPhaseFile(
  {
    xid: 1000,
    database: 5,
    prepared_at: 1n,
    owner: 10,
    initfileinval: true,
    origin_lsn: 0n,
    origin_timestamp: 0n,
    gid: 'g',
    subxacts: [1001, 1002],
    commitRels: [],
    abortRels: [{ spcOid: 1663, dbOid: 5, relNumber: 16384 }],
    commitStats: [{ kind: 1, dboid: 5, objoid: 16384 }],
    abortStats: [],
    invalMsgs: [new Uint8Array(16)],
    records: [{ rmid: 1, info: 0, data: new Uint8Array([1, 2, 3]) }],
  },
  { major: 16 },
);

const mutated = (base: Uint8Array) =>
  fc
    .tuple(
      fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.integer({ min: -64, max: 64 }),
    )
    .map(([flips, resize]) => {
      const b = new Uint8Array(Math.max(0, base.length + resize));
      b.set(base.subarray(0, Math.min(base.length, b.length)));
      for (const [at, v] of flips) if (at < b.length) b[at] = v;
      return b;
    });

const decoders: [string, Uint8Array, (b: Uint8Array) => unknown][] = [
  ['pg_control', control, (b) => formatControlData(decodeControlFile(b), 'UTC')],
  ['pg_control strict', control, (b) => decodeControlFileStrict(b)],
  ['pg_filenode.map 16', relmap, (b) => decodeRelMapFile(b, { major: 16 })],
  ['pg_filenode.map any', relmap, (b) => decodeRelMapFile(b)],
  ['slot state', slot, (b) => decodeReplicationSlot(b)],
  ['two-phase 16', twophase, (b) => decodeTwoPhaseFile(b, { major: 16 })],
  ['two-phase 14', twophase, (b) => decodeTwoPhaseFile(b, { major: 14 })],
  [
    'text files',
    new TextEncoder().encode('1\t0/1\tr\n'),
    (b) => [decodeTimeLineHistory(b), decodeBackupLabel(b), decodeTablespaceMap(b), decodePgVersionFile(b)],
  ],
];

describe('control decoders on hostile input', () => {
  for (const [name, base, decode] of decoders) {
    it(`${name}: arbitrary bytes and mutations of a valid file`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 1200 }), (b) => onlyPgFormatErrors(() => decode(b))),
        { numRuns: 300 },
      );
      fc.assert(
        fc.property(mutated(base), (b) => onlyPgFormatErrors(() => decode(b))),
        { numRuns: 500 },
      );
    });
  }

  it('SLRU accessors: any segment bytes, any argument', () => {
    const anyArg = fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 32), fc.constant(-1));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 9000 }), anyArg, (seg, x) =>
        onlyPgFormatErrors(() => {
          for (const f of [getClogStatus, getCommitTsEntry, getMultiXactOffset, getMultiXactMember]) onlyPgFormatErrors(() => f(seg, x));
          readMultiXactMembers(
            () => seg,
            () => seg,
            x,
            { nextMulti: 5, nextMultiOffset: 9 },
          );
        }),
      ),
      { numRuns: 500 },
    );
  });

  it('valid samples decode', () => {
    expect(decodeTwoPhaseFile(twophase, { major: 16 }).subxacts).toEqual([1001, 1002]);
    expect(decodeReplicationSlot(slot).slotdata.plugin).toBe('pgoutput');
    expect(decodeRelMapFile(relmap).mappings).toEqual([{ mapoid: 1262, mapfilenumber: 1262 }]);
  });
});
