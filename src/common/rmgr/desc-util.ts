/**
 * Helpers shared by the rmgr body decoders and their descriptions (rmgrdesc/*.c): bounds-checked
 * little-endian reads of main data, LSN text ("%X/%X"), relpathperm(), and the two ways
 * PostgreSQL prints a TimestampTz inside a description: pg_waldump's frontend
 * timestamptz_to_str (compat.c: "%Y-%m-%d %H:%M:%S.uuuuuu %Z" in the process's time zone) and
 * the server's (EncodeDateTime, ISO style, session TimeZone: "2024-05-01 10:11:12.5+00").
 */
import { PgFormatError } from '../core/errors.js';
import { relationPath } from '../core/relation-path.js';
import type { PgVersionProfile } from '../profile.js';

/** How descriptions print timestamps: like pg_waldump (default) or like the server (pg_walinspect). */
export type TimestampStyle = 'waldump' | 'server';

export interface DescribeOptions {
  /** 'waldump' (frontend timestamptz_to_str) or 'server' (pg_walinspect's text). */
  readonly timestampStyle?: TimestampStyle;
  /** IANA zone for timestamps; default "UTC". */
  readonly timeZone?: string;
}

export const DEFAULT_DESCRIBE_OPTIONS: DescribeOptions = { timestampStyle: 'waldump', timeZone: 'UTC' };

/** Throws unless `data` holds at least `n` bytes (a record body shorter than its struct). */
export function needBytes(data: Uint8Array, n: number, what: string): void {
  if (data.length < n) {
    throw new PgFormatError('BAD_RECORD', `${what}: main data has ${data.length} bytes, expected at least ${n}`, { offset: data.length });
  }
}

export function u8(d: Uint8Array, o: number): number {
  return d[o] ?? 0;
}

export function u16(d: Uint8Array, o: number): number {
  return (d[o] ?? 0) | ((d[o + 1] ?? 0) << 8);
}

export function u32(d: Uint8Array, o: number): number {
  return ((d[o] ?? 0) | ((d[o + 1] ?? 0) << 8) | ((d[o + 2] ?? 0) << 16) | ((d[o + 3] ?? 0) << 24)) >>> 0;
}

export function i32(d: Uint8Array, o: number): number {
  return (d[o] ?? 0) | ((d[o + 1] ?? 0) << 8) | ((d[o + 2] ?? 0) << 16) | ((d[o + 3] ?? 0) << 24);
}

export function u64(d: Uint8Array, o: number): bigint {
  return (BigInt(u32(d, o + 4)) << 32n) | BigInt(u32(d, o));
}

export function i64(d: Uint8Array, o: number): bigint {
  return BigInt.asIntN(64, u64(d, o));
}

/** "%X/%X" of a 64-bit LSN. */
export function lsnText(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** "%X/%X" of the LSN stored at `o` (no bigint). */
export function lsnTextAt(d: Uint8Array, o: number): string {
  return `${u32(d, o + 4)
    .toString(16)
    .toUpperCase()}/${u32(d, o).toString(16).toUpperCase()}`;
}

const HEX_CODES = Uint8Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));

/**
 * `bytes` as "%02X" pairs separated by blanks, written as ASCII into `out` at `at` (room:
 * 3 * length - 1); returns the position after them. Payloads run to megabytes (LogicalMessage).
 */
export function putHexSpaced(out: Uint8Array, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  if (n === 0) return at;
  let p = at;
  let x = bytes[0] as number;
  out[p++] = HEX_CODES[x >> 4] as number;
  out[p++] = HEX_CODES[x & 15] as number;
  for (let i = 1; i < n; i++) {
    x = bytes[i] as number;
    out[p] = 32;
    out[p + 1] = HEX_CODES[x >> 4] as number;
    out[p + 2] = HEX_CODES[x & 15] as number;
    p += 3;
  }
  return p;
}

/** A NUL-terminated string starting at `o` (to the end of `d` if unterminated), bytes as Latin-1-safe UTF-8. */
export function cstringAt(d: Uint8Array, o: number, max = d.length - o): string {
  const end = Math.min(d.length, o + max);
  let i = o;
  while (i < end && d[i] !== 0) i++;
  return textDecoder.decode(d.subarray(o, i));
}

const textDecoder = new TextDecoder('utf-8', { fatal: false });

/** relpathperm(rlocator, fork) as the record's major version prints it. */
export function relpathperm(spcOid: number, dbOid: number, relNumber: number, fork: number, profile: PgVersionProfile): string {
  return relationPath({ spcOid, dbOid, relNumber }, fork, 0, { major: profile.major, catalogVersion: profile.CATALOG_VERSION_NO });
}

/** Microseconds between 1970-01-01 and 2000-01-01 (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE). */
const EPOCH_OFFSET_US = 946_684_800_000_000n;
const EPOCH_OFFSET_S = 946_684_800;
/** 2^53: TimestampTz values below this in magnitude convert to numbers exactly. */
const SAFE_US = 9_007_199_254_740_992n;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad4(n: number): string {
  return n < 1000 ? String(n).padStart(4, '0') : String(n);
}

interface ZoneParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Offset from UTC in seconds (east positive). */
  offset: number;
  abbrev: string;
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

function zoneParts(unixMs: number, timeZone: string): ZoneParts {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC' || timeZone === 'GMT') {
    const date = new Date(unixMs);
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
      offset: 0,
      abbrev: timeZone === 'GMT' ? 'GMT' : 'UTC',
    };
  }
  const secs = Math.floor(unixMs / 1000);
  const minute = Math.floor(secs / 60);
  const cached = zoneMinutes.get(timeZone);
  if (cached !== undefined && cached.minute === minute) return shiftedParts(secs, cached.offset, cached.abbrev);
  const parts = intlZoneParts(unixMs, timeZone);
  rememberMinute(timeZone, minute, parts, shiftedParts(secs, parts.offset, parts.abbrev));
  return parts;
}

