/**
 * The descriptions that fill most real WAL, written as bytes: heap_desc for INSERT, DELETE,
 * UPDATE, HOT_UPDATE and LOCK (access/heapam_xlog.h xl_heap_insert, xl_heap_delete,
 * xl_heap_update, xl_heap_lock) and btree_desc for the xl_btree_insert records
 * (access/nbtxlog.h), 14/15's "off 3 flags 0x08" and 16's "off: 3, flags: 0x08" forms. The
 * text is the one common/rmgr's heap and btree descriptors build (the waldump tests compare
 * both paths and pg_waldump); this path reads the few fields straight from the record's bytes
 * instead of building the typed body and a string.
 *
 * `putFastDescription` declines (returns -1) for every other record, for records that are not
 * WalRecords, and for any record whose main data or block 0 data is shorter than the rmgr
 * decoder requires: the caller then uses `describe`, which prints the text or raises the
 * decoder's error, exactly as before.
 */
import {
  BKPBLOCK_HAS_DATA,
  RM_BTREE_ID,
  RM_HEAP_ID,
  XLH_DELETE_CONTAINS_OLD_KEY,
  XLH_DELETE_CONTAINS_OLD_TUPLE,
  XLH_UPDATE_CONTAINS_OLD_KEY,
  XLH_UPDATE_CONTAINS_OLD_TUPLE,
  XLH_UPDATE_PREFIX_FROM_OLD,
  XLH_UPDATE_SUFFIX_FROM_OLD,
  XLOG_BTREE_INSERT_LEAF,
  XLOG_BTREE_INSERT_META,
  XLOG_BTREE_INSERT_POST,
  XLOG_BTREE_INSERT_UPPER,
  XLOG_HEAP_DELETE,
  XLOG_HEAP_HOT_UPDATE,
  XLOG_HEAP_INSERT,
  XLOG_HEAP_LOCK,
  XLOG_HEAP_OPMASK,
  XLOG_HEAP_UPDATE,
} from '../constants.js';
import type { PgVersionProfile } from '../profile.js';
import { offsetsFor } from '../rmgr/am-util.js';
import { btreeOffsets } from '../rmgr/btree.js';
import { heapOffsets, infobitsClassic, infobitsKeyed } from '../rmgr/heap.js';
import { BH_DATA_LEN, BH_FORK_FLAGS, BH_ID, BLOCK_HEADER_SLOTS, BLOCK_HEADERS, loadBlockHeaders } from '../wal/decoded-record.js';
import type { DecodedRecord } from '../wal/record.js';
import { type AsciiChunk, asciiChunk, digitTables, putChunk, putHex2, putUint } from './text-sink.js';

/** Room `putFastDescription` may use (the longest: 16's UPDATE with every infobit, ~150 bytes). */
export const FAST_DESCRIPTION_ROOM = 256;

/** The record fields WalRecord exposes for reading main data in place. */
type InPlaceRecord = DecodedRecord & { buf?: Uint8Array; mainDataOffset?: number; mainDataLength?: number };

/** Field offsets of the structs read here, resolved from the profile's layouts once per profile. */
interface Offsets {
  readonly insertOffnum: number;
  readonly insertFlags: number;
  readonly insertSize: number;
  readonly deleteXmax: number;
  readonly deleteOffnum: number;
  readonly deleteInfobits: number;
  readonly deleteFlags: number;
  readonly updateOldXmax: number;
  readonly updateOldOffnum: number;
  readonly updateOldInfobits: number;
  readonly updateFlags: number;
  readonly updateNewXmax: number;
  readonly updateNewOffnum: number;
  readonly lockXmax: number;
  readonly lockOffnum: number;
  readonly lockInfobits: number;
  readonly lockFlags: number;
  /** SizeOfHeapHeader: the bytes readXlHeapTuple needs before the tuple data. */
  readonly heapHeaderSize: number;
  readonly btreeOffnum: number;
}

let offsetsProfile: PgVersionProfile | null = null;
let offsets: Offsets | null = null;

