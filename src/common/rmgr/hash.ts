/**
 * The Hash resource manager (rmgr id RM_HASH_ID): record identification, typed bodies and
 * pg_waldump-identical descriptions. Work in progress: bodies and descriptions follow.
 */
import { RM_HASH_ID } from '../constants.js';
import type { RmgrDescriptor } from './types.js';

export const hashRmgr: RmgrDescriptor = {
  id: RM_HASH_ID,
  name: 'Hash',
  identify: () => undefined,
  decode: () => ({}),
  describe: () => '',
};
