/**
 * The Heap2 resource manager (rmgr id RM_HEAP2_ID): record identification, typed bodies and
 * pg_waldump-identical descriptions. Work in progress: bodies and descriptions follow.
 */
import { RM_HEAP2_ID } from '../constants.js';
import type { RmgrDescriptor } from './types.js';

export const heap2Rmgr: RmgrDescriptor = {
  id: RM_HEAP2_ID,
  name: 'Heap2',
  identify: () => undefined,
  decode: () => ({}),
  describe: () => '',
};
