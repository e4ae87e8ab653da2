/**
 * Worker thread of relation-checksum.ts: checks one segment file per message
 * ({ index, path, segmentno }) and answers { index, result }.
 */
import { parentPort } from 'node:worker_threads';
import { checksumFile } from './relation-checksum.js';

// the native accelerator, when present, is installed per thread
await import('./native.js').catch(() => undefined);

parentPort?.on('message', (m: { index: number; path: string; segmentno: number }) => {
  parentPort?.postMessage({ index: m.index, result: checksumFile(m.path, m.segmentno) });
});
