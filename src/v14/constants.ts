/**
 * PostgreSQL 14 constants that differ between versions (hand-kept; test/codegen compares each
 * with the value the C compiler sees in 14's headers). Shared values: src/common/constants.ts.
 */
export * from '../common/constants.js';

export const PG_MAJORVERSION_NUM = 14;
export const XLOG_PAGE_MAGIC = 0xd10d; // access/xlog_internal.h
export const PG_CONTROL_VERSION = 1300; // catalog/pg_control.h
export const CATALOG_VERSION_NO = 202107181; // catalog/catversion.h

// access/xlogrecord.h — bimg_info bits (reordered in 15)
export const BKPIMAGE_HAS_HOLE = 0x01;
export const BKPIMAGE_IS_COMPRESSED = 0x02;
export const BKPIMAGE_APPLY = 0x04;
