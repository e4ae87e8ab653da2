/**
 * Record-level target: one real XLogRecord (from the WAL corpus, grouped by rmgr and record
 * type so rare types are drawn as often as common ones) with its body mutated while staying
 * well-formed — main data bytes rewritten, resized (its length field kept consistent), block
 * data rewritten, xl_info/xl_rmid changed so one body is read as another record type — then
 * decoded (DecodeXLogRecord via detachRecord) and consumed by every rmgr decoder/description.
 */

import type { PgMajor } from '../../src/common/core/version.js';
import { detachRecord } from '../../src/common/wal/decoded-record.js';
import type { DecodedRecord } from '../../src/common/wal/record.js';
import { WalStreamDecoder } from '../../src/common/wal/stream-decoder.js';
import { profileFor } from '../../src/index.js';
import { type Field, INTERESTING_U32, mutateField, mutateGeneric, writeU32 } from '../mutate.js';
import type { Rng } from '../rng.js';
import type { Corpus, FuzzTarget } from '../target.js';
import { consumeRecord, recordFields } from './record-sink.js';

interface RecordSeed {
  raw: Uint8Array;
  major: PgMajor;
  lsn: number;
}

function recordGroups(corpus: Corpus): RecordSeed[][] {
  return corpus.derived('record-groups', () => {
    const groups = new Map<string, RecordSeed[]>();
    for (const e of corpus.of('wal')) {
      const d = new WalStreamDecoder(profileFor(e.major));
      d.push(e.bytes);
      d.end();
      try {
        for (const r of d) {
          const key = `${e.major}:${r.rmid}:${r.info & 0xf0}:${r.blocks.some((b) => b.image !== null)}`;
          const list = groups.get(key) ?? [];
          if (list.length < 40) list.push({ raw: r.raw.slice(), major: e.major, lsn: Number(r.lsn) });
          groups.set(key, list);
        }
      } catch {
        // seeds end inside a record
      }
    }
    return [...groups.values()];
  });
}

function resizeMain(raw: Uint8Array, lenField: Field, start: number, rng: Rng): Uint8Array {
  const old = raw.length - start;
  const max = lenField.size === 1 ? 255 : old + 256;
  const r = rng.int(4);
  const n =
    r === 0
      ? rng.int(old + 1)
      : r === 1
        ? Math.max(0, old + rng.range(-8, 8))
        : r === 2
          ? rng.pick([0, 1, 2, 3, 4, 7, 8, 12, 16])
          : rng.int(max + 1);
  const len = Math.min(n, max);
  const out = new Uint8Array(start + len);
  out.set(raw.subarray(0, Math.min(raw.length, start + len)));
  for (let i = raw.length; i < out.length; i++) out[i] = rng.chance(0.5) ? 0 : rng.int(256);
  if (lenField.size === 1) out[lenField.off] = len;
  else writeU32(out, lenField.off, len);
  writeU32(out, 0, out.length);
  return out;
}

function mutateRange(b: Uint8Array, from: number, to: number, rng: Rng): void {
  if (to <= from) return;
  for (let k = rng.small(5); k > 0; k--) {
    const r = rng.int(4);
    const off = from + rng.int(to - from);
    if (r === 0) b[off] = (b[off] as number) ^ (1 << rng.int(8));
    else if (r === 1) b[off] = rng.pick([0, 1, 0x7f, 0x80, 0xff]);
    else {
      const size = r === 2 ? 2 : 4;
      const aligned = off - ((off - from) % size);
      if (aligned + size <= to) mutateField(b, { off: aligned, size, hints: INTERESTING_U32 }, rng);
    }
  }
}

export const recordTarget: FuzzTarget = {
  name: 'record',
  description:
    'DecodeXLogRecord + every rmgr body decoder, rm_desc, rm_identify, block refs and FPI restore on well-formed records with mutated bodies',
  generate(rng, corpus) {
    const seed = rng.pick(rng.pick(recordGroups(corpus)));
    const bits = profileFor(seed.major).bkpImage;
    let raw: Uint8Array = seed.raw.slice();
    for (let n = rng.small(3); n > 0; n--) {
      const fields = recordFields(raw, bits.COMPRESS_PGLZ | bits.COMPRESS_LZ4 | bits.COMPRESS_ZSTD, bits.HAS_HOLE);
      const r = rng.int(12);
      if (fields === null || r === 0) {
        raw = mutateGeneric(raw, rng, () => rng.pick(rng.pick(recordGroups(corpus))).raw);
      } else if (r < 5) {
        mutateRange(raw, fields.mainData[0], fields.mainData[1], rng);
      } else if (r < 7 && fields.mainLenField !== null) {
        raw = resizeMain(raw, fields.mainLenField, fields.mainData[0], rng);
      } else if (r < 8 && fields.payloads.length > 0) {
        const [from, to] = rng.pick(fields.payloads);
        mutateRange(raw, from, to, rng);
      } else if (r < 10) {
        // Read the body as another record type of this rmgr (or a flag bit flipped).
        raw[16] = rng.chance(0.7) ? (rng.int(16) << 4) | ((raw[16] as number) & 0x0f) : (raw[16] as number) ^ (1 << rng.int(8));
      } else if (r < 11) {
        raw[17] = rng.chance(0.8) ? rng.int(22) : rng.pick([22, 127, 128, 200, 255]);
      } else if (fields.blockHeaders.length > 0) {
        mutateField(raw, rng.pick(fields.blockHeaders), rng);
      }
    }
    return { bytes: raw, major: seed.major, params: { lsn: seed.lsn } };
  },
  run(input) {
    const profile = profileFor(input.major);
    const lsn = BigInt(Number(input.params.lsn ?? 0x1000028));
    const shell = { raw: input.bytes, lsn, endLsn: lsn + BigInt(Math.ceil(input.bytes.length / 8) * 8) } as unknown as DecodedRecord;
    const record = detachRecord(profile, shell);
    consumeRecord(record, profile);
  },
};
