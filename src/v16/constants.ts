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

// access/heapam_xlog.h
export const SizeOfHeapPrune = 9;
export const SizeOfHeapFreezePage = 7;

// access/nbtxlog.h
export const SizeOfBtreeReusePage = 25;
export const SizeOfBtreeDelete = 9;

// access/gistxlog.h
export const SizeOfGistxlogDelete = 8;
export const SizeOfGistxlogPageReuse = 25;

// access/spgxlog.h
export const SizeOfSpgxlogVacuumRedirect = 10;

// commands/dbcommands_xlog.h
export const XLOG_DBASE_DROP = 0x20;
export const XLOG_DBASE_CREATE_FILE_COPY = 0x00;
export const XLOG_DBASE_CREATE_WAL_LOG = 0x10;

// access/rmgr.h
export const RM_MAX_ID = 255;
export const RM_N_IDS = 256;
export const RM_N_BUILTIN_IDS = 22;
export const RM_N_CUSTOM_IDS = 128;

// access/xact.h
export const XACT_XINFO_HAS_DROPPED_STATS = 0x0100;
export const MinSizeOfXactStatsItems = 4;
export const XACT_XINFO_HAS_RELFILELOCATORS = 0x04;
export const MinSizeOfXactRelfileLocators = 4;
