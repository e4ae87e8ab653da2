/**
 * POSTGRES_FFI_WALDUMP_TRACE=FILE: one JSON line per pass of `pgffi waldump` that tests ask
 * about (which path ran, how it ended). Not for users; nothing is written when unset.
 */
import { appendFileSync } from 'node:fs';

export function trace(info: Record<string, unknown>): void {
  const file = process.env.POSTGRES_FFI_WALDUMP_TRACE;
  if (file !== undefined && file !== '') appendFileSync(file, `${JSON.stringify(info)}\n`);
}
