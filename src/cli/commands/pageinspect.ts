/**
 * pgffi pageinspect FILE [--block N | --range A:B] [--json]
 *
 * Decodes the pages of a relation file (a fork's segment 0 reads every segment after it; a
 * `.N` segment file reads just that one, with absolute block numbers) as pageinspect shows
 * them: a readable dump, or NDJSON with one object per block (block, fork, kind, header,
 * items, stats, meta; see common/page/inspect.ts). A malformed page prints its error and the
 * run continues; the exit code is then 1.
 */
import { isPgFormatError } from '../../common/core/errors.js';
import type { BtMetap, BtPageItem, BtPageStats } from '../../common/page/btree.js';
import type { HeapPageItem } from '../../common/page/heap.js';
import { type ForkName, inspectPage, type PageReport } from '../../common/page/inspect.js';
import { pageFlagNames } from '../../common/page/page.js';
import { readRelationPages, readSegmentPages, relationFileInfo } from '../../node/relation-files.js';

const USAGE = `pgffi pageinspect decodes PostgreSQL relation pages like pageinspect.

Usage:
  pgffi pageinspect FILE [OPTION]...

Options:
  -b, --block=N      only block N (absolute block number in the fork)
  -r, --range=A:B    blocks A to B inclusive (B may be omitted)
      --json         one JSON object per block (NDJSON)
  -?, --help         show this help, then exit
`;

interface Options {
  file: string;
  from: number;
  to: number;
  json: boolean;
}

function fail(message: string): never {
  throw new UsageError(message);
}

class UsageError extends Error {}

function parseBlock(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 0xfffffffe) fail(`invalid ${what} "${text}"`);
  return Number(text);
}

function parseArgs(args: string[]): Options | null {
  let file: string | undefined;
  let from = 0;
  let to = Number.MAX_SAFE_INTEGER;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (name: string): string => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      const v = args[++i];
      if (v === undefined) fail(`option ${name} requires an argument`);
      return v;
    };
    if (a === '--help' || a === '-?' || a === '-h') return null;
    if (a === '--json') json = true;
    else if (a === '-b' || a.startsWith('--block')) {
      from = parseBlock(value('--block'), 'block number');
      to = from;
    } else if (a === '-r' || a.startsWith('--range')) {
      const m = /^(\d+):(\d*)$/.exec(value('--range'));
      if (m === null) fail('invalid range, expected A:B');
      from = parseBlock(m[1]!, 'block number');
      to = m[2] === '' ? Number.MAX_SAFE_INTEGER : parseBlock(m[2]!, 'block number');
      if (to < from) fail(`invalid range ${from}:${to}`);
    } else if (a.startsWith('-') && a.length > 1) fail(`unrecognized option "${a}"`);
    else if (file === undefined) file = a;
    else fail(`too many command-line arguments (first is "${a}")`);
  }
  if (file === undefined) fail('no relation file specified');
  return { file, from, to, json };
}

function hex4(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;
}

const LP_NAMES = ['UNUSED', 'NORMAL', 'REDIRECT', 'DEAD'];

function textHeap(items: HeapPageItem[]): string[] {
  const lines = ['    lp lp_off flags     lp_len     t_xmin     t_xmax t_field3 t_ctid        mask2  mask hoff t_bits'];
  for (const it of items) {
    const base = `  ${String(it.lp).padStart(4)} ${String(it.lpOff).padStart(6)} ${(LP_NAMES[it.lpFlags] ?? '?').padEnd(9)} ${String(it.lpLen).padStart(6)}`;
    if (it.tXmin === null) {
      lines.push(base);
      continue;
    }
    lines.push(
      `${base} ${String(it.tXmin).padStart(10)} ${String(it.tXmax).padStart(10)} ${String(it.tField3).padStart(8)} ${it.tCtid!.padEnd(13)} ${hex4(it.tInfomask2!)} ${hex4(it.tInfomask!)} ${String(it.tHoff).padStart(4)} ${it.tBits ?? ''}${it.tOid === null ? '' : ` oid=${it.tOid}`}`,
    );
  }
  return lines;
}

