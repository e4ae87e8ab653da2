/**
 * Coverage feedback for the fuzz loop from V8's own block coverage (the inspector protocol's
 * Profiler.takePreciseCoverage, which also resets the counters): the set of src/ code blocks
 * a case executed. Inputs that reach a block never seen before join the pool that later
 * cases are mutated from — coverage-guided fuzzing without native instrumentation (Jazzer.js's
 * prebuilt addon needs glibc 2.38 / GLIBCXX_3.4.32, which this platform does not have).
 */
import { Session } from 'node:inspector';

interface CoverageRange {
  startOffset: number;
  endOffset: number;
  count: number;
}

interface ScriptCoverage {
  scriptId: string;
  url: string;
  functions: { functionName: string; ranges: CoverageRange[] }[];
}

export class CoverageTracker {
  private readonly session = new Session();
  private readonly seen = new Set<string>();
  private readonly filter: (url: string) => boolean;

  constructor(filter: (url: string) => boolean = (url) => url.includes('/src/') && !url.includes('/node_modules/')) {
    this.filter = filter;
    this.session.connect();
    this.post('Profiler.enable');
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  }

  private post(method: string, params?: object): unknown {
    let result: unknown;
    let error: Error | null = null;
    this.session.post(method, params ?? {}, (err, r) => {
      error = err;
      result = r;
    });
    if (error !== null) throw error;
    return result;
  }

  /** Blocks executed since the previous call that were never executed before. */
  take(): number {
    const r = this.post('Profiler.takePreciseCoverage') as { result: ScriptCoverage[] } | undefined;
    if (r === undefined) throw new Error('inspector did not answer synchronously');
    let fresh = 0;
    for (const script of r.result) {
      if (!this.filter(script.url)) continue;
      for (const fn of script.functions) {
        for (const range of fn.ranges) {
          if (range.count === 0) continue;
          const key = `${script.url}:${range.startOffset}:${range.endOffset}`;
          if (!this.seen.has(key)) {
            this.seen.add(key);
            fresh++;
          }
        }
      }
    }
    return fresh;
  }

  /** Distinct src/ blocks executed so far. */
  get blocks(): number {
    return this.seen.size;
  }

  stop(): void {
    this.post('Profiler.stopPreciseCoverage');
    this.session.disconnect();
  }
}
