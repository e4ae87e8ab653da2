/**
 * postgres-ffi — the version-independent API: LSNs, WAL file names, CRC-32C, errors, version
 * detection and dispatch (`openWal`, `profileFor`), the WAL decoder and encoder, resource
 * manager descriptions, pages and checksums, pg_control and the other data-directory files.
 * Functions that depend on the major version take its profile (`profileFor(16)`), or detect it
 * from the bytes. Version-bound entry points: 'postgres-ffi/v14', '/v15', '/v16'.
 */
export * from './common/control/index.js';
export * from './common/core/accelerator.js';
export * from './common/core/byte-reader.js';
export * from './common/core/byte-writer.js';
export * from './common/core/crc32c.js';
export * from './common/core/errors.js';
export * from './common/core/lsn.js';
export * from './common/core/relation-path.js';
export * from './common/core/version.js';
export * from './common/core/wal-file-names.js';
export type { FieldLayout, StructLayout } from './common/layout.js';
export * from './common/page/index.js';
export type { PgVersionProfile } from './common/profile.js';
export * from './common/rmgr/index.js';
export * from './common/wal/index.js';
export * from './common/wal-encode/index.js';
export * from './dispatch.js';
