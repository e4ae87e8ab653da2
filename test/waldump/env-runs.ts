/**
 * Shared by the tests of parallel `pgffi waldump` and of the native --stats/-q pass: runs
 * `pgffi waldump` in process under POSTGRES_FFI_WALDUMP_* environment variables and reads back
 * the trace lines it wrote (POSTGRES_FFI_WALDUMP_TRACE), compares runs, and handles LSNs and
 * the file names of 1 MB WAL segments.
 */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { run } from '../../src/cli/commands/waldump.js';
import { normalise, type ToolRun } from './runner.js';

/** One trace line: a parallel run (workers, parts, ending) or one call of the native pass. */
export interface WaldumpTrace {
  sequential?: boolean;
  workers?: number;
  parts?: number;
  ending?: string;
  part?: number;
  written?: number;
  /** The native --stats pass (one line per call): records counted, why it stopped, threads. */
  native?: number;
  stop?: string;
  threads?: number;
}

export const WALDUMP_ENV_KEYS = [
  'POSTGRES_FFI_WALDUMP_WORKERS',
  'POSTGRES_FFI_WALDUMP_PART_SEGMENTS',
  'POSTGRES_FFI_WALDUMP_TRACE',
  'POSTGRES_FFI_WALDUMP_TEST_FAULT',
  'POSTGRES_FFI_WALDUMP_NATIVE_STATS',
] as const;

export type WaldumpEnv = Partial<Record<(typeof WALDUMP_ENV_KEYS)[number], string>>;

/** The TypeScript reader on one thread, and the native pass on one and on four threads. */
export const TYPESCRIPT_READER: WaldumpEnv = { POSTGRES_FFI_WALDUMP_WORKERS: '0', POSTGRES_FFI_WALDUMP_NATIVE_STATS: '0' };
export const NATIVE_ONE_THREAD: WaldumpEnv = { POSTGRES_FFI_WALDUMP_WORKERS: '0' };
export const NATIVE_FOUR_THREADS: WaldumpEnv = { POSTGRES_FFI_WALDUMP_WORKERS: '3' };

let traceNo = 0;

/** pgffi waldump in process with only these variables set; the trace lines it wrote (in `traceDir`). */
export async function runWithEnv(traceDir: string, args: string[], env: WaldumpEnv): Promise<ToolRun & { trace: WaldumpTrace[] }> {
  const traceFile = join(traceDir, `trace-${process.pid}-${traceNo++}.jsonl`);
  const saved = WALDUMP_ENV_KEYS.map((k) => [k, process.env[k]] as const);
  for (const k of WALDUMP_ENV_KEYS) delete process.env[k];
  Object.assign(process.env, env, { POSTGRES_FFI_WALDUMP_TRACE: traceFile });
  const out: string[] = [];
  const err: string[] = [];
  try {
    const status = await run(args, { stdout: (s) => out.push(s), stderr: (s) => err.push(s), timeZone: 'UTC' });
    const trace = existsSync(traceFile)
      ? readFileSync(traceFile, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as WaldumpTrace)
      : [];
    return { stdout: out.join(''), stderr: normalise(err.join('')), status, trace };
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Same exit code, stderr and stdout (the first differing line named). */
export function same(a: ToolRun, b: ToolRun, what: string): void {
  expect(b.status, `${what}: exit code`).toBe(a.status);
  expect(b.stderr, `${what}: stderr`).toBe(a.stderr);
  if (a.stdout !== b.stdout) {
    const x = a.stdout.split('\n');
    const y = b.stdout.split('\n');
    const i = x.findIndex((line, k) => line !== y[k]);
    expect(`${what}: line ${i + 1}: ${y[i]}`).toBe(`${what}: line ${i + 1}: ${x[i]}`);
  }
}

/** Records the native pass counted, over all its calls in a run. */
export function nativeCounted(trace: WaldumpTrace[]): number {
  return trace.reduce((n, t) => n + (t.native ?? 0), 0);
}

export function lsnNum(lsn: string): number {
  const [hi, lo] = lsn.split('/') as [string, string];
  return Number.parseInt(hi, 16) * 2 ** 32 + Number.parseInt(lo, 16);
}

export function lsnStr(n: number): string {
  return `${Math.floor(n / 2 ** 32)
    .toString(16)
    .toUpperCase()}/${(n % 2 ** 32).toString(16).toUpperCase()}`;
}

/** The file name of the 1 MB segment holding `lsn`. */
export function segFile(lsn: number, tli = 1): string {
  const seg = 1024 * 1024;
  const segno = Math.floor(lsn / seg);
  const perId = 2 ** 32 / seg;
  const hex = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');
  return `${hex(tli)}${hex(Math.floor(segno / perId))}${hex(segno % perId)}`;
}

/** Records of pg_waldump's text: LSN, total length, rmgr and the line. */
export function records(text: string): { lsn: number; tot: number; rmgr: string; line: string }[] {
  const out: { lsn: number; tot: number; rmgr: string; line: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^rmgr: (\S+)\s+len \(rec\/tot\):\s+\d+\/\s*(\d+), tx:\s+\d+, lsn: (\S+),/.exec(line);
    if (m !== null) out.push({ rmgr: m[1]!, tot: Number(m[2]), lsn: lsnNum(m[3]!), line });
  }
  return out;
}

/** A copy of the WAL directory `src` under `parent`, to damage. */
export function walCopy(parent: string, src: string, name: string): string {
  const dir = join(parent, name);
  cpSync(src, dir, { recursive: true });
  return dir;
}
