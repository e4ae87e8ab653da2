/**
 * Error wording against the server itself: a real 14, 15 and 16 server is given a corrupted
 * slot state file, two-phase state file and relation mapper file, and the message it logs (or
 * sends) must be exactly the message our decoder throws for the same bytes.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRelMapFile } from '../../src/common/control/relmapper.js';
import { decodeReplicationSlot } from '../../src/common/control/replslot.js';
import { decodeTwoPhaseFile } from '../../src/common/control/twophase.js';
import { PgServer } from '../support/pg-server.js';

function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the decoder to throw');
}

describe.each([14, 15, 16] as const)('PostgreSQL %i', (major) => {
  let server: PgServer;
  beforeAll(async () => {
    server = await PgServer.start({ major });
    await server.query("SELECT pg_create_physical_replication_slot('s1', true)");
    await server.query("CREATE TABLE t (a int); BEGIN; INSERT INTO t VALUES (1); PREPARE TRANSACTION 'p1'");
    await server.query('CHECKPOINT');
    await server.stop();
  });
  afterAll(async () => {
    await server?.destroy();
  });

  /** Writes `bad` over `rel`, tries to start, returns the log written by that attempt; restores the file. */
  async function withCorrupted(rel: string, corrupt: (b: Uint8Array) => void, connect: boolean): Promise<string> {
    const path = join(server.dataDir, rel);
    const good = readFileSync(path);
    const bad = new Uint8Array(good);
    corrupt(bad);
    writeFileSync(path, bad);
    const logBefore = readFileSync(server.logFile, 'utf8').length;
    let extra = '';
    try {
      await server.startExisting();
      if (connect) await server.query('SELECT 1').catch((e: Error) => (extra = `CLIENT: ${e.message}\n`));
    } catch (e) {
      extra = `START: ${(e as Error).message}\n`;
    } finally {
      await server.stop('immediate').catch(() => undefined);
      writeFileSync(path, good);
    }
    return readFileSync(server.logFile, 'utf8').slice(logBefore) + extra;
  }

  it('a replication slot state file with a bad checksum: the PANIC message', async () => {
    const rel = 'pg_replslot/s1/state';
    const flip = (b: Uint8Array): void => {
      b[90]! ^= 0x40;
    };
    const bad = new Uint8Array(readFileSync(join(server.dataDir, rel)));
    flip(bad);
    const ours = thrown(() => decodeReplicationSlot(bad));
    expect(ours).toMatch(/^checksum mismatch for replication slot file "pg_replslot\/s1\/state": is \d+, should be \d+$/);
    const log = await withCorrupted(rel, flip, false);
    expect(log).toContain(`PANIC:  ${ours}\n`);
  });

  it('a two-phase state file with a bad CRC: the startup error message', async () => {
    const name = readdirSync(join(server.dataDir, 'pg_twophase'))[0]!;
    const rel = `pg_twophase/${name}`;
    const flip = (b: Uint8Array): void => {
      b[16]! ^= 0x01;
    };
    const bad = new Uint8Array(readFileSync(join(server.dataDir, rel)));
    flip(bad);
    const ours = thrown(() => decodeTwoPhaseFile(bad, { major }));
    expect(ours).toBe(`calculated CRC checksum does not match value stored in file "${rel}"`);
    const log = await withCorrupted(rel, flip, false);
    expect(log).toMatch(new RegExp(`(FATAL|ERROR):  ${ours.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`));
  });

  it('a relation mapper file with a bad CRC: the message a connection gets', async () => {
    const rel = 'global/pg_filenode.map';
    const flip = (b: Uint8Array): void => {
      b[12]! ^= 0x01;
    };
    const bad = new Uint8Array(readFileSync(join(server.dataDir, rel)));
    flip(bad);
    const ours = thrown(() => decodeRelMapFile(bad, { major }));
    expect(ours).toBe('relation mapping file "global/pg_filenode.map" contains incorrect checksum');
    const log = await withCorrupted(rel, flip, true);
    expect(log).toContain(`FATAL:  ${ours}\n`);
  });
});
