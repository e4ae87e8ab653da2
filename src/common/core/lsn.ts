/**
 * XLogRecPtr (access/xlogdefs.h): a 64-bit byte position in the WAL stream, printed by
 * PostgreSQL as two hex halves "%X/%X" (pg_lsn output) or "%X/%08X" (pg_waldump).
 */
import { PgFormatError } from './errors.js';

export type Lsn = bigint;

export const InvalidXLogRecPtr: Lsn = 0n;
const MAX_LSN = 0xffff_ffff_ffff_ffffn;

/** As pg_lsn prints it: `0/16B3748`. */
export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffff_ffffn).toString(16).toUpperCase()}`;
}

/** As pg_waldump prints it: `0/016B3748` (low half zero-padded to 8 digits). */
export function formatLsnPadded(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffff_ffffn).toString(16).toUpperCase().padStart(8, '0')}`;
}

const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** Parses "X/X" like pg_lsn_in / pg_waldump's -s and -e. */
export function parseLsn(text: string): Lsn {
  const match = LSN_TEXT.exec(text.trim());
  if (match === null) {
    throw new PgFormatError('BAD_ARGUMENT', `invalid input syntax for type pg_lsn: "${text}"`);
  }
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** Builds an LSN from the two u32 halves stored by data pages (pd_lsn: xlogid, xrecoff). */
export function lsnFromHalves(hi: number, lo: number): Lsn {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export function isValidLsn(lsn: Lsn): boolean {
  return lsn > 0n && lsn <= MAX_LSN;
}