/** The offsets for `profile`; its first call also builds the description text (buildDescriptionText). */
function offsetsOf(profile: PgVersionProfile): Offsets {
  if (profile === offsetsProfile && offsets !== null) return offsets;
  if (INFOBITS_CLASSIC.length === 0) buildDescriptionText();
  const H = offsetsFor(profile, heapOffsets);
  const B = offsetsFor(profile, btreeOffsets);
  const ins = H.xl_heap_insert!;
  const del = H.xl_heap_delete!;
  const upd = H.xl_heap_update!;
  const lock = H.xl_heap_lock!;
  offsets = {
    insertOffnum: ins.offnum!,
    insertFlags: ins.flags!,
    insertSize: Math.max(ins.offnum! + 2, ins.flags! + 1),
    deleteXmax: del.xmax!,
    deleteOffnum: del.offnum!,
    deleteInfobits: del.infobits_set!,
    deleteFlags: del.flags!,
    updateOldXmax: upd.old_xmax!,
    updateOldOffnum: upd.old_offnum!,
    updateOldInfobits: upd.old_infobits_set!,
    updateFlags: upd.flags!,
    updateNewXmax: upd.new_xmax!,
    updateNewOffnum: upd.new_offnum!,
    lockXmax: lock.xmax ?? lock.locking_xid!,
    lockOffnum: lock.offnum!,
    lockInfobits: lock.infobits_set!,
    lockFlags: lock.flags!,
    heapHeaderSize: H.xl_heap_header!.t_hoff! + 1,
    btreeOffnum: B.xl_btree_insert!.offnum!,
  };
  offsetsProfile = profile;
  return offsets;
}

function u16(b: Uint8Array, i: number): number {
  return (b[i] as number) | ((b[i + 1] as number) << 8);
}

function u32(b: Uint8Array, i: number): number {
  return ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0;
}

/*
 * The constant text of the descriptions as bytes, built with the digit tables when the first
 * description is written (offsetsOf's first call), not at import: a --stats run writes none.
 */
/** Every infobits combination, 14/15's "IS_MULTI LOCK_ONLY " and 16's "infobits: [IS_MULTI, LOCK_ONLY]". */
const INFOBITS_CLASSIC: AsciiChunk[] = [];
const INFOBITS_KEYED: AsciiChunk[] = [];
const OLD_INFOBITS_KEYED: AsciiChunk[] = [];
let C_OFF: AsciiChunk;
let C_FLAGS: AsciiChunk;
let C_XMAX: AsciiChunk;
let C_NEW_OFF: AsciiChunk;
let C_XID: AsciiChunk;
let C_COLON_FLAGS: AsciiChunk;
let K_OFF: AsciiChunk;
let K_FLAGS: AsciiChunk;
let K_XMAX: AsciiChunk;
let K_OFF2: AsciiChunk;
let K_OLD_XMAX: AsciiChunk;
let K_OLD_OFF: AsciiChunk;
let K_NEW_XMAX: AsciiChunk;
let K_NEW_OFF: AsciiChunk;
let K_COMMA: AsciiChunk;

function buildDescriptionText(): void {
  digitTables();
  for (let bits = 0; bits < 32; bits++) {
    INFOBITS_CLASSIC.push(asciiChunk(infobitsClassic(bits)));
    INFOBITS_KEYED.push(asciiChunk(infobitsKeyed(bits, 'infobits')));
    OLD_INFOBITS_KEYED.push(asciiChunk(infobitsKeyed(bits, 'old_infobits')));
  }
  C_OFF = asciiChunk('off ');
  C_FLAGS = asciiChunk(' flags ');
  C_XMAX = asciiChunk(' xmax ');
  C_NEW_OFF = asciiChunk('; new off ');
  C_XID = asciiChunk(': xid ');
  C_COLON_FLAGS = asciiChunk(': flags ');
  K_OFF = asciiChunk('off: ');
  K_FLAGS = asciiChunk(', flags: ');
  K_XMAX = asciiChunk('xmax: ');
  K_OFF2 = asciiChunk(', off: ');
  K_OLD_XMAX = asciiChunk('old_xmax: ');
  K_OLD_OFF = asciiChunk(', old_off: ');
  K_NEW_XMAX = asciiChunk(', new_xmax: ');
  K_NEW_OFF = asciiChunk(', new_off: ');
  K_COMMA = asciiChunk(', ');
}

