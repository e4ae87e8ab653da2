/**
 * pgffi checksums — pg_checksums (src/bin/pg_checksums/pg_checksums.c) for PostgreSQL 14–16:
 * verify, enable or disable data page checksums of a stopped cluster, with the same directory
 * walk, skip list, messages, summary and exit codes. Differences on purpose: --enable rewrites
 * each changed file atomically (temp file, fsync, rename, fsync dir) instead of in place, and
 * pg_control is replaced atomically last; --json prints a report for tooling.
 *
 * pg_control is read and written with the control-file codec (common/control).
 */
import { closeSync, existsSync, fstatSync, lstatSync, opendirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { type DecodedControlFile, decodeControlFile, encodeControlFile } from '../../common/control/control-file.js';
import { majorFromCatalogVersion, type PgMajor } from '../../common/core/version.js';
import { checksumBlockWords, finishChecksum, PD_CHECKSUM_OFFSET } from '../../common/page/checksum.js';
import { atomicWriteFile, atomicWriteFileStreaming, removeStaleTempFiles } from '../../node/atomic-write.js';
import { type ChecksumJob, checksumFiles, checksumThreads } from '../../node/relation-checksum.js';

const PROGNAME = 'pg_checksums';
const BLCKSZ = 8192;
const RELSEG_SIZE = 131072;
const PG_CONTROL_VERSION = 1300;
const PG_DATA_CHECKSUM_VERSION = 1;
const DB_SHUTDOWNED = 1;
const DB_SHUTDOWNED_IN_RECOVERY = 2;
const PG_CONTROL_FILE_SIZE = 8192;
const CHUNK_PAGES = 512;
const PG_TEMP_PREFIX = 'pgsql_tmp';
/** skip[] in pg_checksums.c: exact names, and prefixes. */
const SKIP_EXACT = new Set(['pg_control', 'pg_filenode.map', 'PG_VERSION']);
const SKIP_PREFIX = ['pg_internal.init'];

type Mode = 'check' | 'enable' | 'disable';

class Fatal extends Error {
  readonly lines: string[];
  constructor(lines: string[]) {
    super(lines.join('\n'));
    this.lines = lines;
  }
}

function fatal(message: string, ...more: string[]): never {
  throw new Fatal([`${PROGNAME}: error: ${message}`, ...more]);
}

/** getopt_long's own complaints carry no "error:" level. */
function getoptFatal(message: string): never {
  throw new Fatal([`${PROGNAME}: ${message}`, hint()]);
}

function hint(): string {
  return `${PROGNAME}: hint: Try "${PROGNAME} --help" for more information.`;
}

interface Options {
  mode: Mode;
  dataDir: string;
  filenode: string | undefined;
  sync: boolean;
  progress: boolean;
  verbose: boolean;
  json: boolean;
}

const USAGE = `${PROGNAME} enables, disables, or verifies data checksums in a PostgreSQL database cluster.

Usage:
  pgffi checksums [OPTION]... [DATADIR]

Options:
 [-D, --pgdata=]DATADIR    data directory
  -c, --check              check data checksums (default)
  -d, --disable            disable data checksums
  -e, --enable             enable data checksums
  -f, --filenode=FILENODE  check only relation with specified filenode
  -N, --no-sync            do not wait for changes to be written safely to disk
  -P, --progress           show progress information
  -v, --verbose            output verbose messages
      --json               print a JSON report instead of the text summary
  -V, --version            output version information, then exit
  -?, --help               show this help, then exit

If no data directory (DATADIR) is specified, the environment variable PGDATA
is used.
`;

function parseArgs(args: string[]): Options | number {
  let mode: Mode = 'check';
  let dataDir: string | undefined;
  let filenode: string | undefined;
  let sync = true;
  let progress = false;
  let verbose = false;
  let json = false;
  const positional: string[] = [];
  if (args[0] === '--help' || args[0] === '-?') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args[0] === '--version' || args[0] === '-V') {
    process.stdout.write('pg_checksums (postgres-ffi) for PostgreSQL 14, 15, 16\n');
    return 0;
  }
  const longs: Record<string, string> = {
    check: 'c',
    pgdata: 'D',
    disable: 'd',
    enable: 'e',
    filenode: 'f',
    'no-sync': 'N',
    progress: 'P',
    verbose: 'v',
    json: 'json',
  };
  const withArg = new Set(['D', 'f']);
  const apply = (opt: string, value: string | undefined): void => {
    switch (opt) {
      case 'c':
        mode = 'check';
        break;
      case 'd':
        mode = 'disable';
        break;
      case 'e':
        mode = 'enable';
        break;
      case 'f':
        if (value === undefined || !/^\s*\d+\s*$/.test(value) || Number(value) > 0x7fffffff) {
          fatal(`invalid value "${value ?? ''}" for option -f/--filenode`);
        }
        filenode = value;
        break;
      case 'N':
        sync = false;
        break;
      case 'v':
        verbose = true;
        break;
      case 'D':
        dataDir = value;
        break;
      case 'P':
        progress = true;
        break;
      case 'json':
        json = true;
        break;
    }
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const opt = longs[name];
      if (opt === undefined) getoptFatal(`unrecognized option '${a}'`);
      let value: string | undefined;
      if (withArg.has(opt)) {
        value = eq < 0 ? args[++i] : a.slice(eq + 1);
        if (value === undefined) getoptFatal(`option '--${name}' requires an argument`);
      }
      apply(opt, value);
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const opt = a[j]!;
        if (!'cDdeNPfv'.includes(opt)) getoptFatal(`invalid option -- '${opt}'`);
        if (withArg.has(opt)) {
          const value = j + 1 < a.length ? a.slice(j + 1) : args[++i];
          if (value === undefined) getoptFatal(`option requires an argument -- '${opt}'`);
          apply(opt, value);
          break;
        }
        apply(opt, undefined);
      }
    } else positional.push(a);
  }
  if (dataDir === undefined) {
    dataDir = positional.shift() ?? process.env.PGDATA;
    if (dataDir === undefined) fatal('no data directory specified', hint());
  }
  if (positional.length > 0) fatal(`too many command-line arguments (first is "${positional[0]}")`, hint());
  if (mode !== 'check' && filenode !== undefined) fatal('option -f/--filenode can only be used with --check', hint());
  return { mode, dataDir, filenode, sync, progress, verbose, json };
}

