/**
 * One fuzz campaign on one target, in a worker thread so the parent can stop it when a case
 * hangs (a synchronous decoder loop cannot be interrupted in-process). The current case index
 * is published in shared memory before each case; results go back as one message.
 */
import { writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { installAllocationGuard } from './guard.js';

export interface WorkerInput {
  target: string;
  base: string;
  start: number;
  deadline: number;
  count?: number;
  budgetMs: number;
  save: boolean;
  coverage: boolean;
  heartbeat: SharedArrayBuffer;
  /** File the current case is written to before it runs (saved by the parent if it hangs). */
  currentFile: string;
}

export interface WorkerFailure {
  seed: string;
  kind: string;
  signature: string;
  message: string;
  stack: string;
  savedAs: string | null;
  minimizedBytes: number;
}

export interface WorkerResult {
  target: string;
  cases: number;
  rejected: number;
  failures: WorkerFailure[];
  signatures: [string, number][];
  maxMs: number;
  totalMs: number;
  blocks?: number;
  pool?: number;
}

installAllocationGuard();
const { fuzzLoop } = await import('./engine.js');
const { targetByName } = await import('./targets/index.js');
const { Corpus } = await import('./target.js');
const { CoverageTracker } = await import('./coverage.js');

const w = workerData as WorkerInput;
const beat = new Int32Array(w.heartbeat);
const corpus = Corpus.load();
const stats = await fuzzLoop(targetByName(w.target), corpus, {
  base: w.base,
  start: w.start,
  deadline: w.deadline,
  ...(w.count === undefined ? {} : { count: w.count }),
  budgetMs: w.budgetMs,
  save: w.save,
  ...(w.coverage ? { coverage: new CoverageTracker() } : {}),
  onInput: (input, seed) => {
    writeFileSync(
      w.currentFile,
      JSON.stringify({ seed, major: input.major, params: input.params, hex: Buffer.from(input.bytes).toString('hex') }),
    );
  },
  onCase: (i) => {
    Atomics.store(beat, 0, i);
    Atomics.add(beat, 1, 1);
  },
});
const result: WorkerResult = {
  target: stats.target,
  cases: stats.cases,
  rejected: stats.rejected,
  failures: stats.failures.map((f) => ({
    seed: f.seed,
    kind: f.failure.kind,
    signature: f.failure.signature,
    message: f.failure.message,
    stack: f.failure.stack.split('\n').slice(0, 8).join('\n'),
    savedAs: f.savedAs,
    minimizedBytes: f.minimized.bytes.length,
  })),
  signatures: [...stats.signatures],
  maxMs: stats.maxMs,
  totalMs: stats.totalMs,
  ...(stats.blocks === undefined ? {} : { blocks: stats.blocks, pool: stats.pool ?? 0 }),
};
parentPort?.postMessage(result);
