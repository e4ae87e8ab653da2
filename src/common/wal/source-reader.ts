/**
 * Async iteration over WAL records from a byte source (AsyncIterable<Uint8Array> such as a
 * Node stream, a web ReadableStream, or a plain iterable of chunks), driving a
 * WalStreamDecoder (xlogreader.c's page/record reader) chunk by chunk.
 */
import type { PgVersionProfile } from '../profile.js';
import type { WalRecord } from './decoded-record.js';
import { type EndOfWal, type WalDecoderOptions, WalStreamDecoder } from './stream-decoder.js';

/** The reader half of a web ReadableStream (kept structural: no DOM types in the core). */
export interface ReadableStreamLike {
  getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>; releaseLock(): void };
}

export type WalSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | ReadableStreamLike;

async function* chunksOf(source: WalSource): AsyncGenerator<Uint8Array> {
  if (typeof (source as ReadableStreamLike).getReader === 'function') {
    const reader = (source as ReadableStreamLike).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        if (value !== undefined) yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  yield* source as AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/**
 * Records of a WAL byte source, in order. `decoder` exists once the first chunk arrived (the
 * profile may be chosen from it); `endOfWal` tells why iteration stopped.
 */
export class WalSourceReader implements AsyncIterable<WalRecord> {
  decoder: WalStreamDecoder | null = null;
  private readonly source: WalSource;
  private readonly pickProfile: (firstChunk: Uint8Array) => PgVersionProfile;
  private readonly options: WalDecoderOptions;

  constructor(source: WalSource, pickProfile: (firstChunk: Uint8Array) => PgVersionProfile, options: WalDecoderOptions = {}) {
    this.source = source;
    this.pickProfile = pickProfile;
    this.options = options;
  }

  get endOfWal(): EndOfWal | null {
    return this.decoder?.endOfWal ?? null;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<WalRecord> {
    for await (const chunk of chunksOf(this.source)) {
      if (chunk.length === 0) continue;
      if (this.decoder === null) this.decoder = new WalStreamDecoder(this.pickProfile(chunk), this.options);
      const d = this.decoder;
      d.push(chunk);
      for (let r = d.next(); r !== null; r = d.next()) yield r;
      if (d.done) return;
    }
    if (this.decoder === null) return;
    this.decoder.end();
    for (let r = this.decoder.next(); r !== null; r = this.decoder.next()) yield r;
  }
}

/** decodeWalStream(profile, source, options): the records of `source`, decoded with `profile`. */
export function decodeWalStream(profile: PgVersionProfile, source: WalSource, options: WalDecoderOptions = {}): WalSourceReader {
  return new WalSourceReader(source, () => profile, options);
}