interface Control {
  decoded: DecodedControlFile;
  pgControlVersion: number;
  catalogVersionNo: number;
  state: number;
  blcksz: number;
  dataChecksumVersion: number;
  crcOk: boolean;
}

function readControl(dataDir: string): Control {
  const path = `${dataDir}/global/pg_control`;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    fatal(`could not open file "${path}" for reading: ${errnoText(e)}`);
  }
  if (bytes.length < SIZEOF_CONTROL_FILE_DATA) fatal(`could not read file "${path}": read ${bytes.length} of ${SIZEOF_CONTROL_FILE_DATA}`);
  const decoded = decodeControlFile(bytes);
  return {
    decoded,
    pgControlVersion: decoded.pg_control_version,
    catalogVersionNo: decoded.catalog_version_no,
    state: decoded.state,
    blcksz: decoded.blcksz,
    dataChecksumVersion: decoded.data_checksum_version,
    crcOk: decoded.crcOk,
  };
}

/** sizeof(ControlFileData); update_controlfile() zero-pads the file after it. */
const SIZEOF_CONTROL_FILE_DATA = 296;

/**
 * pg_control as update_controlfile() writes it: data_checksum_version replaced, `time` set to
 * now, the CRC recomputed, zeros after the struct.
 */
function controlWithChecksumVersion(control: Control, version: number): Uint8Array {
  return encodeControlFile({
    ...control.decoded,
    data_checksum_version: version,
    time: BigInt(Math.floor(Date.now() / 1000)),
    trailing: new Uint8Array(PG_CONTROL_FILE_SIZE - SIZEOF_CONTROL_FILE_DATA),
  });
}

