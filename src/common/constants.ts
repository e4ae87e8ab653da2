/**
 * Constants that are identical in PostgreSQL 14, 15 and 16 (hand-kept; test/codegen checks
 * each one against the value the C compiler sees in every version's headers). Values that
 * differ between versions live in src/vNN/constants.ts.
 */

// access/xlog_internal.h — XLogPageHeaderData.xlp_info bits
export const XLP_FIRST_IS_CONTRECORD = 0x0001;
export const XLP_LONG_HEADER = 0x0002;
export const XLP_BKP_REMOVABLE = 0x0004;
export const XLP_FIRST_IS_OVERWRITE_CONTRECORD = 0x0008;
export const XLP_ALL_FLAGS = 0x000f;
export const SizeOfXLogShortPHD = 24;
export const SizeOfXLogLongPHD = 40;

// access/xlogrecord.h
export const SizeOfXLogRecord = 24;
export const XLR_INFO_MASK = 0x0f;
export const XLR_RMGR_INFO_MASK = 0xf0;
export const XLR_SPECIAL_REL_UPDATE = 0x01;
export const XLR_CHECK_CONSISTENCY = 0x02;
export const XLR_MAX_BLOCK_ID = 32;
export const XLR_BLOCK_ID_DATA_SHORT = 255;
export const XLR_BLOCK_ID_DATA_LONG = 254;
export const XLR_BLOCK_ID_ORIGIN = 253;
export const XLR_BLOCK_ID_TOPLEVEL_XID = 252;
export const BKPBLOCK_FORK_MASK = 0x0f;
export const BKPBLOCK_FLAG_MASK = 0xf0;
export const BKPBLOCK_HAS_IMAGE = 0x10;
export const BKPBLOCK_HAS_DATA = 0x20;
export const BKPBLOCK_WILL_INIT = 0x40;
export const BKPBLOCK_SAME_REL = 0x80;
export const SizeOfXLogRecordBlockHeader = 4;
export const SizeOfXLogRecordBlockImageHeader = 5;
export const SizeOfXLogRecordBlockCompressHeader = 2;
export const SizeOfXLogRecordDataHeaderShort = 2;
export const SizeOfXLogRecordDataHeaderLong = 5;
/** XLogRecordMaxSize (xlogrecord.h, 16): 1020 MB; 14/15's reader used the same bound via AllocSizeIsValid. */
export const XLogRecordMaxSize = 1020 * 1024 * 1024;

// pg_config.h / pg_config_manual.h (defaults; the profile carries the build's values)
export const MAXIMUM_ALIGNOF = 8;
export const BLCKSZ = 8192;
export const XLOG_BLCKSZ = 8192;
export const RELSEG_SIZE = 131072;

// access/rmgrlist.h — ids are the same in 14–16
export const RM_XLOG_ID = 0;
export const RM_XACT_ID = 1;
export const RM_SMGR_ID = 2;
export const RM_CLOG_ID = 3;
export const RM_DBASE_ID = 4;
export const RM_TBLSPC_ID = 5;
export const RM_MULTIXACT_ID = 6;
export const RM_RELMAP_ID = 7;
export const RM_STANDBY_ID = 8;
export const RM_HEAP2_ID = 9;
export const RM_HEAP_ID = 10;
export const RM_BTREE_ID = 11;
export const RM_HASH_ID = 12;
export const RM_GIN_ID = 13;
export const RM_GIST_ID = 14;
export const RM_SEQ_ID = 15;
export const RM_SPGIST_ID = 16;
export const RM_BRIN_ID = 17;
export const RM_COMMIT_TS_ID = 18;
export const RM_REPLORIGIN_ID = 19;
export const RM_GENERIC_ID = 20;
export const RM_LOGICALMSG_ID = 21;
export const RM_MAX_BUILTIN_ID = 21;
export const RM_MIN_CUSTOM_ID = 128;
export const RM_MAX_CUSTOM_ID = 255;
export const RM_EXPERIMENTAL_ID = 128;

/** Rmgr names as pg_waldump and pg_walinspect print them (rmgrlist.h, first column less "RM_"). */
export const RMGR_NAMES: readonly string[] = [
  'XLOG',
  'Transaction',
  'Storage',
  'CLOG',
  'Database',
  'Tablespace',
  'MultiXact',
  'RelMap',
  'Standby',
  'Heap2',
  'Heap',
  'Btree',
  'Hash',
  'Gin',
  'Gist',
  'Sequence',
  'SPGist',
  'BRIN',
  'CommitTs',
  'ReplicationOrigin',
  'Generic',
  'LogicalMessage',
];

// access/xlog.h / catalog/pg_control.h — XLOG rmgr info codes used by the reader itself
export const XLOG_CHECKPOINT_SHUTDOWN = 0x00;
export const XLOG_SWITCH = 0x40;
export const XLOG_OVERWRITE_CONTRECORD = 0xd0;
