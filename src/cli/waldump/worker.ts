/**
 * Worker thread of parallel `pgffi waldump` (parallel.ts): decodes the parts it is sent, one at
 * a time (part.ts), and posts their chunks and ends to the main thread, which hands written
 * chunk buffers back for reuse.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadProfile, SegmentBuffers } from '../commands/waldump.js';
import { decodePart, freeBuffers, type PartRequest, type RecycleMessage, type WorkerSetup } from './part.js';

const setup = workerData as WorkerSetup;
// The native accelerator (CRC-32C batches) is installed per thread.
await import('../../node/native.js').catch(() => undefined);
const profile = await loadProfile(setup.major);
// Read buffers are reused from part to part (a fresh 16 MB buffer per segment costs page faults).
const buffers = new SegmentBuffers();
const port = parentPort!;
let queue = Promise.resolve();
port.on('message', (m: PartRequest | RecycleMessage) => {
  if (m.type === 'recycle') freeBuffers.push(m.bytes);
  else queue = queue.then(() => decodePart(setup, profile, buffers, m, (message) => port.postMessage(message)));
});
port.postMessage({ type: 'ready' });
