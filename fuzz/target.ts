/**
 * Fuzz targets and their inputs, and the seed corpus (test/fuzz/corpus/, made from real
 * PostgreSQL 14/15/16 servers by scripts/make-fuzz-corpus.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { PgMajor } from '../src/common/core/version.js';
import type { Rng } from './rng.js';

export type ParamValue = number | string | boolean;

/** One case: bytes plus the few parameters the entry point takes (all JSON-serialisable). */
export interface FuzzInput {
  bytes: Uint8Array;
  major: PgMajor;
  params: Record<string, ParamValue>;
}

export interface FuzzTarget {
  readonly name: string;
  readonly description: string;
  /** A mutated case, entirely determined by `rng`. */
  generate(rng: Rng, corpus: Corpus): FuzzInput;
  /** Feeds the case to the entry points; returns, or throws (PgFormatError is fine). */
  run(input: FuzzInput): void | Promise<void>;
}

export type CorpusKind = 'wal' | 'page' | 'control' | 'relmap' | 'replslot' | 'twophase' | 'slru' | 'text';

export interface CorpusEntry {
  file: string;
  kind: CorpusKind;
  major: PgMajor;
  note: string;
  fork?: 'main' | 'fsm' | 'vm' | 'init';
  block?: number;
  slru?: 'xact' | 'commit_ts' | 'multixact_offsets' | 'multixact_members';
  bytes: Uint8Array;
}

export const CORPUS_DIR = join(import.meta.dirname, '..', 'test', 'fuzz', 'corpus');

export class Corpus {
  readonly entries: readonly CorpusEntry[];
  private readonly byKind = new Map<CorpusKind, CorpusEntry[]>();
  /** Per-target caches derived from the entries (decoded records, images …). */
  readonly cache = new Map<string, unknown>();

  constructor(entries: readonly CorpusEntry[]) {
    this.entries = entries;
    for (const e of entries) {
      const list = this.byKind.get(e.kind) ?? [];
      list.push(e);
      this.byKind.set(e.kind, list);
    }
  }

  static load(dir = CORPUS_DIR): Corpus {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Omit<CorpusEntry, 'bytes'>[];
    return new Corpus(manifest.map((m) => ({ ...m, bytes: new Uint8Array(gunzipSync(readFileSync(join(dir, m.file)))) })));
  }

  of(kind: CorpusKind): readonly CorpusEntry[] {
    return this.byKind.get(kind) ?? [];
  }

  /** Cached derived data for a target. */
  derived<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }
}
