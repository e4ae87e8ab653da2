/**
 * The committed generated layouts (src/vNN/gen/*.gen.ts) against gcc: a C probe compiled with
 * each version's server headers prints sizeof/_Alignof of every struct and offsetof/sizeof/
 * __alignof__ of every field (bitfields by setting their bits), plus the value C reads for every
 * field from a known byte pattern; the generated readers must read the same values and the
 * writers must reproduce every non-padding byte.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildVersion } from '../../codegen/layouts.js';
import { entriesFor, headersFor, type PgMajor } from '../../codegen/manifest.js';
import { isPgFormatError } from '../../src/common/core/errors.js';
import type { FieldLayout, StructLayout } from '../../src/common/layout.js';
import * as c14 from '../../src/v14/constants.js';
import * as g14 from '../../src/v14/gen/index.gen.js';
import * as c15 from '../../src/v15/constants.js';
import * as g15 from '../../src/v15/gen/index.gen.js';
import * as c16 from '../../src/v16/constants.js';
import * as g16 from '../../src/v16/gen/index.gen.js';
import { headersPresent, includeDir, layoutProbeSource, type ProbeResult, parseProbe, patternByte, runProbe } from './probe.js';

type Reader = (view: DataView, offset: number) => Record<string, unknown>;
type Writer = (view: DataView, offset: number, fields: Record<string, unknown>) => void;
type GenModule = { LAYOUTS: Readonly<Record<string, StructLayout>>; PG_VERSION: string } & Record<string, unknown>;

const VERSIONS: ReadonlyArray<{ major: PgMajor; gen: GenModule; constants: Record<string, unknown> }> = [
  { major: 14, gen: g14 as unknown as GenModule, constants: c14 },
  { major: 15, gen: g15 as unknown as GenModule, constants: c15 },
  { major: 16, gen: g16 as unknown as GenModule, constants: c16 },
];

/**
 * Structs whose PostgreSQL SizeOf/MinSizeOf macro is the end of their last data field: what is
 * on disk (WAL main data, block headers), so a generated reader must need exactly that many bytes.
 */
