/**
 * A PgVersionProfile is everything version-specific that the shared decoders in common/ need:
 * generated layouts, hand-kept constants, and a few small tables of per-version variants. Each
 * src/vNN/index.ts builds one; common/ code takes it as a parameter and never imports a
 * version folder (version dispatch lives in src/index.ts only).
 */
import type { PgMajor } from './core/version.js';
import type { StructLayout } from './layout.js';

export interface BkpImageBits {
  HAS_HOLE: number;
  APPLY: number;
  /** v14: BKPIMAGE_IS_COMPRESSED (pglz); v15+: BKPIMAGE_COMPRESS_PGLZ. */
  COMPRESS_PGLZ: number;
  /** 0 where the version has no such method (v14). */
  COMPRESS_LZ4: number;
  /** 0 where the version has no such method (v14). */
  COMPRESS_ZSTD: number;
}

export interface PgVersionProfile {
  readonly major: PgMajor;
  /** Release the generated layouts were read from, e.g. "16.15". */
  readonly headersRelease: string;
  readonly XLOG_PAGE_MAGIC: number;
  readonly PG_CONTROL_VERSION: number;
  readonly CATALOG_VERSION_NO: number;
  readonly BLCKSZ: number;
  readonly XLOG_BLCKSZ: number;
  readonly bkpImage: Readonly<BkpImageBits>;
  /** Highest builtin rmgr id (RM_MAX_BUILTIN_ID). */
  readonly RM_MAX_BUILTIN_ID: number;
  /** Custom rmgr ids RM_MIN_CUSTOM_ID..RM_MAX_CUSTOM_ID are accepted (v15+). */
  readonly customRmgrs: boolean;
  /** Builtin rmgr names by id, as pg_waldump prints them ("XLOG", "Transaction", ...). */
  readonly rmgrNames: readonly string[];
  /** Generated layouts by C struct name. */
  readonly layouts: Readonly<Record<string, StructLayout>>;
}
