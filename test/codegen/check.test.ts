/**
 * `npm run codegen -- --all --check` as a test: regenerating from each available version's
 * server headers must reproduce the committed src/vNN/gen/*.gen.ts byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

describe('codegen CLI', () => {
  const major = 16;
  const cli = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'codegen', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  if (!headersPresent(major)) {
    it.skip(`skipped: no server headers at ${includeDir(major)}`, () => {});
    return;
  }
  it('writes a tree, --check passes on it, and fails (exit 1) after an edit or with a stale file', () => {
    const out = mkdtempSync(join(tmpdir(), 'pgffi-codegen-'));
    try {
      const args = ['--version', String(major), '--include', includeDir(major), '--out-root', out];
      expect(cli(args).status).toBe(0);
      const gen = join(out, 'src', `v${major}`, 'gen');
      expect(readdirSync(gen).sort()).toEqual(['control.gen.ts', 'index.gen.ts', 'page.gen.ts', 'rmgr.gen.ts', 'wal.gen.ts']);
      expect(cli([...args, '--check']).status).toBe(0);
      appendFileSync(join(gen, 'wal.gen.ts'), '// edited\n');
      const edited = cli([...args, '--check']);
      expect(edited.status).toBe(1);
      expect(edited.stderr).toContain(`src/v${major}/gen/wal.gen.ts differs from a fresh generation`);
      expect(cli(args).status).toBe(0);
      writeFileSync(join(gen, 'old.gen.ts'), '');
      const stale = cli([...args, '--check']);
      expect(stale.status).toBe(1);
      expect(stale.stderr).toContain('old.gen.ts is not generated any more');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
  it('rejects bad arguments with exit 2', () => {
    expect(cli(['--version', '13', '--include', includeDir(major)]).status).toBe(2);
    expect(cli(['--check']).status).toBe(2);
  });
});
