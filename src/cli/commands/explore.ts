/**
 * pgffi explore [PATH] [--port N]
 *
 * Serves the browser explorer (explorer/dist, built by `npm run build:explorer`) on 127.0.0.1
 * and prints its URL. The page decodes WAL and pages itself; with a PATH (a pg_wal directory,
 * a data directory, any directory or a single file) a small read-only JSON API lists it and
 * serves file bytes from inside PATH only: no `..`, no absolute paths, no symlinks leading out
 * of PATH — except pg_tblspc/<oid> links and a symlinked pg_wal, which PostgreSQL follows.
 */
import { createReadStream, existsSync, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const USAGE = `pgffi explore serves the WAL and page explorer to a browser on this machine.

Usage:
  pgffi explore [PATH] [OPTION]...

PATH may be a pg_wal directory, a data directory, another directory or one file; the page can
then open files from it (read-only). Without PATH, open files in the page itself.

Options:
  -p, --port=N   port on 127.0.0.1 (default 0: any free port)
  -?, --help     show this help, then exit
`;

/**
 * explorer/dist of the package: next to the nearest package.json above this module (which is in
 * src/cli/commands or dist/cli/commands, or in dist/cli when the CLI is bundled).
 */
export const DEFAULT_DIST_DIR = explorerDistDir(dirname(fileURLToPath(import.meta.url)));

function explorerDistDir(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'explorer', 'dist');
  }
  return resolve(from, '..', '..', '..', 'explorer', 'dist');
}

export interface ExplorerServerOptions {
  /** Directory or file to browse through the API; none: static page only. */
  readonly root?: string;
  readonly port?: number;
  readonly distDir?: string;
}

export interface ExplorerServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export type RootKind = 'pg_wal' | 'data directory' | 'directory' | 'file';

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** The read-only view of PATH: what it is, and which real paths a relative path may reach. */
export class RootView {
  readonly root: string;
  readonly kind: RootKind;
  private readonly isFile: boolean;

  constructor(root: string) {
    this.root = realpathSync(root);
    this.isFile = statSync(this.root).isFile();
    if (this.isFile) this.kind = 'file';
    else if (existsSync(join(this.root, 'PG_VERSION')) && existsSync(join(this.root, 'global'))) this.kind = 'data directory';
    else if (basename(this.root) === 'pg_wal' || readdirSync(this.root).some((n) => /^[0-9A-F]{24}(\.partial)?$/.test(n)))
      this.kind = 'pg_wal';
    else this.kind = 'directory';
  }

  /** The real path of `rel` (components separated by "/"), or an HttpError. */
  resolve(rel: string): string {
    if (this.isFile) {
      if (rel === '' || rel === basename(this.root)) return this.root;
      throw new HttpError(404, `no such file: ${rel}`);
    }
    if (rel === '') return this.root;
    if (rel.includes('\0') || rel.includes('\\') || rel.startsWith('/')) throw new HttpError(403, 'absolute or malformed path refused');
    const parts = rel.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new HttpError(403, `path component "." or ".." refused: ${rel}`);
    const full = join(this.root, ...parts);
    let real: string;
    try {
      real = realpathSync(full);
    } catch {
      throw new HttpError(404, `no such file or directory: ${rel}`);
    }
    if (within(real, this.root)) return real;
    // Links PostgreSQL itself follows: pg_tblspc/<oid> → tablespace, pg_wal → WAL directory.
    if (this.kind === 'data directory') {
      const link =
        parts[0] === 'pg_tblspc' && parts.length >= 2 && /^\d+$/.test(parts[1]!)
          ? join(this.root, 'pg_tblspc', parts[1]!)
          : parts[0] === 'pg_wal'
            ? join(this.root, 'pg_wal')
            : null;
      if (link !== null && lstatSync(link).isSymbolicLink() && within(real, realpathSync(link))) return real;
    }
    throw new HttpError(403, `${rel} leads outside ${this.root}`);
  }

