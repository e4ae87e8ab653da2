/**
 * Vitest setup file: every test file runs with the native accelerator installed when it is
 * built and not disabled — the same as `pgffi` — so the suite covers the native path, and
 * `npm run test:pure-ts` (POSTGRES_FFI_NATIVE=0) covers the pure-TypeScript path.
 */
import '../../src/node/native.js';