/** Length of block 0's data, -1 when the record has no block 0 or it carries no data (blockData's null). */
function block0DataLength(record: DecodedRecord): number {
  const count = loadBlockHeaders(record);
  const h = BLOCK_HEADERS;
  for (let q = 0; q < count * BLOCK_HEADER_SLOTS; q += BLOCK_HEADER_SLOTS) {
    if (h[q + BH_ID] === 0) return ((h[q + BH_FORK_FLAGS] as number) & BKPBLOCK_HAS_DATA) !== 0 ? (h[q + BH_DATA_LEN] as number) : -1;
  }
  return -1;
}

/**
 * Writes the description of `record` at `p` (room: FAST_DESCRIPTION_ROOM) and returns the new
 * position, or returns -1 having written nothing useful (the caller uses `describe`).
 */
export function putFastDescription(v: DataView, p: number, record: DecodedRecord, profile: PgVersionProfile): number {
  const rmid = record.rmid;
  if (rmid !== RM_HEAP_ID && rmid !== RM_BTREE_ID) return -1;
  const r = record as InPlaceRecord;
  const buf = r.buf;
  const base = r.mainDataOffset;
  const len = r.mainDataLength;
  if (buf === undefined || base === undefined || len === undefined) return -1;
  const o = offsetsOf(profile);
  const keyed = profile.major >= 16;
  const info = record.info & 0xf0;
  if (rmid === RM_BTREE_ID) {
    if (
      info !== XLOG_BTREE_INSERT_LEAF &&
      info !== XLOG_BTREE_INSERT_UPPER &&
      info !== XLOG_BTREE_INSERT_META &&
      info !== XLOG_BTREE_INSERT_POST
    ) {
      return -1;
    }
    if (len < o.btreeOffnum + 2) return -1;
    p = putChunk(v, p, keyed ? K_OFF : C_OFF);
    return putUint(v, p, u16(buf, base + o.btreeOffnum));
  }
  switch (info & XLOG_HEAP_OPMASK) {
    case XLOG_HEAP_INSERT: {
      if (len < o.insertSize) return -1;
      const bd = block0DataLength(record);
      if (bd >= 0 && bd < o.heapHeaderSize) return -1;
      p = putChunk(v, p, keyed ? K_OFF : C_OFF);
      p = putUint(v, p, u16(buf, base + o.insertOffnum));
      p = putChunk(v, p, keyed ? K_FLAGS : C_FLAGS);
      return putHex2(v, p, buf[base + o.insertFlags] as number);
    }
    case XLOG_HEAP_DELETE: {
      if (len < o.deleteFlags + 1) return -1;
      const flags = buf[base + o.deleteFlags] as number;
      if ((flags & (XLH_DELETE_CONTAINS_OLD_TUPLE | XLH_DELETE_CONTAINS_OLD_KEY)) !== 0 && len < o.deleteFlags + 1 + o.heapHeaderSize) {
        return -1;
      }
      return putXmaxOffFlags(v, p, keyed, buf, base, o.deleteXmax, o.deleteOffnum, o.deleteInfobits, flags, false);
    }
    case XLOG_HEAP_LOCK: {
      if (len < o.lockFlags + 1) return -1;
      return putXmaxOffFlags(v, p, keyed, buf, base, o.lockXmax, o.lockOffnum, o.lockInfobits, buf[base + o.lockFlags] as number, true);
    }
    case XLOG_HEAP_UPDATE:
    case XLOG_HEAP_HOT_UPDATE: {
      const size = o.updateNewOffnum + 2;
      if (len < size) return -1;
      const flags = buf[base + o.updateFlags] as number;
      if ((flags & (XLH_UPDATE_CONTAINS_OLD_TUPLE | XLH_UPDATE_CONTAINS_OLD_KEY)) !== 0 && len < size + o.heapHeaderSize) return -1;
      const bd = block0DataLength(record);
      if (bd >= 0) {
        const at = (flags & XLH_UPDATE_PREFIX_FROM_OLD ? 2 : 0) + (flags & XLH_UPDATE_SUFFIX_FROM_OLD ? 2 : 0);
        if (bd < at + o.heapHeaderSize) return -1;
      }
      const oldXmax = u32(buf, base + o.updateOldXmax);
      const oldOff = u16(buf, base + o.updateOldOffnum);
      const infobits = (buf[base + o.updateOldInfobits] as number) & 0x1f;
      const newXmax = u32(buf, base + o.updateNewXmax);
      const newOff = u16(buf, base + o.updateNewOffnum);
      if (keyed) {
        p = putChunk(v, p, K_OLD_XMAX);
        p = putUint(v, p, oldXmax);
        p = putChunk(v, p, K_OLD_OFF);
        p = putUint(v, p, oldOff);
        p = putChunk(v, p, K_COMMA);
        p = putChunk(v, p, OLD_INFOBITS_KEYED[infobits]!);
        p = putChunk(v, p, K_FLAGS);
        p = putHex2(v, p, flags);
        p = putChunk(v, p, K_NEW_XMAX);
        p = putUint(v, p, newXmax);
        p = putChunk(v, p, K_NEW_OFF);
        return putUint(v, p, newOff);
      }
      p = putChunk(v, p, C_OFF);
      p = putUint(v, p, oldOff);
      p = putChunk(v, p, C_XMAX);
      p = putUint(v, p, oldXmax);
      p = putChunk(v, p, C_FLAGS);
      p = putHex2(v, p, flags);
      v.setUint8(p++, 32);
      p = putChunk(v, p, INFOBITS_CLASSIC[infobits]!);
      p = putChunk(v, p, C_NEW_OFF);
      p = putUint(v, p, newOff);
      p = putChunk(v, p, C_XMAX);
      return putUint(v, p, newXmax);
    }
    default:
      return -1;
  }
}

