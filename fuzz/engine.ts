/**
 * The fuzz loop shared by `npm run fuzz` and the CI smoke tests: case i of a run with base
 * seed B on target T is generated from the seed string "T:B:i" alone, checked against the
 * contract, and on failure shrunk (truncation, then zeroing, while the same failure persists)
 * and saved under test/regressions/cases/ as a permanent test.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CaseResult, type Failure, runCase } from './contract.js';
import type { CoverageTracker } from './coverage.js';
import { mutateGeneric, PAGED_MUTATORS } from './mutate.js';
import { Rng } from './rng.js';
import type { Corpus, FuzzInput, FuzzTarget, ParamValue } from './target.js';

export const REGRESSION_DIR = join(import.meta.dirname, '..', 'test', 'regressions', 'cases');

export function caseSeed(target: string, base: string, index: number): string {
  return `${target}:${base}:${index}`;
}

export function generateCase(target: FuzzTarget, corpus: Corpus, seed: string): FuzzInput {
  return target.generate(new Rng(seed), corpus);
}

export interface FoundFailure {
  seed: string;
  failure: Failure;
  input: FuzzInput;
  minimized: FuzzInput;
  savedAs: string | null;
}

function sameFailure(a: Failure, r: CaseResult): boolean {
  return r.failure !== null && r.failure.kind === a.kind && (a.kind === 'slow' || r.failure.signature === a.signature);
}

/** Shrinks the input by truncation, then by zeroing ranges, while the same failure persists. */
export async function minimize(
  target: FuzzTarget,
  input: FuzzInput,
  failure: Failure,
  budgetMs: number,
  maxRuns = 1500,
  tick?: () => void,
): Promise<FuzzInput> {
  let runs = 0;
  let bytes = input.bytes;
  const fails = async (b: Uint8Array): Promise<boolean> => {
    runs++;
    tick?.();
    return sameFailure(failure, await runCase(target, { ...input, bytes: b }, budgetMs));
  };
  // Truncation: remove the largest tail that keeps the failure.
  for (let step = bytes.length >> 1; step > 0 && runs < maxRuns; ) {
    const cand = bytes.subarray(0, bytes.length - step);
    if (await fails(cand)) bytes = cand;
    else step >>= 1;
  }
  bytes = bytes.slice();
  // Zeroing: clear ranges (coarse to fine) that do not matter.
  for (let size = 4096; size >= 1 && runs < maxRuns; size >>= 2) {
    for (let off = 0; off < bytes.length && runs < maxRuns; off += size) {
      const end = Math.min(bytes.length, off + size);
      let nonzero = false;
      for (let i = off; i < end; i++) if (bytes[i] !== 0) nonzero = true;
      if (!nonzero) continue;
      const cand = bytes.slice();
      cand.fill(0, off, end);
      if (await fails(cand)) bytes = cand;
    }
  }
  return { ...input, bytes };
}

export interface SavedCase {
  target: string;
  major: number;
  params: Record<string, ParamValue>;
  seed: string;
  signature: string;
  message: string;
  /** The minimised input, next to this file. */
  bin: string;
  /** Set while the bug is reported but not fixed: the test then expects the failure (it.fails). */
  open?: string;
}

