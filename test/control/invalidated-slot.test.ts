/**
 * An invalidated replication slot (max_slot_wal_keep_size exceeded) on 14, 15 and 16: the
 * state file records it as invalidated_at (an LSN, slot version 2) in 14/15 and as
 * invalidated = RS_INVAL_WAL_REMOVED (slot version 3) in 16; pg_replication_slots says "lost".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeReplicationSlot, encodeReplicationSlot, ReplicationSlotInvalidationCause } from '../../src/common/control/replslot.js';
import { formatLsn } from '../../src/common/core/lsn.js';
import { withServer } from '../support/pg-server.js';

describe.each([14, 15, 16] as const)('PostgreSQL %i', (major) => {
  it('an invalidated physical slot', async () => {
    await withServer({ major, conf: { max_slot_wal_keep_size: "'1MB'", wal_keep_size: 0 } }, async (server) => {
      const [created] = await server.query<{ lsn: string }>("SELECT lsn::text FROM pg_create_physical_replication_slot('lost_slot', true)");
      await server.query('CREATE TABLE t (a int)');
      for (let i = 0; i < 4; i++) {
        await server.query('INSERT INTO t SELECT generate_series(1, 20000)');
        await server.switchWal();
      }
      await server.checkpoint();
      await server.checkpoint();
      const [row] = await server.query<{ wal_status: string; restart_lsn: string | null }>(
        "SELECT wal_status, restart_lsn::text FROM pg_replication_slots WHERE slot_name = 'lost_slot'",
      );
      expect(row!.wal_status).toBe('lost');
      const bytes = new Uint8Array(readFileSync(join(server.dataDir, 'pg_replslot', 'lost_slot', 'state')));
      const s = decodeReplicationSlot(bytes);
      expect(s.slotdata.restart_lsn === 0n ? null : formatLsn(s.slotdata.restart_lsn)).toBe(row!.restart_lsn);
      if (major >= 16) {
        expect(s.version).toBe(3);
        expect(s.slotdata.invalidated).toBe(ReplicationSlotInvalidationCause.RS_INVAL_WAL_REMOVED);
        expect(s.slotdata.invalidated_at).toBeUndefined();
      } else {
        expect(s.version).toBe(2);
        expect(formatLsn(s.slotdata.invalidated_at!)).toBe(created!.lsn);
        expect(s.slotdata.invalidated).toBeUndefined();
      }
      expect(Buffer.from(encodeReplicationSlot(s)).equals(Buffer.from(bytes))).toBe(true);
    });
  });
});