/**
 * The zone's offset and abbreviation for the last UTC minute asked about, per zone: a WAL's
 * commit timestamps come in runs within the same minute, and Intl costs microseconds a call.
 */
const zoneMinutes = new Map<string, { minute: number; offset: number; abbrev: string }>();

/** Local fields as UTC + offset (what Intl reports wherever the offset holds). */
function shiftedParts(secs: number, offset: number, abbrev: string): ZoneParts {
  const d = new Date((secs + offset) * 1000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    offset,
    abbrev,
  };
}

function sameParts(a: ZoneParts, b: ZoneParts): boolean {
  return (
    a.year === b.year &&
    a.month === b.month &&
    a.day === b.day &&
    a.hour === b.hour &&
    a.minute === b.minute &&
    a.second === b.second &&
    a.offset === b.offset &&
    a.abbrev === b.abbrev
  );
}

/**
 * Caches `minute` for the zone when the offset and abbreviation are the same at its first and
 * last second (no transition inside it) and UTC + offset gives exactly Intl's fields.
 */
function rememberMinute(timeZone: string, minute: number, parts: ZoneParts, shifted: ZoneParts): void {
  if (!sameParts(parts, shifted)) return;
  const first = intlZoneParts(minute * 60000, timeZone);
  const last = intlZoneParts(minute * 60000 + 59000, timeZone);
  if (first.offset !== parts.offset || last.offset !== parts.offset || first.abbrev !== parts.abbrev || last.abbrev !== parts.abbrev)
    return;
  zoneMinutes.set(timeZone, { minute, offset: parts.offset, abbrev: parts.abbrev });
}

/** The local fields, offset and abbreviation Intl gives for `unixMs` in `timeZone`. */
function intlZoneParts(unixMs: number, timeZone: string): ZoneParts {
  const date = new Date(unixMs);
  let fmt = zoneFormatters.get(timeZone);
  if (fmt === undefined) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      timeZoneName: 'short',
    });
    zoneFormatters.set(timeZone, fmt);
  }
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(date)) parts[p.type] = p.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  const second = Number(parts.second);
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const offset = Math.round((local - Math.floor(unixMs / 1000) * 1000) / 1000);
  return { year, month, day, hour, minute, second, offset, abbrev: parts.timeZoneName ?? timeZone };
}

/**
 * timestamptz_to_str for a TimestampTz (µs since 2000-01-01 UTC), in pg_waldump's frontend form
 * ("2024-05-01 10:11:12.000500 UTC") or the server's ISO form ("2024-05-01 10:11:12.0005+00").
 */
export function timestamptzToStr(t: bigint, options: DescribeOptions = DEFAULT_DESCRIBE_OPTIONS): string {
  const timeZone = options.timeZone ?? 'UTC';
  if (options.timestampStyle === 'server') return serverTimestamp(t, timeZone);
  // compat.c: time_t = t / USECS_PER_SEC (truncating) + epoch shift; fraction = t % USECS_PER_SEC.
  // In numbers where exact (|t| < 2^53 µs, ±285 years around 2000): bigint division costs more.
  let secs: number;
  let frac: number;
  if (t > -SAFE_US && t < SAFE_US) {
    const n = Number(t);
    frac = n % 1_000_000;
    secs = (n - frac) / 1_000_000 + EPOCH_OFFSET_S;
  } else {
    secs = Number(t / 1_000_000n) + EPOCH_OFFSET_S;
    frac = Number(t % 1_000_000n);
  }
  const p = zoneParts(secs * 1000, timeZone);
  // "%06d": a negative fraction (a time before 2000) keeps its sign within the six columns.
  const fracText = frac < 0 ? `-${String(-frac).padStart(5, '0')}` : String(frac).padStart(6, '0');
  return `${pad4(p.year)}-${pad2(p.month)}-${pad2(p.day)} ${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}.${fracText} ${p.abbrev}`;
}

const DT_NOBEGIN = -0x8000000000000000n;
const DT_NOEND = 0x7fffffffffffffffn;

function serverTimestamp(t: bigint, timeZone: string): string {
  if (t === DT_NOBEGIN) return '-infinity';
  if (t === DT_NOEND) return 'infinity';
  // timestamp2tm: floor division into seconds and a non-negative fraction.
  let secs = t / 1_000_000n;
  let frac = t % 1_000_000n;
  if (frac < 0n) {
    frac += 1_000_000n;
    secs -= 1n;
  }
  const unixSecs = secs + EPOCH_OFFSET_US / 1_000_000n;
  const p = zoneParts(Number(unixSecs) * 1000, timeZone);
  let text = `${pad4(p.year)}-${pad2(p.month)}-${pad2(p.day)} ${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}`;
  if (frac !== 0n) text += `.${frac.toString().padStart(6, '0').replace(/0+$/, '')}`;
  // EncodeTimezone: sign, hours, then :MM and :SS only when non-zero.
  const off = Math.abs(p.offset);
  const hh = Math.floor(off / 3600);
  const mm = Math.floor((off % 3600) / 60);
  const ss = off % 60;
  text += `${p.offset < 0 ? '-' : '+'}${pad2(hh)}`;
  if (mm !== 0 || ss !== 0) text += `:${pad2(mm)}`;
  if (ss !== 0) text += `:${pad2(ss)}`;
  return text;
}