export function saveRegression(target: FuzzTarget, seed: string, failure: Failure, input: FuzzInput, dir = REGRESSION_DIR): string {
  mkdirSync(dir, { recursive: true });
  const id = createHash('sha256').update(failure.signature).update(input.bytes).digest('hex').slice(0, 10);
  const name = `${target.name}-${id}`;
  // A case already saved (possibly annotated by hand, e.g. "open") is kept as it is.
  if (existsSync(join(dir, `${name}.json`))) return name;
  writeFileSync(join(dir, `${name}.bin`), input.bytes);
  const c: SavedCase = {
    target: target.name,
    major: input.major,
    params: input.params,
    seed,
    signature: failure.signature,
    message: failure.message.slice(0, 300),
    bin: `${name}.bin`,
  };
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(c, null, 2)}\n`);
  return name;
}

export function loadRegressions(dir = REGRESSION_DIR): { name: string; saved: SavedCase; input: FuzzInput }[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.sort().map((f) => {
    const saved = JSON.parse(readFileSync(join(dir, f), 'utf8')) as SavedCase;
    const bytes = new Uint8Array(readFileSync(join(dir, saved.bin)));
    return { name: f.replace(/\.json$/, ''), saved, input: { bytes, major: saved.major as 14 | 15 | 16, params: saved.params } };
  });
}

export interface RunStats {
  target: string;
  cases: number;
  rejected: number;
  failures: FoundFailure[];
  /** Distinct failure signatures seen (with how many cases hit each). */
  signatures: Map<string, number>;
  maxMs: number;
  totalMs: number;
  /** Coverage-guided runs: src/ blocks reached and inputs kept for reaching new ones. */
  blocks?: number;
  pool?: number;
}

export interface LoopOptions {
  base: string;
  start?: number;
  /** Stop after this many cases … */
  count?: number;
  /** … or at this time (Date.now()). */
  deadline?: number;
  budgetMs: number;
  /** Minimise and save each new failure signature (default false). */
  save?: boolean;
  /** Called before each case (the worker's heartbeat). */
  onCase?: (index: number) => void;
  /** Called with each input just before it runs (the worker keeps it for the parent if the case hangs). */
  onInput?: (input: FuzzInput, seed: string) => void;
  onFailure?: (f: FoundFailure) => void;
  /** Coverage-guided: keep inputs that reach new src/ blocks and mutate them further. */
  coverage?: CoverageTracker;
}

const POOL_MAX = 4000;

/** A case in coverage-guided mode: from the target's generator, or a mutation of a pooled input. */
function generateGuided(target: FuzzTarget, corpus: Corpus, seed: string, pool: FuzzInput[]): FuzzInput {
  const rng = new Rng(`${seed}:pool`);
  if (pool.length === 0 || rng.chance(0.4)) return generateCase(target, corpus, seed);
  const parent = rng.pick(pool);
  return { ...parent, bytes: mutateGeneric(parent.bytes, rng, () => rng.pick(pool).bytes, PAGED_MUTATORS) };
}

export async function fuzzLoop(target: FuzzTarget, corpus: Corpus, o: LoopOptions): Promise<RunStats> {
  const stats: RunStats = { target: target.name, cases: 0, rejected: 0, failures: [], signatures: new Map(), maxMs: 0, totalMs: 0 };
  const pool: FuzzInput[] = [];
  o.coverage?.take();
  for (let i = o.start ?? 0; ; i++) {
    if (o.count !== undefined && i - (o.start ?? 0) >= o.count) break;
    if (o.deadline !== undefined && Date.now() >= o.deadline) break;
    o.onCase?.(i);
    const seed = caseSeed(target.name, o.base, i);
    const input = o.coverage === undefined ? generateCase(target, corpus, seed) : generateGuided(target, corpus, seed, pool);
    o.onInput?.(input, seed);
    const r = await runCase(target, input, o.budgetMs);
    if (o.coverage !== undefined && o.coverage.take() > 0) {
      if (pool.length >= POOL_MAX) pool[i % POOL_MAX] = input;
      else pool.push(input);
    }
    stats.cases++;
    stats.totalMs += r.ms;
    if (r.ms > stats.maxMs) stats.maxMs = r.ms;
    if (r.rejected) stats.rejected++;
    if (r.failure === null) continue;
    const seen = stats.signatures.get(r.failure.signature) ?? 0;
    stats.signatures.set(r.failure.signature, seen + 1);
    if (seen > 0) continue;
    // Slow cases are re-run once: a scheduling hiccup is not a finding.
    if (r.failure.kind === 'slow') {
      const again = await runCase(target, input, o.budgetMs);
      if (again.failure === null) {
        stats.signatures.delete(r.failure.signature);
        continue;
      }
    }
    // Slow cases shrink with few runs: each costs at least the budget.
    const tick = (): void => o.onCase?.(i);
    const minimized = o.save ? await minimize(target, input, r.failure, o.budgetMs, r.failure.kind === 'slow' ? 40 : 1500, tick) : input;
    const found: FoundFailure = {
      seed,
      failure: r.failure,
      input,
      minimized,
      savedAs: o.save ? saveRegression(target, seed, r.failure, minimized) : null,
    };
    stats.failures.push(found);
    o.onFailure?.(found);
  }
  if (o.coverage !== undefined) {
    stats.blocks = o.coverage.blocks;
    stats.pool = pool.length;
  }
  return stats;
}
