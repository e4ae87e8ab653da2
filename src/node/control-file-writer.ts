/**
 * Crash-safe updates of global/pg_control (catalog/pg_control.h ControlFileData, encoded by
 * src/common/control/control-file.ts): read-modify-write under the file's lock
 * (src/node/file-lock.ts), replaced atomically and durably (temp file, fsync, rename,
 * directory fsync), so concurrent updaters never lose each other's change and a crash leaves
 * the old or the new file, each with a valid CRC. The server must not be running.
 */
import { chownSync, statSync } from 'node:fs';
import {
  type ControlFileInput,
  type DecodedControlFile,
  decodeControlFileStrict,
  encodeControlFile,
} from '../common/control/control-file.js';
import type { PgVersionProfile } from '../common/profile.js';
import { updateFileAtomically } from './file-lock.js';

export interface ControlFileUpdateOptions {
  /** Validates CATALOG_VERSION_NO and the layout against this version. */
  profile?: PgVersionProfile;
  /** fsync (default true). */
  sync?: boolean;
  /** Lock wait limit in milliseconds (default 30 000). */
  timeoutMs?: number;
}

/**
 * Updates the pg_control file at `path`: `update` gets the current contents (CRC-checked) and
 * returns the new values; returns the bytes written. As root, the file keeps its owner.
 */
export function updateControlFile(
  path: string,
  update: (current: DecodedControlFile) => ControlFileInput,
  options: ControlFileUpdateOptions = {},
): Uint8Array {
  const owner = statSync(path);
  const out = updateFileAtomically(
    path,
    (bytes) => {
      if (bytes === null) throw new Error(`could not open file "${path}": No such file or directory`);
      const current = decodeControlFileStrict(bytes, options.profile);
      return encodeControlFile(update(current), options.profile);
    },
    { sync: options.sync ?? true, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) },
  );
  if (process.getuid?.() === 0) chownSync(path, owner.uid, owner.gid);
  return out;
}
