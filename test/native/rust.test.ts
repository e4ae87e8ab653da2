/**
 * The native module's own Rust tests (native/src/tests.rs: CRC-32C and page checksum kernels
 * against independent implementations and real PostgreSQL pages, scanRecordCrcs and the
 * --stats pass on real PostgreSQL 15 WAL pages), run through `cargo test --release` so that
 * `npm test` covers them. Skipped, visibly, where cargo is not installed, and in the pure-TS
 * pass (POSTGRES_FFI_NATIVE=0): the main pass runs them.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const NATIVE = join(import.meta.dirname, '..', '..', 'native');
const cargo = process.env.POSTGRES_FFI_NATIVE !== '0' && spawnSync('cargo', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!cargo)('native module: cargo test --release', () => {
  it('every Rust test passes', () => {
    const r = spawnSync('cargo', ['test', '--release', '--quiet'], { cwd: NATIVE, encoding: 'utf8', maxBuffer: 1 << 26 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.status, out).toBe(0);
    const passed = [...out.matchAll(/test result: ok\. (\d+) passed; 0 failed/g)].reduce((n, m) => n + Number(m[1]), 0);
    // At least the tests that exist today; a test binary that runs none would pass silently.
    expect(passed, out).toBeGreaterThanOrEqual(13);
  }, 900_000);
});
