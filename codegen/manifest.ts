/**
 * The codegen manifest: which PostgreSQL structs become generated layouts, which server header
 * declares each one, and which generated file (group) it lands in. Only structs listed here are
 * generated (an explicit allowlist, like neon's postgres_ffi build.rs); a listed struct that
 * embeds another struct by value needs that struct listed too, and the generator checks that
 * every struct is declared in the header named here.
 */

export type PgMajor = 14 | 15 | 16;
export const MAJORS: readonly PgMajor[] = [14, 15, 16];

/** Generated file per group: src/vNN/gen/<group>.gen.ts. */
export type Group = 'wal' | 'control' | 'page' | 'rmgr';
export const GROUPS: readonly Group[] = ['wal', 'control', 'page', 'rmgr'];

export const GROUP_TITLES: Record<Group, string> = {
  wal: 'WAL page headers, record headers and block references (access/xlog_internal.h, access/xlogrecord.h)',
  control: 'pg_control (catalog/pg_control.h)',
  page: 'data pages, tuples and index-AM special spaces (storage/bufpage.h, access/htup_details.h, access/*.h)',
  rmgr: 'WAL record bodies of the builtin resource managers (access/*xlog.h and friends)',
};

export interface ManifestEntry {
  /** C struct name (the typedef name; the struct tag when there is no typedef). */
  readonly struct: string;
  /** Server header (relative to include/server) that declares the struct body. */
  readonly header: string;
  readonly group: Group;
  /** Majors that have this struct; all when absent. */
  readonly versions?: readonly PgMajor[];
  /**
   * A one-field wrapper (FullTransactionId): fields of this type read and write as the wrapped
   * value (a bigint), not as a nested object. The struct keeps its own layout and reader.
   */
  readonly unwrap?: boolean;
}

const ALL: readonly PgMajor[] = MAJORS;
const UPTO15: readonly PgMajor[] = [14, 15];
const FROM15: readonly PgMajor[] = [15, 16];
const ONLY14: readonly PgMajor[] = [14];
const ONLY16: readonly PgMajor[] = [16];

function group(g: Group, header: string, structs: readonly string[], versions: readonly PgMajor[] = ALL): ManifestEntry[] {
  return structs.map((struct) => (versions === ALL ? { struct, header, group: g } : { struct, header, group: g, versions }));
}

