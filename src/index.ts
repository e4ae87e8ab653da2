/**
 * postgres-ffi — version-independent API: LSNs, WAL file names, CRC-32C, errors and version
 * detection. Version-bound APIs live in 'postgres-ffi/v14', '/v15', '/v16'.
 */
export * from './common/core/byte-reader.js';
export * from './common/core/byte-writer.js';
export * from './common/core/crc32c.js';
export * from './common/core/errors.js';
export * from './common/core/lsn.js';
export * from './common/core/relation-path.js';
export * from './common/core/version.js';
export * from './common/core/wal-file-names.js';
