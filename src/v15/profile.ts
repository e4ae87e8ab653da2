/**
 * The PostgreSQL 15 profile: generated layouts plus hand-kept constants, the data that drives
 * the shared decoders in src/common for this major version.
 */
import type { PgVersionProfile } from '../common/profile.js';
import * as C from './constants.js';
import { LAYOUTS } from './gen/index.gen.js';

export const profile: PgVersionProfile = {
  major: 15,
  headersRelease: '15.20',
  XLOG_PAGE_MAGIC: C.XLOG_PAGE_MAGIC,
  PG_CONTROL_VERSION: C.PG_CONTROL_VERSION,
  CATALOG_VERSION_NO: C.CATALOG_VERSION_NO,
  BLCKSZ: C.BLCKSZ,
  XLOG_BLCKSZ: C.XLOG_BLCKSZ,
  bkpImage: {
    HAS_HOLE: C.BKPIMAGE_HAS_HOLE,
    APPLY: C.BKPIMAGE_APPLY,
    COMPRESS_PGLZ: C.BKPIMAGE_COMPRESS_PGLZ,
    COMPRESS_LZ4: C.BKPIMAGE_COMPRESS_LZ4,
    COMPRESS_ZSTD: C.BKPIMAGE_COMPRESS_ZSTD,
  },
  RM_MAX_BUILTIN_ID: C.RM_MAX_BUILTIN_ID,
  customRmgrs: true,
  rmgrNames: C.RMGR_NAMES,
  layouts: LAYOUTS,
};
