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

// ---------------------------------------------------------------------------------------------
// Record info values, record flags and sizes, page and index-AM constants (by header).

// catalog/pg_control.h
export const MOCK_AUTH_NONCE_LEN = 32;
export const FLOATFORMAT_VALUE = 1234567.0;
export const XLOG_CHECKPOINT_ONLINE = 0x10;
export const XLOG_NOOP = 0x20;
export const XLOG_NEXTOID = 0x30;
export const XLOG_BACKUP_END = 0x50;
export const XLOG_PARAMETER_CHANGE = 0x60;
export const XLOG_RESTORE_POINT = 0x70;
export const XLOG_FPW_CHANGE = 0x80;
export const XLOG_END_OF_RECOVERY = 0x90;
export const XLOG_FPI_FOR_HINT = 0xa0;
export const XLOG_FPI = 0xb0;
export const PG_CONTROL_MAX_SAFE_SIZE = 512;
export const PG_CONTROL_FILE_SIZE = 8192;
export const DB_STARTUP = 0;
export const DB_SHUTDOWNED = 1;
export const DB_SHUTDOWNED_IN_RECOVERY = 2;
export const DB_SHUTDOWNING = 3;
export const DB_IN_CRASH_RECOVERY = 4;
export const DB_IN_ARCHIVE_RECOVERY = 5;
export const DB_IN_PRODUCTION = 6;

// access/heapam_xlog.h
export const XLOG_HEAP_INSERT = 0x00;
export const XLOG_HEAP_DELETE = 0x10;
export const XLOG_HEAP_UPDATE = 0x20;
export const XLOG_HEAP_TRUNCATE = 0x30;
export const XLOG_HEAP_HOT_UPDATE = 0x40;
export const XLOG_HEAP_CONFIRM = 0x50;
export const XLOG_HEAP_LOCK = 0x60;
export const XLOG_HEAP_INPLACE = 0x70;
export const XLOG_HEAP_OPMASK = 0x70;
export const XLOG_HEAP_INIT_PAGE = 0x80;
export const XLOG_HEAP2_REWRITE = 0x00;
export const XLOG_HEAP2_PRUNE = 0x10;
export const XLOG_HEAP2_VACUUM = 0x20;
export const XLOG_HEAP2_FREEZE_PAGE = 0x30;
export const XLOG_HEAP2_VISIBLE = 0x40;
export const XLOG_HEAP2_MULTI_INSERT = 0x50;
export const XLOG_HEAP2_LOCK_UPDATED = 0x60;
export const XLOG_HEAP2_NEW_CID = 0x70;
export const XLH_INSERT_ALL_VISIBLE_CLEARED = 0x01;
export const XLH_INSERT_LAST_IN_MULTI = 0x02;
export const XLH_INSERT_IS_SPECULATIVE = 0x04;
export const XLH_INSERT_CONTAINS_NEW_TUPLE = 0x08;
export const XLH_INSERT_ON_TOAST_RELATION = 0x10;
export const XLH_INSERT_ALL_FROZEN_SET = 0x20;
export const XLH_UPDATE_OLD_ALL_VISIBLE_CLEARED = 0x01;
export const XLH_UPDATE_NEW_ALL_VISIBLE_CLEARED = 0x02;
export const XLH_UPDATE_CONTAINS_OLD_TUPLE = 0x04;
export const XLH_UPDATE_CONTAINS_OLD_KEY = 0x08;
export const XLH_UPDATE_CONTAINS_NEW_TUPLE = 0x10;
export const XLH_UPDATE_PREFIX_FROM_OLD = 0x20;
export const XLH_UPDATE_SUFFIX_FROM_OLD = 0x40;
export const XLH_UPDATE_CONTAINS_OLD = 0x0c;
export const XLH_DELETE_ALL_VISIBLE_CLEARED = 0x01;
export const XLH_DELETE_CONTAINS_OLD_TUPLE = 0x02;
export const XLH_DELETE_CONTAINS_OLD_KEY = 0x04;
export const XLH_DELETE_IS_SUPER = 0x08;
export const XLH_DELETE_IS_PARTITION_MOVE = 0x10;
export const XLH_DELETE_CONTAINS_OLD = 0x06;
export const SizeOfHeapDelete = 8;
export const XLH_TRUNCATE_CASCADE = 0x01;
export const XLH_TRUNCATE_RESTART_SEQS = 0x02;
export const SizeOfHeapTruncate = 12;
export const SizeOfHeapHeader = 5;
export const SizeOfHeapInsert = 3;
export const SizeOfHeapMultiInsert = 4;
export const SizeOfMultiInsertTuple = 7;
export const SizeOfHeapUpdate = 14;
export const SizeOfHeapVacuum = 2;
export const XLHL_XMAX_IS_MULTI = 0x01;
export const XLHL_XMAX_LOCK_ONLY = 0x02;
export const XLHL_XMAX_EXCL_LOCK = 0x04;
export const XLHL_XMAX_KEYSHR_LOCK = 0x08;
export const XLHL_KEYS_UPDATED = 0x10;
export const XLH_LOCK_ALL_FROZEN_CLEARED = 0x01;
export const SizeOfHeapLock = 8;
export const SizeOfHeapLockUpdated = 8;
export const SizeOfHeapConfirm = 2;
export const SizeOfHeapInplace = 2;
export const XLH_FREEZE_XVAC = 0x02;
export const XLH_INVALID_XVAC = 0x04;
export const SizeOfHeapVisible = 5;
export const SizeOfHeapNewCid = 34;

