/**
 * Replication slot state files, `pg_replslot/<name>/state` (ReplicationSlotOnDisk in
 * backend/replication/slot.c, ReplicationSlotPersistentData in replication/slot.h):
 *
 *   magic @0 (0x1051CA1)  checksum @4 (CRC-32C of [8, 200))  version @8  length @12 (184)
 *   slotdata @16: name NameData(64) @16, database @80, persistency @84, xmin @88,
 *   catalog_xmin @92, restart_lsn @96, @104: invalidated_at (XLogRecPtr, 14/15, version 2)
 *   or invalidated (ReplicationSlotInvalidationCause + 4 pad, 16, version 3),
 *   confirmed_flush @112, two_phase_at @120 (initial_consistent_point in 14), two_phase @128,
 *   plugin NameData(64) @129, 7 pad — 200 bytes, zero-filled before writing.
 */
import { decodeFixedString } from '../core/byte-reader.js';
import { CRC32C_INIT, crc32cFinish, crc32cUpdate } from '../core/crc32c.js';
import { PgFormatError } from '../core/errors.js';
import type { Lsn } from '../core/lsn.js';

export const SLOT_MAGIC = 0x1051ca1;
/** SLOT_VERSION of 14 and 15 (2) and of 16 (3). */
export const SLOT_VERSION_14 = 2;
export const SLOT_VERSION_16 = 3;
export const NAMEDATALEN = 64;
export const SIZEOF_REPLICATION_SLOT_ON_DISK = 200;
/** ReplicationSlotOnDiskConstantSize. */
export const ReplicationSlotOnDiskConstantSize = 16;
/** ReplicationSlotOnDiskNotChecksummedSize. */
export const ReplicationSlotOnDiskNotChecksummedSize = 8;
/** ReplicationSlotOnDiskV2Size: the `length` field. */
export const ReplicationSlotOnDiskV2Size = SIZEOF_REPLICATION_SLOT_ON_DISK - ReplicationSlotOnDiskConstantSize;

export const ReplicationSlotPersistency = { RS_PERSISTENT: 0, RS_EPHEMERAL: 1, RS_TEMPORARY: 2 } as const;
/** ReplicationSlotInvalidationCause (16). */
export const ReplicationSlotInvalidationCause = {
  RS_INVAL_NONE: 0,
  RS_INVAL_WAL_REMOVED: 1,
  RS_INVAL_HORIZON: 2,
  RS_INVAL_WAL_LEVEL: 3,
} as const;

const INVALIDATION_TEXT = [null, 'wal_removed', 'rows_removed', 'wal_level_insufficient'] as const;

/** pg_replication_slots.conflicting's underlying cause, as 17 names it ("wal_removed", ...); null for RS_INVAL_NONE. */
export function slotInvalidationCauseText(cause: number): string | null {
  return INVALIDATION_TEXT[cause] ?? `unknown (${cause})`;
}

export interface ReplicationSlotPersistentData {
  name: string;
  database: number;
  persistency: number;
  xmin: number;
  catalog_xmin: number;
  restart_lsn: Lsn;
  /** Version 2 (14, 15): restart_lsn at invalidation, 0 if valid. */
  invalidated_at?: Lsn;
  /** Version 3 (16): ReplicationSlotInvalidationCause. */
  invalidated?: number;
  confirmed_flush: Lsn;
  /** two_phase_at (15, 16); initial_consistent_point in 14 (same place). */
  two_phase_at: Lsn;
  two_phase: boolean;
  plugin: string;
}

export interface ReplicationSlotOnDisk {
  magic: number;
  checksum: number;
  version: number;
  length: number;
  slotdata: ReplicationSlotPersistentData;
}

export interface DecodedReplicationSlot extends ReplicationSlotOnDisk {
  computedChecksum: number;
  crcOk: boolean;
}

export interface SlotDecodeOptions {
  /** Name used in messages (default "pg_replslot/<name>/state" once the name is known, else "state"). */
  path?: string;
  verifyCrc?: boolean;
}

function checksumOf(bytes: Uint8Array, end: number): number {
  return crc32cFinish(crc32cUpdate(CRC32C_INIT, bytes, ReplicationSlotOnDiskNotChecksummedSize, end));
}

