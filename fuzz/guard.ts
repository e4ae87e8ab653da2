/**
 * Resource guards for fuzz cases. The allocation guard wraps the global ArrayBuffer and typed
 * array constructors (and Array) so that a buffer sized by a length field is caught even when
 * the library would have survived it: any allocation above the case's limit is recorded as a
 * violation (and throws, so huge ones never happen). Install it before the library is imported
 * (some dependencies keep a reference to Uint8Array from load time).
 */

export interface AllocationViolation {
  constructorName: string;
  bytes: number;
  limit: number;
  stack: string;
}

let limit = Number.POSITIVE_INFINITY;
let violation: AllocationViolation | null = null;
let installed = false;

export class AllocationLimitError extends Error {
  override readonly name = 'AllocationLimitError';
}

function check(name: string, bytes: number): void {
  if (bytes > limit) {
    const stack = new Error().stack ?? '';
    if (violation === null) violation = { constructorName: name, bytes, limit, stack };
    throw new AllocationLimitError(`allocation of ${bytes} bytes by new ${name}() exceeds the case limit of ${limit} bytes`);
  }
}

const TYPED = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'Uint8Array',
  'Int8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'BigUint64Array',
  'BigInt64Array',
] as const;

const ELEMENT_SIZE: Record<string, number> = {
  ArrayBuffer: 1,
  SharedArrayBuffer: 1,
  Uint8Array: 1,
  Int8Array: 1,
  Uint8ClampedArray: 1,
  Uint16Array: 2,
  Int16Array: 2,
  Uint32Array: 4,
  Int32Array: 4,
  Float32Array: 4,
  Float64Array: 8,
  BigUint64Array: 8,
  BigInt64Array: 8,
  Array: 8,
};

export function installAllocationGuard(): void {
  if (installed) return;
  installed = true;
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of [...TYPED, 'Array']) {
    const original = g[name] as (new (...args: unknown[]) => unknown) & ((...args: unknown[]) => unknown);
    if (typeof original !== 'function') continue;
    const size = ELEMENT_SIZE[name] ?? 1;
    g[name] = new Proxy(original, {
      construct(target, args, newTarget) {
        if (typeof args[0] === 'number' && (name !== 'Array' || args.length === 1)) check(name, args[0] * size);
        return Reflect.construct(target, args, newTarget === g[name] ? target : newTarget);
      },
      apply(target, thisArg, args) {
        if (name === 'Array' && typeof args[0] === 'number' && args.length === 1) check(name, args[0] * size);
        return Reflect.apply(target, thisArg, args);
      },
    });
  }
}

/** Runs `fn` with the allocation limit set; returns the first violation seen (even if caught inside). */
export function takeViolation(): AllocationViolation | null {
  const v = violation;
  violation = null;
  return v;
}

export function setAllocationLimit(bytes: number): void {
  limit = bytes;
  violation = null;
}

export function clearAllocationLimit(): void {
  limit = Number.POSITIVE_INFINITY;
}

export function allocationGuardInstalled(): boolean {
  return installed;
}
