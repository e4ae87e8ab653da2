#!/usr/bin/env node
/**
 * pgffi — command-line front end. Each subcommand lives in ./commands/<name>.ts and exports
 * `run(args: string[]): Promise<number>` (the exit code); they load lazily (command-loader.ts)
 * so one command's dependencies never slow another's start.
 */
import { readFileSync } from 'node:fs';
import { loadCommand } from './command-loader.js';

const COMMANDS: Readonly<Record<string, string>> = {
  waldump: 'decode WAL like pg_waldump',
  pageinspect: 'decode relation pages like pageinspect',
  checksums: 'verify, enable or disable data checksums like pg_checksums',
  controldata: 'print pg_control like pg_controldata',
  resetwal: 'reset the write-ahead log like pg_resetwal -l (crash-safe)',
  explore: 'browse WAL and pages in the browser',
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, what]) => `  ${name.padEnd(12)} ${what}`);
  return `pgffi — PostgreSQL 14/15/16 on-disk formats\n\nUsage:\n  pgffi COMMAND [OPTIONS]\n\nCommands:\n${lines.join('\n')}\n\nOptions:\n  -V, --version  print version (and whether the native module is active)\n  -?, --help     show this help\n`;
}

async function version(): Promise<string> {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  // ../node/native.js installs the native accelerator when present (POSTGRES_FFI_NATIVE=0: not).
  return `pgffi (postgres-ffi) ${pkg.version} [${(await import('../node/native.js')).backendDescription()}]`;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-?' || command === '-h') {
    process.stdout.write(usage());
    return command === undefined ? 1 : 0;
  }
  if (command === '--version' || command === '-V') {
    process.stdout.write(`${await version()}\n`);
    return 0;
  }
  if (!(command in COMMANDS)) {
    process.stderr.write(`pgffi: unknown command "${command}"\n${usage()}`);
    return 1;
  }
  return (await loadCommand(command)).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`pgffi: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
