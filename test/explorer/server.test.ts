/**
 * `pgffi explore`'s local server: static files from the built page, and the read-only API over
 * PATH — listing, file bytes, and refusal of everything outside PATH (.., absolute paths,
 * symlinks out of PATH) except the links PostgreSQL follows (pg_tblspc/<oid>, pg_wal).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExplorerServer, run, startExplorerServer } from '../../src/cli/commands/explore.js';

let base: string;
let dist: string;
let data: string;
let server: ExplorerServer;

function raw(path: string, options: { method?: string; host?: string } = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((ok, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: options.method ?? 'GET',
        headers: { host: options.host ?? `127.0.0.1:${server.port}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', fail);
    req.end();
  });
}

const file = (rel: string) => raw(`/api/file?path=${encodeURIComponent(rel)}`);

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'pgffi-explore-'));
  dist = join(base, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(join(dist, 'assets', 'app.js'), 'export {};');
  writeFileSync(join(base, 'secret'), 'SECRET-CONTENT');
  // A data directory with a tablespace link and a symlinked pg_wal outside it.
  data = join(base, 'data');
  mkdirSync(join(data, 'global'), { recursive: true });
  mkdirSync(join(data, 'base', '5'), { recursive: true });
  mkdirSync(join(data, 'pg_tblspc'), { recursive: true });
  writeFileSync(join(data, 'PG_VERSION'), '16\n');
  writeFileSync(join(data, 'base', '5', '16384'), Buffer.alloc(8192, 7));
  symlinkSync(join(base, 'secret'), join(data, 'base', '5', 'evil'));
  symlinkSync(base, join(data, 'base', 'up'));
  const ts = join(base, 'ts');
  mkdirSync(join(ts, 'PG_16_202307071', '5'), { recursive: true });
  writeFileSync(join(ts, 'PG_16_202307071', '5', '16385'), Buffer.alloc(8192, 9));
  symlinkSync(join(base, 'secret'), join(ts, 'PG_16_202307071', '5', 'escape'));
  symlinkSync(ts, join(data, 'pg_tblspc', '16500'));
  const wal = join(base, 'wal');
  mkdirSync(wal);
  writeFileSync(join(wal, '000000010000000000000001'), Buffer.alloc(8192, 1));
  symlinkSync(wal, join(data, 'pg_wal'));
  server = await startExplorerServer({ root: data, distDir: dist });
});

afterAll(async () => {
  await server?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('pgffi explore server', () => {
  it('serves the built page on 127.0.0.1', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    const index = await raw('/');
    expect(index.status).toBe(200);
    expect(index.body.toString()).toContain('<title>x</title>');
    expect((await raw('/assets/app.js')).status).toBe(200);
    expect((await raw('/assets/%2e%2e/%2e%2e/secret')).status).toBe(404);
    expect((await raw('/nope.js')).status).toBe(404);
  });

  it('refuses other Host names and non-GET methods', async () => {
    expect((await raw('/', { host: 'attacker.example:80' })).status).toBe(403);
    expect((await raw('/api/info', { host: `evil.localhost:${server.port}` })).status).toBe(403);
    expect((await raw('/api/info', { host: `localhost:${server.port}` })).status).toBe(200);
    expect((await raw('/api/file?path=base/5/16384', { method: 'DELETE' })).status).toBe(405);
  });

  it('describes and lists PATH, without entries that lead outside', async () => {
    const info = JSON.parse((await raw('/api/info')).body.toString()) as { kind: string };
    expect(info.kind).toBe('data directory');
    const top = JSON.parse((await raw('/api/list?path=')).body.toString()) as { name: string; type: string }[];
    expect(top.map((e) => e.name)).toEqual(['base', 'global', 'pg_tblspc', 'pg_wal', 'PG_VERSION']);
    const db = JSON.parse((await raw('/api/list?path=base/5')).body.toString()) as { name: string; size: number }[];
    expect(db).toEqual([{ name: '16384', type: 'file', size: 8192 }]);
    const baseDir = JSON.parse((await raw('/api/list?path=base')).body.toString()) as { name: string }[];
    expect(baseDir.map((e) => e.name)).toEqual(['5']);
  });

  it('serves files inside PATH and through the links PostgreSQL follows', async () => {
    const heap = await file('base/5/16384');
    expect(heap.status).toBe(200);
    expect(heap.body).toEqual(Buffer.alloc(8192, 7));
    const tablespace = await file('pg_tblspc/16500/PG_16_202307071/5/16385');
    expect(tablespace.status).toBe(200);
    expect(tablespace.body).toEqual(Buffer.alloc(8192, 9));
    expect((await file('pg_wal/000000010000000000000001')).status).toBe(200);
  });

  it('refuses .., absolute paths and symlinks out of PATH', async () => {
    for (const rel of [
      '../secret',
      'base/../../secret',
      '/etc/passwd',
      'base/5/evil',
      'base/up/secret',
      'pg_tblspc/16500/PG_16_202307071/5/escape',
      'base//5/16384',
      './PG_VERSION',
      'base\\5\\16384',
    ]) {
      const res = await file(rel);
      expect(res.status, rel).toBe(403);
      expect(res.body.toString()).not.toContain('SECRET-CONTENT');
    }
    expect((await file('base/5/missing')).status).toBe(404);
  });

  it('has no file API without PATH; a missing build is reported', async () => {
    const bare = await startExplorerServer({ distDir: dist });
    try {
      const res = await fetch(`${bare.url}api/info`);
      expect(res.status).toBe(404);
    } finally {
      await bare.close();
    }
    await expect(startExplorerServer({ distDir: join(base, 'nowhere') })).rejects.toThrow(/npm run build:explorer/);
  });

  it('run(): argument errors and the stop signal', async () => {
    expect(await run(['--port', 'abc'])).toBe(2);
    expect(await run(['a', 'b'])).toBe(2);
    expect(await run([join(base, 'missing')])).toBe(1);
    expect(await run(['--help'])).toBe(0);
    const stop = new AbortController();
    stop.abort();
    expect(await run([data, '--port', '0'], stop.signal)).toBe(0);
  });
});
