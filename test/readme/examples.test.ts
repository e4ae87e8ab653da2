/**
 * The README's API examples, run: a segment made with the encoder (an FPI record and a switch)
 * is decoded with openWal and WalStreamDecoder, described, its image restored and inspected,
 * and read back through the generated layouts. If an example's names or shapes drift from
 * the code, this fails.
 */
import { describe, expect, it } from 'vitest';
import {
  blockRefText,
  describe as describeRecord,
  formatLsn,
  inspectPage,
  isPgFormatError,
  openWal,
  pageChecksum,
  pagesToSegments,
  profileFor,
  recordType,
  restoreFullPageImage,
  WalEncoder,
} from '../../src/index.js';
import { layouts, profile, WalStreamDecoder } from '../../src/v16/index.js';

/** An empty heap page: pd_lower 24, pd_upper = pd_special = 8192, layout version 4. */
function emptyHeapPage(): Uint8Array {
  const page = new Uint8Array(8192);
  const v = new DataView(page.buffer);
  v.setUint16(12, 24, true);
  v.setUint16(14, 8192, true);
  v.setUint16(16, 8192, true);
  v.setUint16(18, 8192 | 4, true);
  return page;
}

describe('README API examples', () => {
  const page = emptyHeapPage();
  const enc = new WalEncoder({
    profile: profileFor(16),
    systemIdentifier: 7_000_000_000_000_000_001n,
    startLsn: 0x1000000n,
    segmentSize: 16 << 20,
    timeline: 1,
  });
  const fpi = enc.append({
    rmid: 0,
    info: 0xb0,
    blocks: [{ id: 0, spcOid: 1663, dbOid: 5, relNumber: 16384, blockNumber: 0, image: { page, compression: 'pglz' } }],
  });
  enc.appendSwitch();
  const segments = pagesToSegments(enc.takePages(), 16 << 20);
  const segment = segments.get(1n)!;

  it('openWal, recordType, describe, blockRefText, restoreFullPageImage', () => {
    const wal = openWal(segment);
    const seen: string[] = [];
    for (const r of wal) {
      seen.push(`${formatLsn(r.lsn)} ${recordType(r, wal.profile)} ${describeRecord(r, wal.profile)}`.trim());
      for (const b of r.blocks) {
        if (b.image) expect(restoreFullPageImage(wal.profile, b, r.lsn)).toEqual(page);
        expect(blockRefText(r, wal.profile, { detailed: false })).toBe(', blkref #0: rel 1663/5/16384 blk 0 FPW');
      }
    }
    expect(seen).toEqual([`${formatLsn(fpi.lsn)} FPI`, `${formatLsn(fpi.endLsn)} SWITCH`]);
    expect(wal.profile).toBe(profile);
    expect(wal.endOfWal).not.toBeNull();
  });

  it('WalStreamDecoder fed in chunks gives the same records', () => {
    const d = new WalStreamDecoder(profile, { startLsn: 0x1000000n });
    const lsns: bigint[] = [];
    for (let o = 0; o < segment.length; o += 5000) {
      d.push(segment.subarray(o, o + 5000));
      for (let r = d.next(); r; r = d.next()) lsns.push(r.lsn);
    }
    d.end();
    for (let r = d.next(); r; r = d.next()) lsns.push(r.lsn);
    expect(lsns).toEqual([fpi.lsn, fpi.endLsn]);
  });

  it('inspectPage, pageChecksum and the generated layout readers', () => {
    expect(inspectPage(page, 0).kind).toBe('heap');
    const sum = pageChecksum(page, 0);
    expect(sum).toBeGreaterThanOrEqual(1);
    expect(sum).toBeLessThanOrEqual(65535);
    const rec = layouts.readXLogRecord(new DataView(segment.buffer, segment.byteOffset, segment.byteLength), 40);
    expect(rec.xl_rmid).toBe(0);
    expect(rec.xl_info).toBe(0xb0);
    expect(layouts.LAYOUTS.XLogRecord!.fields[0]).toMatchObject({ name: 'xl_tot_len', offset: 0, size: 4 });
  });

  it('errors are PgFormatErrors with PostgreSQL wording', () => {
    const bad = segment.slice();
    bad[0] = 0;
    let err: unknown;
    try {
      openWal(bad);
    } catch (e) {
      err = e;
    }
    expect(isPgFormatError(err)).toBe(true);
  });
});
