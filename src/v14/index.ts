/**
 * postgres-ffi/v14 — the API bound to PostgreSQL 14: its profile, constants and layouts, and
 * the shared decoders/encoders applied to them.
 */

export * from '../common/rmgr/index.js';
export * from '../common/wal/index.js';
export * from '../common/wal-encode/index.js';
export * as constants from './constants.js';
export * as layouts from './gen/index.gen.js';
export { profile } from './profile.js';

// pg_control and the other non-relation files of a data directory, bound to this version.
import { bindControl } from '../common/control/index.js';
import { profile as controlProfile } from './profile.js';

export * from '../common/control/index.js';
export const {
  decodeControlFile,
  decodeControlFileStrict,
  encodeControlFile,
  decodeRelMapFile,
  encodeRelMapFile,
  decodeTwoPhaseFile,
  encodeTwoPhaseFile,
} = bindControl(controlProfile);

// Relation data pages (their formats are the same in 14–16).
export * from '../common/page/index.js';