// access/nbtxlog.h
export const XLOG_BTREE_INSERT_LEAF = 0x00;
export const XLOG_BTREE_INSERT_UPPER = 0x10;
export const XLOG_BTREE_INSERT_META = 0x20;
export const XLOG_BTREE_SPLIT_L = 0x30;
export const XLOG_BTREE_SPLIT_R = 0x40;
export const XLOG_BTREE_INSERT_POST = 0x50;
export const XLOG_BTREE_DEDUP = 0x60;
export const XLOG_BTREE_DELETE = 0x70;
export const XLOG_BTREE_UNLINK_PAGE = 0x80;
export const XLOG_BTREE_UNLINK_PAGE_META = 0x90;
export const XLOG_BTREE_NEWROOT = 0xa0;
export const XLOG_BTREE_MARK_PAGE_HALFDEAD = 0xb0;
export const XLOG_BTREE_VACUUM = 0xc0;
export const XLOG_BTREE_REUSE_PAGE = 0xd0;
export const XLOG_BTREE_META_CLEANUP = 0xe0;
export const SizeOfBtreeInsert = 2;
export const SizeOfBtreeSplit = 10;
export const SizeOfBtreeDedup = 2;
export const SizeOfBtreeVacuum = 4;
export const SizeOfBtreeUpdate = 2;
export const SizeOfBtreeMarkPageHalfDead = 20;
export const SizeOfBtreeUnlinkPage = 36;
export const SizeOfBtreeNewroot = 8;

// access/hash_xlog.h
export const XLOG_HASH_INIT_META_PAGE = 0x00;
export const XLOG_HASH_INIT_BITMAP_PAGE = 0x10;
export const XLOG_HASH_INSERT = 0x20;
export const XLOG_HASH_ADD_OVFL_PAGE = 0x30;
export const XLOG_HASH_SPLIT_ALLOCATE_PAGE = 0x40;
export const XLOG_HASH_SPLIT_PAGE = 0x50;
export const XLOG_HASH_SPLIT_COMPLETE = 0x60;
export const XLOG_HASH_MOVE_PAGE_CONTENTS = 0x70;
export const XLOG_HASH_SQUEEZE_PAGE = 0x80;
export const XLOG_HASH_DELETE = 0x90;
export const XLOG_HASH_SPLIT_CLEANUP = 0xa0;
export const XLOG_HASH_UPDATE_META_PAGE = 0xb0;
export const XLOG_HASH_VACUUM_ONE_PAGE = 0xc0;
export const XLH_SPLIT_META_UPDATE_MASKS = 0x01;
export const XLH_SPLIT_META_UPDATE_SPLITPOINT = 0x02;
export const SizeOfHashInsert = 2;
export const SizeOfHashAddOvflPage = 3;
export const SizeOfHashSplitAllocPage = 9;
export const SizeOfHashSplitComplete = 4;
export const SizeOfHashMovePageContents = 3;
export const SizeOfHashSqueezePage = 12;
export const SizeOfHashDelete = 2;
export const SizeOfHashUpdateMetaPage = 8;
export const SizeOfHashInitMetaPage = 14;
export const SizeOfHashInitBitmapPage = 2;
export const SizeOfHashVacuumOnePage = 8;

