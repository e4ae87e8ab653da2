/**
 * Runs test/waldump/cases.txt on a real server of one major version: the workload, the coverage
 * check and the pg_waldump comparisons (our `pgffi waldump` against the C tool of the same
 * major, output and exit code, program name normalised), plus helpers shared with the
 * pg_walinspect tests.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { run } from '../../src/cli/commands/waldump.js';
import { type PgMajorVersion, type PgServer, serverIds } from '../support/pg-server.js';

export interface Directive {
  kind: string;
  rest: string;
  line: number;
}

function appliesTo(tag: string | undefined, major: number): boolean {
  if (tag === undefined) return true;
  if (tag.endsWith('+')) return major >= Number(tag.slice(0, -1));
  return major === Number(tag);
}

/** The directives of cases.txt that apply to `major`. */
export function loadCases(major: number): Directive[] {
  const text = readFileSync(new URL('./cases.txt', import.meta.url), 'utf8');
  const out: Directive[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (line === '' || line.startsWith('#')) return;
    const m = /^([a-z0-9-]+)(?:@(\d+\+?))?(?:\s+(.*))?$/.exec(line);
    if (m === null) throw new Error(`cases.txt:${i + 1}: cannot parse "${line}"`);
    if (!appliesTo(m[2], major)) return;
    out.push({ kind: m[1]!, rest: m[3] ?? '', line: i + 1 });
  });
  return out;
}

/** Where pg_waldump of each major lives: Debian's 15, scripts/install-pg-tools.sh's 14 and 16. */
export function pgWaldumpPath(major: PgMajorVersion): string | null {
  const candidates =
    major === 15
      ? ['/usr/lib/postgresql/15/bin/pg_waldump']
      : [
          join(process.env.PGFFI_TOOLS ?? '/opt/pgffi-pg', String(major), 'bin', 'pg_waldump'),
          `/usr/lib/postgresql/${major}/bin/pg_waldump`,
        ];
  for (const c of candidates) if (existsSync(c)) return c;
  return null;
}

export interface WorkloadResult {
  vars: Record<string, string>;
  waldumps: Directive[];
  expects: string[];
  start: string;
  end: string;
}

function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\{([A-Z0-9_]+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

/** Runs the workload directives; the server is left running. */
export async function runWorkload(server: PgServer, major: PgMajorVersion): Promise<WorkloadResult> {
  const cases = loadCases(major);
  const tmp = mkdtempSync(join(tmpdir(), `pgffi-waldump-${major}-`));
  const vars: Record<string, string> = { TMP: tmp, WALDIR: server.walDir };
  // Start at a segment boundary: everything from here on is ours.
  await server.switchWal();
  const start = await server.currentLsn();
  vars.START = start;
  vars.STARTSEG = join(server.walDir, await server.walFileName(start));
  let conn2: pg.Client | null = null;
  const waldumps: Directive[] = [];
  const expects: string[] = [];
  for (const d of cases) {
    const rest = substitute(d.rest, vars);
    try {
      switch (d.kind) {
        case 'sql':
          await server.query(rest);
          break;
        case 'conn2':
          conn2 ??= await server.connect('postgres');
          await conn2.query(rest);
          break;
        case 'checkpoint':
          await server.checkpoint();
          break;
        case 'switch-wal':
          await server.switchWal();
          break;
        case 'restart':
          if (conn2 !== null) {
            await conn2.end();
            conn2 = null;
          }
          await server.stop();
          await server.startExisting();
          break;
        case 'tablespace-dir': {
          const dir = join(tmp, 'tablespace');
          mkdirSync(dir);
          const ids = serverIds();
          if (ids !== null) {
            chownSync(tmp, ids.uid, ids.gid);
            chownSync(dir, ids.uid, ids.gid);
          }
          vars.TSDIR = dir;
          break;
        }
        case 'mark':
          vars[rest] = await server.currentLsn();
          break;
        case 'xid': {
          const [name, ...sql] = rest.split(' ');
          const rows = await server.query<{ xid: string }>(sql.join(' '));
          vars[name!] = String(rows[0]!.xid);
          break;
        }
        case 'waldump':
          waldumps.push(d);
          break;
        case 'expect':
          expects.push(rest);
          break;
        default:
          throw new Error(`unknown directive ${d.kind}`);
      }
    } catch (err) {
      throw new Error(`cases.txt:${d.line} (${d.kind} ${rest}): ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (conn2 !== null) await conn2.end();
  const end = await server.currentLsn();
  vars.END = end;
  vars.ENDSEG = join(server.walDir, await server.walFileName(end));
  const rel = await server.query<{ r: string }>(
    "SELECT (CASE WHEN reltablespace = 0 THEN 1663 ELSE reltablespace END) || '/' || (SELECT oid FROM pg_database WHERE datname = current_database()) || '/' || pg_relation_filenode('t3') AS r FROM pg_class WHERE relname = 't3'",
  );
  vars.REL = rel[0]!.r;
  return { vars, waldumps, expects, start, end };
}

export interface ToolRun {
  stdout: string;
  stderr: string;
  status: number;
}

/** Normalises the program name: "pgffi waldump" and pg_waldump's argv[0] both become "pg_waldump". */
export function normalise(text: string): string {
  return text.replace(/pgffi waldump/g, 'pg_waldump').replace(/^\/\S*\/pg_waldump:/gm, 'pg_waldump:');
}

/** Splits an argument string on blanks (no quoting needed in cases.txt). */
export function splitArgs(text: string): string[] {
  return text.split(/\s+/).filter((a) => a !== '');
}

export function runCTool(tool: string, args: string[], tz = 'UTC'): ToolRun {
  const res = spawnSync(tool, args, { encoding: 'utf8', env: { ...process.env, TZ: tz, LC_ALL: 'C', LANG: 'C' }, maxBuffer: 1 << 30 });
  return { stdout: res.stdout, stderr: normalise(res.stderr), status: res.status ?? -1 };
}

export async function runOurs(args: string[], tz = 'UTC'): Promise<ToolRun> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await run(args, { stdout: (s) => out.push(s), stderr: (s) => err.push(s), timeZone: tz });
  return { stdout: out.join(''), stderr: normalise(err.join('')), status };
}

/** Record types ("Rmgr/TYPE") listed by pg_waldump --stats=record over [start, end). */
export function producedTypes(tool: string, walDir: string, start: string, end: string): Set<string> {
  const res = runCTool(tool, ['-p', walDir, '-s', start, '-e', end, '--stats=record']);
  const types = new Set<string>();
  for (const line of res.stdout.split('\n')) {
    const m = /^(\S+\/\S+)\s+\d+/.exec(line);
    if (m !== null) types.add(m[1]!);
  }
  return types;
}

/** Files of a --save-fullpage directory with their contents. */
export function dirContents(dir: string): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  if (!existsSync(dir)) return m;
  for (const f of readdirSync(dir).sort()) m.set(f, readFileSync(join(dir, f)));
  return m;
}

export function cleanup(vars: Record<string, string>): void {
  if (vars.TMP !== undefined) rmSync(vars.TMP, { recursive: true, force: true });
}

export { substitute };
