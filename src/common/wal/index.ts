/**
 * WAL reading (access/xlogreader.h): the streaming decoder, async source iteration, decoded
 * records and full-page-image restoration, all driven by a PgVersionProfile.
 */
export { detachRecord, WalBlockReference, WalRecord } from './decoded-record.js';
export { lz4DecompressBlock, pglzDecompress, restoreFullPageImage, zstdDecompressFrame } from './full-page-image.js';
export type { BlockImage, BlockReference, DecodedRecord, ImageCompression } from './record.js';
export { decodeWalStream, type ReadableStreamLike, type WalSource, WalSourceReader } from './source-reader.js';
export { type EndOfWal, type FirstRecordSkip, type WalDecoderOptions, WalStreamDecoder } from './stream-decoder.js';
export { lsnText, walMessages } from './wal-format.js';
