/**
 * The contract every byte-taking entry point must keep, checked per fuzz case: it returns or
 * throws a PgFormatError — never another exception (RangeError, TypeError, …), never longer
 * than the time budget (CPU time of the case), never an allocation above the case's limit (sized by a length field
 * rather than by the input), and the same result whatever the chunking (targets check that
 * themselves and throw ContractViolation).
 */
import { isPgFormatError } from '../src/common/core/errors.js';
import { clearAllocationLimit, setAllocationLimit, takeViolation } from './guard.js';
import type { FuzzInput, FuzzTarget } from './target.js';

/** A target found its own invariant broken (chunking changed the result, a wrong page size…). */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
}

export type FailureKind = 'exception' | 'slow' | 'allocation' | 'invariant' | 'hang';

export interface Failure {
  kind: FailureKind;
  message: string;
  /** Error name and the first stack frame inside src/ (or fuzz/): what minimisation preserves. */
  signature: string;
  stack: string;
}

export interface CaseResult {
  failure: Failure | null;
  /** The input was rejected with a PgFormatError (a fine outcome). */
  rejected: boolean;
  ms: number;
}

/** Per-case allocation limit: generous for the input's size, far below what a bogus length field asks. */
export function allocationLimitFor(input: FuzzInput): number {
  return Math.max(4 * 1024 * 1024, input.bytes.length * 16);
}

function frameOf(stack: string): string {
  for (const line of stack.split('\n').slice(1)) {
    const m = /(src\/[^\s):]+|fuzz\/[^\s):]+|node_modules\/[^\s):]+)(:\d+)?/.exec(line);
    if (m !== null && !line.includes('fuzz/guard.ts') && !line.includes('fuzz/contract.ts')) return `${m[1]}${m[2] ?? ''}`;
  }
  return '?';
}

export function failureOf(kind: FailureKind, e: unknown): Failure {
  const err = e instanceof Error ? e : new Error(String(e));
  const stack = err.stack ?? `${err.name}: ${err.message}`;
  return { kind, message: `${err.name}: ${err.message}`, signature: `${kind} ${err.name} at ${frameOf(stack)}`, stack };
}

export async function runCase(target: FuzzTarget, input: FuzzInput, budgetMs: number): Promise<CaseResult> {
  // CPU time, not wall time: on a loaded machine wall time measures the neighbours.
  const c0 = process.cpuUsage();
  let rejected = false;
  let failure: Failure | null = null;
  setAllocationLimit(allocationLimitFor(input));
  try {
    await target.run(input);
  } catch (e) {
    if (isPgFormatError(e)) rejected = true;
    else if (e instanceof ContractViolation) failure = failureOf('invariant', e);
    else failure = failureOf('exception', e);
  } finally {
    clearAllocationLimit();
  }
  const c1 = process.cpuUsage(c0);
  const ms = (c1.user + c1.system) / 1000;
  const v = takeViolation();
  if (v !== null) {
    failure = {
      kind: 'allocation',
      message: `new ${v.constructorName}() of ${v.bytes} bytes (limit ${v.limit})`,
      signature: `allocation ${v.constructorName} at ${frameOf(v.stack)}`,
      stack: v.stack,
    };
  } else if (failure === null && ms > budgetMs) {
    failure = {
      kind: 'slow',
      message: `took ${ms.toFixed(0)} ms of CPU (budget ${budgetMs} ms)`,
      signature: 'slow',
      stack: '',
    };
  }
  return { failure, rejected, ms };
}
