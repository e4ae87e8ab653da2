/**
 * pgffi controldata — prints global/pg_control (catalog/pg_control.h) exactly as
 * pg_controldata (src/bin/pg_controldata) of PostgreSQL 14, 15 and 16 does in the C locale,
 * or as one JSON object (--json).
 *
 *   pgffi controldata [-D DATADIR | DATADIR | FILE] [--json]
 *
 * A directory argument reads DATADIR/global/pg_control; a file argument reads that file.
 * Without an argument, $PGDATA. Exit 0 even on a CRC mismatch (values are printed after the
 * warning, as pg_controldata does); exit 1 when the file cannot be read in full.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type DecodedControlFile, decodeControlFile, SIZEOF_CONTROL_FILE_DATA } from '../../common/control/control-file.js';
import { controlDataJson, controlDataStderrWarnings, formatControlData } from '../../common/control/controldata-text.js';

const PROG = 'pgffi controldata';

const USAGE = `${PROG} displays control information of a PostgreSQL database cluster
(pg_control of PostgreSQL 14, 15 or 16), like pg_controldata.

Usage:
  ${PROG} [OPTION] [DATADIR | FILE]

Options:
 [-D, --pgdata=]DATADIR  data directory
      --json             print one JSON object (camelCase field names) instead of text
  -V, --version          output version information, then exit
  -?, --help             show this help, then exit

If no data directory (DATADIR) is specified, the environment variable PGDATA
is used. A FILE argument is read as a pg_control file.
`;

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  EIO: 'Input/output error',
};

function strerror(err: unknown): string {
  const code = (err as { code?: string }).code;
  return (code !== undefined ? ERRNO_TEXT[code] : undefined) ?? (err instanceof Error ? err.message : String(err));
}

class CliError extends Error {}

function hint(): string {
  return `${PROG}: hint: Try "${PROG} --help" for more information.\n`;
}

/** Reads sizeof(ControlFileData)..PG_CONTROL_FILE_SIZE bytes like get_controlfile(); throws CliError with its wording. */
function readControlBytes(path: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new CliError(`could not open file "${path}" for reading: ${strerror(err)}`);
  }
  try {
    const size = statSync(path).size;
    const buf = new Uint8Array(Math.max(SIZEOF_CONTROL_FILE_DATA, Math.min(size, 1 << 20)));
    let n = 0;
    try {
      while (n < buf.length) {
        const r = readSync(fd, buf, n, buf.length - n, n);
        if (r === 0) break;
        n += r;
      }
    } catch (err) {
      throw new CliError(`could not read file "${path}": ${strerror(err)}`);
    }
    if (n < SIZEOF_CONTROL_FILE_DATA) {
      throw new CliError(`could not read file "${path}": read ${n} of ${SIZEOF_CONTROL_FILE_DATA}`);
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * get_controlfile(): on a CRC mismatch, re-reads up to 10 times, 10 ms apart, until the same
 * bad CRC comes back twice in a row (a concurrent write by the server is then unlikely).
 */
async function readControlFile(path: string): Promise<DecodedControlFile> {
  let control = decodeControlFile(readControlBytes(path));
  let retries = 0;
  let lastCrc = -1;
  while (!control.crcOk && (retries === 0 || control.computedCrc !== lastCrc) && retries < 10) {
    retries++;
    lastCrc = control.computedCrc;
    await sleep(10);
    control = decodeControlFile(readControlBytes(path));
  }
  return control;
}

function resolvePath(target: string): string {
  try {
    if (statSync(target).isFile()) return target;
  } catch {
    // not there: report it as DATADIR/global/pg_control, as pg_controldata would
  }
  return join(target, 'global', 'pg_control');
}

export async function run(args: string[]): Promise<number> {
  if (args[0] === '--help' || args[0] === '-?') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args[0] === '--version' || args[0] === '-V') {
    process.stdout.write('pgffi controldata (postgres-ffi) for PostgreSQL 14, 15, 16\n');
    return 0;
  }
  let dataDir: string | undefined;
  let json = false;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') json = true;
    else if (a === '-D' || a === '--pgdata') {
      const v = args[++i];
      if (v === undefined) {
        process.stderr.write(
          `${PROG}: ${a === '-D' ? "option requires an argument -- 'D'" : "option '--pgdata' requires an argument"}\n${hint()}`,
        );
        return 1;
      }
      dataDir = v;
    } else if (a.startsWith('--pgdata=')) dataDir = a.slice('--pgdata='.length);
    else if (a.startsWith('-D') && a.length > 2) dataDir = a.slice(2);
    else if (a.startsWith('--')) {
      process.stderr.write(`${PROG}: unrecognized option '${a}'\n${hint()}`);
      return 1;
    } else if (a.startsWith('-') && a !== '-') {
      process.stderr.write(`${PROG}: invalid option -- '${a[1]}'\n${hint()}`);
      return 1;
    } else positional.push(a);
  }
  if (dataDir === undefined) dataDir = positional.shift() ?? process.env.PGDATA;
  if (positional.length > 0) {
    process.stderr.write(`${PROG}: error: too many command-line arguments (first is "${positional[0]}")\n${hint()}`);
    return 1;
  }
  if (dataDir === undefined || dataDir === '') {
    process.stderr.write(`${PROG}: error: no data directory specified\n${hint()}`);
    return 1;
  }
  let control: DecodedControlFile;
  try {
    control = await readControlFile(resolvePath(dataDir));
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`${PROG}: error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  for (const w of controlDataStderrWarnings(control)) process.stderr.write(`${PROG}: warning: ${w}\n`);
  if (json) process.stdout.write(`${JSON.stringify(controlDataJson(control), null, 2)}\n`);
  else process.stdout.write(formatControlData(control));
  return 0;
}
