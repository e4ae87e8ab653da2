/**
 * The text files of a data directory and WAL archive:
 *
 * - timeline history files `pg_wal/%08X.history` (backend/access/transam/timeline.c):
 *   one "parentTLI\tX/X\treason" line per switch; a child's file is its parent's content,
 *   a blank line, then its own line; "#" comments and blank lines are ignored on reading.
 * - `backup_label` and backup history files `pg_wal/*.backup` (xlog.c in 14,
 *   xlogbackup.c in 15+): "KEY: value" lines (START WAL LOCATION, STOP WAL LOCATION,
 *   CHECKPOINT LOCATION, BACKUP METHOD, BACKUP FROM, START TIME, LABEL, START TIMELINE,
 *   STOP TIME, STOP TIMELINE).
 * - `tablespace_map`: "oid path" lines; "\n", "\r" and "\" in a path are backslash-escaped.
 * - `PG_VERSION`: the major version and a newline ("16\n").
 */
import { PgFormatError } from '../core/errors.js';
import { formatLsn, type Lsn } from '../core/lsn.js';

type Text = string | Uint8Array;
const asText = (t: Text): string => (typeof t === 'string' ? t : new TextDecoder().decode(t));

// ---- timeline history ----

export interface TimeLineHistoryEntry {
  /** The parent timeline that ended at `switchpoint`. */
  tli: number;
  /** First LSN of the child timeline (the end of `tli`). */
  switchpoint: Lsn;
  /** Free text: "no recovery target specified", "before 2024-... ", ... */
  reason: string;
}

const HISTORY_LINE = /^\s*(\d+)(?:\s*([0-9A-Fa-f]+)\/([0-9A-Fa-f]+))?/;

/**
 * readTimeLineHistory: the switch entries of a history file. With `targetTli` (the
 * file's own timeline, from its name), checks that every entry's TLI is below it.
 */
export function decodeTimeLineHistory(text: Text, targetTli?: number): TimeLineHistoryEntry[] {
  const out: TimeLineHistoryEntry[] = [];
  for (const raw of asText(text).split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const m = HISTORY_LINE.exec(line);
    if (m === null) throw new PgFormatError('BAD_RECORD', `syntax error in history file: ${line} (Expected a numeric timeline ID.)`);
    if (m[2] === undefined || m[3] === undefined) {
      throw new PgFormatError('BAD_RECORD', `syntax error in history file: ${line} (Expected a write-ahead log switchpoint location.)`);
    }
    const tli = Number(m[1]);
    const hi = BigInt(`0x${m[2]}`);
    const lo = BigInt(`0x${m[3]}`);
    if (tli > 0xffffffff || hi > 0xffffffffn || lo > 0xffffffffn) {
      throw new PgFormatError('BAD_RECORD', `syntax error in history file: ${line} (Expected a write-ahead log switchpoint location.)`);
    }
    const last = out.at(-1);
    if (last !== undefined && tli <= last.tli) {
      throw new PgFormatError('BAD_RECORD', `invalid data in history file: ${line} (Timeline IDs must be in increasing sequence.)`);
    }
    const rest = line.slice(m[0].length);
    out.push({ tli, switchpoint: (hi << 32n) | lo, reason: rest.startsWith('\t') ? rest.slice(1) : rest.trimStart() });
  }
  const last = out.at(-1);
  if (targetTli !== undefined && last !== undefined && targetTli <= last.tli) {
    throw new PgFormatError(
      'BAD_RECORD',
      `invalid data in history file "${historyName(targetTli)}" (Timeline IDs must be less than child timeline's ID.)`,
    );
  }
  return out;
}

function historyName(tli: number): string {
  return `${tli.toString(16).toUpperCase().padStart(8, '0')}.history`;
}

/**
 * writeTimeLineHistory's output for these entries: the first line, then for each later
 * entry a blank line and the entry (each child appends to its parent's file that way).
 */