const SIZEOF_MACROS: Record<string, string> = {
  XLogRecord: 'SizeOfXLogRecord',
  XLogRecordBlockHeader: 'SizeOfXLogRecordBlockHeader',
  XLogRecordBlockImageHeader: 'SizeOfXLogRecordBlockImageHeader',
  XLogRecordBlockCompressHeader: 'SizeOfXLogRecordBlockCompressHeader',
  XLogRecordDataHeaderShort: 'SizeOfXLogRecordDataHeaderShort',
  PageHeaderData: 'SizeOfPageHeaderData',
  xl_heap_delete: 'SizeOfHeapDelete',
  xl_heap_header: 'SizeOfHeapHeader',
  xl_heap_insert: 'SizeOfHeapInsert',
  xl_multi_insert_tuple: 'SizeOfMultiInsertTuple',
  xl_heap_update: 'SizeOfHeapUpdate',
  xl_heap_prune: 'SizeOfHeapPrune',
  xl_heap_vacuum: 'SizeOfHeapVacuum',
  xl_heap_lock: 'SizeOfHeapLock',
  xl_heap_lock_updated: 'SizeOfHeapLockUpdated',
  xl_heap_confirm: 'SizeOfHeapConfirm',
  xl_heap_inplace: 'SizeOfHeapInplace',
  xl_heap_freeze_page: 'SizeOfHeapFreezePage',
  xl_heap_visible: 'SizeOfHeapVisible',
  xl_heap_new_cid: 'SizeOfHeapNewCid',
  xl_btree_insert: 'SizeOfBtreeInsert',
  xl_btree_split: 'SizeOfBtreeSplit',
  xl_btree_dedup: 'SizeOfBtreeDedup',
  xl_btree_reuse_page: 'SizeOfBtreeReusePage',
  xl_btree_vacuum: 'SizeOfBtreeVacuum',
  xl_btree_delete: 'SizeOfBtreeDelete',
  xl_btree_update: 'SizeOfBtreeUpdate',
  xl_btree_mark_page_halfdead: 'SizeOfBtreeMarkPageHalfDead',
  xl_btree_unlink_page: 'SizeOfBtreeUnlinkPage',
  xl_btree_newroot: 'SizeOfBtreeNewroot',
  xl_hash_insert: 'SizeOfHashInsert',
  xl_hash_add_ovfl_page: 'SizeOfHashAddOvflPage',
  xl_hash_split_allocate_page: 'SizeOfHashSplitAllocPage',
  xl_hash_split_complete: 'SizeOfHashSplitComplete',
  xl_hash_move_page_contents: 'SizeOfHashMovePageContents',
  xl_hash_squeeze_page: 'SizeOfHashSqueezePage',
  xl_hash_delete: 'SizeOfHashDelete',
  xl_hash_update_meta_page: 'SizeOfHashUpdateMetaPage',
  xl_hash_init_meta_page: 'SizeOfHashInitMetaPage',
  xl_hash_init_bitmap_page: 'SizeOfHashInitBitmapPage',
  gistxlogPageDelete: 'SizeOfGistxlogPageDelete',
  gistxlogPageReuse: 'SizeOfGistxlogPageReuse',
  xl_brin_createidx: 'SizeOfBrinCreateIdx',
  xl_brin_insert: 'SizeOfBrinInsert',
  xl_brin_update: 'SizeOfBrinUpdate',
  xl_brin_samepage_update: 'SizeOfBrinSamepageUpdate',
  xl_brin_revmap_extend: 'SizeOfBrinRevmapExtend',
  xl_brin_desummarize: 'SizeOfBrinDesummarize',
  xl_xact_assignment: 'MinSizeOfXactAssignment',
  xl_xact_subxacts: 'MinSizeOfXactSubxacts',
  xl_xact_invals: 'MinSizeOfXactInvals',
  xl_xact_commit: 'MinSizeOfXactCommit',
  xl_xact_abort: 'MinSizeOfXactAbort',
  xl_commit_ts_set: 'SizeOfCommitTsSet',
  xl_commit_ts_truncate: 'SizeOfCommitTsTruncate',
  xl_multixact_create: 'SizeOfMultiXactCreate',
  xl_multixact_truncate: 'SizeOfMultiXactTruncate',
  xl_relmap_update: 'MinSizeOfRelmapUpdate',
  xl_invalidations: 'MinSizeOfInvalidations',
  xl_logical_message: 'SizeOfLogicalMessage',
};

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Field-by-field comparison with the probe; returns mismatch descriptions. */
function compareFields(probe: ProbeResult, T: string, fields: readonly FieldLayout[], prefix: string, union: boolean): string[] {
  const bad: string[] = [];
  let end = 0;
  // Probe offsets are from the struct start; members of an inline aggregate are relative to it.
  const base = prefix ? (probe.fields.get(`${T}.${prefix.slice(0, -1)}`)?.offset ?? 0) : 0;
  for (const f of fields) {
    const label = `${T}.${prefix}${f.name}`;
    if (f.padding) {
      if (f.offset !== end) bad.push(`${label}: padding at ${f.offset}, previous field ends at ${end}`);
      end = f.offset + f.size;
      continue;
    }
    if (f.bitWidth !== undefined) {
      const b = probe.bitfields.get(label);
      const first = (base + f.offset) * 8 + (f.bitOffset ?? 0);
      if (!b) bad.push(`${label}: no probe line`);
      else if (b.first !== first || b.count !== f.bitWidth) bad.push(`${label}: bits ${first}+${f.bitWidth}, gcc ${b.first}+${b.count}`);
      end = Math.max(end, f.offset + f.size);
      continue;
    }
    if (f.arrayLength === 0) {
      const off = probe.flexible.get(label);
      if (off === undefined) bad.push(`${label}: no probe line`);
      else if (off !== base + f.offset) bad.push(`${label}: flexible array at ${f.offset}, gcc ${off - base}`);
      if (f.size !== 0) bad.push(`${label}: flexible array with size ${f.size}`);
      if (f.offset < end) bad.push(`${label}: overlaps the previous field`);
      continue;
    }
    const p = probe.fields.get(label);
    if (!p) {
      bad.push(`${label}: no probe line`);
      continue;
    }
    if (p.offset !== base + f.offset || p.size !== f.size)
      bad.push(`${label}: offset ${f.offset} size ${f.size}, gcc offset ${p.offset - base} size ${p.size}`);
    // Independent of the generator: a field sits at the next multiple of its alignment.
    if (!union && f.offset !== alignUp(end, p.align))
      bad.push(`${label}: at ${f.offset}, but alignment ${p.align} after ${end} gives ${alignUp(end, p.align)}`);
    if (f.members) bad.push(...compareFields(probe, T, f.members, `${prefix}${f.name}.`, f.ctype === 'union'));
    end = Math.max(end, f.offset + f.size);
  }
  return bad;
}