function errnoText(e: unknown): string {
  const code = (e as { code?: string }).code;
  const texts: Record<string, string> = {
    ENOENT: 'No such file or directory',
    EACCES: 'Permission denied',
    ENOTDIR: 'Not a directory',
    EISDIR: 'Is a directory',
  };
  return (code !== undefined ? texts[code] : undefined) ?? (e instanceof Error ? e.message : String(e));
}

interface BadBlock {
  file: string;
  block: number;
  calculated: number;
  stored: number;
}

interface Report {
  mode: Mode;
  dataDirectory: string;
  majorVersion: PgMajor;
  filesScanned: number;
  blocksScanned: number;
  badChecksums: number;
  filesWritten: number;
  blocksWritten: number;
  dataChecksumVersion: number;
  badBlocks: BadBlock[];
}

class Progress {
  total = 0;
  current = 0;
  private last = -1;
  private readonly tty = process.stderr.isTTY === true;

  report(finished: boolean): void {
    const now = Math.floor(Date.now() / 1000);
    if (now === this.last && !finished) return;
    this.last = now;
    if (this.current > this.total) this.total = this.current;
    const percent = this.total > 0 ? Math.floor((this.current * 100) / this.total) : 0;
    const mb = `${Math.floor(this.current / 1048576)}/${Math.floor(this.total / 1048576)} MB (${percent}%) computed`;
    if (this.tty) {
      const width = 30;
      const filled = Math.floor((percent * width) / 100);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
      process.stderr.write(`\r${bar} ${mb}${finished ? '\n' : ''}`);
    } else {
      process.stderr.write(`${mb}\n`);
    }
  }
}

class Scanner {
  readonly report: Report;
  /** When set, the walk collects files here instead of scanning them (check mode). */
  jobs: ChecksumJob[] | null = null;
  private readonly opts: Options;
  private readonly progress: Progress | null;
  private readonly buf = new Uint8Array(BLCKSZ * CHUNK_PAGES);
  private readonly words = new Int32Array(this.buf.buffer);
  private readonly tablespaceDir: string;
  private readonly log: (line: string) => void;

  constructor(opts: Options, report: Report, tablespaceDir: string, progress: Progress | null, log: (line: string) => void) {
    this.opts = opts;
    this.report = report;
    this.tablespaceDir = tablespaceDir;
    this.progress = progress;
    this.log = log;
  }

  /** scan_directory(basedir, subdir, sizeonly): directory order, as readdir(3) returns it. */
  scanDirectory(basedir: string, subdir: string, sizeOnly: boolean): number {
    let dirsize = 0;
    const path = `${basedir}/${subdir}`;
    let dir: ReturnType<typeof opendirSync>;
    try {
      dir = opendirSync(path);
    } catch (e) {
      fatal(`could not open directory "${path}": ${errnoText(e)}`);
    }
    try {
      for (let de = dir.readSync(); de !== null; de = dir.readSync()) {
        const name = de.name;
        if (name === '.' || name === '..') continue;
        if (name.startsWith(PG_TEMP_PREFIX)) continue;
        const fn = `${path}/${name}`;
        let st: ReturnType<typeof lstatSync>;
        try {
          st = lstatSync(fn);
        } catch (e) {
          fatal(`could not stat file "${fn}": ${errnoText(e)}`);
        }
        if (st.isFile()) {
          if (SKIP_EXACT.has(name) || SKIP_PREFIX.some((p) => name.startsWith(p))) continue;
          let fnonly = name;
          let segmentno = 0;
          const dot = fnonly.indexOf('.');
          if (dot >= 0) {
            segmentno = atoi(fnonly.slice(dot + 1));
            fnonly = fnonly.slice(0, dot);
            if (segmentno === 0) fatal(`invalid segment number ${segmentno} in file name "${fn}"`);
          }
          const us = fnonly.indexOf('_');
          if (us >= 0) fnonly = fnonly.slice(0, us);
          if (this.opts.filenode !== undefined && this.opts.filenode !== fnonly) continue;
          dirsize += st.size;
          if (this.jobs !== null) this.jobs.push({ path: fn, segmentno, size: st.size });
          else if (!sizeOnly) this.scanFile(fn, segmentno);
        } else if (st.isDirectory() || st.isSymbolicLink()) {
          if (subdir.startsWith('pg_tblspc')) {
            const tblspcPath = `${path}/${name}/${this.tablespaceDir}`;
            try {
              lstatSync(tblspcPath);
            } catch (e) {
              fatal(`could not stat file "${tblspcPath}": ${errnoText(e)}`);
            }
            dirsize += this.scanDirectory(`${path}/${name}`, this.tablespaceDir, sizeOnly);
          } else {
            dirsize += this.scanDirectory(path, name, sizeOnly);
          }
        }
      }
    } finally {
      dir.closeSync();
    }
    return dirsize;
  }

