/**
 * postgres-ffi/v14 — the API bound to PostgreSQL 14: its profile, constants and layouts, and
 * the shared decoders/encoders applied to them.
 */

export * from '../common/wal/index.js';
export * as constants from './constants.js';
export * as layouts from './gen/index.gen.js';
export { profile } from './profile.js';
