/**
 * CLI target: the pgffi commands run in-process (src/cli/commands/*.ts run()) on mutated files
 * laid out as they expect — waldump on a WAL segment file (plain, -b, --stats, --json),
 * controldata on a data directory's global/pg_control (text, --json), pageinspect on a
 * relation file of 1–3 pages (text, --json), checksums --check on a data directory with that
 * relation file; and readWalDirectory (pg_waldump -p) on a timeline-2 directory with a mutated
 * .history file. Each must resolve to an exit code (or reject with a PgFormatError); output is
 * captured and dropped. Only read-only modes are run (the write paths are covered by
 * test/security and the commands' own tests).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as checksums from '../../src/cli/commands/checksums.js';
import * as controldata from '../../src/cli/commands/controldata.js';
import * as pageinspect from '../../src/cli/commands/pageinspect.js';
import * as waldump from '../../src/cli/commands/waldump.js';
import { controlFileCrc } from '../../src/common/control/control-file.js';
import { isPgFormatError } from '../../src/common/core/errors.js';
import { readWalDirectory } from '../../src/node/wal-files.js';
import { mutateGeneric, PAGED_MUTATORS, writeU32 } from '../mutate.js';
import { CORPUS_DIR, type Corpus, type FuzzInput, type FuzzTarget } from '../target.js';

type RunFn = (args: string[], options?: { stdout?: (s: string) => void; stderr?: (s: string) => void }) => Promise<number>;
const RUN: Readonly<Record<string, RunFn>> = {
  waldump: waldump.run as RunFn,
  controldata: controldata.run as RunFn,
  pageinspect: pageinspect.run as RunFn,
  checksums: checksums.run as RunFn,
};

type Command = 'waldump' | 'controldata' | 'pageinspect' | 'checksums' | 'waldir';
const COMMANDS: readonly Command[] = ['waldump', 'controldata', 'pageinspect', 'checksums', 'waldir'];

/** Timeline history files as the server writes them (timeline.c writeTimeLineHistory). */
const HISTORY = '1\t0/2000000\tno recovery target specified\n';

let workDir: string | null = null;

function dir(): string {
  if (workDir === null) {
    workDir = mkdtempSync(join(tmpdir(), 'pgffi-fuzz-cli-'));
    process.on('exit', () => {
      if (workDir !== null) rmSync(workDir, { recursive: true, force: true });
    });
  }
  return workDir;
}

function segmentName(bytes: Uint8Array): string {
  const lo =
    bytes.length >= 16 ? ((bytes[8] ?? 0) | ((bytes[9] ?? 0) << 8) | ((bytes[10] ?? 0) << 16) | ((bytes[11] ?? 0) << 24)) >>> 0 : 0;
  const hi =
    bytes.length >= 16 ? ((bytes[12] ?? 0) | ((bytes[13] ?? 0) << 8) | ((bytes[14] ?? 0) << 16) | ((bytes[15] ?? 0) << 24)) >>> 0 : 0;
  const segno = Math.floor((hi * 0x1_0000_0000 + lo) / (16 * 1024 * 1024));
  const h = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');
  return `${h(1)}${h(Math.floor(segno / 256) % 0x1_0000_0000)}${h(segno % 256)}`;
}