  /**
   * Reads `fn` in chunks and calls `page(chunkWords, wordBase, pageOffsetInChunk, blockno)` for
   * every non-new page; returns the number of blocks read.
   */
  private forEachPage(
    fn: string,
    fd: number,
    count: boolean,
    page: (chunk: Uint8Array, pageOffset: number, blockno: number) => void,
  ): void {
    let blockno = 0;
    let pos = 0;
    for (;;) {
      let got = 0;
      const want = this.buf.byteLength;
      while (got < want) {
        let r: number;
        try {
          r = readSync(fd, this.buf, got, want - got, pos + got);
        } catch (e) {
          fatal(`could not read block ${blockno + Math.floor(got / BLCKSZ)} in file "${fn}": ${errnoText(e)}`);
        }
        if (r === 0) break;
        got += r;
      }
      if (got === 0) return;
      const pages = Math.floor(got / BLCKSZ);
      for (let p = 0; p < pages; p++, blockno++) {
        if (count) {
          this.report.blocksScanned++;
          if (this.progress !== null) this.progress.current += BLCKSZ;
        }
        const off = p * BLCKSZ;
        if ((this.buf[off + 14]! | this.buf[off + 15]!) === 0) continue;
        page(this.buf, off, blockno);
        if (count && this.progress !== null) this.progress.report(false);
      }
      if (got % BLCKSZ !== 0) fatal(`could not read block ${blockno} in file "${fn}": read ${got % BLCKSZ} of ${BLCKSZ}`);
      pos += got;
      if (got < want) return;
    }
  }

  /** scan_file(fn, segmentno) in --enable mode: count the blocks whose checksum must change, then rewrite the file if any. */
  scanFile(fn: string, segmentno: number): void {
    let fd: number;
    try {
      fd = openSync(fn, 'r');
    } catch (e) {
      fatal(`could not open file "${fn}": ${errnoText(e)}`);
    }
    this.report.filesScanned++;
    const base = segmentno * RELSEG_SIZE;
    let toWrite = 0;
    try {
      this.forEachPage(fn, fd, true, (chunk, off, blockno) => {
        const csum = finishChecksum(checksumBlockWords(this.words, off >>> 2, BLCKSZ >>> 2), (blockno + base) >>> 0);
        const stored = chunk[off + PD_CHECKSUM_OFFSET]! | (chunk[off + PD_CHECKSUM_OFFSET + 1]! << 8);
        if (csum !== stored) toWrite++;
      });
      if (toWrite > 0) this.rewriteFile(fn, fd, base);
    } finally {
      closeSync(fd);
    }
    if (this.opts.verbose) this.log(`${PROGNAME}: checksums enabled in file "${fn}"`);
    if (toWrite > 0) {
      this.report.filesWritten++;
      this.report.blocksWritten += toWrite;
    }
  }

