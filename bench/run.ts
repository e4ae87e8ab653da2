/**
 * `npm run bench`: every benchmark in one run, one after the other (each compares our code with
 * the tool a user would otherwise use, side by side, as ratios). Pass a subset by name:
 *   npm run bench -- crc32c waldump
 * Extra `--key=value` arguments are passed to every benchmark (e.g. --rounds=3).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ALL = ['crc32c', 'layout-reader', 'wal-decode', 'waldump', 'rmgr-am', 'checksums', 'controldata', 'wal-encode', 'explorer'];
const names = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('--'));
const selected = names.length > 0 ? names : ALL;
let failed = 0;
for (const name of selected) {
  if (!ALL.includes(name)) {
    console.error(`unknown benchmark "${name}" (known: ${ALL.join(', ')})`);
    process.exitCode = 2;
    continue;
  }
  console.log(`\n### bench/${name}.ts\n`);
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const res = spawnSync(process.execPath, ['--import', 'tsx', script, ...passThrough], { stdio: 'inherit' });
  if (res.status !== 0) failed++;
}
if (failed > 0) {
  console.error(`${failed} benchmark(s) failed`);
  process.exitCode = 1;
}