// access/ginxlog.h
export const XLOG_GIN_CREATE_PTREE = 0x10;
export const XLOG_GIN_INSERT = 0x20;
export const GIN_SEGMENT_UNMODIFIED = 0;
export const GIN_SEGMENT_DELETE = 1;
export const GIN_SEGMENT_INSERT = 2;
export const GIN_SEGMENT_REPLACE = 3;
export const GIN_SEGMENT_ADDITEMS = 4;
export const XLOG_GIN_SPLIT = 0x30;
export const GIN_INSERT_ISDATA = 0x01;
export const GIN_INSERT_ISLEAF = 0x02;
export const GIN_SPLIT_ROOT = 0x04;
export const XLOG_GIN_VACUUM_PAGE = 0x40;
export const XLOG_GIN_VACUUM_DATA_LEAF_PAGE = 0x90;
export const XLOG_GIN_DELETE_PAGE = 0x50;
export const XLOG_GIN_UPDATE_META_PAGE = 0x60;
export const XLOG_GIN_INSERT_LISTPAGE = 0x70;
export const XLOG_GIN_DELETE_LISTPAGE = 0x80;

// access/gistxlog.h
export const XLOG_GIST_PAGE_UPDATE = 0x00;
export const XLOG_GIST_DELETE = 0x10;
export const XLOG_GIST_PAGE_REUSE = 0x20;
export const XLOG_GIST_PAGE_SPLIT = 0x30;
export const XLOG_GIST_PAGE_DELETE = 0x60;
export const XLOG_GIST_ASSIGN_LSN = 0x70;
export const SizeOfGistxlogPageDelete = 10;

// access/spgxlog.h
export const XLOG_SPGIST_ADD_LEAF = 0x10;
export const XLOG_SPGIST_MOVE_LEAFS = 0x20;
export const XLOG_SPGIST_ADD_NODE = 0x30;
export const XLOG_SPGIST_SPLIT_TUPLE = 0x40;
export const XLOG_SPGIST_PICKSPLIT = 0x50;
export const XLOG_SPGIST_VACUUM_LEAF = 0x60;
export const XLOG_SPGIST_VACUUM_ROOT = 0x70;
export const XLOG_SPGIST_VACUUM_REDIRECT = 0x80;
export const SizeOfSpgxlogMoveLeafs = 20;
export const SizeOfSpgxlogPickSplit = 28;
export const SizeOfSpgxlogVacuumLeaf = 16;
export const SizeOfSpgxlogVacuumRoot = 12;

// access/brin_xlog.h
export const XLOG_BRIN_CREATE_INDEX = 0x00;
export const XLOG_BRIN_INSERT = 0x10;
export const XLOG_BRIN_UPDATE = 0x20;
export const XLOG_BRIN_SAMEPAGE_UPDATE = 0x30;
export const XLOG_BRIN_REVMAP_EXTEND = 0x40;
export const XLOG_BRIN_DESUMMARIZE = 0x50;
export const XLOG_BRIN_OPMASK = 0x70;
export const XLOG_BRIN_INIT_PAGE = 0x80;
export const SizeOfBrinCreateIdx = 6;
export const SizeOfBrinInsert = 10;
export const SizeOfBrinUpdate = 14;
export const SizeOfBrinSamepageUpdate = 2;
export const SizeOfBrinRevmapExtend = 4;
export const SizeOfBrinDesummarize = 10;

