/**
 * PostgreSQL 16 constants that differ between versions (hand-kept; test/codegen compares each
 * with the value the C compiler sees in 16's headers). Shared values: src/common/constants.ts.
 */
export * from '../common/constants.js';

export const PG_MAJORVERSION_NUM = 16;
export const XLOG_PAGE_MAGIC = 0xd113; // access/xlog_internal.h
export const PG_CONTROL_VERSION = 1300; // catalog/pg_control.h
export const CATALOG_VERSION_NO = 202307071; // catalog/catversion.h

// access/xlogrecord.h — bimg_info bits
export const BKPIMAGE_HAS_HOLE = 0x01;
export const BKPIMAGE_APPLY = 0x02;
export const BKPIMAGE_COMPRESS_PGLZ = 0x04;
export const BKPIMAGE_COMPRESS_LZ4 = 0x08;
export const BKPIMAGE_COMPRESS_ZSTD = 0x10;