export function encodeTimeLineHistory(entries: readonly TimeLineHistoryEntry[]): string {
  return entries.map((e, i) => `${i === 0 ? '' : '\n'}${e.tli}\t${formatLsn(e.switchpoint)}\t${e.reason}\n`).join('');
}

// ---- backup_label and backup history files ----

export interface BackupLabelLine {
  key: string;
  value: string;
}

export interface BackupLabel {
  /** Every line in file order (what the encoder writes back). */
  lines: BackupLabelLine[];
  startWalLocation: Lsn;
  /** The segment named in START WAL LOCATION's "(file …)". */
  startWalFile: string;
  checkpointLocation?: Lsn;
  backupMethod?: string;
  backupFrom?: string;
  startTime?: string;
  label?: string;
  startTimeline?: number;
  /** Backup history files only. */
  stopWalLocation?: Lsn;
  stopWalFile?: string;
  stopTime?: string;
  stopTimeline?: number;
}

const LOCATION = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8}) \(file ([0-9A-F]{24})\)$/;
const LSN_ONLY = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/;

/**
 * Decodes backup_label (what pg_backup_stop()/pg_stop_backup() return as labelfile) or a
 * backup history file, with read_backup_label's checks: "invalid data in file …" when START
 * WAL LOCATION is not the first line, or (backup_label) CHECKPOINT LOCATION not the second,
 * or START TIMELINE disagrees with the start segment's timeline.
 */
