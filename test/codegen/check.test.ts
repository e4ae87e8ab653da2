/**
 * `npm run codegen -- --all --check` as a test: regenerating from each available version's
 * server headers must reproduce the committed src/vNN/gen/*.gen.ts byte for byte.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emitVersion, headersDigest } from '../../codegen/emit.js';
import { buildVersion, pgVersionOf } from '../../codegen/layouts.js';
import { MAJORS } from '../../codegen/manifest.js';
import { profile as p14 } from '../../src/v14/profile.js';
import { profile as p15 } from '../../src/v15/profile.js';
import { profile as p16 } from '../../src/v16/profile.js';
import { headersPresent, includeDir } from './probe.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('codegen --check', () => {
  for (const major of MAJORS) {
    if (!headersPresent(major)) {
      it.skip(`PostgreSQL ${major}: skipped, no server headers at ${includeDir(major)} (run scripts/install-pg-headers.sh)`, () => {});
      continue;
    }
    it(`PostgreSQL ${major}: regeneration is byte-identical to the committed files`, () => {
      const model = buildVersion(major, includeDir(major));
      const files = emitVersion(model, headersDigest(includeDir(major), model.headers));
      const dir = join(ROOT, 'src', `v${major}`, 'gen');
      const committed = readdirSync(dir)
        .filter((n) => n.endsWith('.gen.ts'))
        .sort();
      expect(committed).toEqual(files.map((f) => f.name).sort());
      for (const f of files)
        expect(readFileSync(join(dir, f.name), 'utf8') === f.text, `src/v${major}/gen/${f.name} is up to date`).toBe(true);
      expect(files[0]!.text).toContain(`from PostgreSQL ${model.pgVersion} server headers`);
    });
    it(`PostgreSQL ${major}: profile.headersRelease is the release of the headers`, () => {
      const profile = { 14: p14, 15: p15, 16: p16 }[major];
      expect(profile.headersRelease).toBe(/^\d+\.\d+/.exec(pgVersionOf(includeDir(major)))?.[0]);
    });
  }
});
