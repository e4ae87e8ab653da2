/**
 * Version dispatch — the one place that picks a version folder: the profile of a major
 * version, the profile of the PostgreSQL that wrote a WAL page (XLOG_PAGE_MAGIC) or a
 * pg_control file, and `openWal`, which decodes WAL whatever version wrote it.
 */
import { PgFormatError } from './common/core/errors.js';
import { detectVersion, type PgMajor } from './common/core/version.js';
import type { PgVersionProfile } from './common/profile.js';
import { type WalDecoderOptions, type WalSource, WalSourceReader, WalStreamDecoder } from './common/wal/index.js';
import { profile as profile14 } from './v14/profile.js';
import { profile as profile15 } from './v15/profile.js';
import { profile as profile16 } from './v16/profile.js';

const PROFILES: Readonly<Record<PgMajor, PgVersionProfile>> = { 14: profile14, 15: profile15, 16: profile16 };

/** The profile of a supported major version. */
export function profileFor(major: PgMajor): PgVersionProfile {
  return PROFILES[major];
}

/** The profile of the PostgreSQL version that wrote these bytes (a WAL page or pg_control). */
export function profileOf(bytes: Uint8Array): PgVersionProfile {
  return PROFILES[detectVersion(bytes).major];
}

/** The profile of the PostgreSQL version that wrote this WAL page (XLOG_PAGE_MAGIC). */
export function walProfileOf(firstPage: Uint8Array): PgVersionProfile {
  const detected = detectVersion(firstPage);
  if (detected.kind !== 'wal') {
    throw new PgFormatError('BAD_MAGIC', `not a WAL page: this looks like a pg_control file of PostgreSQL ${detected.major}`, {
      offset: 0,
    });
  }
  return PROFILES[detected.major];
}

/**
 * Opens WAL whatever version wrote it (detected from the first page's XLOG_PAGE_MAGIC).
 * Bytes (a segment, or consecutive pages starting at a page boundary) give a decoder that is
 * already fed and ended — iterate it; a source (async iterable / ReadableStream of chunks)
 * gives an async iterable reader.
 */
export function openWal(input: Uint8Array, options?: WalDecoderOptions): WalStreamDecoder;
export function openWal(input: WalSource, options?: WalDecoderOptions): WalSourceReader;
export function openWal(input: Uint8Array | WalSource, options: WalDecoderOptions = {}): WalStreamDecoder | WalSourceReader {
  if (input instanceof Uint8Array) {
    const decoder = new WalStreamDecoder(walProfileOf(input), options);
    decoder.push(input);
    decoder.end();
    return decoder;
  }
  return new WalSourceReader(input, walProfileOf, options);
}