/** Calls fn with process.stdout/stderr writes swallowed. */
async function quietly(fn: () => Promise<number>): Promise<number> {
  const out = process.stdout.write;
  const err = process.stderr.write;
  const sink = ((_chunk: unknown, ...rest: unknown[]) => {
    const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = sink;
  process.stderr.write = sink;
  try {
    return await fn();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

export const cliTarget: FuzzTarget = {
  name: 'cli',
  description: 'pgffi waldump/controldata/pageinspect/checksums --check in-process on mutated files and directories',
  generate(rng, corpus: Corpus): FuzzInput {
    const command = rng.pick(COMMANDS);
    const variant = rng.int(4);
    if (command === 'waldump') {
      const seeds = corpus.of('wal');
      const seed = rng.pick(seeds);
      return {
        bytes: mutateGeneric(seed.bytes, rng, () => rng.pick(seeds).bytes, PAGED_MUTATORS),
        major: seed.major,
        params: { command, variant, name: segmentName(seed.bytes) },
      };
    }
    if (command === 'waldir') {
      // A pg_wal-like directory: a segment on timeline 2 and a mutated 00000002.history.
      const seeds = corpus.of('wal');
      const seed = rng.pick(seeds);
      const history = new TextEncoder().encode(HISTORY);
      const mutatedHistory = rng.chance(0.6) ? mutateGeneric(history, rng, () => history) : history;
      const wal = rng.chance(0.5) ? mutateGeneric(seed.bytes, rng, () => rng.pick(seeds).bytes, PAGED_MUTATORS) : seed.bytes.slice();
      const bytes = new Uint8Array(4 + mutatedHistory.length + wal.length);
      new DataView(bytes.buffer).setUint32(0, mutatedHistory.length, true);
      bytes.set(mutatedHistory, 4);
      bytes.set(wal, 4 + mutatedHistory.length);
      return { bytes, major: seed.major, params: { command, variant, name: `00000002${segmentName(seed.bytes).slice(8)}` } };
    }
    if (command === 'controldata') {
      const seeds = corpus.of('control');
      const seed = rng.pick(seeds);
      const bytes = mutateGeneric(seed.bytes, rng, () => rng.pick(seeds).bytes);
      if (rng.chance(0.5) && bytes.length >= 296) writeU32(bytes, 288, controlFileCrc(bytes));
      return { bytes, major: seed.major, params: { command, variant } };
    }
    const pages = corpus.of('page');
    const n = rng.range(1, 3);
    const joined = new Uint8Array(n * 8192);
    for (let i = 0; i < n; i++) joined.set(rng.pick(pages).bytes, i * 8192);
    const bytes = mutateGeneric(joined, rng, () => rng.pick(pages).bytes, PAGED_MUTATORS);
    const controlSeed = rng.pick(corpus.of('control'));
    return { bytes, major: controlSeed.major, params: { command, variant, control: controlSeed.file } };
  },
  async run(input) {
    const d = join(dir(), 'case');
    rmSync(d, { recursive: true, force: true });
    const command = String(input.params.command) as Command;
    const variant = Number(input.params.variant ?? 0);
    let args: string[];
    if (command === 'waldir') {
      mkdirSync(d, { recursive: true });
      const hlen = input.bytes.length >= 4 ? new DataView(input.bytes.buffer, input.bytes.byteOffset).getUint32(0, true) : 0;
      const split = Math.min(input.bytes.length, 4 + hlen);
      writeFileSync(join(d, '00000002.history'), input.bytes.subarray(Math.min(4, split), split));
      writeFileSync(join(d, String(input.params.name ?? '000000020000000000000002')), input.bytes.subarray(split));
      const reader = readWalDirectory(d, variant % 2 === 0 ? {} : { timeline: 2 });
      try {
        for await (const r of reader) void r.totalLength;
      } catch (e) {
        if (!isPgFormatError(e)) throw e;
      }
      return;
    }
    if (command === 'waldump') {
      mkdirSync(d, { recursive: true });
      const file = join(d, String(input.params.name ?? '000000010000000000000001'));
      writeFileSync(file, input.bytes);
      args = [[file], ['-b', file], ['--stats=record', file], ['--json', file]][variant] as string[];
    } else if (command === 'controldata') {
      mkdirSync(join(d, 'global'), { recursive: true });
      writeFileSync(join(d, 'global', 'pg_control'), input.bytes);
      args = variant % 2 === 0 ? ['-D', d] : ['--json', '-D', d];
    } else {
      mkdirSync(join(d, 'global'), { recursive: true });
      mkdirSync(join(d, 'base', '5'), { recursive: true });
      const rel = join(d, 'base', '5', '16384');
      writeFileSync(rel, input.bytes);
      writeFileSync(join(d, 'global', 'pg_control'), gunzipSync(readFileSync(join(CORPUS_DIR, String(input.params.control)))));
      if (command === 'pageinspect') args = variant % 2 === 0 ? [rel] : ['--json', rel];
      else args = variant % 2 === 0 ? ['--check', '-D', d] : ['--check', '-v', '-D', d];
    }
    const run = RUN[command] as RunFn;
    const drop = (): void => undefined;
    const code = await quietly(() => run(args, { stdout: drop, stderr: drop }));
    if (typeof code !== 'number') throw new Error(`${command} resolved to ${typeof code}, not an exit code`);
  },
};