  list(rel: string): { name: string; type: 'file' | 'dir'; size: number }[] {
    if (this.isFile) {
      if (rel !== '') throw new HttpError(404, `no such directory: ${rel}`);
      return [{ name: basename(this.root), type: 'file', size: statSync(this.root).size }];
    }
    const dir = this.resolve(rel);
    if (!statSync(dir).isDirectory()) throw new HttpError(400, `not a directory: ${rel}`);
    const out: { name: string; type: 'file' | 'dir'; size: number }[] = [];
    for (const name of readdirSync(dir)) {
      let real: string;
      try {
        real = this.resolve(rel === '' ? name : `${rel}/${name}`);
      } catch {
        continue; // dangling, or leads outside PATH: not offered
      }
      const st = statSync(real);
      if (st.isDirectory()) out.push({ name, type: 'dir', size: 0 });
      else if (st.isFile()) out.push({ name, type: 'file', size: st.size });
    }
    return out.sort((a, b) => (a.type === b.type ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.type === 'dir' ? -1 : 1));
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string, type: string): void {
  const st = statSync(path);
  if (!st.isFile()) throw new HttpError(400, 'not a regular file');
  res.writeHead(200, { 'content-type': type, 'content-length': st.size, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(path)
    .on('error', () => res.destroy())
    .pipe(res);
}

export async function startExplorerServer(options: ExplorerServerOptions = {}): Promise<ExplorerServer> {
  const distDir = resolve(options.distDir ?? DEFAULT_DIST_DIR);
  if (!existsSync(join(distDir, 'index.html'))) {
    throw new Error(`the explorer is not built (${join(distDir, 'index.html')} is missing): run "npm run build:explorer"`);
  }
  const distReal = realpathSync(distDir);
  const view = options.root === undefined ? null : new RootView(options.root);
  let port = 0;
  const server = createServer((req, res) => {
    try {
      // Only this machine's own names: a page on another origin resolving to 127.0.0.1 gets nothing.
      const host = req.headers.host ?? '';
      if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) throw new HttpError(403, 'unexpected Host header');
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'read-only');
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
      if (url.pathname.startsWith('/api/')) {
        if (view === null) throw new HttpError(404, 'started without a PATH: no files to browse');
        const rel = url.searchParams.get('path') ?? '';
        if (url.pathname === '/api/info') sendJson(res, 200, { root: view.root, kind: view.kind });
        else if (url.pathname === '/api/list') sendJson(res, 200, view.list(rel));
        else if (url.pathname === '/api/file') sendFile(req, res, view.resolve(rel), 'application/octet-stream');
        else throw new HttpError(404, 'unknown API');
        return;
      }
      const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
      if (rel.split('/').some((p) => p === '..' || p === '.' || p === '') || rel.includes('\\') || rel.includes('\0'))
        throw new HttpError(404, 'not found');
      const path = join(distReal, rel);
      if (!within(path, distReal) || !existsSync(path)) throw new HttpError(404, 'not found');
      sendFile(req, res, path, TYPES[extname(path)] ?? 'application/octet-stream');
    } catch (e) {
      if (e instanceof HttpError) sendText(res, e.status, e.message);
      else sendText(res, 500, e instanceof Error ? e.message : String(e));
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

interface Args {
  root: string | undefined;
  port: number;
}

function parseArgs(args: string[]): Args | null | string {
  let root: string | undefined;
  let port = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--help' || a === '-?' || a === '-h') return null;
    if (a === '-p' || a === '--port' || a.startsWith('--port=')) {
      const v = a.startsWith('--port=') ? a.slice(7) : args[++i];
      if (v === undefined || !/^\d+$/.test(v) || Number(v) > 65535) return `invalid port "${v ?? ''}"`;
      port = Number(v);
    } else if (a.startsWith('-')) return `unrecognized option "${a}"`;
    else if (root === undefined) root = a;
    else return `too many command-line arguments (first is "${a}")`;
  }
  return { root, port };
}

/** The CLI entry; `stop` (tests) ends serving like SIGINT/SIGTERM do. */
export async function run(args: string[], stop?: AbortSignal): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed === null) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (typeof parsed === 'string') {
    process.stderr.write(`pgffi explore: ${parsed}\nTry "pgffi explore --help" for more information.\n`);
    return 2;
  }
  if (parsed.root !== undefined && !existsSync(parsed.root)) {
    process.stderr.write(`pgffi explore: could not open "${parsed.root}": No such file or directory\n`);
    return 1;
  }
  let server: ExplorerServer;
  try {
    server = await startExplorerServer(parsed.root === undefined ? { port: parsed.port } : { root: parsed.root, port: parsed.port });
  } catch (e) {
    process.stderr.write(`pgffi explore: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  process.stdout.write(
    `pgffi explore: serving ${parsed.root === undefined ? 'the explorer' : resolve(parsed.root)} (read-only) at ${server.url}\n`,
  );
  await new Promise<void>((done) => {
    const finish = (): void => {
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      stop?.removeEventListener('abort', finish);
      done();
    };
    process.on('SIGINT', finish);
    process.on('SIGTERM', finish);
    if (stop?.aborted) finish();
    else stop?.addEventListener('abort', finish);
  });
  await server.close();
  return 0;
}