// access/xact.h
export const XLOG_XACT_COMMIT = 0x00;
export const XLOG_XACT_PREPARE = 0x10;
export const XLOG_XACT_ABORT = 0x20;
export const XLOG_XACT_COMMIT_PREPARED = 0x30;
export const XLOG_XACT_ABORT_PREPARED = 0x40;
export const XLOG_XACT_ASSIGNMENT = 0x50;
export const XLOG_XACT_INVALIDATIONS = 0x60;
export const XLOG_XACT_OPMASK = 0x70;
export const XLOG_XACT_HAS_INFO = 0x80;
export const XACT_XINFO_HAS_DBINFO = 0x01;
export const XACT_XINFO_HAS_SUBXACTS = 0x02;
export const XACT_XINFO_HAS_INVALS = 0x08;
export const XACT_XINFO_HAS_TWOPHASE = 0x10;
export const XACT_XINFO_HAS_ORIGIN = 0x20;
export const XACT_XINFO_HAS_AE_LOCKS = 0x40;
export const XACT_XINFO_HAS_GID = 0x80;
export const XACT_COMPLETION_APPLY_FEEDBACK = 0x20000000;
export const XACT_COMPLETION_UPDATE_RELCACHE_FILE = 0x40000000;
export const XACT_COMPLETION_FORCE_SYNC_COMMIT = 0x80000000;
export const MinSizeOfXactAssignment = 8;
export const MinSizeOfXactSubxacts = 4;
export const MinSizeOfXactInvals = 4;
export const MinSizeOfXactCommit = 8;
export const MinSizeOfXactAbort = 8;

// catalog/storage_xlog.h
export const XLOG_SMGR_CREATE = 0x10;
export const XLOG_SMGR_TRUNCATE = 0x20;
export const SMGR_TRUNCATE_HEAP = 0x01;
export const SMGR_TRUNCATE_VM = 0x02;
export const SMGR_TRUNCATE_FSM = 0x04;
export const SMGR_TRUNCATE_ALL = 0x07;

// commands/tablespace.h
export const XLOG_TBLSPC_CREATE = 0x00;
export const XLOG_TBLSPC_DROP = 0x10;

// access/clog.h
export const CLOG_ZEROPAGE = 0x00;
export const CLOG_TRUNCATE = 0x10;

// access/commit_ts.h
export const COMMIT_TS_ZEROPAGE = 0x00;
export const COMMIT_TS_TRUNCATE = 0x10;
export const SizeOfCommitTsSet = 16;
export const SizeOfCommitTsTruncate = 8;

// access/multixact.h
export const XLOG_MULTIXACT_ZERO_OFF_PAGE = 0x00;
export const XLOG_MULTIXACT_ZERO_MEM_PAGE = 0x10;
export const XLOG_MULTIXACT_CREATE_ID = 0x20;
export const XLOG_MULTIXACT_TRUNCATE_ID = 0x30;
export const SizeOfMultiXactCreate = 12;
export const SizeOfMultiXactTruncate = 20;

// utils/relmapper.h
export const XLOG_RELMAP_UPDATE = 0x00;
export const MinSizeOfRelmapUpdate = 12;

// storage/standbydefs.h
export const XLOG_STANDBY_LOCK = 0x00;
export const XLOG_RUNNING_XACTS = 0x10;
export const XLOG_INVALIDATIONS = 0x20;
export const MinSizeOfInvalidations = 16;

// commands/sequence.h
export const XLOG_SEQ_LOG = 0x00;

// replication/origin.h
export const XLOG_REPLORIGIN_SET = 0x00;
export const XLOG_REPLORIGIN_DROP = 0x10;

// replication/message.h
export const SizeOfLogicalMessage = 24;
export const XLOG_LOGICAL_MESSAGE = 0x00;

