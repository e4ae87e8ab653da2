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
   * Optional: walks the whole WAL pages `buffer[firstPage + k * 8192, … + 8192)`, k < pageCount,
   * as a reader finds records in them (after the page header and any continuation given by
   * xlp_rem_len, then by xl_tot_len, MAXALIGNed, while a record lies wholly in the page;
   * stopping after XLOG_SWITCH), and checks each record's CRC-32C (over [24, len) then [0, 20),
   * against xl_crc). Returns pairs: offset in `buffer`, then xl_tot_len with bit 31
   * (SCAN_BAD_CRC) set on a mismatch. The walk validates nothing else: a caller takes a verdict
   * only for a record it found itself at the same offset with the same length.
   */
  scanRecordCrcs?(buffer: Uint8Array, firstPage: number, pageCount: number): Uint32Array;
}

/** The flag scanRecordCrcs sets on the length of a record whose CRC does not match. */
export const SCAN_BAD_CRC = 0x8000_0000;

let installed: Accelerator | null = null;

/** Installs (or, with null, removes) the accelerator. Results must equal the pure-TS kernels'. */
export function installAccelerator(accelerator: Accelerator | null): void {
  installed = accelerator;
}

export function activeAccelerator(): Accelerator | null {
  return installed;
}
