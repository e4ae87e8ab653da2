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

// WAL: version dispatch (the one place that picks a version folder) and openWal.
export {
  type BlockImage,
  type BlockReference,
  type DecodedRecord,
  decodeWalStream,
  detachRecord,
  type EndOfWal,
  type FirstRecordSkip,
  type ImageCompression,
  restoreFullPageImage,
  type WalDecoderOptions,
  type WalSource,
  WalSourceReader,
  WalStreamDecoder,
} from './common/wal/index.js';

import { PgFormatError as WalPgFormatError } from './common/core/errors.js';
import { detectVersion as detectWalVersion, type PgMajor as WalPgMajor } from './common/core/version.js';
import type { PgVersionProfile } from './common/profile.js';
import {
  type WalDecoderOptions as OpenWalOptions,
  type WalSource as OpenWalSource,
  WalSourceReader as OpenWalSourceReader,
  WalStreamDecoder as OpenWalStreamDecoder,
} from './common/wal/index.js';
import { profile as profile14 } from './v14/profile.js';
import { profile as profile15 } from './v15/profile.js';
import { profile as profile16 } from './v16/profile.js';

/** The profile of a supported major version. */
export function profileFor(major: WalPgMajor): PgVersionProfile {
  return major === 14 ? profile14 : major === 15 ? profile15 : profile16;
}

/** The profile of the PostgreSQL version that wrote this WAL page (XLOG_PAGE_MAGIC). */
export function walProfileOf(firstPage: Uint8Array): PgVersionProfile {
  const detected = detectWalVersion(firstPage);
  if (detected.kind !== 'wal') {
    throw new WalPgFormatError('BAD_MAGIC', `not a WAL page: this looks like a pg_control file of PostgreSQL ${detected.major}`, {
      offset: 0,
    });
  }
  return profileFor(detected.major);
}

/**
 * Opens WAL whatever version wrote it (detected from the first page's XLOG_PAGE_MAGIC).
 * Bytes (a segment, or consecutive pages starting at a page boundary) give a decoder that is
 * already fed and ended — iterate it; a source (async iterable / ReadableStream of chunks)
 * gives an async iterable reader.
 */
export function openWal(input: Uint8Array, options?: OpenWalOptions): OpenWalStreamDecoder;
export function openWal(input: OpenWalSource, options?: OpenWalOptions): OpenWalSourceReader;
export function openWal(input: Uint8Array | OpenWalSource, options: OpenWalOptions = {}): OpenWalStreamDecoder | OpenWalSourceReader {
  if (input instanceof Uint8Array) {
    const decoder = new OpenWalStreamDecoder(walProfileOf(input), options);
    decoder.push(input);
    decoder.end();
    return decoder;
  }
  return new OpenWalSourceReader(input, walProfileOf, options);
}

// pg_control and the other non-relation files of a data directory (version from the file, or a profile argument).
export * from './common/control/index.js';

// Relation data pages: header, line pointers, heap and index AM pages, FSM/VM, the page checksum.
export * from './common/page/index.js';