// storage/bufpage.h
export const PD_HAS_FREE_LINES = 0x01;
export const PD_PAGE_FULL = 0x02;
export const PD_ALL_VISIBLE = 0x04;
export const PD_VALID_FLAG_BITS = 0x07;
export const PG_PAGE_LAYOUT_VERSION = 4;
export const PG_DATA_CHECKSUM_VERSION = 1;
export const SizeOfPageHeaderData = 24;

// storage/itemid.h
export const LP_UNUSED = 0;
export const LP_NORMAL = 1;
export const LP_REDIRECT = 2;
export const LP_DEAD = 3;

// access/htup_details.h
export const MaxTupleAttributeNumber = 1664;
export const MaxHeapAttributeNumber = 1600;
export const SizeofHeapTupleHeader = 0x17;
export const HEAP_HASNULL = 0x01;
export const HEAP_HASVARWIDTH = 0x02;
export const HEAP_HASEXTERNAL = 0x04;
export const HEAP_HASOID_OLD = 0x08;
export const HEAP_XMAX_KEYSHR_LOCK = 0x10;
export const HEAP_COMBOCID = 0x20;
export const HEAP_XMAX_EXCL_LOCK = 0x40;
export const HEAP_XMAX_LOCK_ONLY = 0x80;
export const HEAP_XMAX_SHR_LOCK = 0x50;
export const HEAP_LOCK_MASK = 0x50;
export const HEAP_XMIN_COMMITTED = 0x0100;
export const HEAP_XMIN_INVALID = 0x0200;
export const HEAP_XMIN_FROZEN = 0x0300;
export const HEAP_XMAX_COMMITTED = 0x0400;
export const HEAP_XMAX_INVALID = 0x0800;
export const HEAP_XMAX_IS_MULTI = 0x1000;
export const HEAP_UPDATED = 0x2000;
export const HEAP_MOVED_OFF = 0x4000;
export const HEAP_MOVED_IN = 0x8000;
export const HEAP_MOVED = 0xc000;
export const HEAP_XACT_MASK = 0xfff0;
export const HEAP_XMAX_BITS = 0x1cd0;
export const HEAP_NATTS_MASK = 0x07ff;
export const HEAP_KEYS_UPDATED = 0x2000;
export const HEAP_HOT_UPDATED = 0x4000;
export const HEAP_ONLY_TUPLE = 0x8000;
export const HEAP2_XACT_MASK = 0xe000;
export const HEAP_TUPLE_HAS_MATCH = 0x8000;

// access/itup.h
export const INDEX_SIZE_MASK = 0x1fff;
export const INDEX_AM_RESERVED_BIT = 0x2000;
export const INDEX_VAR_MASK = 0x4000;
export const INDEX_NULL_MASK = 0x8000;

// access/nbtree.h
export const BTP_LEAF = 0x01;
export const BTP_ROOT = 0x02;
export const BTP_DELETED = 0x04;
export const BTP_META = 0x08;
export const BTP_HALF_DEAD = 0x10;
export const BTP_SPLIT_END = 0x20;
export const BTP_HAS_GARBAGE = 0x40;
export const BTP_INCOMPLETE_SPLIT = 0x80;
export const BTP_HAS_FULLXID = 0x0100;
export const BTREE_METAPAGE = 0;
export const BTREE_MAGIC = 0x00053162;
export const BTREE_VERSION = 4;
export const BTREE_MIN_VERSION = 2;
export const BTREE_NOVAC_VERSION = 3;
export const BTREE_MIN_FILLFACTOR = 10;
export const BTREE_DEFAULT_FILLFACTOR = 90;
export const BTREE_NONLEAF_FILLFACTOR = 70;
export const BTREE_SINGLEVAL_FILLFACTOR = 96;
export const P_NONE = 0;
export const P_HIKEY = 1;
export const P_FIRSTKEY = 2;
export const BT_OFFSET_MASK = 0x0fff;
export const BT_STATUS_OFFSET_MASK = 0xf000;
export const BT_PIVOT_HEAP_TID_ATTR = 0x1000;
export const BT_IS_POSTING = 0x2000;