/** label → value the generated reader returned, walking the layout as the probe does. */
function collect(
  layouts: Readonly<Record<string, StructLayout>>,
  fields: readonly FieldLayout[],
  obj: Record<string, unknown>,
  label: string,
  out: Map<string, unknown>,
  bytes: Set<string>,
): void {
  for (const f of fields) {
    if (f.padding || f.arrayLength === 0) continue;
    const v = obj[f.name];
    const lab = `${label}${f.name}`;
    if (f.members) {
      collect(layouts, f.members, v as Record<string, unknown>, `${lab}.`, out, bytes);
      continue;
    }
    const nested = layouts[f.struct ?? f.ctype];
    if (f.arrayLength !== undefined) {
      const arr = v as ArrayLike<unknown>;
      if (arr.length !== f.arrayLength) out.set(`${lab}.length`, arr.length);
      for (let i = 0; i < f.arrayLength; i++) {
        if (nested) collect(layouts, nested.fields, arr[i] as Record<string, unknown>, `${lab}[${i}].`, out, bytes);
        else out.set(`${lab}[${i}]`, arr[i]);
        if (arr instanceof Uint8Array) bytes.add(`${lab}[${i}]`);
      }
      continue;
    }
    if (nested && typeof v !== 'object')
      out.set(`${lab}.${nested.fields[0]!.name}`, v); // an unwrapped one-field struct
    else if (nested) collect(layouts, nested.fields, v as Record<string, unknown>, `${lab}.`, out, bytes);
    else out.set(lab, v);
  }
}

/** Byte index → value a writer must produce from read(bytes): non-padding bytes, bools as 0/1. */
function expectedBytes(
  layouts: Readonly<Record<string, StructLayout>>,
  fields: readonly FieldLayout[],
  base: number,
  bytes: Uint8Array,
): Map<number, number> {
  const out = new Map<number, number>();
  for (const f of fields) {
    if (f.padding || f.arrayLength === 0) continue;
    const start = base + f.offset;
    const nested = layouts[f.struct ?? f.ctype];
    if (f.members) {
      // A union is written from its first member; a struct from all of them.
      const members = f.ctype === 'union' ? f.members.filter((m) => !m.padding).slice(0, 1) : f.members;
      for (const [i, v] of expectedBytes(layouts, members, start, bytes)) out.set(i, v);
    } else if (nested) {
      const n = f.arrayLength ?? 1;
      for (let k = 0; k < n; k++) for (const [i, v] of expectedBytes(layouts, nested.fields, start + k * nested.size, bytes)) out.set(i, v);
    } else {
      for (let i = start; i < start + f.size; i++) out.set(i, f.ctype === 'bool' ? (bytes[i] !== 0 ? 1 : 0) : bytes[i]!);
    }
  }
  return out;
}

function sameValue(c: { kind: string; value: string }, ts: unknown, byteArray: boolean): boolean {
  switch (c.kind) {
    case 'b':
      return ts === (c.value === '1');
    case 'f': {
      const n = Number(c.value);
      return typeof ts === 'number' && (Object.is(n, ts) || (Number.isNaN(n) && Number.isNaN(ts)) || n === ts);
    }
    default: {
      const n = BigInt(c.value);
      if (typeof ts === 'bigint') return ts === n;
      if (typeof ts !== 'number') return false;
      return byteArray ? BigInt.asUintN(8, n) === BigInt(ts) : n === BigInt(ts);
    }
  }
}

