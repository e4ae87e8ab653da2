/**
 * postgres-ffi/node — file-system adapters (WAL files and directories, relation files, data
 * directory files, crash-safe writers, the WAL writer and reset-style WAL generation) and the
 * native accelerator loader. Importing this module installs the native module when present.
 */
export * from './atomic-write.js';
export * from './data-dir-files.js';
export * from './file-lock.js';
export * from './native.js';
export * from './relation-checksum.js';
export * from './relation-files.js';
export * from './reset-wal.js';
export * from './wal-files.js';
export * from './wal-writer.js';
