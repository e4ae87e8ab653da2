/**
 * npm run fuzz -- [--minutes N] [--cases N] [--target wal,page,…] [--seed BASE] [--budget MS] [--no-save]
 * npm run fuzz -- --replay <target>:<base>:<index>
 *
 * Runs a mutation-fuzzing campaign per target (N minutes each, one after the other), each in a
 * worker thread watched for hangs, and prints a summary: cases tried, cases rejected with a
 * PgFormatError, and failures (the seed that reproduces each, its minimised input saved under
 * test/regressions/cases/).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerInput, WorkerResult } from './worker.js';

interface Args {
  minutes: number;
  cases: number | undefined;
  targets: string[];
  base: string;
  budgetMs: number;
  save: boolean;
  replay: string | undefined;
  coverage: boolean;
}

const ALL = ['wal', 'wal-stream', 'record', 'fpi', 'page', 'control', 'cli'];
const HANG_MS = 10_000;
const REGRESSION_DIR = join(import.meta.dirname, '..', 'test', 'regressions', 'cases');
let hungInputFile = '';

/** Saves the input a hung worker was running (written by the worker before each case). */
function saveHang(target: string): string | null {
  if (!existsSync(hungInputFile)) return null;
  const c = JSON.parse(readFileSync(hungInputFile, 'utf8')) as {
    seed: string;
    major: number;
    params: Record<string, unknown>;
    hex: string;
  };
  const bytes = Buffer.from(c.hex, 'hex');
  const name = `${target}-hang-${createHash('sha256').update(bytes).digest('hex').slice(0, 10)}`;
  mkdirSync(REGRESSION_DIR, { recursive: true });
  writeFileSync(join(REGRESSION_DIR, `${name}.bin`), bytes);
  const saved = {
    target,
    major: c.major,
    params: c.params,
    seed: c.seed,
    signature: 'hang',
    message: `ran over ${HANG_MS / 1000} s`,
    bin: `${name}.bin`,
  };
  writeFileSync(join(REGRESSION_DIR, `${name}.json`), `${JSON.stringify(saved, null, 2)}\n`);
  rmSync(hungInputFile, { force: true });
  return name;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    minutes: 1,
    cases: undefined,
    targets: ALL,
    base: randomBytes(4).toString('hex'),
    budgetMs: 200,
    save: true,
    replay: undefined,
    coverage: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--minutes') a.minutes = Number(v());
    else if (k === '--cases') a.cases = Number(v());
    else if (k === '--target') a.targets = v().split(',');
    else if (k === '--seed') a.base = v();
    else if (k === '--budget') a.budgetMs = Number(v());
    else if (k === '--no-save') a.save = false;
    else if (k === '--coverage') a.coverage = true;
    else if (k === '--replay') a.replay = v();
    else if (k === '--help' || k === '-h') {
      process.stdout.write(
        'npm run fuzz -- [--minutes N per target] [--cases N] [--target wal,wal-stream,record,fpi,page,control,cli] [--seed BASE] [--budget MS] [--no-save] [--coverage]\nnpm run fuzz -- --replay TARGET:BASE:INDEX\n',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${k}`);
  }
  for (const t of a.targets) if (!ALL.includes(t)) throw new Error(`unknown target ${t} (known: ${ALL.join(', ')})`);
  return a;
}

function runWorker(
  input: Omit<WorkerInput, 'heartbeat' | 'currentFile'>,
): Promise<{ result: WorkerResult | null; hungAt: number | null; error: string | null }> {
  const heartbeat = new SharedArrayBuffer(8);
  const currentFile = join(tmpdir(), `pgffi-fuzz-current-${process.pid}-${input.target}.json`);
  const beat = new Int32Array(heartbeat);
  const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
    workerData: { ...input, heartbeat, currentFile },
    resourceLimits: { maxOldGenerationSizeMb: 2048 },
  });
  return new Promise((resolve) => {
    let result: WorkerResult | null = null;
    hungInputFile = currentFile;
    let hung = false;
    let last = -1;
    let lastChange = Date.now();
    const timer = setInterval(() => {
      const ticks = Atomics.load(beat, 1);
      if (ticks !== last) {
        last = ticks;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > HANG_MS && ticks > 0) {
        clearInterval(timer);
        hung = true;
        const at = Atomics.load(beat, 0);
        void worker.terminate().then(() => resolve({ result, hungAt: at, error: null }));
      }
    }, 500);
    worker.on('message', (m: WorkerResult) => {
      result = m;
    });
    worker.on('error', (e) => {
      clearInterval(timer);
      resolve({ result, hungAt: null, error: e.stack ?? String(e) });
    });
    worker.on('exit', (code) => {
      clearInterval(timer);
      if (hung) return;
      rmSync(currentFile, { force: true });
      resolve({
        result,
        hungAt: null,
        error: result === null ? `worker exited with code ${code} without a result (last case ${Atomics.load(beat, 0)})` : null,
      });
    });
  });
}

async function replay(seed: string, budgetMs: number): Promise<number> {
  const { installAllocationGuard } = await import('./guard.js');
  installAllocationGuard();
  const { generateCase } = await import('./engine.js');
  const { runCase } = await import('./contract.js');
  const { targetByName } = await import('./targets/index.js');
  const { Corpus } = await import('./target.js');
  const target = targetByName(seed.split(':')[0] as string);
  const input = generateCase(target, Corpus.load(), seed);
  const r = await runCase(target, input, budgetMs);
  process.stdout.write(
    `${seed}: ${input.bytes.length} bytes, PostgreSQL ${input.major}, params ${JSON.stringify(input.params)}\n${r.failure === null ? `ok (${r.rejected ? 'rejected with PgFormatError' : 'accepted'}, ${r.ms.toFixed(1)} ms)` : `${r.failure.kind}: ${r.failure.message}\n${r.failure.stack}`}\n`,
  );
  return r.failure === null ? 0 : 1;
}

async function main(): Promise<number> {
  const a = parseArgs(process.argv.slice(2));
  if (a.replay !== undefined) return replay(a.replay, a.budgetMs);
  process.stdout.write(
    `fuzz: base seed ${a.base}, targets ${a.targets.join(', ')}, ${a.cases !== undefined ? `${a.cases} cases` : `${a.minutes} min`} each, budget ${a.budgetMs} ms/case${a.coverage ? ', coverage-guided (V8 block coverage)' : ''}\n`,
  );
  const rows: string[] = [];
  let failures = 0;
  for (const target of a.targets) {
    const deadline = Date.now() + a.minutes * 60_000;
    let start = 0;
    const total = { cases: 0, rejected: 0, maxMs: 0, totalMs: 0, found: [] as string[], cov: '' };
    while (Date.now() < deadline || (a.cases !== undefined && total.cases < a.cases)) {
      const { result, hungAt, error } = await runWorker({
        target,
        base: a.base,
        start,
        deadline: a.cases !== undefined ? Number.MAX_SAFE_INTEGER : deadline,
        ...(a.cases !== undefined ? { count: a.cases - total.cases } : {}),
        budgetMs: a.budgetMs,
        save: a.save,
        coverage: a.coverage,
      });
      if (result !== null) {
        total.cases += result.cases;
        total.rejected += result.rejected;
        total.maxMs = Math.max(total.maxMs, result.maxMs);
        total.totalMs += result.totalMs;
        if (result.blocks !== undefined) total.cov = `  ${result.blocks} src blocks, pool ${result.pool}`;
        for (const f of result.failures) {
          failures++;
          const line = `  FAIL ${f.kind} [${f.signature}] seed ${f.seed}${f.savedAs !== null ? ` -> test/regressions/cases/${f.savedAs} (${f.minimizedBytes} bytes)` : ''}\n    ${f.message}`;
          total.found.push(line);
          process.stdout.write(`${line}\n${f.stack.split('\n').slice(1, 5).join('\n')}\n`);
        }
        break;
      }
      if (error !== null) {
        failures++;
        total.found.push(`  FAIL worker error: ${error.split('\n')[0]}`);
        process.stdout.write(`worker error on ${target}: ${error}\n`);
        break;
      }
      if (hungAt !== null) {
        failures++;
        const saved = a.save ? saveHang(target) : null;
        const line = `  FAIL hang: case ${target}:${a.base}:${hungAt} ran over ${HANG_MS / 1000} s (${saved !== null ? `saved as test/regressions/cases/${saved}` : `replay: npm run fuzz -- --replay ${target}:${a.base}:${hungAt}`})`;
        total.found.push(line);
        process.stdout.write(`${line}\n`);
        total.cases += hungAt - start + 1;
        start = hungAt + 1;
        continue;
      }
      break;
    }
    const row = `${target.padEnd(11)} ${String(total.cases).padStart(9)} cases  ${String(total.rejected).padStart(9)} rejected (PgFormatError)  max ${total.maxMs.toFixed(1).padStart(7)} ms  mean ${(total.totalMs / Math.max(1, total.cases)).toFixed(2).padStart(6)} ms  ${total.found.length} failure(s)${total.cov}`;
    rows.push(row, ...total.found);
    process.stdout.write(`${row}\n`);
  }
  process.stdout.write(`\nsummary (base seed ${a.base}):\n${rows.join('\n')}\n`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`fuzz: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 2;
  },
);
