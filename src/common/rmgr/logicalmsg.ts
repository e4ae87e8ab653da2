/**
 * The LogicalMessage resource manager (RM_LOGICALMSG_ID 21; replication/message.h
 * xl_logical_message): typed body and logicalmsgdesc.c's description, with the payload as hex
 * bytes (same text in 14–16).
 */
import { RM_LOGICALMSG_ID, XLOG_LOGICAL_MESSAGE } from '../constants.js';
import type { DecodedRecord } from '../wal/record.js';
import { cstringAt, needBytes, putHexSpaced, u8, u32 } from './desc-util.js';
import type { RmgrDescriptor } from './types.js';

export type LogicalMsgBody =
  | { type: 'MESSAGE'; dbId: number; transactional: boolean; prefix: string; prefix_size: number; message: Uint8Array }
  | { type: 'UNKNOWN' };

export function decodeLogicalMsg(record: DecodedRecord): LogicalMsgBody {
  const d = record.mainData;
  if ((record.info & 0xf0) !== XLOG_LOGICAL_MESSAGE) return { type: 'UNKNOWN' };
  needBytes(d, 24, 'xl_logical_message');
  // Size fields are 64-bit; anything past 2^32 cannot fit a record anyway.
  const prefixSize = u32(d, 8) + (u32(d, 12) > 0 ? 2 ** 32 : 0);
  const messageSize = u32(d, 16) + (u32(d, 20) > 0 ? 2 ** 32 : 0);
  needBytes(d, 24 + prefixSize + messageSize, 'xl_logical_message');
  return {
    type: 'MESSAGE',
    dbId: u32(d, 0),
    transactional: u8(d, 4) !== 0,
    prefix: cstringAt(d, 24, prefixSize),
    prefix_size: prefixSize,
    message: d.subarray(24 + prefixSize, 24 + prefixSize + messageSize),
  };
}

const asciiDecoder = new TextDecoder();

/** The payload as "%02X" bytes separated by blanks, built as ASCII bytes and decoded once (payloads run to megabytes). */
function hexBytes(m: Uint8Array): string {
  if (m.length === 0) return '';
  const out = new Uint8Array(m.length * 3 - 1);
  putHexSpaced(out, 0, m);
  return asciiDecoder.decode(out);
}

/** The description up to the payload's hex bytes (pgffi waldump writes those as bytes). */
export function logicalMsgHead(body: LogicalMsgBody & { type: 'MESSAGE' }): string {
  return `${body.transactional ? 'transactional' : 'non-transactional'}, prefix "${body.prefix}"; payload (${body.message.length} bytes): `;
}

export function formatLogicalMsg(body: LogicalMsgBody): string {
  if (body.type !== 'MESSAGE') return '';
  return `${logicalMsgHead(body)}${hexBytes(body.message)}`;
}

export const logicalMsgRmgr: RmgrDescriptor<LogicalMsgBody> = {
  id: RM_LOGICALMSG_ID,
  name: 'LogicalMessage',
  identify: (info) => ((info & 0xf0) === XLOG_LOGICAL_MESSAGE ? 'MESSAGE' : undefined),
  decode: (record) => decodeLogicalMsg(record),
  describe: (record) => formatLogicalMsg(decodeLogicalMsg(record)),
};