/** Decodes a slot state file with RestoreSlotFromDisk's checks and wording (version 2 or 3). */
export function decodeReplicationSlot(bytes: Uint8Array, options: SlotDecodeOptions = {}): DecodedReplicationSlot {
  let path = options.path ?? 'state';
  if (bytes.length < ReplicationSlotOnDiskConstantSize) {
    throw new PgFormatError('TRUNCATED', `could not read file "${path}": read ${bytes.length} of ${ReplicationSlotOnDiskConstantSize}`, {
      offset: bytes.length,
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  if (magic !== SLOT_MAGIC) {
    throw new PgFormatError('BAD_MAGIC', `replication slot file "${path}" has wrong magic number: ${magic} instead of ${SLOT_MAGIC}`, {
      offset: 0,
    });
  }
  const version = view.getUint32(8, true);
  if (version !== SLOT_VERSION_14 && version !== SLOT_VERSION_16) {
    throw new PgFormatError('BAD_VERSION', `replication slot file "${path}" has unsupported version ${version}`, { offset: 8 });
  }
  const length = view.getUint32(12, true);
  if (length !== ReplicationSlotOnDiskV2Size) {
    throw new PgFormatError('BAD_LENGTH', `replication slot file "${path}" has corrupted length ${length}`, { offset: 12 });
  }
  const want = ReplicationSlotOnDiskConstantSize + length;
  if (bytes.length < want) {
    throw new PgFormatError(
      'TRUNCATED',
      `could not read file "${path}": read ${bytes.length - ReplicationSlotOnDiskConstantSize} of ${length}`,
      {
        offset: bytes.length,
      },
    );
  }
  const checksum = view.getUint32(4, true);
  const computedChecksum = checksumOf(bytes, want);
  const name = decodeFixedString(bytes.subarray(16, 16 + NAMEDATALEN));
  if (options.path === undefined) path = `pg_replslot/${name}/state`;
  if (checksum !== computedChecksum && options.verifyCrc !== false) {
    throw new PgFormatError(
      'CRC_MISMATCH',
      `checksum mismatch for replication slot file "${path}": is ${computedChecksum}, should be ${checksum}`,
      { offset: 4 },
    );
  }
  const slotdata: ReplicationSlotPersistentData = {
    name,
    database: view.getUint32(80, true),
    persistency: view.getInt32(84, true),
    xmin: view.getUint32(88, true),
    catalog_xmin: view.getUint32(92, true),
    restart_lsn: view.getBigUint64(96, true),
    confirmed_flush: view.getBigUint64(112, true),
    two_phase_at: view.getBigUint64(120, true),
    two_phase: bytes[128] !== 0,
    plugin: decodeFixedString(bytes.subarray(129, 129 + NAMEDATALEN)),
  };
  if (version === SLOT_VERSION_16) slotdata.invalidated = view.getInt32(104, true);
  else slotdata.invalidated_at = view.getBigUint64(104, true);
  return { magic, checksum, version, length, slotdata, computedChecksum, crcOk: checksum === computedChecksum };
}

function putName(out: Uint8Array, at: number, name: string, what: string): void {
  const b = new TextEncoder().encode(name);
  if (b.length >= NAMEDATALEN)
    throw new PgFormatError('BAD_LENGTH', `${what} "${name}" is too long: ${b.length} bytes, at most ${NAMEDATALEN - 1}`);
  out.set(b, at);
}

/**
 * Encodes a slot state file as SaveSlotToPath does (zeroed struct, checksum computed).
 * `version` defaults to 3 when `slotdata.invalidated` is set, else 2.
 */
export function encodeReplicationSlot(slot: { version?: number; slotdata: ReplicationSlotPersistentData }): Uint8Array {
  const d = slot.slotdata;
  const version = slot.version ?? (d.invalidated !== undefined ? SLOT_VERSION_16 : SLOT_VERSION_14);
  const out = new Uint8Array(SIZEOF_REPLICATION_SLOT_ON_DISK);
  const view = new DataView(out.buffer);
  view.setUint32(0, SLOT_MAGIC, true);
  view.setUint32(8, version, true);
  view.setUint32(12, ReplicationSlotOnDiskV2Size, true);
  putName(out, 16, d.name, 'replication slot name');
  view.setUint32(80, d.database >>> 0, true);
  view.setInt32(84, d.persistency, true);
  view.setUint32(88, d.xmin >>> 0, true);
  view.setUint32(92, d.catalog_xmin >>> 0, true);
  view.setBigUint64(96, BigInt.asUintN(64, d.restart_lsn), true);
  if (version === SLOT_VERSION_16) view.setInt32(104, d.invalidated ?? 0, true);
  else view.setBigUint64(104, BigInt.asUintN(64, d.invalidated_at ?? 0n), true);
  view.setBigUint64(112, BigInt.asUintN(64, d.confirmed_flush), true);
  view.setBigUint64(120, BigInt.asUintN(64, d.two_phase_at), true);
  out[128] = d.two_phase ? 1 : 0;
  putName(out, 129, d.plugin, 'output plugin name');
  view.setUint32(4, checksumOf(out, SIZEOF_REPLICATION_SLOT_ON_DISK), true);
  return out;
}
