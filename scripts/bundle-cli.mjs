/**
 * Bundles the compiled CLI (tsc's output, `npm run build`) with esbuild, so that `pgffi` starts
 * by reading a few files instead of resolving and compiling ~60 modules (~20 ms of a short run):
 *
 *   node scripts/bundle-cli.mjs [DIST]     (default: dist)
 *
 * DIST/cli/main.js (package.json's bin) is replaced by the bundle; the thread entries that the
 * CLI starts by file name next to its own module, worker.js (parallel waldump) and
 * relation-checksum-worker.js (pg_checksums threads), are bundled beside it; code shared with
 * them and each command (loaded on demand) go into DIST/cli/_*.js. Every file that code
 * resolves from import.meta.url (../../package.json, ../../native/index.js, the workers,
 * explorer/dist) is found from DIST/cli as from its unbundled place. The rest of DIST (the
 * library) is left as tsc wrote it.
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const dist = resolve(process.argv[2] ?? 'dist');
const cli = join(dist, 'cli');
const entries = {
  main: join(cli, 'main.js'),
  worker: join(cli, 'waldump', 'worker.js'),
  'relation-checksum-worker': join(dist, 'node', 'relation-checksum-worker.js'),
};
for (const file of Object.values(entries)) {
  if (!existsSync(file)) throw new Error(`bundle-cli: ${file} is missing (run tsc first)`);
}

const result = await build({
  entryPoints: entries,
  outdir: cli,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // Packages (fzstd, the native module's package) stay imports, resolved from the package.
  packages: 'external',
  chunkNames: '_[name]-[hash]',
  sourcemap: existsSync(`${entries.main}.map`) ? 'linked' : false,
  // Everything is read before anything is written: main.js is replaced in place.
  write: false,
  logLevel: 'warning',
});
for (const name of readdirSync(cli)) if (name.startsWith('_')) rmSync(join(cli, name));
for (const file of result.outputFiles) writeFileSync(file.path, file.contents);
