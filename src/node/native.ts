/**
 * Loads the optional napi-rs module (native/, package @postgres-ffi/native) once and installs
 * it as the core's accelerator. POSTGRES_FFI_NATIVE=0 forces pure TypeScript; =1 requires the
 * native module and fails clearly when it cannot be loaded; unset means "use it if present".
 */
import { createRequire } from 'node:module';
import { installAccelerator, type PageChecksumMismatch } from '../common/core/accelerator.js';

interface NativeBinding {
  crc32c(bytes: Uint8Array, seed?: number | null): number;
  crc32cAsync(bytes: Uint8Array, seed?: number | null): Promise<number>;
  pageChecksum(page: Uint8Array, blockNumber: number): number;
  scanPages(buffer: Uint8Array, firstBlockNumber: number): PageChecksumMismatch[];
  scanPagesAsync(buffer: Uint8Array, firstBlockNumber: number): Promise<PageChecksumMismatch[]>;
  nativeInfo(): { pageChecksumKernel: string; crc32cKernel: string };
  verifyRecordCrcs?(buffer: Uint8Array, offsets: Uint32Array, lengths: Uint32Array): Uint32Array;
  scanRecordCrcs?(buffer: Uint8Array, firstPage: number, pageCount: number): Uint32Array;
  readWalFileAsync?(path: string, buffer: Uint8Array, offset: number, length: number): Promise<{ bytesRead: number; crcScan: Uint32Array }>;
  scanWalStats?(options: WalStatsScanOptions): WalStatsScanResult;
}

/** scanWalStats (native/src/walstats.rs): pg_waldump --stats counters read from segment files. */
export interface WalStatsScanOptions {
  paths: string[];
  firstSegno: number;
  segmentSize: number;
  prevLsn: number;
  nextLsn: number;
  endLsn: number;
  pageMagic: number;
  timeline: number;
  maxBuiltinRmid: number;
  allowedPageFlags: number;
  bkpHasHole: number;
  bkpCompressMask: number;
  threads: number;
}

export interface WalStatsScanResult {
  records: number;
  lastLsn: number;
  nextLsn: number;
  stop: 'end-lsn' | 'invalid' | 'io' | 'files';
  counts: Float64Array;
}

const require = createRequire(import.meta.url);

/** Where the binding may be: the repository's native/ folder (dev, CI) or the published package. */
const CANDIDATES = ['../../native/index.js', '@postgres-ffi/native'];

function load(): { binding: NativeBinding | null; error: string | null } {
  const mode = process.env.POSTGRES_FFI_NATIVE;
  if (mode === '0') return { binding: null, error: 'disabled by POSTGRES_FFI_NATIVE=0' };
  const errors: string[] = [];
  for (const candidate of CANDIDATES) {
    try {
      return { binding: require(candidate) as NativeBinding, error: null };
    } catch (e) {
      errors.push(`${candidate}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  const error = `native module not loadable (${errors.join('; ')})`;
  if (mode === '1') throw new Error(`POSTGRES_FFI_NATIVE=1 but the ${error}`);
  return { binding: null, error };
}

const loaded = load();

/** The loaded binding, or null when running pure TypeScript. */
export const nativeBinding: NativeBinding | null = loaded.binding;

/** Why the native module is not active (null when it is). */
export const nativeUnavailableReason: string | null = loaded.error;

export function nativeActive(): boolean {
  return nativeBinding !== null;
}

/** "native (crc32c: …, checksum: …)" or "pure TypeScript (reason)". */
export function backendDescription(): string {
  if (nativeBinding === null) return `pure TypeScript (${nativeUnavailableReason})`;
  const info = nativeBinding.nativeInfo();
  return `native (crc32c: ${info.crc32cKernel}, page checksum: ${info.pageChecksumKernel})`;
}

if (nativeBinding !== null) {
  const b = nativeBinding;
  installAccelerator({
    name: backendDescription(),
    crc32c: (bytes, previous) => b.crc32c(bytes, previous),
    pageChecksum: (page, blockNumber) => b.pageChecksum(page, blockNumber),
    scanPages: (buffer, firstBlockNumber) => b.scanPages(buffer, firstBlockNumber),
    ...(typeof b.scanRecordCrcs === 'function'
      ? { scanRecordCrcs: b.scanRecordCrcs.bind(b) as NonNullable<NativeBinding['scanRecordCrcs']> }
      : {}),
  });
}
