/**
 * The Btree resource manager (rmgr id RM_BTREE_ID): record identification, typed bodies and
 * pg_waldump-identical descriptions. Work in progress: bodies and descriptions follow.
 */
import { RM_BTREE_ID } from '../constants.js';
import type { RmgrDescriptor } from './types.js';

export const btreeRmgr: RmgrDescriptor = {
  id: RM_BTREE_ID,
  name: 'Btree',
  identify: () => undefined,
  decode: () => ({}),
  describe: () => '',
};