// access/hash.h
export const LH_UNUSED_PAGE = 0;
export const LH_OVERFLOW_PAGE = 0x01;
export const LH_BUCKET_PAGE = 0x02;
export const LH_BITMAP_PAGE = 0x04;
export const LH_META_PAGE = 0x08;
export const LH_BUCKET_BEING_POPULATED = 0x10;
export const LH_BUCKET_BEING_SPLIT = 0x20;
export const LH_BUCKET_NEEDS_SPLIT_CLEANUP = 0x40;
export const LH_PAGE_HAS_DEAD_TUPLES = 0x80;
export const LH_PAGE_TYPE = 0x0f;
export const HASHO_PAGE_ID = 0xff80;
export const HASH_METAPAGE = 0;
export const HASH_MAGIC = 0x06440640;
export const HASH_VERSION = 4;
export const HASH_MAX_BITMAPS = 1024;
export const HASH_MAX_SPLITPOINTS = 98;

// access/ginblock.h
export const GIN_DATA = 0x01;
export const GIN_LEAF = 0x02;
export const GIN_DELETED = 0x04;
export const GIN_META = 0x08;
export const GIN_LIST = 0x10;
export const GIN_LIST_FULLROW = 0x20;
export const GIN_INCOMPLETE_SPLIT = 0x40;
export const GIN_COMPRESSED = 0x80;
export const GIN_METAPAGE_BLKNO = 0;
export const GIN_ROOT_BLKNO = 1;
export const GIN_CURRENT_VERSION = 2;
export const GIN_CAT_NORM_KEY = 0;
export const GIN_CAT_NULL_KEY = 1;
export const GIN_CAT_EMPTY_ITEM = 2;
export const GIN_CAT_NULL_ITEM = 3;
export const GIN_CAT_EMPTY_QUERY = -1;
export const GIN_ITUP_COMPRESSED = 0x80000000;

// access/gist.h
export const F_LEAF = 0x01;
export const F_DELETED = 0x02;
export const F_TUPLES_DELETED = 0x04;
export const F_FOLLOW_RIGHT = 0x08;
export const F_HAS_GARBAGE = 0x10;
export const GIST_PAGE_ID = 0xff81;

// access/spgist_private.h
export const SPGIST_METAPAGE_BLKNO = 0;
export const SPGIST_ROOT_BLKNO = 1;
export const SPGIST_NULL_BLKNO = 2;
export const SPGIST_LAST_FIXED_BLKNO = 2;
export const SPGIST_META = 0x01;
export const SPGIST_DELETED = 0x02;
export const SPGIST_LEAF = 0x04;
export const SPGIST_NULLS = 0x08;
export const SPGIST_PAGE_ID = 0xff82;
export const SPGIST_CACHED_PAGES = 8;
export const SPGIST_MAGIC_NUMBER = 0xba0babee;
export const SPGIST_LIVE = 0;
export const SPGIST_REDIRECT = 1;
export const SPGIST_DEAD = 2;
export const SPGIST_PLACEHOLDER = 3;
export const SPGIST_PAGE_CAPACITY = 8160;
export const SPGIST_MIN_FILLFACTOR = 10;
export const SPGIST_DEFAULT_FILLFACTOR = 80;

// access/brin_page.h
export const BRIN_PAGETYPE_META = 0xf091;
export const BRIN_PAGETYPE_REVMAP = 0xf092;
export const BRIN_PAGETYPE_REGULAR = 0xf093;
export const BRIN_EVACUATE_PAGE = 0x01;
export const BRIN_CURRENT_VERSION = 1;
export const BRIN_META_MAGIC = 0xa8109cfa;
export const BRIN_METAPAGE_BLKNO = 0;

// access/brin_tuple.h
export const BRIN_OFFSET_MASK = 0x1f;
export const BRIN_EMPTY_RANGE_MASK = 0x20;
export const BRIN_PLACEHOLDER_MASK = 0x40;
export const BRIN_NULLS_MASK = 0x80;

// access/xlog.h
export const WAL_LEVEL_MINIMAL = 0;
export const WAL_LEVEL_REPLICA = 1;
export const WAL_LEVEL_LOGICAL = 2;