/**
 * DELETE and LOCK: 16's "xmax: X, off: N, infobits: [...], flags: 0xFF" (both); 14/15's DELETE
 * "off N flags 0xFF INFOBITS" and LOCK "off N: xid X: flags 0xFF INFOBITS".
 */
function putXmaxOffFlags(
  v: DataView,
  p: number,
  keyed: boolean,
  buf: Uint8Array,
  base: number,
  xmaxAt: number,
  offAt: number,
  infobitsAt: number,
  flags: number,
  lock: boolean,
): number {
  const off = u16(buf, base + offAt);
  const infobits = (buf[base + infobitsAt] as number) & 0x1f;
  if (keyed) {
    p = putChunk(v, p, K_XMAX);
    p = putUint(v, p, u32(buf, base + xmaxAt));
    p = putChunk(v, p, K_OFF2);
    p = putUint(v, p, off);
    p = putChunk(v, p, K_COMMA);
    p = putChunk(v, p, INFOBITS_KEYED[infobits]!);
    p = putChunk(v, p, K_FLAGS);
    return putHex2(v, p, flags);
  }
  p = putChunk(v, p, C_OFF);
  p = putUint(v, p, off);
  if (lock) {
    p = putChunk(v, p, C_XID);
    p = putUint(v, p, u32(buf, base + xmaxAt));
    p = putChunk(v, p, C_COLON_FLAGS);
  } else {
    p = putChunk(v, p, C_FLAGS);
  }
  p = putHex2(v, p, flags);
  v.setUint8(p++, 32);
  return putChunk(v, p, INFOBITS_CLASSIC[infobits]!);
}
