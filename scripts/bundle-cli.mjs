/**
 * Bundles the compiled CLI (tsc's output, `npm run build`) with esbuild, so that `pgffi` starts
 * by reading two files instead of resolving and compiling ~60 ES modules:
 *
 *   node scripts/bundle-cli.mjs [DIST]     (default: dist)
 *
 * - DIST/cli/main.cjs (package.json's bin): the dispatcher, CommonJS. Its command loader is
 *   src/cli/bundled-command-loader.ts instead of command-loader.ts.
 * - DIST/cli/<command>.cjs, one CommonJS bundle per command (with the native accelerator's
 *   loader), and DIST/cli/<command>.cjs.v8cache, V8's code cache for it, written by running
 *   `pgffi <command> --help` once with POSTGRES_FFI_CODE_CACHE=write (see
 *   bundled-command-loader.ts). A cache is only good for the V8 version (node) that wrote it:
 *   a different node compiles the bundle as usual.
 * - The thread entries that the CLI starts by file name next to its own module, worker.js
 *   (parallel waldump) and relation-checksum-worker.js (pg_checksums threads), stay ES modules,
 *   bundled beside it with their shared code in DIST/cli/_*.js.
 *
 * Every file that code resolves from import.meta.url (../../package.json, ../../native/index.js,
 * the workers, explorer/dist) is found from DIST/cli as from its unbundled place. The rest of
 * DIST (the library, and tsc's unbundled CLI) is left as tsc wrote it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const dist = resolve(process.argv[2] ?? 'dist');
const cli = join(dist, 'cli');
const commands = readdirSync(join(cli, 'commands'))
  .filter((name) => name.endsWith('.js'))
  .map((name) => name.slice(0, -'.js'.length));
const workers = {
  worker: join(cli, 'waldump', 'worker.js'),
  'relation-checksum-worker': join(dist, 'node', 'relation-checksum-worker.js'),
};
for (const file of [join(cli, 'main.js'), join(cli, 'bundled-command-loader.js'), ...Object.values(workers)]) {
  if (!existsSync(file)) throw new Error(`bundle-cli: ${file} is missing (run tsc first)`);
}
const sourcemap = existsSync(join(cli, 'main.js.map')) ? 'linked' : false;

for (const name of readdirSync(cli)) {
  if (name.startsWith('_') || name.endsWith('.cjs') || name.endsWith('.cjs.map') || name.endsWith('.cjs.v8cache')) rmSync(join(cli, name));
}

const workerBuild = await build({
  entryPoints: workers,
  outdir: cli,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // Packages (fzstd, the native module's package) stay imports, resolved from the package.
  packages: 'external',
  chunkNames: '_[name]-[hash]',
  sourcemap,
  write: false,
  logLevel: 'warning',
});
for (const file of workerBuild.outputFiles) writeFileSync(file.path, file.contents);

/** CommonJS has no import.meta: each bundle computes its URL from __filename. */
const commonJs = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  packages: 'external',
  sourcemap,
  banner: { js: 'var __pgffi_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__pgffi_import_meta_url' },
  logLevel: 'warning',
};

await build({
  ...commonJs,
  entryPoints: [join(cli, 'main.js')],
  outfile: join(cli, 'main.cjs'),
  plugins: [
    {
      name: 'bundled-command-loader',
      setup(b) {
        b.onResolve({ filter: /^\.\/command-loader\.js$/ }, () => ({ path: join(cli, 'bundled-command-loader.js') }));
      },
    },
  ],
});
for (const command of commands) {
  await build({
    ...commonJs,
    stdin: {
      contents: `import '../node/native.js';\nexport * from './commands/${command}.js';\n`,
      resolveDir: cli,
      sourcefile: `${command}-entry.js`,
    },
    outfile: join(cli, `${command}.cjs`),
  });
}

// V8 code caches, from one run of each command (--help: module set-up and argument handling).
for (const command of commands) {
  const run = spawnSync(process.execPath, [join(cli, 'main.cjs'), command, '--help'], {
    env: { ...process.env, POSTGRES_FFI_CODE_CACHE: 'write' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (!existsSync(join(cli, `${command}.cjs.v8cache`))) {
    throw new Error(`bundle-cli: pgffi ${command} --help (exit ${run.status}) wrote no code cache`);
  }
}
