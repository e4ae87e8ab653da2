/**
 * Small benchmark helpers: time a function over enough iterations, take the best of several
 * rounds, and print tables with ratios. Benchmarks run contenders side by side in one process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * NODE_EXTRA_CA_CERTS makes every node process read the whole CA store as it starts: on the
 * 2-core machine `node -e 0` takes 53 ms with it and 19 ms without. Sandboxes behind a
 * TLS-inspecting proxy set it; a user's shell usually does not, and none of the timed tools
 * needs it (pgffi opens no TLS connection). The processes the benchmarks start run without it,
 * and the benchmark says so when it was set.
 */
if (process.env.NODE_EXTRA_CA_CERTS !== undefined) {
  delete process.env.NODE_EXTRA_CA_CERTS;
  console.log('(NODE_EXTRA_CA_CERTS was set: the timed processes run without it, see bench/harness.ts)');
}

export interface Measurement {
  name: string;
  /** Best seconds per iteration. */
  seconds: number;
}

/** Best-of-`rounds` seconds per call of `fn`, each round running at least `minSeconds`. */
export function timeIt(fn: () => unknown, rounds = 5, minSeconds = 0.2): number {
  let iterations = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    if ((performance.now() - t) / 1000 >= minSeconds / 4) break;
    iterations *= 2;
  }
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    best = Math.min(best, (performance.now() - t) / 1000 / iterations);
  }
  return best;
}

/** Best-of-`rounds` wall time of a whole process (stdout discarded). */
export function timeProcess(cmd: string, args: string[], rounds = 5, env: NodeJS.ProcessEnv = process.env): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    const res = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env, maxBuffer: 1 << 26 });
    const s = (performance.now() - t) / 1000;
    if (res.status !== 0 && res.status !== 1) throw new Error(`${cmd} ${args.join(' ')} exited ${res.status}: ${res.stderr}`);
    best = Math.min(best, s);
  }
  return best;
}

export function gbPerSecond(bytes: number, seconds: number): string {
  return (bytes / seconds / 1e9).toFixed(2);
}

export function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]): string => `| ${cells.map((c, i) => String(c).padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

/**
 * Compiles src/ with tsc into a fresh `.bench-dist-*` directory at the repository root and
 * bundles its CLI as `npm run build` does (scripts/bundle-cli.mjs; `cli` is the bin), so that benchmarks run our
 * code as users do (plain `node` on the published files, no tsx hooks) and the compiled
 * node/native.js finds the native module at ../../native. tsc emits even when some other part of
 * the tree does not typecheck; only a missing CLI is fatal.
 */
export function compileForBench(): { dir: string; cli: string; remove: () => void } {
  const root = new URL('..', import.meta.url).pathname;
  const dir = mkdtempSync(join(root, '.bench-dist-'));
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', dir, '--declaration', 'false', '--sourceMap', 'false'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (!existsSync(join(dir, 'cli', 'main.js'))) throw new Error('tsc did not emit the CLI');
  const bundled = spawnSync(process.execPath, ['scripts/bundle-cli.mjs', dir], { cwd: root, stdio: 'inherit' });
  if (bundled.status !== 0) throw new Error('scripts/bundle-cli.mjs failed');
  return { dir, cli: join(dir, 'cli', 'main.cjs'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
