/**
 * Non-relation files of a data directory: pg_control (catalog/pg_control.h ControlFileData,
 * decoded, printed like pg_controldata, as JSON), pg_filenode.map (utils/relmapper.c),
 * replication slot state (replication/slot.c ReplicationSlotOnDisk), two-phase state files
 * (access/transam/twophase.c), SLRU pages (pg_xact, pg_commit_ts, pg_multixact) and the text
 * files (PG_VERSION, timeline history, backup_label, tablespace_map). Mutations rewrite bytes
 * and, half of the time, fix the CRC afterwards so the decoders' field checks are reached.
 */
import { controlFileCrc, decodeControlFile, decodeControlFileStrict } from '../../src/common/control/control-file.js';
import {
  controlDataJson,
  controlDataStderrWarnings,
  formatControlData,
  redoWalFileName,
} from '../../src/common/control/controldata-text.js';
import { decodeRelMapFile } from '../../src/common/control/relmapper.js';
import { decodeReplicationSlot } from '../../src/common/control/replslot.js';
import {
  getClogStatus,
  getCommitTsEntry,
  getMultiXactMember,
  getMultiXactOffset,
  readMultiXactMembers,
} from '../../src/common/control/slru.js';
import { decodeBackupLabel, decodePgVersionFile, decodeTablespaceMap, decodeTimeLineHistory } from '../../src/common/control/text-files.js';
import { decodeTwoPhaseFile } from '../../src/common/control/twophase.js';
import { isPgFormatError } from '../../src/common/core/errors.js';
import { profileFor } from '../../src/index.js';
import { INTERESTING_U32, mutateField, mutateGeneric, writeU32 } from '../mutate.js';
import type { Corpus, CorpusEntry, FuzzTarget } from '../target.js';

const enc = new TextEncoder();

/** Text files in the formats the server writes (no real server writes these in the corpus run). */
const TEXT_SEEDS: { name: string; text: string }[] = [
  { name: 'history', text: '1\t0/3000158\tno recovery target specified\n\n2\t0/5000000\tbefore 2024-01-01 00:00:00+00\n' },
  {
    name: 'backup_label',
    text: 'START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\nCHECKPOINT LOCATION: 0/2000060\nBACKUP METHOD: streamed\nBACKUP FROM: primary\nSTART TIME: 2024-01-01 00:00:00 UTC\nLABEL: fuzz\nSTART TIMELINE: 1\n',
  },
  { name: 'tablespace_map', text: '16384 /srv/tblspc/one\n16385 /srv/tblspc/with\\ space\\\\x\n' },
  { name: 'PG_VERSION', text: '16\n' },
];

function fileSeeds(corpus: Corpus): (Pick<CorpusEntry, 'kind' | 'major' | 'bytes' | 'slru'> & { text?: string })[] {
  return corpus.derived('control-seeds', () => [
    ...corpus.entries.filter((e) => e.kind !== 'wal' && e.kind !== 'page'),
    ...TEXT_SEEDS.flatMap((t) =>
      [14, 15, 16].map((major) => ({
        kind: 'text' as const,
        major: major as 14 | 15 | 16,
        bytes: enc.encode(t.text),
        text: t.name,
      })),
    ),
  ]);
}

function fixCrc(kind: string, b: Uint8Array): void {
  if (kind === 'control' && b.length >= 296) writeU32(b, 288, controlFileCrc(b));
}

function attempt(f: () => unknown): void {
  try {
    const v = f();
    JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  } catch (e) {
    if (!isPgFormatError(e)) throw e;
  }
}

export const controlTarget: FuzzTarget = {
  name: 'control',
  description:
    'pg_control (+ pg_controldata text/JSON), pg_filenode.map, slot state, two-phase files, SLRU pages, text files on mutated bytes',
  generate(rng, corpus) {
    const seeds = fileSeeds(corpus);
    const seed = rng.pick(seeds);
    let bytes: Uint8Array;
    if (rng.chance(0.4)) {
      bytes = seed.bytes.slice();
      const words = Math.max(1, Math.floor(Math.min(bytes.length, 512) / 4));
      for (let n = rng.small(4); n > 0; n--) mutateField(bytes, { off: rng.int(words) * 4, size: 4, hints: INTERESTING_U32 }, rng);
    } else {
      bytes = mutateGeneric(seed.bytes, rng, () => rng.pick(seeds).bytes);
    }
    const fix = rng.chance(0.6);
    if (fix) fixCrc(seed.kind, bytes);
    const what = seed.kind === 'slru' ? `slru:${seed.slru}` : seed.kind === 'text' ? `text:${seed.text ?? 'PG_VERSION'}` : seed.kind;
    return {
      bytes,
      major: seed.major,
      params: { what, verifyCrc: rng.chance(0.3), xid: rng.chance(0.7) ? rng.int(32768) : rng.u32(), withProfile: rng.chance(0.7) },
    };
  },
  run(input) {
    const b = input.bytes;
    const what = String(input.params.what);
    const profile = profileFor(input.major);
    const verifyCrc = input.params.verifyCrc === true;
    const xid = Number(input.params.xid ?? 0);
    const withProfile = input.params.withProfile !== false;
    switch (what) {
      case 'control':
        attempt(() => {
          const c = decodeControlFile(b, withProfile ? profile : undefined);
          return [formatControlData(c, 'UTC'), controlDataJson(c), controlDataStderrWarnings(c), redoWalFileName(c)];
        });
        attempt(() => decodeControlFileStrict(b, withProfile ? profile : undefined));
        break;
      case 'relmap':
        attempt(() => decodeRelMapFile(b, withProfile ? profile : undefined, { verifyCrc }));
        break;
      case 'replslot':
        attempt(() => decodeReplicationSlot(b, { verifyCrc }));
        break;
      case 'twophase':
        attempt(() => decodeTwoPhaseFile(b, profile, { verifyCrc }));
        break;
      case 'slru:xact':
        attempt(() => getClogStatus(b, xid));
        break;
      case 'slru:commit_ts':
        attempt(() => getCommitTsEntry(b, xid));
        break;
      case 'slru:multixact_offsets':
      case 'slru:multixact_members':
        attempt(() => getMultiXactOffset(b, xid));
        attempt(() => getMultiXactMember(b, xid));
        attempt(() =>
          readMultiXactMembers(
            () => b,
            () => b,
            Math.max(1, xid % 2048),
            { nextMulti: (xid % 2048) + 2, nextMultiOffset: (xid % 4096) + 3 },
          ),
        );
        break;
      default:
        attempt(() => decodePgVersionFile(b));
        attempt(() => decodeTimeLineHistory(b, xid % 5));
        attempt(() => decodeTimeLineHistory(b));
        attempt(() => decodeBackupLabel(b));
        attempt(() => decodeTablespaceMap(b));
    }
  },
};
