/**
 * The one error family of postgres-ffi. Every decoder either returns a value or throws a
 * PgFormatError that names where (byte offset and/or LSN) and why, worded like PostgreSQL's
 * own tools where such wording exists.
 */
import { formatLsn, type Lsn } from './lsn.js';

export type PgFormatErrorCode =
  | 'TRUNCATED' // fewer bytes than the structure needs
  | 'BAD_MAGIC' // XLOG_PAGE_MAGIC, pg_control version, page layout version
  | 'BAD_VERSION' // a major version we do not support
  | 'CRC_MISMATCH' // CRC-32C of a record, pg_control, relmapper, ...
  | 'CHECKSUM_MISMATCH' // data page checksum
  | 'BAD_LENGTH' // a length field out of range
  | 'BAD_HEADER' // a header field with an impossible value (info bits, pageaddr, ...)
  | 'BAD_RECORD' // a WAL record that does not decode (block ids, rmid, prev-link, ...)
  | 'BAD_IMAGE' // a full-page image that cannot be restored
  | 'BAD_PAGE' // a data page whose header or items are inconsistent
  | 'BAD_ARGUMENT' // a caller error (an LSN string that does not parse, ...)
  | 'UNSUPPORTED'; // valid on disk but not supported by this build

export interface PgFormatErrorDetails {
  /** Byte offset into the input the decoder was given. */
  offset?: number;
  /** WAL position the problem belongs to. */
  lsn?: Lsn;
  /** Absolute block number, for page-level problems. */
  block?: number;
}

export class PgFormatError extends Error {
  override readonly name = 'PgFormatError';
  readonly code: PgFormatErrorCode;
  readonly offset: number | undefined;
  readonly lsn: Lsn | undefined;
  readonly block: number | undefined;

  constructor(code: PgFormatErrorCode, message: string, details: PgFormatErrorDetails = {}) {
    super(message);
    this.code = code;
    this.offset = details.offset;
    this.lsn = details.lsn;
    this.block = details.block;
  }

  /** "message (at LSN 0/16B3748, offset 40)" — for logs; `message` alone is PostgreSQL's wording. */
  describe(): string {
    const where: string[] = [];
    if (this.lsn !== undefined) where.push(`LSN ${formatLsn(this.lsn)}`);
    if (this.block !== undefined) where.push(`block ${this.block}`);
    if (this.offset !== undefined) where.push(`offset ${this.offset}`);
    return where.length > 0 ? `${this.message} (at ${where.join(', ')})` : this.message;
  }
}

export function isPgFormatError(value: unknown): value is PgFormatError {
  return value instanceof PgFormatError;
}

/** "expected N bytes at offset O, got M" — the standard truncation error. */
export function truncated(what: string, offset: number, wanted: number, available: number): PgFormatError {
  return new PgFormatError('TRUNCATED', `${what}: expected ${wanted} bytes at offset ${offset}, got ${Math.max(0, available)}`, { offset });
}

export function hex(value: number | bigint, width = 8): string {
  return value.toString(16).toUpperCase().padStart(width, '0');
}
