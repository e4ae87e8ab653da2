/**
 * Custom resource managers (RM_MIN_CUSTOM_ID 128 .. RM_MAX_CUSTOM_ID 255, 15+): their modules are
 * not loaded here, so like pg_waldump (rmgrdesc.c) they are named "custom###", have no record
 * type names and describe themselves as "rmid: N"; the body is the raw main data.
 */
import type { DecodedRecord } from '../wal/record.js';
import type { RmgrDescriptor } from './types.js';

export interface CustomBody {
  rmid: number;
  info: number;
  mainData: Uint8Array;
}

const cache = new Map<number, RmgrDescriptor<CustomBody>>();

/** The generic descriptor of custom rmgr `id`. */
export function customRmgr(id: number): RmgrDescriptor<CustomBody> {
  let d = cache.get(id);
  if (d === undefined) {
    d = {
      id,
      name: `custom${String(id).padStart(3, '0')}`,
      identify: () => undefined,
      decode: (record: DecodedRecord) => ({ rmid: record.rmid, info: record.info, mainData: record.mainData }),
      describe: (record: DecodedRecord) => `rmid: ${record.rmid}`,
    };
    cache.set(id, d);
  }
  return d;
}