export const MANIFEST: readonly ManifestEntry[] = [
  // --- wal ---
  ...group('wal', 'access/xlog_internal.h', ['XLogPageHeaderData', 'XLogLongPageHeaderData']),
  ...group('wal', 'access/xlogrecord.h', [
    'XLogRecord',
    'XLogRecordBlockHeader',
    'XLogRecordBlockImageHeader',
    'XLogRecordBlockCompressHeader',
    'XLogRecordDataHeaderShort',
    'XLogRecordDataHeaderLong',
  ]),
  ...group('wal', 'storage/relfilenode.h', ['RelFileNode'], UPTO15),
  ...group('wal', 'storage/relfilelocator.h', ['RelFileLocator'], ONLY16),
  { struct: 'FullTransactionId', header: 'access/transam.h', group: 'wal', unwrap: true },

  // --- control ---
  ...group('control', 'catalog/pg_control.h', ['CheckPoint', 'ControlFileData']),

  // --- page ---
  ...group('page', 'storage/bufpage.h', ['PageXLogRecPtr', 'PageHeaderData']),
  ...group('page', 'storage/itemid.h', ['ItemIdData']),
  ...group('page', 'storage/block.h', ['BlockIdData']),
  ...group('page', 'storage/itemptr.h', ['ItemPointerData']),
  ...group('page', 'access/htup_details.h', ['HeapTupleFields', 'DatumTupleFields', 'HeapTupleHeaderData']),
  ...group('page', 'access/itup.h', ['IndexTupleData']),
  ...group('page', 'access/nbtree.h', ['BTPageOpaqueData', 'BTMetaPageData', 'BTDeletedPageData']),
  ...group('page', 'access/hash.h', ['HashPageOpaqueData', 'HashMetaPageData']),
  ...group('page', 'access/ginblock.h', ['GinPageOpaqueData', 'GinMetaPageData', 'PostingItem', 'GinPostingList']),
  ...group('page', 'access/gist.h', ['GISTPageOpaqueData']),
  ...group('page', 'access/spgist_private.h', [
    'SpGistPageOpaqueData',
    'SpGistLastUsedPage',
    'SpGistLUPCache',
    'SpGistMetaPageData',
    'SpGistInnerTupleData',
    'SpGistLeafTupleData',
    'SpGistDeadTupleData',
  ]),
  ...group('page', 'access/brin_page.h', ['BrinSpecialSpace', 'BrinMetaPageData', 'RevmapContents']),
  ...group('page', 'access/brin_tuple.h', ['BrinTuple']),
  ...group('page', 'storage/fsm_internals.h', ['FSMPageData']),

  // --- rmgr: XLOG (catalog/pg_control.h CheckPoint is in control; FPI_FOR_HINT and FPI have no struct) ---
  ...group('rmgr', 'access/xlog_internal.h', ['xl_parameter_change', 'xl_restore_point', 'xl_overwrite_contrecord', 'xl_end_of_recovery']),
  // Transaction
  ...group('rmgr', 'access/xact.h', [
    'xl_xact_assignment',
    'xl_xact_xinfo',
    'xl_xact_dbinfo',
    'xl_xact_subxacts',
    'xl_xact_invals',
    'xl_xact_twophase',
    'xl_xact_origin',
    'xl_xact_commit',
    'xl_xact_abort',
    'xl_xact_prepare',
  ]),
  ...group('rmgr', 'access/xact.h', ['xl_xact_relfilenodes'], UPTO15),
  ...group('rmgr', 'access/xact.h', ['xl_xact_relfilelocators'], ONLY16),
  ...group('rmgr', 'access/xact.h', ['xl_xact_stats_item', 'xl_xact_stats_items'], FROM15),
  // Storage
  ...group('rmgr', 'catalog/storage_xlog.h', ['xl_smgr_create', 'xl_smgr_truncate']),
  // CLOG, CommitTs, MultiXact
  ...group('rmgr', 'access/clog.h', ['xl_clog_truncate']),
  ...group('rmgr', 'access/commit_ts.h', ['xl_commit_ts_set', 'xl_commit_ts_truncate']),
  ...group('rmgr', 'access/multixact.h', ['MultiXactMember', 'xl_multixact_create', 'xl_multixact_truncate']),
  // Database, Tablespace
  ...group('rmgr', 'commands/dbcommands_xlog.h', ['xl_dbase_create_rec'], ONLY14),
  ...group('rmgr', 'commands/dbcommands_xlog.h', ['xl_dbase_create_file_copy_rec', 'xl_dbase_create_wal_log_rec'], FROM15),
  ...group('rmgr', 'commands/dbcommands_xlog.h', ['xl_dbase_drop_rec']),
  ...group('rmgr', 'commands/tablespace.h', ['xl_tblspc_create_rec', 'xl_tblspc_drop_rec']),
  // RelMap, Standby
  ...group('rmgr', 'utils/relmapper.h', ['xl_relmap_update']),
  ...group('rmgr', 'storage/lockdefs.h', ['xl_standby_lock']),
  ...group('rmgr', 'storage/standbydefs.h', ['xl_standby_locks', 'xl_running_xacts', 'xl_invalidations']),
  // Heap, Heap2
  ...group('rmgr', 'access/heapam_xlog.h', [
    'xl_heap_delete',
    'xl_heap_truncate',
    'xl_heap_header',
    'xl_heap_insert',
    'xl_heap_multi_insert',
    'xl_multi_insert_tuple',
    'xl_heap_update',
    'xl_heap_prune',
    'xl_heap_vacuum',
    'xl_heap_lock',
    'xl_heap_lock_updated',
    'xl_heap_confirm',
    'xl_heap_inplace',
    'xl_heap_freeze_page',
    'xl_heap_visible',
    'xl_heap_new_cid',
    'xl_heap_rewrite_mapping',
  ]),
  ...group('rmgr', 'access/heapam_xlog.h', ['xl_heap_freeze_tuple'], UPTO15),
  ...group('rmgr', 'access/heapam_xlog.h', ['xl_heap_freeze_plan'], ONLY16),
  // Btree
  ...group('rmgr', 'access/nbtxlog.h', [
    'xl_btree_metadata',
    'xl_btree_insert',
    'xl_btree_split',
    'xl_btree_dedup',
    'xl_btree_reuse_page',
    'xl_btree_vacuum',
    'xl_btree_delete',
    'xl_btree_update',
    'xl_btree_mark_page_halfdead',
    'xl_btree_unlink_page',
    'xl_btree_newroot',
  ]),
  // Hash
  ...group('rmgr', 'access/hash_xlog.h', [
    'xl_hash_insert',
    'xl_hash_add_ovfl_page',
    'xl_hash_split_allocate_page',
    'xl_hash_split_complete',
    'xl_hash_move_page_contents',
    'xl_hash_squeeze_page',
    'xl_hash_delete',
    'xl_hash_update_meta_page',
    'xl_hash_init_meta_page',
    'xl_hash_init_bitmap_page',
    'xl_hash_vacuum_one_page',
  ]),
  // Gin
  ...group('rmgr', 'access/ginxlog.h', [
    'ginxlogCreatePostingTree',
    'ginxlogInsert',
    'ginxlogInsertEntry',
    'ginxlogRecompressDataLeaf',
    'ginxlogInsertDataInternal',
    'ginxlogSplit',
    'ginxlogVacuumDataLeafPage',
    'ginxlogDeletePage',
    'ginxlogUpdateMeta',
    'ginxlogInsertListPage',
    'ginxlogDeleteListPages',
  ]),
  // Gist
  ...group('rmgr', 'access/gistxlog.h', [
    'gistxlogPageUpdate',
    'gistxlogDelete',
    'gistxlogPageSplit',
    'gistxlogPageDelete',
    'gistxlogPageReuse',
  ]),
  // SPGist
  ...group('rmgr', 'access/spgxlog.h', [
    'spgxlogState',
    'spgxlogAddLeaf',
    'spgxlogMoveLeafs',
    'spgxlogAddNode',
    'spgxlogSplitTuple',
    'spgxlogPickSplit',
    'spgxlogVacuumLeaf',
    'spgxlogVacuumRoot',
    'spgxlogVacuumRedirect',
  ]),
  // BRIN
  ...group('rmgr', 'access/brin_xlog.h', [
    'xl_brin_createidx',
    'xl_brin_insert',
    'xl_brin_update',
    'xl_brin_samepage_update',
    'xl_brin_revmap_extend',
    'xl_brin_desummarize',
  ]),
  // Sequence, ReplicationOrigin, LogicalMessage (Generic has no record struct)
  ...group('rmgr', 'commands/sequence.h', ['xl_seq_rec']),
  ...group('rmgr', 'replication/origin.h', ['xl_replorigin_set', 'xl_replorigin_drop']),
  ...group('rmgr', 'replication/message.h', ['xl_logical_message']),
];

/** The manifest entries of one major version, in manifest order. */
export function entriesFor(major: PgMajor): ManifestEntry[] {
  return MANIFEST.filter((e) => e.versions === undefined || e.versions.includes(major));
}

/** Headers to include (postgres.h first, then each manifest header once, in manifest order). */
export function headersFor(major: PgMajor): string[] {
  const out = ['postgres.h'];
  for (const e of entriesFor(major)) if (!out.includes(e.header)) out.push(e.header);
  return out;
}
