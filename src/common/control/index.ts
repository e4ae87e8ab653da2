/**
 * pg_control and the other non-relation files of a data directory: pg_filenode.map,
 * pg_twophase, pg_replslot state, SLRUs (pg_xact, pg_commit_ts, pg_multixact), timeline
 * history, backup_label, tablespace_map, PG_VERSION. `bindControl(profile)` gives the
 * version-bound forms that postgres-ffi/vNN exports.
 */
import type { PgVersionProfile } from '../profile.js';
import { type ControlFileInput, decodeControlFile, decodeControlFileStrict, encodeControlFile } from './control-file.js';
import { decodeRelMapFile, encodeRelMapFile, type RelMapDecodeOptions, type RelMapFileInput } from './relmapper.js';
import { decodeTwoPhaseFile, encodeTwoPhaseFile, type TwoPhaseDecodeOptions, type TwoPhaseFileInput } from './twophase.js';

export * from './control-file.js';
export * from './controldata-text.js';
export * from './relmapper.js';
export * from './replslot.js';
export * from './slru.js';
export * from './text-files.js';
export * from './twophase.js';

/** The codecs whose layout depends on the major version, bound to one profile. */
export function bindControl(profile: PgVersionProfile) {
  return {
    decodeControlFile: (bytes: Uint8Array) => decodeControlFile(bytes, profile),
    decodeControlFileStrict: (bytes: Uint8Array) => decodeControlFileStrict(bytes, profile),
    encodeControlFile: (control: ControlFileInput) => encodeControlFile(control, profile),
    decodeRelMapFile: (bytes: Uint8Array, options?: RelMapDecodeOptions) => decodeRelMapFile(bytes, profile, options),
    encodeRelMapFile: (map: RelMapFileInput) => encodeRelMapFile(map, profile),
    decodeTwoPhaseFile: (bytes: Uint8Array, options?: TwoPhaseDecodeOptions) => decodeTwoPhaseFile(bytes, profile, options),
    encodeTwoPhaseFile: (file: TwoPhaseFileInput) => encodeTwoPhaseFile(file, profile),
  };
}