for (const { major, gen, constants } of VERSIONS) {
  if (!headersPresent(major)) {
    describe(`PostgreSQL ${major} generated layouts`, () => {
      it.skip(`skipped: no server headers at ${includeDir(major)} (run scripts/install-pg-headers.sh)`, () => {});
    });
    continue;
  }
  const layouts = gen.LAYOUTS;
  const names = Object.keys(layouts);

  describe(`PostgreSQL ${major} generated layouts vs gcc (${gen.PG_VERSION})`, () => {
    let probe: ProbeResult;
    beforeAll(() => {
      probe = parseProbe(runProbe(major, layoutProbeSource(headersFor(major), layouts)));
    });

    it('lists exactly the manifest structs, in manifest order', () => {
      expect(names).toEqual(entriesFor(major).map((e) => e.struct));
    });

    it.each(names)('%s: size, alignment, every field offset/size/bits and the padding match gcc', (name) => {
      const l = layouts[name]!;
      const s = probe.structs.get(name);
      expect(s, 'probe printed the struct').toBeDefined();
      expect({ size: l.size, align: l.align }).toEqual(s);
      const bad = compareFields(probe, name, l.fields, '', false);
      const last = l.fields[l.fields.length - 1]!;
      const end = l.fields.reduce((m, f) => Math.max(m, f.offset + f.size), 0);
      if (end !== l.size) bad.push(`${name}: fields end at ${end}, sizeof is ${l.size}`);
      if (last.padding && last.size >= l.align) bad.push(`${name}: tail padding ${last.size} ≥ alignment ${l.align}`);
      expect(bad).toEqual([]);
    });

    it.each(names)('%s: the generated reader reads what C reads; the writer reproduces every non-padding byte', (name) => {
      const l = layouts[name]!;
      const k = names.indexOf(name);
      const read = gen[`read${cap(name)}`] as Reader;
      const write = gen[`write${cap(name)}`] as Writer;
      const bytes = new Uint8Array(l.size + 8);
      for (let i = 0; i < l.size; i++) bytes[i] = patternByte(i, k);
      const view = new DataView(bytes.buffer, 0, l.size);
      const obj = read(view, 0);
      const got = new Map<string, unknown>();
      const byteArrays = new Set<string>();
      collect(layouts, l.fields, obj, `${name}.`, got, byteArrays);
      const bad: string[] = [];
      for (const [label, c] of probe.values) {
        if (!label.startsWith(`${name}.`)) continue;
        if (!got.has(label)) bad.push(`${label}: reader has no value`);
        else if (!sameValue(c, got.get(label), byteArrays.has(label))) bad.push(`${label}: reader ${String(got.get(label))}, C ${c.value}`);
        got.delete(label);
      }
      for (const label of got.keys()) bad.push(`${label}: not printed by the C probe`);
      expect(bad).toEqual([]);

      const out = new Uint8Array(l.size);
      write(new DataView(out.buffer), 0, obj);
      const diff: number[] = [];
      for (const [i, want] of expectedBytes(layouts, l.fields, 0, bytes)) if (out[i] !== want) diff.push(i);
      expect(diff, 'bytes that differ after write(read(bytes))').toEqual([]);
    });

    it.each(Object.entries(SIZEOF_MACROS).filter(([n]) => n in layouts))(
      '%s: the reader needs exactly %s bytes (on-disk size), no more',
      (name, macro) => {
        const want = constants[macro];
        expect(typeof want, `${macro} exported`).toBe('number');
        const read = gen[`read${cap(name)}`] as Reader;
        const n = want as number;
        expect(() => read(new DataView(new ArrayBuffer(n)), 0)).not.toThrow();
        expect(() => read(new DataView(new ArrayBuffer(n - 1)), 0)).toThrow(/expected \d+ bytes at offset 0, got/);
      },
    );

    it('readers and writers throw PgFormatError TRUNCATED outside the view, never a RangeError', () => {
      for (const name of names) {
        const l = layouts[name]!;
        const read = gen[`read${cap(name)}`] as Reader;
        const view = new DataView(new ArrayBuffer(l.size + 4), 0, l.size);
        for (const off of [-1, l.size, Number.NaN]) {
          let err: unknown;
          try {
            read(view, off);
          } catch (e) {
            err = e;
          }
          expect(isPgFormatError(err) && err.code === 'TRUNCATED', `${name} at ${off}`).toBe(true);
        }
        const write = gen[`write${cap(name)}`] as Writer;
        const obj = read(new DataView(new ArrayBuffer(l.size)), 0);
        expect(() => write(view, l.size, obj)).toThrow(new RegExp(`expected \\d+ bytes at offset ${l.size}`));
      }
    });
  });
}

// aarch64 (LP64) should lay these structs out exactly as x86_64 does: compile the same headers
// with the cross compiler and compare every layout. The headers' pg_config.h is the x86_64 one,
// so this checks the compiler's ABI rules, not a natively configured aarch64 build.
const CROSS_CC = 'aarch64-linux-gnu-gcc';
const crossPresent = spawnSync(CROSS_CC, ['--version']).status === 0;
describe(`aarch64 layouts (${CROSS_CC}) equal the committed x86_64 layouts`, () => {
  for (const { major, gen } of VERSIONS) {
    if (!headersPresent(major) || !crossPresent) {
      it.skip(`PostgreSQL ${major}: skipped, ${crossPresent ? `no server headers at ${includeDir(major)}` : `${CROSS_CC} not installed (Debian: gcc-aarch64-linux-gnu)`}`, () => {});
      continue;
    }
    it(`PostgreSQL ${major}`, () => {
      const model = buildVersion(major, includeDir(major), CROSS_CC);
      expect(Object.fromEntries(model.structs.map((s) => [s.name, s.layout]))).toEqual(gen.LAYOUTS);
    });
  }
});