  /** Writes the file again with every non-new page's checksum set, through an atomic replace. */
  private rewriteFile(fn: string, fd: number, base: number): void {
    const size = fstatSync(fd).size;
    atomicWriteFileStreaming(
      fn,
      (put) => {
        let pos = 0;
        while (pos < size) {
          const want = Math.min(this.buf.byteLength, size - pos);
          let got = 0;
          while (got < want) {
            const r = readSync(fd, this.buf, got, want - got, pos + got);
            if (r === 0)
              fatal(`could not read block ${Math.floor((pos + got) / BLCKSZ)} in file "${fn}": read ${got % BLCKSZ} of ${BLCKSZ}`);
            got += r;
          }
          for (let off = 0; off + BLCKSZ <= got; off += BLCKSZ) {
            if ((this.buf[off + 14]! | this.buf[off + 15]!) === 0) continue;
            const blockno = (pos + off) / BLCKSZ + base;
            const csum = finishChecksum(checksumBlockWords(this.words, off >>> 2, BLCKSZ >>> 2), blockno >>> 0);
            this.buf[off + PD_CHECKSUM_OFFSET] = csum & 0xff;
            this.buf[off + PD_CHECKSUM_OFFSET + 1] = csum >>> 8;
          }
          put(this.buf.subarray(0, got));
          pos += got;
        }
      },
      { sync: this.opts.sync },
    );
  }
}

function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number.parseInt(m[1]!, 10) | 0;
}

function hexU(n: number): string {
  return n.toString(16).toUpperCase();
}

/** Removes our stale temporary files under the directories pg_checksums scans. */
function cleanStaleTemps(dir: string): void {
  removeStaleTempFiles(dir);
  for (const name of opendirEntries(dir)) {
    const p = `${dir}/${name}`;
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) cleanStaleTemps(p);
  }
}

function opendirEntries(dir: string): string[] {
  const out: string[] = [];
  const d = opendirSync(dir);
  try {
    for (let de = d.readSync(); de !== null; de = d.readSync()) out.push(de.name);
  } finally {
    d.closeSync();
  }
  return out;
}

/**
 * Check mode: walk the directories as pg_checksums does (a walk error ends the list where it
 * happened), then check the files — on worker threads when there is enough data — printing
 * each file's results in walk order, so the output is the same as a one-file-at-a-time scan.
 */
async function checkFiles(opts: Options, scanner: Scanner, progress: Progress | null, err: (line: string) => void): Promise<void> {
  const jobs: ChecksumJob[] = [];
  scanner.jobs = jobs;
  let walkError: Fatal | null = null;
  try {
    for (const d of ['global', 'base', 'pg_tblspc']) scanner.scanDirectory(opts.dataDir, d, true);
  } catch (e) {
    if (!(e instanceof Fatal)) throw e;
    walkError = e;
  }
  scanner.jobs = null;
  const report = scanner.report;
  let total = 0;
  for (const j of jobs) total += j.size;
  if (progress !== null) progress.total = total;
  const printErrors = report.dataChecksumVersion === PG_DATA_CHECKSUM_VERSION && !opts.json;
  await checksumFiles(jobs, checksumThreads(total), (i, r) => {
    const fn = jobs[i]!.path;
    report.filesScanned++;
    report.blocksScanned += r.blocks;
    for (const b of r.bad) {
      if (printErrors) {
        err(
          `${PROGNAME}: error: checksum verification failed in file "${fn}", block ${b.block}: calculated checksum ${hexU(b.calculated)} but block contains ${hexU(b.stored)}`,
        );
      }
      report.badChecksums++;
      report.badBlocks.push({ file: fn, block: b.block, calculated: b.calculated, stored: b.stored });
    }
    if (progress !== null) {
      progress.current += r.blocks * BLCKSZ;
      progress.report(false);
    }
    if (r.error !== undefined) fatal(r.error);
    if (opts.verbose) err(`${PROGNAME}: checksums verified in file "${fn}"`);
  });
  if (walkError !== null) throw walkError;
}

