/**
 * The hand-kept record struct offsets of the access-method rmgrs agree with the layouts the
 * codegen read from each version's headers (src/vNN/gen), field by field.
 */
import { describe, expect, it } from 'vitest';
import type { PgMajor } from '../../src/common/core/version.js';
import type { StructOffsets } from '../../src/common/rmgr/am-util.js';
import { brinOffsets } from '../../src/common/rmgr/brin.js';
import { btreeOffsets } from '../../src/common/rmgr/btree.js';
import { ginOffsets } from '../../src/common/rmgr/gin.js';
import { gistOffsets } from '../../src/common/rmgr/gist.js';
import { hashOffsets } from '../../src/common/rmgr/hash.js';
import { heapOffsets } from '../../src/common/rmgr/heap.js';
import { heap2Offsets } from '../../src/common/rmgr/heap2.js';
import { sequenceOffsets } from '../../src/common/rmgr/sequence.js';
import { spgistOffsets } from '../../src/common/rmgr/spgist.js';
import { PROFILES } from './support.js';

const TABLES: Record<string, Readonly<Record<PgMajor, StructOffsets>>> = {
  heap: heapOffsets,
  heap2: heap2Offsets,
  btree: btreeOffsets,
  hash: hashOffsets,
  gin: ginOffsets,
  gist: gistOffsets,
  spgist: spgistOffsets,
  brin: brinOffsets,
  sequence: sequenceOffsets,
};
/** Structs the codegen allowlist does not cover (their offsets are checked by the real-server tests). */
const NOT_GENERATED = new Set(['FormData_pg_sequence_data']);

describe.each([14, 15, 16] as const)('record struct offsets on %i', (major) => {
  it('equal the generated layouts', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const [rmgr, table] of Object.entries(TABLES)) {
      for (const [struct, fields] of Object.entries(table[major])) {
        const layout = PROFILES[major].layouts[struct];
        if (layout === undefined) {
          if (!NOT_GENERATED.has(struct)) wrong.push(`${rmgr}: ${struct} has no generated layout`);
          continue;
        }
        for (const [field, offset] of Object.entries(fields)) {
          const f = layout.fields.find((x) => x.name === field);
          checked++;
          if (f?.offset !== offset) wrong.push(`${rmgr}: ${struct}.${field} = ${offset}, generated ${f?.offset ?? 'no such field'}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(225);
  });
});