export function decodeBackupLabel(text: Text, fileName = 'backup_label'): BackupLabel {
  const s = asText(text);
  const bad = (detail?: string): PgFormatError =>
    new PgFormatError('BAD_RECORD', `invalid data in file "${fileName}"${detail === undefined ? '' : `: ${detail}`}`);
  if (!s.endsWith('\n')) throw bad('last line not terminated');
  const lines: BackupLabelLine[] = [];
  for (const line of s.slice(0, -1).split('\n')) {
    const i = line.indexOf(': ');
    if (i <= 0) throw bad(`line "${line}" is not "KEY: value"`);
    lines.push({ key: line.slice(0, i), value: line.slice(i + 2) });
  }
  const first = lines[0];
  const start = first?.key === 'START WAL LOCATION' ? LOCATION.exec(first.value) : null;
  if (start === null) throw bad();
  const lsn = (hi: string, lo: string): Lsn => (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
  const out: BackupLabel = { lines, startWalLocation: lsn(start[1]!, start[2]!), startWalFile: start[3]! };
  const second = lines[1];
  if (fileName === 'backup_label' && (second?.key !== 'CHECKPOINT LOCATION' || !LSN_ONLY.test(second.value))) throw bad();
  for (const { key, value } of lines.slice(1)) {
    switch (key) {
      case 'CHECKPOINT LOCATION': {
        const m = LSN_ONLY.exec(value);
        if (m === null) throw bad();
        out.checkpointLocation = lsn(m[1]!, m[2]!);
        break;
      }
      case 'STOP WAL LOCATION': {
        const m = LOCATION.exec(value);
        if (m === null) throw bad();
        out.stopWalLocation = lsn(m[1]!, m[2]!);
        out.stopWalFile = m[3]!;
        break;
      }
      case 'BACKUP METHOD':
        out.backupMethod = value;
        break;
      case 'BACKUP FROM':
        out.backupFrom = value;
        break;
      case 'START TIME':
        out.startTime = value;
        break;
      case 'STOP TIME':
        out.stopTime = value;
        break;
      case 'LABEL':
        out.label = value;
        break;
      case 'START TIMELINE':
      case 'STOP TIMELINE': {
        if (!/^\d+$/.test(value)) throw bad();
        if (key === 'START TIMELINE') out.startTimeline = Number(value);
        else out.stopTimeline = Number(value);
        break;
      }
      default:
        break;
    }
  }
  const walTli = Number.parseInt(out.startWalFile.slice(0, 8), 16);
  if (out.startTimeline !== undefined && out.startTimeline !== walTli) {
    throw bad(`Timeline ID parsed is ${out.startTimeline}, but expected ${walTli}.`);
  }
  return out;
}

/** Writes the lines back ("KEY: value\n" each): `encodeBackupLabel(decodeBackupLabel(x)) === x`. */
export function encodeBackupLabel(label: Pick<BackupLabel, 'lines'>): string {
  return label.lines.map((l) => `${l.key}: ${l.value}\n`).join('');
}

export interface BackupLabelFields {
  startWalLocation: Lsn;
  startWalFile: string;
  stopWalLocation?: Lsn;
  stopWalFile?: string;
  checkpointLocation: Lsn;
  backupFrom: 'primary' | 'standby';
  startTime: string;
  label: string;
  startTimeline: number;
  stopTime?: string;
  stopTimeline?: number;
}

/** build_backup_content (15+; 14 writes the same lines): a backup_label, or with the STOP fields a backup history file. */
export function buildBackupLabel(f: BackupLabelFields): string {
  const lines: BackupLabelLine[] = [{ key: 'START WAL LOCATION', value: `${formatLsn(f.startWalLocation)} (file ${f.startWalFile})` }];
  if (f.stopWalLocation !== undefined && f.stopWalFile !== undefined) {
    lines.push({ key: 'STOP WAL LOCATION', value: `${formatLsn(f.stopWalLocation)} (file ${f.stopWalFile})` });
  }
  lines.push(
    { key: 'CHECKPOINT LOCATION', value: formatLsn(f.checkpointLocation) },
    { key: 'BACKUP METHOD', value: 'streamed' },
    { key: 'BACKUP FROM', value: f.backupFrom },
    { key: 'START TIME', value: f.startTime },
    { key: 'LABEL', value: f.label },
    { key: 'START TIMELINE', value: String(f.startTimeline) },
  );
  if (f.stopTime !== undefined && f.stopTimeline !== undefined) {
    lines.push({ key: 'STOP TIME', value: f.stopTime }, { key: 'STOP TIMELINE', value: String(f.stopTimeline) });
  }
  return encodeBackupLabel({ lines });
}

// ---- tablespace_map ----

export interface TablespaceMapEntry {
  /** The tablespace OID as written (a decimal string). */
  oid: string;
  /** The symlink target, de-escaped. */
  path: string;
}

/** read_tablespace_map: "oid path" lines with backslash escapes; "invalid data in file …" otherwise. */
export function decodeTablespaceMap(text: Text): TablespaceMapEntry[] {
  const s = asText(text);
  const out: TablespaceMapEntry[] = [];
  const bad = (): PgFormatError => new PgFormatError('BAD_RECORD', 'invalid data in file "tablespace_map"');
  let cur = '';
  let wasBackslash = false;
  for (const ch of s) {
    if (!wasBackslash && (ch === '\n' || ch === '\r')) {
      if (cur.length === 0) continue;
      const n = cur.indexOf(' ');
      if (n < 1 || n >= cur.length - 1) throw bad();
      out.push({ oid: cur.slice(0, n), path: cur.slice(n + 1) });
      cur = '';
    } else if (!wasBackslash && ch === '\\') wasBackslash = true;
    else {
      cur += ch;
      wasBackslash = false;
    }
  }
  if (cur.length !== 0 || wasBackslash) throw bad();
  return out;
}

/** do_pg_backup_start's tablespace_map text for these entries. */
export function encodeTablespaceMap(entries: readonly TablespaceMapEntry[]): string {
  return entries.map((e) => `${e.oid} ${e.path.replace(/[\n\r\\]/g, (c) => `\\${c}`)}\n`).join('');
}

// ---- PG_VERSION ----

/** The major version in a PG_VERSION file ("16\n" → 16); ValidatePgVersion's wording otherwise. */
export function decodePgVersionFile(text: Text, path = 'PG_VERSION'): number {
  const m = /^(\d+)(?:\.(\d+))?\s/.exec(asText(text));
  if (m === null) throw new PgFormatError('BAD_RECORD', `File "${path}" does not contain valid data.`);
  return Number(m[1]);
}

export function encodePgVersionFile(major: number): string {
  return `${major}\n`;
}
