/**
 * codegen entry point: PostgreSQL server headers → src/vNN/gen/*.gen.ts.
 *
 *   npm run codegen -- --version 16 --include /opt/pgffi-headers/16/include/server
 *   npm run codegen -- --all            (14, 15, 16 from $PGFFI_HEADERS or /opt/pgffi-headers)
 *   npm run codegen -- --all --check    (regenerate in memory; exit 1 on any difference)
 *   --out-root <dir>                     (write/check <dir>/src/vNN/gen instead of this repository's)
 *
 * Needs gcc and readelf (binutils). Layouts are what gcc computes for the host (x86_64 Linux).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitVersion, headersDigest } from './emit.js';
import { buildVersion } from './layouts.js';
import { MAJORS, type PgMajor } from './manifest.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Options {
  versions: Array<{ major: PgMajor; include: string }>;
  check: boolean;
  /** Directory holding src/vNN/gen (the repository root unless --out-root is given). */
  outRoot: string;
}

function usage(msg: string): never {
  process.stderr.write(
    `codegen: ${msg}\nusage: npm run codegen -- (--version 14|15|16 --include <dir>/include/server | --all [--headers-root <dir>]) [--check] [--out-root <dir>]\n`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  let version: PgMajor | undefined;
  let include: string | undefined;
  let all = false;
  let check = false;
  let root = process.env.PGFFI_HEADERS ?? '/opt/pgffi-headers';
  let outRoot = ROOT;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => argv[++i] ?? usage(`${a} needs a value`);
    if (a === '--version') {
      const v = Number(next());
      if (!MAJORS.includes(v as PgMajor)) usage(`unsupported version ${v}`);
      version = v as PgMajor;
    } else if (a === '--include') include = next();
    else if (a === '--headers-root') root = next();
    else if (a === '--out-root') outRoot = resolve(next());
    else if (a === '--all') all = true;
    else if (a === '--check') check = true;
    else usage(`unknown argument ${a}`);
  }
  if (all) {
    if (version !== undefined || include !== undefined) usage('--all excludes --version/--include');
    return { versions: MAJORS.map((major) => ({ major, include: join(root, String(major), 'include', 'server') })), check, outRoot };
  }
  if (version === undefined || include === undefined) usage('need --version and --include, or --all');
  return { versions: [{ major: version, include }], check, outRoot };
}

function main(): number {
  const opts = parseArgs(process.argv.slice(2));
  let differences = 0;
  for (const { major, include } of opts.versions) {
    if (!existsSync(join(include, 'pg_config.h'))) {
      process.stderr.write(`codegen: no pg_config.h under ${include} (install headers: scripts/install-pg-headers.sh)\n`);
      return 2;
    }
    const model = buildVersion(major, include);
    const files = emitVersion(model, headersDigest(include, model.headers));
    const outDir = join(opts.outRoot, 'src', `v${major}`, 'gen');
    const wanted = new Set(files.map((f) => f.name));
    const stale = existsSync(outDir) ? readdirSync(outDir).filter((n) => n.endsWith('.gen.ts') && !wanted.has(n)) : [];
    if (opts.check) {
      for (const f of files) {
        const path = join(outDir, f.name);
        const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
        if (current !== f.text) {
          differences++;
          process.stderr.write(
            `codegen --check: src/v${major}/gen/${f.name} ${current === undefined ? 'is missing' : 'differs from a fresh generation'}\n`,
          );
        }
      }
      for (const n of stale) {
        differences++;
        process.stderr.write(`codegen --check: src/v${major}/gen/${n} is not generated any more\n`);
      }
      continue;
    }
    mkdirSync(outDir, { recursive: true });
    for (const f of files) writeFileSync(join(outDir, f.name), f.text);
    for (const n of stale) rmSync(join(outDir, n));
    process.stdout.write(
      `codegen: PostgreSQL ${model.pgVersion}: ${model.structs.length} structs → src/v${major}/gen (${files.length} files)\n`,
    );
  }
  if (opts.check) {
    if (differences > 0) {
      process.stderr.write(`codegen --check: ${differences} difference(s); run npm run codegen -- --all and commit\n`);
      return 1;
    }
    process.stdout.write(`codegen --check: ${opts.versions.map((v) => v.major).join(', ')} up to date\n`);
  }
  return 0;
}

process.exitCode = main();
