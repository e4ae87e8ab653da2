/**
 * Entry of parallel waldump's worker thread when pgffi runs from its TypeScript sources (tsx,
 * vitest): Node 20 does not apply the parent's --import hooks to a worker's entry module, so
 * the thread registers tsx itself and then loads worker.ts (workerData.tsEntry). The compiled
 * build starts worker.js directly and never uses this file.
 */
import { workerData } from 'node:worker_threads';

const { register } = await import('tsx/esm/api');
register();
await import(workerData.tsEntry);