async function execute(opts: Options, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const control = readControl(opts.dataDir);
  if (!control.crcOk) fatal('pg_control CRC value is incorrect');
  if (control.pgControlVersion !== PG_CONTROL_VERSION) fatal('cluster is not compatible with this version of pg_checksums');
  const major = majorFromCatalogVersion(control.catalogVersionNo);
  let pgVersion = '';
  try {
    pgVersion = readFileSync(`${opts.dataDir}/PG_VERSION`, 'utf8').trim();
  } catch {
    // reported below as an incompatible cluster
  }
  if (major === undefined || pgVersion !== String(major)) fatal('cluster is not compatible with this version of pg_checksums');
  if (control.blcksz !== BLCKSZ) {
    fatal(
      'database cluster is not compatible',
      `${PROGNAME}: detail: The database cluster was initialized with block size ${control.blcksz}, but pg_checksums was compiled with block size ${BLCKSZ}.`,
    );
  }
  if (control.state !== DB_SHUTDOWNED && control.state !== DB_SHUTDOWNED_IN_RECOVERY) fatal('cluster must be shut down');
  if (existsSync(`${opts.dataDir}/postmaster.pid`)) fatal('cluster must be shut down');
  if (control.dataChecksumVersion === 0 && opts.mode === 'check') fatal('data checksums are not enabled in cluster');
  if (control.dataChecksumVersion === 0 && opts.mode === 'disable') fatal('data checksums are already disabled in cluster');
  if (control.dataChecksumVersion > 0 && opts.mode === 'enable') fatal('data checksums are already enabled in cluster');

  const report: Report = {
    mode: opts.mode,
    dataDirectory: opts.dataDir,
    majorVersion: major,
    filesScanned: 0,
    blocksScanned: 0,
    badChecksums: 0,
    filesWritten: 0,
    blocksWritten: 0,
    dataChecksumVersion: control.dataChecksumVersion,
    badBlocks: [],
  };
  const progress = opts.progress ? new Progress() : null;
  const scanner = new Scanner(opts, report, `PG_${major}_${control.catalogVersionNo}`, progress, err);
  if (opts.mode === 'check') {
    await checkFiles(opts, scanner, progress, err);
  } else if (opts.mode === 'enable') {
    for (const d of ['global', 'base', 'pg_tblspc']) cleanStaleTemps(`${opts.dataDir}/${d}`);
    if (progress !== null) {
      for (const d of ['global', 'base', 'pg_tblspc']) progress.total += scanner.scanDirectory(opts.dataDir, d, true);
    }
    for (const d of ['global', 'base', 'pg_tblspc']) scanner.scanDirectory(opts.dataDir, d, false);
  }
  if (opts.mode === 'check' || opts.mode === 'enable') {
    progress?.report(true);
    if (!opts.json) {
      out('Checksum operation completed');
      out(`Files scanned:   ${report.filesScanned}`);
      out(`Blocks scanned:  ${report.blocksScanned}`);
      if (opts.mode === 'check') {
        out(`Bad checksums:  ${report.badChecksums}`);
        out(`Data checksum version: ${control.dataChecksumVersion}`);
      } else {
        out(`Files written:  ${report.filesWritten}`);
        out(`Blocks written: ${report.blocksWritten}`);
      }
    }
    if (opts.mode === 'check') {
      if (opts.json) out(JSON.stringify(report));
      return report.badChecksums > 0 ? 1 : 0;
    }
  }
  const version = opts.mode === 'enable' ? PG_DATA_CHECKSUM_VERSION : 0;
  if (opts.sync && !opts.json) err(`${PROGNAME}: syncing data directory`);
  if (!opts.json) err(`${PROGNAME}: updating control file`);
  atomicWriteFile(`${opts.dataDir}/global/pg_control`, controlWithChecksumVersion(control, version), { sync: opts.sync });
  report.dataChecksumVersion = version;
  if (opts.json) {
    out(JSON.stringify(report));
    return 0;
  }
  if (opts.verbose) out(`Data checksum version: ${version}`);
  out(opts.mode === 'enable' ? 'Checksums enabled in cluster' : 'Checksums disabled in cluster');
  return 0;
}

/** Output collected into one write per stream at the end is not enough for huge bad-block lists: write as we go. */
export async function run(args: string[]): Promise<number> {
  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  const err = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  try {
    const opts = parseArgs(args);
    if (typeof opts === 'number') return opts;
    // the native page checksum when present (POSTGRES_FFI_NATIVE=0 keeps pure TypeScript)
    await import('../../node/native.js').catch(() => undefined);
    return await execute(opts, out, err);
  } catch (e) {
    if (e instanceof Fatal) {
      for (const line of e.lines) err(line);
      return 1;
    }
    throw e;
  }
}
