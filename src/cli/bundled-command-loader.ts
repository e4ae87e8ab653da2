/**
 * How the bundled CLI (scripts/bundle-cli.mjs: main.cjs, the `pgffi` bin) loads a command:
 * from <name>.cjs beside it, one CommonJS bundle per command that installs the native
 * accelerator and exports the command's run(). The bundle is compiled with the V8 code cache
 * the build wrote next to it (<name>.cjs.v8cache, made by running the command once), which
 * skips most of compiling it. Together with CommonJS instead of ES modules (no module
 * resolution, no asynchronous reads, none of the ES loader's own modules) this took ~20 ms off
 * every run (`pgffi waldump --stats` over 112 MB: 108 → 85 ms). V8 rejects a cache written by
 * another V8 version or under other V8 flags (e.g. node --max-old-space-size=…); the bundle is
 * then compiled as usual.
 *
 * POSTGRES_FFI_CODE_CACHE: unset, use the cache when there is one; 0, do not; write, write it
 * (atomically) when the process exits (the build does that); report, say on stderr whether V8
 * took it ("code cache: accepted", "rejected", "absent").
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { atomicWriteFile } from '../node/atomic-write.js';
import type { CommandModule } from './command-loader.js';

export type { CommandModule };

export async function loadCommand(name: string): Promise<CommandModule> {
  const filename = fileURLToPath(new URL(`./${name}.cjs`, import.meta.url));
  const cacheFile = `${filename}.v8cache`;
  const mode = process.env.POSTGRES_FFI_CODE_CACHE;
  let cachedData: Buffer | undefined;
  if (mode !== '0' && mode !== 'write') {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  // CommonJS's own wrapper (module.wrap), compiled as the CommonJS loader would, plus the cache.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${readFileSync(filename, 'utf8')}\n});`, {
    filename,
    cachedData,
  });
  if (mode === 'report') {
    process.stderr.write(
      `code cache: ${cachedData === undefined ? 'absent' : script.cachedDataRejected === true ? 'rejected' : 'accepted'}\n`,
    );
  }
  if (mode === 'write') process.once('exit', () => atomicWriteFile(cacheFile, script.createCachedData()));
  const module = { exports: {} as CommandModule };
  const wrapper = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: { exports: CommandModule },
    filename: string,
    dirname: string,
  ) => void;
  wrapper.call(module.exports, module.exports, createRequire(filename), module, filename, dirname(filename));
  return module.exports;
}
