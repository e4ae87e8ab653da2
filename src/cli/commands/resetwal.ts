/**
 * pgffi resetwal — pg_resetwal's WAL reset (src/bin/pg_resetwal) for a stopped PostgreSQL 14,
 * 15 or 16 cluster: a new WAL segment holding only a shutdown checkpoint, past the old WAL (or
 * at -l WALFILE / --lsn), and a pg_control pointing at it; the same bytes pg_resetwal -l
 * writes, written crash-safely (src/node/reset-wal.ts). The other pg_resetwal options that
 * change XIDs, OIDs, multixacts or the segment size are not supported.
 *
 *   pgffi resetwal [-f] [-l WALFILE] [--lsn X/X] [--no-sync] [-D] DATADIR
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeControlFile } from '../../common/control/control-file.js';
import { formatLsn, type Lsn, parseLsn } from '../../common/core/lsn.js';
import { majorFromCatalogVersion } from '../../common/core/version.js';
import { parseWalFileName } from '../../common/core/wal-file-names.js';
import { profileFor } from '../../dispatch.js';
import { resetWalDirectory } from '../../node/reset-wal.js';

const PROG = 'pgffi resetwal';

const USAGE = `${PROG} resets the PostgreSQL write-ahead log (like pg_resetwal -l), crash-safely.

Usage:
  ${PROG} [OPTION]... DATADIR

Options:
 [-D, --pgdata=]DATADIR  data directory
  -f, --force            force update to be done even if the server was not shut down cleanly
  -l, --next-wal-file=WALFILE
                         set minimum starting location for new WAL (and its timeline)
      --lsn=LSN          set minimum starting location for new WAL as an LSN
      --no-sync          do not wait for changes to be written safely to disk
  -?, --help             show this help, then exit
`;

class CliError extends Error {}

interface Args {
  dataDir: string;
  force: boolean;
  walFile: string | undefined;
  lsn: Lsn | undefined;
  sync: boolean;
}

function parseArgs(args: string[]): Args | 'help' {
  let dataDir: string | undefined;
  let force = false;
  let walFile: string | undefined;
  let lsn: Lsn | undefined;
  let sync = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const value = (name: string): string => {
      const eq = a.indexOf('=');
      if (a.startsWith('--') && eq > 0) return a.slice(eq + 1);
      const v = args[++i];
      if (v === undefined) throw new CliError(`option requires an argument -- '${name}'`);
      return v;
    };
    if (a === '-?' || a === '--help' || a === '-h') return 'help';
    else if (a === '-f' || a === '--force') force = true;
    else if (a === '-l' || a.startsWith('--next-wal-file')) walFile = value('l');
    else if (a.startsWith('--lsn')) lsn = parseLsn(value('lsn'));
    else if (a === '--no-sync') sync = false;
    else if (a === '-D' || a.startsWith('--pgdata')) dataDir = value('D');
    else if (a.startsWith('-')) throw new CliError(`invalid option -- '${a}'`);
    else if (dataDir === undefined) dataDir = a;
    else throw new CliError(`too many command-line arguments (first is "${a}")`);
  }
  dataDir ??= process.env.PGDATA;
  if (dataDir === undefined) throw new CliError('no data directory specified');
  return { dataDir, force, walFile, lsn, sync };
}

export async function run(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    const control = decodeControlFile(readFileSync(join(args.dataDir, 'global', 'pg_control')));
    const major = majorFromCatalogVersion(control.catalog_version_no);
    if (major === undefined)
      throw new CliError(`pg_control has catalog version ${control.catalog_version_no}, not PostgreSQL 14, 15 or 16`);
    const profile = profileFor(major);
    const segSize = control.xlog_seg_size;
    let minLsn = args.lsn;
    let timeline: number | undefined;
    if (args.walFile !== undefined) {
      const parsed = parseWalFileName(args.walFile, segSize);
      if (parsed === null || parsed.kind !== 'segment' || parsed.segno === undefined) {
        throw new CliError(`invalid argument for option -l`);
      }
      const fromFile = parsed.segno * BigInt(segSize);
      if (minLsn === undefined || fromFile > minLsn) minLsn = fromFile;
      if (parsed.timeline > control.checkPointCopy.ThisTimeLineID) timeline = parsed.timeline;
    }
    const result = resetWalDirectory(args.dataDir, profile, {
      force: args.force,
      sync: args.sync,
      ...(minLsn === undefined ? {} : { minLsn }),
      ...(timeline === undefined ? {} : { timeline }),
    });
    process.stdout.write(`Write-ahead log reset\n`);
    process.stderr.write(`new WAL starts in ${result.fileName}, checkpoint at ${formatLsn(result.checkpointLsn)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof Error) {
      process.stderr.write(`${PROG}: error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