function textBtree(items: BtPageItem[]): string[] {
  const lines: string[] = [];
  for (const it of items) {
    const extra = [
      it.dead === null ? '' : it.dead ? ' dead' : '',
      it.htid === null ? '' : ` htid=${it.htid}`,
      it.tids === null ? '' : ` tids=${it.tids.length}`,
    ].join('');
    lines.push(
      `  ${String(it.itemoffset).padStart(4)} ctid=${it.ctid} len=${it.itemlen}${it.nulls ? ' nulls' : ''}${it.vars ? ' vars' : ''}${extra} data=${it.data}`,
    );
  }
  return lines;
}

function kv(obj: object): string {
  return Object.entries(obj)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `{${v.join(',')}}` : String(v)}`)
    .join(' ');
}

function textReport(r: PageReport): string {
  const h = r.header;
  const sum =
    r.pageChecksum === null
      ? ''
      : ` checksum=${hex4(h.checksum)} (${r.pageChecksum === h.checksum ? 'ok' : `calculated ${hex4(r.pageChecksum)}`})`;
  const lines = [
    `block ${r.block} (${r.fork}, ${r.kind}): lsn=${h.lsn}${sum} flags=${hex4(h.flags)}${h.flags === 0 ? '' : ` (${pageFlagNames(h.flags).join('|')})`} lower=${h.lower} upper=${h.upper} special=${h.special} pagesize=${h.pagesize} version=${h.version} prune_xid=${h.pruneXid}`,
  ];
  if (r.meta !== undefined) lines.push(`  meta: ${kv(r.meta as BtMetap)}`);
  if (r.stats !== undefined) lines.push(`  stats: ${kv(r.stats as BtPageStats)}`);
  if (r.contents !== undefined)
    lines.push(
      ...r.contents
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    );
  if (r.items !== undefined && r.items.length > 0) {
    if (r.kind === 'heap') lines.push(...textHeap(r.items as HeapPageItem[]));
    else if (r.kind === 'btree') lines.push(...textBtree(r.items as BtPageItem[]));
    else for (const it of r.items) lines.push(`  ${typeof it === 'object' ? kv(it) : String(it)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `pgffi pageinspect FILE | head`: a closed pipe ends the dump quietly. Installed once per process. */
function onStdoutError(e: NodeJS.ErrnoException): void {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
}

export async function run(args: string[]): Promise<number> {
  if (!process.stdout.listeners('error').includes(onStdoutError)) process.stdout.on('error', onStdoutError);
  let opts: Options | null;
  try {
    opts = parseArgs(args);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`pgffi pageinspect: error: ${e.message}\nTry "pgffi pageinspect --help" for more information.\n`);
      return 1;
    }
    throw e;
  }
  if (opts === null) {
    process.stdout.write(USAGE);
    return 0;
  }
  const info = relationFileInfo(opts.file);
  const fork = (info?.forkName ?? 'main') as ForkName;
  const range = { from: opts.from, to: opts.to };
  let failed = false;
  let out = '';
  const flush = (force: boolean): void => {
    if (out.length > 1 << 16 || (force && out.length > 0)) {
      process.stdout.write(out);
      out = '';
    }
  };
  try {
    const pages =
      info !== null && info.segment > 0 ? readSegmentPages(opts.file, info.segment, range) : readRelationPages(opts.file, range);
    for (const { block, page } of pages) {
      try {
        const report = inspectPage(page, block, fork);
        out += opts.json ? `${JSON.stringify(report)}\n` : textReport(report);
      } catch (e) {
        if (!isPgFormatError(e)) throw e;
        failed = true;
        out += opts.json
          ? `${JSON.stringify({ block, fork, error: e.message, code: e.code, offset: e.offset ?? null })}\n`
          : `block ${block} (${fork}): error: ${e.message}\n`;
      }
      flush(false);
    }
  } catch (e) {
    flush(true);
    if (isPgFormatError(e) || (e instanceof Error && 'code' in e)) {
      process.stderr.write(`pgffi pageinspect: error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  flush(true);
  return failed ? 1 : 0;
}
