/**
 * An optional accelerator for the few byte-crunching kernels (CRC-32C, the page checksum, a
 * batch page scan). The pure-TS functions are the reference and always present; a runtime that
 * has something faster (the napi-rs module under Node, see src/node/native.ts) installs it here
 * once, and the kernels consult it. The core itself never loads anything.
 */

export interface PageChecksumMismatch {
  /** Absolute block number. */
  block: number;
  stored: number;
  computed: number;
}

export interface Accelerator {
  /** Short name for diagnostics (`native (crc: avx512-vpclmulqdq, checksum: avx2)`). */
  readonly name: string;
  /** Finalized CRC-32C of `bytes`, continuing from a previous finalized value. */
  crc32c(bytes: Uint8Array, previous: number): number;
  /** pg_checksum_page of one 8192-byte page. */
  pageChecksum(page: Uint8Array, blockNumber: number): number;
  /** Every non-new full page of `buffer` whose stored checksum differs from the computed one. */
  scanPages(buffer: Uint8Array, firstBlockNumber: number): PageChecksumMismatch[];
  /**
   * Optional batch check of WAL records (XLogRecord, access/xlogrecord.h): record k is
   * `buffer[offsets[k], offsets[k] + lengths[k])`; its CRC-32C over [24, len) then [0, 20) is
   * compared with xl_crc (u32 LE at 20). Returns the ascending indices k that mismatch.
   */
  verifyRecordCrcs?(buffer: Uint8Array, offsets: Uint32Array, lengths: Uint32Array): Uint32Array;
}

let installed: Accelerator | null = null;

/** Installs (or, with null, removes) the accelerator. Results must equal the pure-TS kernels'. */
export function installAccelerator(accelerator: Accelerator | null): void {
  installed = accelerator;
}

export function activeAccelerator(): Accelerator | null {
  return installed;
}
