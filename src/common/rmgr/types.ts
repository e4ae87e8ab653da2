/**
 * The resource-manager interface (access/rmgr.h RmgrData: rm_name, rm_desc, rm_identify), for
 * reading: each builtin rmgr decodes its record bodies into typed objects and describes them
 * with exactly the text PostgreSQL's rmgrdesc functions give for the record's major version.
 */
import type { PgVersionProfile } from '../profile.js';
import type { DecodedRecord } from '../wal/record.js';

export interface RmgrDescriptor<Body = unknown> {
  /** RM_*_ID. */
  readonly id: number;
  /** rm_name as pg_waldump / pg_walinspect print it ("Heap", "Btree", "Transaction"). */
  readonly name: string;
  /**
   * rm_identify: the record type name ("INSERT", "INSERT_LEAF", "COMMIT", "INSERT+INIT") for
   * xl_info, or undefined where PostgreSQL returns NULL (printed as "UNKNOWN (%x)").
   */
  identify(info: number, profile: PgVersionProfile): string | undefined;
  /** The record body as a typed object (main data and block data interpreted). */
  decode(record: DecodedRecord, profile: PgVersionProfile): Body;
  /** rm_desc: the text after "desc: <type> " in pg_waldump (pg_walinspect's `description`). */
  describe(record: DecodedRecord, profile: PgVersionProfile): string;
}
