/**
 * WAL writing (access/transam/xloginsert.c, xlog.c, common/pg_lzcompress.c, pg_resetwal.c):
 * record assembly with full-page images (hole elimination, pglz), page and segment layout,
 * and the fresh segment + pg_control of a WAL reset. Everything is driven by a
 * PgVersionProfile and is browser-safe; file writing lives in src/node/wal-writer.ts.
 */
export { PGLZ_MAX_OUTPUT, PGLZ_strategy_always, PGLZ_strategy_default, type PglzStrategy, pglzCompress } from './pglz-compress.js';
export {
  type AssembledRecord,
  assembleRecord,
  type BlockInput,
  type EncodedImage,
  encodeBlockImage,
  encodeRecord,
  finishRecord,
  type ImageInput,
  mainDataLengthForTotal,
  type PageImageInput,
  type RecordInput,
  type StoredImageInput,
  standardPageHole,
  totalLengthForMainData,
} from './record-encoder.js';
export { buildResetWal, encodeCheckPoint, firstSegmentAtOrAfter, type ResetWal, type ResetWalOptions } from './reset-wal.js';
export {
  type AppendedRecord,
  overwriteContrecordRecord,
  pagesToSegments,
  WalEncoder,
  type WalEncoderOptions,
  type WalPage,
} from './wal-encoder.js';
