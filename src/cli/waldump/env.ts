/**
 * The POSTGRES_FFI_WALDUMP_* environment knobs shared by parallel waldump (./parallel.ts) and
 * the native --stats pass (./native-stats.ts).
 */
import { appendFileSync } from 'node:fs';

/** A non-negative integer environment variable (POSTGRES_FFI_WALDUMP_WORKERS, ...), or null. */
export function envCount(name: string): number | null {
  const env = process.env[name];
  return env !== undefined && /^\d+$/.test(env) ? Number(env) : null;
}

/**
 * POSTGRES_FFI_WALDUMP_TRACE=FILE: one JSON line per pass of `pgffi waldump` that tests ask
 * about (which path ran, how it ended). Not for users; nothing is written when unset.
 */
export function trace(info: Record<string, unknown>): void {
  const file = process.env.POSTGRES_FFI_WALDUMP_TRACE;
  if (file !== undefined && file !== '') appendFileSync(file, `${JSON.stringify(info)}\n`);
}
