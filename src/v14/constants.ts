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

// access/heapam_xlog.h
export const SizeOfHeapPrune = 8;
export const SizeOfHeapFreezePage = 6;

// access/nbtxlog.h
export const SizeOfBtreeReusePage = 24;
export const SizeOfBtreeDelete = 8;

// access/gistxlog.h
export const SizeOfGistxlogDelete = 6;
export const SizeOfGistxlogPageReuse = 24;

// access/spgxlog.h
export const SizeOfSpgxlogVacuumRedirect = 8;

// access/xact.h
export const XACT_XINFO_HAS_RELFILENODES = 0x04;
export const MinSizeOfXactRelfilenodes = 4;

// commands/dbcommands_xlog.h
export const XLOG_DBASE_CREATE = 0x00;
export const XLOG_DBASE_DROP = 0x10;

// access/rmgr.h
export const RM_MAX_ID = 21;
