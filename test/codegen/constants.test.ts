/**
 * Every hand-kept constant exported by src/vNN/constants.ts (which re-exports
 * src/common/constants.ts) against the value the C compiler sees in that version's server
 * headers: a generated C program prints each one by its macro/enumerator name. The test walks
 * the module's exports, so a new constant is checked as soon as it is exported; the few names a
 * version's headers lack are listed below with the reason.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { PgMajor } from '../../codegen/manifest.js';
import * as c14 from '../../src/v14/constants.js';
import * as c15 from '../../src/v15/constants.js';
import * as c16 from '../../src/v16/constants.js';
import { headersPresent, includeDir, runProbe } from './probe.js';

const HEADERS = [
  'postgres.h',
  'access/xlog_internal.h',
  'access/xlog.h',
  'access/xlogrecord.h',
  'access/rmgr.h',
  'catalog/pg_control.h',
  'catalog/catversion.h',
  'access/heapam_xlog.h',
  'access/nbtxlog.h',
  'access/hash_xlog.h',
  'access/ginxlog.h',
  'access/gistxlog.h',
  'access/spgxlog.h',
  'access/brin_xlog.h',
  'access/xact.h',
  'catalog/storage_xlog.h',
  'commands/dbcommands_xlog.h',
  'commands/tablespace.h',
  'access/clog.h',
  'access/commit_ts.h',
  'access/multixact.h',
  'utils/relmapper.h',
  'storage/standbydefs.h',
  'commands/sequence.h',
  'replication/origin.h',
  'replication/message.h',
  'storage/bufpage.h',
  'storage/itemid.h',
  'access/htup_details.h',
  'access/itup.h',
  'access/nbtree.h',
  'access/hash.h',
  'access/ginblock.h',
  'access/gist.h',
  'access/spgist_private.h',
  'access/brin_page.h',
  'access/brin_tuple.h',
];

/** Exported names that are not a macro/enumerator of that version, with the C expression to check instead or why none. */
const NOT_IN_HEADERS: Record<PgMajor, Record<string, { expr: string } | { reason: string }>> = {
  14: {
    RM_MAX_BUILTIN_ID: { expr: 'RM_MAX_ID' },
    RM_MIN_CUSTOM_ID: { reason: 'custom rmgrs arrived in 15 (checked against 15/16 headers)' },
    RM_MAX_CUSTOM_ID: { reason: 'custom rmgrs arrived in 15 (checked against 15/16 headers)' },
    RM_EXPERIMENTAL_ID: { reason: 'custom rmgrs arrived in 15 (checked against 15/16 headers)' },
    XLogRecordMaxSize: { reason: 'macro added in 16 (checked against 16 headers)' },
  },
  15: {
    XLogRecordMaxSize: { reason: 'macro added in 16 (checked against 16 headers)' },
  },
  16: {},
};

const MODULES: ReadonlyArray<{ major: PgMajor; mod: Record<string, unknown> }> = [
  { major: 14, mod: c14 },
  { major: 15, mod: c15 },
  { major: 16, mod: c16 },
];

function probeSource(names: readonly string[], exprs: Readonly<Record<string, string>>): string {
  const lines = HEADERS.map((h) => `#include "${h}"`);
  lines.push('#include <stdio.h>', '#undef printf');
  lines.push(
    '#define PC(name, x) _Generic((x), float: printf("C %s %.17g\\n", name, (double) (x)), double: printf("C %s %.17g\\n", name, (double) (x)), \\',
  );
  lines.push(
    '  unsigned long: printf("C %s %llu\\n", name, (unsigned long long) (x)), unsigned long long: printf("C %s %llu\\n", name, (unsigned long long) (x)), \\',
  );
  lines.push('  default: printf("C %s %lld\\n", name, (long long) (x)))');
  lines.push('#define PG_RMGR(symname, name, ...) printf("R %d %s\\n", (int) (symname), name);');
  lines.push('static void rmgrs(void) {', '#include "access/rmgrlist.h"', '}');
  lines.push('int main(void) {');
  for (const n of names) lines.push(`  PC("${n}", ${exprs[n] ?? n});`);
  lines.push('  rmgrs();', '  return 0;', '}');
  return `${lines.join('\n')}\n`;
}

for (const { major, mod } of MODULES) {
  if (!headersPresent(major)) {
    describe(`PostgreSQL ${major} constants`, () => {
      it.skip(`skipped: no server headers at ${includeDir(major)} (run scripts/install-pg-headers.sh)`, () => {});
    });
    continue;
  }
  const exceptions = NOT_IN_HEADERS[major];
  const exports = Object.entries(mod);
  const numeric = exports.filter(([, v]) => typeof v === 'number').map(([n]) => n);
  const exprs: Record<string, string> = {};
  for (const [n, e] of Object.entries(exceptions)) if ('expr' in e) exprs[n] = e.expr;
  const checked = numeric.filter((n) => !(exceptions[n] && 'reason' in exceptions[n]));

  describe(`PostgreSQL ${major} hand-kept constants vs the C headers`, () => {
    const c = new Map<string, number>();
    const rmgr = new Map<number, string>();
    beforeAll(() => {
      for (const line of runProbe(major, probeSource(checked, exprs)).split('\n')) {
        const [kind, a, b] = line.split(' ');
        if (kind === 'C') c.set(a!, Number(b));
        if (kind === 'R') rmgr.set(Number(a), line.split(' ').slice(2).join(' '));
      }
    });

    it('every export is a number checked below, RMGR_NAMES, or a listed exception', () => {
      const other = exports.filter(([n, v]) => typeof v !== 'number' && n !== 'RMGR_NAMES').map(([n]) => n);
      expect(other, 'exports the test does not know how to check').toEqual([]);
      const stale = Object.keys(exceptions).filter((n) => !numeric.includes(n));
      expect(stale, 'exceptions for names that are not exported').toEqual([]);
    });

    it.each(checked)('%s', (name) => {
      expect(c.has(name), `${name} printed by the C probe`).toBe(true);
      expect(mod[name]).toBe(c.get(name));
    });

    it('RMGR_NAMES matches rmgrlist.h', () => {
      const names = mod.RMGR_NAMES as readonly string[];
      const fromC = [...rmgr.entries()].sort((x, y) => x[0] - y[0]);
      expect(fromC.map(([id]) => id)).toEqual(names.map((_, i) => i));
      expect(fromC.map(([, n]) => n)).toEqual([...names]);
    });
  });
}
